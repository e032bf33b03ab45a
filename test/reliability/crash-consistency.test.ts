/**
 * Crash consistency under `npm start`, on both engines: writers send multi-key puts that mix one
 * large value (above the object tier's threshold, so one object in the embedded S3-compatible
 * store, docs/large-values.md) with small ones kept in the table; a server
 * process is killed with SIGKILL in the middle. Every put must be all-or-nothing and every stored
 * value byte-exact; every acknowledged put must be there, after every crash, the puts of earlier
 * rounds included. Each crash comes at a seeded moment.
 *
 * The rounds before the last kill a second server that runs on the first one's engine
 * (`--dynamodb-endpoint`): the first server checks at once, with no restart, and no engine (a JVM
 * for DynamoDB Local) starts per round. The last round kills the first server itself, with its
 * embedded, persistent engine: the engine must not outlive its server (it would hold the files
 * beside the next one), and what it acknowledged must be in its files when it starts again.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enginePidUnder, isAlive, startCli, stopCli, type StartedCli } from '../support/cli.js';
import { engines, kv, TestClient } from '../support/local-vss.js';
import { prng } from '../support/prng.js';

/** Rounds per engine: all but the last kill a second server, the last the first with its engine. */
const ROUNDS = 2;
const WRITERS = 4;
const KEYS_PER_PUT = 4;
const LARGE_BYTES = 450_000;

/** Deterministic bytes of one value, from its key. */
function valueOf(key: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(key).digest();
  for (let o = 0; o < size; o += 32) {
    block.copy(out, o);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

const sizeOf = (k: number, i: number): number => (k === 0 ? LARGE_BYTES + (i % 7) * 1000 : 1000 + k * 3000);
const keyOf = (round: number, w: number, i: number, k: number): string => `r${round}-w${w}-t${i}-k${k}`;

interface Put {
  readonly round: number;
  readonly w: number;
  readonly i: number;
  acked: boolean;
}

/**
 * Writers put through `cli` until a seeded moment after some puts went through; then `cli` is
 * killed with SIGKILL (its engine with it, when it has one, which must then end too).
 */
async function writeUntilKilled(cli: StartedCli, round: number, puts: Put[], random: () => number, embedded: boolean): Promise<string> {
  const c = new TestClient(cli.url, 'wallet');
  let acked = 0;
  let unanswered = 0;
  let stop = false;
  const writer = async (w: number): Promise<void> => {
    for (let i = 0; !stop; i++) {
      const put: Put = { round, w, i, acked: false };
      puts.push(put);
      const items = Array.from({ length: KEYS_PER_PUT }, (_, k) =>
        kv(keyOf(round, w, i, k), 0, valueOf(keyOf(round, w, i, k), sizeOf(k, i))),
      );
      const r = await c.put(items).catch(() => undefined);
      if (r === undefined) return; // the server is gone
      // A 500 (the engine slower than the 3 s budget) leaves the put's fate open, like a crash.
      if (r.status === 500) {
        unanswered++;
        continue;
      }
      expect(r.status).toBe(200);
      put.acked = true;
      acked++;
    }
  };
  let failure: unknown;
  const writing = Array.from({ length: WRITERS }, (_, w) => writer(w).catch((e: unknown) => void (failure ??= e)));
  const target = 4 + Math.floor(random() * 8);
  for (let i = 0; acked < target && failure === undefined; i++) {
    expect(i, 'puts go through').toBeLessThan(12_000);
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, Math.floor(random() * 60)));
  const enginePid = embedded ? enginePidUnder(cli.child.pid!)! : undefined;
  cli.child.kill('SIGKILL');
  await cli.exit;
  stop = true;
  if (enginePid !== undefined) {
    // The engine goes with its server: an orphan would keep the data files open beside the next one.
    for (let i = 0; i < 200 && isAlive(enginePid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(isAlive(enginePid), `engine ${enginePid} outlived its server`).toBe(false);
  }
  await Promise.all(writing);
  if (failure !== undefined) throw failure;
  return `round ${round}${embedded ? ' (server and engine)' : ''}: ${puts.filter((p) => p.round === round).length} puts sent, ${acked} acknowledged, ${unanswered} answered 500`;
}

/** Every put of every round so far: all-or-nothing, byte-exact, kept when acknowledged. */
async function checkAll(url: string, puts: readonly Put[]): Promise<string> {
  const check = new TestClient(url, 'wallet');
  let present = 0;
  let absent = 0;
  for (const p of puts) {
    const found = await Promise.all(
      Array.from({ length: KEYS_PER_PUT }, async (_, k) => {
        const key = keyOf(p.round, p.w, p.i, k);
        const v = await check.getValue(key);
        if (typeof v === 'number') {
          expect(v).toBe(404);
          return false;
        }
        expect(v.version).toBe(1n);
        expect(v.value.equals(valueOf(key, sizeOf(k, p.i))), `${key} byte-exact`).toBe(true);
        return true;
      }),
    );
    const all = found.every(Boolean);
    expect(all || found.every((f) => !f), `put ${p.round}/${p.w}/${p.i} is all-or-nothing: ${found}`).toBe(true);
    if (p.acked) expect(all, `acknowledged put ${p.round}/${p.w}/${p.i} survived`).toBe(true);
    if (all) present++;
    else absent++;
  }
  return `${present} present, ${absent} absent in total`;
}

describe.each(engines())('crash consistency on $name', (engine) => {
  it(`kill -9 during multi-key puts with large values, ${ROUNDS} rounds (the last with the engine): all-or-nothing, byte-exact, acknowledged puts kept`, async () => {
    const random = prng(0xc0ffee + engine.name.length);
    const dataDir = mkdtempSync(join(tmpdir(), 'vss-crash-'));
    const embedded = ['--port', '0', '--engine', engine.name, '--data-dir', dataDir];
    const puts: Put[] = [];
    const figures: string[] = [];
    let first: StartedCli | undefined = await startCli(embedded);
    let second: StartedCli | undefined;
    try {
      const [, endpoint, table] = await first.waitForOutput(/^DynamoDB engine at (\S+), table (\S+)$/m);
      // The large values live in the first server's object store: the second one uses it too.
      const [, s3Endpoint, bucket] = await first.waitForOutput(/^Object store at (\S+), bucket (\S+)$/m);
      for (let round = 0; round < ROUNDS - 1; round++) {
        second = await startCli([
          '--port',
          '0',
          '--dynamodb-endpoint',
          endpoint!,
          '--table',
          table!,
          '--s3-endpoint',
          s3Endpoint!,
          '--s3-bucket',
          bucket!,
        ]);
        const sent = await writeUntilKilled(second, round, puts, random, false);
        figures.push(`${sent}; then ${await checkAll(first.url, puts)}`);
      }
      const sent = await writeUntilKilled(first, ROUNDS - 1, puts, random, true);
      first = await startCli(embedded);
      figures.push(`${sent}; after restart ${await checkAll(first.url, puts)}`);
      console.log(`crash consistency on ${engine.name}: ${figures.join('; ')}`);
    } finally {
      await stopCli(second);
      await stopCli(first);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});
