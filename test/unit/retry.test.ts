/**
 * Retry policy for DynamoDB faults (lambda/store/retry.ts; docs/protocol.md §7.6): what is retried, what is
 * ambiguous, bounded jittered backoff within attempts and time budget, then 500.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, INTERNAL_ERROR_MESSAGE, isVssError } from '../../lambda/core/errors.js';
import {
  classifyFault,
  DEFAULT_RETRY,
  withRetries,
  type AttemptContext,
  type RetryDeps,
  type RetryOptions,
} from '../../lambda/store/retry.js';

const named = (name: string, extra: Record<string, unknown> = {}): Error =>
  Object.assign(new Error(`${name} happened`), { name, ...extra });
const canceled = (...codes: (string | undefined)[]): Error =>
  named('TransactionCanceledException', { CancellationReasons: codes.map((Code) => (Code === undefined ? {} : { Code })) });

describe('classifyFault', () => {
  const cases: [string, unknown, 'transient' | 'ambiguous' | 'permanent'][] = [
    ['ProvisionedThroughputExceededException', named('ProvisionedThroughputExceededException'), 'transient'],
    ['ThrottlingException', named('ThrottlingException'), 'transient'],
    ['RequestLimitExceeded', named('RequestLimitExceeded'), 'transient'],
    ['TransactionConflictException', named('TransactionConflictException'), 'transient'],
    ['TransactionInProgressException', named('TransactionInProgressException'), 'transient'],
    ['TransactionCanceled [TransactionConflict]', canceled('TransactionConflict'), 'transient'],
    ['TransactionCanceled [None, TransactionConflict, None]', canceled('None', 'TransactionConflict', 'None'), 'transient'],
    [
      'TransactionCanceled [ThrottlingError, ProvisionedThroughputExceeded]',
      canceled('ThrottlingError', 'ProvisionedThroughputExceeded'),
      'transient',
    ],
    ['TransactionCanceled [no Code, TransactionConflict]', canceled(undefined, 'TransactionConflict'), 'transient'],
    ['TransactionCanceled [ConditionalCheckFailed]', canceled('ConditionalCheckFailed'), 'permanent'],
    [
      'TransactionCanceled [TransactionConflict, ConditionalCheckFailed]',
      canceled('TransactionConflict', 'ConditionalCheckFailed'),
      'permanent',
    ],
    ['TransactionCanceled [None, None] (no cause given)', canceled('None', 'None'), 'permanent'],
    ['TransactionCanceled without reasons', named('TransactionCanceledException'), 'permanent'],
    ['TransactionCanceled [ValidationError]', canceled('ValidationError'), 'permanent'],
    ['TransactionCanceled [ItemCollectionSizeLimitExceeded]', canceled('ItemCollectionSizeLimitExceeded'), 'permanent'],
    ['ConditionalCheckFailedException', named('ConditionalCheckFailedException'), 'permanent'],
    ['ValidationException', named('ValidationException', { $metadata: { httpStatusCode: 400 } }), 'permanent'],
    ['ResourceNotFoundException', named('ResourceNotFoundException'), 'permanent'],
    ['IdempotentParameterMismatchException', named('IdempotentParameterMismatchException'), 'permanent'],
    ['InternalServerError', named('InternalServerError'), 'ambiguous'],
    ['InternalFailure', named('InternalFailure'), 'ambiguous'],
    ['ServiceUnavailable', named('ServiceUnavailable'), 'ambiguous'],
    ['TimeoutError (socket timeout)', named('TimeoutError'), 'ambiguous'],
    ['RequestTimeout', named('RequestTimeout'), 'ambiguous'],
    ['RequestTimeoutException', named('RequestTimeoutException'), 'ambiguous'],
    ['AbortError', named('AbortError'), 'ambiguous'],
    ['ECONNRESET', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'ambiguous'],
    ['ECONNREFUSED', Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), 'ambiguous'],
    ['EPIPE', Object.assign(new Error('pipe'), { code: 'EPIPE' }), 'ambiguous'],
    ['ETIMEDOUT', Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }), 'ambiguous'],
    ['ENOTFOUND', Object.assign(new Error('dns'), { code: 'ENOTFOUND' }), 'ambiguous'],
    ['EAI_AGAIN', Object.assign(new Error('dns'), { code: 'EAI_AGAIN' }), 'ambiguous'],
    ['an unnamed error with HTTP 500', named('UnknownError', { $metadata: { httpStatusCode: 500 } }), 'ambiguous'],
    ['an unnamed error with HTTP 503', named('Whatever', { $metadata: { httpStatusCode: 503 } }), 'ambiguous'],
    ['an unnamed error with HTTP 400', named('Whatever', { $metadata: { httpStatusCode: 400 } }), 'permanent'],
    ['a plain Error (bug in our code)', new Error('boom'), 'permanent'],
    ['a TypeError', new TypeError('x is undefined'), 'permanent'],
    ['undefined', undefined, 'permanent'],
    ['null', null, 'permanent'],
    ['a string', 'boom', 'permanent'],
  ];
  for (const [name, error, kind] of cases) {
    it(`${name} is ${kind}`, () => {
      expect(classifyFault(error)).toBe(kind);
    });
  }
});

/** Fake time: sleep advances now; every sleep and every attempt are recorded. */
function fakeDeps(random: () => number = () => 0.5): RetryDeps & { sleeps: number[]; time: () => number } {
  let t = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    time: () => t,
    now: () => t,
    random,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

/** fn that throws the given errors in order, then returns 'done'. */
function scripted(errors: unknown[]): { fn: (ctx: AttemptContext) => Promise<string>; contexts: AttemptContext[] } {
  const contexts: AttemptContext[] = [];
  return {
    contexts,
    fn: async (ctx) => {
      contexts.push(ctx);
      const e = errors[contexts.length - 1];
      if (e !== undefined) throw e;
      return 'done';
    },
  };
}

const OPTS: RetryOptions = { maxAttempts: 6, baseDelayMs: 25, maxDelayMs: 800, budgetMs: 5000 };

async function expect500(p: Promise<unknown>, cause?: unknown): Promise<void> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  expect(isVssError(caught), `expected the 500 error, got ${String(caught)}`).toBe(true);
  const e = caught as { status: number; code: number; message: string; cause?: unknown };
  expect(e.status).toBe(500);
  expect(e.code).toBe(ErrorCode.INTERNAL_SERVER_EXCEPTION);
  expect(e.message).toBe(INTERNAL_ERROR_MESSAGE);
  if (cause !== undefined) expect(e.cause).toBe(cause);
}

