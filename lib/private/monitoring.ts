/**
 * Alarms and the dashboard: API 5xx rate and p99 latency, WAF rate-rule blocks, Lambda errors and
 * throttles per function, DynamoDB throttles and system errors; every alarm notifies the topic
 * (given, or created for `emails`) on ALARM and OK. The number of alarms is documented in
 * docs/architecture.md, "Cost per million operations" (a test keeps it in step with `alarmCount`).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { METRIC_NAMES, METRICS_SERVICE_NAME, OPERATIONS } from '../../lambda/contract.js';
import type { VssFunction, VssFunctionName } from '../functions.js';
import type { VssAlarmOptions, VssProviderOptions } from '../options.js';
import { FUNCTION_IDS } from './functions.js';
import { acknowledgeAlarmTopic } from './nag.js';
import { addProviderAlarms, providerAlarmCount, providerDashboardWidgets } from './provider.js';

/** Thresholds when none are configured. */
export const ALARM_DEFAULTS = { serverErrorRate: 0.01, p99Latency: Duration.seconds(3) } as const;

/** DynamoDB operations whose throttles and system errors are alarmed on. */
const TABLE_OPERATIONS = [
  dynamodb.Operation.GET_ITEM,
  dynamodb.Operation.QUERY,
  dynamodb.Operation.UPDATE_ITEM,
  dynamodb.Operation.DELETE_ITEM,
  dynamodb.Operation.TRANSACT_WRITE_ITEMS,
];

/**
 * The front door's own metrics: the 5xx share and p99 latency the two API alarms watch (same
 * alarm IDs on both doors), and its dashboard widgets.
 */
export interface EdgeMetrics {
  /** Share of requests answered 5xx (0-1). */
  serverErrorRate(period: Duration): cloudwatch.IMetric;
  /** p99 end-to-end latency, in the unit of `latencyThreshold`. */
  p99Latency(period: Duration): cloudwatch.IMetric;
  /** The alarm threshold for a p99 latency, in the metric's unit. */
  latencyThreshold(latency: Duration): number;
  /** Dashboard widgets of the edge. */
  widgets(): cloudwatch.IWidget[];
}

/** The REST API's metrics (the Lambda door). */
export function apiGatewayEdge(api: apigw.RestApi): EdgeMetrics {
  return {
    serverErrorRate: (period) => api.metricServerError({ statistic: 'Average', period }),
    p99Latency: (period) => api.metricLatency({ statistic: 'p99', period }),
    latencyThreshold: (latency) => latency.toMilliseconds(),
    widgets: () => [
      new cloudwatch.GraphWidget({
        title: 'API Gateway',
        left: [
          api.metricCount({ statistic: 'Sum' }),
          api.metricClientError({ statistic: 'Sum' }),
          api.metricServerError({ statistic: 'Sum' }),
        ],
        right: [api.metricLatency({ statistic: 'p99' })],
        width: 8,
      }),
    ],
  };
}

/** The load balancer's and the tasks' metrics (the container door). */
export function loadBalancerEdge(
  loadBalancer: elbv2.ApplicationLoadBalancer,
  targetGroup: elbv2.ApplicationTargetGroup,
  service: ecs.FargateService,
): EdgeMetrics {
  const m = loadBalancer.metrics;
  return {
    // Target 5xx (the server's) and load balancer 5xx (no healthy target, a reset) over all requests.
    serverErrorRate: (period) =>
      new cloudwatch.MathExpression({
        expression: '(FILL(target, 0) + FILL(elb, 0)) / requests',
        usingMetrics: {
          target: m.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { statistic: 'Sum', period }),
          elb: m.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { statistic: 'Sum', period }),
          requests: m.requestCount({ statistic: 'Sum', period }),
        },
        period,
      }),
    p99Latency: (period) => targetGroup.metrics.targetResponseTime({ statistic: 'p99', period }),
    // TargetResponseTime is in seconds.
    latencyThreshold: (latency) => latency.toMilliseconds() / 1000,
    widgets: () => [
      new cloudwatch.GraphWidget({
        title: 'Load balancer',
        left: [
          m.requestCount({ statistic: 'Sum' }),
          m.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_4XX_COUNT, { statistic: 'Sum' }),
          m.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { statistic: 'Sum' }),
          m.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { statistic: 'Sum' }),
        ],
        right: [targetGroup.metrics.targetResponseTime({ statistic: 'p99' })],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Tasks: CPU and memory (%)',
        left: [service.metricCpuUtilization({ statistic: 'Average' }), service.metricMemoryUtilization({ statistic: 'Average' })],
        right: [targetGroup.metrics.healthyHostCount({ statistic: 'Minimum' })],
        width: 8,
      }),
    ],
  };
}

