/**
 * Engine faults under `npm start`: a stalled engine (SIGSTOP) gives protocol 500s within the
 * deployed client's budget instead of hanging, and the server recovers when it runs again; a
 * killed engine is logged at once, restarted on the same data, and requests recover without
 * restarting the server (on both engines: each restarts its own way); an engine that cannot be
 * restarted stops the server with a non-zero exit and the reason, at once when its data directory
 * is gone (no wait mends that).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '../../lambda/core/errors.js';
import type { EngineName } from '../../local/engines.js';
import { enginePidUnder, startCli, stopCli, type StartedCli } from '../support/cli.js';
import { decodeError, engines, kv, post, TestClient, vss, primaryEngine } from '../support/local-vss.js';

/** Requests give up after this long: far beyond the 3 s budget, so only a hang trips it. */
const HANG_GUARD_MS = 20_000;

function processState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
}

async function untilServing(c: TestClient, key: string, attempts = 300): Promise<{ version: bigint; value: Buffer }> {
  for (let i = 0; i < attempts; i++) {
    const r = await c.getValue(key).catch(() => 0);
    if (typeof r !== 'number') return r;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the server never served again');
}

async function withCli(engine: EngineName, body: (cli: StartedCli, dataDir: string) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vss-faults-'));
  const cli = await startCli(['--port', '0', '--engine', engine, '--data-dir', dataDir]);
  try {
    await body(cli, dataDir);
  } finally {
    await stopCli(cli);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// A frozen engine meets the deployed client's timeouts, whichever engine it is: shown on one.
describe(`engine faults on ${primaryEngine().name}: a stall`, () => {
  it('a stalled engine gives protocol 500s while it is stopped, and the server recovers when it runs again', async () => {
    await withCli(primaryEngine().name, async (cli) => {
      const c = new TestClient(cli.url, 'wallet');
      expect((await c.put([kv('canary', 0, 'before the stall')])).status).toBe(200);
      const pid = enginePidUnder(cli.child.pid!)!;
      expect(pid).toBeGreaterThan(0);
      process.kill(pid, 'SIGSTOP');
      try {
        const signal = AbortSignal.timeout(HANG_GUARD_MS);
        const send = (path: string, body: Uint8Array) =>
          fetch(`${cli.url}/${path}`, { method: 'POST', body, signal }).then(async (r) => ({
            status: r.status,
            version: r.headers.get('vss-protocol-version'),
            body: new Uint8Array(await r.arrayBuffer()),
          }));
        const answers = await Promise.all([
          send('getObject', vss.GetObjectRequest.encode({ storeId: 'wallet', key: 'canary' }).finish()),
          send('putObjects', vss.PutObjectRequest.encode({ storeId: 'wallet', transactionItems: [kv('other', 0, 'x')] }).finish()),
          send('listKeyVersions', vss.ListKeyVersionsRequest.encode({ storeId: 'wallet' }).finish()),
        ]);
        // Every answer came while the engine was still stopped.
        expect(processState(pid)).toBe('T');
        for (const a of answers) {
          expect(a.status).toBe(500);
          expect(a.version).toBe('0');
          expect(vss.ErrorResponse.decode(a.body).errorCode).toBe(ErrorCode.INTERNAL_SERVER_EXCEPTION);
        }
        const health = await fetch(cli.url.replace(/\/vss$/, '/health'), { signal });
        expect(health.status).toBe(503);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      expect(await untilServing(c, 'canary')).toEqual({ version: 1n, value: Buffer.from('before the stall') });
    });
  });
});

// Restarting a killed engine on its data is each engine's own start: shown on both.
describe.each(engines().map((e) => e.name))('engine faults on %s', (engine: EngineName) => {
  it('a killed engine is logged at once, restarted on the same data, and requests recover', async () => {
    await withCli(engine, async (cli) => {
      const c = new TestClient(cli.url, 'wallet');
      expect((await c.put([kv('canary', 0, 'before the kill')])).status).toBe(200);
      const pid = enginePidUnder(cli.child.pid!)!;
      process.kill(pid, 'SIGKILL');
      await cli.waitForOutput(
        new RegExp(`engine ${engine} \\(pid ${pid}\\) was killed by SIGKILL; restarting it on the same data`),
        HANG_GUARD_MS,
      );
      expect(await untilServing(c, 'canary')).toEqual({ version: 1n, value: Buffer.from('before the kill') });
      await cli.waitForOutput(new RegExp(`engine ${engine} restarted \\(pid \\d+, attempt 1\\); serving again`), HANG_GUARD_MS);
      const newPid = enginePidUnder(cli.child.pid!);
      expect(newPid).toBeDefined();
      expect(newPid).not.toBe(pid);
      expect((await c.put([kv('canary', 1, 'after the restart')])).status).toBe(200);
      const r = await post(cli.url, 'getObject', vss.GetObjectRequest.encode({ storeId: 'wallet', key: 'missing' }).finish());
      expect(decodeError(r).errorCode).toBe(ErrorCode.NO_SUCH_KEY_EXCEPTION);
    });
  });
});

describe('engine faults: no restart possible', () => {
  it('stops the server with a non-zero exit and the reason when the engine cannot be restarted', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vss-faults-'));
    const cli = await startCli(['--port', '0', '--engine', primaryEngine().name, '--data-dir', dataDir]);
    try {
      const pid = enginePidUnder(cli.child.pid!)!;
      rmSync(dataDir, { recursive: true, force: true }); // the data is gone: never restart on an empty directory
      process.kill(pid, 'SIGKILL');
      expect(await cli.exit).toBe(1);
      expect(cli.output()).toContain(`data directory ${dataDir} has disappeared: not starting the engine on an empty one`);
      expect(cli.output()).toMatch(/could not be restarted: .*The server stops: fix the cause and run npm start again\./);
      // No wait brings a data directory back: one attempt, no backoff through the rest.
      expect(cli.output()).toMatch(/restart 1 of \d+ of engine \S+ failed: data directory/);
      expect(cli.output()).not.toMatch(/restart 2 of/);
      expect(enginePidUnder(cli.child.pid!)).toBeUndefined();
    } finally {
      await stopCli(cli);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
