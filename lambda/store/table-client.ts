/**
 * The one way this code sends requests to the VSS table: the store, the usage ledger and request
 * gate, the chunk sweeper (deployed and local) and the bulk tools all hold a TableClient.
 *
 * It adds to the SDK client (built with client-settings.ts, whose timeouts throw) the retry
 * policy of retry.ts (bounded, jittered backoff; ambiguous faults tracked) and one observer that
 * sees every request that was sent, with its consumed capacity, for metrics, tests and cost
 * figures. `pause` is the same backoff, for batch rounds that re-send unprocessed items.
 */
import type { ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  backoffDelayMs,
  DEFAULT_RETRY,
  DEFAULT_RETRY_DEPS,
  withRetries,
  type AttemptContext,
  type RetryDeps,
  type RetryOptions,
} from './retry.js';

/** The DynamoDB commands this code sends (the IAM contract test compares them with the grants). */
export type TableCommand =
  | 'GetItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'TransactWriteItems'
  | 'Query'
  | 'Scan'
  | 'PutItem'
  | 'BatchWriteItem'
  | 'BatchGetItem';

/** One DynamoDB request as seen by an observer: for metrics, logs and the cost benchmarks. */
export interface TableRequestEvent {
  readonly command: TableCommand;
  readonly consumedCapacity: readonly ConsumedCapacity[];
  readonly attempt: number;
  /** The request failed (a failed condition still costs a round trip and write capacity). */
  readonly failed: boolean;
}

export interface TableClientOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** @default DEFAULT_RETRY */
  readonly retry?: RetryOptions;
  /** Injected for tests. @default real timers */
  readonly retryDeps?: RetryDeps;
  /** Called after every request that was sent, failed or not. @default none */
  readonly onRequest?: (event: TableRequestEvent) => void;
  /** Called before a transient fault is retried. @default none */
  readonly onRetry?: (error: unknown, attempt: number) => void;
}

type WithCapacity = { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] };

export class TableClient {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly retry: RetryOptions;
  readonly retryDeps: RetryDeps;
  private readonly options: TableClientOptions;

  constructor(options: TableClientOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.retryDeps = options.retryDeps ?? DEFAULT_RETRY_DEPS;
    this.options = options;
  }

  /** Runs one request with the retry policy; `send` sees whether an earlier attempt may have applied. */
  run<T extends WithCapacity>(command: TableCommand, send: (ctx: AttemptContext) => Promise<T>): Promise<T> {
    const onRequest = this.options.onRequest;
    return withRetries(
      async (ctx) => {
        let out: T;
        try {
          out = await send(ctx);
        } catch (e) {
          onRequest?.({ command, attempt: ctx.attempt, consumedCapacity: [], failed: true });
          throw e;
        }
        if (onRequest) {
          const cc = out?.ConsumedCapacity;
          onRequest({
            command,
            attempt: ctx.attempt,
            consumedCapacity: cc === undefined ? [] : Array.isArray(cc) ? cc : [cc],
            failed: false,
          });
        }
        return out;
      },
      this.retry,
      this.retryDeps,
      this.options.onRetry,
    );
  }

  /** Waits before batch round `round + 1` re-sends unprocessed items (the same backoff). */
  pause(round: number): Promise<void> {
    return this.retryDeps.sleep(backoffDelayMs(round + 1, this.retry, this.retryDeps.random));
  }

  /** Time by the retry policy's clock (tests inject it). */
  now(): number {
    return this.retryDeps.now();
  }
}
