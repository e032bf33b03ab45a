/**
 * The chunk tier of the value-placement port (value-placement.ts): values larger than one
 * DynamoDB item, in DynamoDB itself (docs/large-values.md).
 *
 * A large value is split into immutable chunk items named by a fresh random id, written before
 * the record's head item is committed; the head then points at them ({id, n, len} in `lv`). The
 * conditional write of the head is the commit point, so a large value appears atomically with its
 * version check or not at all, and readers never see a partial value.
 *
 * Every chunk set also has a small record (sk 0xFD ‖ id) written *before* its chunks, naming the
 * head it belongs to. While the head points at the set it is live; once it does not (the write
 * never committed, or the value was replaced or deleted and the writer crashed before cleaning
 * up), the sweeper (chunk-sweeper.ts) deletes the chunks and then the record. So no chunk ever
 * exists without a record that leads to it: nothing can be orphaned.
 */
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  PutItemCommand,
  type AttributeValue,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { randomBytes, randomInt } from 'node:crypto';
import { internalError } from '../core/errors.js';
import type { TableClient } from './table-client.js';
import { TABLE_LAYOUT } from './table-layout.js';
import { CHUNKS_TIER, type StageRequest, type ValueRef, type ValueTier } from './value-placement.js';

/** Payload bytes per chunk item: leaves ≥ 8 KB of the 400 KB item for keys and names. */
export const CHUNK_BYTES = 400_000;
/** Spreads chunk-set records over a few sweep-index partitions. */
export const SWEEP_SHARDS = 4;
/** Sort-key prefixes of chunk items and chunk-set records; never the first byte of a record key's UTF-8. */
export const CHUNK_PREFIX = 0xfe;
export const CHUNK_SET_PREFIX = 0xfd;
const ID_BYTES = 16;
/** Upper bound of the stored size of a chunk descriptor {id: 16 B, n, len} (names included). */
const NUMBER_BYTES_MAX = 21;
export const CHUNK_DESCRIPTOR_BYTES = 3 * 3 + 2 + ID_BYTES + 2 * NUMBER_BYTES_MAX + 8;
/** BatchWriteItem: at most 25 requests and 16 MB per call; we stay below 12 MB of payload. */
const BATCH_WRITE_ITEMS = 25;
const BATCH_WRITE_BYTES = 12_000_000;
/** BatchGetItem: at most 100 keys; responses above 16 MB come back as UnprocessedKeys. */
const BATCH_GET_KEYS = 100;
const MAX_BATCH_ROUNDS = 8;

const A = TABLE_LAYOUT.attributes;
const PK = TABLE_LAYOUT.partitionKey.name;
const SK = TABLE_LAYOUT.sortKey.name;

export interface LargeRef {
  readonly id: Uint8Array;
  readonly chunks: number;
  readonly bytes: number;
}

export function newLargeRef(bytes: number): LargeRef {
  return { id: randomBytes(ID_BYTES), chunks: Math.max(1, Math.ceil(bytes / CHUNK_BYTES)), bytes };
}

export function chunkSortKey(id: Uint8Array, index: number): Uint8Array {
  const sk = new Uint8Array(1 + ID_BYTES + 2);
  sk[0] = CHUNK_PREFIX;
  sk.set(id, 1);
  sk[1 + ID_BYTES] = index >> 8;
  sk[2 + ID_BYTES] = index & 0xff;
  return sk;
}

export function chunkSetSortKey(id: Uint8Array): Uint8Array {
  const sk = new Uint8Array(1 + ID_BYTES);
  sk[0] = CHUNK_SET_PREFIX;
  sk.set(id, 1);
  return sk;
}

export function idOfChunkSetSortKey(sk: Uint8Array): Uint8Array {
  return sk.subarray(1, 1 + ID_BYTES);
}

/** What a partition's item is, by its sort key: a record head, or one of the chunk tier's items. */
export function itemKindOfSortKey(sk: Uint8Array): 'record' | 'chunk' | 'chunk-set' {
  if (sk[0] === CHUNK_PREFIX) return 'chunk';
  if (sk[0] === CHUNK_SET_PREFIX) return 'chunk-set';
  return 'record';
}

