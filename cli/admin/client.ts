/** The DynamoDB client of the admin commands: a local engine's endpoint, or AWS through the SDK's chain. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { isLoopback } from '../../local/app.js';
import { localClient } from '../../local/engines.js';

export function adminClient(endpoint: string | undefined): DynamoDBClient {
  if (endpoint && isLoopback(endpoint) && !process.env['AWS_ACCESS_KEY_ID']) return localClient(endpoint);
  return new DynamoDBClient(endpoint ? { endpoint } : {});
}
