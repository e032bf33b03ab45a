/**
 * Fault injection for chunk sets, the large values of the previous release (docs/large-values.md,
 * lambda/store/large-values.ts, lambda/store/chunk-sweeper.ts), with aws-sdk-client-mock against
 * the real DynamoDbStore and VssProtocol. New large values go to the object tier
 * (object-tier-faults.test.ts); chunk sets already in a table must still read back, be removed
 * when their value is replaced or deleted, and be swept: the exact requests each of those sends,
 * what a fault leaves behind, and which protocol answer it becomes. No engine and no network.
 *
 * The waits between batch rounds, like every retry wait of the store, go through its injected
 * retryDeps (a virtual clock here), so nothing in this file sleeps.
 */
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBServiceException,
  GetItemCommand,
  InternalServerError,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type BatchGetItemCommandInput,
  type BatchWriteItemCommandInput,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bodyBytes, vss } from '../../lambda/core/codec.js';
import { ErrorCode, INTERNAL_ERROR_MESSAGE } from '../../lambda/core/errors.js';
import { VssProtocol, type Operation, type VssResponse } from '../../lambda/core/service.js';
import { sweepChunkSets } from '../../lambda/store/chunk-sweeper.js';
import { TableClient } from '../../lambda/store/table-client.js';
import type { DynamoDbStore } from '../../lambda/store/dynamodb-store.js';
import { sortKeyOf } from '../../lambda/store/keys.js';
import { CHUNK_BYTES, chunkSetSortKey, chunkSortKey } from '../../lambda/store/large-values.js';
import { client, conditionFailed, ddb, L, meta, PK, STORE, storeWithVirtualClock, TABLE, USER } from '../support/dynamodb-mock.js';

/** readChunkSet / writeBatchFully give up after this many batch rounds (large-values.ts). */
const MAX_BATCH_ROUNDS = 8;
/** GetObject re-reads a head whose chunks vanished at most this often (dynamodb-store.ts). */
const MAX_LARGE_READ_ROUNDS = 4;
/** Three chunks: 400,000 + 400,000 + 200,001 bytes. */
const LARGE_BYTES = 2 * CHUNK_BYTES + 200_001;

let sleeps: number[];
let cleanupFailures: unknown[];
let store: DynamoDbStore;
let service: VssProtocol;

function makeStore(): DynamoDbStore {
  return storeWithVirtualClock(sleeps, { onCleanupFailure: (e) => cleanupFailures.push(e) });
}

/** Every command answers an empty success unless a test says otherwise. */
function defaults(): void {
  ddb.on(PutItemCommand).resolves({});
  ddb.on(BatchWriteItemCommand).resolves({});
  ddb.on(UpdateItemCommand).resolves({});
  ddb.on(DeleteItemCommand).resolves({});
  ddb.on(TransactWriteItemsCommand).resolves({});
  ddb.on(GetItemCommand).resolves({});
}

/** The read before staging (a conditioned large put) finds every head at this version, so the write goes ahead. */
function headsAtVersion(version: number): void {
  ddb.on(GetItemCommand).resolves({ Item: { ver: { N: String(version) } } });
}

beforeEach(() => {
  ddb.reset();
  sleeps = [];
  cleanupFailures = [];
  store = makeStore();
  service = new VssProtocol(store);
  defaults();
});

afterEach(() => {
  vi.restoreAllMocks();
});

// ---- helpers ------------------------------------------------------------------------------------

const serverError = (): InternalServerError =>
  new InternalServerError({ message: 'Internal server error', $metadata: { ...meta, httpStatusCode: 500 } });
const validation = (): DynamoDBServiceException =>
  new DynamoDBServiceException({
    name: 'ValidationException',
    $fault: 'client',
    $metadata: meta,
    message: 'One or more parameter values were invalid',
  });

const kv = (key: string, version: bigint | number, value: Uint8Array | string = ''): vss.KeyValue.$Properties => ({
  key,
  version: L(version),
  value: typeof value === 'string' ? Buffer.from(value) : value,
});
function putBody(items: vss.KeyValue.$Properties[], deletes: vss.KeyValue.$Properties[] = []): Uint8Array {
  return vss.PutObjectRequest.encode({ storeId: STORE, transactionItems: items, deleteItems: deletes }).finish();
}
const getBody = (key: string): Uint8Array => vss.GetObjectRequest.encode({ storeId: STORE, key }).finish();
const deleteBody = (key: string, version: bigint | number): Uint8Array =>
  vss.DeleteObjectRequest.encode({ storeId: STORE, keyValue: kv(key, version) }).finish();