/** What is watched: the functions in the order they were created. */
export interface MonitoredResources {
  readonly edge: EdgeMetrics;
  readonly table: dynamodb.ITable;
  readonly webAcl?: wafv2.CfnWebACL | undefined;
  readonly functions: ReadonlyArray<readonly [VssFunctionName, VssFunction]>;
}

export interface Monitoring {
  readonly alarmTopic?: sns.ITopic | undefined;
  readonly alarms: readonly cloudwatch.Alarm[];
  readonly dashboard: cloudwatch.Dashboard;
}

/**
 * The number of alarms a deployment gets: two API alarms, one WAF alarm when the WAF is on, two
 * per function, two for the table, and those of the provider features that are on.
 */
export function alarmCount(functionCount: number, wafEnabled: boolean, provider?: VssProviderOptions): number {
  return 2 + (wafEnabled ? 1 : 0) + 2 * functionCount + 2 + providerAlarmCount(provider);
}

export function createMonitoring(
  scope: Construct,
  resources: MonitoredResources,
  options: VssAlarmOptions,
  metricsNamespace: string,
  provider?: VssProviderOptions,
  moreAlarms?: (add: (alarm: cloudwatch.Alarm) => void) => void,
): Monitoring {
  const alarmTopic = options.topic ?? (options.emails && options.emails.length > 0 ? createAlarmTopic(scope, options.emails) : undefined);
  const alarms = createAlarms(scope, resources, options, alarmTopic, (add) => {
    addProviderAlarms(scope, metricsNamespace, provider, add);
    moreAlarms?.(add);
  });
  const dashboard = createDashboard(scope, resources, metricsNamespace);
  const widgets = providerDashboardWidgets(metricsNamespace, provider);
  if (widgets.length > 0) dashboard.addWidgets(...widgets);
  return { alarmTopic, alarms, dashboard };
}

function createAlarmTopic(scope: Construct, emails: readonly string[]): sns.Topic {
  const topic = new sns.Topic(scope, 'AlarmTopic', { displayName: 'VSS alarms', enforceSSL: true });
  for (const email of emails) topic.addSubscription(new subscriptions.EmailSubscription(email));
  acknowledgeAlarmTopic(topic);
  return topic;
}

