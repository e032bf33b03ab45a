/**
 * Wires the provider features (docs/provider.md) around a store and a handler: usage metering
 * and quotas as a KeyValueStore decorator, request counting and rate limits as an admission step
 * after authentication. With every feature off nothing is wrapped, so the request path is the
 * plain one, request for request.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KeyValueStore } from '../store/kv-store.js';
import { MeteringStore, type ProviderEvent } from './metering-store.js';
import type { QuotaSettings } from './quota.js';
import { RequestGate, type RateLimitSettings } from './request-gate.js';
import { MetaTable, UsageLedger, type ProviderRequestEvent } from './usage-ledger.js';

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

export interface ProviderWiring {
  readonly store: KeyValueStore;
  /** Present when requests are counted or limited: run after authentication. */
  readonly admit?: (userToken: string) => Promise<void>;
}

export interface ProviderDeps {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** @default none */
  readonly onEvent?: (event: ProviderEvent) => void;
  /** Every DynamoDB request the provider features make (cost measurements). @default none */
  readonly onRequest?: (event: ProviderRequestEvent) => void;
}

export function withProvider(store: KeyValueStore, settings: ProviderSettings, deps: ProviderDeps): ProviderWiring {
  if (!providerOn(settings)) return { store };
  const table = new MetaTable({ client: deps.client, tableName: deps.tableName, ...(deps.onRequest ? { onRequest: deps.onRequest } : {}) });
  const wrapped = meteringOn(settings)
    ? new MeteringStore({
        inner: store,
        ledger: new UsageLedger(table),
        ...(hasQuota(settings) ? { quota: settings.quota! } : {}),
        ...(deps.onEvent ? { onEvent: deps.onEvent } : {}),
      })
    : store;
  const onEvent = deps.onEvent;
  const gate = new RequestGate({
    table,
    ...(settings.rateLimit ? { rateLimit: settings.rateLimit } : {}),
    ...(onEvent ? { onThrottled: (userToken: string) => onEvent({ type: 'throttled', userToken }), onError: (userToken: string, error: unknown) => onEvent({ type: 'usage-update-failed', userToken, error }) } : {}),
  });
  return { store: wrapped, admit: (userToken) => gate.admit(userToken) };
}
