/**
 * Fault injection for the object tier (lambda/store/object-tier.ts, docs/large-values.md) with
 * aws-sdk-client-mock against the real DynamoDbStore and VssProtocol, and the object-store port in
 * memory (test/support/memory-object-store.ts): the exact record, object and head requests each
 * step sends, what a fault at each step leaves behind, and which protocol answer it becomes.
 * No engine and no network; retry waits run on the store's virtual clock.
 */
import {
  DeleteItemCommand,
  GetItemCommand,
  InternalServerError,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type CancellationReason,
} from '@aws-sdk/client-dynamodb';
import { createHash, randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { LARGE_VALUES } from '../../lambda/contract.js';
import { bodyBytes, vss } from '../../lambda/core/codec.js';
import { CONFLICT_MESSAGE, ErrorCode, INTERNAL_ERROR_MESSAGE } from '../../lambda/core/errors.js';
import { VssProtocol, type Operation, type VssResponse } from '../../lambda/core/service.js';
import { sweepChunkSets } from '../../lambda/store/chunk-sweeper.js';
import { sortKeyOf } from '../../lambda/store/keys.js';
import { chunkSetSortKey } from '../../lambda/store/large-values.js';
import { newObjectKey } from '../../lambda/store/object-keys.js';
import { objectPlacement, retentionMsOf } from '../../lambda/store/object-tier.js';
import { TableClient } from '../../lambda/store/table-client.js';
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
import { MemoryObjectStore } from '../support/memory-object-store.js';

const VALUE_BYTES = 100_000;
const RETENTION = retentionMsOf();

let objects: MemoryObjectStore;
let cleanupFailures: unknown[];
let service: VssProtocol;

beforeEach(() => {
  ddb.reset();
  objects = new MemoryObjectStore();
  cleanupFailures = [];
  service = new VssProtocol(
    storeWithVirtualClock([], {
      inlineMaxBytes: LARGE_VALUES.defaultInlineMaxBytes,
      placement: objectPlacement(objects),
      onCleanupFailure: (e) => cleanupFailures.push(e),
    }),
  );
  ddb.on(PutItemCommand).resolves({});
  ddb.on(UpdateItemCommand).resolves({});
  ddb.on(DeleteItemCommand).resolves({});
  ddb.on(TransactWriteItemsCommand).resolves({});
  ddb.on(GetItemCommand).resolves({});
});

// ---- helpers ------------------------------------------------------------------------------------

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const sha256 = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();
const kv = (key: string, version: number, value: Uint8Array | string = ''): vss.KeyValue.$Properties => ({
  key,
  version: L(version),
  value: typeof value === 'string' ? Buffer.from(value) : value,
});
const putBody = (items: vss.KeyValue.$Properties[]): Uint8Array =>
  vss.PutObjectRequest.encode({ storeId: STORE, transactionItems: items, deleteItems: [] }).finish();
const getBody = (key: string): Uint8Array => vss.GetObjectRequest.encode({ storeId: STORE, key }).finish();
const deleteBody = (key: string, version: number): Uint8Array =>
  vss.DeleteObjectRequest.encode({ storeId: STORE, keyValue: kv(key, version) }).finish();
const call = (op: Operation, body: Uint8Array): Promise<VssResponse> => service.handle(op, body, USER, () => undefined);

function expectStatus(r: VssResponse, status: number, code?: ErrorCode, message?: string): void {
  expect(r.status, r.status !== 200 ? JSON.stringify(vss.ErrorResponse.decode(bodyBytes(r.body))) : '').toBe(status);
  if (code === undefined) return;
  const e = vss.ErrorResponse.decode(bodyBytes(r.body));
  expect(e.errorCode).toBe(code);
  if (message !== undefined) expect(e.message).toBe(message);
}
const expectOk = (r: VssResponse): void => expectStatus(r, 200);
const expectInternal = (r: VssResponse): void => expectStatus(r, 500, ErrorCode.INTERNAL_SERVER_EXCEPTION, INTERNAL_ERROR_MESSAGE);
const expectConflict = (r: VssResponse): void => expectStatus(r, 409, ErrorCode.CONFLICT_EXCEPTION, CONFLICT_MESSAGE);

/** DynamoDB commands sent so far, by name. */
const sequence = (): string[] => ddb.calls().map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, ''));
const serverError = (): InternalServerError =>
  new InternalServerError({ message: 'Internal server error', $metadata: { ...meta, httpStatusCode: 500 } });