function call(op: Operation, body: Uint8Array): Promise<VssResponse> {
  return service.handle(op, body, USER, () => undefined);
}
function expectOk(r: VssResponse): void {
  expect(r.status, r.status !== 200 ? JSON.stringify(vss.ErrorResponse.decode(bodyBytes(r.body))) : '').toBe(200);
}
function expectError(r: VssResponse, status: number, code: ErrorCode, message?: string): void {
  expect(r.status).toBe(status);
  const e = vss.ErrorResponse.decode(bodyBytes(r.body));
  expect(e.errorCode).toBe(code);
  if (message !== undefined) expect(e.message).toBe(message);
}
const expectInternal = (r: VssResponse): void => expectError(r, 500, ErrorCode.INTERNAL_SERVER_EXCEPTION, INTERNAL_ERROR_MESSAGE);

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const newId = (): Uint8Array => randomBytes(16);
/** A head item as DynamoDB returns it (ALL_OLD or GetItem) holding a large value. */
function largeHead(key: string, version: bigint | number, id: Uint8Array, n: number, len: number): Record<string, AttributeValue> {
  return {
    pk: { S: PK },
    sk: { B: sortKeyOf(key) },
    ver: { N: String(version) },
    seq: { N: '128000000' },
    lv: { M: { id: { B: id }, n: { N: String(n) }, len: { N: String(len) } } },
  };
}
function smallHead(key: string, version: bigint | number, value: string): Record<string, AttributeValue> {
  return { pk: { S: PK }, sk: { B: sortKeyOf(key) }, ver: { N: String(version) }, seq: { N: '128000000' }, val: { B: Buffer.from(value) } };
}
/** The chunk items of a value, as BatchGetItem returns them (projection sk, val). */
function chunkItems(id: Uint8Array, value: Uint8Array): Record<string, AttributeValue>[] {
  const n = Math.ceil(value.length / CHUNK_BYTES);
  return Array.from({ length: n }, (_, i) => ({
    sk: { B: chunkSortKey(id, i) },
    val: { B: value.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES) },
  }));
}
const chunkKey = (id: Uint8Array, i: number): Record<string, AttributeValue> => ({ pk: { S: PK }, sk: { B: chunkSortKey(id, i) } });
const chunkKeysHex = (id: Uint8Array, n: number): string[] => Array.from({ length: n }, (_, i) => hex(chunkSortKey(id, i)));

/** The commands sent so far, in order, by name (without "Command"). */
function sequence(): string[] {
  return ddb.calls().map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, ''));
}
const batchWrites = (): WriteRequest[][] => ddb.commandCalls(BatchWriteItemCommand).map((c) => c.args[0].input.RequestItems![TABLE]!);
/** Sort keys (hex) of every DeleteRequest sent, in order. */
const deletedChunkSks = (): string[] =>
  batchWrites().flatMap((b) => b.flatMap((r) => (r.DeleteRequest ? [hex(r.DeleteRequest.Key!['sk']!.B!)] : [])));
/** Sort keys (hex) of every DeleteItem sent. */
const deleteItemSks = (): string[] => ddb.commandCalls(DeleteItemCommand).map((c) => hex(c.args[0].input.Key!['sk']!.B!));
function clauses(expr: string | undefined): string[] {
  if (expr === undefined) return [];
  return expr.startsWith('(') ? expr.slice(1, -1).split(') AND (') : [expr];
}

// ---- 1. chunk writes: UnprocessedItems ----------------------------------------------------------

// ---- 2. chunk reads: UnprocessedKeys, order ----------------------------------------------------

