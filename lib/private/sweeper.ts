/**
 * The sweeper of crashed large-value writes (docs/large-values.md): hourly, one at a time
 * (reserved concurrency 1), idempotent, so a failed or timed-out run is simply continued by the
 * next. Stable construct ID 'SweepSchedule'.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import { ENV } from '../../lambda/contract.js';
import type { VssFunction } from '../functions.js';
import type { FunctionFactory } from './functions.js';
import { acknowledgeSweepSchedule } from './nag.js';
import { SWEEPER_TABLE_ACTIONS, SWEEPER_VALUES_ACCESS, grantTableAccess } from './permissions.js';
import type { VssTableResources } from './table.js';
import type { ValuesBucket } from './values-bucket.js';

/** How often the sweeper runs. */
export const SWEEP_SCHEDULE = Duration.hours(1);
/**
 * The age below which it leaves chunk sets alone. It must stay far above any VSS function's
 * timeout (at most 29 s behind API Gateway), so a write in flight is never swept.
 */
export const SWEEP_GRACE = Duration.hours(1);

/** The sweeper's own options, which the operator's override: it runs alone, for up to 5 minutes. */
export const SWEEPER_BUILT_IN_OPTIONS = { reservedConcurrency: 1, timeoutSeconds: 300 } as const;

export function createSweeper(
  scope: Construct,
  functions: FunctionFactory,
  table: VssTableResources,
  values: ValuesBucket,
  valuesEnvironment: Readonly<Record<string, string>>,
): VssFunction {
  const fn = functions.create({
    name: 'sweepChunks',
    environment: {
      [ENV.tableName]: table.table.tableName,
      [ENV.sweepGraceSeconds]: String(SWEEP_GRACE.toSeconds()),
      ...valuesEnvironment,
    },
    defaults: {
      timeout: Duration.seconds(SWEEPER_BUILT_IN_OPTIONS.timeoutSeconds),
      reservedConcurrency: SWEEPER_BUILT_IN_OPTIONS.reservedConcurrency,
    },
  });
  grantTableAccess(fn, table, SWEEPER_TABLE_ACTIONS);
  values.grant(fn.role, SWEEPER_VALUES_ACCESS);
  const rule = new events.Rule(scope, 'SweepSchedule', {
    description: 'VSS: remove chunks left by crashed large-value writes (docs/large-values.md)',
    schedule: events.Schedule.rate(SWEEP_SCHEDULE),
    targets: [new targets.LambdaFunction(fn.alias, { retryAttempts: 0 })],
  });
  acknowledgeSweepSchedule(rule);
  return fn;
}
