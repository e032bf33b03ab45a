/**
 * Fault injection for large values (docs/large-values.md, lambda/store/large-values.ts,
 * lambda/store/chunk-sweeper.ts) with aws-sdk-client-mock against the real DynamoDbStore and
 * VssService: the exact chunk, record and head requests each step sends, what a fault at each
 * step leaves behind, and which protocol answer it becomes. No engine and no network.
 *
 * The waits between batch rounds, like every retry wait of the store, go through its injected
 * retryDeps (a virtual clock here), so nothing in this file sleeps.
 */
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBServiceException,
  GetItemCommand,
  InternalServerError,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type BatchGetItemCommandInput,
  type BatchWriteItemCommandInput,
  type CancellationReason,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { vss } from '../../lambda/core/codec.js';
import { CONFLICT_MESSAGE, ErrorCode, INTERNAL_ERROR_MESSAGE } from '../../lambda/core/errors.js';
import { VssService, type Operation, type VssResponse } from '../../lambda/core/service.js';
import { sweepChunkSets } from '../../lambda/store/chunk-sweeper.js';
import { TableClient } from '../../lambda/store/table-client.js';
import type { DynamoDbStore } from '../../lambda/store/dynamodb-store.js';
import { sortKeyOf } from '../../lambda/store/keys.js';
import { CHUNK_BYTES, chunkSetSortKey, chunkSortKey } from '../../lambda/store/large-values.js';
import {
  client,
  conditionFailed,
  ddb,
  L,
  meta,
  PK,
  RETRY,
  STORE,
  storeWithVirtualClock,
  TABLE,
  timeout,
  USER,
} from '../support/dynamodb-mock.js';
import { prng } from '../support/prng.js';

/** readChunkSet / writeBatchFully give up after this many batch rounds (large-values.ts). */
const MAX_BATCH_ROUNDS = 8;
/** GetObject re-reads a head whose chunks vanished at most this often (dynamodb-store.ts). */
const MAX_LARGE_READ_ROUNDS = 4;
/** Three chunks: 400,000 + 400,000 + 200,001 bytes. */
const LARGE_BYTES = 2 * CHUNK_BYTES + 200_001;

let sleeps: number[];
let cleanupFailures: unknown[];
let store: DynamoDbStore;
let service: VssService;

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
  service = new VssService(store);
  defaults();
});

afterEach(() => {
  vi.restoreAllMocks();
});

// ---- helpers ------------------------------------------------------------------------------------

const canceledWith = (reasons: CancellationReason[]): TransactionCanceledException =>
  new TransactionCanceledException({
    message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
    $metadata: meta,
    CancellationReasons: reasons,
  });
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
  expect(r.status, r.status !== 200 ? JSON.stringify(vss.ErrorResponse.decode(r.body)) : '').toBe(200);
}
function expectError(r: VssResponse, status: number, code: ErrorCode, message?: string): void {
  expect(r.status).toBe(status);
  const e = vss.ErrorResponse.decode(r.body);
  expect(e.errorCode).toBe(code);
  if (message !== undefined) expect(e.message).toBe(message);
}
const expectInternal = (r: VssResponse): void => expectError(r, 500, ErrorCode.INTERNAL_SERVER_EXCEPTION, INTERNAL_ERROR_MESSAGE);
const expectConflict = (r: VssResponse): void => expectError(r, 409, ErrorCode.CONFLICT_EXCEPTION, CONFLICT_MESSAGE);

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
const putChunkSks = (): string[] =>
  batchWrites().flatMap((b) => b.flatMap((r) => (r.PutRequest ? [hex(r.PutRequest.Item!['sk']!.B!)] : [])));
/** Sort keys (hex) of every DeleteItem sent. */
const deleteItemSks = (): string[] => ddb.commandCalls(DeleteItemCommand).map((c) => hex(c.args[0].input.Key!['sk']!.B!));
/** The id of the chunk set staged by the n-th PutItem (its record's sort key is 0xFD ‖ id). */
function stagedId(n = 0): Uint8Array {
  const sk = ddb.commandCalls(PutItemCommand)[n]!.args[0].input.Item!['sk']!.B!;
  expect(sk[0]).toBe(0xfd);
  return sk.subarray(1);
}
function clauses(expr: string | undefined): string[] {
  if (expr === undefined) return [];
  return expr.startsWith('(') ? expr.slice(1, -1).split(') AND (') : [expr];
}

// ---- 1. chunk writes: UnprocessedItems ----------------------------------------------------------

