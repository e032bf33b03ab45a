/**
 * The stack side of the provider features (docs/provider.md): the handlers' environment, the
 * extra DynamoDB actions each VSS function needs, and the alarms and dashboard widgets. Only
 * what a feature that is on needs is added; with every feature off nothing changes.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { METRIC_NAMES, PROVIDER_METRIC_NAMES } from '../../lambda/contract.js';
import { hasQuota, meteringOn, providerEnvironment, providerOn, providerSettingsProblems, type ProviderSettings } from '../../lambda/provider/settings.js';

export interface VssProviderOptions {
  /**
   * Keep per-user usage (keys, bytes per store, requests per day) for `vss admin usage`.
   * Storage quotas turn it on.
   * @default false
   */
  readonly usageMetering?: boolean;
  /**
   * Storage quotas per user, over all its stores. Per-user overrides: `vss admin set-quota`.
   * Read docs/provider.md first: a refused write can stop a Lightning node.
   * @default - no quota
   */
  readonly quota?: {
    /** Most keys. 0 = no limit. @default 0 */
    readonly maxKeys?: number;
    /** Most bytes (keys + values). 0 = no limit. @default 0 */
    readonly maxBytes?: number;
    /** Percentage of a limit from which writes are reported as near quota (log, metric, alarm). @default 80 */
    readonly softThresholdPercent?: number;
  };
  /**
   * Per-user rate limit, enforced in the handlers after authentication (every auth mode).
   * @default - no per-user rate limit (the WAF rules still apply)
   */
  readonly rateLimit?: {
    /** Sustained requests per second per user. */
    readonly perSecond: number;
    /** Requests a user may make at once. @default perSecond */
    readonly burst?: number;
  };
  /**
   * Throttled requests (all operations, per 5 minutes) above which the throttled-users alarm fires.
   * @default 100
   */
  readonly throttledRequestsAlarmThreshold?: number;
}

export type VssOperationName = 'getObject' | 'putObjects' | 'deleteObject' | 'listKeyVersions';

export function settingsOf(options: VssProviderOptions | undefined): ProviderSettings {
  const o = options ?? {};
  return {
    ...(o.usageMetering !== undefined ? { usageMetering: o.usageMetering } : {}),
    ...(o.quota ? { quota: o.quota } : {}),
    ...(o.rateLimit ? { rateLimit: o.rateLimit } : {}),
  };
}

/** Problems with the options, each naming its setting. */
export function providerOptionProblems(options: VssProviderOptions | undefined, at = 'provider'): string[] {
  const problems = providerSettingsProblems(settingsOf(options), at);
  const t = options?.throttledRequestsAlarmThreshold;
  if (t !== undefined && (!Number.isInteger(t) || t < 0)) problems.push(`${at}.throttledRequestsAlarmThreshold must be an integer ≥ 0 (got ${t})`);
  return problems;
}

/** Environment of every VSS handler: empty when every feature is off. */
export function providerFunctionEnvironment(options: VssProviderOptions | undefined): Record<string, string> {
  return providerEnvironment(settingsOf(options));
}

/**
 * DynamoDB actions on the table a VSS function needs beyond the plain store's
 * (lambda/provider/*):
 *   any feature       UpdateItem   (request count and rate-limit window, every operation)
 *   metering          putObjects: BatchGetItem (sizes of the heads written), UpdateItem
 *                     (registration, usage counters); deleteObject: BatchGetItem, UpdateItem
 *   quota             putObjects: Query on the table (the user's usage and overrides)
 */
export function providerTableActions(op: VssOperationName, options: VssProviderOptions | undefined): string[] {
  const s = settingsOf(options);
  if (!providerOn(s)) return [];
  const actions = new Set<string>(['dynamodb:UpdateItem']);
  if (meteringOn(s) && (op === 'putObjects' || op === 'deleteObject')) actions.add('dynamodb:BatchGetItem');
  if (hasQuota(s) && op === 'putObjects') actions.add('dynamodb:Query');
  return [...actions];
}

/** Metric names, as the handlers emit them. */
const PROVIDER_METRICS = { throttled: METRIC_NAMES.throttled, ...PROVIDER_METRIC_NAMES } as const;

const OPERATIONS: readonly VssOperationName[] = ['getObject', 'putObjects', 'deleteObject', 'listKeyVersions'];

function metric(namespace: string, name: string, period: Duration, operation?: VssOperationName): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace,
    metricName: name,
    dimensionsMap: { service: 'vss', ...(operation ? { operation } : {}) },
    statistic: 'Sum',
    period,
    ...(operation ? { label: operation } : {}),
  });
}

/** Throttled requests of all operations, as one series. */
function throttledTotal(namespace: string, period: Duration): cloudwatch.MathExpression {
  const usingMetrics = Object.fromEntries(OPERATIONS.map((op) => [op.toLowerCase(), metric(namespace, PROVIDER_METRICS.throttled, period, op)]));
  return new cloudwatch.MathExpression({ expression: Object.keys(usingMetrics).join(' + '), usingMetrics, period, label: 'throttled requests' });
}

/** The alarms of the features that are on; `add` registers each with the construct's alarm topic. */
export function addProviderAlarms(
  scope: Construct,
  namespace: string,
  options: VssProviderOptions | undefined,
  add: (alarm: cloudwatch.Alarm) => void,
): void {
  const s = settingsOf(options);
  const alarms: Array<{ id: string; on: boolean; description: string; metric: cloudwatch.IMetric; threshold?: number }> = [
    {
      id: 'ProviderUsersNearQuotaAlarm',
      on: hasQuota(s),
      description: 'VSS: users at or above the soft quota threshold wrote in the last hour (raise their limit before writes are refused: docs/provider.md)',
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
  const s = settingsOf(options);
  if (!providerOn(s)) return [];
  const period = Duration.minutes(5);
  return [
    new cloudwatch.GraphWidget({
      title: 'Provider: near-quota writes, quota refusals, usage update failures',
      left: [metric(namespace, PROVIDER_METRICS.nearQuota, period), metric(namespace, PROVIDER_METRICS.quotaRefused, period), metric(namespace, PROVIDER_METRICS.usageUpdateFailures, period)],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Provider: throttled requests (per-user rate limit) per operation',
      left: OPERATIONS.map((op) => metric(namespace, PROVIDER_METRICS.throttled, period, op)),
      width: 12,
    }),
  ];
}