describe('withRetries', () => {
  it('a success on the first attempt is returned without sleeping', async () => {
    const deps = fakeDeps();
    const s = scripted([]);
    await expect(withRetries(s.fn, OPTS, deps)).resolves.toBe('done');
    expect(s.contexts).toEqual([{ attempt: 1, afterAmbiguousFault: false }]);
    expect(deps.sleeps).toEqual([]);
  });

  it('a throttled call is retried until it succeeds', async () => {
    const deps = fakeDeps();
    const s = scripted([named('ThrottlingException'), named('ProvisionedThroughputExceededException')]);
    await expect(withRetries(s.fn, OPTS, deps)).resolves.toBe('done');
    expect(s.contexts.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(deps.sleeps).toHaveLength(2);
  });

  it('persistent throttling stops after maxAttempts and is answered 500 INTERNAL_SERVER_EXCEPTION with the fixed message (cause kept for logs)', async () => {
    const deps = fakeDeps();
    const last = named('ThrottlingException');
    const errors = [...Array.from({ length: 5 }, () => named('ThrottlingException')), last, named('ThrottlingException')];
    const s = scripted(errors);
    await expect500(withRetries(s.fn, OPTS, deps), last);
    expect(s.contexts).toHaveLength(OPTS.maxAttempts);
    expect(deps.sleeps).toHaveLength(OPTS.maxAttempts - 1);
  });

  it('a permanent error is rethrown unchanged after one attempt (no retry, no 500)', async () => {
    const deps = fakeDeps();
    const e = named('ConditionalCheckFailedException');
    const s = scripted([e]);
    await expect(withRetries(s.fn, OPTS, deps)).rejects.toBe(e);
    expect(s.contexts).toHaveLength(1);
    expect(deps.sleeps).toEqual([]);
  });

  it('a TransactionCanceled with a ConditionalCheckFailed reason is not retried', async () => {
    const deps = fakeDeps();
    const e = canceled('None', 'ConditionalCheckFailed');
    const s = scripted([e]);
    await expect(withRetries(s.fn, OPTS, deps)).rejects.toBe(e);
    expect(s.contexts).toHaveLength(1);
  });

  it('a TransactionCanceled with only TransactionConflict reasons is retried', async () => {
    const deps = fakeDeps();
    const s = scripted([canceled('TransactionConflict', 'None'), canceled('None', 'TransactionConflict')]);
    await expect(withRetries(s.fn, OPTS, deps)).resolves.toBe('done');
    expect(s.contexts).toHaveLength(3);
  });

  it('a permanent error after transient ones is rethrown unchanged', async () => {
    const deps = fakeDeps();
    const e = named('ValidationException');
    const s = scripted([named('ThrottlingException'), e]);
    await expect(withRetries(s.fn, OPTS, deps)).rejects.toBe(e);
    expect(s.contexts).toHaveLength(2);
  });

  it('afterAmbiguousFault is false after transient faults only, and true (for good) once any attempt was ambiguous', async () => {
    const deps = fakeDeps();
    const s = scripted([named('ThrottlingException'), named('TimeoutError'), named('ThrottlingException')]);
    await withRetries(s.fn, OPTS, deps);
    expect(s.contexts).toEqual([
      { attempt: 1, afterAmbiguousFault: false },
      { attempt: 2, afterAmbiguousFault: false },
      { attempt: 3, afterAmbiguousFault: true },
      { attempt: 4, afterAmbiguousFault: true },
    ]);
  });

  it('5xx and network faults are retried (ambiguous) and then 500 when persistent', async () => {
    const deps = fakeDeps();
    const s = scripted(
      Array.from({ length: 10 }, (_, i) =>
        i % 2 ? named('InternalServerError') : Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
      ),
    );
    await expect500(withRetries(s.fn, OPTS, deps));
    expect(s.contexts).toHaveLength(OPTS.maxAttempts);
  });

  it('backoff is full jitter under an exponential cap: waits are floor(random × min(max, base × 2^(k−1)))', async () => {
    const deps = fakeDeps(() => 0.999999);
    const s = scripted(Array.from({ length: 10 }, () => named('ThrottlingException')));
    const opts: RetryOptions = { maxAttempts: 8, baseDelayMs: 25, maxDelayMs: 800, budgetMs: 1_000_000 };
    await expect500(withRetries(s.fn, opts, deps));
    expect(deps.sleeps).toEqual([24, 49, 99, 199, 399, 799, 799]);
  });

  it('with random() = 0 the retries do not wait at all (jitter can go to zero)', async () => {
    const deps = fakeDeps(() => 0);
    const s = scripted([named('ThrottlingException'), named('ThrottlingException')]);
    await withRetries(s.fn, OPTS, deps);
    expect(deps.sleeps).toEqual([0, 0]);
  });

  it('no wait ever exceeds maxDelayMs, whatever random() returns', async () => {
    let x = 0.37;
    const deps = fakeDeps(() => (x = (x * 7.31) % 1));
    const s = scripted(Array.from({ length: 40 }, () => named('ThrottlingException')));
    await expect500(withRetries(s.fn, { maxAttempts: 30, baseDelayMs: 25, maxDelayMs: 100, budgetMs: 1_000_000 }, deps));
    expect(deps.sleeps).toHaveLength(29);
    expect(Math.max(...deps.sleeps)).toBeLessThan(100);
  });

  it('the time budget stops retries before maxAttempts: no new attempt would start after budgetMs', async () => {
    const deps = fakeDeps(() => 0.999999);
    const s = scripted(Array.from({ length: 100 }, () => named('ThrottlingException')));
    // waits 24, 49, 99, 199 → the next wait (399) would end at 770 > 500: stop after 5 attempts.
    await expect500(withRetries(s.fn, { maxAttempts: 100, baseDelayMs: 25, maxDelayMs: 800, budgetMs: 500 }, deps));
    expect(s.contexts).toHaveLength(5);
    expect(deps.sleeps).toEqual([24, 49, 99, 199]);
    expect(deps.time() - 1_000_000).toBeLessThanOrEqual(500);
  });

  it('time spent inside slow attempts counts against the budget', async () => {
    const deps = fakeDeps(() => 0);
    let calls = 0;
    const slow = async (): Promise<string> => {
      calls++;
      await deps.sleep(2_000); // each attempt takes 2 s of fake time
      throw named('ThrottlingException');
    };
    await expect500(withRetries(slow, { maxAttempts: 100, baseDelayMs: 25, maxDelayMs: 800, budgetMs: 5000 }, deps));
    expect(calls).toBe(3); // 2 s, 4 s, 6 s > 5 s
  });

  it('onRetry sees each retried error and its attempt number, but not the final one', async () => {
    const deps = fakeDeps();
    const errors = [named('ThrottlingException'), named('TimeoutError'), named('ThrottlingException')];
    const s = scripted(errors);
    const seen: [unknown, number][] = [];
    await expect500(withRetries(s.fn, { ...OPTS, maxAttempts: 3 }, deps, (e, a) => seen.push([e, a])));
    expect(seen).toEqual([
      [errors[0], 1],
      [errors[1], 2],
    ]);
  });

  it('maxAttempts 1 means no retry: a throttled call is answered 500 at once', async () => {
    const deps = fakeDeps();
    const s = scripted([named('ThrottlingException')]);
    await expect500(withRetries(s.fn, { ...OPTS, maxAttempts: 1 }, deps));
    expect(s.contexts).toHaveLength(1);
    expect(deps.sleeps).toEqual([]);
  });

  it('the defaults are bounded: at most 6 attempts within 3 s (inside the 10 s client timeout with one 3 s request timeout), single waits ≤ 800 ms', () => {
    expect(DEFAULT_RETRY).toEqual({ maxAttempts: 6, baseDelayMs: 25, maxDelayMs: 800, budgetMs: 3000 });
  });
});
