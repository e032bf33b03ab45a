/**
 * The object tier over HTTP (docs/large-values.md): the real server, handlers and DynamoDbStore
 * on the primary engine, with the embedded object store behind the fault proxy
 * (test/support/s3.ts). Each guarantee of the protocol is shown for values above the threshold,
 * with the requests and objects it costs counted, never timed.
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LARGE_VALUES } from '../../lambda/contract.js';
import { sweepChunkSets } from '../../lambda/store/chunk-sweeper.js';
import { TableClient } from '../../lambda/store/table-client.js';
import type { DynamoDbRequestEvent } from '../../lambda/store/dynamodb-store.js';
import { userObjectPrefix } from '../../lambda/store/object-keys.js';
import { retentionMsOf } from '../../lambda/store/object-tier.js';
import { s3TransferTimeoutMs } from '../../lambda/store/s3-client-settings.js';
import type { S3RequestEvent } from '../../lambda/store/s3-object-store.js';
import { TABLE_LAYOUT } from '../../lambda/store/table-layout.js';
import type { LocalVss } from '../../local/app.js';
import { localClient } from '../../local/engines.js';
import { decodeError, kv, primaryEngine, startVssOn, TestClient, vss } from '../support/local-vss.js';
import { PATIENT_OBJECT_STORE, startTestObjectStore, type TestObjectStore } from '../support/s3.js';

const USER = 'unauth-user';
const THRESHOLD = LARGE_VALUES.defaultInlineMaxBytes;
const DAY_MS = 24 * 60 * 60 * 1000;
/** The sweeper's grace period (chunk-sweeper.ts). */
const GRACE_MS = 60 * 60 * 1000;

