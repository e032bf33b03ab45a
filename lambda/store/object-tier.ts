/**
 * The object tier (docs/large-values.md): a value whose head item would be larger than the
 * threshold is written as one object in the value bucket (the ObjectStore port), and its head
 * keeps a descriptor instead of the bytes:
 *
 *   lv = { t: 's3', id: B(16), k: S(object key), len: N, sha: B(32) }
 *
 * Write order, so nothing half-written is ever visible and nothing is ever lost track of:
 *   1. a record item (sk 0xFD ‖ id, the same sweep index as the retired chunk sets) naming the
 *      head and the object, so the sweeper can always find the object;
 *   2. the object (a fresh key: object-keys.ts);
 *   3. the head, conditionally (dynamodb-store.ts): the commit point. Readers see the old value
 *      or the new one, never a part.
 *
 * Lifecycle. An object is deleted only when it is certain that no head points at it, and no head
 * of a table restored to any point of the retention window (PITR) can either:
 *   - replaced or deleted (the writer learns it from the commit): kept `retention` from then;
 *   - a write that definitely failed (conflict, the object or the commit refused): deleted at
 *     once, or, if that fails too, marked abandoned and deleted by the sweeper after its grace;
 *   - anything unclear (a crash, a timeout of the commit): the write may have committed, so the
 *     sweeper treats it as replaced when it first finds no head pointing at it.
 * The sweeper (chunk-sweeper.ts) keeps the rule; erase-user deletes a user's objects at once.
 */
