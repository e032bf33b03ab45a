/**
 * The request path of a deployed function: built once per execution environment on first use
 * (one DynamoDB client and store for its life), from the environment the CDK construct sets, by
 * the one composition root (request-path/compose.ts), with Powertools observers.
 */
import { composeRequestPath, requestPathSettingsFromEnv } from '../request-path/compose.js';
import type { RequestPath } from '../request-path/request-path.js';
import { observeOutcome, observeProviderEvent } from './observability.js';

let path: RequestPath | undefined;

export function deployedRequestPath(): RequestPath {
  path ??= composeRequestPath(
    requestPathSettingsFromEnv(process.env, { onOutcome: observeOutcome, onProviderEvent: observeProviderEvent }),
  );
  return path;
}
