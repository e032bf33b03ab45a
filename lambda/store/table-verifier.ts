/**
 * Integrity of a whole VSS table, on its own (`vss admin verify-table`, and the restore drill on
 * the scratch table a restore made: docs/disaster-recovery.md). One segmented parallel Scan reads
 * every item once; what it checks:
 *
 *   value-unresolved      a head's out-of-line value cannot be read back in full: a chunk or the
 *                         object is missing (`missing-chunk`, `missing-object`), or its size or
 *                         digest differs from the descriptor (`value-size`, `value-digest`)
 *   duplicate-creation-position   two records of one store share a creation position
 *   index-mismatch        the creation index `bySeq` does not list exactly the store's records
 *   malformed-global-version      the global-version record has no integer version ≥ 0, or is
 *                         not at the top of the creation index
 *   malformed-record      a head whose keys or attributes the store could not read
 *   orphaned-chunk-set    a chunk set no head points at, older than the sweeper's bound (the
 *                         sweeper should have removed it: it is not running, or failing)
 *
 * Memory holds one page per segment, one small counter per store (user × store_id), and the
 * problems found; never the table. Creation positions are checked per store by one consistent
 * Query of the index in position order (duplicates are neighbours there), after the Scan.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { GLOBAL_VERSION_KEY } from '../core/limits.js';
import { keyOfSortKey, scopeOfPartitionKey } from './keys.js';
import {
  batchGetConsistent,
  CHUNK_BYTES,
  chunkRefOf,
  chunkSortKey,
  idOfChunkSetSortKey,
  itemKindOfSortKey,
  type LargeRef,
} from './large-values.js';
import { createHash } from 'node:crypto';
import type { ObjectStore } from '../core/object-store.js';
import { isObjectRecord, OBJECT_TIER, objectRefOf, type ObjectRef } from './object-tier.js';
import type { RetryOptions } from './retry.js';
import { GLOBAL_VERSION_SEQ } from './seq-clock.js';
import type { TableClient } from './table-client.js';
import { TABLE_LAYOUT } from './table-layout.js';
import { queryPages, scanPages } from './table-scan.js';
import { CHUNKS_TIER, sameId, type ValuePlacement, type ValueRef, valueRefOf } from './value-placement.js';

const A = TABLE_LAYOUT.attributes;
const PK = TABLE_LAYOUT.partitionKey.name;
const SK = TABLE_LAYOUT.sortKey.name;
const CHUNK_SK_BYTES = 19;
const INT64_MAX = 2n ** 63n - 1n;

export type ProblemKind =
  | 'missing-chunk'
  | 'missing-object'
  | 'value-size'
  | 'value-digest'
  | 'duplicate-creation-position'
  | 'index-mismatch'
  | 'malformed-global-version'
  | 'malformed-record'
  | 'orphaned-chunk-set';

export interface Problem {
  readonly kind: ProblemKind;
  /** The user token and store of the partition (undefined when the partition key is unreadable). */
  readonly userToken: string | undefined;
  readonly storeId: string | undefined;
  /** The record's key, when the problem is about one record. */
  readonly key: string | undefined;
  readonly detail: string;
}

export interface VerifyOptions {
  /** Parallel Scan segments. @default 4 */
  readonly segments?: number;
  /** Chunk sets older than this (ms before `nowMs`) must have a head pointing at them. */
  readonly orphanBoundMs: number;
  /** @default Date.now() */
  readonly nowMs?: number;
  /** Items per Scan page. @default 500 */
  readonly pageSize?: number;
  /** Where out-of-line values live (as the store is configured). @default the chunk tier only */
  readonly placement?: ValuePlacement;
  /** The value bucket: object-tier values are fetched and their size and SHA-256 checked. @default none */
  readonly objects?: ObjectStore;
}

export interface VerifyReport {
  readonly problems: readonly Problem[];
  /** Items the Scan read, records (heads) among them, out-of-line values resolved, stores seen. */
  readonly items: number;
  readonly records: number;
  readonly outOfLineValues: number;
  readonly stores: number;
  /** Object-tier values that could not be checked because no value bucket was given. */
  readonly uncheckedObjects: number;
}

