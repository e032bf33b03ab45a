/**
 * Storage quotas per user (docs/provider.md): a default for everyone and overrides per user.
 * A write is refused only if it grows usage past a hard limit; deletes and writes that do not
 * grow usage always pass, so a wallet at its limit can still update in place and shrink.
 */
import { quotaExceeded } from '../core/errors.js';
import type { QuotaSettings } from './settings.js';
import type { UsageDelta, UserUsage } from './usage-ledger.js';

export type { QuotaSettings };

export interface EffectiveLimits {
  readonly maxKeys: number;
  readonly maxBytes: number;
}

/** The limits that apply to a user: its overrides, else the defaults (0 = no limit). */
export function limitsFor(defaults: QuotaSettings, usage: UserUsage): EffectiveLimits {
  return { maxKeys: usage.maxKeys ?? defaults.maxKeys ?? 0, maxBytes: usage.maxBytes ?? defaults.maxBytes ?? 0 };
}

/** Throws the protocol's quota error when the write would take usage past a hard limit. */
export function checkQuota(limits: EffectiveLimits, usage: UserUsage, delta: UsageDelta): void {
  const afterKeys = usage.keys + delta.keys;
  const afterBytes = usage.bytes + delta.bytes;
  const current = `the user now stores ${usage.keys} keys and ${usage.bytes} bytes`;
  const allowed = 'Deletes and writes that do not grow usage are still accepted.';
  if (limits.maxKeys > 0 && delta.keys > 0 && afterKeys > limits.maxKeys) {
    throw quotaExceeded(
      `Storage quota exceeded: max_keys limit is ${limits.maxKeys}; ${current}, and this write adds ${delta.keys}. ${allowed}`,
    );
  }
  if (limits.maxBytes > 0 && delta.bytes > 0 && afterBytes > limits.maxBytes) {
    throw quotaExceeded(
      `Storage quota exceeded: max_bytes limit is ${limits.maxBytes}; ${current}, and this write adds ${delta.bytes} bytes. ${allowed}`,
    );
  }
}

/** Which limit, if any, usage has reached the soft threshold of. */
export function nearQuota(limits: EffectiveLimits, keys: number, bytes: number, softThresholdPercent = 80): 'keys' | 'bytes' | undefined {
  const near = (used: number, max: number): boolean => max > 0 && used * 100 >= max * softThresholdPercent;
  if (near(bytes, limits.maxBytes)) return 'bytes';
  if (near(keys, limits.maxKeys)) return 'keys';
  return undefined;
}