describe('staging chunks: BatchWriteItem UnprocessedItems', () => {
  it('unprocessed chunks are re-sent (exactly the unprocessed ones) until all are written, then the head is committed', async () => {
    const value = randomBytes(LARGE_BYTES);
    let n = 0;
    ddb.on(BatchWriteItemCommand).callsFake(async (input: BatchWriteItemCommandInput) => {
      const reqs = input.RequestItems![TABLE]!;
      n++;
      if (n === 1) return { UnprocessedItems: { [TABLE]: [reqs[0]!, reqs[2]!] } };
      if (n === 2) return { UnprocessedItems: { [TABLE]: [reqs[1]!] } };
      return {};
    });
    expectOk(await call('putObjects', putBody([kv('k', -1, value)])));

    const id = stagedId();
    const [c0, c1, c2] = chunkKeysHex(id, 3);
    const sent = batchWrites().map((b) => b.map((r) => hex(r.PutRequest!.Item!['sk']!.B!)));
    expect(sent).toEqual([[c0, c1, c2], [c0, c2], [c2]]);
    // Each re-sent request carries its chunk's bytes unchanged.
    const retried = batchWrites()[2]![0]!.PutRequest!.Item!;
    expect(Buffer.from(retried['val']!.B!).equals(value.subarray(2 * CHUNK_BYTES))).toBe(true);
    // Record first, then all chunk batches, then the commit.
    expect(sequence()).toEqual(['PutItem', 'BatchWriteItem', 'BatchWriteItem', 'BatchWriteItem', 'UpdateItem']);
    const update = ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    const lvref = update.ExpressionAttributeValues![':lvref']!.M!;
    expect(hex(lvref['id']!.B!)).toBe(hex(id));
    expect(lvref['n']).toEqual({ N: '3' });
    expect(lvref['len']).toEqual({ N: String(LARGE_BYTES) });
  });

  it('persistent UnprocessedItems ends in 500 INTERNAL_SERVER_EXCEPTION after a bounded number of rounds; the head is never committed', async () => {
    ddb
      .on(BatchWriteItemCommand)
      .callsFake(async (input: BatchWriteItemCommandInput) => ({ UnprocessedItems: { [TABLE]: input.RequestItems![TABLE]! } }));
    expectInternal(await call('putObjects', putBody([kv('k', -1, randomBytes(LARGE_BYTES))])));
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(MAX_BATCH_ROUNDS);
    // Each round waited on the store's (virtual) backoff clock, with the jitter it was given.
    expect(sleeps).toEqual(
      Array.from({ length: MAX_BATCH_ROUNDS - 1 }, (_, r) => Math.floor(0.5 * Math.min(RETRY.maxDelayMs, RETRY.baseDelayMs * 2 ** r))),
    );
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(0);
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(0);
    // Nothing was committed and nothing is deleted here: the record stays for the sweeper.
    expect(deletedChunkSks()).toEqual([]);
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(0);
  });

  it('a failing record PutItem stops the write before any chunk or head request', async () => {
    ddb.on(PutItemCommand).rejects(validation());
    expectInternal(await call('putObjects', putBody([kv('k', -1, randomBytes(LARGE_BYTES))])));
    expect(sequence()).toEqual(['PutItem']);
  });
});

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
    const got = vss.GetObjectResponse.decode(r.body).value!;
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
    const got = vss.GetObjectResponse.decode(r.body).value!;
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

