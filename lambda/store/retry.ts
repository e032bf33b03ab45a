/**
 * Bounded, jittered retries of transient DynamoDB faults (docs/protocol.md §7.6). Only failed conditions are
 * conflicts; throttling, TransactionConflict, 5xx and network faults are retried here and, when
 * the budget is spent, answered 500 so the client retries later.
 *
 * A fault is *ambiguous* when the write may have been applied anyway (a timeout, a dropped
 * connection, a 5xx). The store must know that, because a retried conditional write whose first
 * attempt did commit would otherwise be reported as a conflict.
 */
import { internalError } from '../core/errors.js';

export interface RetryOptions {
  /** Attempts in all, the first included. @default 6 */
  readonly maxAttempts: number;
  /** Backoff base: the k-th retry waits up to base × 2^k (full jitter). @default 25 */
  readonly baseDelayMs: number;
  /** Cap on a single wait. @default 800 */
  readonly maxDelayMs: number;
  /**
   * No new attempt starts after this much time has passed since the first. With the 3 s
   * per-request timeout (client-settings.ts) a request ends well inside the clients' 10 s.
   * @default 3000
   */
  readonly budgetMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 6, baseDelayMs: 25, maxDelayMs: 800, budgetMs: 3000 };

export interface AttemptContext {
  readonly attempt: number;
  /** True when an earlier attempt may have been applied (see module comment). */
  readonly afterAmbiguousFault: boolean;
}

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TransactionConflictException',
  'TransactionInProgressException',
]);
const SERVER_FAULTS = new Set(['InternalServerError', 'InternalFailure', 'ServiceUnavailable']);
const NETWORK_FAULTS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'AbortError']);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);
/** Cancellation reasons that mean "nothing was written, try again". */
const TRANSIENT_CANCELLATION = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded', 'None']);

export type FaultKind = 'transient' | 'ambiguous' | 'permanent';

interface AwsLikeError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
  CancellationReasons?: { Code?: string }[];
}

export function classifyFault(e: unknown): FaultKind {
  const err = (e ?? {}) as AwsLikeError;
  const name = err.name ?? '';
  if (THROTTLING.has(name)) return 'transient';
  if (name === 'TransactionCanceledException') {
    const codes = (err.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
    if (codes.length > 0 && codes.every((c) => TRANSIENT_CANCELLATION.has(c)) && codes.some((c) => c !== 'None')) {
      return 'transient';
    }
    return 'permanent';
  }
  if (SERVER_FAULTS.has(name)) return 'ambiguous';
  if (NETWORK_FAULTS.has(name) || (err.code !== undefined && NETWORK_CODES.has(err.code))) return 'ambiguous';
  const status = err.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return 'ambiguous';
  return 'permanent';
}

export interface RetryDeps {
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly now: () => number;
}

export const DEFAULT_RETRY_DEPS: RetryDeps = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
  now: () => Date.now(),
};

/** Full jitter under an exponential cap: the wait before retry number `attempt` (1-based). */
export function backoffDelayMs(attempt: number, options: RetryOptions, random: () => number): number {
  const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * cap);
}

/**
 * Runs `fn` until it succeeds, fails permanently, or the attempts/budget run out (then 500).
 * Permanent errors (conditions, validation) are rethrown unchanged for the caller to map.
 */
export async function withRetries<T>(
  fn: (ctx: AttemptContext) => Promise<T>,
  options: RetryOptions = DEFAULT_RETRY,
  deps: RetryDeps = DEFAULT_RETRY_DEPS,
  onRetry?: (e: unknown, attempt: number) => void,
): Promise<T> {
  const started = deps.now();
  let ambiguous = false;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn({ attempt, afterAmbiguousFault: ambiguous });
    } catch (e) {
      const kind = classifyFault(e);
      if (kind === 'permanent') throw e;
      if (kind === 'ambiguous') ambiguous = true;
      const delay = backoffDelayMs(attempt, options, deps.random);
      if (attempt >= options.maxAttempts || deps.now() - started + delay > options.budgetMs) {
        throw Object.assign(internalError(), { cause: e });
      }
      onRetry?.(e, attempt);
      await deps.sleep(delay);
    }
  }
}
