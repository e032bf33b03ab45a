/**
 * What the provider features tell an operator (logs and metrics), never keys or values: the event
 * type every provider module emits, and how an event reads in a log (a short, stable line with a
 * hash of the user, never the token).
 */
import { userHash } from '../core/user-hash.js';
import type { EffectiveLimits } from './quota.js';
import type { UsageDelta } from './usage-ledger.js';

/** One provider event: a quota reached or refused, a usage update lost, a request throttled. */
export type ProviderEvent =
  | { readonly type: 'quota-refused'; readonly userToken: string; readonly usage: UsageDelta; readonly limits: EffectiveLimits }
  | {
      readonly type: 'near-quota';
      readonly userToken: string;
      readonly usage: UsageDelta;
      readonly limits: EffectiveLimits;
      readonly limit: 'keys' | 'bytes';
    }
  | { readonly type: 'usage-update-failed'; readonly userToken: string; readonly error: unknown }
  | { readonly type: 'throttled'; readonly userToken: string };

/** One log line for an event, or undefined for events that are only counted (throttling). */
export function logLineOf(e: ProviderEvent): string | undefined {
  const user = userHash(e.userToken);
  switch (e.type) {
    case 'near-quota':
      return `vss: user ${user} is near its ${e.limit} quota: ${e.usage.keys}/${e.limits.maxKeys || '∞'} keys, ${e.usage.bytes}/${e.limits.maxBytes || '∞'} bytes`;
    case 'quota-refused':
      return `vss: user ${user} write refused by quota: ${e.usage.keys}/${e.limits.maxKeys || '∞'} keys, ${e.usage.bytes}/${e.limits.maxBytes || '∞'} bytes`;
    case 'usage-update-failed':
      return `vss: usage of user ${user} not updated (${(e.error as Error)?.name ?? 'error'}); run \`vss admin usage --recount\` to correct`;
    case 'throttled':
      return undefined;
  }
}
