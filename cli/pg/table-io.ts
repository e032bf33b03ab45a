/**
 * Direct access to this project's DynamoDB table for the operators' bulk tools (pg-import,
 * pg-export), written with the production store's own encodings and layout: keys.ts for the
 * partition and sort keys, table-layout.ts for attribute names, large-values.ts for chunked
 * values (so the service reads back exactly what was written).
 *
 * A record is written with one conditional UpdateItem that never replaces a newer version:
 *   attribute_not_exists(pk) OR ver < :ver OR (ver = :ver AND the stored record differs)
 * so re-runs converge and cost nothing for records already in place. (BatchWriteItem cannot
 * carry a condition, and a transaction would double the write cost for no atomicity we need:
 * every record stands on its own.) Throttling and transient faults are retried with backoff.
 */
import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type ConsumedCapacity,
} from '@aws-sdk/client-dynamodb';
import { GLOBAL_VERSION_KEY } from '../../lambda/core/limits.js';
import { MAX_ITEM_BYTES } from '../../lambda/store/dynamodb-store.js';
import { keyOfSortKey, partitionKeyOf, scopeOfPartitionKey, sortKeyOf } from '../../lambda/store/keys.js';
import {
  deleteChunkSet,
  largeRefAttribute,
  largeRefOf,
  newLargeRef,
  readChunkSet,
  sameId,
  stageChunkSet,
  type TableAccess,
} from '../../lambda/store/large-values.js';
import { backoffDelayMs, DEFAULT_RETRY_DEPS, withRetries, type RetryOptions } from '../../lambda/store/retry.js';
import { GLOBAL_VERSION_SEQ } from '../../lambda/store/seq-clock.js';
import { TABLE_LAYOUT } from '../../lambda/store/table-layout.js';
import { localClient } from '../../local/engines.js';

const A = TABLE_LAYOUT.attributes;
const PK = TABLE_LAYOUT.partitionKey.name;
const SK = TABLE_LAYOUT.sortKey.name;
/** Sizes the store reserves for a head's fixed attributes (see DynamoDbStore.plan). */
const NUMBER_BYTES_MAX = 21;

/** Bulk work waits out throttling far longer than a request on the API path may. */
export const BULK_RETRY: RetryOptions = { maxAttempts: 15, baseDelayMs: 50, maxDelayMs: 10_000, budgetMs: 600_000 };

export interface BulkTable extends TableAccess {
  /** Requests sent and write/read capacity units consumed, for the report. */
  readonly usage: { requests: number; capacityUnits: number; retries: number };
  send<T extends { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }>(command: string, fn: () => Promise<T>): Promise<T>;
}

export function dynamoClient(endpoint: string | undefined, region: string | undefined): DynamoDBClient {
  // A local engine on loopback takes any credentials (as `npm start` does).
  if (endpoint && isLoopback(endpoint) && !process.env['AWS_ACCESS_KEY_ID']) return localClient(endpoint);
  // Credentials come from the AWS SDK's chain (env, profile, role); the SDK's own retries are off
  // so that one policy (BULK_RETRY) applies.
  return new DynamoDBClient({ ...(endpoint ? { endpoint } : {}), ...(region ? { region } : {}), maxAttempts: 1 });
}

export function bulkTable(client: DynamoDBClient, tableName: string): BulkTable {
  const usage = { requests: 0, capacityUnits: 0, retries: 0 };
  const send: BulkTable['send'] = (_command, fn) =>
    withRetries(
      async () => {
        usage.requests++;
        const out = await fn();
        const cc = out?.ConsumedCapacity;
        for (const c of cc === undefined ? [] : Array.isArray(cc) ? cc : [cc]) usage.capacityUnits += c.CapacityUnits ?? 0;
        return out;
      },
      BULK_RETRY,
      DEFAULT_RETRY_DEPS,
      () => void usage.retries++,
    );
  return {
    client,
    tableName,
    usage,
    send,
    run: (command, fn) => send(command, fn),
    pause: (round) => DEFAULT_RETRY_DEPS.sleep(backoffDelayMs(round + 1, BULK_RETRY, Math.random)),
  };
}

export interface Record_ {
  readonly userToken: string;
  readonly storeId: string;
  readonly key: string;
  readonly version: bigint;
  readonly value: Uint8Array;
}

/** A record as pg-import writes it: with its creation position (the reference's sort_order). */
export interface SeqRecord extends Record_ {
  readonly seq: bigint;
}

export type WriteOutcome = 'written' | 'unchanged' | 'newer';

/** The creation position a record gets: the global-version record always sits on top. */
export function seqFor(key: string, sortOrder: bigint): bigint {
  return key === GLOBAL_VERSION_KEY ? GLOBAL_VERSION_SEQ : sortOrder;
}

