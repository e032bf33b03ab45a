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
 *   - an object record (gcN 0) that is not live: object-tier.ts, sweepObjectRecord
 * Deleting chunks before the record keeps the invariant that no chunk exists without a record.
 * Runs on a schedule in the stack and periodically in the local server.
 */
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { deleteChunkSet, idOfChunkSetSortKey, SWEEP_SHARDS } from './large-values.js';
import type { RetryOptions } from './retry.js';
import type { TableClient } from './table-client.js';
import { queryPages } from './table-scan.js';
import { TABLE_LAYOUT } from './table-layout.js';
import { sameId, valueRefOf } from './value-placement.js';
import type { ObjectStore } from '../core/object-store.js';
import { isObjectRecord, postponeRecord, retentionMsOf, sweepObjectRecord } from './object-tier.js';

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

/**
 * The sweeper runs in the background, off the request path: it waits out throttling longer than a
 * request may (a run that still fails is continued by the next one).
 */
export const SWEEP_RETRY: RetryOptions = { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 2000, budgetMs: 30_000 };

const A = TABLE_LAYOUT.attributes;
const PK = TABLE_LAYOUT.partitionKey.name;
const SK = TABLE_LAYOUT.sortKey.name;

/** Every request goes through `table` (table-client.ts): build it with SWEEP_RETRY. */
export async function sweepChunkSets(table: TableClient, options: SweepOptions = {}): Promise<SweepResult> {
  const { client, tableName } = table;
  const now = options.nowMs ?? Date.now();
  const cutoff = now - (options.graceMs ?? 60 * 60 * 1000);
  const recheckAt = now + (options.recheckMs ?? 7 * 24 * 60 * 60 * 1000);
  const max = options.maxRecords ?? 10_000;
  let examined = 0;
  let live = 0;
  let removed = 0;
  let chunksRemoved = 0;
  let objectsRemoved = 0;
  let objectsRetired = 0;
  for (let shard = 0; shard < SWEEP_SHARDS && examined < max; shard++) {
    const pages = queryPages(table, {
      TableName: tableName,
      IndexName: TABLE_LAYOUT.sweepIndex.name,
      KeyConditionExpression: '#shard = :shard AND #at < :cutoff',
      ExpressionAttributeNames: { '#shard': A.sweepShard, '#at': A.sweepAt },
      ExpressionAttributeValues: { ':shard': { S: String(shard) }, ':cutoff': { N: String(cutoff) } },
      Limit: 100,
    });
    for await (const page of pages) {
      for (const record of page) {
        if (examined >= max) break;
        examined++;
        const pk = record[PK]!.S!;
        const setSk = record[SK]!.B!;
        const id = idOfChunkSetSortKey(setSk);
        const headSk = record[A.chunkSetHead]!.B!;
        const chunks = Number(record[A.chunkSetCount]!.N!);
        const head = await table.run('GetItem', () =>
          client.send(
            new GetItemCommand({
              TableName: tableName,
              Key: { [PK]: { S: pk }, [SK]: { B: headSk } },
              ConsistentRead: true,
              ProjectionExpression: '#lv',
              ExpressionAttributeNames: { '#lv': A.largeValue },
              ReturnConsumedCapacity: 'TOTAL',
            }),
          ),
        );
        if (isObjectRecord(record)) {
          // An object record (object-tier.ts): without the object store it is left alone.
          if (!options.objects) continue;
          if (sameId(valueRefOf(head.Item)?.id, id)) {
            live++;
            await postponeRecord(table, pk, setSk, recheckAt);
            continue;
          }
          const outcome = await sweepObjectRecord(table, options.objects, pk, id, now, options.retentionMs ?? retentionMsOf());
          if (outcome === 'removed') objectsRemoved++;
          if (outcome === 'retired') objectsRetired++;
          continue;
        }
        if (sameId(valueRefOf(head.Item)?.id, id)) {
          live++;
          await table
            .run('UpdateItem', () =>
              client.send(
                new UpdateItemCommand({
                  TableName: tableName,
                  Key: { [PK]: { S: pk }, [SK]: { B: setSk } },
                  UpdateExpression: 'SET #at = :at',
                  ConditionExpression: 'attribute_exists(#pk)',
                  ExpressionAttributeNames: { '#at': A.sweepAt, '#pk': PK },
                  ExpressionAttributeValues: { ':at': { N: String(recheckAt) } },
                  ReturnConsumedCapacity: 'TOTAL',
                }),
              ),
            )
            .catch((e: Error) => {
              if (e.name !== 'ConditionalCheckFailedException') throw e; // removed meanwhile: fine
            });
        } else {
          await deleteChunkSet(table, pk, { id, chunks });
          removed++;
          chunksRemoved += chunks;
        }
      }
      if (examined >= max) break;
    }
  }
  return { examined, live, removed, chunksRemoved, objectsRemoved, objectsRetired };
}
