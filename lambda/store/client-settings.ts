/**
 * How this code's DynamoDB clients talk to DynamoDB, deployed (request-path/compose.ts, the sweeper),
 * local (local/engines.ts, local/app.ts) and in the bulk tools alike: a stalled table answers
 * within the same budget everywhere. Requests go through table-client.ts, which adds the retries.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { isIP } from 'node:net';

/** Time to open a connection to DynamoDB. */
export const DYNAMODB_CONNECTION_TIMEOUT_MS = 1000;
/** Time for one DynamoDB request; retry.ts starts no new attempt after its budget. */
export const DYNAMODB_REQUEST_TIMEOUT_MS = 3000;

/** Client settings besides endpoint, region and credentials. */
export function dynamoDbClientSettings(
  requestTimeoutMs: number = DYNAMODB_REQUEST_TIMEOUT_MS,
): Pick<DynamoDBClientConfig, 'maxAttempts' | 'requestHandler'> {
  return {
    // Retries are ours (store/retry.ts): one policy for throttling, conflicts and network faults.
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: DYNAMODB_CONNECTION_TIMEOUT_MS,
      requestTimeout: requestTimeoutMs,
      // Without this the handler only logs a warning when the timeout passes and keeps waiting.
      throwOnRequestTimeout: true,
    }),
  };
}

export interface DynamoDbClientOptions {
  /** A DynamoDB-compatible endpoint. @default AWS for the region */
  readonly endpoint?: string;
  /** @default the AWS SDK chain (AWS_REGION, profile); 'us-east-1' for a local engine */
  readonly region?: string;
  /** @default DYNAMODB_REQUEST_TIMEOUT_MS */
  readonly requestTimeoutMs?: number;
}

/**
 * A client with the shared settings. A local engine on a loopback endpoint takes any credentials,
 * so unless AWS credentials are in the environment it gets fixed local ones (as `npm start`
 * does); anything else uses the AWS SDK's credential chain.
 */
export function dynamoDbClient(options: DynamoDbClientOptions = {}): DynamoDBClient {
  const { endpoint, region } = options;
  const settings = dynamoDbClientSettings(options.requestTimeoutMs);
  if (endpoint && isLoopback(endpoint) && !process.env['AWS_ACCESS_KEY_ID']) {
    return new DynamoDBClient({
      endpoint,
      region: region ?? 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      ...settings,
    });
  }
  return new DynamoDBClient({ ...(endpoint ? { endpoint } : {}), ...(region ? { region } : {}), ...settings });
}

/** Is this endpoint URL (or bare host name or address) on this machine's loopback interface? */
export function isLoopback(endpointOrHost: string): boolean {
  let host = endpointOrHost;
  if (endpointOrHost.includes('://')) {
    try {
      host = new URL(endpointOrHost).hostname;
    } catch {
      return false;
    }
  }
  host = host.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}
