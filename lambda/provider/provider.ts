/**
 * Wires the provider features (docs/provider.md) around a store and a handler: usage metering
 * and quotas as a KeyValueStore decorator, request counting and rate limits as an admission step
 * after authentication. With every feature off nothing is wrapped, so the request path is the
 * plain one, request for request.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KeyValueStore } from '../core/kv-store.js';
import { TableClient } from '../store/table-client.js';
import type { ProviderEvent } from './events.js';
import { MeteringStore, type HeadReader } from './metering-store.js';
import { RequestGate } from './request-gate.js';
import { hasQuota, meteringOn, providerOn, type ProviderSettings } from './settings.js';
import { UsageLedger, type ProviderRequestEvent } from './usage-ledger.js';

export { providerSettingsFromEnv, type ProviderSettings } from './settings.js';

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

export function withProvider(store: KeyValueStore & HeadReader, settings: ProviderSettings, deps: ProviderDeps): ProviderWiring {
  if (!providerOn(settings)) return { store };
  const table = new TableClient({
    client: deps.client,
    tableName: deps.tableName,
    ...(deps.onRequest ? { onRequest: deps.onRequest } : {}),
  });
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
    ...(onEvent
      ? {
          onThrottled: (userToken: string) => onEvent({ type: 'throttled', userToken }),
          onError: (userToken: string, error: unknown) => onEvent({ type: 'usage-update-failed', userToken, error }),
        }
      : {}),
  });
  return { store: wrapped, admit: (userToken) => gate.admit(userToken) };
}