// Above the store: on one engine (what the store does on each is the contract suite's subject).
describe.each([primaryEngine()])('the object tier on $name', (engine) => {
  let s3: TestObjectStore;
  let server: LocalVss;
  let ddbEvents: DynamoDbRequestEvent[] = [];
  let s3Events: S3RequestEvent[] = [];
  let logs: string[] = [];
  const ddb = localClient(engine.endpoint);

  /**
   * The same server for the fault tests: the service's own object-store timeouts until a fault is
   * on, then a quarter of a second, and a retry budget of half a second (the service's is 3 s), so
   * a faulty store is given up on at once. That the service's own timeouts and budget give up on a
   * stalled store is s3-object-store.test.ts's subject; here it is what the protocol answers
   * meanwhile and after.
   */
  let strict: LocalVss;
  let faultOn = false;
  const FAULT_TIMEOUT_MS = 250;
  const FAULT_RETRY = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50, budgetMs: 500 } as const;

  beforeAll(async () => {
    s3 = await startTestObjectStore();
    const options = {
      s3Client: s3.client,
      s3Bucket: s3.bucket,
      sweepIntervalMs: 0,
      store: { onRequest: (e: DynamoDbRequestEvent) => ddbEvents.push(e) },
      log: (line: string) => logs.push(line),
    };
    server = await startVssOn(engine, {
      ...options,
      objectStoreOptions: { ...PATIENT_OBJECT_STORE, onRequest: (e) => s3Events.push(e) },
    });
    strict = await startVssOn(engine, {
      ...options,
      tableName: server.tableName,
      objectStoreOptions: {
        transferTimeoutMs: (bytes) => (faultOn ? FAULT_TIMEOUT_MS : s3TransferTimeoutMs(bytes)),
        retry: FAULT_RETRY,
        onRequest: (e) => s3Events.push(e),
      },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await strict?.stop();
    await s3?.stop();
  });
  afterEach(async () => {
    faultOn = false;
    await s3.fault('none');
  });

  function reset(): void {
    ddbEvents = [];
    s3Events = [];
    logs = [];
  }

  const client = (): TestClient => new TestClient(server.url, `store-${Math.random()}`);
  const strictClient = (): TestClient => new TestClient(strict.url, `store-${Math.random()}`);

  async function userObjects(): Promise<string[]> {
    const keys: string[] = [];
    let next: string | undefined;
    do {
      const page = await s3.objectStore().list(userObjectPrefix(USER), next);
      keys.push(...page.objects.map((o) => o.key));
      next = page.next;
    } while (next);
    return keys.sort();
  }

  async function tableItems(): Promise<Record<string, import('@aws-sdk/client-dynamodb').AttributeValue>[]> {
    const out = await ddb.send(new ScanCommand({ TableName: server.tableName, ConsistentRead: true }));
    return out.Items ?? [];
  }

  async function objectKeyOf(c: TestClient, key: string): Promise<string | undefined> {
    for (const item of await tableItems()) {
      const pk = item[TABLE_LAYOUT.partitionKey.name]!.S!;
      const sk = Buffer.from(item[TABLE_LAYOUT.sortKey.name]!.B!).toString('utf8');
      if (pk.endsWith(`:${c.storeId}`) && sk === key) return item[TABLE_LAYOUT.attributes.largeValue]?.M?.['k']?.S;
    }
    return undefined;
  }

  it('reads back exactly the bytes written, inline below the threshold and as one object above it', async () => {
    const c = client();
    // Head item of the inline value: pk, sk, ver, seq and val; kept well inside the threshold.
    const sizes = [0, 1, THRESHOLD - 200, THRESHOLD + 1, 1024 * 1024, 4 * 1024 * 1024];
    const values = sizes.map((n) => randomBytes(n));
    for (const [i, value] of values.entries()) {
      reset();
      expect((await c.put([kv(`k${i}`, 0, value)])).status).toBe(200);
      const puts = s3Events.filter((e) => e.command === 'PutObject');
      expect(puts.length, `S3 PUTs for ${value.length} bytes`).toBe(value.length > THRESHOLD ? 1 : 0);
      expectValue(await c.getValue(`k${i}`), 1n, value);
    }
  });

  it('a value below the threshold costs one DynamoDB request per operation and no S3 request', async () => {
    const c = client();
    const value = randomBytes(THRESHOLD - 500);
    const cost = async (op: () => Promise<{ status: number }>): Promise<[number, number]> => {
      reset();
      expect((await op()).status).toBe(200);
      return [ddbEvents.length, s3Events.length];
    };
    expect(await cost(() => c.put([kv('small', 0, value)]))).toEqual([1, 0]);
    expect(await cost(() => c.put([kv('small', 1, value)]))).toEqual([1, 0]);
    expect(await cost(() => c.get('small'))).toEqual([1, 0]);
    expect(await cost(() => c.list())).toEqual([1, 0]);
    expect(await cost(() => c.delete('small', 2))).toEqual([1, 0]);
  });

  it('no table item is larger than the threshold plus its key and a small fixed overhead', async () => {
    const c = client();
    const longKey = 'k'.repeat(1000);
    expect((await c.put([kv(longKey, 0, randomBytes(3 * THRESHOLD)), kv('b', 0, randomBytes(THRESHOLD - 300))])).status).toBe(200);
    for (const item of await tableItems()) {
      const bytes = Object.entries(item).reduce((n, [name, v]) => n + name.length + attributeBytes(v), 0);
      expect(bytes).toBeLessThanOrEqual(THRESHOLD + 1024 + 300);
    }
  });

  it('a multi-key put of large and small values is atomic: a conflict shows none of it and keeps no object', async () => {
    const c = client();
    expect((await c.put([kv('a', 0, randomBytes(100_000)), kv('b', 0, 'small')])).status).toBe(200);
    const before = await userObjects();
    const next = [kv('a', 1, randomBytes(200_000)), kv('b', 1, randomBytes(300_000)), kv('c', 0, randomBytes(150_000))];
    // b's version is stale: nothing of this put may appear.
    const r = await c.put([next[0]!, kv('b', 7, randomBytes(300_000)), next[2]!]);
    expect(r.status).toBe(409);
    expect((await c.getValue('a')) as { version: bigint }).toMatchObject({ version: 1n });
    expect(await c.getValue('b')).toEqual({ version: 1n, value: Buffer.from('small') });
    expect(await c.getValue('c')).toBe(404);
    expect(await userObjects()).toEqual(before);
    // The same put with the right versions lands whole.
    expect((await c.put(next)).status).toBe(200);
    for (const w of next) expectValue(await c.getValue(w.key!), BigInt(Number(w.version) + 1), w.value as Uint8Array);
  });

  it('concurrent unconditional puts of large values on one key all answer 200, and the last value is whole', async () => {
    const c = client();
    const values = Array.from({ length: 16 }, () => randomBytes(150_000));
    const statuses = await Promise.all(values.map((v) => c.put([kv('scorer', -1, v)]).then((r) => r.status)));
    expect(statuses).toEqual(values.map(() => 200));
    const last = (await c.getValue('scorer')) as { value: Buffer };
    expect(values.some((v) => v.equals(last.value))).toBe(true);
  });

  it('a read after an acknowledged write returns that write, every time', async () => {
    const c = client();
    for (let i = 0; i < 12; i++) {
      const value = randomBytes(THRESHOLD + 1000 * i);
      expect((await c.put([kv('monitor', -1, value)])).status).toBe(200);
      expect(((await c.getValue('monitor')) as { value: Buffer }).value.equals(value)).toBe(true);
    }
  });

  it('answers 500 and logs it when an object holds other bytes than its head says, never the wrong bytes', async () => {
    const c = client();
    expect((await c.put([kv('graph', 0, randomBytes(500_000))])).status).toBe(200);
    const key = (await objectKeyOf(c, 'graph'))!;
    expect(key).toMatch(/^values\/[0-9a-f]{64}\/[0-9a-f]{32}$/);
    const stored = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    const bytes = Buffer.from(await stored.Body!.transformToByteArray());
    bytes[1234] = bytes[1234]! ^ 0xff;
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: bytes }));
    reset();
    const r = await c.get('graph');
    expect(r.status).toBe(500);
    expect(decodeError(r).errorCode).toBe(vss.ErrorCode.INTERNAL_SERVER_EXCEPTION);
    expect(logs.join('\n')).toMatch(
      /ValueIntegrityError: value object values\/.* holds 500000 bytes with SHA-256 [0-9a-f]{64}; its head says/,
    );
    // A truncated object is refused the same way.
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: bytes.subarray(0, 1000) }));
    expect((await c.get('graph')).status).toBe(500);
  });

  describe('lifecycle', () => {
    it('keeps replaced and deleted objects for the retention period, then the sweeper deletes them and only them', async () => {
      const c = client();
      expect((await c.put([kv('v', 0, randomBytes(100_000)), kv('gone', 0, randomBytes(100_000))])).status).toBe(200);
      const first = await objectKeyOf(c, 'v');
      const deleted = await objectKeyOf(c, 'gone');
      expect((await c.put([kv('v', 1, randomBytes(120_000))])).status).toBe(200);
      expect((await c.delete('gone', 1)).status).toBe(200);
      const live = await objectKeyOf(c, 'v');
      const objects = await userObjects();
      expect(objects).toEqual(expect.arrayContaining([first, deleted, live]));
      const sweep = (atMs: number) =>
        sweepChunkSets(new TableClient({ client: ddb, tableName: server.tableName }), { objects: s3.objectStore(), nowMs: atMs });
      // A day before the retention ends (after the grace): nothing is deleted.
      expect((await sweep(Date.now() + retentionMsOf() - DAY_MS)).objectsRemoved).toBe(0);
      expect(await userObjects()).toEqual(expect.arrayContaining([first, deleted, live]));
      const done = await sweep(Date.now() + retentionMsOf() + GRACE_MS + 60_000);
      expect(done.objectsRemoved).toBeGreaterThanOrEqual(2);
      const after = await userObjects();
      expect(after).toContain(live);
      expect(after).not.toContain(first);
      expect(after).not.toContain(deleted);
      expect(((await c.getValue('v')) as { value: Buffer }).value.length).toBe(120_000);
    });

    it('removes the object of a write that conflicted at once', async () => {
      const c = client();
      expect((await c.put([kv('x', 0, randomBytes(90_000))])).status).toBe(200);
      const before = await userObjects();
      reset();
      // Passes the pre-read (version 1 exists) only if it races; here it fails there, before any S3 PUT.
      expect((await c.put([kv('x', 5, randomBytes(90_000))])).status).toBe(409);
      expect(s3Events.filter((e) => e.command === 'PutObject')).toEqual([]);
      expect(await userObjects()).toEqual(before);
    });
  });

  describe('faults of the object store', () => {
    for (const fault of ['down', 'error500', 'stall'] as const) {
      it(`S3 ${fault}: large values answer a protocol 500, nothing half-written shows, small values still work, and it recovers`, async () => {
        const c = strictClient();
        const v1 = randomBytes(200_000);
        expect((await c.put([kv('big', 0, v1)])).status).toBe(200);
        await s3.fault(fault);
        faultOn = true;
        const put = await c.put([kv('big', 1, randomBytes(200_000)), kv('small', 0, 'x')]);
        expect(put.status).toBe(500);
        expect(put.protocolVersion).toBe('0');
        expect(decodeError(put).errorCode).toBe(vss.ErrorCode.INTERNAL_SERVER_EXCEPTION);
        expect((await c.get('big')).status).toBe(500);
        // The table still answers for values that live in it.
        expect((await c.put([kv('other', 0, 'inline')])).status).toBe(200);
        expect(await c.getValue('small')).toBe(404);
        await s3.fault('none');
        faultOn = false;
        expectValue(await c.getValue('big'), 1n, v1);
        const v2 = randomBytes(300_000);
        expect((await c.put([kv('big', 1, v2)])).status).toBe(200);
        expectValue(await c.getValue('big'), 2n, v2);
      });
    }
  });
});

/** Compares bytes with Buffer.equals: a deep equality over megabytes takes minutes. */
function expectValue(got: { version: bigint; value: Buffer } | number, version: bigint, value: Uint8Array): void {
  expect(typeof got === 'number' ? got : got.version).toBe(version);
  expect(typeof got !== 'number' && got.value.length === value.length && got.value.equals(value)).toBe(true);
}

/** DynamoDB's item size rules: names plus values (numbers counted at their upper bound). */
function attributeBytes(v: import('@aws-sdk/client-dynamodb').AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S, 'utf8');
  if (v.B !== undefined) return v.B.length;
  if (v.N !== undefined) return 21;
  if (v.BOOL !== undefined) return 1;
  if (v.M !== undefined) return 3 + Object.entries(v.M).reduce((n, [name, x]) => n + name.length + 1 + attributeBytes(x), 0);
  return 0;
}
