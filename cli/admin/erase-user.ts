/**
 * Erasing one user (account closure, GDPR): every item of the user in every store, large-value
 * chunks included, then its usage and registry items, and nothing of anyone else
 * (docs/provider.md, "Erasing a user").
 *
 * The user's stores come from its store registry (one Query of its user partition), never from a
 * Scan; `scan: true` adds a full-table Scan for tables that ran before usage metering was on.
 * Each store's partition is read with Query and deleted in batches; the registry entries go last,
 * so an interrupted erase is finished by running it again. Running it on an erased user deletes
 * nothing. It talks to DynamoDB directly: no route of the VSS API can reach it.
 */
import { BatchWriteItemCommand, ScanCommand, type AttributeValue, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { kindOfUserSortKey, PK, registryKeyOf, SK, userPartitionKey } from '../../lambda/provider/meta-keys.js';
import { num } from '../../lambda/provider/usage-ledger.js';
import { queryAll, queryPages } from '../../lambda/store/table-scan.js';
import { TableClient } from '../../lambda/store/table-client.js';
import { META } from '../../lambda/provider/meta-keys.js';
import { partitionKeyOf } from '../../lambda/store/keys.js';
import { itemKindOfSortKey } from '../../lambda/store/large-values.js';
import { userObjectPrefix } from '../../lambda/store/object-keys.js';
import type { S3ObjectStore } from '../../lambda/store/s3-object-store.js';

export interface EraseOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly userToken: string;
  /** False: only count what would be deleted. */
  readonly apply: boolean;
  /** Also find stores with a Scan (tables written before metering was on). @default false */
  readonly scan?: boolean;
  /** Called after each store is done. @default none */
  readonly onStore?: (store: StoreErasure) => void;
  /**
   * The values bucket: the user's objects (every key under its prefix, object-keys.ts) are
   * deleted first, every version where the store keeps versions. @default none (table only)
   */
  readonly objects?: S3ObjectStore;
}

export interface StoreErasure {
  readonly storeId: string;
  /** Records (keys, the global-version record included). */
  readonly records: number;
  /** Large-value chunks and chunk-set records. */
  readonly chunkItems: number;
  /** Bytes the usage counters held for the store (0 when it was never metered). */
  readonly countedBytes: number;
}

export interface EraseResult {
  readonly applied: boolean;
  readonly stores: readonly StoreErasure[];
  /** Usage, request-count and registry items of the user. */
  readonly providerItems: number;
  /** Objects of the user in the values bucket (live and retained), and their bytes. */
  readonly objects: number;
  readonly objectBytes: number;
  /** DynamoDB requests made and capacity consumed (write + read units). */
  readonly requests: number;
  readonly readUnits: number;
  readonly writeUnits: number;
}

const BATCH = 25;
const PARALLEL = 8;