describe('reading chunks: BatchGetItem UnprocessedKeys and order', () => {
  it('unprocessed keys are re-read (exactly those) and the value is reassembled byte for byte although chunks come back out of order', async () => {
    const id = newId();
    const value = randomBytes(LARGE_BYTES);
    const items = chunkItems(id, value);
    ddb.on(GetItemCommand).resolves({ Item: largeHead('k', 4, id, 3, LARGE_BYTES) });
    ddb
      .on(BatchGetItemCommand)
      .resolvesOnce({
        Responses: { [TABLE]: [items[2]!, items[0]!] },
        UnprocessedKeys: { [TABLE]: { Keys: [chunkKey(id, 1)], ConsistentRead: true } },
      })
      .resolvesOnce({ Responses: { [TABLE]: [items[1]!] } });
    const r = await call('getObject', getBody('k'));
    expectOk(r);
    const got = vss.GetObjectResponse.decode(bodyBytes(r.body)).value!;
    expect(String(got.version)).toBe('4');
    expect(got.value!.length).toBe(LARGE_BYTES);
    expect(Buffer.from(got.value!).equals(value)).toBe(true);

    const gets = ddb.commandCalls(BatchGetItemCommand).map((c) => c.args[0].input.RequestItems![TABLE]!);
    expect(gets).toHaveLength(2);
    expect(gets[0]!.Keys!.map((k) => hex(k['sk']!.B!))).toEqual(chunkKeysHex(id, 3));
    expect(gets[1]!.Keys!.map((k) => hex(k['sk']!.B!))).toEqual([hex(chunkSortKey(id, 1))]);
    for (const g of gets) expect(g.ConsistentRead).toBe(true);
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(1);
  });

  it('chunks returned in reverse order in one response are put back in chunk order', async () => {
    const id = newId();
    const value = randomBytes(LARGE_BYTES);
    ddb.on(GetItemCommand).resolves({ Item: largeHead('k', 2, id, 3, LARGE_BYTES) });
    ddb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: chunkItems(id, value).reverse() } });
    const got = await store.get({ userToken: USER, storeId: STORE }, 'k');
    expect(got!.version).toBe(2n);
    expect(Buffer.from(got!.value).equals(value)).toBe(true);
  });

  it('a chunk that does not fit its descriptor (short, duplicated, out of range) is a 500, never a value with unwritten bytes', async () => {
    const id = newId();
    const value = randomBytes(LARGE_BYTES);
    const good = chunkItems(id, value);
    const truncated = good.map((item, i) => (i === 1 ? { ...item, val: { B: item['val']!.B!.subarray(0, 10) } } : item));
    const duplicated = [good[0]!, good[0]!, good[2]!];
    const outOfRange = [...good.slice(0, 2), { ...good[2]!, sk: { B: chunkSortKey(id, 7) } }];
    for (const chunks of [truncated, duplicated, outOfRange]) {
      ddb.reset();
      defaults();
      ddb.on(GetItemCommand).resolves({ Item: largeHead('k', 2, id, 3, LARGE_BYTES) });
      ddb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: chunks } });
      expectInternal(await call('getObject', getBody('k')));
    }
  });

  it('persistent UnprocessedKeys ends in 500 after a bounded number of rounds', async () => {
    const id = newId();
    ddb.on(GetItemCommand).resolves({ Item: largeHead('k', 2, id, 3, LARGE_BYTES) });
    ddb
      .on(BatchGetItemCommand)
      .callsFake(async (input: BatchGetItemCommandInput) => ({ UnprocessedKeys: { [TABLE]: input.RequestItems![TABLE]! } }));
    expectInternal(await call('getObject', getBody('k')));
    expect(ddb.commandCalls(BatchGetItemCommand)).toHaveLength(MAX_BATCH_ROUNDS);
  });
});

// ---- 3. a chunk missing on read --------------------------------------------------------------------