interface StoreTally {
  records: number;
}

export async function verifyTable(t: TableClient, options: VerifyOptions): Promise<VerifyReport> {
  const now = options.nowMs ?? Date.now();
  const placement = options.placement;
  const problems: Problem[] = [];
  const stores = new Map<string, StoreTally>();
  let items = 0;
  let records = 0;
  let outOfLine = 0;
  let uncheckedObjects = 0;

  await scanPages(t, options.segments ?? 4, options.pageSize ?? 500, async (page) => {
    const chunkSets: Array<{ pk: string; id: Uint8Array; head: Uint8Array }> = [];
    const large: Array<{ pk: string; sk: Uint8Array; item: Record<string, AttributeValue> }> = [];
    for (const item of page) {
      items++;
      const pk = item[PK]?.S;
      const sk = item[SK]?.B;
      if (pk === undefined || !sk) continue;
      if (!/^[0-9]/.test(pk)) continue; // provider items (docs/provider.md): not records
      const kind = itemKindOfSortKey(sk);
      if (kind === 'chunk') continue; // reached through their heads
      if (kind === 'chunk-set') {
        // Object records outlive their heads by the retention period on purpose (object-tier.ts):
        // only chunk sets have the sweeper's bound.
        if (isObjectRecord(item)) continue;
        const at = Number(item[A.sweepAt]?.N ?? Number.NaN);
        const head = item[A.chunkSetHead]?.B;
        if (!head || !(at <= now - options.orphanBoundMs)) continue; // young: the sweeper's to judge
        chunkSets.push({ pk, id: idOfChunkSetSortKey(sk), head });
        continue;
      }
      records++;
      const scope = scopeOfPartitionKey(pk);
      let key: string | undefined;
      try {
        key = keyOfSortKey(sk);
      } catch {
        key = undefined;
      }
      const problem = (kind: ProblemKind, detail: string, k: string | undefined = key) =>
        problems.push({ kind, userToken: scope?.userToken, storeId: scope?.storeId, key: k, detail });
      if (!scope || key === undefined) {
        problem('malformed-record', `unreadable ${scope ? 'sort key' : 'partition key'} ${JSON.stringify(pk.slice(0, 80))}`);
        continue;
      }
      const tally = stores.get(pk) ?? { records: 0 };
      tally.records++;
      stores.set(pk, tally);
      const version = integer(item[A.version]?.N);
      const seq = integer(item[A.seq]?.N);
      if (key === GLOBAL_VERSION_KEY) {
        if (version === undefined || version < 0n || version > INT64_MAX || seq !== GLOBAL_VERSION_SEQ || item[A.largeValue] !== undefined)
          problem(
            'malformed-global-version',
            `version ${item[A.version]?.N ?? 'absent'}, creation position ${item[A.seq]?.N ?? 'absent'}${item[A.largeValue] ? ', an out-of-line value' : ''} (expected an integer ≥ 0 at position ${GLOBAL_VERSION_SEQ})`,
          );
        continue;
      }
      if (version === undefined || seq === undefined || seq < 0n || seq >= GLOBAL_VERSION_SEQ) {
        problem('malformed-record', `version ${item[A.version]?.N ?? 'absent'}, creation position ${item[A.seq]?.N ?? 'absent'}`);
        continue;
      }
      if (item[A.largeValue] !== undefined) {
        if (item[A.value] !== undefined) problem('malformed-record', 'holds both an inline value and an out-of-line descriptor');
        else large.push({ pk, sk, item });
      }
    }
    for (const h of large) {
      outOfLine++;
      const scope = scopeOfPartitionKey(h.pk)!;
      if (valueRefOf(h.item)?.tier === OBJECT_TIER && !options.objects) {
        uncheckedObjects++;
        continue;
      }
      const found = await checkOutOfLine(t, placement, options.objects, h.pk, h.item);
      if (found) problems.push({ ...found, userToken: scope.userToken, storeId: scope.storeId, key: keyOfSortKey(h.sk) });
    }
    if (chunkSets.length > 0) problems.push(...(await orphanedChunkSets(t, chunkSets)));
  });

  for (const [pk, tally] of stores) problems.push(...(await checkCreationIndex(t, pk, tally)));
  return { problems, items, records, outOfLineValues: outOfLine, stores: stores.size, uncheckedObjects };
}

