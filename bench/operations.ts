/**
 * What each VSS operation costs in DynamoDB: requests (by API) and capacity units, for a small
 * (2 KB) and a maximum-size value, with latency interleaved round by round with a baseline (a raw
 * SDK GetItem/PutItem of an item of the same size on the same engine and client), and the cost per
 * million operations of an LDK Node-like mix computed from the measured units.
 *
 * Capacity comes from ReturnConsumedCapacity. Dynoxide (the default) counts as AWS's rules do,
 * except that it does not double the LSI write inside a transaction (AWS would add 1 WCU per
 * transactional item). DynamoDB Local under-counts multi-item transactions, so its figures are
 * printed only as "DynamoDB Local's own count", never as AWS's. Failed conditional requests are
 * counted as requests; engines report no capacity for them (AWS charges the item's write units).
 *
 *   npx tsx bench/operations.ts [dynoxide|dynamodb-local]      (BENCH_ROUNDS, default 15)
 */
import { GetItemCommand, PutItemCommand, type ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { toLong } from '../lambda/core/codec.js';
import { vss } from '../lambda/core/generated/vss.js';
import { MAX_REQUEST_BODY_BYTES } from '../lambda/core/limits.js';
import { VssProtocol } from '../lambda/core/service.js';
import { DynamoDbStore, type DynamoDbRequestEvent } from '../lambda/store/dynamodb-store.js';
import { localClient, startEngine, type EngineName } from '../local/engines.js';
import { ensureTable } from '../local/table.js';
import { ARM64_LAMBDA, DYNAMODB_ON_DEMAND, REST_API_PER_MILLION, FUNCTION_MEMORY_MB } from './prices.js';
import { fmt, interleave, type Summary } from './stats.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
const engineName = (process.argv[2] ?? 'dynoxide') as EngineName;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 15);
const capacitySource =
  engineName === 'dynoxide' ? 'Dynoxide, counting as AWS does' : "DynamoDB Local's own count (NOT AWS's: it under-counts transactions)";

const engine = await startEngine(engineName);
const client = localClient(engine.endpoint);
const tableName = 'bench';
await ensureTable(client, tableName);

let events: DynamoDbRequestEvent[] = [];
const store = new DynamoDbStore({ client, tableName, onRequest: (e) => events.push(e) });
const service = new VssProtocol(store);
const user = 'bench-user';
const L = (n: number) => toLong(BigInt(n));

const KEY = 'k'.repeat(144); // LDK Node's schema key length
const maxValue = (() => {
  const size = (n: number) =>
    vss.PutObjectRequest.encode({ storeId: 'wallet', transactionItems: [{ key: KEY, version: L(-1), value: new Uint8Array(n) }] }).finish()
      .length;
  let n = MAX_REQUEST_BODY_BYTES - size(0);
  while (size(n) > MAX_REQUEST_BODY_BYTES) n--;
  return n;
})();

interface Row {
  readonly op: string;
  readonly operation: 'getObject' | 'putObjects' | 'deleteObject' | 'listKeyVersions';
  readonly requests: string;
  readonly rcu: number;
  readonly wcu: number;
  readonly ms: Summary;
  readonly baselineMs: Summary;
}

const READS = new Set(['GetItem', 'BatchGetItem', 'Query']);

/** Engines report only CapacityUnits for TOTAL: reads and writes are told apart by the API. */
function capacity(evs: readonly DynamoDbRequestEvent[]): { rcu: number; wcu: number } {
  let rcu = 0;
  let wcu = 0;
  for (const e of evs) {
    const units = e.consumedCapacity.reduce((sum, c: ConsumedCapacity) => sum + (c.CapacityUnits ?? 0), 0);
    if (READS.has(e.command)) rcu += units;
    else wcu += units;
  }
  return { rcu, wcu };
}

async function measure(
  op: string,
  operation: Row['operation'],
  run: () => Promise<unknown>,
  baseline: () => Promise<unknown>,
): Promise<Row> {
  // One counted call, then the timed rounds: operation and baseline alternate within each round.
  events = [];
  await run();
  const counted = events;
  const byCommand = new Map<string, number>();
  for (const e of counted) {
    const name = e.failed ? `${e.command} (condition failed)` : e.command;
    byCommand.set(name, (byCommand.get(name) ?? 0) + 1);
  }
  const { rcu, wcu } = capacity(counted);
  const t = await interleave(ROUNDS, { op: run, baseline });
  return {
    op,
    operation,
    requests: [...byCommand].map(([c, n]) => `${n}×${c}`).join(' + '),
    rcu,
    wcu,
    ms: t['op']!,
    baselineMs: t['baseline']!,
  };
}

const rawPut = (bytes: number) => () =>
  client.send(
    new PutItemCommand({
      TableName: tableName,
      Item: { pk: { S: 'baseline' }, sk: { B: Buffer.from('b') }, val: { B: randomBytes(Math.min(bytes, 390_000)) } },
    }),
  );
const rawGet = () =>
  client.send(
    new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'baseline' }, sk: { B: Buffer.from('b') } }, ConsistentRead: true }),
  );
const put = (key: string, version: number, value: Uint8Array) =>
  service.handle(
    'putObjects',
    vss.PutObjectRequest.encode({ storeId: 'wallet', transactionItems: [{ key, version: L(version), value }] }).finish(),
    user,
  );

