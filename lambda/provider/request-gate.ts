/**
 * Per-user admission of requests, after authentication, in every auth mode (the user is the
 * authenticated one, never a header): counts each admitted request in the user's day item and,
 * with a rate limit, refuses requests over it (docs/provider.md, "Rate limits").
 *
 * The limit is a fixed window shared by all instances through one DynamoDB item per user and
 * day: window length burst / rate seconds, at most `burst` requests in a window. One UpdateItem
 * per request both counts and checks:
 *   same window  SET c = c + 1 ADD n 1   IF w = :w AND c < :burst
 *   new window   SET w = :w, c = 1 ADD n 1 IF attribute_not_exists(w) OR w < :w
 * The instance remembers which window it last saw, so one guess is nearly always right; a miss
 * costs a second UpdateItem. Once refused, the instance refuses the user locally until the window
 * ends, so a flood costs one DynamoDB write per window per instance, not one per request.
 */
import { UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { throttled } from '../core/errors.js';
import { daySortKey, dayOf, META, PK, SK, userPartitionKey } from './meta-keys.js';
import type { RateLimitSettings } from './settings.js';
import type { TableClient } from '../store/table-client.js';
import { num } from './usage-ledger.js';

export type { RateLimitSettings };

export interface RequestGateOptions {
  readonly table: TableClient;
  /** Absent: requests are counted, never refused. @default none */
  readonly rateLimit?: RateLimitSettings;
  /** @default Date.now */
  readonly now?: () => number;
  /** Called for each refused request. @default none */
  readonly onThrottled?: (userToken: string) => void;
  /** Called when counting failed and the request was let through. @default none */
  readonly onError?: (userToken: string, error: unknown) => void;
}

/** The window length and allowance of a rate limit. */
export function windowOf(settings: RateLimitSettings): { windowMs: number; allowance: number } {
  const burst = Math.max(1, Math.floor(settings.burst ?? settings.perSecond));
  return { windowMs: Math.max(1, Math.round((burst / settings.perSecond) * 1000)), allowance: burst };
}

interface Seen {
  window: number;
  blockedUntil: number;
}

export class RequestGate {
  private readonly seen = new Map<string, Seen>();
  private readonly now: () => number;

  constructor(private readonly options: RequestGateOptions) {
    this.now = options.now ?? Date.now;
    if (options.rateLimit && !(options.rateLimit.perSecond > 0))
      throw new Error('rate limit must be a positive number of requests per second');
  }

  /** Admits the request or throws the protocol's 429. Counting faults never refuse a request. */
  async admit(userToken: string): Promise<void> {
    const now = this.now();
    const limit = this.options.rateLimit;
    if (!limit) {
      await this.count(userToken, now);
      return;
    }
    const { windowMs, allowance } = windowOf(limit);
    const window = Math.floor(now / windowMs);
    const seen = this.seen.get(userToken);
    if (seen && seen.blockedUntil > now) return this.refuse(userToken);
    let admitted: boolean;
    try {
      admitted = await this.take(userToken, now, window, allowance, seen?.window === window);
    } catch (error) {
      // The limiter protects the service; it must not take it down. Fail open, and say so.
      this.options.onError?.(userToken, error);
      return;
    }
    if (this.seen.size > 10_000) this.seen.clear();
    if (!admitted) {
      this.seen.set(userToken, { window, blockedUntil: (window + 1) * windowMs });
      return this.refuse(userToken);
    }
    this.seen.set(userToken, { window, blockedUntil: 0 });
  }

  private refuse(userToken: string): never {
    this.options.onThrottled?.(userToken);
    throw throttled('Too many requests for this user; retry with backoff.');
  }

  private async count(userToken: string, now: number): Promise<void> {
    try {
      await this.update(userToken, now, 'ADD #n :one', undefined, {});
    } catch (error) {
      this.options.onError?.(userToken, error);
    }
  }

  /** One (rarely two) conditional UpdateItems; false when the window's allowance is spent. */
  private async take(userToken: string, now: number, window: number, allowance: number, sameWindowFirst: boolean): Promise<boolean> {
    const same = (w: number) => (): Promise<Record<string, AttributeValue> | undefined> =>
      this.update(userToken, now, 'SET #c = #c + :one ADD #n :one', '#w = :w AND #c < :max', {
        ':w': { N: String(w) },
        ':max': { N: String(allowance) },
      });
    const fresh = (): Promise<Record<string, AttributeValue> | undefined> =>
      this.update(userToken, now, 'SET #w = :w, #c = :one ADD #n :one', 'attribute_not_exists(#w) OR #w < :w', {
        ':w': { N: String(window) },
      });
    let attempt = sameWindowFirst ? same(window) : fresh;
    for (let i = 0; i < 3; i++) {
      const old = await attempt();
      if (old === undefined) return true;
      // The condition failed: ALL_OLD shows why. A full window is a refusal; an older window (or
      // none) means the fresh-window update applies. A newer window means another request got
      // there first (this one was computed earlier, or this clock is behind): count it there.
      const stored = old[META.window]?.N === undefined ? undefined : num(old[META.window]);
      if (stored === undefined || stored < window) attempt = fresh;
      else if (num(old[META.windowCount]) >= allowance) return false;
      else attempt = same(stored);
    }
    return false;
  }

  /** Runs the update; returns undefined on success, the old item when the condition failed. */
  private async update(
    userToken: string,
    now: number,
    expression: string,
    condition: string | undefined,
    values: Record<string, AttributeValue>,
  ): Promise<Record<string, AttributeValue> | undefined> {
    const t = this.options.table;
    const names: Record<string, string> = { '#n': META.requests };
    if (expression.includes('#c') || condition?.includes('#c')) names['#c'] = META.windowCount;
    if (expression.includes('#w') || condition?.includes('#w')) names['#w'] = META.window;
    try {
      await t.run('UpdateItem', () =>
        t.client.send(
          new UpdateItemCommand({
            TableName: t.tableName,
            Key: { [PK]: { S: userPartitionKey(userToken) }, [SK]: { B: daySortKey(dayOf(now)) } },
            UpdateExpression: expression,
            ...(condition ? { ConditionExpression: condition, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {}),
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ...values, ':one': { N: '1' } },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      );
      return undefined;
    } catch (e) {
      const err = e as { name?: string; Item?: Record<string, AttributeValue> };
      if (err.name === 'ConditionalCheckFailedException') return err.Item ?? {};
      throw e;
    }
  }
}
