/**
 * Throughput and memory of the migration tools, run as a user runs them (the `vss` command in a
 * child process, figures from its --json report):
 *   - `vss pg-import` of BENCH_PG_ROWS rows (default 100,000; values 100-500 B over 1,000 users)
 *     from a real PostgreSQL into a local engine, against a baseline measured in the same rounds:
 *     the same rows read by the same snapshot reader and written unconditionally with
 *     BatchWriteItem (25 items a call, as many calls in flight as pg-import's requests);
 *   - `vss pg-export` of that table back into an empty reference database;
 *   - `vss copy --verify` of a BENCH_COPY_KEYS-key store (default 10,000; 1 KB values) between two
 *     local servers, against `vss export` of the same store to a file as the baseline.
 * Rounds interleave tool and baseline; medians and ranges are printed.
 * Usage: npx tsx bench/migration.ts [dynoxide|dynamodb-local]
 */
import { BatchWriteItemCommand, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { VssClient } from '../client/vss-client.js';
import { migrateToReferenceSchema } from '../cli/pg/reference-schema.js';
import { openSnapshot } from '../cli/pg/pg-source.js';
import { startLocalVss } from '../local/app.js';
import { localClient, startEngine, type EngineName } from '../local/engines.js';
import { ensureTable } from '../local/table.js';
import { partitionKeyOf, sortKeyOf } from '../lambda/store/keys.js';
import { startPostgres } from '../test/support/postgres.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
const engineName = (process.argv[2] ?? 'dynoxide') as EngineName;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const PG_ROWS = Number(process.env['BENCH_PG_ROWS'] ?? 100_000);
const COPY_KEYS = Number(process.env['BENCH_COPY_KEYS'] ?? 10_000);
const run = promisify(execFile);
const LOCAL_AWS = {
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

async function vss(args: string[]): Promise<Record<string, number>> {
  const r = await run(process.execPath, [join(process.cwd(), 'cli', 'vss.mjs'), ...args, '--json', '--quiet'], {
    env: { ...process.env, ...LOCAL_AWS },
    maxBuffer: 1 << 26,
  }).catch((e: { stdout?: string; code?: number; stderr?: string }) => {
    if (e.stdout && e.code !== undefined && e.code > 1) return { stdout: e.stdout };
    throw new Error(`vss ${args[0]} failed: ${e.stderr}`);
  });
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number>;
}

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return `median ${median.toFixed(0)} (range ${s[0]!.toFixed(0)}–${s[s.length - 1]!.toFixed(0)})`;
}

const engine = await startEngine(engineName);
const postgres = await startPostgres();
const dynamo = localClient(engine.endpoint);
const dir = mkdtempSync(join(tmpdir(), 'vss-bench-'));
try {
  // ---- pg-import / pg-export --------------------------------------------------------------
  const sourceUrl = await postgres.createDatabase('reference');
  const c = new pg.Client({ connectionString: sourceUrl });
  await c.connect();
  await migrateToReferenceSchema(c);
  await c.query(`INSERT INTO vss_db (user_token, store_id, key, value, version, created_at, last_updated_at)
    SELECT 'user-' || (i % 1000), 'wallet', 'channel_monitors/' || md5(i::text), decode(repeat('ab', 100 + i % 400), 'hex'), 1 + i % 10, now(), now()
      FROM generate_series(1, ${PG_ROWS}) i`);
  await c.end();
  console.log(`pg-import of ${PG_ROWS} rows on ${engineName}, ${ROUNDS} rounds`);
  const importRate: number[] = [];
  const baselineRate: number[] = [];
  const exportRate: number[] = [];
  const rss: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const baseTable = `base-${randomUUID()}`;
    await ensureTable(dynamo, baseTable);
    const started = Date.now();
    const snapshot = await openSnapshot(sourceUrl);
    const inFlight = new Set<Promise<unknown>>();
    let batch: WriteRequest[] = [];
    const send = async (items: WriteRequest[]): Promise<void> => {
      let pending = items;
      while (pending.length > 0) {
        const out = await dynamo.send(new BatchWriteItemCommand({ RequestItems: { [baseTable]: pending } }));
        pending = out.UnprocessedItems?.[baseTable] ?? [];
      }
    };
    for await (const r of snapshot.read()) {
      batch.push({
        PutRequest: {
          Item: {
            pk: { S: partitionKeyOf(r) },
            sk: { B: sortKeyOf(r.key) },
            ver: { N: r.version.toString() },
            seq: { N: r.sortOrder.toString() },
            val: { B: r.value! },
          },
        },
      });
      if (batch.length === 25) {
        const p = send(batch).finally(() => inFlight.delete(p));
        inFlight.add(p);
        batch = [];
        if (inFlight.size >= 16) await Promise.race(inFlight);
      }
    }
    if (batch.length > 0) await send(batch);
    await Promise.all(inFlight);
    await snapshot.close();
    baselineRate.push(PG_ROWS / ((Date.now() - started) / 1000));

    const table = `vss-${randomUUID()}`;
    await ensureTable(dynamo, table);
    const imported = await vss(['pg-import', '--postgres', sourceUrl, '--dynamodb-endpoint', engine.endpoint, '--table', table]);
    importRate.push(imported['rowsPerSecond']!);
    rss.push(imported['peakRssMb']!);
    const targetUrl = await postgres.createDatabase(`back${round}`);
    const exported = await vss(['pg-export', '--postgres', targetUrl, '--dynamodb-endpoint', engine.endpoint, '--table', table]);
    exportRate.push(exported['recordsPerSecond']!);
    console.log(
      `  round ${round + 1}: pg-import ${imported['rowsPerSecond']} rows/s (${imported['seconds']} s, peak RSS ${imported['peakRssMb']} MB), baseline ${baselineRate[round]!.toFixed(0)} rows/s, pg-export ${exported['recordsPerSecond']} records/s`,
    );
  }
  console.log(`pg-import rows/s: ${stats(importRate)}`);
  console.log(`baseline (unconditional BatchWriteItem) rows/s: ${stats(baselineRate)}`);
  console.log(`pg-import / baseline: ${(importRate.reduce((a, b) => a + b) / baselineRate.reduce((a, b) => a + b)).toFixed(2)}`);
  console.log(`pg-export records/s: ${stats(exportRate)}`);
  console.log(`pg-import peak RSS MB: ${stats(rss)}`);

  // ---- vss copy of a 10,000-key store -------------------------------------------------------
  const from = await startLocalVss({
    client: localClient(engine.endpoint),
    port: 0,
    tableName: `from-${randomUUID()}`,
    sweepIntervalMs: 0,
  });
  const to = await startLocalVss({ client: localClient(engine.endpoint), port: 0, tableName: `to-${randomUUID()}`, sweepIntervalMs: 0 });
  const source = new VssClient({ baseUrl: from.url });
  for (let i = 0; i < COPY_KEYS; i += 100) {
    const items = Array.from({ length: Math.min(100, COPY_KEYS - i) }, (_, j) => ({
      key: `key/${i + j}`,
      version: -1n,
      value: randomBytes(1000),
    }));
    await source.putObjects('wallet', { items });
  }
  console.log(`\nvss copy --verify of ${COPY_KEYS} keys (1 KB values) on ${engineName}, ${ROUNDS} rounds`);
  const copySeconds: number[] = [];
  const copyRss: number[] = [];
  const exportSeconds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = Date.now();
    await vss(['export', '--url', from.url, '--store-id', 'wallet', '--out', join(dir, `a${round}.vssa`)]);
    exportSeconds.push((Date.now() - t0) / 1000);
    const copied = await vss([
      'copy',
      '--from',
      from.url,
      '--to',
      to.url,
      '--store-id',
      'wallet',
      '--to-store-id',
      `copy-${round}`,
      '--verify',
    ]);
    copySeconds.push(copied['seconds']!);
    copyRss.push(copied['peakRssMb']!);
    console.log(
      `  round ${round + 1}: copy ${copied['seconds']} s (peak RSS ${copied['peakRssMb']} MB, verified ${copied['verified']}), baseline export ${exportSeconds[round]!.toFixed(1)} s`,
    );
  }
  const s = (xs: number[]) => stats(xs.map((x) => x * 1000)).replace(/(\d+)/g, (m) => (Number(m) / 1000).toFixed(1));
  console.log(`copy seconds: ${s(copySeconds)}; baseline export seconds: ${s(exportSeconds)}`);
  console.log(`copy peak RSS MB: ${stats(copyRss)}`);
  await from.stop();
  await to.stop();
} finally {
  rmSync(dir, { recursive: true, force: true });
  dynamo.destroy();
  await postgres.stop();
  await engine.stop();
}
