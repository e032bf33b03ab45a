/**
 * How the service's DynamoDB client talks to DynamoDB, deployed (request-path/compose.ts) and local
 * (local/engines.ts) alike: a stalled table answers within the same budget in both.
 */
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Time to open a connection to DynamoDB. */
export const DYNAMODB_CONNECTION_TIMEOUT_MS = 1000;
/** Time for one DynamoDB request; retry.ts starts no new attempt after its budget. */
export const DYNAMODB_REQUEST_TIMEOUT_MS = 3000;

/** Client settings besides endpoint, region and credentials. */
export function dynamoDbClientSettings(): Pick<DynamoDBClientConfig, 'maxAttempts' | 'requestHandler'> {
  return {
    // Retries are ours (store/retry.ts): one policy for throttling, conflicts and network faults.
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: DYNAMODB_CONNECTION_TIMEOUT_MS,
      requestTimeout: DYNAMODB_REQUEST_TIMEOUT_MS,
      // Without this the handler only logs a warning when the timeout passes and keeps waiting.
      throwOnRequestTimeout: true,
    }),
  };
}
