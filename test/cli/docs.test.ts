/** docs/migration.md documents every exit code the `vss` command uses, and the README links it. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes.js';

describe('vss docs', () => {
  it('the exit code table lists exactly the codes in cli/exit-codes.ts', () => {
    const section = readFileSync('docs/migration.md', 'utf8').split('## Exit codes')[1]!.split('\n## ')[0]!;
    const documented = [...section.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    expect(documented.sort()).toEqual(Object.values(EXIT).sort());
  });

  it('the README links the migration guide and the archive format', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain('(docs/migration.md)');
    expect(readme).toContain('(docs/archive-format.md)');
  });
});
