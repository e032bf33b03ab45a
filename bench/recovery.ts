/**
 * Throughput of the recovery tools on BENCH_RECOVERY_KEYS keys (default 100,000: 1,000 users of
 * one store, 100 keys of 200 B each, plus a global-version record per store), on a local engine:
 *   - `verify-table` (lambda/store/table-verifier.ts, what `vss admin verify-table` runs);
 *   - `diff-tables` (cli/admin/diff-tables.ts) between that table and a later one in which 1 % of
 *     the keys changed, 0.1 % were added and 0.1 % removed;
 * against a baseline measured in the same rounds: a plain segmented parallel Scan of the table
 * (the same segments and page size, nothing checked). Rounds interleave the three, rotating the
 * order; medians and ranges of keys per second are printed, with the peak resident memory.
 * Usage: nice -n 10 npx tsx bench/recovery.ts [dynoxide|dynamodb-local]
 */
import { BatchWriteItemCommand, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { diffTables } from '../cli/admin/diff-tables.js';
import { partitionKeyOf, sortKeyOf } from '../lambda/store/keys.js';
import { GLOBAL_VERSION_SEQ } from '../lambda/store/seq-clock.js';
import { scanPages } from '../lambda/store/table-scan.js';
import { verifyTable } from '../lambda/store/table-verifier.js';
import { bulkClient, bulkTable } from '../cli/table/bulk-table.js';
import { withRetries } from '../lambda/store/retry.js';
import { startEngine, type EngineName } from '../local/engines.js';
import { ensureTable } from '../local/table.js';
import { fmt, summarize } from './stats.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
const engineName = (process.argv[2] ?? 'dynoxide') as EngineName;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const KEYS = Number(process.env['BENCH_RECOVERY_KEYS'] ?? 100_000);
const KEYS_PER_USER = 100;
const SEGMENTS = 4;
const USERS = Math.ceil(KEYS / KEYS_PER_USER);
const BULK_FILL_RETRY = { maxAttempts: 15, baseDelayMs: 50, maxDelayMs: 10_000, budgetMs: 600_000 };

const engine = await startEngine(engineName);
const client = bulkClient(engine.endpoint, undefined);
try {
  const a = 'bench-recovery-a';
  const b = 'bench-recovery-b';
  await Promise.all([ensureTable(client, a), ensureTable(client, b)]);
  const t0 = performance.now();
  const changed = await fill(a, b);
  console.log(
    `filled ${KEYS.toLocaleString('en-US')} keys of ${USERS} users into two tables (${changed} keys differ) in ${((performance.now() - t0) / 1000).toFixed(0)} s on ${engineName}`,
  );

  const samples: Record<string, number[]> = { 'Scan (baseline)': [], 'verify-table': [], 'diff-tables': [] };
  let peakRss = 0;
  const cases: Record<string, () => Promise<void>> = {
    'Scan (baseline)': async () => {
      await scanPages(bulkTable(client, a), SEGMENTS, 500, async () => {});
    },
    'verify-table': async () => {
      const table = bulkTable(client, a);
      const report = await verifyTable(table, { segments: SEGMENTS, orphanBoundMs: 2 * 3600_000, placement: table.placement });
      if (report.problems.length > 0) throw new Error(`the bench table is not sound: ${report.problems[0]!.kind}`);
    },
    'diff-tables': async () => {
      const report = await diffTables(bulkTable(client, a), bulkTable(client, b), { segments: SEGMENTS });
      const found = report.stores.reduce((n, s) => n + s.keys.length, 0);
      if (found !== changed) throw new Error(`diff-tables found ${found} differing keys, ${changed} were planted`);
    },
  };
  const names = Object.keys(cases);
  for (let round = 0; round < ROUNDS; round++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(j + round) % names.length]!;
      const start = performance.now();
      await cases[name]!();
      samples[name]!.push(KEYS / ((performance.now() - start) / 1000));
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
  }
  console.log(`keys per second over ${KEYS.toLocaleString('en-US')} keys, ${SEGMENTS} segments, ${ROUNDS} rounds: median (range)`);
  for (const name of names) console.log(`  ${name.padEnd(16)} ${fmt(summarize(samples[name]!), 0)}`);
  console.log(
    `  peak resident memory ${(peakRss / 2 ** 20).toFixed(0)} MiB (diff-tables reads both tables: its keys per second count one table's keys)`,
  );
} finally {
  client.destroy();
  await engine.stop();
}

/** Writes the same records into both tables, then changes about 1.2 % of B's; returns how many keys differ. */
async function fill(a: string, b: string): Promise<number> {
  const value = () => ({ B: randomBytes(200) });
  let seq = BigInt(Date.now()) * 128_000n;
  const writes: Array<Promise<void>> = [];
  const batchesA: WriteRequest[][] = [[]];
  const batchesB: WriteRequest[][] = [[]];
  const add = (batches: WriteRequest[][], item: WriteRequest) => {
    if (batches[batches.length - 1]!.length === 25) batches.push([]);
    batches[batches.length - 1]!.push(item);
  };
  let differ = 0;
  for (let u = 0; u < USERS; u++) {
    const pk = { S: partitionKeyOf({ userToken: `user-${u}`, storeId: 'wallet' }) };
    const gv = {
      PutRequest: { Item: { pk, sk: { B: sortKeyOf('global_version') }, ver: { N: '3' }, seq: { N: GLOBAL_VERSION_SEQ.toString() } } },
    };
    add(batchesA, gv);
    add(batchesB, gv);
    for (let k = 0; k < KEYS_PER_USER && u * KEYS_PER_USER + k < KEYS; k++) {
      const i = u * KEYS_PER_USER + k;
      const item = { pk, sk: { B: sortKeyOf(`key/${k}`) }, ver: { N: '1' }, val: value(), seq: { N: String(seq++) } };
      add(batchesA, { PutRequest: { Item: item } });
      if (i % 1000 === 1) {
        differ++; // removed in B
      } else if (i % 100 === 0) {
        differ++; // changed in B: a new version and value
        add(batchesB, { PutRequest: { Item: { ...item, ver: { N: '2' }, val: value() } } });
      } else add(batchesB, { PutRequest: { Item: item } });
      if (i % 1000 === 2) {
        differ++; // added in B
        add(batchesB, {
          PutRequest: { Item: { pk, sk: { B: sortKeyOf(`new/${k}`) }, ver: { N: '1' }, val: value(), seq: { N: String(seq++) } } },
        });
      }
    }
  }
  const queue = [...batchesA.map((x) => [a, x] as const), ...batchesB.map((x) => [b, x] as const)];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      let pending: WriteRequest[] = [...next[1]];
      while (pending.length > 0) {
        // The engine may stall under load: retry a timed-out batch (its puts are idempotent).
        const out = await withRetries(
          () => client.send(new BatchWriteItemCommand({ RequestItems: { [next[0]]: pending } })),
          BULK_FILL_RETRY,
        );
        pending = out.UnprocessedItems?.[next[0]] ?? [];
      }
    }
  };
  for (let w = 0; w < 8; w++) writes.push(worker());
  await Promise.all(writes);
  return differ;
}