const integer = (n: string | undefined): bigint | undefined => (n !== undefined && /^-?[0-9]+$/.test(n) ? BigInt(n) : undefined);

/**
 * An out-of-line value resolves in full. Chunks are checked chunk by chunk (which one is missing,
 * which has the wrong size); any other tier through the value-placement port: the bytes must come
 * back, as many as the descriptor records.
 */
async function checkOutOfLine(
  t: TableClient,
  placement: ValuePlacement | undefined,
  objects: ObjectStore | undefined,
  pk: string,
  head: Record<string, AttributeValue>,
): Promise<Pick<Problem, 'kind' | 'detail'> | undefined> {
  const ref = valueRefOf(head);
  if (!ref || !Number.isSafeInteger(ref.bytes) || ref.bytes < 0)
    return { kind: 'malformed-record', detail: 'an unreadable out-of-line descriptor' };
  if (ref.tier === CHUNKS_TIER) return checkChunks(t, pk, ref);
  if (ref.tier === OBJECT_TIER && objects) return checkObject(objects, pk, ref);
  let bytes: Uint8Array | undefined;
  try {
    if (!placement) throw new Error('no value tier configured');
    bytes = await placement.read(pk, ref);
  } catch (e) {
    return { kind: 'malformed-record', detail: `the ${ref.tier} value could not be read: ${(e as Error)?.message ?? String(e)}` };
  }
  if (!bytes) return { kind: 'missing-object', detail: `the ${ref.tier} value (${ref.bytes} bytes) is missing` };
  if (bytes.byteLength !== ref.bytes)
    return { kind: 'value-size', detail: `the ${ref.tier} value holds ${bytes.byteLength} bytes, the head records ${ref.bytes}` };
  return undefined;
}

/** The object exists, with the size and SHA-256 its head records. */
async function checkObject(objects: ObjectStore, pk: string, ref: ValueRef): Promise<Pick<Problem, 'kind' | 'detail'> | undefined> {
  let o: ObjectRef;
  try {
    o = objectRefOf(pk, ref);
  } catch (e) {
    return { kind: 'malformed-record', detail: (e as Error).message };
  }
  const value = await objects.get(o.key);
  if (value === undefined) return { kind: 'missing-object', detail: `object ${o.key} (${o.bytes} bytes) is missing` };
  if (value.byteLength !== o.bytes)
    return { kind: 'value-size', detail: `object ${o.key} holds ${value.byteLength} bytes, the head records ${o.bytes}` };
  const digest = createHash('sha256').update(value).digest();
  if (!digest.equals(Buffer.from(o.sha256)))
    return {
      kind: 'value-digest',
      detail: `object ${o.key} has SHA-256 ${digest.toString('hex')}, the head records ${Buffer.from(o.sha256).toString('hex')}`,
    };
  return undefined;
}

async function checkChunks(t: TableClient, pk: string, valueRef: ValueRef): Promise<Pick<Problem, 'kind' | 'detail'> | undefined> {
  let ref: LargeRef;
  try {
    ref = chunkRefOf(valueRef);
  } catch {
    ref = { id: valueRef.id, chunks: -1, bytes: valueRef.bytes };
  }
  if (ref.chunks !== Math.max(1, Math.ceil(ref.bytes / CHUNK_BYTES)))
    return { kind: 'malformed-record', detail: 'an out-of-line descriptor that does not describe a chunk set' };
  const keys = Array.from({ length: ref.chunks }, (_, i) => ({ [PK]: { S: pk }, [SK]: { B: chunkSortKey(ref.id, i) } }));
  const sizes = new Map<number, number>();
  await batchGetConsistent(t, keys, { expression: '#sk, #val', names: { '#sk': SK, '#val': A.value } }, (item) => {
    const sk = item[SK]!.B!;
    sizes.set((sk[CHUNK_SK_BYTES - 2]! << 8) | sk[CHUNK_SK_BYTES - 1]!, item[A.value]?.B?.byteLength ?? -1);
  });
  for (let i = 0; i < ref.chunks; i++) {
    const size = sizes.get(i);
    const expected = Math.min(CHUNK_BYTES, ref.bytes - i * CHUNK_BYTES);
    if (size === undefined) return { kind: 'missing-chunk', detail: `chunk ${i} of ${ref.chunks} (${ref.bytes} bytes) is missing` };
    if (size !== expected) return { kind: 'value-size', detail: `chunk ${i} holds ${size} bytes, the descriptor implies ${expected}` };
  }
  return undefined;
}

