/**
 * The writes of signature mode's enrollment allowlist (`vss admin allow-user`, `deny-user`):
 * the item lambda/provider/enrollment.ts reads on the request path. Kept here so the functions'
 * bundles carry only the read.
 */
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { enrollmentKey } from '../../lambda/provider/enrollment.js';
import { META } from '../../lambda/provider/meta-keys.js';
import type { TableClient } from '../../lambda/store/table-client.js';

/** Registers the key (idempotent: registering it again keeps it registered). */
export async function allowUser(t: TableClient, userToken: string, nowMs: number): Promise<void> {
  await t.run('PutItem', () =>
    t.client.send(
      new PutItemCommand({
        TableName: t.tableName,
        Item: { ...enrollmentKey(userToken), [META.since]: { N: String(nowMs) } },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    ),
  );
}

/** Removes the key's registration; returns whether it was registered. */
export async function denyUser(t: TableClient, userToken: string): Promise<boolean> {
  const out = await t.run('DeleteItem', () =>
    t.client.send(
      new DeleteItemCommand({
        TableName: t.tableName,
        Key: enrollmentKey(userToken),
        ReturnValues: 'ALL_OLD',
        ReturnConsumedCapacity: 'TOTAL',
      }),
    ),
  );
  return out.Attributes !== undefined;
}