describe('a chunk missing on read: the value was replaced meanwhile', () => {
  it('GetObject re-reads the head and returns the newer value', async () => {
    const oldId = newId();
    const newIdBytes = newId();
    const newValue = randomBytes(LARGE_BYTES);
    ddb
      .on(GetItemCommand)
      .resolvesOnce({ Item: largeHead('k', 5, oldId, 3, LARGE_BYTES) })
      .resolvesOnce({ Item: largeHead('k', 6, newIdBytes, 3, LARGE_BYTES) });
    ddb.on(BatchGetItemCommand).callsFake(async (input: BatchGetItemCommandInput) => {
      const keys = input.RequestItems![TABLE]!.Keys!;
      const id = keys[0]!['sk']!.B!.subarray(1, 17);
      // The old set is half deleted (its writer's cleanup is under way); the new one is whole.
      if (hex(id) === hex(oldId))
        return { Responses: { [TABLE]: [{ sk: { B: chunkSortKey(oldId, 0) }, val: { B: randomBytes(CHUNK_BYTES) } }] } };
      return { Responses: { [TABLE]: chunkItems(newIdBytes, newValue) } };
    });
    const r = await call('getObject', getBody('k'));
    expectOk(r);
    const got = vss.GetObjectResponse.decode(bodyBytes(r.body)).value!;
    expect(String(got.version)).toBe('6');
    expect(Buffer.from(got.value!).equals(newValue)).toBe(true);
    expect(sequence()).toEqual(['GetItem', 'BatchGetItem', 'GetItem', 'BatchGetItem']);
  });

  it('the re-read head may hold a small value now: it is returned', async () => {
    const oldId = newId();
    ddb
      .on(GetItemCommand)
      .resolvesOnce({ Item: largeHead('k', 5, oldId, 3, LARGE_BYTES) })
      .resolvesOnce({ Item: smallHead('k', 6, 'small now') });
    ddb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: [] } });
    const got = await store.get({ userToken: USER, storeId: STORE }, 'k');
    expect(got!.version).toBe(6n);
    expect(Buffer.from(got!.value).toString()).toBe('small now');
  });

  it('a head that keeps pointing at missing chunks ends in 500 after a bounded number of rounds (no endless loop)', async () => {
    const id = newId();
    ddb.on(GetItemCommand).resolves({ Item: largeHead('k', 5, id, 3, LARGE_BYTES) });
    ddb.on(BatchGetItemCommand).resolves({ Responses: { [TABLE]: chunkItems(id, randomBytes(LARGE_BYTES)).slice(0, 2) } });
    expectInternal(await call('getObject', getBody('k')));
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(MAX_LARGE_READ_ROUNDS);
    expect(ddb.commandCalls(BatchGetItemCommand)).toHaveLength(MAX_LARGE_READ_ROUNDS);
  });
});

// ---- 4./5. conflicts and ambiguous faults on the commit ---------------------------------------------

// ---- 6. overwriting a large value ----------------------------------------------------------------

describe('overwriting a large value: the commit returns (ALL_OLD) which chunk set it replaced', () => {
  it('an unconditional small put over a large value learns the old set from its one UpdateItem and removes it', async () => {
    const oldId = newId();
    ddb.on(UpdateItemCommand).resolves({ Attributes: largeHead('k', 8, oldId, 3, LARGE_BYTES) });
    expectOk(await call('putObjects', putBody([kv('k', -1, 'small')])));
    const updates = ddb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.ConditionExpression).toBeUndefined();
    expect(updates[0]!.UpdateExpression).toContain('REMOVE #lv');
    expect(deletedChunkSks()).toEqual(chunkKeysHex(oldId, 3));
    expect(deleteItemSks()).toEqual([hex(chunkSetSortKey(oldId))]);
    expect(ddb.commandCalls(PutItemCommand)).toHaveLength(0);
  });
});

// ---- 7. transactions -------------------------------------------------------------------------------

// ---- 8. cleanup failure ----------------------------------------------------------------------------

describe('removing replaced chunks is best effort', () => {
  it('a failing post-commit chunk delete does not fail the write (200), calls onCleanupFailure, and keeps the record (chunks first, record last)', async () => {
    const oldId = newId();
    headsAtVersion(3);
    ddb.on(UpdateItemCommand).resolves({ Attributes: largeHead('k', 3, oldId, 2, CHUNK_BYTES + 1) });
    const failure = validation();
    ddb.on(BatchWriteItemCommand).callsFake(async (input: BatchWriteItemCommandInput) => {
      if (input.RequestItems![TABLE]!.some((r) => r.DeleteRequest)) throw failure;
      return {};
    });
    expectOk(await call('putObjects', putBody([kv('k', 3, 'small')])));
    expect(cleanupFailures).toEqual([failure]);
    // The record of the old set must outlive its chunks: the sweeper finds the chunks through it.
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(0);
  });

  it('a failing record delete after the chunks are gone does not fail the write either', async () => {
    const oldId = newId();
    ddb.on(UpdateItemCommand).resolves({ Attributes: largeHead('k', 3, oldId, 2, CHUNK_BYTES + 1) });
    ddb.on(DeleteItemCommand).rejects(serverError());
    expectOk(await call('putObjects', putBody([kv('k', 3, 'small')])));
    expect(deletedChunkSks()).toEqual(chunkKeysHex(oldId, 2));
    expect(cleanupFailures).toHaveLength(1);
  });
});

// ---- 9. DeleteObject on a large value ----------------------------------------------------------------

