/**
 * Per-module singletons of a deployed handler: one DynamoDB client and store for the life of the
 * execution environment, created on first use (so a test can inject its own deps instead).
 * Lambda configuration comes from the environment the CDK construct sets.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { resolveUserForMode } from '../auth/resolve-user.js';
import { ENV } from '../contract.js';
import { VssService } from '../core/service.js';
import { dynamoDbClientSettings } from '../store/client-settings.js';
import { DynamoDbStore } from '../store/dynamodb-store.js';
import { objectPlacement } from '../store/object-tier.js';
import { objectTierFromEnv } from '../store/object-tier-settings.js';
import { providerSettingsFromEnv, withProvider } from '../provider/provider.js';
import type { ApiHandlerDeps } from './api-gateway.js';
import { observeOutcome, observeProviderEvent } from './observability.js';

/** Environment variable the construct sets to the table name (lambda/contract.ts). */
export const TABLE_NAME_ENV = ENV.tableName;
/** `signature` verifies the authorization header in the handler; anything else reads the authorizer context. */
export const AUTH_MODE_ENV = ENV.authMode;

let deps: ApiHandlerDeps | undefined;

export function defaultDeps(): ApiHandlerDeps {
  if (deps) return deps;
  const tableName = process.env[TABLE_NAME_ENV];
  if (!tableName) throw new Error(`${TABLE_NAME_ENV} is not set`);
  const client = new DynamoDBClient(dynamoDbClientSettings());
  // Per-user usage, quotas and rate limits: nothing is wrapped unless the stack turned one on.
  // Large values: in the value bucket when the stack has one (docs/large-values.md).
  const objectTier = objectTierFromEnv(process.env);
  const store = new DynamoDbStore({
    client,
    tableName,
    ...(objectTier
      ? {
          inlineMaxBytes: objectTier.inlineMaxBytes,
          placement: objectPlacement(objectTier.objects, { retentionMs: objectTier.retentionMs }),
        }
      : {}),
  });
  const provider = withProvider(store, providerSettingsFromEnv(process.env), {
    client,
    tableName,
    onEvent: observeProviderEvent,
  });
  deps = {
    service: new VssService(provider.store),
    resolveUser: resolveUserForMode(process.env[AUTH_MODE_ENV]),
    observe: observeOutcome,
    ...(provider.admit ? { admit: provider.admit } : {}),
  };
  return deps;
}
