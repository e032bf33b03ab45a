/**
 * The loss-window report (`vss admin diff-tables`, docs/disaster-recovery.md): per user and store,
 * the keys whose version or value differ between a restored table A and a later source B, with
 * the newest creation position of the store on each side.
 *
 * Two passes of segmented parallel Scans, each page checked against the other table by
 * consistent BatchGetItem of the same keys:
 *   1. every record of A: absent from B (`removed`), or another version or value (`changed`);
 *   2. every record of B: absent from A (`added`).
 * Memory holds a page per segment and the differences found: it is bounded by the number of
 * differing keys, not by the size of either table. A value is compared without reading it when
 * it is out of line (the descriptor's id names one staged value: equal ids, equal bytes), and
 * byte for byte when it is inline.
 */
import { type AttributeValue, QueryCommand } from '@aws-sdk/client-dynamodb';
import { keyOfSortKey, scopeOfPartitionKey } from '../../lambda/store/keys.js';
import { batchGetConsistent, itemKindOfSortKey } from '../../lambda/store/large-values.js';
import { GLOBAL_VERSION_SEQ } from '../../lambda/store/seq-clock.js';
import type { TableClient } from '../../lambda/store/table-client.js';
import { TABLE_LAYOUT } from '../../lambda/store/table-layout.js';
import { scanPages } from '../../lambda/store/table-scan.js';
import { sameValueRef, valueRefOf } from '../../lambda/store/value-placement.js';

const A = TABLE_LAYOUT.attributes;
const PK = TABLE_LAYOUT.partitionKey.name;
const SK = TABLE_LAYOUT.sortKey.name;

export type Change = 'changed' | 'added' | 'removed';

export interface KeyDifference {
  readonly key: string;
  readonly change: Change;
  /** Version and creation position in A (restored) and B (later); undefined where the key is absent. */
  readonly versionA: bigint | undefined;
  readonly versionB: bigint | undefined;
  readonly seqA: bigint | undefined;
  readonly seqB: bigint | undefined;
}

export interface StoreDifference {
  readonly userToken: string;
  readonly storeId: string;
  /** The newest creation position of the store in A and in B (the global-version record aside). */
  readonly newestCreationPositionA: bigint | undefined;
  readonly newestCreationPositionB: bigint | undefined;
  readonly keys: readonly KeyDifference[];
}

export interface DiffReport {
  readonly stores: readonly StoreDifference[];
  /** Records read from A and from B. */
  readonly recordsA: number;
  readonly recordsB: number;
}

export interface DiffOptions {
  /** Parallel Scan segments per table. @default 4 */
  readonly segments?: number;
  /** Items per Scan page. @default 500 */
  readonly pageSize?: number;
}

/** What is compared of a record: its version, creation position and value identity. */
interface Head {
  readonly version: bigint | undefined;
  readonly seq: bigint | undefined;
  readonly inline: Uint8Array | undefined;
  readonly ref: ReturnType<typeof valueRefOf>;
}

const PROJECTION = {
  expression: '#pk, #sk, #ver, #val, #lv, #seq',
  names: { '#pk': PK, '#sk': SK, '#ver': A.version, '#val': A.value, '#lv': A.largeValue, '#seq': A.seq },
};

const integer = (n: string | undefined): bigint | undefined => (n !== undefined && /^-?[0-9]+$/.test(n) ? BigInt(n) : undefined);
const headOf = (item: Record<string, AttributeValue>): Head => ({
  version: integer(item[A.version]?.N),
  seq: integer(item[A.seq]?.N),
  inline: item[A.value]?.B,
  ref: valueRefOf(item),
});
const itemId = (pk: string, sk: Uint8Array): string => `${pk}\u0000${Buffer.from(sk).toString('base64')}`;

/** A VSS record head (not a chunk, chunk-set record or provider item). */
function isRecord(item: Record<string, AttributeValue>): boolean {
  const pk = item[PK]?.S;
  const sk = item[SK]?.B;
  if (pk === undefined || !sk || !/^[0-9]/.test(pk)) return false;
  return itemKindOfSortKey(sk) === 'record' && item[A.version] !== undefined;
}

function sameValue(a: Head, b: Head): boolean {
  if (a.ref || b.ref) return !!a.ref && !!b.ref && sameValueRef(a.ref, b.ref) && a.ref.bytes === b.ref.bytes;
  return Buffer.from(a.inline ?? new Uint8Array(0)).equals(Buffer.from(b.inline ?? new Uint8Array(0)));
}

