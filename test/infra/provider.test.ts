/**
 * The provider features in the stack (docs/provider.md): off by default with nothing added; when
 * on, each VSS function gets its settings in the environment and exactly the extra DynamoDB
 * actions its operation needs on the table (never Scan, never an index), and the alarms and
 * dashboard widgets exist, wired to the metrics the handlers emit.
 */
import { describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { ENV } from '../../lambda/contract.js';
import { parseConfig, toServiceProps } from '../../bin/config.js';
import type { VssConfigError } from '../../lib/private/schema.js';
import { actionsOfFunction, functionLogicalId, resourcesOf, statementsOfFunction, synth } from './support.js';

const PROVIDER_ENV_NAMES = [
  ENV.usageMetering,
  ENV.quotaMaxKeys,
  ENV.quotaMaxBytes,
  ENV.quotaSoftPercent,
  ENV.rateLimitPerUser,
  ENV.rateLimitBurst,
];
const OPS = ['getObject', 'putObjects', 'deleteObject', 'listKeyVersions'] as const;

function environmentOf(template: ReturnType<typeof synth>['template'], fn: string): Record<string, unknown> {
  const r = resourcesOf(template, 'AWS::Lambda::Function')[functionLogicalId(template, fn)]!;
  return ((r.Properties!['Environment'] as { Variables: Record<string, unknown> }).Variables ?? {}) as Record<string, unknown>;
}

function tableActionsOf(template: ReturnType<typeof synth>['template'], fn: string): string[] {
  return statementsOfFunction(template, fn)
    .filter((s) => JSON.stringify(s.Resource).includes('Table') && !JSON.stringify(s.Resource).includes('/index/'))
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
    .filter((a) => a.startsWith('dynamodb:'))
    .sort();
}

describe('provider features in the stack', () => {
  it('are off by default: no provider environment, no extra permissions, no provider alarms or widgets', () => {
    const { template } = synth();
    for (const op of OPS) for (const name of PROVIDER_ENV_NAMES) expect(environmentOf(template, op)[name], `${op} ${name}`).toBeUndefined();
    expect(tableActionsOf(template, 'getObject')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem']);
    expect(tableActionsOf(template, 'listKeyVersions')).toEqual(['dynamodb:GetItem']);
    expect(Object.keys(resourcesOf(template, 'AWS::CloudWatch::Alarm')).filter((id) => id.includes('Provider'))).toEqual([]);
    expect(JSON.stringify(resourcesOf(template, 'AWS::CloudWatch::Dashboard'))).not.toContain('Provider:');
  });

  it('pass quotas and the rate limit to the four VSS functions only, through their environment', () => {
    const { template } = synth({
      provider: { quota: { maxKeys: 5000, maxBytes: 200_000_000, softThresholdPercent: 90 }, rateLimit: { perSecond: 20, burst: 60 } },
    });
    for (const op of OPS) {
      expect(environmentOf(template, op)).toMatchObject({
        [ENV.quotaMaxKeys]: '5000',
        [ENV.quotaMaxBytes]: '200000000',
        [ENV.quotaSoftPercent]: '90',
        [ENV.rateLimitPerUser]: '20',
        [ENV.rateLimitBurst]: '60',
      });
    }
    for (const name of PROVIDER_ENV_NAMES) expect(environmentOf(template, 'sweepChunks')[name]).toBeUndefined();
  });

  it('grant each function exactly the extra table actions its operation needs, on the table only', () => {
    const { template } = synth({ provider: { quota: { maxBytes: 1_000_000 }, rateLimit: { perSecond: 5 } } });
    expect(tableActionsOf(template, 'getObject')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(tableActionsOf(template, 'listKeyVersions')).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(tableActionsOf(template, 'deleteObject')).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:UpdateItem',
    ]);
    // GetItem is the plain store's own (the version check before a conditioned large put stages chunks).
    expect(tableActionsOf(template, 'putObjects')).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    for (const op of OPS) expect(actionsOfFunction(template, op)).not.toContain('dynamodb:Scan');
    // The sweeper is untouched.
    expect(tableActionsOf(template, 'sweepChunks')).toEqual([
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
    ]);
  });

  it('with a rate limit only, count requests (UpdateItem) but read no heads and query nothing', () => {
    const { template } = synth({ provider: { rateLimit: { perSecond: 5 } } });
    expect(tableActionsOf(template, 'putObjects')).toEqual([
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(tableActionsOf(template, 'deleteObject')).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem']);
  });

  it('alarm on users near their quota, quota refusals, usage update failures and throttled users, on the metrics the handlers emit', () => {
    const { template } = synth({ provider: { quota: { maxKeys: 100 }, rateLimit: { perSecond: 5 }, throttledRequestsAlarmThreshold: 7 } });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'NearQuotaWrites',
      Namespace: 'VSS',
      Dimensions: [{ Name: 'service', Value: 'vss' }],
      Statistic: 'Sum',
      Period: 3600,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'QuotaRefusals', Threshold: 0 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'UsageUpdateFailures', Threshold: 0 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 7,
      Metrics: Match.arrayWith([
        Match.objectLike({
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({
              MetricName: 'Throttled',
              Dimensions: Match.arrayWith([{ Name: 'operation', Value: 'putObjects' }]),
            }),
          }),
        }),
      ]),
    });
    const dashboard = JSON.stringify(resourcesOf(template, 'AWS::CloudWatch::Dashboard'));
    expect(dashboard).toContain('Provider: near-quota writes');
    expect(dashboard).toContain('Provider: throttled requests');
  });

  it('are read from the vss context object and validated by the one schema', () => {
    const config = parseConfig({ provider: { quota: { maxKeys: '10', softThresholdPercent: 75 }, rateLimit: { perSecond: 2.5 } } });
    expect(config.provider).toEqual({ quota: { maxKeys: 10, softThresholdPercent: 75 }, rateLimit: { perSecond: 2.5 } });
    const { template } = synth((scope) => toServiceProps(scope, config));
    expect(environmentOf(template, 'putObjects')).toMatchObject({
      [ENV.quotaMaxKeys]: '10',
      [ENV.quotaSoftPercent]: '75',
      [ENV.rateLimitPerUser]: '2.5',
    });
    let problems: readonly string[] = [];
    try {
      parseConfig({ provider: { quota: { maxKeys: -1, maxKyes: 3 }, rateLimit: {} } });
    } catch (e) {
      problems = (e as VssConfigError).problems;
    }
    expect(problems.join('\n')).toMatch(/vss\.provider\.quota\.maxKeys must be an integer from 0/);
    expect(problems.join('\n')).toMatch(/vss\.provider\.quota\.maxKyes is not a known setting/);
    expect(problems.join('\n')).toMatch(/vss\.provider\.rateLimit\.perSecond/);
  });
});
