/**
 * `npm start` as a user runs it, where the process is the point: the CLI prints one ready line,
 * serves VSS, logs each request, keeps its data across a restart (persistent embedded engine),
 * stops cleanly on SIGINT and SIGTERM (through npm too), refuses a second server on its data
 * directory, explains what npm did with a forgotten `--`, and answers an oversized body in its own
 * process. Its --help and the refusals it decides before serving run in the test's process
 * (local-server-refusals.test.ts). The first test runs on each engine; the rest are about the
 * server process, not its engine, so they run on Dynoxide, which starts in a fraction of DynamoDB
 * Local's JVM time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpRequest } from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineName } from '../../local/engines.js';
import { MAX_REQUEST_BODY_BYTES } from '../../lambda/core/limits.js';
import { isAlive, processesMentioning, spawnCli, startCli, stopCli, type StartedCli } from '../support/cli.js';
import { engines, kv, TestClient } from '../support/local-vss.js';
import { expectProtocolError, type RawResponse } from '../support/raw-http.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'vss-cli-'));
}

/** Runs the CLI to its exit (it is expected to refuse to start); returns code and output. */
async function runToExit(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
  const cli = spawnCli(args, env);
  // A CLI that starts although it should have refused is stopped, so the test fails on its exit code.
  const guard = setTimeout(() => cli.child.kill('SIGTERM'), 30_000);
  const code = await cli.exit;
  clearTimeout(guard);
  return { code, output: cli.output() };
}