describe('DeleteObject on a large value', () => {
  it('a wrong version stays 200 and deletes nothing (no chunk or record deletes)', async () => {
    ddb.on(DeleteItemCommand).rejects(conditionFailed(largeHead('k', 9, newId(), 3, LARGE_BYTES)));
    expectOk(await call('deleteObject', deleteBody('k', 3)));
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(1);
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(0);
  });

  it('the right version deletes the head in one DeleteItem that returns it (ALL_OLD), then exactly its chunks, then its record', async () => {
    const oldId = newId();
    ddb
      .on(DeleteItemCommand)
      .resolvesOnce({ Attributes: largeHead('k', 3, oldId, 3, LARGE_BYTES) })
      .resolves({});
    expectOk(await call('deleteObject', deleteBody('k', 3)));
    const dels = ddb.commandCalls(DeleteItemCommand).map((c) => c.args[0].input);
    expect(clauses(dels[0]!.ConditionExpression)).toEqual(['#ver = :expected']);
    expect(dels[0]!.ReturnValues).toBe('ALL_OLD');
    expect(deletedChunkSks()).toEqual(chunkKeysHex(oldId, 3));
    expect(deleteItemSks()).toEqual([hex(sortKeyOf('k')), hex(chunkSetSortKey(oldId))]);
    expect(sequence()).toEqual(['DeleteItem', 'BatchWriteItem', 'DeleteItem']);
  });
});

// ---- 10. the sweeper ---------------------------------------------------------------------------------