/** The chunk descriptor of a head (chunk count from `n`). */
export function chunkRefOf(ref: ValueRef): LargeRef {
  const chunks = Number(ref.fields['n']?.N);
  // A descriptor that does not name its chunks is corruption: never read or remove by guess.
  if (!Number.isInteger(chunks) || chunks < 1) throw internalError();
  return { id: ref.id, chunks, bytes: ref.bytes };
}

function valueRefOfChunks(ref: LargeRef): ValueRef {
  return { tier: CHUNKS_TIER, id: ref.id, bytes: ref.bytes, fields: { n: { N: String(ref.chunks) } } };
}

/**
 * Today's placement of large values: chunk items in the record's own partition. Its descriptor
 * carries no tier tag (value-placement.ts), exactly as before tiers existed.
 */
export class ChunkTier implements ValueTier {
  readonly name = CHUNKS_TIER;
  readonly descriptorBytes = CHUNK_DESCRIPTOR_BYTES;

  constructor(private readonly table: TableClient) {}

  async stage(r: StageRequest): Promise<ValueRef> {
    const ref = newLargeRef(r.value.length);
    await stageChunkSet(this.table, r.pk, r.headSk, ref, r.value, r.nowMs);
    return valueRefOfChunks(ref);
  }

  async read(pk: string, ref: ValueRef): Promise<Uint8Array | undefined> {
    return readChunkSet(this.table, pk, chunkRefOf(ref));
  }

  async remove(pk: string, ref: ValueRef): Promise<void> {
    return deleteChunkSet(this.table, pk, chunkRefOf(ref));
  }
}

/**
 * Writes a chunk set: first its record (so the sweeper can always find the chunks), then the
 * chunks. Nothing is visible to readers until a head points at `ref.id`.
 */
export async function stageChunkSet(
  t: TableClient,
  pk: string,
  headSk: Uint8Array,
  ref: LargeRef,
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
          [A.chunkSetCount]: { N: String(ref.chunks) },
          [A.sweepShard]: { S: String(randomInt(SWEEP_SHARDS)) },
          [A.sweepAt]: { N: String(nowMs) },
        },
        // A fresh random id never exists; the condition makes a collision an error, not an overwrite.
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': PK },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    ),
  );
  const requests: WriteRequest[] = [];
  for (let i = 0; i < ref.chunks; i++) {
    const part = value.subarray(i * CHUNK_BYTES, Math.min(value.length, (i + 1) * CHUNK_BYTES));
    requests.push({ PutRequest: { Item: { [PK]: { S: pk }, [SK]: { B: chunkSortKey(ref.id, i) }, [A.value]: { B: part } } } });
  }
  await batchWrite(t, requests, (r) => r.PutRequest?.Item?.[A.value]?.B?.length ?? 0);
}

