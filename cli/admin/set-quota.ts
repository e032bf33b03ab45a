/** Per-user quota overrides, kept in the user's profile item (read by every metered write). */
import { UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { META, PK, profileSortKey, SK, userPartitionKey } from '../../lambda/provider/meta-keys.js';

/** A number sets the override (0 = no limit for this user); 'default' removes it. */
export type QuotaOverride = number | 'default';

export async function setQuota(
  o: { client: DynamoDBClient; tableName: string },
  userToken: string,
  maxKeys: QuotaOverride | undefined,
  maxBytes: QuotaOverride | undefined,
): Promise<void> {
  const set: string[] = [];
  const remove: string[] = [];
  const values: Record<string, { N: string }> = {};
  const apply = (name: '#mk' | '#mb', v: QuotaOverride | undefined): void => {
    if (v === undefined) return;
    if (v === 'default') remove.push(name);
    else {
      set.push(`${name} = :${name.slice(1)}`);
      values[`:${name.slice(1)}`] = { N: String(v) };
    }
  };
  apply('#mk', maxKeys);
  apply('#mb', maxBytes);
  if (set.length + remove.length === 0) return;
  const expression = [set.length ? `SET ${set.join(', ')}` : '', remove.length ? `REMOVE ${remove.join(', ')}` : '']
    .filter(Boolean)
    .join(' ');
  const names: Record<string, string> = {};
  if (expression.includes('#mk')) names['#mk'] = META.maxKeys;
  if (expression.includes('#mb')) names['#mb'] = META.maxBytes;
  await o.client.send(
    new UpdateItemCommand({
      TableName: o.tableName,
      Key: { [PK]: { S: userPartitionKey(userToken) }, [SK]: { B: profileSortKey() } },
      UpdateExpression: expression,
      ExpressionAttributeNames: names,
      ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
    }),
  );
}