export async function eraseUser(options: EraseOptions): Promise<EraseResult> {
  let requests = 0;
  let readUnits = 0;
  let writeUnits = 0;
  const table = new TableClient({
    client: options.client,
    tableName: options.tableName,
    onRequest: (e) => {
      requests++;
      const units = e.consumedCapacity.reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
      if (e.command === 'BatchWriteItem') writeUnits += units;
      else readUnits += units;
    },
  });
  const userPk = userPartitionKey(options.userToken);
  const userItems = await queryAll(table, {
    TableName: table.tableName,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': PK },
    ExpressionAttributeValues: { ':pk': { S: userPk } },
    ConsistentRead: true,
  });
  const counted = new Map<string, number>();
  for (const item of userItems) {
    const kind = kindOfUserSortKey(item[SK]!.B!);
    if (kind.kind === 'store') counted.set(kind.storeId, num(item[META.bytes]));
  }
  const storeIds = new Set(counted.keys());
  if (options.scan) for (const id of await scanStoreIds(table, options.userToken)) storeIds.add(id);

  // The user's objects first, all at once (one prefix, every store): what a table item pointed at
  // and what is retained for recovery alike. A re-run finds whatever an interrupted one left.
  const erasedObjects = options.objects ? await options.objects.erasePrefix(userObjectPrefix(options.userToken), options.apply) : undefined;

  const stores: StoreErasure[] = [];
  for (const storeId of [...storeIds].sort()) {
    const pk = partitionKeyOf({ userToken: options.userToken, storeId });
    let records = 0;
    let chunkItems = 0;
    // Chunk-set records last: a chunk never outlives the record that leads the sweeper to it.
    const chunkSetRecords: WriteRequest[] = [];
    // Page by page (each deleted before the next is read), so a store of any size is erased in
    // bounded memory.
    const pages = queryPages(table, {
      TableName: table.tableName,
      KeyConditionExpression: '#pk = :pk',
      ProjectionExpression: '#pk, #sk',
      ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
      ExpressionAttributeValues: { ':pk': { S: pk } },
      ConsistentRead: true,
    });
    for await (const items of pages) {
      const page: WriteRequest[] = [];
      for (const item of items) {
        const sk = item[SK]!.B!;
        const request = { DeleteRequest: { Key: { [PK]: { S: pk }, [SK]: { B: sk } } } };
        const kind = itemKindOfSortKey(sk);
        if (kind === 'chunk-set') {
          chunkItems++;
          chunkSetRecords.push(request);
        } else {
          if (kind === 'chunk') chunkItems++;
          else records++;
          page.push(request);
        }
      }
      if (options.apply) await deleteAll(table, page);
    }
    if (options.apply) await deleteAll(table, chunkSetRecords);
    const done = { storeId, records, chunkItems, countedBytes: counted.get(storeId) ?? 0 };
    stores.push(done);
    options.onStore?.(done);
  }

  // Provider items last (the store registry entries among them), then the user's registry entry.
  const reg = registryKeyOf(options.userToken);
  const providerRequests: WriteRequest[] = userItems.map((item) => ({
    DeleteRequest: { Key: { [PK]: { S: userPk }, [SK]: { B: item[SK]!.B! } } },
  }));
  if (options.apply) {
    await deleteAll(table, providerRequests);
    await deleteAll(table, [{ DeleteRequest: { Key: { [PK]: { S: reg.pk }, [SK]: { B: reg.sk } } } }]);
  }
  return {
    applied: options.apply,
    stores,
    providerItems: providerRequests.length,
    objects: erasedObjects?.objects ?? 0,
    objectBytes: erasedObjects?.bytes ?? 0,
    requests,
    readUnits,
    writeUnits,
  };
}

/** Store ids of the user's record partitions, by Scan: only for tables written before metering. */
async function scanStoreIds(table: TableClient, userToken: string): Promise<string[]> {
  const prefix = `${userToken.length}:${userToken}:`;
  const ids = new Set<string>();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await table.run('Scan', () =>
      table.client.send(
        new ScanCommand({
          TableName: table.tableName,
          FilterExpression: 'begins_with(#pk, :prefix)',
          ProjectionExpression: '#pk',
          ExpressionAttributeNames: { '#pk': PK },
          ExpressionAttributeValues: { ':prefix': { S: prefix } },
          ReturnConsumedCapacity: 'TOTAL',
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      ),
    );
    // The length prefix makes the encoding unambiguous: every match is this user's.
    for (const item of out.Items ?? []) ids.add(item[PK]!.S!.slice(prefix.length));
    start = out.LastEvaluatedKey;
  } while (start);
  return [...ids];
}

/** BatchWriteItem deletes, 25 per call and up to PARALLEL calls at once, until none is left unprocessed. */
async function deleteAll(table: TableClient, requests: readonly WriteRequest[]): Promise<void> {
  const batches: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += BATCH) batches.push(requests.slice(i, i + BATCH));
  for (let i = 0; i < batches.length; i += PARALLEL) await Promise.all(batches.slice(i, i + PARALLEL).map((b) => deleteBatch(table, b)));
}

async function deleteBatch(table: TableClient, batch: WriteRequest[]): Promise<void> {
  let pending = batch;
  for (let round = 0; pending.length > 0; round++) {
    if (round >= 10) throw new Error('DynamoDB kept items unprocessed; run the erase again to finish');
    if (round > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** round)));
    const out = await table.run('BatchWriteItem', () =>
      table.client.send(new BatchWriteItemCommand({ RequestItems: { [table.tableName]: pending }, ReturnConsumedCapacity: 'TOTAL' })),
    );
    pending = out.UnprocessedItems?.[table.tableName] ?? [];
  }
}