const canceledWith = (reasons: CancellationReason[]): TransactionCanceledException =>
  new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: meta, CancellationReasons: reasons });

/** The record the n-th PutItem staged. */
function staged(n = 0): { id: Uint8Array; key: string; item: Record<string, AttributeValue> } {
  const item = ddb.commandCalls(PutItemCommand)[n]!.args[0].input.Item!;
  const sk = item['sk']!.B!;
  expect(sk[0]).toBe(0xfd);
  return { id: sk.subarray(1), key: item['gcKey']!.S!, item };
}

/** A head as DynamoDB returns it (ALL_OLD or GetItem) holding an object descriptor. */
function objectHead(key: string, version: number, value: Uint8Array, objectKey = newObjectKey(USER)): Record<string, AttributeValue> {
  return {
    pk: { S: PK },
    sk: { B: sortKeyOf(key) },
    ver: { N: String(version) },
    seq: { N: '128000000' },
    lv: {
      M: {
        t: { S: 's3' },
        id: { B: Buffer.from(objectKey.slice(-32), 'hex') },
        k: { S: objectKey },
        len: { N: String(value.length) },
        sha: { B: sha256(value) },
      },
    },
  };
}
const idOf = (head: Record<string, AttributeValue>): Uint8Array => head['lv']!.M!['id']!.B!;
const smallHead = (key: string, version: number, value: string): Record<string, AttributeValue> => ({
  pk: { S: PK },
  sk: { B: sortKeyOf(key) },
  ver: { N: String(version) },
  seq: { N: '1' },
  val: { B: Buffer.from(value) },
});

/** UpdateItems that retired an object record, as [record id, deleteAt]. */
function retirements(): [string, number][] {
  return ddb
    .commandCalls(UpdateItemCommand)
    .map((c) => c.args[0].input)
    .filter((u) => u.UpdateExpression === 'SET #del = :at, #at = :at')
    .map((u) => [hex(u.Key!['sk']!.B!.subarray(1)), Number(u.ExpressionAttributeValues![':at']!.N)]);
}
const deleteItemSks = (): string[] => ddb.commandCalls(DeleteItemCommand).map((c) => hex(c.args[0].input.Key!['sk']!.B!));

// ---- writing ------------------------------------------------------------------------------------

