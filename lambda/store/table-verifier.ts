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
import { type AttributeValue, type DynamoDBClient, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GLOBAL_VERSION_KEY } from '../core/limits.js';
import { keyOfSortKey, scopeOfPartitionKey } from './keys.js';
import {
  batchGetConsistent,
  CHUNK_BYTES,
  chunkSortKey,
  idOfChunkSetSortKey,
  largeRefOf,
  sameId,
  type TableAccess,
} from './large-values.js';
import { backoffDelayMs, DEFAULT_RETRY_DEPS, type RetryOptions, withRetries } from './retry.js';
import { GLOBAL_VERSION_SEQ } from './seq-clock.js';
import { TABLE_LAYOUT } from './table-layout.js';

const A = TABLE_LAYOUT.attributes;
const PK = TABLE_LAYOUT.partitionKey.name;
const SK = TABLE_LAYOUT.sortKey.name;
const CHUNK_PREFIX = 0xfe;
const CHUNK_SET_PREFIX = 0xfd;
const CHUNK_SK_BYTES = 19;
const CHUNK_SET_SK_BYTES = 17;
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
}

export interface VerifyReport {
  readonly problems: readonly Problem[];
  /** Items the Scan read, records (heads) among them, out-of-line values resolved, stores seen. */
  readonly items: number;
  readonly records: number;
  readonly outOfLineValues: number;
  readonly stores: number;
}

/** The table, with the caller's retries: `send` runs one request (the bulk tools' or the drill's policy). */
export type VerifiedTable = Pick<TableAccess, 'client' | 'tableName' | 'run' | 'pause'> & {
  send<T>(command: 'Scan' | 'Query', fn: () => Promise<T>): Promise<T>;
};

interface StoreTally {
  records: number;
}

