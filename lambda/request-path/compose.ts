/**
 * The composition root of the request path, the one place that turns settings into a serving
 * path: the store, the provider features around it (docs/provider.md), the authenticator, the
 * observers, the body limit. Every door builds its path here: the Lambda handlers
 * (handlers/runtime.ts, settings from the environment the CDK construct sets), the local server
 * (local/app.ts), and any other HTTP server.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  createAuthenticator,
  deployedAuthSettings,
  type Authenticator,
  type AuthenticatorDeps,
  type AuthenticatorSettings,
} from '../auth/authenticator.js';
import { ENV } from '../contract.js';
import type { KeyValueStore } from '../core/kv-store.js';
import { VssProtocol } from '../core/service.js';
import { EnrollmentTable } from '../provider/enrollment.js';
import type { ProviderEvent } from '../provider/events.js';
import { providerSettingsFromEnv, withProvider, type ProviderSettings } from '../provider/provider.js';
import type { ProviderRequestEvent } from '../provider/usage-ledger.js';
import { dynamoDbClientSettings } from '../store/client-settings.js';
import { TableClient } from '../store/table-client.js';
import { DynamoDbStore, type DynamoDbStoreOptions } from '../store/dynamodb-store.js';
import { objectPlacement } from '../store/object-tier.js';
import { objectTierFromEnv } from '../store/object-tier-settings.js';
import { createRequestPath, type RequestOutcome, type RequestPath, type VssRequest } from './request-path.js';

/** Who hears about what the path does. Each must not throw. */
export interface RequestPathObservers {
  /** Every answered request. @default none */
  readonly onOutcome?: (outcome: RequestOutcome, request: VssRequest) => void;
  /** Quota and usage events of the provider features. @default none */
  readonly onProviderEvent?: (event: ProviderEvent) => void;
  /** Every DynamoDB request the provider features and the enrollment allowlist make (cost measurements). @default none */
  readonly onProviderRequest?: (event: ProviderRequestEvent) => void;
}

export interface RequestPathSettings {
  /** The DynamoDB client (with dynamoDbClientSettings() or a local engine's client). */
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** How requests are authenticated. */
  readonly auth: AuthenticatorSettings;
  /** The largest request body accepted. @default MAX_REQUEST_BODY_BYTES (what Lambda carries) */
  readonly maxBodyBytes?: number;
  /** The largest response body the door carries. @default no limit */
  readonly maxResponseBytes?: number;
  /** Per-user usage, quotas and rate limits. @default all off */
  readonly provider?: ProviderSettings;
  /** Further store options (retry policy, request observers) for tests and benchmarks. @default none */
  readonly store?: Partial<Omit<DynamoDbStoreOptions, 'client' | 'tableName'>>;
  /** @default none */
  readonly observers?: RequestPathObservers;
}

/** A serving request path and the parts it was built from. */
export interface ComposedRequestPath extends RequestPath {
  /** The store as the protocol sees it (provider decorators included). */
  readonly store: KeyValueStore;
  readonly authenticator: Authenticator;
}

export function composeRequestPath(settings: RequestPathSettings): ComposedRequestPath {
  const { client, tableName } = settings;
  const observers = settings.observers ?? {};
  // Per-user usage, quotas and rate limits: nothing is wrapped unless a feature is on.
  const provider = withProvider(new DynamoDbStore({ client, tableName, ...settings.store }), settings.provider ?? {}, {
    client,
    tableName,
    ...(observers.onProviderEvent ? { onEvent: observers.onProviderEvent } : {}),
    ...(observers.onProviderRequest ? { onRequest: observers.onProviderRequest } : {}),
  });
  const authenticator = createAuthenticator(settings.auth, authenticatorDeps(settings));
  const path = createRequestPath({
    protocol: new VssProtocol(provider.store),
    authenticator,
    ...(provider.admit ? { admit: provider.admit } : {}),
    ...(settings.maxBodyBytes !== undefined ? { maxBodyBytes: settings.maxBodyBytes } : {}),
    ...(settings.maxResponseBytes !== undefined ? { maxResponseBytes: settings.maxResponseBytes } : {}),
    ...(observers.onOutcome ? { observe: observers.onOutcome } : {}),
  });
  return { ...path, store: provider.store, authenticator };
}

/** Signature mode's allowlist lives in the table, in the per-user partitions (lambda/provider/enrollment.ts). */
function authenticatorDeps(settings: RequestPathSettings): AuthenticatorDeps {
  const auth = settings.auth;
  if (auth.mode !== 'signature' || auth.enrollment !== 'allowlist') return {};
  const onRequest = settings.observers?.onProviderRequest;
  const allowlist = new EnrollmentTable(
    new TableClient({ client: settings.client, tableName: settings.tableName, ...(onRequest ? { onRequest } : {}) }),
  );
  return { isEnrolled: (user) => allowlist.isEnrolled(user) };
}

/**
 * The settings a deployed function reads from the environment the CDK construct sets
 * (lambda/contract.ts ENV): table, auth mode, provider features; a client with the shared
 * DynamoDB client settings. A missing or malformed value is a configuration error.
 */
export function requestPathSettingsFromEnv(env: NodeJS.ProcessEnv, observers: RequestPathObservers = {}): RequestPathSettings {
  const tableName = env[ENV.tableName];
  if (!tableName) throw new Error(`${ENV.tableName} is not set`);
  // Large values: in the value bucket when the stack has one (docs/large-values.md).
  const objectTier = objectTierFromEnv(env);
  return {
    client: new DynamoDBClient(dynamoDbClientSettings()),
    tableName,
    auth: deployedAuthSettings(env),
    provider: providerSettingsFromEnv(env),
    ...(objectTier
      ? {
          store: {
            inlineMaxBytes: objectTier.inlineMaxBytes,
            placement: objectPlacement(objectTier.objects, { retentionMs: objectTier.retentionMs }),
          },
        }
      : {}),
    observers,
  };
}
