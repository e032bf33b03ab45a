/**
 * `npm start`'s --help and its refusals to start, each with its cause and its fix: a bad option or
 * value, an unsafe or incomplete configuration, a data directory or engine it cannot use; and
 * `vss serve --help`, which npm start runs. The command line runs in this process (local/cli.ts
 * `run`, and `main(argv)` for `vss serve`), so no Node process starts per case; the cases where
 * the process is the point (signals, the data-directory lock between two live servers, npm's own
 * parsing) are local-server-cli.test.ts and test/cli/vss-serve.test.ts. A case that would start a
 * server by mistake has it stopped again by `run` and fails on its exit code; nothing stays
 * listening or installed on this process.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { run, USAGE } from '../../local/cli.js';
import { runVss } from '../cli/run-vss.js';
import { primaryEngine } from '../support/local-vss.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'vss-cli-'));
}

/**
 * `npm start -- …args` in this process, to the exit code the process would end with; `env` is
 * what it reads on top of this process's environment. stdout and stderr in the order written.
 */
async function npmStart(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  let output = '';
  const both = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      output += chunk.toString();
      done();
    },
  });
  const code = await run(args, { stdout: both, stderr: both, env: { ...process.env, ...env }, usage: USAGE.npmStart });
  return { code, output };
}

describe('npm start: options and mistakes', () => {
  it('-h prints the options', async () => {
    const r = await npmStart(['-h']);
    expect(r.code).toBe(0);
    expect(r.output).toMatch(/^Usage: npm start -- \[options\]/);
    expect(r.output).toMatch(/--port N +port to listen on \(VSS_PORT, default 8080\)/);
    expect(r.output).toMatch(/--allow-unauthenticated/);
    expect(r.output).toMatch(/--s3-endpoint URL +keep large values in this S3-compatible store \(MinIO, real S3\) \(VSS_S3_ENDPOINT\)/);
    expect(r.output).toMatch(/--s3-bucket NAME +bucket of large values \(VSS_S3_BUCKET, default vss-values\)/);
    expect(r.output).toMatch(
      /--inline-max-bytes N +values whose table item would be larger go to the object store \(VSS_INLINE_MAX_BYTES, default 32768\)/,
    );
    expect(r.output).toMatch(/-h, --help/);
  });

  it('rejects an unknown --auth mode with a clear message and a non-zero exit', async () => {
    const r = await npmStart(['--auth', 'bogus', '--port', '0']);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/invalid --auth bogus: use none, signature, jwt, lnurl/);
  });

  it('suggests the closest option and --help for an unknown one', async () => {
    const r = await npmStart(['--prot', '9000']);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('unknown option --prot: did you mean --port? Run with --help to see all options.');
    const far = await npmStart(['--frobnicate']);
    expect(far.output).toContain('unknown option --frobnicate. Run with --help to see all options.');
  });

  it('refuses --max-body-bytes above 1 GiB, naming the limit, with exit 2', async () => {
    const MiB = 1024 * 1024;
    const r = await npmStart(['--max-body-bytes', String(1024 * MiB + 1)]);
    expect(r.code).toBe(2);
    expect(r.output).toBe(`vss: invalid --max-body-bytes ${1024 * MiB + 1}: use a whole number of bytes from 1 to ${1024 * MiB}\n`);
  });

  it('names Java 17+ and --engine dynoxide when DynamoDB Local has no java', async () => {
    // The engine is looked up on this process's PATH (local/engines.ts); restored after the test.
    vi.stubEnv('PATH', '/nonexistent');
    const dataDir = tempDir();
    try {
      const r = await npmStart(['--port', '0', '--engine', 'dynamodb-local', '--data-dir', dataDir]);
      expect(r.code).not.toBe(0);
      expect(r.output).toContain(
        'DynamoDB Local needs Java 17 or newer, and no java command was found on PATH: install a Java runtime (17 or newer), or use --engine dynoxide',
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses --auth none on a non-loopback host unless --allow-unauthenticated', async () => {
    const r = await npmStart(['--host', '0.0.0.0', '--port', '0', '--data-dir', join(tmpdir(), 'vss-cli-refused')]);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/--auth none on --host 0\.0\.0\.0 would let anyone who reaches this port read and write every store/);
    expect(r.output).toMatch(/--allow-unauthenticated/);
  });
});