function createAlarms(
  scope: Construct,
  r: MonitoredResources,
  options: VssAlarmOptions,
  topic: sns.ITopic | undefined,
  more: (add: (alarm: cloudwatch.Alarm) => void) => void,
): cloudwatch.Alarm[] {
  const period = Duration.minutes(5);
  const alarms: cloudwatch.Alarm[] = [];
  const add = (id: string, props: cloudwatch.AlarmProps): void => {
    alarms.push(new cloudwatch.Alarm(scope, id, props));
  };
  add('Api5xxRateAlarm', {
    alarmDescription: 'VSS: share of API requests answered 5xx',
    metric: r.edge.serverErrorRate(period),
    threshold: options.serverErrorRate ?? ALARM_DEFAULTS.serverErrorRate,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  add('ApiP99LatencyAlarm', {
    alarmDescription: 'VSS: p99 end-to-end API latency',
    metric: r.edge.p99Latency(period),
    threshold: r.edge.latencyThreshold(options.p99Latency ?? ALARM_DEFAULTS.p99Latency),
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  if (r.webAcl) {
    add('WafThrottledAlarm', {
      alarmDescription: 'VSS: requests blocked by the WAF rate rules (clients are being throttled)',
      metric: new cloudwatch.MathExpression({
        expression: 'user + ip',
        usingMetrics: {
          user: wafBlocked(scope, r.webAcl, 'per-user-rate', period),
          ip: wafBlocked(scope, r.webAcl, 'per-ip-rate', period),
        },
        period,
      }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
  for (const [name, fn] of r.functions) {
    const id = FUNCTION_IDS[name];
    add(`${id}ErrorsAlarm`, {
      alarmDescription: `VSS: ${name} Lambda errors (crashes or timeouts)`,
      metric: fn.function.metricErrors({ period, statistic: 'Sum' }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    add(`${id}ThrottlesAlarm`, {
      alarmDescription: `VSS: ${name} Lambda throttles (concurrency exhausted)`,
      metric: fn.function.metricThrottles({ period, statistic: 'Sum' }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
  add('TableThrottledRequestsAlarm', {
    alarmDescription: 'VSS: DynamoDB throttled requests',
    metric: r.table.metricThrottledRequestsForOperations({ operations: TABLE_OPERATIONS, period, statistic: 'Sum' }),
    threshold: 0,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  add('TableSystemErrorsAlarm', {
    alarmDescription: 'VSS: DynamoDB system errors (5xx from DynamoDB)',
    metric: r.table.metricSystemErrorsForOperations({ operations: TABLE_OPERATIONS, period, statistic: 'Sum' }),
    threshold: 0,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  more((alarm) => alarms.push(alarm));
  if (topic) {
    const action = new cwActions.SnsAction(topic);
    for (const alarm of alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }
  return alarms;
}

function wafBlocked(scope: Construct, webAcl: wafv2.CfnWebACL, rule: string, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/WAFV2',
    metricName: 'BlockedRequests',
    dimensionsMap: { WebACL: webAcl.name!, Rule: `vss-${rule}`, Region: Stack.of(scope).region },
    statistic: 'Sum',
    period,
  });
}

function createDashboard(scope: Construct, r: MonitoredResources, metricsNamespace: string): cloudwatch.Dashboard {
  const namespace = metricsNamespace;
  const emf = (metricName: string, statistic: string) =>
    OPERATIONS.map(
      (op) =>
        new cloudwatch.Metric({
          namespace,
          metricName,
          dimensionsMap: { service: METRICS_SERVICE_NAME, operation: op },
          statistic,
          label: op,
          period: Duration.minutes(1),
        }),
    );
  const fns = r.functions;
  const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', { defaultInterval: Duration.hours(3) });
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({ title: 'Requests per operation', left: emf(METRIC_NAMES.requests, 'Sum'), width: 8 }),
    new cloudwatch.GraphWidget({ title: 'Latency p99 per operation (ms)', left: emf(METRIC_NAMES.latency, 'p99'), width: 8 }),
    new cloudwatch.GraphWidget({ title: 'Conflicts (409) per operation', left: emf(METRIC_NAMES.conflicts, 'Sum'), width: 8 }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({ title: 'Errors (5xx) per operation', left: emf(METRIC_NAMES.errors, 'Sum'), width: 8 }),
    ...r.edge.widgets(),
    new cloudwatch.GraphWidget({
      title: 'DynamoDB',
      left: [r.table.metricConsumedReadCapacityUnits(), r.table.metricConsumedWriteCapacityUnits()],
      right: [r.table.metricThrottledRequestsForOperations({ operations: TABLE_OPERATIONS, statistic: 'Sum' })],
      width: 8,
    }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({
      title: 'Lambda duration p99',
      left: fns.map(([n, f]) => f.function.metricDuration({ statistic: 'p99', label: n })),
      width: 8,
    }),
    new cloudwatch.GraphWidget({
      title: 'Lambda concurrency',
      left: fns.map(([n, f]) => f.function.metric('ConcurrentExecutions', { statistic: 'Maximum', label: n })),
      width: 8,
    }),
    new cloudwatch.GraphWidget({
      title: 'Lambda errors and throttles',
      left: fns.map(([n, f]) => f.function.metricErrors({ statistic: 'Sum', label: `${n} errors` })),
      right: fns.map(([n, f]) => f.function.metricThrottles({ statistic: 'Sum', label: `${n} throttles` })),
      width: 8,
    }),
  );
  return dashboard;
}
