/**
 * Logs, metrics and traces of a deployed handler (Powertools for AWS Lambda), wired into the
 * adapter's `observe` hook by runtime.ts.
 *
 *   Logs:    one structured JSON line per request: API Gateway request id, operation, status,
 *            error code, duration and a SHA-256 prefix of the user. Never the raw user token,
 *            never a key, a value or a header. A 5xx also logs the fault's name, message and stack.
 *   Metrics: CloudWatch EMF in namespace $POWERTOOLS_METRICS_NAMESPACE with dimensions
 *            service + operation: Requests, Latency (ms), Conflicts, ClientErrors, AuthFailures,
 *            Errors (5xx, as 0/1 so the average is a rate). Cold starts are a field of the log line,
 *            not a metric.
 *   Traces:  Lambda's own active tracing (set by the CDK construct): a segment per invocation
 *            with its initialization, invocation and overhead. The X-Ray SDK (Powertools Tracer)
 *            is not loaded: it was a fifth of the bundle and of module init, and its only use
 *            was a subsegment per DynamoDB call. Per-call timings, retries and throttles are in
 *            the Latency metric and DynamoDB's own CloudWatch metrics instead
 *            (docs/performance.md).
 *
 * Nothing here may throw into a request: observation failures are swallowed.
 */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DEFAULT_METRICS_NAMESPACE, ENV, METRIC_NAMES, METRICS_SERVICE_NAME } from '../contract.js';
import type { ApiHandlerDeps } from './api-gateway.js';

// Metric names and the default namespace are shared with the CDK dashboard (lambda/contract.ts).
export { DEFAULT_METRICS_NAMESPACE, METRIC_NAMES };

/** Hex characters of SHA-256(user token) that are logged: enough to correlate, not to reverse. */
const USER_HASH_HEX_CHARS = 16;

let instruments: { logger: Logger; metrics: Metrics } | undefined;

function tools(): { logger: Logger; metrics: Metrics } {
  if (!instruments) {
    const serviceName = process.env[ENV.serviceName] ?? METRICS_SERVICE_NAME;
    instruments = {
      logger: new Logger({ serviceName }),
      metrics: new Metrics({ serviceName, namespace: process.env[ENV.metricsNamespace] ?? DEFAULT_METRICS_NAMESPACE }),
    };
  }
  return instruments;
}

/** A short, stable, non-reversible identifier of a user for logs. */
export function userHash(userToken: string): string {
  return createHash('sha256').update(userToken, 'utf8').digest('hex').slice(0, USER_HASH_HEX_CHARS);
}

/** Only what is safe to log from a fault: SDK errors may carry item attributes as properties. */
function describeFault(fault: unknown): Record<string, unknown> {
  if (fault instanceof Error) {
    const meta = (fault as { $metadata?: { httpStatusCode?: number; requestId?: string } }).$metadata;
    return {
      name: fault.name,
      message: fault.message.slice(0, 500),
      stack: fault.stack,
      ...(meta ? { awsHttpStatus: meta.httpStatusCode, awsRequestId: meta.requestId } : {}),
    };
  }
  return { type: typeof fault };
}

type Observed = Parameters<NonNullable<ApiHandlerDeps['observe']>>[0];

let coldStart = true;

/** The `observe` hook: one log line and one EMF blob per request. Never throws. */
export function observeOutcome(outcome: Observed, event: APIGatewayProxyEvent): void {
  try {
    const { logger, metrics } = tools();
    const status = outcome.status;
    const entry = {
      requestId: event.requestContext?.requestId,
      operation: outcome.operation,
      status,
      ...(outcome.errorCode !== undefined ? { errorCode: outcome.errorCode } : {}),
      durationMs: Math.round(outcome.durationMs * 100) / 100,
      ...(outcome.userToken !== undefined ? { user: userHash(outcome.userToken) } : {}),
      coldStart,
    };
    coldStart = false;
    if (status >= 500) logger.error('vss request failed', { ...entry, fault: describeFault(outcome.fault) });
    else logger.info('vss request', entry);

    metrics.addDimension('operation', outcome.operation);
    metrics.addMetric(METRIC_NAMES.requests, MetricUnit.Count, 1);
    metrics.addMetric(METRIC_NAMES.latency, MetricUnit.Milliseconds, outcome.durationMs);
    metrics.addMetric(METRIC_NAMES.conflicts, MetricUnit.Count, status === 409 ? 1 : 0);
    metrics.addMetric(METRIC_NAMES.authFailures, MetricUnit.Count, status === 401 ? 1 : 0);
    metrics.addMetric(METRIC_NAMES.clientErrors, MetricUnit.Count, status >= 400 && status < 500 && status !== 409 ? 1 : 0);
    metrics.addMetric(METRIC_NAMES.errors, MetricUnit.Count, status >= 500 ? 1 : 0);
    metrics.publishStoredMetrics();
  } catch {
    // Observation must never turn a response into a failure.
  }
}
