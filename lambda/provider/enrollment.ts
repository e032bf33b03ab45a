/**
 * The allowlist of signature mode's `allowlist` enrollment (docs/auth.md, "Enrollment"): one item
 * per registered public key, in that user's own provider partition (meta-keys.ts, sk 0x03), so a
 * key's registration lives beside its quota overrides and usage, and erasing the user removes it.
 *
 * The request path only reads (`isEnrolled`: one strongly consistent GetItem of a key-only
 * projection, 1 read unit whether the item exists or not); `vss admin allow-user` and `deny-user`
 * write (cli/admin/enrollment.ts, kept out of the functions' bundles) with the operator's
 * credentials. How often the request path reads is
 * the cache's business (lambda/auth/enrollment-cache.ts).
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { enrollmentSortKey, PK, SK, userPartitionKey } from './meta-keys.js';
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

  private key(userToken: string) {
    return enrollmentKey(userToken);
  }
}

/** The key of a user's enrollment item. */
export function enrollmentKey(userToken: string) {
  return { [PK]: { S: userPartitionKey(userToken) }, [SK]: { B: enrollmentSortKey() } };
}