import {
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type ConsumedCapacity,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { LARGE_VALUES } from '../contract.js';
import type { ObjectStore } from '../core/object-store.js';
import type { DynamoDbRequestEvent } from './dynamodb-store.js';
import { chunkSetSortKey, largeRefOf, SWEEP_SHARDS, type LargeRef } from './large-values.js';
import { isValueObjectKey, newObjectKey } from './object-keys.js';
import { TABLE_LAYOUT } from './table-layout.js';

/** The tier tag of an object descriptor. */
export const OBJECT_TIER = 's3';
const ID_BYTES = 16;
const SHA256_BYTES = 32;
const DAY_MS = 24 * 60 * 60 * 1000;

const A = TABLE_LAYOUT.attributes;
const PK = TABLE_LAYOUT.partitionKey.name;
const SK = TABLE_LAYOUT.sortKey.name;

/** Settings of the object tier of a store. */
export interface ObjectTierOptions {
  readonly objects: ObjectStore;
  /** A value whose head item would be larger goes to the object store. @default LARGE_VALUES.defaultInlineMaxBytes */
  readonly inlineMaxBytes?: number;
  /** How long a replaced or deleted object is kept. @default LARGE_VALUES.defaultRetentionDays */
  readonly retentionMs?: number;
}

export function retentionMsOf(days: number = LARGE_VALUES.defaultRetentionDays): number {
  return days * DAY_MS;
}

/** A value in the object store, as its head describes it. */
export interface ObjectRef {
  readonly tier: typeof OBJECT_TIER;
  readonly id: Uint8Array;
  readonly key: string;
  readonly bytes: number;
  readonly sha256: Uint8Array;
}

export function newObjectRef(userToken: string, value: Uint8Array): ObjectRef {
  const key = newObjectKey(userToken);
  return {
    tier: OBJECT_TIER,
    id: Buffer.from(key.slice(-ID_BYTES * 2), 'hex'),
    key,
    bytes: value.length,
    sha256: createHash('sha256').update(value).digest(),
  };
}

/** Upper bound of a descriptor's stored size: names, the 16-byte id, the key, a number, the digest. */
export const OBJECT_REF_BYTES = 2 + 1 + OBJECT_TIER.length + 2 + ID_BYTES + 1 + 112 + 3 + 21 + 3 + SHA256_BYTES;

export function objectRefAttribute(ref: ObjectRef): AttributeValue {
  return {
    M: {
      t: { S: OBJECT_TIER },
      id: { B: ref.id },
      k: { S: ref.key },
      len: { N: String(ref.bytes) },
      sha: { B: ref.sha256 },
    },
  };
}

/** The object descriptor of a head, or undefined when the head holds none (inline, chunks). */
export function objectRefOf(item: Record<string, AttributeValue> | undefined): ObjectRef | undefined {
  const m = item?.[A.largeValue]?.M;
  if (m?.['t']?.S !== OBJECT_TIER) return undefined;
  const id = m['id']?.B;
  const key = m['k']?.S;
  const len = m['len']?.N;
  const sha = m['sha']?.B;
  // A descriptor that does not parse is corruption: never guess where the bytes are.
  if (!id || id.length !== ID_BYTES || !key || !isValueObjectKey(key) || !len || !sha || sha.length !== SHA256_BYTES)
    throw new ValueIntegrityError('a head holds a malformed object descriptor');
  return { tier: OBJECT_TIER, id, key, bytes: Number(len), sha256: sha };
}

/** Stored bytes are not what the head says: answered 500 and logged, never served. */
export class ValueIntegrityError extends Error {
  override readonly name = 'ValueIntegrityError';
}

/** What the object tier needs of the table: the client, and requests run with the store's retries. */
export interface ObjectTable {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  run<T extends { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }>(
    command: DynamoDbRequestEvent['command'],
    send: () => Promise<T>,
  ): Promise<T>;
}

/** Where a head's value lives besides inline: chunks of the previous release, or an object. */
export type StoredRef = LargeRef | ObjectRef;

export function isObjectRef(ref: StoredRef | undefined): ref is ObjectRef {
  return ref !== undefined && 'tier' in ref;
}

/** The head's large-value descriptor of either kind; undefined for an inline value or no head. */
export function storedRefOf(item: Record<string, AttributeValue> | undefined): StoredRef | undefined {
  return objectRefOf(item) ?? largeRefOf(item);
}

/** The id of a head's descriptor of either kind (what commits and the sweeper compare). */
export function descriptorIdOf(item: Record<string, AttributeValue> | undefined): Uint8Array | undefined {
  return item?.[A.largeValue]?.M?.['id']?.B;
}

/** Steps 1 and 2 of the module comment: the record, then the object. */
export async function stageObject(
  t: ObjectTable,
  objects: ObjectStore,
  pk: string,
  headSk: Uint8Array,
  ref: ObjectRef,
  value: Uint8Array,
  nowMs: number,
): Promise<void> {
  await t.run('PutItem', () =>
    t.client.send(
      new PutItemCommand({
        TableName: t.tableName,
        Item: {
          [PK]: { S: pk },
          [SK]: { B: chunkSetSortKey(ref.id) },
          [A.chunkSetHead]: { B: headSk },
          // No chunks: the record leads to an object, whose key follows from the user and the id.
          [A.chunkSetCount]: { N: '0' },
          [A.objectKey]: { S: ref.key },
          [A.sweepShard]: { S: String(randomInt(SWEEP_SHARDS)) },
          [A.sweepAt]: { N: String(nowMs) },
        },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': PK },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    ),
  );
  await objects.put(ref.key, value, ref.sha256);
}

/** The value's bytes, checked against the descriptor's length and SHA-256. */
export async function readObject(objects: ObjectStore, ref: ObjectRef): Promise<Uint8Array> {
  const value = await objects.get(ref.key);
  // Objects outlive every head that points at them (module comment): a missing one is a fault.
  if (value === undefined) throw new ValueIntegrityError(`value object ${ref.key} is missing`);
  const digest = createHash('sha256').update(value).digest();
  if (value.length !== ref.bytes || !timingSafeEqual(digest, Buffer.from(ref.sha256)))
    throw new ValueIntegrityError(
      `value object ${ref.key} holds ${value.length} bytes with SHA-256 ${digest.toString('hex')}; its head says ${ref.bytes} bytes, ${Buffer.from(ref.sha256).toString('hex')}`,
    );
  return value;
}

/**
 * A committed write replaced or deleted the value: the object stays until `deleteAtMs`, and the
 * sweeper looks at its record then. Best effort: the sweeper finds an unmarked record anyway
 * (later, so the object is kept longer, never shorter).
 */
export async function retireObject(t: ObjectTable, pk: string, ref: Pick<ObjectRef, 'id'>, deleteAtMs: number): Promise<void> {
  await t
    .run('UpdateItem', () =>
      t.client.send(
        new UpdateItemCommand({
          TableName: t.tableName,
          Key: { [PK]: { S: pk }, [SK]: { B: chunkSetSortKey(ref.id) } },
          UpdateExpression: 'SET #del = :at, #at = :at',
          // Never re-create a record that erase-user or the sweeper removed.
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

/**
 * A write that definitely did not commit: its object and record go now. If the object store
 * cannot delete it, the record is marked abandoned so the sweeper deletes it after its grace
 * period, without the retention a committed value gets.
 */
export async function discardObject(t: ObjectTable, objects: ObjectStore, pk: string, ref: ObjectRef): Promise<void> {
  try {
    await objects.delete([ref.key]);
  } catch (e) {
    await t.run('UpdateItem', () =>
      t.client.send(
        new UpdateItemCommand({
          TableName: t.tableName,
          Key: { [PK]: { S: pk }, [SK]: { B: chunkSetSortKey(ref.id) } },
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
  await deleteRecord(t, pk, ref.id);
}

/** Removes an object record (after its object is gone: a record must outlive its object). */
export async function deleteRecord(t: ObjectTable, pk: string, id: Uint8Array): Promise<void> {
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
