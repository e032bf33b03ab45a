/**
 * Finishes what crashed writes left behind (large-values.ts): chunk sets whose write never
 * committed, and replaced chunk sets whose writer died before removing them. It also keeps the
 * lifecycle of the object tier (object-tier.ts): objects of abandoned writes and objects whose
 * retention has ended are deleted, and an object found unreferenced is retired from then on.
 *
 * It reads chunk-set records through the sparse `byGc` index, oldest first, only those older than
 * a grace period far longer than any request can run (Lambda's timeout is at most 29 s behind API
 * Gateway), so it never races a write in flight. For each record it reads the head it names
 * (consistent read):
 *   - the head points at the set: live; look again after `recheckMs`
 *   - otherwise: delete the chunks, then the record
 *   - an object record (no chunks) that is not live: see sweepObject
 * Deleting chunks before the record keeps the invariant that no chunk exists without a record.
 * Runs on a schedule in the stack and periodically in the local server.
 */
import { GetItemCommand, QueryCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { chunkSetSortKey, deleteChunkSet, idOfChunkSetSortKey, sameId, SWEEP_SHARDS, type TableAccess } from './large-values.js';
import type { ObjectStore } from '../core/object-store.js';
import { deleteRecord, descriptorIdOf, retentionMsOf, retireObject, type ObjectTable } from './object-tier.js';
import { backoffDelayMs, DEFAULT_RETRY, DEFAULT_RETRY_DEPS } from './retry.js';
import { TABLE_LAYOUT } from './table-layout.js';

export interface SweepOptions {
  /** Records younger than this are left alone. @default 1 hour */
  readonly graceMs?: number;
  /** A live record is looked at again after this long. @default 7 days */
  readonly recheckMs?: number;
  /** @default Date.now() */
  readonly nowMs?: number;
  /** Stop after this many records (the next run continues). @default 10_000 */
  readonly maxRecords?: number;
  /** The object store of the object tier; its records are left alone without it. @default none */
  readonly objects?: ObjectStore;
  /** How long a replaced or deleted object is kept (object-tier.ts). @default LARGE_VALUES.defaultRetentionDays */
  readonly retentionMs?: number;
}

export interface SweepResult {
  readonly examined: number;
  readonly live: number;
  readonly removed: number;
  readonly chunksRemoved: number;
  /** Objects deleted: their retention ended, or their write never committed. */
  readonly objectsRemoved: number;
  /** Objects found unreferenced for the first time: kept for the retention period from now. */
  readonly objectsRetired: number;
}

const A = TABLE_LAYOUT.attributes;
const PK = TABLE_LAYOUT.partitionKey.name;
const SK = TABLE_LAYOUT.sortKey.name;

export async function sweepChunkSets(client: DynamoDBClient, tableName: string, options: SweepOptions = {}): Promise<SweepResult> {
  const now = options.nowMs ?? Date.now();
  const cutoff = now - (options.graceMs ?? 60 * 60 * 1000);
  const recheckAt = now + (options.recheckMs ?? 7 * 24 * 60 * 60 * 1000);
  const max = options.maxRecords ?? 10_000;
  const table: TableAccess = {
    client,
    tableName,
    run: (_command, send) => send(),
    pause: (round) => DEFAULT_RETRY_DEPS.sleep(backoffDelayMs(round + 1, DEFAULT_RETRY, DEFAULT_RETRY_DEPS.random)),
  };
  let examined = 0;
  let live = 0;
  let removed = 0;
  let chunksRemoved = 0;
  let objectsRemoved = 0;
  let objectsRetired = 0;
  const retentionMs = options.retentionMs ?? retentionMsOf();
  const objectTable = { client, tableName, run: <T>(_command: string, send: () => Promise<T>) => send() };
  for (let shard = 0; shard < SWEEP_SHARDS && examined < max; shard++) {
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: TABLE_LAYOUT.sweepIndex.name,
          KeyConditionExpression: '#shard = :shard AND #at < :cutoff',
          ExpressionAttributeNames: { '#shard': A.sweepShard, '#at': A.sweepAt },
          ExpressionAttributeValues: { ':shard': { S: String(shard) }, ':cutoff': { N: String(cutoff) } },
          Limit: 100,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const record of page.Items ?? []) {
        if (examined >= max) break;
        examined++;
        const pk = record[PK]!.S!;
        const setSk = record[SK]!.B!;
        const id = idOfChunkSetSortKey(setSk);
        const headSk = record[A.chunkSetHead]!.B!;
        const chunks = Number(record[A.chunkSetCount]!.N!);
        const head = await client.send(
          new GetItemCommand({
            TableName: tableName,
            Key: { [PK]: { S: pk }, [SK]: { B: headSk } },
            ConsistentRead: true,
            ProjectionExpression: '#lv',
            ExpressionAttributeNames: { '#lv': A.largeValue },
          }),
        );
        if (chunks === 0) {
          // An object record (object-tier.ts).
          if (!options.objects) continue;
          if (sameId(descriptorIdOf(head.Item), id)) {
            live++;
            await postpone(client, tableName, pk, setSk, recheckAt);
            continue;
          }
          const outcome = await sweepObject(objectTable, options.objects, pk, id, now, retentionMs);
          if (outcome === 'removed') objectsRemoved++;
          if (outcome === 'retired') objectsRetired++;
          continue;
        }
        if (sameId(descriptorIdOf(head.Item), id)) {
          live++;
          await postpone(client, tableName, pk, setSk, recheckAt);
        } else {
          await deleteChunkSet(table, pk, { id, chunks });
          removed++;
          chunksRemoved += chunks;
        }
      }
      start = page.LastEvaluatedKey;
    } while (start && examined < max);
  }
  return { examined, live, removed, chunksRemoved, objectsRemoved, objectsRetired };
}