describe('a failed commit: definite conflict vs ambiguous fault', () => {
  it('a definite conflict (ALL_OLD shows a failed version precondition) deletes exactly the staged chunks, then their record, and answers 409', async () => {
    headsAtVersion(3); // another writer gets in between the read and the commit
    ddb.on(UpdateItemCommand).rejects(conditionFailed(smallHead('k', 9, 'theirs')));
    expectConflict(await call('putObjects', putBody([kv('k', 3, randomBytes(LARGE_BYTES))])));

    const id = stagedId();
    expect(putChunkSks()).toEqual(chunkKeysHex(id, 3));
    expect(deletedChunkSks()).toEqual(chunkKeysHex(id, 3));
    expect(deleteItemSks()).toEqual([hex(chunkSetSortKey(id))]);
    expect(sequence()).toEqual(['GetItem', 'PutItem', 'BatchWriteItem', 'UpdateItem', 'BatchWriteItem', 'DeleteItem']);
    // One commit attempt: a failed precondition is not retried.
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(1);
  });

  it('a definite conflict against a large head (ALL_OLD carries lv, wrong version) deletes only our staged set, never the head’s', async () => {
    const theirs = newId();
    headsAtVersion(3);
    ddb.on(UpdateItemCommand).rejects(conditionFailed(largeHead('k', 9, theirs, 2, CHUNK_BYTES + 1)));
    expectConflict(await call('putObjects', putBody([kv('k', 3, randomBytes(LARGE_BYTES))])));
    const id = stagedId();
    expect(deletedChunkSks()).toEqual(chunkKeysHex(id, 3));
    expect(deleteItemSks()).toEqual([hex(chunkSetSortKey(id))]);
  });

  it('a create-only put of a large value onto an existing key → 409 and the staged chunks are removed', async () => {
    ddb.on(UpdateItemCommand).rejects(conditionFailed(smallHead('k', 1, 'x')));
    expectConflict(await call('putObjects', putBody([kv('k', 0, randomBytes(LARGE_BYTES))])));
    const id = stagedId();
    expect(deletedChunkSks()).toEqual(chunkKeysHex(id, 3));
    expect(deleteItemSks()).toEqual([hex(chunkSetSortKey(id))]);
  });

  it('persistent timeouts on the commit (ambiguous) answer 500 and do NOT delete the staged chunks (the sweeper decides)', async () => {
    headsAtVersion(3);
    ddb.on(UpdateItemCommand).rejects(timeout());
    expectInternal(await call('putObjects', putBody([kv('k', 3, randomBytes(LARGE_BYTES))])));
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(RETRY.maxAttempts);
    expect(deletedChunkSks()).toEqual([]);
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(0);
    expect(sequence()).toEqual(['GetItem', 'PutItem', 'BatchWriteItem', ...Array<string>(RETRY.maxAttempts).fill('UpdateItem')]);
  });

  it('persistent 500s (InternalServerError) on the commit answer 500 and do NOT delete the staged chunks', async () => {
    ddb.on(UpdateItemCommand).rejects(serverError());
    expectInternal(await call('putObjects', putBody([kv('k', -1, randomBytes(LARGE_BYTES))])));
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(RETRY.maxAttempts);
    expect(deletedChunkSks()).toEqual([]);
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(0);
  });

  it('persistent timeouts on a transaction commit answer 500 and do NOT delete the staged chunks', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(timeout());
    expectInternal(await call('putObjects', putBody([kv('a', -1, randomBytes(LARGE_BYTES)), kv('b', -1, 'small')])));
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(RETRY.maxAttempts);
    expect(deletedChunkSks()).toEqual([]);
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(0);
  });

  it('timeout, then the retry’s ALL_OLD shows our own large value committed → 200, and our chunks are kept', async () => {
    let ours: Uint8Array | undefined;
    headsAtVersion(3);
    ddb
      .on(UpdateItemCommand)
      .rejectsOnce(timeout())
      .callsFake(async () => {
        ours = stagedId();
        throw conditionFailed(largeHead('k', 4, ours, 3, LARGE_BYTES));
      });
    expectOk(await call('putObjects', putBody([kv('k', 3, randomBytes(LARGE_BYTES))])));
    expect(ours).toBeDefined();
    expect(deletedChunkSks()).toEqual([]);
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(0);
  });
});

// ---- 6. overwriting a large value ----------------------------------------------------------------

describe('overwriting a large value: the commit returns (ALL_OLD) which chunk set it replaced', () => {
  it('one UpdateItem, conditioned on the version only, returns the old head; afterwards exactly the old chunks and the old record are deleted', async () => {
    const oldId = newId();
    const oldN = 2;
    headsAtVersion(3);
    ddb.on(UpdateItemCommand).resolves({ Attributes: largeHead('k', 3, oldId, oldN, CHUNK_BYTES + 7) });
    expectOk(await call('putObjects', putBody([kv('k', 3, randomBytes(LARGE_BYTES))])));

    const updates = ddb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
    expect(updates).toHaveLength(1);
    expect(clauses(updates[0]!.ConditionExpression)).toEqual(['#ver = :expected']);
    expect(updates[0]!.ReturnValues).toBe('ALL_OLD');
    expect(updates[0]!.ExpressionAttributeValues![':expected']).toEqual({ N: '3' });

    const newSet = stagedId();
    expect(putChunkSks()).toEqual(chunkKeysHex(newSet, 3));
    expect(deletedChunkSks()).toEqual(chunkKeysHex(oldId, oldN));
    expect(deleteItemSks()).toEqual([hex(chunkSetSortKey(oldId))]);
    // No request meant to fail: read, stage, commit, clean up.
    expect(sequence()).toEqual(['GetItem', 'PutItem', 'BatchWriteItem', 'UpdateItem', 'BatchWriteItem', 'DeleteItem']);
  });

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

  it('after an ambiguous fault the retry may return our own committed set as the old head: it is kept, nothing is deleted', async () => {
    ddb
      .on(UpdateItemCommand)
      .rejectsOnce(timeout())
      .callsFake(async () => ({ Attributes: largeHead('k', 1, stagedId(), 3, LARGE_BYTES) }));
    expectOk(await call('putObjects', putBody([kv('k', -1, randomBytes(LARGE_BYTES))])));
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(2);
    expect(deletedChunkSks()).toEqual([]);
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(0);
  });
});

