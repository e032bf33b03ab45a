/**
 * The bulk table layer's handle on this project's DynamoDB table, for the operators' tools
 * (pg-import, pg-export, the admin commands): the one table client (lambda/store/table-client.ts)
 * with a retry policy for bulk work, request and capacity counters for the reports, and the
 * value-placement port (lambda/store/value-placement.ts) so values are read and written exactly
 * where and as the service does. Records are read with scan.ts and written with records.ts.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoDbClient } from '../../lambda/store/client-settings.js';
import { MAX_ITEM_BYTES } from '../../lambda/store/item-size.js';
import { ChunkTier } from '../../lambda/store/large-values.js';
import type { RetryOptions } from '../../lambda/store/retry.js';
import { TableClient } from '../../lambda/store/table-client.js';
import { ValuePlacement } from '../../lambda/store/value-placement.js';

/** Bulk work waits out throttling far longer than a request on the API path may. */
export const BULK_RETRY: RetryOptions = { maxAttempts: 15, baseDelayMs: 50, maxDelayMs: 10_000, budgetMs: 600_000 };
/** One bulk request may carry megabytes (a large value's chunks): more time than an API request. */
export const BULK_REQUEST_TIMEOUT_MS = 30_000;

/**
 * The tools' DynamoDB client: a local engine on a loopback endpoint takes any credentials (as
 * `npm start` does); otherwise credentials come from the AWS SDK's chain (env, profile, role).
 * The SDK's own retries are off, so that one policy (BULK_RETRY) applies.
 */
export function bulkClient(endpoint: string | undefined, region: string | undefined): DynamoDBClient {
  return dynamoDbClient({
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    requestTimeoutMs: BULK_REQUEST_TIMEOUT_MS,
  });
}

export interface BulkTableOptions {
  /** @default BULK_RETRY */
  readonly retry?: RetryOptions;
  /** Where out-of-line values live (as the store is configured). @default chunks only */
  readonly placement?: (table: TableClient) => ValuePlacement;
  /** Head items larger than this keep their value out of line (as the store decides). @default MAX_ITEM_BYTES */
  readonly inlineMaxBytes?: number;
}

/** Requests sent, capacity units consumed and retries made, for the tools' reports. */
export interface BulkUsage {
  requests: number;
  capacityUnits: number;
  retries: number;
}

export class BulkTable extends TableClient {
  readonly usage: BulkUsage;
  readonly placement: ValuePlacement;
  readonly inlineMaxBytes: number;

  constructor(client: DynamoDBClient, tableName: string, options: BulkTableOptions = {}) {
    const usage: BulkUsage = { requests: 0, capacityUnits: 0, retries: 0 };
    super({
      client,
      tableName,
      retry: options.retry ?? BULK_RETRY,
      onRequest: (e) => {
        usage.requests++;
        for (const c of e.consumedCapacity) usage.capacityUnits += c.CapacityUnits ?? 0;
      },
      onRetry: () => void usage.retries++,
    });
    this.usage = usage;
    this.placement = options.placement ? options.placement(this) : new ValuePlacement([new ChunkTier(this)]);
    this.inlineMaxBytes = Math.min(options.inlineMaxBytes ?? MAX_ITEM_BYTES, MAX_ITEM_BYTES);
  }
}

export function bulkTable(client: DynamoDBClient, tableName: string, options: BulkTableOptions = {}): BulkTable {
  return new BulkTable(client, tableName, options);
}
