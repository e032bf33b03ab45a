/**
 * The object tier of the value-placement port (value-placement.ts, docs/large-values.md): a value
 * whose head item would be larger than the threshold is written as one object in the value
 * bucket (the ObjectStore port, core/object-store.ts), and its head keeps a descriptor instead of
 * the bytes:
 *
 *   lv = { t: 's3', id: B(16), k: S(object key), len: N, sha: B(32) }
 *
 * Write order, so nothing half-written is ever visible and nothing is ever lost track of:
 *   1. a record item (sk 0xFD ‖ id, in the same sweep index as chunk sets, gcN = 0) naming the
 *      head and the object, so the sweeper can always find the object;
 *   2. the object, under a key no other write uses (object-keys.ts);
 *   3. the head, conditionally (dynamodb-store.ts): the commit point. Readers see the old value
 *      or the new one, never a part.
 *
 * Lifecycle. An object is deleted only when no head points at it, and no head of a table restored
 * to any point of the retention window (point-in-time recovery) can either:
 *   - replaced or deleted (the writer learns it from its commit, `remove`): kept `retentionMs`
 *     from then; the record is marked with the time it may go;
 *   - a write that definitely did not commit (a conflict, the object or the commit refused,
 *     `discard`): deleted at once, or, if that fails, marked abandoned and deleted by the sweeper
 *     after its grace period;
 *   - anything unclear (a crash, a timeout of the commit): the write may have committed, so the
 *     sweeper retires it when it first finds no head pointing at it (sweepObjectRecord).
 * erase-user deletes a user's objects at once (by the user's key prefix).
 */
