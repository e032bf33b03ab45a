/**
 * LNURL-auth challenges in a small DynamoDB table: partition key `k1` (S), TTL attribute
 * `expiresAt` (N, epoch seconds). Two requests only:
 *   create  — PutItem with attribute_not_exists(k1) (a 256-bit random collision is not expected,
 *             but it must never overwrite)
 *   consume — DeleteItem with attribute_exists(k1), ReturnValues ALL_OLD: the conditional delete is
 *             the exactly-once step; expiresAt is checked on the returned item because TTL deletion
 *             lags by up to days.
 */
import { ConditionalCheckFailedException, DeleteItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { K1Store } from './lnurl.js';

export class DynamoDbK1Store implements K1Store {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async create(k1: string, expiresAtSeconds: number): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: { k1: { S: k1 }, expiresAt: { N: String(expiresAtSeconds) } },
        ConditionExpression: 'attribute_not_exists(k1)',
      }),
    );
  }

  async consume(k1: string, nowSeconds: number): Promise<boolean> {
    try {
      const out = await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: { k1: { S: k1 } },
          ConditionExpression: 'attribute_exists(k1)',
          ReturnValues: 'ALL_OLD',
        }),
      );
      const expiresAt = Number(out.Attributes?.['expiresAt']?.N ?? 'NaN');
      return Number.isFinite(expiresAt) && expiresAt > nowSeconds;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException || (e as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw e;
    }
  }
}