const rows: Row[] = [];
for (const [label, size] of [
  ['2 KB', 2048],
  [`max ${maxValue} B`, maxValue],
] as const) {
  const value = randomBytes(size);
  const key = `${KEY}-${size}`;
  await put(key, -1, value);
  rows.push(await measure(`PutObjects v=-1 overwrite (${label})`, 'putObjects', () => put(key, -1, value), rawPut(size)));
  // LDK Node's puts name the version they replace.
  let version = 0;
  const cas = `cas-${size}`;
  await put(cas, 0, value);
  rows.push(await measure(`PutObjects v=current overwrite (${label})`, 'putObjects', () => put(cas, ++version, value), rawPut(size)));
  rows.push(await measure(`PutObjects v=stale, rejected 409 (${label})`, 'putObjects', () => put(cas, 0, value), rawGet));
  let n = 0;
  rows.push(await measure(`PutObjects v=0 new key (${label})`, 'putObjects', () => put(`new-${label}-${n++}`, 0, value), rawPut(size)));
  rows.push(
    await measure(
      `GetObject (${label})`,
      'getObject',
      () => service.handle('getObject', vss.GetObjectRequest.encode({ storeId: 'wallet', key }).finish(), user),
      rawGet,
    ),
  );
  // Keys to delete are created beforehand, outside the measured calls.
  for (let i = 0; i <= ROUNDS + 5; i++) await put(`del-${label}-${i}`, -1, value);
  let d = 0;
  const deleteNext = () =>
    service.handle(
      'deleteObject',
      vss.DeleteObjectRequest.encode({ storeId: 'wallet', keyValue: { key: `del-${label}-${d++}`, version: L(-1) } }).finish(),
      user,
    );
  rows.push(await measure(`DeleteObject (${label})`, 'deleteObject', deleteNext, rawGet));
}
// Two small keys in one atomic put, and a listing page.
const two = vss.PutObjectRequest.encode({
  storeId: 'wallet',
  transactionItems: [
    { key: 'a', version: L(-1), value: randomBytes(2048) },
    { key: 'b', version: L(-1), value: randomBytes(2048) },
  ],
}).finish();
rows.push(
  await measure('PutObjects 2 keys, 2 KB each (transaction)', 'putObjects', () => service.handle('putObjects', two, user), rawPut(4096)),
);
for (let i = 0; i < 100; i++) await put(`list-${i}`, -1, randomBytes(64));
rows.push(
  await measure(
    'ListKeyVersions first page (100 keys)',
    'listKeyVersions',
    () => service.handle('listKeyVersions', vss.ListKeyVersionsRequest.encode({ storeId: 'wallet' }).finish(), user),
    rawGet,
  ),
);

console.log(
  `VSS operation costs on ${engineName}; capacity: ${capacitySource}. ms: median (range) of ${ROUNDS} rounds interleaved with the baseline (raw SDK GetItem, or PutItem of the same size capped at 390 KB)`,
);
console.log(
  'operation'.padEnd(48),
  'DynamoDB requests'.padEnd(76),
  'RCU'.padStart(7),
  'WCU'.padStart(7),
  '  ms'.padEnd(22),
  'baseline ms'.padEnd(20),
  'ratio',
);
for (const r of rows) {
  console.log(
    r.op.padEnd(48),
    r.requests.padEnd(76),
    r.rcu.toFixed(1).padStart(7),
    r.wcu.toFixed(1).padStart(7),
    `  ${fmt(r.ms).padEnd(20)}`,
    fmt(r.baselineMs).padEnd(20),
    (r.ms.median / r.baselineMs.median).toFixed(2),
  );
}

/**
 * An LDK Node-like mix (an assumption, stated here so it can be changed): mostly version-named
 * puts of small records (channel monitor updates, manager and scorer persistence), reads and
 * listings when the wallet starts, the odd removal, and now and then a value at the size limit.
 */
const MIX: ReadonlyArray<[string, number]> = [
  ['PutObjects v=current overwrite (2 KB)', 0.6],
  ['GetObject (2 KB)', 0.2],
  ['ListKeyVersions first page (100 keys)', 0.1],
  ['DeleteObject (2 KB)', 0.05],
  ['PutObjects 2 keys, 2 KB each (transaction)', 0.04],
  [`PutObjects v=current overwrite (max ${maxValue} B)`, 0.01],
];
let rcu = 0;
let wcu = 0;
let gbSeconds = 0;
for (const [op, share] of MIX) {
  const r = rows.find((x) => x.op === op)!;
  rcu += share * r.rcu;
  wcu += share * r.wcu;
  // Billed duration approximated by the measured handler time on the local engine (AWS latency differs).
  gbSeconds += share * (Math.ceil(r.ms.median) / 1000) * (FUNCTION_MEMORY_MB[r.operation] / 1024);
}
const perMillion = {
  dynamodb: rcu * DYNAMODB_ON_DEMAND.perMillionReadUnits + wcu * DYNAMODB_ON_DEMAND.perMillionWriteUnits,
  lambda: ARM64_LAMBDA.perMillionRequests + gbSeconds * 1e6 * ARM64_LAMBDA.perGbSecond,
  apiGateway: REST_API_PER_MILLION,
};
const total = perMillion.dynamodb + perMillion.lambda + perMillion.apiGateway;
console.log('');
console.log(`Cost per million operations of an LDK Node-like mix (${MIX.map(([o, s]) => `${Math.round(s * 100)}% ${o}`).join(', ')}):`);
console.log(`  units per operation (${capacitySource}): ${rcu.toFixed(2)} RCU, ${wcu.toFixed(2)} WCU`);
console.log(
  `  DynamoDB on-demand $${perMillion.dynamodb.toFixed(2)} + Lambda arm64 $${perMillion.lambda.toFixed(2)} (duration from local handler times) + API Gateway REST $${perMillion.apiGateway.toFixed(2)} = $${total.toFixed(2)} per million operations (us-east-1 list prices, bench/prices.ts)`,
);
client.destroy();
await engine.stop();
