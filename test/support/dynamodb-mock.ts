/**
 * Shared fixtures of the fault-injection tests: one DynamoDB client whose every command is
 * intercepted by aws-sdk-client-mock (nothing leaves the process), the scope the tests write to,
 * a retry policy with room for every attempt, and SDK errors as DynamoDB raises them.
 * Test files share their worker's modules (vitest.config.ts), so this instance is shared too:
 * every test resets it first.
 */
import { ConditionalCheckFailedException, DynamoDBClient, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import Long from 'long';
import { partitionKeyOf } from '../../lambda/store/keys.js';
import { DynamoDbStore, type DynamoDbStoreOptions } from '../../lambda/store/dynamodb-store.js';
import type { RetryOptions } from '../../lambda/store/retry.js';
import { SeqClock } from '../../lambda/store/seq-clock.js';

export const TABLE = 'vss-test-table';
export const USER = 'alice';
export const STORE = 'wallet';
export const PK = partitionKeyOf({ userToken: USER, storeId: STORE });
export const RETRY: RetryOptions = { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 100, budgetMs: 60_000 };

// A real client object (its send is replaced by the mock); region/credentials only so that it
// can be constructed offline.
export const client = new DynamoDBClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  maxAttempts: 1,
});
export const ddb = mockClient(client);

export const meta = { httpStatusCode: 400, requestId: 'req-1', attempts: 1, totalRetryDelay: 0 };
export const conditionFailed = (item?: Record<string, AttributeValue>): ConditionalCheckFailedException =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: meta, ...(item ? { Item: item } : {}) });
/** What the SDK raises when a request times out: ambiguous, it may have been applied. */
export const timeout = (): Error => Object.assign(new Error('Connection timed out after 3000 ms'), { name: 'TimeoutError' });

export const L = (n: bigint | number): Long => Long.fromString(n.toString());

/**
 * A store on the mocked client whose retries wait on a virtual clock (no real sleeping) and
 * record every wait in `sleeps`; jitter is fixed at half the cap, creation positions at 10^6.
 */
export function storeWithVirtualClock(sleeps: number[], extra: Partial<DynamoDbStoreOptions> = {}): DynamoDbStore {
  let t = 0;
  return new DynamoDbStore({
    client,
    tableName: TABLE,
    retry: RETRY,
    retryDeps: {
      sleep: async (ms) => {
        sleeps.push(ms);
        t += ms;
      },
      now: () => t,
      random: () => 0.5,
    },
    seqClock: new SeqClock(() => 1_000_000n),
    ...extra,
  });
}
