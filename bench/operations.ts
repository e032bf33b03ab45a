/**
 * What each VSS operation costs in DynamoDB: requests (by API) and capacity units, for a small
 * (2 KB) and a maximum-size value, plus latency as a ratio to a baseline measured in the same run
 * (a raw SDK GetItem/PutItem of an item of the same size on the same engine and client).
 *
 * Capacity comes from ReturnConsumedCapacity on the local engine. DynamoDB Local matches AWS's
 * rules for single writes, GetItem and LSI Queries with Select; for transactions it reports the
 * LSI write doubled as AWS would (../shared/dynamodb-engines.md). Usage:
 *   npx tsx bench/operations.ts [dynamodb-local|dynoxide]
 */
import { GetItemCommand, PutItemCommand, type ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { MAX_REQUEST_BODY_BYTES } from '../lambda/core/limits.js';
import { VssService } from '../lambda/core/service.js';
import { vss } from '../lambda/core/generated/vss.js';
import { DynamoDbStore, type DynamoDbRequestEvent } from '../lambda/store/dynamodb-store.js';
import { localClient, startEngine, type EngineName } from '../local/engines.js';
import { ensureTable } from '../local/table.js';
import Long from 'long';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
const engineName = (process.argv[2] ?? 'dynamodb-local') as EngineName;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 15);

const engine = await startEngine(engineName);
const client = localClient(engine.endpoint);
const tableName = 'bench';
await ensureTable(client, tableName);

let events: DynamoDbRequestEvent[] = [];
const store = new DynamoDbStore({ client, tableName, onRequest: (e) => events.push(e) });
const service = new VssService(store);
const user = 'bench-user';
const L = (n: number): Long => Long.fromNumber(n);

const KEY = 'k'.repeat(144); // LDK Node's schema key length
const maxValue = (() => {
  const size = (n: number) => vss.PutObjectRequest.encode({ storeId: 'wallet', transactionItems: [{ key: KEY, version: L(-1), value: new Uint8Array(n) }] }).finish().length;
  let n = MAX_REQUEST_BODY_BYTES - size(0);
  while (size(n) > MAX_REQUEST_BODY_BYTES) n--;
  return n;
})();

interface Row {
  readonly op: string;
  readonly requests: string;
  readonly rcu: number;
  readonly wcu: number;
  readonly ms: number;
  readonly baselineMs: number;
}

const READS = new Set(['GetItem', 'BatchGetItem', 'Query']);

/** Engines report only CapacityUnits for TOTAL: reads and writes are told apart by the API. */
function capacity(events: readonly DynamoDbRequestEvent[]): { rcu: number; wcu: number } {
  let rcu = 0;
  let wcu = 0;
  for (const e of events) {
    const units = e.consumedCapacity.reduce((sum, c: ConsumedCapacity) => sum + (c.CapacityUnits ?? 0), 0);
    if (READS.has(e.command)) rcu += units;
    else wcu += units;
  }
  return { rcu, wcu };
}

async function measure(op: string, run: () => Promise<unknown>, baseline: () => Promise<unknown>): Promise<Row> {
  events = [];
  await run();
  const counted = events;
  const byCommand = new Map<string, number>();
  for (const e of counted) {
    const name = e.failed ? `${e.command} (condition failed)` : e.command;
    byCommand.set(name, (byCommand.get(name) ?? 0) + 1);
  }
  const { rcu, wcu } = capacity(counted);
  const time = async (fn: () => Promise<unknown>): Promise<number> => {
    const samples: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      await fn();
      samples.push(performance.now() - t0);
    }
    return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
  };
  // Interleave so machine noise hits both alike.
  const ms = await time(run);
  const baselineMs = await time(baseline);
  return { op, requests: [...byCommand].map(([c, n]) => `${n}×${c}`).join(' + '), rcu, wcu, ms, baselineMs };
}

const rawPut = (bytes: number) => () =>
  client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'baseline' }, sk: { B: Buffer.from('b') }, val: { B: randomBytes(Math.min(bytes, 390_000)) } } }));
const rawGet = () => client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'baseline' }, sk: { B: Buffer.from('b') } }, ConsistentRead: true }));

const rows: Row[] = [];
for (const [label, size] of [['2 KB', 2048], [`max ${maxValue} B`, maxValue]] as const) {
  const value = randomBytes(size);
  const putBody = (version: number, key = KEY) => vss.PutObjectRequest.encode({ storeId: 'wallet', transactionItems: [{ key, version: L(version), value }] }).finish();
  await service.handle('putObjects', putBody(-1), user);
  rows.push(await measure(`PutObjects v=-1 overwrite (${label})`, () => service.handle('putObjects', putBody(-1), user), rawPut(size)));
  let n = 0;
  rows.push(await measure(`PutObjects v=0 new key (${label})`, () => service.handle('putObjects', putBody(0, `new-${label}-${n++}`), user), rawPut(size)));
  rows.push(await measure(`GetObject (${label})`, () => service.handle('getObject', vss.GetObjectRequest.encode({ storeId: 'wallet', key: KEY }).finish(), user), rawGet));
  // Keys to delete are created beforehand, outside the measured calls.
  for (let i = 0; i <= ROUNDS; i++) await service.handle('putObjects', putBody(-1, `del-${label}-${i}`), user);
  let d = 0;
  const deleteNext = () =>
    service.handle('deleteObject', vss.DeleteObjectRequest.encode({ storeId: 'wallet', keyValue: { key: `del-${label}-${d++}`, version: L(-1) } }).finish(), user);
  rows.push(await measure(`DeleteObject (${label})`, deleteNext, rawGet));
}
// Two small keys in one atomic put, and a listing page.
const two = vss.PutObjectRequest.encode({ storeId: 'wallet', transactionItems: [{ key: 'a', version: L(-1), value: randomBytes(2048) }, { key: 'b', version: L(-1), value: randomBytes(2048) }] }).finish();
rows.push(await measure('PutObjects 2 keys, 2 KB each (transaction)', () => service.handle('putObjects', two, user), rawPut(4096)));
rows.push(await measure('ListKeyVersions first page (100 keys)', () => service.handle('listKeyVersions', vss.ListKeyVersionsRequest.encode({ storeId: 'wallet' }).finish(), user), rawGet));

console.log(`VSS operation costs on ${engineName} (median of ${ROUNDS}; ratio = operation / raw SDK GetItem or PutItem of the same size, capped at 390 KB; failed conditional requests are counted, their capacity is not reported by the engine)`);
console.log('operation'.padEnd(50), 'DynamoDB requests'.padEnd(80), 'RCU'.padStart(7), 'WCU'.padStart(7), 'ms'.padStart(7), 'ratio'.padStart(6));
for (const r of rows) {
  console.log(r.op.padEnd(50), r.requests.padEnd(80), r.rcu.toFixed(1).padStart(7), r.wcu.toFixed(1).padStart(7), r.ms.toFixed(1).padStart(7), (r.ms / r.baselineMs).toFixed(2).padStart(6));
}
client.destroy();
await engine.stop();