describe('a conditioned large put that cannot succeed fails on one read, before staging', () => {
  it('a wrong version: one GetItem (version only, consistent), 409, no chunk written', async () => {
    headsAtVersion(9);
    expectConflict(await call('putObjects', putBody([kv('k', 3, randomBytes(LARGE_BYTES))])));
    expect(sequence()).toEqual(['GetItem']);
    const get = ddb.commandCalls(GetItemCommand)[0]!.args[0].input;
    expect(get.ConsistentRead).toBe(true);
    expect(get.ProjectionExpression).toBe('#ver');
  });

  it('create-only onto an existing key, and a version onto a missing key: 409 after one GetItem', async () => {
    headsAtVersion(1);
    expectConflict(await call('putObjects', putBody([kv('k', 0, randomBytes(LARGE_BYTES))])));
    ddb.on(GetItemCommand).resolves({});
    expectConflict(await call('putObjects', putBody([kv('k', 5, randomBytes(LARGE_BYTES))])));
    expect(sequence()).toEqual(['GetItem', 'GetItem']);
  });

  it('in a transaction, a wrong version on the small key also stops the large key before staging', async () => {
    ddb
      .on(GetItemCommand)
      .callsFake(async (input) => ({ Item: { ver: { N: hex(input.Key!['sk']!.B!) === hex(sortKeyOf('b')) ? '4' : '1' } } }));
    expectConflict(await call('putObjects', putBody([kv('a', 1, randomBytes(LARGE_BYTES)), kv('b', 1, 'small')])));
    expect(sequence()).toEqual(['GetItem', 'GetItem']);
  });

  it('an unconditional large put reads nothing first', async () => {
    expectOk(await call('putObjects', putBody([kv('k', -1, randomBytes(LARGE_BYTES))])));
    expect(sequence()).toEqual(['PutItem', 'BatchWriteItem', 'UpdateItem']);
  });
});

// ---- 7. transactions -------------------------------------------------------------------------------

describe('transactions (2+ keys): cancellation reasons carry ALL_OLD', () => {
  const txCalls = () => ddb.commandCalls(TransactWriteItemsCommand).map((c) => c.args[0].input);

  it('[ConditionalCheckFailed with an lv item, None] → retried with the corrected expectation and a NEW ClientRequestToken; old chunks removed after the commit', async () => {
    const oldId = newId();
    headsAtVersion(1);
    ddb
      .on(TransactWriteItemsCommand)
      .rejectsOnce(canceledWith([{ Code: 'TransactionConflict', Message: 'conflict' }, { Code: 'None' }]))
      .rejectsOnce(
        canceledWith([
          { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: largeHead('a', 1, oldId, 2, CHUNK_BYTES + 9) },
          { Code: 'None' },
        ]),
      )
      .resolves({});
    expectOk(await call('putObjects', putBody([kv('a', 1, randomBytes(LARGE_BYTES)), kv('b', 1, 'small')])));

    const calls = txCalls();
    expect(calls).toHaveLength(3);
    const tokens = calls.map((c) => c.ClientRequestToken);
    // A transient retry resends the same request with the same token...
    expect(tokens[1]).toBe(tokens[0]);
    // ...but the corrected request is a different request: a new token (else IdempotentParameterMismatch).
    expect(tokens[2]).not.toBe(tokens[1]);
    expect(tokens[2]).toMatch(/^[0-9a-f-]{36}$/);

    const a = calls[2]!.TransactItems![0]!.Update!;
    const b = calls[2]!.TransactItems![1]!.Update!;
    expect(clauses(calls[1]!.TransactItems![0]!.Update!.ConditionExpression)).toEqual(['#ver = :expected', 'attribute_not_exists(#lv)']);
    expect(clauses(a.ConditionExpression)).toEqual(['#ver = :expected', '#lv.#lvid = :lvid']);
    expect(a.ExpressionAttributeValues![':lvid']).toEqual({ B: oldId });
    expect(clauses(b.ConditionExpression)).toEqual(['#ver = :expected', 'attribute_not_exists(#lv)']);
    for (const item of calls[2]!.TransactItems!) expect(item.Update!.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');

    expect(deletedChunkSks()).toEqual(chunkKeysHex(oldId, 2));
    expect(deleteItemSks()).toEqual([hex(chunkSetSortKey(oldId))]);
  });

  it('heads that keep changing under concurrent transactions: corrected and retried with backoff until the retry budget, then 500; staged set kept for the sweeper', async () => {
    headsAtVersion(1);
    // Every attempt finds yet another large value on `a` (another writer got there first).
    ddb.on(TransactWriteItemsCommand).callsFake(async () => {
      throw canceledWith([
        { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: largeHead('a', 1, newId(), 2, CHUNK_BYTES + 9) },
        { Code: 'None' },
      ]);
    });
    expectInternal(await call('putObjects', putBody([kv('a', 1, randomBytes(LARGE_BYTES)), kv('b', 1, 'small')])));
    const attempts = txCalls().length;
    // Bounded by time (RETRY.budgetMs of virtual time), not by a few rounds: far more than the keys + 2 of before.
    expect(attempts).toBeGreaterThan(10);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(RETRY.budgetMs - RETRY.maxDelayMs);
    expect(sleeps.length).toBe(attempts - 2); // no wait before the first correction
    // After a 500 the staged set is left to the sweeper, which checks the head before deleting.
    expect(deletedChunkSks()).toEqual([]);
  });

  it('a reason showing a real version mismatch → 409, staged chunks and record removed, nothing retried', async () => {
    headsAtVersion(1);
    ddb.on(TransactWriteItemsCommand).rejects(
      canceledWith([
        {
          Code: 'ConditionalCheckFailed',
          Message: 'The conditional request failed',
          Item: largeHead('a', 7, newId(), 2, CHUNK_BYTES + 9),
        },
        { Code: 'None' },
      ]),
    );
    expectConflict(await call('putObjects', putBody([kv('a', 1, randomBytes(LARGE_BYTES)), kv('b', 1, 'small')])));
    expect(txCalls()).toHaveLength(1);
    const id = stagedId();
    expect(deletedChunkSks()).toEqual(chunkKeysHex(id, 3));
    expect(deleteItemSks()).toEqual([hex(chunkSetSortKey(id))]);
  });

  it('a version mismatch on the small key of the transaction is a conflict too: 409 and the large key’s staged set removed', async () => {
    headsAtVersion(1);
    ddb
      .on(TransactWriteItemsCommand)
      .rejects(
        canceledWith([
          { Code: 'None' },
          { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: smallHead('b', 4, 'x') },
        ]),
      );
    expectConflict(await call('putObjects', putBody([kv('a', 1, randomBytes(LARGE_BYTES)), kv('b', 1, 'small')])));
    const id = stagedId();
    expect(deletedChunkSks()).toEqual(chunkKeysHex(id, 3));
    expect(deleteItemSks()).toEqual([hex(chunkSetSortKey(id))]);
  });
});

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
    expectOk(await call('putObjects', putBody([kv('k', 3, randomBytes(LARGE_BYTES))])));
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

  it('a failing delete of staged chunks after a conflict keeps the 409 and calls onCleanupFailure', async () => {
    headsAtVersion(3);
    ddb.on(UpdateItemCommand).rejects(conditionFailed(smallHead('k', 9, 'theirs')));
    ddb.on(BatchWriteItemCommand).callsFake(async (input: BatchWriteItemCommandInput) => {
      if (input.RequestItems![TABLE]!.some((r) => r.DeleteRequest)) throw validation();
      return {};
    });
    expectConflict(await call('putObjects', putBody([kv('k', 3, randomBytes(LARGE_BYTES))])));
    expect(cleanupFailures).toHaveLength(1);
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(0);
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
    expect(result).toEqual({ examined: 2, live: 1, removed: 1, chunksRemoved: 2 });

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
    expect(await sweepChunkSets(sweeperTable(), { nowMs: NOW })).toEqual({ examined: 1, live: 0, removed: 1, chunksRemoved: 1 });
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
    expect(await sweepChunkSets(sweeperTable(), { nowMs: NOW })).toEqual({ examined: 1, live: 1, removed: 0, chunksRemoved: 0 });
    await expect(sweepChunkSets(sweeperTable(), { nowMs: NOW })).rejects.toMatchObject({ cause: { name: 'InternalServerError' } });
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(0);
  });
});