/** Chunk sets past the sweeper's bound whose head does not point at them. */
async function orphanedChunkSets(t: TableClient, sets: Array<{ pk: string; id: Uint8Array; head: Uint8Array }>): Promise<Problem[]> {
  const heads = new Map<string, Uint8Array | undefined>();
  const keyOf = (pk: string, sk: Uint8Array) => `${pk}\u0000${Buffer.from(sk).toString('base64')}`;
  const unique = new Map(sets.map((s) => [keyOf(s.pk, s.head), { [PK]: { S: s.pk }, [SK]: { B: s.head } }]));
  await batchGetConsistent(
    t,
    [...unique.values()],
    { expression: '#pk, #sk, #lv', names: { '#pk': PK, '#sk': SK, '#lv': A.largeValue } },
    (item) => heads.set(keyOf(item[PK]!.S!, item[SK]!.B!), valueRefOf(item)?.id),
  );
  const problems: Problem[] = [];
  for (const s of sets) {
    if (sameId(heads.get(keyOf(s.pk, s.head)), s.id)) continue;
    const scope = scopeOfPartitionKey(s.pk);
    let key: string | undefined;
    try {
      key = keyOfSortKey(s.head);
    } catch {
      key = undefined;
    }
    problems.push({
      kind: 'orphaned-chunk-set',
      userToken: scope?.userToken,
      storeId: scope?.storeId,
      key,
      detail: `chunk set ${Buffer.from(s.id).toString('hex')} is older than the sweeper's bound and no head points at it`,
    });
  }
  return problems;
}

/** One store's creation index: no two records at one position, and exactly its records listed. */
async function checkCreationIndex(t: TableClient, pk: string, tally: StoreTally): Promise<Problem[]> {
  const scope = scopeOfPartitionKey(pk)!;
  const problems: Problem[] = [];
  const problem = (kind: ProblemKind, key: string | undefined, detail: string) =>
    problems.push({ kind, userToken: scope.userToken, storeId: scope.storeId, key, detail });
  let listed = 0;
  let previous: { seq: bigint; key: string | undefined } | undefined;
  const pages = queryPages(t, {
    TableName: t.tableName,
    IndexName: TABLE_LAYOUT.creationIndex.name,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': PK },
    ExpressionAttributeValues: { ':pk': { S: pk } },
    ConsistentRead: true,
  });
  for await (const page of pages) {
    for (const item of page) {
      listed++;
      const seq = integer(item[A.seq]?.N);
      let key: string | undefined;
      try {
        key = keyOfSortKey(item[SK]!.B!);
      } catch {
        key = undefined;
      }
      if (seq !== undefined && previous?.seq === seq && seq !== GLOBAL_VERSION_SEQ)
        problem('duplicate-creation-position', key, `creation position ${seq} is also held by key ${JSON.stringify(previous.key)}`);
      if (seq !== undefined) previous = { seq, key };
    }
  }
  if (listed !== tally.records)
    problem('index-mismatch', undefined, `the creation index lists ${listed} records of this store, the table holds ${tally.records}`);
  return problems;
}

/** Bulk reads wait out throttling far longer than a request on the API path may (the drill's policy). */
export const VERIFY_RETRY: RetryOptions = { maxAttempts: 15, baseDelayMs: 50, maxDelayMs: 10_000, budgetMs: 600_000 };