function headFits(pk: string, sk: Uint8Array, valueBytes: number): boolean {
  const bytes =
    PK.length +
    Buffer.byteLength(pk, 'utf8') +
    SK.length +
    sk.length +
    A.version.length +
    A.seq.length +
    2 * NUMBER_BYTES_MAX +
    A.value.length +
    valueBytes;
  return bytes <= MAX_ITEM_BYTES;
}

const isConditionFailure = (e: unknown): boolean => (e as { name?: string })?.name === 'ConditionalCheckFailedException';

/** Writes one record unless the table holds a newer version (or exactly this record already). */
export async function writeRecord(t: BulkTable, r: SeqRecord): Promise<WriteOutcome> {
  const pk = partitionKeyOf({ userToken: r.userToken, storeId: r.storeId });
  const sk = sortKeyOf(r.key);
  const key = { [PK]: { S: pk }, [SK]: { B: sk } };
  const ver = { N: r.version.toString() };
  const seq = { N: r.seq.toString() };

  if (headFits(pk, sk, r.value.length)) {
    try {
      const old = await conditionalUpdate(
        t,
        key,
        'SET #ver = :ver, #val = :val, #seq = :seq REMOVE #lv',
        'attribute_not_exists(#pk) OR #ver < :ver OR (#ver = :ver AND (attribute_exists(#lv) OR attribute_not_exists(#val) OR #val <> :val OR #seq <> :seq))',
        { ':ver': ver, ':val': { B: r.value }, ':seq': seq },
      );
      await dropReplaced(t, pk, old, undefined);
      return 'written';
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      return outcomeOfFailure(e, r.version);
    }
  }

  // A large value: compare before staging chunks, so a re-run does not rewrite megabytes.
  const head = (
    await t.send('GetItem', () =>
      t.client.send(new GetItemCommand({ TableName: t.tableName, Key: key, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' })),
    )
  ).Item;
  if (head) {
    const stored = BigInt(head[A.version]!.N!);
    if (stored > r.version) return 'newer';
    const ref = largeRefOf(head);
    if (stored === r.version && head[A.seq]?.N === seq.N && ref && ref.bytes === r.value.length) {
      const value = await readChunkSet(t, pk, ref);
      if (value && Buffer.from(value).equals(Buffer.from(r.value))) return 'unchanged';
    }
  }
  const ref = newLargeRef(r.value.length);
  await stageChunkSet(t, pk, sk, ref, r.value, Date.now());
  try {
    const old = await conditionalUpdate(
      t,
      key,
      'SET #ver = :ver, #lv = :lv, #seq = :seq REMOVE #val',
      'attribute_not_exists(#pk) OR #ver <= :ver',
      {
        ':ver': ver,
        ':lv': largeRefAttribute(ref),
        ':seq': seq,
      },
    );
    await dropReplaced(t, pk, old, ref.id);
    return 'written';
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
    const old = (e as { Item?: Record<string, AttributeValue> }).Item;
    // Our own earlier attempt committed (a retry after a lost response): it is written.
    if (sameId(largeRefOf(old)?.id, ref.id)) return 'written';
    await deleteChunkSet(t, pk, ref).catch(() => undefined); // else the sweeper removes it
    return 'newer';
  }
}

/**
 * Deletes a record if it still holds the version seen (a concurrent write wins), and its large
 * value's chunks. Returns whether it was deleted.
 */
export async function deleteRecord(t: BulkTable, r: Record_): Promise<boolean> {
  const pk = partitionKeyOf({ userToken: r.userToken, storeId: r.storeId });
  try {
    const out = await t.send('DeleteItem', () =>
      t.client.send(
        new DeleteItemCommand({
          TableName: t.tableName,
          Key: { [PK]: { S: pk }, [SK]: { B: sortKeyOf(r.key) } },
          ConditionExpression: '#ver = :ver',
          ExpressionAttributeNames: { '#ver': A.version },
          ExpressionAttributeValues: { ':ver': { N: r.version.toString() } },
          ReturnValues: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    await dropReplaced(t, pk, out.Attributes, undefined);
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
}

const HEAD_NAMES = { '#pk': PK, '#ver': A.version, '#val': A.value, '#lv': A.largeValue, '#seq': A.seq };

/** One conditional UpdateItem of a head; returns the item it replaced (ALL_OLD). */
async function conditionalUpdate(
  t: BulkTable,
  key: Record<string, AttributeValue>,
  update: string,
  condition: string,
  values: Record<string, AttributeValue>,
): Promise<Record<string, AttributeValue> | undefined> {
  const out = await t.send('UpdateItem', () =>
    t.client.send(
      new UpdateItemCommand({
        TableName: t.tableName,
        Key: key,
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeNames: HEAD_NAMES,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        ReturnConsumedCapacity: 'TOTAL',
      }),
    ),
  );
  return out.Attributes;
}

function outcomeOfFailure(e: unknown, version: bigint): WriteOutcome {
  const old = (e as { Item?: Record<string, AttributeValue> }).Item;
  const stored = old?.[A.version]?.N;
  return stored !== undefined && BigInt(stored) > version ? 'newer' : 'unchanged';
}

/** Removes the chunks of a large value that a write replaced (what the store does after a commit). */
async function dropReplaced(
  t: BulkTable,
  pk: string,
  old: Record<string, AttributeValue> | undefined,
  keep: Uint8Array | undefined,
): Promise<void> {
  const ref = largeRefOf(old);
  if (!ref || sameId(ref.id, keep)) return;
  // Best effort: what fails here, the chunk sweeper removes later (it finds every chunk set).
  await deleteChunkSet(t, pk, ref).catch(() => undefined);
}

/** One record read back from the table. */
export interface TableRecord extends Record_ {
  readonly seq: bigint;
}

/**
 * Every record of the table, by a parallel segmented Scan (admin path only: the API never
 * scans). Chunks and chunk-set records are skipped; large values are assembled from their chunks.
 */
export async function* scanRecords(t: BulkTable, segments: number): AsyncGenerator<TableRecord> {
  // Segments scan concurrently into a bounded queue of pages: a segment waits while the queue is
  // full, so memory holds a few pages at most whatever the table's size.
  const maxQueued = segments * 2;
  const queue: TableRecord[][] = [];
  const producersWaiting: Array<() => void> = [];
  let consumerWaiting: (() => void) | undefined;
  let running = segments;
  let failure: unknown;
  const wakeConsumer = (): void => {
    const wake = consumerWaiting;
    consumerWaiting = undefined;
    wake?.();
  };
  const segment = async (index: number): Promise<void> => {
    let start: Record<string, AttributeValue> | undefined;
    do {
      while (queue.length >= maxQueued && failure === undefined) await new Promise<void>((r) => producersWaiting.push(r));
      if (failure !== undefined) return;
      const page = await t.send('Scan', () =>
        t.client.send(
          new ScanCommand({
            TableName: t.tableName,
            Segment: index,
            TotalSegments: segments,
            ConsistentRead: true,
            ExclusiveStartKey: start,
            Limit: 200,
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      );
      const records: TableRecord[] = [];
      for (const item of page.Items ?? []) {
        const r = await recordOf(t, item);
        if (r) records.push(r);
      }
      queue.push(records);
      wakeConsumer();
      start = page.LastEvaluatedKey;
    } while (start);
  };
  for (let i = 0; i < segments; i++) {
    segment(i)
      .catch((e: unknown) => {
        failure ??= e;
      })
      .finally(() => {
        running--;
        wakeConsumer();
      });
  }
  try {
    for (;;) {
      if (failure !== undefined) throw failure;
      const next = queue.shift();
      if (next) {
        producersWaiting.shift()?.();
        yield* next;
        continue;
      }
      if (running === 0) return;
      await new Promise<void>((r) => (consumerWaiting = r));
    }
  } finally {
    // On an early exit (an error downstream) let the segments stop.
    failure ??= new Error('scan abandoned');
    for (const wake of producersWaiting.splice(0)) wake();
  }
}

async function recordOf(t: BulkTable, item: Record<string, AttributeValue>): Promise<TableRecord | undefined> {
  const ver = item[A.version]?.N;
  const sk = item[SK]?.B;
  const pk = item[PK]?.S;
  if (ver === undefined || !sk || pk === undefined) return undefined; // a chunk or chunk-set record
  const scope = scopeOfPartitionKey(pk);
  if (!scope) throw new Error(`the table holds an item with a partition key this tool cannot read: ${JSON.stringify(pk.slice(0, 80))}`);
  const build = (head: Record<string, AttributeValue>, value: Uint8Array): TableRecord => ({
    ...scope,
    key: keyOfSortKey(sk),
    version: BigInt(head[A.version]!.N!),
    seq: BigInt(head[A.seq]?.N ?? '0'),
    value,
  });
  // Chunks are immutable; a missing one means the value was replaced after the Scan read the
  // head: read the head again (as GetObject does).
  let head = item;
  for (let round = 0; ; round++) {
    const ref = largeRefOf(head);
    const value = ref ? await readChunkSet(t, pk, ref) : (head[A.value]?.B ?? new Uint8Array(0));
    if (value) return build(head, value);
    if (round === 3) throw new Error(`a large value kept changing while it was read (${JSON.stringify(pk.slice(0, 80))})`);
    const again = (
      await t.send('GetItem', () =>
        t.client.send(new GetItemCommand({ TableName: t.tableName, Key: { [PK]: { S: pk }, [SK]: { B: sk } }, ConsistentRead: true })),
      )
    ).Item;
    if (!again) return undefined;
    head = again;
  }
}

function isLoopback(endpoint: string): boolean {
  try {
    const host = new URL(endpoint).hostname;
    return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
  } catch {
    return false;
  }
}