describe('sweepChunkSets', () => {
  // No retries here: a fault reaches the caller at once (the retry policy is tested on its own).
  const sweeperTable = (): TableClient =>
    new TableClient({ client, tableName: TABLE, retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, budgetMs: 0 } });
  const NOW = 10_000_000_000;
  const GRACE = 3_600_000;
  const RECHECK = 7 * 24 * 3_600_000;
  const record = (key: string, id: Uint8Array, n: number): Record<string, AttributeValue> => ({
    pk: { S: PK },
    sk: { B: chunkSetSortKey(id) },
    gcHead: { B: sortKeyOf(key) },
    gcN: { N: String(n) },
    gcShard: { S: '0' },
    gcAt: { N: String(NOW - GRACE - 1) },
  });

  it('keeps a record whose head points at it (gcAt pushed to now + recheck) and removes one whose head does not, chunks first, then the record', async () => {
    const liveId = newId();
    const deadId = newId();
    ddb.on(QueryCommand).callsFake(async (input) => ({
      Items: input.ExpressionAttributeValues[':shard'].S === '0' ? [record('live', liveId, 3), record('dead', deadId, 2)] : [],
    }));
    ddb.on(GetItemCommand).callsFake(async (input) => {
      const key = Buffer.from(input.Key.sk.B).toString();
      return { Item: key === 'live' ? largeHead('live', 1, liveId, 3, LARGE_BYTES) : largeHead('dead', 2, newId(), 3, LARGE_BYTES) };
    });
    const result = await sweepChunkSets(sweeperTable(), { nowMs: NOW, graceMs: GRACE, recheckMs: RECHECK });
    expect(result).toMatchObject({ examined: 2, live: 1, removed: 1, chunksRemoved: 2 });

    const updates = ddb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
    expect(updates).toHaveLength(1);
    expect(hex(updates[0]!.Key!['sk']!.B!)).toBe(hex(chunkSetSortKey(liveId)));
    expect(updates[0]!.UpdateExpression).toBe('SET #at = :at');
    expect(updates[0]!.ExpressionAttributeNames!['#at']).toBe('gcAt');
    expect(updates[0]!.ExpressionAttributeValues![':at']).toEqual({ N: String(NOW + RECHECK) });

    expect(deletedChunkSks()).toEqual(chunkKeysHex(deadId, 2));
    expect(deleteItemSks()).toEqual([hex(chunkSetSortKey(deadId))]);
    const seq = sequence();
    expect(seq.indexOf('BatchWriteItem')).toBeLessThan(seq.indexOf('DeleteItem'));
    // Nothing of the live set is touched.
    expect(deletedChunkSks().some((sk) => sk.includes(hex(liveId)))).toBe(false);
  });

  it('a record whose head is gone is removed', async () => {
    const id = newId();
    ddb.on(QueryCommand).callsFake(async (input) => ({
      Items: input.ExpressionAttributeValues[':shard'].S === '2' ? [{ ...record('gone', id, 1), gcShard: { S: '2' } }] : [],
    }));
    ddb.on(GetItemCommand).resolves({});
    expect(await sweepChunkSets(sweeperTable(), { nowMs: NOW })).toMatchObject({ examined: 1, live: 0, removed: 1, chunksRemoved: 1 });
    expect(deletedChunkSks()).toEqual(chunkKeysHex(id, 1));
    expect(deleteItemSks()).toEqual([hex(chunkSetSortKey(id))]);
  });

  it('reads records only from the byGc index, every shard, with gcAt < now − grace', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    await sweepChunkSets(sweeperTable(), { nowMs: NOW, graceMs: GRACE });
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries.map((q) => q.ExpressionAttributeValues![':shard'])).toEqual([{ S: '0' }, { S: '1' }, { S: '2' }, { S: '3' }]);
    for (const q of queries) {
      expect(q.TableName).toBe(TABLE);
      expect(q.IndexName).toBe('byGc');
      expect(q.KeyConditionExpression).toBe('#shard = :shard AND #at < :cutoff');
      expect(q.ExpressionAttributeNames).toEqual({ '#shard': 'gcShard', '#at': 'gcAt' });
      expect(q.ExpressionAttributeValues![':cutoff']).toEqual({ N: String(NOW - GRACE) });
      expect(q.FilterExpression).toBeUndefined();
    }
    expect(sequence().every((c) => c === 'Query')).toBe(true);
  });

  it('the default grace is one hour', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    await sweepChunkSets(sweeperTable(), { nowMs: NOW });
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input.ExpressionAttributeValues![':cutoff']).toEqual({ N: String(NOW - 3_600_000) });
  });

  it('follows LastEvaluatedKey within a shard', async () => {
    const id = newId();
    const lek = { gcShard: { S: '0' }, gcAt: { N: '5' }, pk: { S: PK }, sk: { B: chunkSetSortKey(id) } };
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [record('x', id, 1)], LastEvaluatedKey: lek })
      .resolves({ Items: [] });
    ddb.on(GetItemCommand).resolves({});
    await sweepChunkSets(sweeperTable(), { nowMs: NOW });
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries[1]!.ExpressionAttributeValues![':shard']).toEqual({ S: '0' });
    expect(queries[1]!.ExclusiveStartKey).toEqual(lek);
  });

  it('a DynamoDB error on the Query propagates (the scheduled run fails loudly)', async () => {
    ddb.on(QueryCommand).rejects(serverError());
    await expect(sweepChunkSets(sweeperTable(), { nowMs: NOW })).rejects.toMatchObject({ cause: { name: 'InternalServerError' } });
  });

  it('a DynamoDB error reading the head propagates and nothing is deleted', async () => {
    ddb.on(QueryCommand).resolves({ Items: [record('k', newId(), 2)] });
    ddb.on(GetItemCommand).rejects(serverError());
    await expect(sweepChunkSets(sweeperTable(), { nowMs: NOW })).rejects.toMatchObject({ cause: { name: 'InternalServerError' } });
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(0);
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(0);
  });

  it('a failing chunk delete propagates and the record is kept (the next run retries)', async () => {
    ddb.on(QueryCommand).resolves({ Items: [record('k', newId(), 2)] });
    ddb.on(GetItemCommand).resolves({});
    ddb.on(BatchWriteItemCommand).rejects(serverError());
    await expect(sweepChunkSets(sweeperTable(), { nowMs: NOW })).rejects.toMatchObject({ cause: { name: 'InternalServerError' } });
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(0);
  });

  it('a failing recheck update propagates; a record removed meanwhile (ConditionalCheckFailed) is fine', async () => {
    const id = newId();
    ddb
      .on(QueryCommand)
      .callsFake(async (input) => ({ Items: input.ExpressionAttributeValues[':shard'].S === '0' ? [record('k', id, 2)] : [] }));
    ddb.on(GetItemCommand).resolves({ Item: largeHead('k', 1, id, 2, CHUNK_BYTES + 1) });
    ddb.on(UpdateItemCommand).rejectsOnce(conditionFailed()).rejects(serverError());
    expect(await sweepChunkSets(sweeperTable(), { nowMs: NOW })).toMatchObject({ examined: 1, live: 1, removed: 0, chunksRemoved: 0 });
    await expect(sweepChunkSets(sweeperTable(), { nowMs: NOW })).rejects.toMatchObject({ cause: { name: 'InternalServerError' } });
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(0);
  });
});