export async function diffTables(a: TableClient, b: TableClient, options: DiffOptions = {}): Promise<DiffReport> {
  const segments = options.segments ?? 4;
  const pageSize = options.pageSize ?? 500;
  const byStore = new Map<string, KeyDifference[]>();
  const note = (pk: string, d: KeyDifference) => {
    const list = byStore.get(pk) ?? [];
    list.push(d);
    byStore.set(pk, list);
  };
  let recordsA = 0;
  let recordsB = 0;

  // Pass 1: every record of A, against B.
  await scanPages(a, segments, pageSize, async (page) => {
    const heads = page.filter(isRecord);
    recordsA += heads.length;
    if (heads.length === 0) return;
    const other = new Map<string, Head>();
    await inParallel(heads, (part) =>
      batchGetConsistent(
        b,
        part.map((h) => ({ [PK]: h[PK]!, [SK]: h[SK]! })),
        PROJECTION,
        (item) => void other.set(itemId(item[PK]!.S!, item[SK]!.B!), headOf(item)),
      ),
    );
    for (const item of heads) {
      const pk = item[PK]!.S!;
      const sk = item[SK]!.B!;
      const mine = headOf(item);
      const theirs = other.get(itemId(pk, sk));
      const key = keyOfSortKey(sk);
      if (!theirs) note(pk, { key, change: 'removed', versionA: mine.version, versionB: undefined, seqA: mine.seq, seqB: undefined });
      else if (mine.version !== theirs.version || !sameValue(mine, theirs))
        note(pk, { key, change: 'changed', versionA: mine.version, versionB: theirs.version, seqA: mine.seq, seqB: theirs.seq });
    }
  });

  // Pass 2: every record of B that A does not hold.
  await scanPages(b, segments, pageSize, async (page) => {
    const heads = page.filter(isRecord);
    recordsB += heads.length;
    if (heads.length === 0) return;
    const inA = new Set<string>();
    await inParallel(heads, (part) =>
      batchGetConsistent(
        a,
        part.map((h) => ({ [PK]: h[PK]!, [SK]: h[SK]! })),
        { expression: '#pk, #sk', names: { '#pk': PK, '#sk': SK } },
        (item) => void inA.add(itemId(item[PK]!.S!, item[SK]!.B!)),
      ),
    );
    for (const item of heads) {
      const pk = item[PK]!.S!;
      const sk = item[SK]!.B!;
      if (inA.has(itemId(pk, sk))) continue;
      const theirs = headOf(item);
      note(pk, {
        key: keyOfSortKey(sk),
        change: 'added',
        versionA: undefined,
        versionB: theirs.version,
        seqA: undefined,
        seqB: theirs.seq,
      });
    }
  });

  const stores: StoreDifference[] = [];
  for (const [pk, keys] of byStore) {
    const scope = scopeOfPartitionKey(pk);
    if (!scope) continue; // isRecord admits only partitions the store wrote: unreachable
    stores.push({
      ...scope,
      newestCreationPositionA: await newestCreationPosition(a, pk),
      newestCreationPositionB: await newestCreationPosition(b, pk),
      keys: keys.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0)),
    });
  }
  stores.sort((x, y) => (x.userToken === y.userToken ? cmp(x.storeId, y.storeId) : cmp(x.userToken, y.userToken)));
  return { stores, recordsA, recordsB };
}

/** BatchGetItem takes 100 keys: a page's keys go out as parallel calls of 100. */
async function inParallel<T>(items: readonly T[], run: (part: T[]) => Promise<void>): Promise<void> {
  const parts: T[][] = [];
  for (let i = 0; i < items.length; i += 100) parts.push(items.slice(i, i + 100));
  await Promise.all(parts.map(run));
}

const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

/** The store's newest creation position: the top of the index, under the global-version record. */
async function newestCreationPosition(t: TableClient, pk: string): Promise<bigint | undefined> {
  const page = await t.run('Query', () =>
    t.client.send(
      new QueryCommand({
        TableName: t.tableName,
        IndexName: TABLE_LAYOUT.creationIndex.name,
        KeyConditionExpression: '#pk = :pk AND #seq < :gv',
        ExpressionAttributeNames: { '#pk': PK, '#seq': A.seq },
        ExpressionAttributeValues: { ':pk': { S: pk }, ':gv': { N: GLOBAL_VERSION_SEQ.toString() } },
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: 1,
      }),
    ),
  );
  return integer(page.Items?.[0]?.[A.seq]?.N);
}
