/** Creates the VSS table on a local engine (or any endpoint) exactly as the CDK construct does. */
import { CreateTableCommand, DescribeTableCommand, ResourceNotFoundException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TABLE_LAYOUT } from '../lambda/store/table-layout.js';

/**
 * Table administration is not a request on a wallet's behalf: a loaded engine (a JVM creating a
 * table with two indexes) may take longer than the service's per-request timeout.
 */
const ADMIN_REQUEST = { requestTimeout: 30_000 } as const;

export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }), ADMIN_REQUEST);
    return;
  } catch (e) {
    if (!(e instanceof ResourceNotFoundException) && (e as Error).name !== 'ResourceNotFoundException') throw e;
  }
  const { partitionKey: pk, sortKey: sk, creationIndex: idx, sweepIndex: gc } = TABLE_LAYOUT;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: pk.name, AttributeType: pk.type },
        { AttributeName: sk.name, AttributeType: sk.type },
        { AttributeName: idx.sortKey.name, AttributeType: idx.sortKey.type },
        { AttributeName: gc.partitionKey.name, AttributeType: gc.partitionKey.type },
        { AttributeName: gc.sortKey.name, AttributeType: gc.sortKey.type },
      ],
      KeySchema: [
        { AttributeName: pk.name, KeyType: 'HASH' },
        { AttributeName: sk.name, KeyType: 'RANGE' },
      ],
      LocalSecondaryIndexes: [
        {
          IndexName: idx.name,
          KeySchema: [
            { AttributeName: pk.name, KeyType: 'HASH' },
            { AttributeName: idx.sortKey.name, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...idx.nonKeyAttributes] },
        },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: gc.name,
          KeySchema: [
            { AttributeName: gc.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: gc.sortKey.name, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...gc.nonKeyAttributes] },
        },
      ],
    }),
    ADMIN_REQUEST,
  );
  for (let i = 0; i < 200; i++) {
    const d = await client.send(new DescribeTableCommand({ TableName: tableName }), ADMIN_REQUEST);
    if (d.Table?.TableStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`table ${tableName} did not become ACTIVE`);
}
