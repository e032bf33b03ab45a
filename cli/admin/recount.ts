/**
 * Recounting a user's usage from its data: the fix for drift (a usage delta lost to a crash
 * between a write's commit and its counter update, docs/provider.md). Reads each registered
 * store's partition and sets the counters to what is stored. Run it while the user is quiet:
 * writes that land during the recount may be counted twice or not at all.
 */
import { UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { META, PK, SK, storeSortKey, userPartitionKey } from '../../lambda/provider/meta-keys.js';
import type { StoreUsage } from '../../lambda/provider/usage-ledger.js';
import { queryAll } from '../../lambda/store/table-scan.js';
import { TableClient } from '../../lambda/store/table-client.js';
import { keyOfSortKey, partitionKeyOf, sortKeyLength } from '../../lambda/store/keys.js';
import { itemKindOfSortKey } from '../../lambda/store/large-values.js';
import { TABLE_LAYOUT } from '../../lambda/store/table-layout.js';
import { valueBytesOf } from '../../lambda/store/value-placement.js';
import { userReport } from './usage-report.js';

const A = TABLE_LAYOUT.attributes;

/**
 * What a store holds, item by item: records only; a record's value length comes from the
 * value-placement port, wherever the value lives (chunks are counted in their record).
 */
export async function countStore(table: TableClient, userToken: string, storeId: string): Promise<StoreUsage> {
  const items = await queryAll(table, {
    TableName: table.tableName,
    KeyConditionExpression: '#pk = :pk',
    ProjectionExpression: '#sk, #val, #lv',
    ExpressionAttributeNames: { '#pk': PK, '#sk': SK, '#val': A.value, '#lv': A.largeValue },
    ExpressionAttributeValues: { ':pk': { S: partitionKeyOf({ userToken, storeId }) } },
    ConsistentRead: true,
  });
  let keys = 0;
  let bytes = 0;
  for (const item of items) {
    const sk = item[SK]!.B!;
    if (itemKindOfSortKey(sk) !== 'record') continue;
    keys++;
    bytes += sortKeyLength(keyOfSortKey(sk)) + valueBytesOf(item);
  }
  return { storeId, keys, bytes };
}

/** Sets every registered store's counters to its recounted usage; returns old and new figures. */
export async function recountUser(
  o: { client: DynamoDBClient; tableName: string },
  userToken: string,
): Promise<{ before: readonly StoreUsage[]; after: readonly StoreUsage[] }> {
  const table = new TableClient({ client: o.client, tableName: o.tableName });
  const before = (await userReport(o, userToken, table)).stores;
  const after: StoreUsage[] = [];
  for (const s of before) {
    const counted = await countStore(table, userToken, s.storeId);
    await table.run('UpdateItem', () =>
      table.client.send(
        new UpdateItemCommand({
          TableName: table.tableName,
          Key: { [PK]: { S: userPartitionKey(userToken) }, [SK]: { B: storeSortKey(s.storeId) } },
          UpdateExpression: 'SET #k = :k, #b = :b',
          ExpressionAttributeNames: { '#k': META.keys, '#b': META.bytes },
          ExpressionAttributeValues: { ':k': { N: String(counted.keys) }, ':b': { N: String(counted.bytes) } },
        }),
      ),
    );
    after.push(counted);
  }
  return { before, after };
}
