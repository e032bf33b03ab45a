/**
 * Logs, metrics and traces of a deployed handler (Powertools for AWS Lambda), wired into the
 * request path's observers by runtime.ts.
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
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DEFAULT_METRICS_NAMESPACE, ENV, METRIC_NAMES, METRICS_SERVICE_NAME, PROVIDER_METRIC_NAMES } from '../contract.js';
import { userHash } from '../core/user-hash.js';
import { logLineOf, type ProviderEvent } from '../provider/events.js';
import type { RequestOutcome, VssRequest } from './request-path.js';

// Metric names and the default namespace are shared with the CDK dashboard (lambda/contract.ts).
export { DEFAULT_METRICS_NAMESPACE, METRIC_NAMES, PROVIDER_METRIC_NAMES, userHash };

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

let coldStart = true;

/** The outcome observer: one log line and one EMF blob per request. Never throws. */
export function observeOutcome(outcome: RequestOutcome, request: Pick<VssRequest, 'requestId'>): void {
  try {
    const { logger, metrics } = tools();
    const status = outcome.status;
    const entry = {
      requestId: request.requestId,
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
    // Only the per-user rate limit answers 429 here, so without it nothing changes in the metrics.
    if (status === 429) metrics.addMetric(METRIC_NAMES.throttled, MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
  } catch {
    // Observation must never turn a response into a failure.
  }
}

/**
 * Provider events (quotas, usage): near-quota and refused writes are logged with the user's hash
 * (Logs Insights counts distinct users) and counted as metrics the alarms watch. Never throws.
 */
export function observeProviderEvent(event: ProviderEvent): void {
  try {
    if (event.type === 'throttled') return; // counted per request by observeOutcome (status 429)
    const { logger, metrics } = tools();
    const line = logLineOf(event);
    const user = userHash(event.userToken);
    if (event.type === 'usage-update-failed') logger.warn(line ?? 'usage not updated', { user, fault: describeFault(event.error) });
    else
      logger.info(line ?? event.type, {
        user,
        event: event.type,
        keys: event.usage.keys,
        bytes: event.usage.bytes,
        maxKeys: event.limits.maxKeys,
        maxBytes: event.limits.maxBytes,
      });
    const name =
      event.type === 'near-quota'
        ? PROVIDER_METRIC_NAMES.nearQuota
        : event.type === 'quota-refused'
          ? PROVIDER_METRIC_NAMES.quotaRefused
          : PROVIDER_METRIC_NAMES.usageUpdateFailures;
    metrics.addMetric(name, MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
  } catch {
    // Observation must never turn a response into a failure.
  }
}
