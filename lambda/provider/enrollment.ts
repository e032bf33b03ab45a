/**
 * The allowlist of signature mode's `allowlist` enrollment (docs/auth.md, "Enrollment"): one item
 * per registered public key, in that user's own provider partition (meta-keys.ts, sk 0x03), so a
 * key's registration lives beside its quota overrides and usage, and erasing the user removes it.
 *
 * The request path only reads (`isEnrolled`: one strongly consistent GetItem of a key-only
 * projection, 1 read unit whether the item exists or not); `vss admin allow-user` and `deny-user`
 * write (`allow`, `deny`) with the operator's credentials. How often the request path reads is
 * the cache's business (lambda/auth/enrollment-cache.ts).
 */
import { DeleteItemCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { enrollmentSortKey, META, PK, SK, userPartitionKey } from './meta-keys.js';
import type { TableClient } from '../store/table-client.js';

export class EnrollmentTable {
  constructor(private readonly table: TableClient) {}

  /** Whether the key is registered now (strongly consistent: a deny-user just made is seen). */
  async isEnrolled(userToken: string): Promise<boolean> {
    const t = this.table;
    const out = await t.run('GetItem', () =>
      t.client.send(
        new GetItemCommand({
          TableName: t.tableName,
          Key: this.key(userToken),
          ConsistentRead: true,
          ProjectionExpression: '#pk',
          ExpressionAttributeNames: { '#pk': PK },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    return out.Item !== undefined;
  }

  /** Registers the key (idempotent: registering it again keeps it registered). */
  async allow(userToken: string, nowMs: number): Promise<void> {
    const t = this.table;
    await t.run('PutItem', () =>
      t.client.send(
        new PutItemCommand({
          TableName: t.tableName,
          Item: { ...this.key(userToken), [META.since]: { N: String(nowMs) } },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
  }

  /** Removes the key's registration; returns whether it was registered. */
  async deny(userToken: string): Promise<boolean> {
    const t = this.table;
    const out = await t.run('DeleteItem', () =>
      t.client.send(
        new DeleteItemCommand({
          TableName: t.tableName,
          Key: this.key(userToken),
          ReturnValues: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    return out.Attributes !== undefined;
  }

  private key(userToken: string) {
    return { [PK]: { S: userPartitionKey(userToken) }, [SK]: { B: enrollmentSortKey() } };
  }
}
