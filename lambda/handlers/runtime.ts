/**
 * The request path of a deployed function: built once per execution environment on first use
 * (one DynamoDB client and store for its life), from the environment the CDK construct sets, by
 * the one composition root (request-path/compose.ts), with Powertools observers.
 */
import { MAX_RESPONSE_BODY_BYTES } from '../core/limits.js';
import { composeRequestPath, requestPathSettingsFromEnv } from '../request-path/compose.js';
import type { RequestPath } from '../request-path/request-path.js';
import { observeOutcome, observeProviderEvent } from '../request-path/observability.js';

let path: RequestPath | undefined;

export function deployedRequestPath(): RequestPath {
  path ??= composeRequestPath({
    ...requestPathSettingsFromEnv(process.env, { onOutcome: observeOutcome, onProviderEvent: observeProviderEvent }),
    // Lambda returns at most 6 MB: a larger value is refused with a protocol error saying so.
    maxResponseBytes: MAX_RESPONSE_BODY_BYTES,
  });
  return path;
}