// ---- property: a table that evaluates the store's conditions ----------------------------------------

/**
 * An in-test table behind the mock: it evaluates exactly the condition forms the store sends and
 * applies SET/REMOVE update expressions, so random sequences of operations run against it as
 * against DynamoDB (one key, so no transactions). Any other form throws: the test then fails
 * instead of silently accepting a condition it does not understand.
 */
class FakeTable {
  readonly items = new Map<string, Record<string, AttributeValue>>();
  /** Successful one-key writes that returned (ALL_OLD) a replaced large value. */
  replacedLarge = 0;
  /** The old item as a successful write with ReturnValues ALL_OLD returns it. */
  allOld(
    returnValues: string | undefined,
    item: Record<string, AttributeValue> | undefined,
  ): { Attributes?: Record<string, AttributeValue> } {
    if (returnValues !== 'ALL_OLD' || !item) return {};
    if (item['lv']) this.replacedLarge++;
    return { Attributes: structuredClone(item) };
  }
  private static id(key: Record<string, AttributeValue>): string {
    return `${key['pk']!.S!}|${hex(key['sk']!.B!)}`;
  }
  get(key: Record<string, AttributeValue>): Record<string, AttributeValue> | undefined {
    return this.items.get(FakeTable.id(key));
  }
  put(item: Record<string, AttributeValue>): void {
    this.items.set(FakeTable.id(item), { ...item });
  }
  delete(key: Record<string, AttributeValue>): void {
    this.items.delete(FakeTable.id(key));
  }
  check(
    expr: string | undefined,
    names: Record<string, string> = {},
    values: Record<string, AttributeValue> = {},
    item: Record<string, AttributeValue> | undefined,
    allOld: boolean,
  ): void {
    if (expr === undefined) return;
    const ok = clauses(expr).every((c) => {
      let m: RegExpMatchArray | null;
      if ((m = c.match(/^attribute_not_exists\((#\w+)\)$/))) return item?.[names[m[1]!]!] === undefined;
      if ((m = c.match(/^attribute_exists\((#\w+)\)$/))) return item?.[names[m[1]!]!] !== undefined;
      if ((m = c.match(/^(#\w+) = (:\w+)$/)))
        return item !== undefined && item[names[m[1]!]!]?.N !== undefined && item[names[m[1]!]!]!.N === values[m[2]!]!.N;
      if ((m = c.match(/^(#\w+)\.(#\w+) = (:\w+)$/))) {
        const b = item?.[names[m[1]!]!]?.M?.[names[m[2]!]!]?.B;
        return b !== undefined && hex(b) === hex(values[m[3]!]!.B!);
      }
      throw new Error(`FakeTable cannot evaluate condition clause: ${c}`);
    });
    if (!ok) throw conditionFailed(allOld && item ? structuredClone(item) : undefined);
  }
  update(
    item: Record<string, AttributeValue> | undefined,
    key: Record<string, AttributeValue>,
    expr: string,
    names: Record<string, string>,
    values: Record<string, AttributeValue>,
  ): void {
    const next: Record<string, AttributeValue> = { ...(item ?? key) };
    const [setPart, removePart] = expr.split(' REMOVE ');
    const set = setPart!.replace(/^SET /, '');
    for (const m of set.matchAll(/(#\w+) = (if_not_exists\((#\w+), (:\w+)\)|:\w+)/g)) {
      const attr = names[m[1]!]!;
      if (m[3]) next[attr] = next[names[m[3]]!] ?? values[m[4]!]!;
      else next[attr] = values[m[2]!]!;
    }
    for (const n of removePart?.split(', ') ?? []) delete next[names[n.trim()]!];
    this.put(next);
  }
}

function backWithTable(t: FakeTable, faults: { cleanupFails: () => boolean } = { cleanupFails: () => false }): void {
  ddb.reset();
  ddb.on(GetItemCommand).callsFake(async (input) => {
    const item = t.get(input.Key);
    return item ? { Item: structuredClone(item) } : {};
  });
  ddb.on(PutItemCommand).callsFake(async (input) => {
    t.check(input.ConditionExpression, input.ExpressionAttributeNames, input.ExpressionAttributeValues, t.get(input.Item), false);
    t.put(input.Item);
    return {};
  });
  ddb.on(UpdateItemCommand).callsFake(async (input) => {
    const item = t.get(input.Key);
    t.check(
      input.ConditionExpression,
      input.ExpressionAttributeNames,
      input.ExpressionAttributeValues,
      item,
      input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD',
    );
    t.update(item, input.Key, input.UpdateExpression, input.ExpressionAttributeNames, input.ExpressionAttributeValues);
    return t.allOld(input.ReturnValues, item);
  });
  ddb.on(DeleteItemCommand).callsFake(async (input) => {
    const item = t.get(input.Key);
    t.check(
      input.ConditionExpression,
      input.ExpressionAttributeNames,
      input.ExpressionAttributeValues,
      item,
      input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD',
    );
    t.delete(input.Key);
    return t.allOld(input.ReturnValues, item);
  });
  ddb.on(BatchWriteItemCommand).callsFake(async (input: BatchWriteItemCommandInput) => {
    const reqs = input.RequestItems![TABLE]!;
    if (reqs.some((r) => r.DeleteRequest) && faults.cleanupFails()) throw serverError();
    for (const r of reqs) {
      if (r.PutRequest) t.put(r.PutRequest.Item!);
      else t.delete(r.DeleteRequest!.Key!);
    }
    return {};
  });
  ddb.on(BatchGetItemCommand).callsFake(async (input: BatchGetItemCommandInput) => {
    const keys = input.RequestItems![TABLE]!.Keys!;
    return { Responses: { [TABLE]: keys.flatMap((k) => (t.get(k) ? [structuredClone(t.get(k)!)] : [])) } };
  });
  ddb.on(QueryCommand).callsFake(async (input) => {
    expect(input.IndexName).toBe('byGc');
    expect(input.KeyConditionExpression).toBe('#shard = :shard AND #at < :cutoff');
    const shard = input.ExpressionAttributeValues[':shard'].S;
    const cutoff = Number(input.ExpressionAttributeValues[':cutoff'].N);
    const items = [...t.items.values()].filter((i) => i['gcShard']?.S === shard && Number(i['gcAt']!.N) < cutoff);
    return { Items: items.map((i) => structuredClone(i)) };
  });
  ddb.on(TransactWriteItemsCommand).callsFake(async (input) => {
    // All conditions are evaluated against the items before the transaction; any failure cancels all.
    const reasons: CancellationReason[] = [];
    let failed = false;
    for (const ti of input.TransactItems) {
      const action = ti.Update ?? ti.Delete;
      const item = t.get(action.Key);
      try {
        t.check(
          action.ConditionExpression,
          action.ExpressionAttributeNames,
          action.ExpressionAttributeValues,
          item,
          action.ReturnValuesOnConditionCheckFailure === 'ALL_OLD',
        );
        reasons.push({ Code: 'None' });
      } catch (e) {
        failed = true;
        const old = (e as ConditionalCheckFailedException).Item;
        reasons.push({ Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', ...(old ? { Item: old } : {}) });
      }
    }
    if (failed) throw canceledWith(reasons);
    for (const ti of input.TransactItems) {
      if (ti.Update)
        t.update(
          t.get(ti.Update.Key),
          ti.Update.Key,
          ti.Update.UpdateExpression,
          ti.Update.ExpressionAttributeNames,
          ti.Update.ExpressionAttributeValues,
        );
      else t.delete(ti.Delete.Key);
    }
    return {};
  });
}

describe('property: after any sequence of puts and deletes, the chunks in the table are exactly those of the current values', () => {
  type Model = { version: bigint; value: Buffer } | undefined;
  const KEY = 'k';
  /** Head writes that replaced a large value and learned it from the commit's ALL_OLD. */
  let replacingWrites = 0;

  /** Chunk and record items in the table, as sort-key hex, and those the current heads need. */
  function leftovers(
    t: FakeTable,
    keys: readonly string[] = [KEY],
  ): { chunks: string[]; records: string[]; expectedChunks: string[]; expectedRecords: string[] } {
    const chunks: string[] = [];
    const records: string[] = [];
    for (const item of t.items.values()) {
      const sk = item['sk']!.B!;
      if (sk[0] === 0xfe) chunks.push(hex(sk));
      if (sk[0] === 0xfd) records.push(hex(sk));
    }
    const expectedChunks: string[] = [];
    const expectedRecords: string[] = [];
    for (const key of keys) {
      const lv = t.get({ pk: { S: PK }, sk: { B: sortKeyOf(key) } })?.['lv']?.M;
      if (lv) {
        expectedChunks.push(...chunkKeysHex(lv['id']!.B!, Number(lv['n']!.N)));
        expectedRecords.push(hex(chunkSetSortKey(lv['id']!.B!)));
      }
    }
    return {
      chunks: chunks.sort(),
      records: records.sort(),
      expectedChunks: expectedChunks.sort(),
      expectedRecords: expectedRecords.sort(),
    };
  }

  function valueOf(rand: () => number, step: number): Buffer {
    const large = rand() < 0.6;
    const size = large ? 410_000 + Math.floor(rand() * 900_000) : Math.floor(rand() * 2000);
    const b = Buffer.alloc(size);
    const seed = Math.floor(rand() * 256);
    for (let i = 0; i < size; i += 997) b[i] = (seed + i / 997) & 0xff;
    if (size >= 4) b.writeUInt32BE(step, 0);
    return b;
  }

  async function runSequence(seed: number, cleanupFailRate: number): Promise<FakeTable> {
    const rand = prng(seed);
    const t = new FakeTable();
    let faults = true;
    backWithTable(t, { cleanupFails: () => faults && rand() < cleanupFailRate });
    let model: Model;
    const steps = 4 + Math.floor(rand() * 8);
    for (let step = 0; step < steps; step++) {
      const cur = model?.version ?? 0n;
      const versions = [-1n, 0n, cur, cur + 1n];
      const v = versions[Math.floor(rand() * versions.length)]!;
      const what = rand();
      const label = `seed ${seed} step ${step}`;
      if (what < 0.55) {
        const value = valueOf(rand, step);
        const ok = v === -1n || (v === 0n ? model === undefined : model !== undefined && model.version === v);
        const r = await call('putObjects', putBody([kv(KEY, v, value)]));
        expect(r.status, `${label}: put v=${v}`).toBe(ok ? 200 : 409);
        if (ok) model = { version: v === -1n || v === 0n ? 1n : v + 1n, value };
      } else if (what < 0.8) {
        const r = await call('deleteObject', deleteBody(KEY, v));
        expect(r.status, `${label}: DeleteObject v=${v}`).toBe(200);
        if (model !== undefined && (v === -1n || model.version === v)) model = undefined;
      } else {
        const ok = model !== undefined && (v === -1n || model.version === v);
        const r = await call('putObjects', putBody([], [kv(KEY, v)]));
        expect(r.status, `${label}: delete_items v=${v}`).toBe(ok ? 200 : 409);
        if (ok) model = undefined;
      }
      const got = await store.get({ userToken: USER, storeId: STORE }, KEY);
      expect(got?.version, `${label}: version read back`).toBe(model?.version);
      if (model) expect(Buffer.from(got!.value).equals(model.value), `${label}: value read back byte for byte`).toBe(true);
      if (cleanupFailRate === 0) {
        const l = leftovers(t);
        expect(l.chunks, `${label}: chunks left`).toEqual(l.expectedChunks);
        expect(l.records, `${label}: records left`).toEqual(l.expectedRecords);
      }
    }
    faults = false;
    replacingWrites += t.replacedLarge;
    // One-key commits never carry an expectation of the old value: they learn it from ALL_OLD.
    expect(
      [...ddb.commandCalls(UpdateItemCommand), ...ddb.commandCalls(DeleteItemCommand)].filter(
        (c) => c.args[0].input.ExpressionAttributeValues?.[':lvid'],
      ),
    ).toEqual([]);
    return t;
  }

  it('no faults: after every step, chunk and record items equal exactly those of the current value', async () => {
    replacingWrites = 0;
    for (let seed = 1; seed <= 40; seed++) await runSequence(seed, 0);
    // The sequences did overwrite and delete large values (else the property is vacuous).
    expect(replacingWrites).toBeGreaterThan(10);
  });

  it('two keys: random PutObjects mixing puts and delete_items on both (transactions), DeleteObject; after every step exactly the current values’ chunks are left', async () => {
    const KEYS = ['a', 'b'] as const;
    let transactions = 0;
    let correctedTransactions = 0;
    for (let seed = 201; seed <= 260; seed++) {
      const rand = prng(seed);
      const t = new FakeTable();
      backWithTable(t);
      const model = new Map<string, { version: bigint; value: Buffer }>();
      const steps = 4 + Math.floor(rand() * 8);
      for (let step = 0; step < steps; step++) {
        const label = `seed ${seed} step ${step}`;
        const versionFor = (key: string): bigint => {
          const cur = model.get(key)?.version ?? 0n;
          const versions = [-1n, 0n, cur, cur + 1n];
          return versions[Math.floor(rand() * versions.length)]!;
        };
        if (rand() < 0.8) {
          const puts: vss.KeyValue.$Properties[] = [];
          const deletes: vss.KeyValue.$Properties[] = [];
          let ok = true;
          const next = new Map(model);
          for (const key of KEYS) {
            const pick = rand();
            if (pick < 0.25 && (puts.length > 0 || deletes.length > 0 || key === 'a')) continue;
            const v = versionFor(key);
            const cur = model.get(key);
            if (pick < 0.75) {
              const value = valueOf(rand, step);
              puts.push(kv(key, v, value));
              ok &&= v === -1n || (v === 0n ? cur === undefined : cur !== undefined && cur.version === v);
              next.set(key, { version: v === -1n || v === 0n ? 1n : v + 1n, value });
            } else {
              if (v === 0n) continue; // delete_items with version 0 never matches; keep the step simple
              deletes.push(kv(key, v));
              ok &&= cur !== undefined && (v === -1n || cur.version === v);
              next.delete(key);
            }
          }
          if (puts.length + deletes.length === 0) continue;
          if (puts.length + deletes.length > 1) transactions++;
          const r = await call('putObjects', putBody(puts, deletes));
          expect(r.status, `${label}: PutObjects ${puts.length} puts, ${deletes.length} deletes`).toBe(ok ? 200 : 409);
          if (ok) {
            model.clear();
            for (const [k, v] of next) model.set(k, v);
          }
        } else {
          const key = KEYS[Math.floor(rand() * 2)]!;
          const v = versionFor(key);
          expectOk(await call('deleteObject', deleteBody(key, v)));
          const cur = model.get(key);
          if (cur !== undefined && (v === -1n || cur.version === v)) model.delete(key);
        }
        for (const key of KEYS) {
          const got = await store.get({ userToken: USER, storeId: STORE }, key);
          expect(got?.version, `${label}: ${key} version`).toBe(model.get(key)?.version);
          if (got) expect(Buffer.from(got.value).equals(model.get(key)!.value), `${label}: ${key} value`).toBe(true);
        }
        const l = leftovers(t, KEYS);
        expect(l.chunks, `${label}: chunks left`).toEqual(l.expectedChunks);
        expect(l.records, `${label}: records left`).toEqual(l.expectedRecords);
      }
      const txs = ddb.commandCalls(TransactWriteItemsCommand);
      correctedTransactions += txs.filter((c) =>
        c.args[0].input.TransactItems!.some((i) => (i.Update ?? i.Delete)!.ExpressionAttributeValues?.[':lvid']),
      ).length;
    }
    // The sequences did run transactions that had to learn a replaced large value from ALL_OLD.
    expect(transactions).toBeGreaterThan(40);
    expect(correctedTransactions).toBeGreaterThan(10);
  });

  it('cleanup faults: leftovers exist only until a sweep (past the grace) removes them; the current value survives the sweep', async () => {
    let leftoverRuns = 0;
    for (let seed = 101; seed <= 130; seed++) {
      // High enough that some cleanups fail on every retry (4 attempts) and leave work for the sweeper.
      const t = await runSequence(seed, 0.7);
      const before = leftovers(t);
      if (before.chunks.length !== before.expectedChunks.length) leftoverRuns++;
      await sweepChunkSets(new TableClient({ client, tableName: TABLE }), { nowMs: Date.now() + 2 * 3_600_000 });
      const after = leftovers(t);
      expect(after.chunks, `seed ${seed}: chunks after sweep`).toEqual(after.expectedChunks);
      expect(after.records, `seed ${seed}: records after sweep`).toEqual(after.expectedRecords);
    }
    // The faults did leave something behind for the sweeper (else this test proves nothing).
    expect(leftoverRuns).toBeGreaterThan(0);
  });
});
