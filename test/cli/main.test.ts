/**
 * The `vss` command's entry point in-process (cli/main.ts with cli/io.ts): the exit code of each
 * kind of mistake, output on the streams the caller gave, secrets read from the caller's
 * environment and never echoed, and two commands at once each writing to its own streams.
 * Nothing here reaches a server; the commands against servers are store-transfer.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/exit-codes.js';
import { runVss } from './run-vss.js';

const dir = mkdtempSync(join(tmpdir(), 'vss-main-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vss main(argv, io)', () => {
  it('--help goes to the given stdout and exits 0; an unknown subcommand is a usage error on the given stderr', async () => {
    const help = await runVss(['--help']);
    expect(help.code).toBe(EXIT.ok);
    expect(help.stdout).toMatch(/^Usage: vss /m);
    expect(help.stderr).toBe('');
    const unknown = await runVss(['frobnicate']);
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.stderr).toContain('frobnicate');
    expect(unknown.stdout).toBe('');
  });

  it('refuses a bad URL, a bad number and a missing archive with exit 2, naming the option', async () => {
    const url = await runVss(['export', '--url', 'ftp://x', '--store-id', 's', '--out', join(dir, 'a.vssa')]);
    expect(url.code).toBe(EXIT.usage);
    expect(url.stderr).toContain('--url must be an http(s) URL');
    const n = await runVss(['export', '--url', 'http://127.0.0.1:9/vss', '--store-id', 's', '--out', '-', '--concurrency', '0']);
    expect(n.code).toBe(EXIT.usage);
    expect(n.stderr).toContain('--concurrency must be a positive integer');
    const missing = await runVss(['import', '--url', 'http://127.0.0.1:9/vss', '--store-id', 's', '--in', join(dir, 'none.vssa')]);
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toContain('no such readable file');
  });

  it('reads a signing key from the environment it was given and never echoes a bad one', async () => {
    const archive = join(dir, 'x.vssa');
    writeFileSync(archive, 'not an archive');
    const secret = 'zz'.repeat(32);
    const run = await runVss(['import', '--url', 'http://127.0.0.1:9/vss', '--store-id', 's', '--in', archive], {
      VSS_SIGNING_KEY: secret,
    });
    expect(run.code).toBe(EXIT.usage);
    expect(run.stderr).toContain('--signing-key');
    expect(run.stderr).not.toContain(secret);
    expect(process.env['VSS_SIGNING_KEY']).toBeUndefined();
  });

  it('keeps the output of two commands at once apart', async () => {
    const [help, unknown] = await Promise.all([runVss(['export', '--help']), runVss(['nope'])]);
    expect(help.stdout).toMatch(/^Usage: vss export /m);
    expect(help.stderr).toBe('');
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain('nope');
  });
});
