/**
 * The stack side of the provider features (docs/provider.md): the handlers' environment, the
 * extra DynamoDB actions each VSS function needs, and the alarms and dashboard widgets. Only
 * what a feature that is on needs is added; with every feature off nothing changes.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { ENV, METRIC_NAMES, METRICS_SERVICE_NAME, OPERATIONS, PROVIDER_METRIC_NAMES, type Operation } from '../../lambda/contract.js';
import type { VssProviderOptions } from '../options.js';
import type { TableActions } from './permissions.js';

// The same rules as the handlers' (lambda/provider/settings.ts), on the construct's options.
const hasQuota = (o: VssProviderOptions): boolean => (o.quota?.maxKeys ?? 0) > 0 || (o.quota?.maxBytes ?? 0) > 0;
const meteringOn = (o: VssProviderOptions): boolean => o.usageMetering === true || hasQuota(o);
const providerOn = (o: VssProviderOptions): boolean => meteringOn(o) || o.rateLimit !== undefined;

/** Environment of every VSS handler: empty when every feature is off. */
export function providerFunctionEnvironment(options: VssProviderOptions | undefined): Record<string, string> {
  const o = options ?? {};
  const env: Record<string, string> = {};
  if (o.usageMetering) env[ENV.usageMetering] = 'true';
  if (o.quota?.maxKeys) env[ENV.quotaMaxKeys] = String(o.quota.maxKeys);
  if (o.quota?.maxBytes) env[ENV.quotaMaxBytes] = String(o.quota.maxBytes);
  if (hasQuota(o) && o.quota?.softThresholdPercent !== undefined) env[ENV.quotaSoftPercent] = String(o.quota.softThresholdPercent);
  if (o.rateLimit) env[ENV.rateLimitPerUser] = String(o.rateLimit.perSecond);
  if (o.rateLimit?.burst) env[ENV.rateLimitBurst] = String(o.rateLimit.burst);
  return env;
}

/**
 * DynamoDB actions on the table a VSS function needs beyond the plain store's
 * (lambda/provider/*):
 *   any feature       UpdateItem   (request count and rate-limit window, every operation)
 *   metering          putObjects: BatchGetItem (sizes of the heads written), UpdateItem
 *                     (registration, usage counters); deleteObject: BatchGetItem, UpdateItem
 *   quota             putObjects: Query on the table (the user's usage and overrides)
 */
export function withProviderActions(access: TableActions, op: Operation, options: VssProviderOptions | undefined): TableActions {
  const s = options ?? {};
  if (!providerOn(s)) return access;
  const extra: TableActions['table'][number][] = ['dynamodb:UpdateItem'];
  if (meteringOn(s) && (op === 'putObjects' || op === 'deleteObject')) extra.push('dynamodb:BatchGetItem');
  if (hasQuota(s) && op === 'putObjects') extra.push('dynamodb:Query');
  return { ...access, table: [...new Set([...access.table, ...extra])], writes: true };
}

/** How many alarms the features that are on add (docs/architecture.md counts them). */
export function providerAlarmCount(options: VssProviderOptions | undefined): number {
  const s = options ?? {};
  return (hasQuota(s) ? 2 : 0) + (meteringOn(s) ? 1 : 0) + (s.rateLimit ? 1 : 0);
}

/** Metric names, as the handlers emit them. */
const PROVIDER_METRICS = { throttled: METRIC_NAMES.throttled, ...PROVIDER_METRIC_NAMES } as const;

function metric(namespace: string, name: string, period: Duration, operation?: Operation): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace,
    metricName: name,
    dimensionsMap: { service: METRICS_SERVICE_NAME, ...(operation ? { operation } : {}) },
    statistic: 'Sum',
    period,
    ...(operation ? { label: operation } : {}),
  });
}

/** Throttled requests of all operations, as one series. */
function throttledTotal(namespace: string, period: Duration): cloudwatch.MathExpression {
  const usingMetrics = Object.fromEntries(
    OPERATIONS.map((op) => [op.toLowerCase(), metric(namespace, PROVIDER_METRICS.throttled, period, op)]),
  );
  return new cloudwatch.MathExpression({
    expression: Object.keys(usingMetrics).join(' + '),
    usingMetrics,
    period,
    label: 'throttled requests',
  });
}

/** The alarms of the features that are on; `add` registers each with the construct's alarm topic. */
export function addProviderAlarms(
  scope: Construct,
  namespace: string,
  options: VssProviderOptions | undefined,
  add: (alarm: cloudwatch.Alarm) => void,
): void {
  const s = options ?? {};
  const alarms: Array<{ id: string; on: boolean; description: string; metric: cloudwatch.IMetric; threshold?: number }> = [
    {
      id: 'ProviderUsersNearQuotaAlarm',
      on: hasQuota(s),
      description:
        'VSS: users at or above the soft quota threshold wrote in the last hour (raise their limit before writes are refused: docs/provider.md)',
      metric: metric(namespace, PROVIDER_METRICS.nearQuota, Duration.hours(1)),
    },
    {
      id: 'ProviderQuotaRefusalsAlarm',
      on: hasQuota(s),
      description: 'VSS: writes refused by a storage quota (a refused Lightning wallet may stop)',
      metric: metric(namespace, PROVIDER_METRICS.quotaRefused, Duration.minutes(5)),
    },
    {
      id: 'ProviderUsageUpdateFailuresAlarm',
      on: meteringOn(s),
      description: 'VSS: usage counters could not be updated after a write (run `vss admin usage --user … --recount`)',
      metric: metric(namespace, PROVIDER_METRICS.usageUpdateFailures, Duration.minutes(5)),
    },
    {
      id: 'ProviderThrottledUsersAlarm',
      on: s.rateLimit !== undefined,
      description: 'VSS: requests refused by the per-user rate limit (429)',
      metric: throttledTotal(namespace, Duration.minutes(5)),
      threshold: options?.throttledRequestsAlarmThreshold ?? 100,
    },
  ];
  for (const a of alarms.filter((x) => x.on)) {
    add(
      new cloudwatch.Alarm(scope, a.id, {
        alarmDescription: a.description,
        metric: a.metric,
        threshold: a.threshold ?? 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}

/** Dashboard widgets of the features that are on (none when all are off). */
export function providerDashboardWidgets(namespace: string, options: VssProviderOptions | undefined): cloudwatch.IWidget[] {
  const s = options ?? {};
  if (!providerOn(s)) return [];
  const period = Duration.minutes(5);
  return [
    new cloudwatch.GraphWidget({
      title: 'Provider: near-quota writes, quota refusals, usage update failures',
      left: [
        metric(namespace, PROVIDER_METRICS.nearQuota, period),
        metric(namespace, PROVIDER_METRICS.quotaRefused, period),
        metric(namespace, PROVIDER_METRICS.usageUpdateFailures, period),
      ],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Provider: throttled requests (per-user rate limit) per operation',
      left: OPERATIONS.map((op) => metric(namespace, PROVIDER_METRICS.throttled, period, op)),
      width: 12,
    }),
  ];
}
