/**
 * Values of any size the platform carries (docs/protocol.md §7.8), on every engine: over HTTP through the
 * local server and through the Lambda event path with base64 bodies. Values above the threshold
 * live in the object tier (docs/large-values.md). After each scenario the table itself is
 * inspected: every object record belongs to the current value or is retired (kept for the
 * retention period), and nothing of a failed write is left. Chunk sets, the large values of the
 * previous release, still read back, go when replaced, and are swept (the upgrade keeps data).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes, randomUUID } from 'node:crypto';
import { QueryCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ErrorCode } from '../../lambda/core/errors.js';
import { MAX_REQUEST_BODY_BYTES } from '../../lambda/core/limits.js';
import { createApiGatewayHandler } from '../../lambda/handlers/api-gateway.js';
import { composeRequestPath } from '../../lambda/request-path/compose.js';
import { sweepChunkSets } from '../../lambda/store/chunk-sweeper.js';
import { CHUNK_BYTES, newLargeRef, stageChunkSet } from '../../lambda/store/large-values.js';
import { valueRefAttribute } from '../../lambda/store/value-placement.js';
import { ObjectTier, objectPlacement, retentionMsOf } from '../../lambda/store/object-tier.js';
import { LARGE_VALUES } from '../../lambda/contract.js';
import { TableClient } from '../../lambda/store/table-client.js';
import { S3ObjectStore } from '../../lambda/store/s3-object-store.js';
import { partitionKeyOf, sortKeyOf } from '../../lambda/store/keys.js';
import { UNAUTHENTICATED_USER } from '../../local/auth.js';
import type { LocalVss } from '../../local/app.js';
import { PATIENT_OBJECT_STORE } from '../support/s3.js';
import { decodeError, engines, kv, L, startVssOn, TestClient, vss, type HttpResult } from '../support/local-vss.js';

const KB = 1024;

/** The largest value a single-item PutObjects can carry for this store and key. */
function largestValueFor(storeId: string, key: string): number {
  const size = (n: number): number =>
    vss.PutObjectRequest.encode({ storeId, transactionItems: [{ key, version: L(-1), value: new Uint8Array(n) }] }).finish().length;
  let n = MAX_REQUEST_BODY_BYTES - size(0);
  while (size(n) > MAX_REQUEST_BODY_BYTES) n--;
  while (size(n + 1) <= MAX_REQUEST_BODY_BYTES) n++;
  return n;
}

/** Byte comparison of a stored record; vitest's deep equality walks large buffers element by element. */
async function expectRecord(c: TestClient, key: string, version: bigint, value: Buffer): Promise<void> {
  const got = await c.getValue(key);
  if (typeof got === 'number') throw new Error(`expected ${key} to exist, got ${got}`);
  expect(got.version).toBe(version);
  expect(got.value.length).toBe(value.length);
  expect(got.value.equals(value)).toBe(true);
}

function expectOk(r: HttpResult): void {
  if (r.status !== 200) throw new Error(`expected 200, got ${r.status}: ${JSON.stringify(decodeError(r))}`);
  expect(r.protocolVersion).toBe('0');
}

interface PartitionCensus {
  readonly heads: number;
  readonly chunks: number;
  readonly chunkSets: number;
  readonly chunkBytes: number;
  /** Object records not retired: the current values' objects (and writes in flight). */
  readonly objects: number;
  /** Object records of replaced or deleted values, kept for the retention period. */
  readonly retired: number;
}

/** Everything stored in one (user, store) partition, by kind. */
async function census(
  client: DynamoDBClient,
  tableName: string,
  storeId: string,
  userToken = UNAUTHENTICATED_USER,
): Promise<PartitionCensus> {
  let heads = 0;
  let chunks = 0;
  let chunkSets = 0;
  let chunkBytes = 0;
  let objects = 0;
  let retired = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: partitionKeyOf({ userToken, storeId }) } },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const first = item['sk']!.B![0]!;
      if (first === 0xfe) {
        chunks++;
        chunkBytes += item['val']!.B!.length;
      } else if (first === 0xfd) {
        if (item['gcN']!.N !== '0') chunkSets++;
        else if (item['gcDel'] !== undefined) retired++;
        else objects++;
      } else heads++;
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return { heads, chunks, chunkSets, chunkBytes, objects, retired };
}

const chunksFor = (bytes: number): number => Math.ceil(bytes / CHUNK_BYTES);
const EMPTY = { heads: 0, chunks: 0, chunkSets: 0, chunkBytes: 0, objects: 0, retired: 0 };

