/**
 * What the provider features (docs/provider.md) cost per VSS operation: DynamoDB requests by API
 * and capacity units, for each configuration, against the same operations with every feature
 * off, measured in the same run with rounds interleaved (median and range of the latency ratio).
 * Then the time, requests and capacity units to erase a user with 10,000 keys.
 *
 * Dynoxide counts capacity as AWS does; DynamoDB Local under-counts transactions.
 *   npx tsx bench/provider.ts [dynoxide|dynamodb-local]
 */
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import Long from 'long';
import { eraseUser } from '../cli/admin/erase-user.js';
import { vss } from '../lambda/core/generated/vss.js';
import { VssProtocol, type Operation } from '../lambda/core/service.js';
import { withProvider, type ProviderSettings } from '../lambda/provider/provider.js';
import { DynamoDbStore } from '../lambda/store/dynamodb-store.js';
import { localClient, startEngine, type EngineName } from '../local/engines.js';
import { ensureTable } from '../local/table.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
const engineName = (process.argv[2] ?? 'dynoxide') as EngineName;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 15);
const ERASE_KEYS = Number(process.env['BENCH_ERASE_KEYS'] ?? 10_000);

const engine = await startEngine(engineName);
const client = localClient(engine.endpoint);
const tableName = 'bench';
await ensureTable(client, tableName);
const L = (n: number): Long => Long.fromNumber(n);
const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan']);

interface Seen {
  command: string;
  units: number;
  failed: boolean;
}
let seen: Seen[] = [];
const note = (command: string, cc: readonly ConsumedCapacity[], failed: boolean): void => {
  seen.push({ command, units: cc.reduce((s, c) => s + (c.CapacityUnits ?? 0), 0), failed });
};

const CONFIGS: Record<string, ProviderSettings> = {
  off: {},
  metering: { usageMetering: true },
  'metering+quota': { quota: { maxKeys: 1_000_000, maxBytes: 10_000_000_000 } },
  'rate limit': { rateLimit: { perSecond: 1_000_000 } },
  'quota+rate limit': { quota: { maxKeys: 1_000_000, maxBytes: 10_000_000_000 }, rateLimit: { perSecond: 1_000_000 } },
};

type Runner = (op: Operation, body: Uint8Array, user: string) => Promise<number>;
const runners: Record<string, Runner> = {};
for (const [name, settings] of Object.entries(CONFIGS)) {
  const store = new DynamoDbStore({ client, tableName, onRequest: (e) => note(e.command, e.consumedCapacity, e.failed) });
  const wired = withProvider(store, settings, { client, tableName, onRequest: (e) => note(e.command, e.consumedCapacity, e.failed) });
  const service = new VssProtocol(wired.store);
  runners[name] = async (op, body, user) => {
    if (wired.admit) await wired.admit(user);
    return (await service.handle(op, body, user)).status;
  };
}

const KEY = 'k'.repeat(144); // LDK Node's key length
const value = randomBytes(2048);
const put = (key: string, version: number, storeId = 'wallet') =>
  vss.PutObjectRequest.encode({ storeId, transactionItems: [{ key, version: L(version), value }] }).finish();
const OPS: Array<{
  name: string;
  op: Operation;
  body: (user: string, i: number) => Uint8Array;
  setup?: (run: Runner, user: string, i: number) => Promise<unknown>;
}> = [
  {
    name: 'PutObjects 2 KB overwrite (v=-1)',
    op: 'putObjects',
    body: () => put(KEY, -1),
    setup: (run, user) => run('putObjects', put(KEY, -1), user),
  },
  { name: 'PutObjects 2 KB new key (v=0)', op: 'putObjects', body: (_u, i) => put(`new-${i}`, 0) },
  {
    name: 'PutObjects 2 keys x 2 KB (transaction)',
    op: 'putObjects',
    body: () =>
      vss.PutObjectRequest.encode({
        storeId: 'wallet',
        transactionItems: [
          { key: 'a', version: L(-1), value },
          { key: 'b', version: L(-1), value },
        ],
      }).finish(),
  },
  { name: 'GetObject 2 KB', op: 'getObject', body: () => vss.GetObjectRequest.encode({ storeId: 'wallet', key: KEY }).finish() },
  {
    name: 'DeleteObject 2 KB',
    op: 'deleteObject',
    body: (_u, i) => vss.DeleteObjectRequest.encode({ storeId: 'wallet', keyValue: { key: `del-${i}`, version: L(-1) } }).finish(),
    setup: (run, user, i) => run('putObjects', put(`del-${i}`, -1), user),
  },
  {
    name: 'ListKeyVersions first page',
    op: 'listKeyVersions',
    body: () => vss.ListKeyVersionsRequest.encode({ storeId: 'wallet' }).finish(),
  },
];

