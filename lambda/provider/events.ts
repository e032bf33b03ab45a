/** How provider events read in a log: a short, stable line with a hash of the user, never the token. */
import { userHash } from '../handlers/request-log-fields.js';
import type { ProviderEvent } from './metering-store.js';

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