import { DeleteItemCommand, GetItemCommand, PutItemCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { LARGE_VALUES } from '../contract.js';
import type { ObjectStore } from '../core/object-store.js';
import { NUMBER_BYTES_MAX } from './item-size.js';
import { scopeOfPartitionKey } from './keys.js';
import { ChunkTier, chunkSetSortKey, SWEEP_SHARDS } from './large-values.js';
import { isObjectKeyOf, newObjectKey } from './object-keys.js';
import type { TableClient } from './table-client.js';
import { TABLE_LAYOUT } from './table-layout.js';
import { ValuePlacement, type StageRequest, type ValueRef, type ValueTier } from './value-placement.js';

/** The tier tag of an object descriptor. */
export const OBJECT_TIER = 's3';
const ID_BYTES = 16;
const SHA256_BYTES = 32;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Longest object key: values/ + 64 hex + / + 32 hex (object-keys.ts). */
const OBJECT_KEY_CHARS = 7 + 64 + 1 + ID_BYTES * 2;
/** Upper bound of the stored size of an object descriptor, attribute names included. */
export const OBJECT_DESCRIPTOR_BYTES =
  3 + // the map itself
  (1 + 1 + OBJECT_TIER.length) + // t
  (2 + 1 + ID_BYTES) + // id
  (1 + 1 + OBJECT_KEY_CHARS) + // k
  (3 + 1 + NUMBER_BYTES_MAX) + // len
  (3 + 1 + SHA256_BYTES); // sha

const A = TABLE_LAYOUT.attributes;
const PK = TABLE_LAYOUT.partitionKey.name;
const SK = TABLE_LAYOUT.sortKey.name;

export function retentionMsOf(days: number = LARGE_VALUES.defaultRetentionDays): number {
  return days * DAY_MS;
}

/** A value in the object store, as its head describes it. */
export interface ObjectRef {
  readonly id: Uint8Array;
  readonly key: string;
  readonly bytes: number;
  readonly sha256: Uint8Array;
}

/** Stored bytes are not what the head says: answered 500 and logged, never served. */
export class ValueIntegrityError extends Error {
  override readonly name = 'ValueIntegrityError';
}

/** The object a descriptor names; a descriptor that does not parse is corruption, never a guess. */
export function objectRefOf(pk: string, ref: ValueRef): ObjectRef {
  const key = ref.fields['k']?.S;
  const sha = ref.fields['sha']?.B;
  const userToken = scopeOfPartitionKey(pk)?.userToken;
  if (
    ref.tier !== OBJECT_TIER ||
    ref.id.length !== ID_BYTES ||
    !key ||
    userToken === undefined ||
    !isObjectKeyOf(key, userToken) ||
    key.slice(-ID_BYTES * 2) !== Buffer.from(ref.id).toString('hex') ||
    !sha ||
    sha.length !== SHA256_BYTES ||
    !Number.isSafeInteger(ref.bytes)
  )
    throw new ValueIntegrityError('a head holds a malformed object descriptor');
  return { id: ref.id, key, bytes: ref.bytes, sha256: sha };
}

function valueRefOfObject(ref: ObjectRef): ValueRef {
  return { tier: OBJECT_TIER, id: ref.id, bytes: ref.bytes, fields: { k: { S: ref.key }, sha: { B: ref.sha256 } } };
}

export interface ObjectTierOptions {
  /** How long a replaced or deleted object is kept. @default LARGE_VALUES.defaultRetentionDays */
  readonly retentionMs?: number;
  /**
   * Called with a value's length before its object is fetched; throws to refuse the read, so
   * that nothing is fetched (the container door bounds the bytes it holds this way,
   * local/memory-budget.ts). @default every read is admitted
   */
  readonly admitRead?: (bytes: number) => void;
}

/** Values in the value bucket: the write tier of every deployed and local store. */
export class ObjectTier implements ValueTier {
  readonly name = OBJECT_TIER;
  readonly descriptorBytes = OBJECT_DESCRIPTOR_BYTES;
  readonly retentionMs: number;
  private readonly admitRead: ((bytes: number) => void) | undefined;

  constructor(
    private readonly table: TableClient,
    readonly objects: ObjectStore,
    options: ObjectTierOptions = {},
  ) {
    this.retentionMs = options.retentionMs ?? retentionMsOf();
    this.admitRead = options.admitRead;
  }

  /** Steps 1 and 2 of the module comment: the record, then the object. */
  async stage(r: StageRequest): Promise<ValueRef> {
    const userToken = scopeOfPartitionKey(r.pk)?.userToken;
    if (userToken === undefined) throw new Error('a partition key without a user');
    const key = newObjectKey(userToken);
    const ref: ObjectRef = {
      id: Buffer.from(key.slice(-ID_BYTES * 2), 'hex'),
      key,
      bytes: r.value.length,
      sha256: createHash('sha256').update(r.value).digest(),
    };
    await this.table.run('PutItem', () =>
      this.table.client.send(
        new PutItemCommand({
          TableName: this.table.tableName,
          Item: {
            [PK]: { S: r.pk },
            [SK]: { B: chunkSetSortKey(ref.id) },
            [A.chunkSetHead]: { B: r.headSk },
            // No chunks: the record leads to an object.
            [A.chunkSetCount]: { N: '0' },
            [A.objectKey]: { S: ref.key },
            [A.sweepShard]: { S: String(randomInt(SWEEP_SHARDS)) },
            [A.sweepAt]: { N: String(r.nowMs) },
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    const staged = valueRefOfObject(ref);
    try {
      await this.objects.put(ref.key, r.value, ref.sha256);
    } catch (e) {
      // Nothing can commit this value now: what was staged goes (or is marked for the sweeper).
      await this.discard(r.pk, staged).catch(() => undefined);
      throw e;
    }
    return staged;
  }

  /** The value's bytes, checked against the descriptor's length and SHA-256. */
  async read(pk: string, ref: ValueRef): Promise<Uint8Array> {
    const o = objectRefOf(pk, ref);
    this.admitRead?.(o.bytes);
    const value = await this.objects.get(o.key);
    // Objects outlive every head that points at them (module comment): a missing one is a fault.
    if (value === undefined) throw new ValueIntegrityError(`value object ${o.key} is missing`);
    const digest = createHash('sha256').update(value).digest();
    if (value.length !== o.bytes || !timingSafeEqual(digest, Buffer.from(o.sha256)))
      throw new ValueIntegrityError(
        `value object ${o.key} holds ${value.length} bytes with SHA-256 ${digest.toString('hex')}; its head says ${o.bytes} bytes, ${Buffer.from(o.sha256).toString('hex')}`,
      );
    return value;
  }

  /**
   * A committed write replaced or deleted the value: the object stays for the retention period,
   * and the sweeper looks at its record when it ends. Should this fail, the sweeper retires the
   * record when it finds it unreferenced (later, so the object is kept longer, never shorter).
   */
  async remove(pk: string, ref: ValueRef): Promise<void> {
    await retireRecord(this.table, pk, ref.id, Date.now() + this.retentionMs);
  }

  /**
   * A write that definitely did not commit: its object and record go now. If the object store
   * cannot delete it, the record is marked abandoned so the sweeper deletes it after its grace
   * period, without the retention a committed value gets.
   */
  async discard(pk: string, ref: ValueRef): Promise<void> {
    const o = objectRefOf(pk, ref);
    try {
      await this.objects.delete([o.key]);
    } catch (e) {
      await this.table.run('UpdateItem', () =>
        this.table.client.send(
          new UpdateItemCommand({
            TableName: this.table.tableName,
            Key: { [PK]: { S: pk }, [SK]: { B: chunkSetSortKey(o.id) } },
            UpdateExpression: 'SET #abandoned = :yes',
            ConditionExpression: 'attribute_exists(#pk)',
            ExpressionAttributeNames: { '#pk': PK, '#abandoned': A.objectAbandoned },
            ExpressionAttributeValues: { ':yes': { BOOL: true } },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      );
      throw e;
    }
    await deleteRecord(this.table, pk, o.id);
  }
}

/** Marks an object record: its object may be deleted from `deleteAtMs`, when the sweeper looks again. */
async function retireRecord(t: TableClient, pk: string, id: Uint8Array, deleteAtMs: number): Promise<void> {
  await t
    .run('UpdateItem', () =>
      t.client.send(
        new UpdateItemCommand({
          TableName: t.tableName,
          Key: { [PK]: { S: pk }, [SK]: { B: chunkSetSortKey(id) } },
          UpdateExpression: 'SET #del = :at, #at = :at',
          // Never re-create a record that erase-user or the sweeper removed, nor move a retirement.
          ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#del)',
          ExpressionAttributeNames: { '#pk': PK, '#del': A.objectDeleteAt, '#at': A.sweepAt },
          ExpressionAttributeValues: { ':at': { N: String(deleteAtMs) } },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    )
    .catch((e: Error) => {
      if (e.name !== 'ConditionalCheckFailedException') throw e;
    });
}

/** Removes an object record (after its object: a record must outlive its object). */
async function deleteRecord(t: TableClient, pk: string, id: Uint8Array): Promise<void> {
  await t.run('DeleteItem', () =>
    t.client.send(
      new DeleteItemCommand({
        TableName: t.tableName,
        Key: { [PK]: { S: pk }, [SK]: { B: chunkSetSortKey(id) } },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    ),
  );
}

/** Is this sweep-index record an object record (rather than a chunk set)? */
export function isObjectRecord(record: Record<string, AttributeValue>): boolean {
  return record[A.chunkSetCount]?.N === '0';
}

/**
 * The sweeper's step for an object record whose head does not point at it (module comment,
 * "Lifecycle"): deleted when its write was abandoned or its retention has ended; otherwise
 * retired now and looked at again when the retention ends.
 */
export async function sweepObjectRecord(
  t: TableClient,
  objects: ObjectStore,
  pk: string,
  id: Uint8Array,
  nowMs: number,
  retentionMs: number,
): Promise<'removed' | 'retired' | 'waiting' | 'gone'> {
  const out = await t.run('GetItem', () =>
    t.client.send(
      new GetItemCommand({
        TableName: t.tableName,
        Key: { [PK]: { S: pk }, [SK]: { B: chunkSetSortKey(id) } },
        ConsistentRead: true,
        ProjectionExpression: '#key, #del, #abandoned',
        ExpressionAttributeNames: { '#key': A.objectKey, '#del': A.objectDeleteAt, '#abandoned': A.objectAbandoned },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    ),
  );
  const record = out.Item;
  if (!record) return 'gone';
  const key = record[A.objectKey]?.S;
  const deleteAt = record[A.objectDeleteAt]?.N;
  if (record[A.objectAbandoned]?.BOOL === true || (deleteAt !== undefined && Number(deleteAt) <= nowMs)) {
    // The object first, then its record: no object is ever without a record that leads to it.
    if (key !== undefined) await objects.delete([key]);
    await deleteRecord(t, pk, id);
    return 'removed';
  }
  if (deleteAt !== undefined) {
    await postponeRecord(t, pk, chunkSetSortKey(id), Number(deleteAt));
    return 'waiting';
  }
  await retireRecord(t, pk, id, nowMs + retentionMs);
  return 'retired';
}

/** A record is looked at again at `atMs`; one removed meanwhile is fine. */
export async function postponeRecord(t: TableClient, pk: string, recordSk: Uint8Array, atMs: number): Promise<void> {
  await t
    .run('UpdateItem', () =>
      t.client.send(
        new UpdateItemCommand({
          TableName: t.tableName,
          Key: { [PK]: { S: pk }, [SK]: { B: recordSk } },
          UpdateExpression: 'SET #at = :at',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#at': A.sweepAt, '#pk': PK },
          ExpressionAttributeValues: { ':at': { N: String(atMs) } },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    )
    .catch((e: Error) => {
      if (e.name !== 'ConditionalCheckFailedException') throw e;
    });
}

/**
 * The placement of every deployed and local store: new large values go to the object tier;
 * chunk sets written by the previous release still read back and are removed through the chunk
 * tier (DynamoDB chunking is retired as a way to write).
 */
export function objectPlacement(objects: ObjectStore, options: ObjectTierOptions = {}): (table: TableClient) => ValuePlacement {
  return (table) => new ValuePlacement([new ChunkTier(table), new ObjectTier(table, objects, options)], OBJECT_TIER);
}