function summarize(list: readonly Seen[]): { requests: string; rcu: number; wcu: number } {
  const by = new Map<string, number>();
  let rcu = 0;
  let wcu = 0;
  for (const s of list) {
    const name = s.failed ? `${s.command} (failed)` : s.command;
    by.set(name, (by.get(name) ?? 0) + 1);
    if (READS.has(s.command)) rcu += s.units;
    else wcu += s.units;
  }
  return { requests: [...by].map(([c, n]) => `${n}×${c}`).join(' + '), rcu, wcu };
}

console.log(
  `Provider feature costs on ${engineName}: steady state (stores registered), per operation; latency ratio to "off" over ${ROUNDS} interleaved rounds: median [min–max]`,
);
console.log(
  'operation'.padEnd(40),
  'config'.padEnd(18),
  'DynamoDB requests'.padEnd(70),
  'RCU'.padStart(6),
  'WCU'.padStart(6),
  'ratio'.padStart(18),
);
for (const spec of OPS) {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(CONFIGS).map((c) => [c, []]));
  const costs: Record<string, ReturnType<typeof summarize>> = {};
  let i = 0;
  // One user per configuration, warmed up so registration is not in the steady-state figures.
  for (const c of Object.keys(CONFIGS)) await runners[c]!('putObjects', put('warm', -1), `bench-${c}`);
  for (let round = 0; round <= ROUNDS; round++) {
    for (const c of Object.keys(CONFIGS)) {
      const user = `bench-${c}`;
      const n = i++;
      await spec.setup?.(runners[c]!, user, n);
      seen = [];
      const t0 = performance.now();
      const status = await runners[c]!(spec.op, spec.body(user, n), user);
      const ms = performance.now() - t0;
      if (status !== 200) throw new Error(`${spec.name} on ${c}: status ${status}`);
      if (round === 0) costs[c] = summarize(seen);
      else samples[c]!.push(ms);
    }
  }
  for (const c of Object.keys(CONFIGS)) {
    const ratios = samples[c]!.map((ms, k) => ms / samples['off']![k]!).sort((a, b) => a - b);
    const med = ratios[Math.floor(ratios.length / 2)]!;
    const r = costs[c]!;
    console.log(
      spec.name.padEnd(40),
      c.padEnd(18),
      r.requests.padEnd(70),
      r.rcu.toFixed(1).padStart(6),
      r.wcu.toFixed(1).padStart(6),
      `${med.toFixed(2)} [${ratios[0]!.toFixed(2)}–${ratios[ratios.length - 1]!.toFixed(2)}]`.padStart(18),
    );
  }
}

// First write of a store on a fresh instance: registration included.
{
  const wired = withProvider(
    new DynamoDbStore({ client, tableName, onRequest: (e) => note(e.command, e.consumedCapacity, e.failed) }),
    CONFIGS['metering+quota']!,
    {
      client,
      tableName,
      onRequest: (e) => note(e.command, e.consumedCapacity, e.failed),
    },
  );
  seen = [];
  await new VssProtocol(wired.store).handle('putObjects', put(KEY, -1, 'fresh-store'), 'bench-fresh');
  const r = summarize(seen);
  console.log(
    'first write of a store per instance'.padEnd(40),
    'metering+quota'.padEnd(18),
    r.requests.padEnd(70),
    r.rcu.toFixed(1).padStart(6),
    r.wcu.toFixed(1).padStart(6),
  );
}

// Erasing a user with ERASE_KEYS keys (1 KB values) in two stores, next to another user's data.
{
  const wired = withProvider(new DynamoDbStore({ client, tableName }), { usageMetering: true }, { client, tableName });
  const service = new VssProtocol(wired.store);
  const small = randomBytes(1024);
  const body = (storeId: string, from: number) =>
    vss.PutObjectRequest.encode({
      storeId,
      transactionItems: Array.from({ length: 100 }, (_, k) => ({ key: `key-${from + k}`, version: L(-1), value: small })),
    }).finish();
  for (let from = 0; from < ERASE_KEYS; from += 100) {
    const storeId = from < ERASE_KEYS / 2 ? 'wallet-a' : 'wallet-b';
    const status = (await service.handle('putObjects', body(storeId, from), 'erase-me')).status;
    if (status !== 200) throw new Error(`fill: ${status}`);
  }
  await service.handle('putObjects', body('wallet-a', 0), 'keep-me');
  const t0 = performance.now();
  const result = await eraseUser({ client, tableName, userToken: 'erase-me', apply: true });
  const ms = performance.now() - t0;
  const records = result.stores.reduce((n, s) => n + s.records, 0);
  console.log(
    `\nerase-user with ${records} records in ${result.stores.length} stores (1 KB values): ${(ms / 1000).toFixed(1)} s, ${result.requests} DynamoDB requests, ${result.readUnits.toFixed(1)} RCU + ${result.writeUnits.toFixed(1)} WCU`,
  );
}

client.destroy();
await engine.stop();