describe.each(engines())('large values on $name', (engine) => {
  let app: LocalVss;
  const newClient = (): TestClient => new TestClient(app.url, `store-${randomUUID()}`);
  const tableCensus = (c: TestClient): Promise<PartitionCensus> => census(app.client, app.tableName, c.storeId);

  beforeAll(async () => {
    app = await startVssOn(engine, { objectStoreOptions: PATIENT_OBJECT_STORE });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('stores and reads back byte for byte values of 0 B, 1 B, 399 KB, 401 KB, 1 MB and the maximum', async () => {
    const c = newClient();
    const max = largestValueFor(c.storeId, 'k-max');
    const sizes: Array<[string, number]> = [
      ['k-0', 0],
      ['k-1', 1],
      ['k-399', 399 * KB],
      ['k-401', 401 * KB],
      ['k-1m', 1024 * KB],
      ['k-max', max],
    ];
    for (const [key, size] of sizes) {
      const value = randomBytes(size);
      expectOk(await c.put([kv(key, 0, value)]));
      const got = await c.getValue(key);
      expect(got).not.toBe(404);
      expect((got as { value: Buffer }).value.equals(value)).toBe(true);
      expect((got as { version: bigint }).version).toBe(1n);
    }
    // 399 KB and up are above the threshold: one object each, no chunks.
    expect(await tableCensus(c)).toEqual({ ...EMPTY, heads: sizes.length, objects: 4 });
  });

  it('rejects the maximum + 1 with 413 INVALID_REQUEST_EXCEPTION and stores nothing', async () => {
    const c = newClient();
    const max = largestValueFor(c.storeId, 'k');
    const r = await c.put([kv('k', -1, Buffer.alloc(max + 1))]);
    expect(r.status).toBe(413);
    expect(r.protocolVersion).toBe('0');
    expect(decodeError(r).errorCode).toBe(ErrorCode.INVALID_REQUEST_EXCEPTION);
    expect(decodeError(r).message).toMatch(new RegExp(`${MAX_REQUEST_BODY_BYTES} bytes`));
    expect(await c.getValue('k')).toBe(404);
    expect(await tableCensus(c)).toEqual(EMPTY);
  });

  it('20 concurrent unconditional puts of 500 KB values on one key: every one answers 200, the last value is whole, the 19 replaced are retired', async () => {
    const c = newClient();
    const values = Array.from({ length: 20 }, (_, i) => {
      const v = randomBytes(500 * KB);
      v.writeUInt32BE(i, 0);
      return v;
    });
    const results = await Promise.all(values.map((v) => c.put([kv('hot', -1, v)])));
    expect(results.map((r) => r.status)).toEqual(values.map(() => 200));
    const got = await c.getValue('hot');
    if (typeof got === 'number') throw new Error(`expected the key to exist, got ${got}`);
    const winner = values[got.value.readUInt32BE(0)]!;
    expect(got.value.equals(winner)).toBe(true);
    // Every replaced object was learnt from its commit and retired: only the current value's is not.
    expect(await tableCensus(c)).toEqual({ ...EMPTY, heads: 1, objects: 1, retired: 19 });
  }, 120_000);

  it('overwrites large → small → large, retiring each replaced object', async () => {
    const c = newClient();
    const big1 = randomBytes(900 * KB);
    const small = randomBytes(10);
    const big2 = randomBytes(1500 * KB);
    expectOk(await c.put([kv('k', 0, big1)]));
    expect(await tableCensus(c)).toEqual({ ...EMPTY, heads: 1, objects: 1 });
    expectOk(await c.put([kv('k', 1, small)]));
    await expectRecord(c, 'k', 2n, small);
    expect(await tableCensus(c)).toEqual({ ...EMPTY, heads: 1, retired: 1 });
    expectOk(await c.put([kv('k', 2, big2)]));
    await expectRecord(c, 'k', 3n, big2);
    expectOk(await c.put([kv('k', -1, big1)]));
    await expectRecord(c, 'k', 1n, big1);
    expect(await tableCensus(c)).toEqual({ ...EMPTY, heads: 1, objects: 1, retired: 2 });
  });

  it('deletes a large value, by DeleteObject and by delete_items, retiring its object', async () => {
    const c = newClient();
    expectOk(await c.put([kv('a', 0, randomBytes(700 * KB)), kv('b', 0, randomBytes(700 * KB))]));
    expectOk(await c.delete('a', 1));
    expect(await c.getValue('a')).toBe(404);
    expectOk(await c.put([], { deletes: [kv('b', -1)] }));
    expect(await c.getValue('b')).toBe(404);
    expect(await tableCensus(c)).toEqual({ ...EMPTY, retired: 2 });
  });

  it('DeleteObject with a wrong version leaves a large value intact', async () => {
    const c = newClient();
    const value = randomBytes(600 * KB);
    expectOk(await c.put([kv('k', 0, value)]));
    expectOk(await c.delete('k', 9));
    await expectRecord(c, 'k', 1n, value);
  });

  it('a conditional update that conflicts leaves the large value intact and no leftovers of the failed write', async () => {
    const c = newClient();
    const value = randomBytes(800 * KB);
    expectOk(await c.put([kv('k', 0, value)]));
    const r = await c.put([kv('k', 5, randomBytes(1200 * KB))]);
    expect(r.status).toBe(409);
    expect(decodeError(r).errorCode).toBe(ErrorCode.CONFLICT_EXCEPTION);
    const r0 = await c.put([kv('k', 0, randomBytes(1200 * KB))]);
    expect(r0.status).toBe(409);
    await expectRecord(c, 'k', 1n, value);
    expect(await tableCensus(c)).toEqual({ ...EMPTY, heads: 1, objects: 1 });
  });

  it('concurrent compare-and-set writers on one large key: exactly one wins per round and the value stays whole', async () => {
    const c = newClient();
    expectOk(await c.put([kv('k', 0, randomBytes(500 * KB))]));
    for (let version = 1; version <= 3; version++) {
      const values = Array.from({ length: 4 }, () => randomBytes(450 * KB + version * 1000));
      const results = await Promise.all(values.map((v) => c.put([kv('k', version, v)])));
      const winners = results.map((r, i) => (r.status === 200 ? i : -1)).filter((i) => i >= 0);
      expect(winners).toHaveLength(1);
      for (const r of results) if (r.status !== 200) expect(decodeError(r).errorCode).toBe(ErrorCode.CONFLICT_EXCEPTION);
      await expectRecord(c, 'k', BigInt(version + 1), values[winners[0]!]!);
    }
    // The losers' objects went with their conflicts; each winner retired the value before it.
    expect(await tableCensus(c)).toEqual({ ...EMPTY, heads: 1, objects: 1, retired: 3 });
  });

  it('concurrent unconditional writers of large and small values leave exactly one whole value', async () => {
    const c = newClient();
    const values = [randomBytes(10), randomBytes(700 * KB), randomBytes(5), randomBytes(900 * KB), randomBytes(450 * KB), randomBytes(20)];
    const results = await Promise.all(values.map((v) => c.put([kv('k', -1, v)])));
    for (const r of results) expectOk(r);
    const got = (await c.getValue('k')) as { version: bigint; value: Buffer };
    expect(got.version).toBe(1n);
    expect(values.some((v) => v.equals(got.value))).toBe(true);
    const t = await tableCensus(c);
    expect(t.heads).toBe(1);
    expect(t.objects).toBe(got.value.length > 400 * KB ? 1 : 0);
    expect(t.objects + t.retired).toBe(3);
  });

  it('a multi-item put mixing large and small values is atomic', async () => {
    const c = newClient();
    const big = randomBytes(1100 * KB);
    expectOk(await c.put([kv('small-1', 0, 'a'), kv('big', 0, big), kv('small-2', 0, 'b')], { globalVersion: 0 }));
    await expectRecord(c, 'big', 1n, big);
    // A conflict on a small item must not publish the large one.
    const r = await c.put([kv('big2', 0, randomBytes(1100 * KB)), kv('small-1', 0, 'dup')]);
    expect(r.status).toBe(409);
    expect(await c.getValue('big2')).toBe(404);
    expect(await tableCensus(c)).toMatchObject({ chunkSets: 0, objects: 1, retired: 0 });
  });

  it('stores eleven 390 KB values in one atomic put although they exceed the 4 MB a transaction carries', async () => {
    const c = newClient();
    const values = Array.from({ length: 11 }, () => randomBytes(390 * KB));
    expectOk(await c.put(values.map((v, i) => kv(`v${i}`, 0, v))));
    for (let i = 0; i < 11; i++) await expectRecord(c, `v${i}`, 1n, values[i]!);
    expect((await c.listAll()).keys).toEqual(Array.from({ length: 11 }, (_, i) => `v${10 - i}`));
  });

  it('lists large values as their key and version only, in creation order', async () => {
    const c = newClient();
    expectOk(await c.put([kv('first', 0, randomBytes(500 * KB))]));
    expectOk(await c.put([kv('second', -1, 'x')]));
    expectOk(await c.put([kv('first', 1, randomBytes(600 * KB))]));
    const r = await c.list();
    const page = vss.ListKeyVersionsResponse.decode(r.body);
    expect(page.keyVersions.map((k) => [k.key, Number(k.version), k.value!.length])).toEqual([
      ['second', 1, 0],
      ['first', 2, 0],
    ]);
    expect(r.body.length).toBeLessThan(200);
  });

  describe('crash recovery', () => {
    const table = () => new TableClient({ client: app.client, tableName: app.tableName });
    const objects = () => new S3ObjectStore({ client: app.s3Client, bucket: app.objectStore.bucket });
    const sweep = (nowMs: number) => sweepChunkSets(table(), { nowMs, objects: objects() });

    it('an object staged by a write that crashed before its commit: untouched in the grace period, retired after it, deleted when the retention ends', async () => {
      const c = newClient();
      const live = randomBytes(700 * KB);
      expectOk(await c.put([kv('live', 0, live)]));
      const pk = partitionKeyOf({ userToken: UNAUTHENTICATED_USER, storeId: c.storeId });
      const stagedAt = Date.now();
      // The write crashed after staging: its record and object exist, its head was never written.
      const staged = await new ObjectTier(table(), objects()).stage({
        pk,
        headSk: sortKeyOf('crashed'),
        value: randomBytes(300 * KB),
        nowMs: stagedAt,
      });
      const crashed = { key: staged.fields['k']!.S! };
      expect(await tableCensus(c)).toEqual({ ...EMPTY, heads: 1, objects: 2 });
      expect(await c.getValue('crashed')).toBe(404);

      // Within the grace period nothing is touched (a write may still be in flight).
      await sweep(stagedAt + 30 * 60 * 1000);
      expect(await tableCensus(c)).toEqual({ ...EMPTY, heads: 1, objects: 2 });
      // After it, the crashed write might have committed and been replaced: kept for the retention period.
      await sweep(stagedAt + 2 * 60 * 60 * 1000);
      expect(await tableCensus(c)).toEqual({ ...EMPTY, heads: 1, objects: 1, retired: 1 });
      expect(await objects().get(crashed.key)).toBeDefined();
      await sweep(stagedAt + retentionMsOf() + 4 * 60 * 60 * 1000);
      expect(await tableCensus(c)).toEqual({ ...EMPTY, heads: 1, objects: 1 });
      expect(await objects().get(crashed.key)).toBeUndefined();
      await expectRecord(c, 'live', 1n, live);
    });
  });

  describe('upgrade: chunk sets written by the previous release', () => {
    const table = () => new TableClient({ client: app.client, tableName: app.tableName });

    /** Writes a value the way the previous release did: chunk set record, chunks, then the head pointing at them. */
    async function writeAsPreviousRelease(c: TestClient, key: string, value: Buffer, commit = true): Promise<void> {
      const pk = partitionKeyOf({ userToken: UNAUTHENTICATED_USER, storeId: c.storeId });
      const ref = newLargeRef(value.length);
      await stageChunkSet(table(), pk, sortKeyOf(key), ref, value, Date.now() - 2 * 60 * 60 * 1000);
      if (!commit) return;
      await app.client.send(
        new UpdateItemCommand({
          TableName: app.tableName,
          Key: { pk: { S: pk }, sk: { B: sortKeyOf(key) } },
          UpdateExpression: 'SET #ver = :ver, #lv = :lv, #seq = :seq',
          ExpressionAttributeNames: { '#ver': 'ver', '#lv': 'lv', '#seq': 'seq' },
          ExpressionAttributeValues: {
            ':ver': { N: '1' },
            ':lv': valueRefAttribute({ tier: 'chunks', id: ref.id, bytes: ref.bytes, fields: { n: { N: String(ref.chunks) } } }),
            ':seq': { N: String(Date.now() * 1000) },
          },
        }),
      );
    }

    it('reads them back byte for byte, lists them, and removes the chunks when the value is replaced or deleted', async () => {
      const c = newClient();
      const a = randomBytes(1000 * KB);
      const b = randomBytes(600 * KB);
      await writeAsPreviousRelease(c, 'a', a);
      await writeAsPreviousRelease(c, 'b', b);
      await expectRecord(c, 'a', 1n, a);
      await expectRecord(c, 'b', 1n, b);
      expect((await c.listAll()).keys.sort()).toEqual(['a', 'b']);
      expect(await tableCensus(c)).toMatchObject({ chunkSets: 2, chunks: chunksFor(1000 * KB) + chunksFor(600 * KB) });
      // Replaced by a value in the object tier, and deleted: their chunks go at once (they are table items).
      const a2 = randomBytes(800 * KB);
      expectOk(await c.put([kv('a', 1, a2)]));
      expectOk(await c.delete('b', 1));
      await expectRecord(c, 'a', 2n, a2);
      expect(await tableCensus(c)).toEqual({ ...EMPTY, heads: 1, objects: 1 });
    });

    it('the sweeper removes a chunk set whose write crashed before its commit, and keeps the live ones', async () => {
      const c = newClient();
      const live = randomBytes(700 * KB);
      await writeAsPreviousRelease(c, 'live', live);
      await writeAsPreviousRelease(c, 'crashed', randomBytes(900 * KB), false);
      expect((await tableCensus(c)).chunkSets).toBe(2);
      // Within the grace period nothing is touched.
      await sweepChunkSets(table(), { graceMs: 24 * 60 * 60 * 1000 });
      expect((await tableCensus(c)).chunkSets).toBe(2);
      await sweepChunkSets(table(), { graceMs: 60 * 60 * 1000 });
      expect(await tableCensus(c)).toEqual({ ...EMPTY, heads: 1, chunks: chunksFor(700 * KB), chunkSets: 1, chunkBytes: 700 * KB });
      await expectRecord(c, 'live', 1n, live);
    });
  });

  describe('through the Lambda event path with base64 bodies', () => {
    const handlerFor = () => {
      const deps = composeRequestPath({
        client: app.client,
        tableName: app.tableName,
        auth: { mode: 'authorizer-context' },
        store: {
          inlineMaxBytes: LARGE_VALUES.defaultInlineMaxBytes,
          placement: objectPlacement(new S3ObjectStore({ client: app.s3Client, bucket: app.objectStore.bucket })),
        },
      });
      return { put: createApiGatewayHandler('putObjects', deps), get: createApiGatewayHandler('getObject', deps) };
    };
    const event = (body: Uint8Array): APIGatewayProxyEvent =>
      ({
        httpMethod: 'POST',
        body: Buffer.from(body).toString('base64'),
        isBase64Encoded: true,
        requestContext: { authorizer: { userToken: 'lambda-user' } },
      }) as unknown as APIGatewayProxyEvent;

    it('round-trips the maximum value and answers the maximum + 1 with a protobuf 413', async () => {
      const h = handlerFor();
      const storeId = `store-${randomUUID()}`;
      const max = largestValueFor(storeId, 'k');
      const value = randomBytes(max);
      const body = vss.PutObjectRequest.encode({ storeId, transactionItems: [kv('k', -1, value)] }).finish();
      expect(body.length).toBe(MAX_REQUEST_BODY_BYTES);
      const ok = await h.put(event(body));
      expect(ok.statusCode).toBe(200);
      const got = await h.get(event(vss.GetObjectRequest.encode({ storeId, key: 'k' }).finish()));
      expect(got.statusCode).toBe(200);
      // The response still fits Lambda's 6 MB response payload.
      expect(JSON.stringify(got).length).toBeLessThan(6_291_456);
      expect(Buffer.from(vss.GetObjectResponse.decode(Buffer.from(got.body, 'base64')).value!.value!).equals(value)).toBe(true);

      const over = vss.PutObjectRequest.encode({ storeId, transactionItems: [kv('k2', -1, randomBytes(max + 1))] }).finish();
      const tooLarge = await h.put(event(over));
      expect(tooLarge.statusCode).toBe(413);
      expect(tooLarge.headers?.['vss-protocol-version']).toBe('0');
      expect(vss.ErrorResponse.decode(Buffer.from(tooLarge.body, 'base64')).errorCode).toBe(ErrorCode.INVALID_REQUEST_EXCEPTION);
      expect(await census(app.client, app.tableName, storeId, 'lambda-user')).toEqual({ ...EMPTY, heads: 1, objects: 1 });
    });
  });
});