async function waitUntil(check: () => boolean, what: string, attempts = 200): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never: ${what}`);
}

describe.each(engines().map((e) => e.name))('npm start on %s', (engine: EngineName) => {
  it('serves VSS, logs each request as a JSON line, keeps data across a restart and exits 0 on SIGTERM and SIGINT', async () => {
    const dataDir = tempDir();
    try {
      const first = await startCli(['--port', '0', '--engine', engine, '--data-dir', dataDir]);
      expect(first.output()).toMatch(/WARNING: --auth none/);
      // The embedded object store is announced right after the engine, before the ready line.
      expect(first.output()).toMatch(
        /DynamoDB engine at http:\/\/127\.0\.0\.1:\d+, table vss\nObject store at http:\/\/127\.0\.0\.1:\d+, bucket vss-values\nVSS listening on /,
      );
      const c1 = new TestClient(first.url, 'wallet');
      expect((await c1.put([kv('channel-monitor', 0, 'state-1')])).status).toBe(200);
      // A value in the object tier (above the 32 KiB threshold) persists under --data-dir too.
      const scorer = Buffer.alloc(1024 * 1024, 7);
      expect((await c1.put([kv('scorer', 0, scorer)])).status).toBe(200);
      const line = JSON.parse((await first.waitForOutput(/^\{.*"operation":"putObjects".*\}$/m))[0]);
      expect(line).toMatchObject({ level: 'INFO', message: 'vss request', operation: 'putObjects', status: 200, service: 'vss' });
      expect(line.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(line.user).toMatch(/^[0-9a-f]{16}$/);
      first.child.kill('SIGTERM');
      expect(await first.exit).toBe(0);

      const second = await startCli(['--port', '0', '--engine', engine, '--data-dir', dataDir, '--quiet']);
      const c2 = new TestClient(second.url, 'wallet');
      expect(await c2.getValue('channel-monitor')).toEqual({ version: 1n, value: Buffer.from('state-1') });
      const scorerBack = (await c2.getValue('scorer')) as { version: bigint; value: Buffer };
      expect(scorerBack.version).toBe(1n);
      expect(scorerBack.value.equals(scorer)).toBe(true);
      expect((await c2.put([kv('channel-monitor', 1, 'state-2')])).status).toBe(200);
      second.child.kill('SIGINT');
      expect(await second.exit).toBe(0);
      expect(second.output()).not.toMatch(/"message":"vss request"/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    // Two starts of the engine (a JVM for DynamoDB Local) on a loaded machine.
  }, 180_000);
});

describe('npm start: its data directory', () => {
  it('refuses a second server on the same data directory, naming the process that has it', async () => {
    const dataDir = tempDir();
    const first = await startCli(['--port', '0', '--engine', 'dynoxide', '--data-dir', dataDir]);
    try {
      const second = await runToExit(['--port', '0', '--engine', 'dynoxide', '--data-dir', dataDir]);
      expect(second.code).not.toBe(0);
      expect(second.output).toContain(`data directory ${dataDir} is in use by another VSS server (process ${first.child.pid}`);
      expect(second.output).toMatch(/stop that one first, or pass another --data-dir/);
      // The first one is unharmed.
      expect((await new TestClient(first.url, 'w').put([kv('k', 0, 'v')])).status).toBe(200);
    } finally {
      await stopCli(first);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('npm start: stopping', () => {
  it('SIGTERM to the npm process stops the server and its engine', async () => {
    const dataDir = tempDir();
    const npm = spawn('npm', ['start', '--', '--port', '0', '--engine', 'dynoxide', '--data-dir', dataDir], {
      cwd: process.cwd(),
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    npm.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    npm.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitUntil(() => /VSS listening on/.test(out), 'npm start ready', 1800);
      expect(processesMentioning(dataDir).length).toBeGreaterThanOrEqual(2); // the server and its engine
      npm.kill('SIGTERM');
      await waitUntil(
        () => processesMentioning(dataDir).length === 0,
        `server and engine gone after SIGTERM to npm (left: ${processesMentioning(dataDir).join(', ')})`,
      );
    } finally {
      for (const pid of processesMentioning(dataDir)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('npm start: options and mistakes', () => {
  it('explains a forgotten -- after npm start', async () => {
    const npm = spawn('npm', ['start', '--port', '9000'], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    npm.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    npm.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => npm.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(out).toContain(
      "unexpected argument 9000: npm took --port as its own option and passed on only the value. Put -- before the server's options: npm start -- --port 9000",
    );
  });

  it('listens on a non-loopback host with --allow-unauthenticated, warning that anyone who reaches it reads and writes every store', async () => {
    const dataDir = tempDir();
    const allowed = await startCli([
      '--host',
      '0.0.0.0',
      '--port',
      '0',
      '--allow-unauthenticated',
      '--engine',
      'dynoxide',
      '--data-dir',
      dataDir,
    ]);
    try {
      expect(allowed.output()).toMatch(/WARNING: --auth none on 0\.0\.0\.0 with --allow-unauthenticated/);
    } finally {
      await stopCli(allowed);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('npm start: an oversized body gets its 413', () => {
  // The server runs in its own process, as for real clients: in one process the timing hides the race.
  let cli: StartedCli;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = tempDir();
    // The Lambda door's limit (npm start's own default is 64 MiB, as vss serve's).
    cli = await startCli([
      '--port',
      '0',
      '--engine',
      'dynoxide',
      '--data-dir',
      dataDir,
      '--max-body-bytes',
      String(MAX_REQUEST_BODY_BYTES),
    ]);
  });
  afterAll(async () => {
    await stopCli(cli);
    rmSync(dataDir, { recursive: true, force: true });
  });

  // Closing with unread data in the socket resets the connection, which discards an answer the
  // client has not read yet (EPIPE while it is still sending): a race, so ten tries per client.
  const sizes = Array.from({ length: 10 }, (_, i) => 4_700_000 + i * 1_700_000);

  it('fetch receives the 413 while still sending 4.7 to 20 MB', async () => {
    for (const size of sizes) {
      const r = await fetch(`${cli.url}/putObjects`, { method: 'POST', body: Buffer.alloc(size, 1) });
      expectProtocolError(
        {
          status: r.status,
          headers: { 'vss-protocol-version': r.headers.get('vss-protocol-version') ?? '' },
          body: Buffer.from(await r.arrayBuffer()),
        },
        413,
      );
    }
  });

  it('node:http receives the 413 while still sending 4.7 to 20 MB', async () => {
    for (const size of sizes) {
      const answer = await new Promise<RawResponse | Error>((resolve) => {
        const req = httpRequest(`${cli.url}/putObjects`, { method: 'POST', headers: { 'content-length': size } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () =>
            resolve({ status: res.statusCode!, headers: res.headers as Record<string, string>, body: Buffer.concat(chunks) }),
          );
        });
        req.on('error', resolve);
        req.end(Buffer.alloc(size, 1));
      });
      expect(answer, `${size} bytes`).not.toBeInstanceOf(Error);
      expectProtocolError(answer as RawResponse, 413);
    }
  });
});