/** Deletes a chunk set's chunks, then its record (that order keeps the sweeper's invariant). */
export async function deleteChunkSet(t: TableClient, pk: string, ref: Pick<LargeRef, 'id' | 'chunks'>): Promise<void> {
  const requests: WriteRequest[] = [];
  for (let i = 0; i < ref.chunks; i++) requests.push({ DeleteRequest: { Key: { [PK]: { S: pk }, [SK]: { B: chunkSortKey(ref.id, i) } } } });
  await batchWrite(t, requests, () => 64);
  await t.run('DeleteItem', () =>
    t.client.send(
      new DeleteItemCommand({
        TableName: t.tableName,
        Key: { [PK]: { S: pk }, [SK]: { B: chunkSetSortKey(ref.id) } },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    ),
  );
}

/**
 * Strongly consistent BatchGetItem of `keys` (100 a call). Unprocessed keys are sent again after
 * the store's backoff, for at most MAX_BATCH_ROUNDS rounds (then a 500, which clients retry);
 * `onItem` sees every item found, in no particular order.
 */
export async function batchGetConsistent(
  t: TableClient,
  keys: readonly Record<string, AttributeValue>[],
  projection: { readonly expression: string; readonly names: Record<string, string> },
  onItem: (item: Record<string, AttributeValue>) => void,
): Promise<void> {
  let pending = [...keys];
  for (let round = 0; pending.length > 0; round++) {
    if (round >= MAX_BATCH_ROUNDS) throw internalError();
    const next: Record<string, AttributeValue>[] = [];
    for (let i = 0; i < pending.length; i += BATCH_GET_KEYS) {
      const batch = pending.slice(i, i + BATCH_GET_KEYS);
      const res = await t.run('BatchGetItem', () =>
        t.client.send(
          new BatchGetItemCommand({
            RequestItems: {
              [t.tableName]: {
                Keys: batch,
                ConsistentRead: true,
                ProjectionExpression: projection.expression,
                ExpressionAttributeNames: projection.names,
              },
            },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      );
      for (const item of res.Responses?.[t.tableName] ?? []) onItem(item);
      next.push(...(res.UnprocessedKeys?.[t.tableName]?.Keys ?? []));
    }
    // Wait only when another round follows: no pointless delay before giving up.
    if (next.length > 0 && round + 1 < MAX_BATCH_ROUNDS) await t.pause(round);
    pending = next;
  }
}

/**
 * Reads a large value's chunks with consistent reads. Returns undefined when a chunk is missing,
 * which means the value was replaced after its head was read: the caller reads the head again.
 */
export async function readChunkSet(t: TableClient, pk: string, ref: LargeRef): Promise<Uint8Array | undefined> {
  // Every byte of `out` is written exactly once below (each chunk's length and index are checked
  // against the descriptor), so no uninitialized memory can reach a client.
  if (ref.chunks !== Math.max(1, Math.ceil(ref.bytes / CHUNK_BYTES))) throw internalError();
  const out = Buffer.allocUnsafe(ref.bytes);
  const seen = new Set<number>();
  const keys = Array.from({ length: ref.chunks }, (_, i) => ({
    [PK]: { S: pk },
    [SK]: { B: chunkSortKey(ref.id, i) },
  }));
  let found = 0;
  await batchGetConsistent(t, keys, { expression: '#sk, #val', names: { '#sk': SK, '#val': A.value } }, (item) => {
    const sk = item[SK]!.B!;
    const index = (sk[1 + ID_BYTES]! << 8) | sk[2 + ID_BYTES]!;
    const data = item[A.value]?.B;
    const expected = Math.min(CHUNK_BYTES, ref.bytes - index * CHUNK_BYTES);
    // A chunk that does not fit the descriptor is corruption, never something to serve.
    if (!data || index >= ref.chunks || seen.has(index) || data.byteLength !== expected) throw internalError();
    seen.add(index);
    Buffer.from(data.buffer, data.byteOffset, data.byteLength).copy(out, index * CHUNK_BYTES);
    found++;
  });
  return found === ref.chunks ? out : undefined;
}

async function batchWrite(t: TableClient, requests: WriteRequest[], sizeOf: (r: WriteRequest) => number): Promise<void> {
  // Split into calls within BatchWriteItem's limits; calls run in parallel.
  const batches: WriteRequest[][] = [];
  let current: WriteRequest[] = [];
  let bytes = 0;
  for (const r of requests) {
    const size = sizeOf(r);
    if (current.length === BATCH_WRITE_ITEMS || (current.length > 0 && bytes + size > BATCH_WRITE_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  await Promise.all(batches.map((b) => writeBatchFully(t, b)));
}

async function writeBatchFully(t: TableClient, batch: WriteRequest[]): Promise<void> {
  let pending = batch;
  for (let round = 0; pending.length > 0; round++) {
    if (round >= MAX_BATCH_ROUNDS) throw internalError();
    const res = await t.run('BatchWriteItem', () =>
      t.client.send(new BatchWriteItemCommand({ RequestItems: { [t.tableName]: pending }, ReturnConsumedCapacity: 'TOTAL' })),
    );
    pending = res.UnprocessedItems?.[t.tableName] ?? [];
    if (pending.length > 0 && round + 1 < MAX_BATCH_ROUNDS) await t.pause(round);
  }
}