describe('writing a value above the threshold', () => {
  it('record first, then the one object, then one conditional head write holding version, size, SHA-256 and the object key', async () => {
    const value = randomBytes(VALUE_BYTES);
    let ddbCallsAtPut = -1;
    const put = objects.put.bind(objects);
    objects.put = async (key: string, body: Uint8Array, digest: Uint8Array) => {
      ddbCallsAtPut = ddb.calls().length;
      expect(hex(digest)).toBe(hex(sha256(value)));
      return put(key, body, digest);
    };
    expectOk(await call('putObjects', putBody([kv('k', -1, value)])));
    expect(sequence()).toEqual(['PutItem', 'UpdateItem']);
    expect(ddbCallsAtPut).toBe(1);
    const record = staged();
    expect(record.item['gcHead']).toEqual({ B: sortKeyOf('k') });
    expect(record.item['gcN']).toEqual({ N: '0' });
    expect(objects.keys('put')).toEqual([record.key]);
    expect(Buffer.from(objects.objects.get(record.key)!).equals(value)).toBe(true);
    const update = ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(update.UpdateExpression).toMatch(/SET #ver = :ver, #lv = :lvref, .* REMOVE #val/);
    const lv = update.ExpressionAttributeValues![':lvref']!.M!;
    expect(Object.keys(lv).sort()).toEqual(['id', 'k', 'len', 'sha', 't']);
    expect([lv['t'], hex(lv['id']!.B!), lv['k'], lv['len'], hex(lv['sha']!.B!)]).toEqual([
      { S: 's3' },
      hex(record.id),
      { S: record.key },
      { N: String(VALUE_BYTES) },
      hex(sha256(value)),
    ]);
  });

  it('a failing record PutItem stops the write before the object and the head', async () => {
    ddb.on(PutItemCommand).rejects(serverError());
    expectInternal(await call('putObjects', putBody([kv('k', -1, randomBytes(VALUE_BYTES))])));
    expect(objects.keys('put')).toEqual([]);
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(0);
  });

  it('a failing object PUT answers 500, commits nothing, and deletes what it staged (object, then record)', async () => {
    objects.failing.put = () => Object.assign(new Error('S3 down'), { name: 'TimeoutError' });
    expectInternal(await call('putObjects', putBody([kv('k', -1, randomBytes(VALUE_BYTES))])));
    const record = staged();
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(0);
    expect(objects.keys('delete')).toEqual([record.key]);
    expect(deleteItemSks()).toEqual([hex(chunkSetSortKey(record.id))]);
  });

  it('when the object store cannot delete either, the record is marked abandoned for the sweeper and kept', async () => {
    objects.failing.put = () => new Error('S3 down');
    objects.failing.delete = () => new Error('S3 down');
    expectInternal(await call('putObjects', putBody([kv('k', -1, randomBytes(VALUE_BYTES))])));
    const marks = ddb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
    expect(marks).toHaveLength(1);
    expect(marks[0]!.UpdateExpression).toBe('SET #abandoned = :yes');
    expect(hex(marks[0]!.Key!['sk']!.B!)).toBe(hex(chunkSetSortKey(staged().id)));
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(0);
  });

  it('a definite conflict at the commit deletes exactly the staged object and its record, and answers 409 after one attempt', async () => {
    ddb.on(GetItemCommand).resolves({ Item: { ver: { N: '3' } } });
    ddb.on(UpdateItemCommand).rejects(conditionFailed(smallHead('k', 9, 'theirs')));
    expectConflict(await call('putObjects', putBody([kv('k', 3, randomBytes(VALUE_BYTES))])));
    const record = staged();
    expect(objects.keys('delete')).toEqual([record.key]);
    expect(deleteItemSks()).toEqual([hex(chunkSetSortKey(record.id))]);
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(1);
  });

  it('persistent timeouts of the commit (ambiguous: it may have committed) answer 500 and keep the object and record', async () => {
    ddb.on(UpdateItemCommand).rejects(timeout());
    expectInternal(await call('putObjects', putBody([kv('k', -1, randomBytes(VALUE_BYTES))])));
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(RETRY.maxAttempts);
    expect(objects.keys('delete')).toEqual([]);
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(0);
  });

  it('a timeout, then the retry finds our own object committed (ALL_OLD): 200, and the object is kept', async () => {
    ddb.on(GetItemCommand).resolves({ Item: { ver: { N: '3' } } });
    ddb
      .on(UpdateItemCommand)
      .rejectsOnce(timeout())
      .callsFake(async () => {
        const record = staged();
        const head = objectHead('k', 4, randomBytes(1), record.key);
        throw conditionFailed(head);
      });
    expectOk(await call('putObjects', putBody([kv('k', 3, randomBytes(VALUE_BYTES))])));
    expect(objects.keys('delete')).toEqual([]);
    expect(retirements()).toEqual([]);
  });

  it('a conditioned put that cannot succeed fails on one consistent read, before any record or object', async () => {
    ddb.on(GetItemCommand).resolves({ Item: { ver: { N: '9' } } });
    expectConflict(await call('putObjects', putBody([kv('k', 3, randomBytes(VALUE_BYTES))])));
    expect(sequence()).toEqual(['GetItem']);
    expect(objects.calls).toEqual([]);
  });
});

describe('replacing and deleting a value in the object tier keeps its object for the retention period', () => {
  it('an overwrite learns the old object from its one UpdateItem (ALL_OLD) and retires its record; no object is deleted', async () => {
    const old = objectHead('k', 3, randomBytes(50_000));
    ddb.on(GetItemCommand).resolves({ Item: { ver: { N: '3' } } });
    ddb.on(UpdateItemCommand).resolves({ Attributes: old });
    const before = Date.now();
    expectOk(await call('putObjects', putBody([kv('k', 3, randomBytes(VALUE_BYTES))])));
    const [[id, at]] = retirements() as [[string, number]];
    expect(id).toBe(hex(idOf(old)));
    expect(at).toBeGreaterThanOrEqual(before + RETENTION);
    expect(at).toBeLessThanOrEqual(Date.now() + RETENTION);
    expect(objects.keys('delete')).toEqual([]);
    // The retirement never resurrects a record that is gone, nor moves an earlier retirement.
    const retire = ddb.commandCalls(UpdateItemCommand)[1]!.args[0].input;
    expect(retire.ConditionExpression).toBe('attribute_exists(#pk) AND attribute_not_exists(#del)');
  });

  it('a small put over an object value retires the old object too', async () => {
    const old = objectHead('k', 8, randomBytes(50_000));
    ddb.on(UpdateItemCommand).resolves({ Attributes: old });
    expectOk(await call('putObjects', putBody([kv('k', -1, 'small')])));
    expect(retirements().map(([id]) => id)).toEqual([hex(idOf(old))]);
    expect(ddb.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  it('DeleteObject of the right version retires the object; a wrong version retires nothing', async () => {
    const old = objectHead('k', 3, randomBytes(50_000));
    ddb.on(DeleteItemCommand).rejectsOnce(conditionFailed(old)).resolves({ Attributes: old });
    expectOk(await call('deleteObject', deleteBody('k', 2)));
    expect(retirements()).toEqual([]);
    expectOk(await call('deleteObject', deleteBody('k', 3)));
    expect(retirements().map(([id]) => id)).toEqual([hex(idOf(old))]);
    expect(objects.keys('delete')).toEqual([]);
  });

  it('a failing retirement does not fail the write (the sweeper retires the record when it finds it)', async () => {
    const old = objectHead('k', 3, randomBytes(50_000));
    ddb.on(UpdateItemCommand).resolvesOnce({ Attributes: old }).rejects(serverError());
    expectOk(await call('putObjects', putBody([kv('k', -1, 'small')])));
    expect(cleanupFailures).toHaveLength(1);
  });

  it('a transaction that finds an object value where it expected none corrects itself, commits, and then retires it', async () => {
    const old = objectHead('a', 1, randomBytes(50_000));
    ddb.on(GetItemCommand).resolves({ Item: { ver: { N: '1' } } });
    ddb
      .on(TransactWriteItemsCommand)
      .rejectsOnce(canceledWith([{ Code: 'ConditionalCheckFailed', Message: 'failed', Item: old }, { Code: 'None' }]))
      .resolves({});
    expectOk(await call('putObjects', putBody([kv('a', 1, randomBytes(VALUE_BYTES)), kv('b', 1, 'small')])));
    const second = ddb.commandCalls(TransactWriteItemsCommand)[1]!.args[0].input.TransactItems![0]!.Update!;
    expect(second.ExpressionAttributeValues![':lvid']).toEqual({ B: idOf(old) });
    expect(retirements().map(([id]) => id)).toEqual([hex(idOf(old))]);
  });

  it('a transaction with a real version mismatch answers 409 and deletes the staged object and record', async () => {
    ddb.on(GetItemCommand).resolves({ Item: { ver: { N: '1' } } });
    ddb
      .on(TransactWriteItemsCommand)
      .rejects(canceledWith([{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Message: 'failed', Item: smallHead('b', 4, 'x') }]));
    expectConflict(await call('putObjects', putBody([kv('a', 1, randomBytes(VALUE_BYTES)), kv('b', 1, 'small')])));
    const record = staged();
    expect(objects.keys('delete')).toEqual([record.key]);
    expect(deleteItemSks()).toEqual([hex(chunkSetSortKey(record.id))]);
  });
});

// ---- reading ------------------------------------------------------------------------------------

describe('reading a value from the object tier', () => {
  it('one consistent GetItem of the head and one object GET; the bytes are returned when length and SHA-256 match', async () => {
    const value = randomBytes(VALUE_BYTES);
    const head = objectHead('k', 5, value);
    objects.objects.set(head['lv']!.M!['k']!.S!, value);
    ddb.on(GetItemCommand).resolves({ Item: head });
    const r = await call('getObject', getBody('k'));
    expectOk(r);
    const got = vss.GetObjectResponse.decode(bodyBytes(r.body)).value!;
    expect(Buffer.from(got.value!).equals(value)).toBe(true);
    expect(got.version!.toString()).toBe('5');
    expect(sequence()).toEqual(['GetItem']);
    expect(objects.keys('get')).toHaveLength(1);
  });

  it('other bytes, fewer bytes or no object at all: 500, never the bytes', async () => {
    const value = randomBytes(VALUE_BYTES);
    const head = objectHead('k', 5, value);
    const key = head['lv']!.M!['k']!.S!;
    ddb.on(GetItemCommand).resolves({ Item: head });
    const flipped = Buffer.from(value);
    flipped[77] = flipped[77]! ^ 1;
    for (const stored of [flipped, value.subarray(1), undefined]) {
      if (stored) objects.objects.set(key, stored);
      else objects.objects.delete(key);
      expectInternal(await call('getObject', getBody('k')));
    }
  });

  it('a descriptor that does not parse (a key outside the layout, a short digest) is a 500 without any object request', async () => {
    const head = objectHead('k', 5, randomBytes(10));
    for (const lv of [
      { ...head['lv']!.M!, k: { S: '../etc/passwd' } },
      { ...head['lv']!.M!, sha: { B: Buffer.alloc(16) } },
    ]) {
      ddb.on(GetItemCommand).resolves({ Item: { ...head, lv: { M: lv } } });
      expectInternal(await call('getObject', getBody('k')));
    }
    expect(objects.calls).toEqual([]);
  });

  it('an object store fault on read is a 500', async () => {
    ddb.on(GetItemCommand).resolves({ Item: objectHead('k', 5, randomBytes(10)) });
    objects.failing.get = () => Object.assign(new Error('injected'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } });
    expectInternal(await call('getObject', getBody('k')));
  });
});

// ---- sweeping -----------------------------------------------------------------------------------

describe('the sweeper and object records', () => {
  // No retries here: a fault reaches the caller at once (the retry policy is tested on its own).
  const sweeperTable = (): TableClient =>
    new TableClient({ client, tableName: TABLE, retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, budgetMs: 0 } });
  const NOW = 10_000_000_000;
  const GRACE = 3_600_000;
  const RECHECK = 7 * 24 * 3_600_000;
  const objectRecord = (key: string, objectKey: string, extra: Record<string, AttributeValue> = {}): Record<string, AttributeValue> => ({
    pk: { S: PK },
    sk: { B: chunkSetSortKey(Buffer.from(objectKey.slice(-32), 'hex')) },
    gcHead: { B: sortKeyOf(key) },
    gcN: { N: '0' },
    gcKey: { S: objectKey },
    gcShard: { S: '0' },
    gcAt: { N: String(NOW - GRACE - 1) },
    ...extra,
  });

  /** One record in shard 0; heads and records answered from `items` by sort key. */
  function table(record: Record<string, AttributeValue>, head: Record<string, AttributeValue> | undefined): void {
    ddb.on(QueryCommand).callsFake(async (input) => ({ Items: input.ExpressionAttributeValues[':shard'].S === '0' ? [record] : [] }));
    ddb.on(GetItemCommand).callsFake(async (input) => {
      const sk = hex(input.Key.sk.B);
      if (sk === hex(record['sk']!.B!)) return { Item: record };
      return head ? { Item: head } : {};
    });
  }
  const sweep = () => sweepChunkSets(sweeperTable(), { nowMs: NOW, graceMs: GRACE, recheckMs: RECHECK, objects, retentionMs: RETENTION });

  it('a live object is looked at again after the recheck period; nothing is deleted', async () => {
    const key = newObjectKey(USER);
    table(objectRecord('k', key), objectHead('k', 1, randomBytes(1), key));
    expect(await sweep()).toMatchObject({ examined: 1, live: 1, objectsRemoved: 0, objectsRetired: 0 });
    const update = ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(update.ExpressionAttributeValues![':at']).toEqual({ N: String(NOW + RECHECK) });
    expect(objects.keys('delete')).toEqual([]);
  });

  it('an object no head points at, never retired (a crash, an unclear commit), is retired from now: kept for the retention period', async () => {
    const key = newObjectKey(USER);
    table(objectRecord('k', key), objectHead('k', 2, randomBytes(1)));
    expect(await sweep()).toMatchObject({ examined: 1, live: 0, objectsRemoved: 0, objectsRetired: 1 });
    expect(retirements()).toEqual([[key.slice(-32), NOW + RETENTION]]);
    expect(objects.keys('delete')).toEqual([]);
  });

  it('a retired object whose retention has ended is deleted, object first, then its record', async () => {
    const key = newObjectKey(USER);
    objects.objects.set(key, Buffer.from('old'));
    table(objectRecord('k', key, { gcDel: { N: String(NOW - 1) } }), undefined);
    expect(await sweep()).toMatchObject({ objectsRemoved: 1 });
    expect(objects.keys('delete')).toEqual([key]);
    expect(deleteItemSks()).toEqual([hex(chunkSetSortKey(Buffer.from(key.slice(-32), 'hex')))]);
  });

  it('an abandoned write (it never committed) is deleted after the grace period, without retention', async () => {
    const key = newObjectKey(USER);
    table(objectRecord('k', key, { gcAbandon: { BOOL: true } }), undefined);
    expect(await sweep()).toMatchObject({ objectsRemoved: 1 });
    expect(objects.keys('delete')).toEqual([key]);
  });

  it('a retired object still within its retention is postponed to its end, not deleted', async () => {
    const key = newObjectKey(USER);
    table(objectRecord('k', key, { gcDel: { N: String(NOW + 5000) } }), undefined);
    expect(await sweep()).toMatchObject({ objectsRemoved: 0, objectsRetired: 0 });
    expect(ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input.ExpressionAttributeValues![':at']).toEqual({ N: String(NOW + 5000) });
    expect(objects.keys('delete')).toEqual([]);
  });

  it('a failing object delete propagates and the record is kept (the next run retries)', async () => {
    const key = newObjectKey(USER);
    objects.failing.delete = () => new Error('S3 down');
    table(objectRecord('k', key, { gcDel: { N: String(NOW - 1) } }), undefined);
    await expect(sweep()).rejects.toThrow('S3 down');
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(0);
  });

  it('without an object store the sweeper leaves object records alone', async () => {
    const key = newObjectKey(USER);
    table(objectRecord('k', key, { gcAbandon: { BOOL: true } }), undefined);
    expect(await sweepChunkSets(sweeperTable(), { nowMs: NOW })).toMatchObject({ examined: 1, objectsRemoved: 0 });
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(0);
  });
});