/** A live record is looked at again at `atMs`. */
async function postpone(client: DynamoDBClient, tableName: string, pk: string, setSk: Uint8Array, atMs: number): Promise<void> {
  await client
    .send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { [PK]: { S: pk }, [SK]: { B: setSk } },
        UpdateExpression: 'SET #at = :at',
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: { '#at': A.sweepAt, '#pk': PK },
        ExpressionAttributeValues: { ':at': { N: String(atMs) } },
      }),
    )
    .catch((e: Error) => {
      if (e.name !== 'ConditionalCheckFailedException') throw e; // removed meanwhile: fine
    });
}

/**
 * An object record whose head does not point at it (object-tier.ts, "Lifecycle"): deleted when
 * its write was abandoned or its retention has ended; otherwise it is retired now, and looked at
 * again when the retention ends.
 */
async function sweepObject(
  t: ObjectTable,
  objects: ObjectStore,
  pk: string,
  id: Uint8Array,
  now: number,
  retentionMs: number,
): Promise<'removed' | 'retired' | 'waiting' | 'gone'> {
  const out = await t.client.send(
    new GetItemCommand({
      TableName: t.tableName,
      Key: { [PK]: { S: pk }, [SK]: { B: chunkSetSortKey(id) } },
      ConsistentRead: true,
      ProjectionExpression: '#key, #del, #abandoned',
      ExpressionAttributeNames: { '#key': A.objectKey, '#del': A.objectDeleteAt, '#abandoned': A.objectAbandoned },
    }),
  );
  const record = out.Item;
  if (!record) return 'gone';
  const key = record[A.objectKey]?.S;
  const deleteAt = record[A.objectDeleteAt]?.N;
  const due = record[A.objectAbandoned]?.BOOL === true || (deleteAt !== undefined && Number(deleteAt) <= now);
  if (due) {
    // The object first, then its record: no object is ever without a record that leads to it.
    if (key !== undefined) await objects.delete([key]);
    await deleteRecord(t, pk, id);
    return 'removed';
  }
  if (deleteAt !== undefined) {
    await postpone(t.client, t.tableName, pk, chunkSetSortKey(id), Number(deleteAt));
    return 'waiting';
  }
  await retireObject(t, pk, { id }, now + retentionMs);
  return 'retired';
}
