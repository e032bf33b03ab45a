/**
 * The provider settings (docs/provider.md) and how they travel to a handler in its environment.
 * Pure data: the CDK construct imports this module, so it must not load request-handling code.
 */

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

/** Environment variables the CDK construct and the local server set. */
export const PROVIDER_ENV = {
  usageMetering: 'VSS_USAGE_METERING',
  quotaMaxKeys: 'VSS_QUOTA_MAX_KEYS',
  quotaMaxBytes: 'VSS_QUOTA_MAX_BYTES',
  quotaSoftPercent: 'VSS_QUOTA_SOFT_PERCENT',
  rateLimitPerUser: 'VSS_RATE_LIMIT_PER_USER',
  rateLimitBurst: 'VSS_RATE_LIMIT_BURST',
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
    if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) throw new Error(`${name} must be a non-negative ${integer ? 'integer' : 'number'}, got ${JSON.stringify(raw)}`);
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
    ...(maxKeys || maxBytes ? { quota: { maxKeys: maxKeys ?? 0, maxBytes: maxBytes ?? 0, ...(soft !== undefined ? { softThresholdPercent: soft } : {}) } } : {}),
    ...(perSecond ? { rateLimit: { perSecond, ...(burst ? { burst } : {}) } } : {}),
  };
}

/** The environment that carries `settings` to a handler (the inverse of providerSettingsFromEnv). */
export function providerEnvironment(s: ProviderSettings): Record<string, string> {
  const env: Record<string, string> = {};
  if (s.usageMetering) env[PROVIDER_ENV.usageMetering] = 'true';
  if (s.quota?.maxKeys) env[PROVIDER_ENV.quotaMaxKeys] = String(s.quota.maxKeys);
  if (s.quota?.maxBytes) env[PROVIDER_ENV.quotaMaxBytes] = String(s.quota.maxBytes);
  if (s.quota?.softThresholdPercent !== undefined) env[PROVIDER_ENV.quotaSoftPercent] = String(s.quota.softThresholdPercent);
  if (s.rateLimit) env[PROVIDER_ENV.rateLimitPerUser] = String(s.rateLimit.perSecond);
  if (s.rateLimit?.burst) env[PROVIDER_ENV.rateLimitBurst] = String(s.rateLimit.burst);
  return env;
}


/** What is wrong with the settings, one message per problem, each naming its setting under `at`. */
export function providerSettingsProblems(s: ProviderSettings, at: string): string[] {
  const problems: string[] = [];
  const int = (v: number | undefined, name: string, min: number): void => {
    if (v !== undefined && (!Number.isInteger(v) || v < min)) problems.push(`${at}.${name} must be an integer ≥ ${min} (got ${v})`);
  };
  int(s.quota?.maxKeys, 'quota.maxKeys', 0);
  int(s.quota?.maxBytes, 'quota.maxBytes', 0);
  const soft = s.quota?.softThresholdPercent;
  if (soft !== undefined && !(soft > 0 && soft <= 100)) problems.push(`${at}.quota.softThresholdPercent must be in (0, 100] (got ${soft})`);
  if (s.rateLimit) {
    if (!(Number.isFinite(s.rateLimit.perSecond) && s.rateLimit.perSecond > 0)) problems.push(`${at}.rateLimit.perSecond must be a positive number (got ${s.rateLimit.perSecond})`);
    int(s.rateLimit.burst, 'rateLimit.burst', 1);
  }
  return problems;
}