export async function verifyTable(t: VerifiedTable, options: VerifyOptions): Promise<VerifyReport> {
  const now = options.nowMs ?? Date.now();
  const problems: Problem[] = [];
  const stores = new Map<string, StoreTally>();
  let items = 0;
  let records = 0;
  let outOfLine = 0;

  await scanPages(t, options.segments ?? 4, options.pageSize ?? 500, async (page) => {
    const chunkSets: Array<{ pk: string; id: Uint8Array; head: Uint8Array }> = [];
    const large: Array<{ pk: string; sk: Uint8Array; item: Record<string, AttributeValue> }> = [];
    for (const item of page) {
      items++;
      const pk = item[PK]?.S;
      const sk = item[SK]?.B;
      if (pk === undefined || !sk) continue;
      if (!/^[0-9]/.test(pk)) continue; // provider items (docs/provider.md): not records
      if (sk[0] === CHUNK_PREFIX && sk.length === CHUNK_SK_BYTES) continue; // reached through their heads
      if (sk[0] === CHUNK_SET_PREFIX && sk.length === CHUNK_SET_SK_BYTES) {
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
      const found = await checkOutOfLine(t, h.pk, h.item);
      if (found) problems.push({ ...found, userToken: scope.userToken, storeId: scope.storeId, key: keyOfSortKey(h.sk) });
    }
    if (chunkSets.length > 0) problems.push(...(await orphanedChunkSets(t, chunkSets)));
  });

  for (const [pk, tally] of stores) problems.push(...(await checkCreationIndex(t, pk, tally)));
  return { problems, items, records, outOfLineValues: outOfLine, stores: stores.size };
}

const integer = (n: string | undefined): bigint | undefined => (n !== undefined && /^-?[0-9]+$/.test(n) ? BigInt(n) : undefined);

/** An out-of-line value resolves in full: every chunk present, each of the size the descriptor implies. */
async function checkOutOfLine(
  t: VerifiedTable,
  pk: string,
  head: Record<string, AttributeValue>,
): Promise<Pick<Problem, 'kind' | 'detail'> | undefined> {
  const ref = largeRefOf(head);
  if (!ref || !Number.isSafeInteger(ref.bytes) || ref.bytes < 0 || ref.chunks !== Math.max(1, Math.ceil(ref.bytes / CHUNK_BYTES)))
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
async function orphanedChunkSets(t: VerifiedTable, sets: Array<{ pk: string; id: Uint8Array; head: Uint8Array }>): Promise<Problem[]> {
  const heads = new Map<string, Uint8Array | undefined>();
  const keyOf = (pk: string, sk: Uint8Array) => `${pk}\u0000${Buffer.from(sk).toString('base64')}`;
  const unique = new Map(sets.map((s) => [keyOf(s.pk, s.head), { [PK]: { S: s.pk }, [SK]: { B: s.head } }]));
  await batchGetConsistent(
    t,
    [...unique.values()],
    { expression: '#pk, #sk, #lv', names: { '#pk': PK, '#sk': SK, '#lv': A.largeValue } },
    (item) => heads.set(keyOf(item[PK]!.S!, item[SK]!.B!), largeRefOf(item)?.id),
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
async function checkCreationIndex(t: VerifiedTable, pk: string, tally: StoreTally): Promise<Problem[]> {
  const scope = scopeOfPartitionKey(pk)!;
  const problems: Problem[] = [];
  const problem = (kind: ProblemKind, key: string | undefined, detail: string) =>
    problems.push({ kind, userToken: scope.userToken, storeId: scope.storeId, key, detail });
  let listed = 0;
  let previous: { seq: bigint; key: string | undefined } | undefined;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await t.send('Query', () =>
      t.client.send(
        new QueryCommand({
          TableName: t.tableName,
          IndexName: TABLE_LAYOUT.creationIndex.name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': PK },
          ExpressionAttributeValues: { ':pk': { S: pk } },
          ConsistentRead: true,
          ExclusiveStartKey: start,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    for (const item of page.Items ?? []) {
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
    start = page.LastEvaluatedKey;
  } while (start);
  if (listed !== tally.records)
    problem('index-mismatch', undefined, `the creation index lists ${listed} records of this store, the table holds ${tally.records}`);
  return problems;
}

/**
 * Every item of the table, a page at a time, by `segments` parallel Scans. Each segment waits for
 * its page to be handled before reading the next, so memory holds at most one page per segment.
 */
export async function scanPages(
  t: Pick<VerifiedTable, 'client' | 'tableName' | 'send'>,
  segments: number,
  pageSize: number,
  onPage: (items: Record<string, AttributeValue>[]) => Promise<void>,
): Promise<void> {
  const segment = async (index: number): Promise<void> => {
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await t.send('Scan', () =>
        t.client.send(
          new ScanCommand({
            TableName: t.tableName,
            Segment: index,
            TotalSegments: segments,
            ConsistentRead: true,
            ExclusiveStartKey: start,
            Limit: pageSize,
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      );
      await onPage(page.Items ?? []);
      start = page.LastEvaluatedKey;
    } while (start);
  };
  await Promise.all(Array.from({ length: segments }, (_, i) => segment(i)));
}

/** Bulk reads wait out throttling far longer than a request on the API path may. */
export const VERIFY_RETRY: RetryOptions = { maxAttempts: 15, baseDelayMs: 50, maxDelayMs: 10_000, budgetMs: 600_000 };

/** The table with the bulk retry policy (every request retried on transient faults, counted). */
export function verifiedTable(
  client: DynamoDBClient,
  tableName: string,
  usage: { requests: number } = { requests: 0 },
  retry: RetryOptions = VERIFY_RETRY,
): VerifiedTable {
  const send = <T>(_command: string, fn: () => Promise<T>): Promise<T> =>
    withRetries(async () => {
      usage.requests++;
      return fn();
    }, retry);
  return {
    client,
    tableName,
    send,
    run: (command, fn) => send(command, fn),
    pause: (round) => DEFAULT_RETRY_DEPS.sleep(backoffDelayMs(round + 1, retry, Math.random)),
  };
}
