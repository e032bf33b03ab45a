/**
 * `npx vss --help` in a checkout after `npm ci`: npm resolves the root package's own `bin`
 * (package.json) and the executable loads the TypeScript CLI. `--no-install` makes sure the
 * command is never fetched from the registry instead.
 */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

describe('npx vss', () => {
  it('--help lists every subcommand and exits 0', async () => {
    const { stdout } = await run('npx', ['--no-install', 'vss', '--help'], { cwd: process.cwd(), timeout: 60_000 });
    expect(stdout).toMatch(/^Usage: vss /m);
    for (const sub of ['export', 'import', 'copy', 'pg-import', 'pg-export']) expect(stdout).toMatch(new RegExp(`^  ${sub} `, 'm'));
  });

  it('an unknown subcommand is a usage error (exit 2) naming it', async () => {
    const err = await run('npx', ['--no-install', 'vss', 'frobnicate'], { cwd: process.cwd(), timeout: 60_000 }).catch(
      (e: unknown) => e as { code: number; stderr: string },
    );
    expect((err as { code: number }).code).toBe(2);
    expect((err as { stderr: string }).stderr).toContain('frobnicate');
  });
});
