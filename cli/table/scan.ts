/**
 * Reading every record of the table (pg-export, pg-import --verify): a parallel segmented Scan,
 * admin path only (the API never scans). Items that are not record heads (chunks, chunk-set
 * records) are skipped; values that live out of line are read through the value-placement port.
 */
import { GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { keyOfSortKey, scopeOfPartitionKey } from '../../lambda/store/keys.js';
import { TABLE_LAYOUT } from '../../lambda/store/table-layout.js';
import { scanPages } from '../../lambda/store/table-scan.js';
import { valueRefOf } from '../../lambda/store/value-placement.js';
import type { BulkTable } from './bulk-table.js';
import type { Record_ } from './records.js';

const A = TABLE_LAYOUT.attributes;
const PK = TABLE_LAYOUT.partitionKey.name;
const SK = TABLE_LAYOUT.sortKey.name;
/** Items per Scan page. */
const PAGE_SIZE = 200;

/** One record read back from the table. */
export interface TableRecord extends Record_ {
  readonly seq: bigint;
}

/**
 * Every record of the table, by a parallel segmented Scan (table-scan.ts). Records come in no
 * particular order; memory holds a few pages at most, whatever the table's size.
 */
export async function* scanRecords(t: BulkTable, segments: number): AsyncGenerator<TableRecord> {
  // Segments hand their pages to a bounded queue: a segment waits while the queue is full, and
  // reads its next page only then.
  const maxQueued = segments * 2;
  const queue: TableRecord[][] = [];
  const producersWaiting: Array<() => void> = [];
  let consumerWaiting: (() => void) | undefined;
  let finished = false;
  let failure: unknown;
  const wakeConsumer = (): void => {
    const wake = consumerWaiting;
    consumerWaiting = undefined;
    wake?.();
  };
  scanPages(t, segments, PAGE_SIZE, async (items) => {
    const records: TableRecord[] = [];
    for (const item of items) {
      const r = await recordOf(t, item);
      if (r) records.push(r);
    }
    while (queue.length >= maxQueued && failure === undefined) await new Promise<void>((r) => producersWaiting.push(r));
    if (failure !== undefined) throw failure;
    queue.push(records);
    wakeConsumer();
  })
    .then(
      () => {
        finished = true;
      },
      (e: unknown) => {
        failure ??= e;
      },
    )
    .finally(wakeConsumer);
  try {
    for (;;) {
      if (failure !== undefined) throw failure;
      const next = queue.shift();
      if (next) {
        producersWaiting.shift()?.();
        yield* next;
        continue;
      }
      if (finished) return;
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
  if (ver === undefined || !sk || pk === undefined) return undefined; // not a record head (a tier's own item)
  const scope = scopeOfPartitionKey(pk);
  if (!scope) throw new Error(`the table holds an item with a partition key this tool cannot read: ${JSON.stringify(pk.slice(0, 80))}`);
  const build = (head: Record<string, AttributeValue>, value: Uint8Array): TableRecord => ({
    ...scope,
    key: keyOfSortKey(sk),
    version: BigInt(head[A.version]!.N!),
    seq: BigInt(head[A.seq]?.N ?? '0'),
    value,
  });
  // Staged values are immutable; a missing one means the value was replaced after the Scan read
  // the head: read the head again (as GetObject does).
  let head = item;
  for (let round = 0; ; round++) {
    const ref = valueRefOf(head);
    const value = ref ? await t.placement.read(pk, ref) : (head[A.value]?.B ?? new Uint8Array(0));
    if (value) return build(head, value);
    if (round === 3) throw new Error(`a large value kept changing while it was read (${JSON.stringify(pk.slice(0, 80))})`);
    const again = (
      await t.run('GetItem', () =>
        t.client.send(new GetItemCommand({ TableName: t.tableName, Key: { [PK]: { S: pk }, [SK]: { B: sk } }, ConsistentRead: true })),
      )
    ).Item;
    if (!again) return undefined;
    head = again;
  }
}