describe('npm start: its data directory', () => {
  it('says so when the data directory is a file', async () => {
    const dir = tempDir();
    try {
      const file = join(dir, 'not-a-dir');
      writeFileSync(file, 'x');
      const r = await npmStart(['--port', '0', '--data-dir', file]);
      expect(r.code).not.toBe(0);
      expect(r.output).toContain(`data directory ${file} is a file, not a directory: pass a directory with --data-dir`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says what to do when the engine cannot open its database in the data directory', async () => {
    const dataDir = tempDir();
    try {
      mkdirSync(join(dataDir, 'vss.sqlite')); // the database file cannot be opened, as in a read-only directory
      const r = await npmStart(['--port', '0', '--engine', 'dynoxide', '--data-dir', dataDir]);
      expect(r.code).not.toBe(0);
      expect(r.output).toContain(
        `dynoxide cannot open its database in data directory ${dataDir}: make the directory and the files in it writable by this user, or pass another --data-dir`,
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it.skipIf(process.getuid?.() === 0)('says so when the data directory is read-only', async () => {
    const dataDir = tempDir();
    try {
      chmodSync(dataDir, 0o555);
      const r = await npmStart(['--port', '0', '--data-dir', dataDir]);
      expect(r.code).not.toBe(0);
      expect(r.output).toContain(`data directory ${dataDir} is not writable by this user`);
    } finally {
      chmodSync(dataDir, 0o755);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('npm start --auth: refusals', () => {
  it('refuses --auth jwt without a key, with a clear message and a non-zero exit, before starting anything', async () => {
    // The embedded object store keeps its data under --data-dir: a fresh one, not the checkout's .data.
    const dataDir = tempDir();
    try {
      const r = await npmStart(['--auth', 'jwt', '--port', '0', '--dynamodb-endpoint', primaryEngine().endpoint, '--data-dir', dataDir]);
      expect(r.code).not.toBe(0);
      expect(r.output).toMatch(/--jwt-public-key/);
      // Refused before the embedded object store (or an engine) started: nothing written under it.
      expect(readdirSync(dataDir)).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('rejects a malformed or misplaced signature policy flag with a clear message and exit 2', async () => {
    const skew = await npmStart(['--auth', 'signature', '--signature-max-skew-seconds', '5', '--port', '0']);
    expect(skew.code).toBe(2);
    expect(skew.output).toMatch(/invalid --signature-max-skew-seconds must be a whole number of seconds from 15 to 86400/);
    const enrollment = await npmStart(['--auth', 'signature', '--port', '0'], { VSS_SIGNATURE_ENROLLMENT: 'closed' });
    expect(enrollment.code).toBe(2);
    expect(enrollment.output).toMatch(/invalid --signature-enrollment must be open or allowlist/);
    const misplaced = await npmStart(['--auth', 'none', '--signature-enrollment', 'allowlist', '--port', '0']);
    expect(misplaced.code).toBe(2);
    expect(misplaced.output).toMatch(/--signature-enrollment applies to --auth signature only/);
  });
});

describe('npm start provider flags: refusals', () => {
  it('rejects a malformed provider flag with a clear message and a non-zero exit', async () => {
    const r = await npmStart(['--quota-max-bytes', 'lots', '--port', '0']);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/invalid --quota-max-bytes lots/);
  });
});

describe('vss serve: the same options through the vss command', () => {
  // Through main(argv) only what cannot start a server: a server it started would have no handle
  // to stop it by in this process (run, above, stops what it starts).
  it("lists them under its own usage line, and npm start's when npm runs it", async () => {
    const serveHelp = await runVss(['serve', '--help'], { npm_lifecycle_event: '' });
    expect(serveHelp.code).toBe(0);
    expect(serveHelp.stdout).toMatch(/^Usage: vss serve \[options\] {3}\(npm start -- \[options\] runs it\)\n/);
    expect(serveHelp.stdout).toMatch(/--port N +port to listen on \(VSS_PORT, default 8080\)/);
    const startHelp = await runVss(['serve', '--help'], { npm_lifecycle_event: 'start' });
    expect(startHelp.stdout).toMatch(/^Usage: npm start -- \[options\]\n/);
  });
  it('explains a server that cannot start in one line, exit 1, without a stack trace', async () => {
    const dir = tempDir();
    try {
      const file = join(dir, 'not-a-dir');
      writeFileSync(file, 'x');
      const r = await runVss(['serve', '--port', '0', '--quiet', '--data-dir', file]);
      expect(r.code).toBe(1);
      expect(
        r.stderr
          .split('\n')
          .filter((l) => !l.startsWith('WARNING: --auth none'))
          .join('\n'),
      ).toBe(`vss: data directory ${file} is a file, not a directory: pass a directory with --data-dir (it is created when missing)\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
