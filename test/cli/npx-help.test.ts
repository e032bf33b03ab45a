/**
 * `npx vss --help` in a checkout after `npm ci`: npm resolves the root package's own `bin`
 * (package.json) and the executable loads the TypeScript CLI. `--no-install` makes sure the
 * command is never fetched from the registry instead. A usage error's exit code is main(argv)'s
 * (test/cli/main.test.ts, in-process); that the executable passes a non-zero exit on is shown by
 * the installed package's refusal in test/cli/vss-serve.test.ts.
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
});
