/**
 * The provider settings (docs/provider.md) and how a handler reads them from the environment the
 * construct sets (names in lambda/contract.ts).
 */
import { ENV } from '../contract.js';

/** Storage quotas. */
export interface QuotaSettings {
  /** Most records (keys) a user may store over all its stores; 0 = no limit. @default 0 */
  readonly maxKeys?: number;
  /** Most bytes (keys + values) a user may store over all its stores; 0 = no limit. @default 0 */
  readonly maxBytes?: number;
  /** Usage at or above this percentage of a limit is reported as "near quota". @default 80 */
  readonly softThresholdPercent?: number;
}

/** A per-user rate limit. */
export interface RateLimitSettings {
  /** Sustained requests per second per user. */
  readonly perSecond: number;
  /** Requests a user may make at once (the window allowance). @default perSecond */
  readonly burst?: number;
}

export interface ProviderSettings {
  /** Keep per-user usage (keys, bytes, requests). Quotas turn it on. @default false */
  readonly usageMetering?: boolean;
  /** Storage quotas; a limit of 0 or absent is no limit. @default none */
  readonly quota?: QuotaSettings;
  /** Per-user rate limit; absent is none. @default none */
  readonly rateLimit?: RateLimitSettings;
}

/** Environment variables the CDK construct sets. */
export const PROVIDER_ENV = {
  usageMetering: ENV.usageMetering,
  quotaMaxKeys: ENV.quotaMaxKeys,
  quotaMaxBytes: ENV.quotaMaxBytes,
  quotaSoftPercent: ENV.quotaSoftPercent,
  rateLimitPerUser: ENV.rateLimitPerUser,
  rateLimitBurst: ENV.rateLimitBurst,
} as const;

export function hasQuota(s: ProviderSettings): boolean {
  return (s.quota?.maxKeys ?? 0) > 0 || (s.quota?.maxBytes ?? 0) > 0;
}

export function meteringOn(s: ProviderSettings): boolean {
  return s.usageMetering === true || hasQuota(s);
}

export function providerOn(s: ProviderSettings): boolean {
  return meteringOn(s) || s.rateLimit !== undefined;
}

/** Reads the settings from the environment; a malformed value is a configuration error. */
export function providerSettingsFromEnv(env: NodeJS.ProcessEnv): ProviderSettings {
  const number = (name: string, integer: boolean): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n)))
      throw new Error(`${name} must be a non-negative ${integer ? 'integer' : 'number'}, got ${JSON.stringify(raw)}`);
    return n;
  };
  const maxKeys = number(PROVIDER_ENV.quotaMaxKeys, true);
  const maxBytes = number(PROVIDER_ENV.quotaMaxBytes, true);
  const soft = number(PROVIDER_ENV.quotaSoftPercent, false);
  const perSecond = number(PROVIDER_ENV.rateLimitPerUser, false);
  const burst = number(PROVIDER_ENV.rateLimitBurst, true);
  const metering = env[PROVIDER_ENV.usageMetering];
  return {
    ...(metering === 'true' || metering === '1' ? { usageMetering: true } : {}),
    ...(maxKeys || maxBytes
      ? { quota: { maxKeys: maxKeys ?? 0, maxBytes: maxBytes ?? 0, ...(soft !== undefined ? { softThresholdPercent: soft } : {}) } }
      : {}),
    ...(perSecond ? { rateLimit: { perSecond, ...(burst ? { burst } : {}) } } : {}),
  };
}
