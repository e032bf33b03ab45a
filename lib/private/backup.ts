/**
 * AWS Backup of the table and the scheduled restore drill (docs/disaster-recovery.md):
 *
 *   BackupVault (+ BackupKey)      this region's recovery points, optionally under Vault Lock
 *   BackupPlan → BackupSelection   the table, on `schedule`, kept `retention`; a copy action to
 *                                  the vault `copyVaultName` in `copyToRegion` (and account)
 *   RestoreDrillPlan + Selection   AWS Backup restore testing: restores the latest recovery
 *                                  point into a scratch table `awsbackup-restore-test-…`
 *   RestoreDrillRule → function    on the restore job's end: verifies the scratch table, records
 *                                  the restore time (achieved RTO) and reports the validation;
 *                                  AWS Backup then deletes the scratch table
 *   alarms                         failed backup, copy and restore-test jobs; a failed drill
 *
 * Every role is written out here, scoped to this table, its backups, the vaults and the
 * scratch tables (no AWS managed policy). Stable construct IDs 'BackupVault' and 'BackupKey'
 * hold recovery points and the key that decrypts them: test/infra/logical-ids.test.ts pins them.
 */
import { Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { ENV, METRICS_SERVICE_NAME, RESTORE_DRILL_METRIC_NAMES } from '../../lambda/contract.js';
import type { VssFunction } from '../functions.js';
import type { VssBackupOptions, VssVaultLockOptions } from '../options.js';
import {
  DEFAULT_BACKUP_RETENTION_DAYS,
  DEFAULT_BACKUP_SCHEDULE,
  DEFAULT_COPY_VAULT_NAME,
  DEFAULT_RESTORE_DRILL_SCHEDULE,
  DEFAULT_VALIDATION_WINDOW_HOURS,
  RESTORE_DRILL_BUILT_IN_OPTIONS,
  RESTORE_TEST_TABLE_PREFIX,
} from './backup-defaults.js';
import type { FunctionFactory } from './functions.js';
import { acknowledgeBackupRoles, acknowledgeRestoreDrill } from './nag.js';
import type { VssTableResources } from './table.js';

/** What the backup builder made: the monitoring adds its alarms to the construct's topic. */
export interface BackupResources {
  readonly vault: backup.BackupVault;
  readonly plan: backup.BackupPlan;
  /** The drill's validating function, when the drill is on. */
  readonly drillFunction?: VssFunction | undefined;
  /** Registers the backup alarms (called by the monitoring, which wires the alarm topic). */
  readonly addAlarms: (add: (alarm: cloudwatch.Alarm) => void) => void;
}

/** The AWS Backup job metrics alarmed on (namespace AWS/Backup, dimension ResourceType). */
const BACKUP_JOB_METRICS = {
  backup: 'NumberOfBackupJobsFailed',
  copy: 'NumberOfCopyJobsFailed',
  restore: 'NumberOfRestoreJobsFailed',
} as const;

/** DynamoDB actions AWS Backup takes on the table to back it up (with and without advanced DynamoDB backup). */
export const BACKUP_TABLE_ACTIONS = [
  'dynamodb:DescribeTable',
  'dynamodb:CreateBackup',
  'dynamodb:StartAwsBackupJob',
  'dynamodb:ListTagsOfResource',
] as const;
/** On the table's own backups (`<table ARN>/backup/*`): what AWS Backup reads and expires. */
export const BACKUP_OWN_BACKUP_ACTIONS = ['dynamodb:DescribeBackup', 'dynamodb:DeleteBackup'] as const;
/** What a restore into a new table needs on that table (scratch tables only). */
export const RESTORE_TABLE_ACTIONS = [
  'dynamodb:RestoreTableFromAwsBackup',
  'dynamodb:RestoreTableFromBackup',
  'dynamodb:DescribeTable',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:BatchWriteItem',
  // Restore testing deletes the scratch table after validation, with this role.
  'dynamodb:DeleteTable',
] as const;
/** The drill's function only reads the scratch table (lambda/handlers/restoreDrill.ts). */
export const DRILL_TABLE_ACTIONS = [
  'dynamodb:DescribeTable',
  'dynamodb:Scan',
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
] as const;
/** And reads the restore job and reports its verdict. */
export const DRILL_BACKUP_ACTIONS = ['backup:DescribeRestoreJob', 'backup:PutRestoreValidationResult'] as const;
/** The vault key, used by AWS Backup on behalf of the roles (kms:ViaService backup). */
const VAULT_KEY_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:CreateGrant'] as const;
/** A customer-managed table key, used through DynamoDB while a backup reads the table. */
const TABLE_KEY_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:CreateGrant'] as const;

/** The ARN of the copy vault: in `copyToRegion`, in `copyToAccount` or this stack's account. */
export function copyVaultArn(scope: Construct, options: VssBackupOptions): string | undefined {
  if (!options.copyToRegion) return undefined;
  const stack = Stack.of(scope);
  return `arn:${stack.partition}:backup:${options.copyToRegion}:${options.copyToAccount ?? stack.account}:backup-vault:${options.copyVaultName ?? DEFAULT_COPY_VAULT_NAME}`;
}

/** The vault lock in the CDK's terms. */
export function lockConfiguration(lock: VssVaultLockOptions | undefined): backup.LockConfiguration | undefined {
  if (!lock) return undefined;
  return {
    minRetention: lock.minRetention,
    ...(lock.maxRetention ? { maxRetention: lock.maxRetention } : {}),
    ...(lock.changeableFor ? { changeableFor: lock.changeableFor } : {}),
  };
}

/** The value bucket, as the drill reads it: its environment and a read-only grant on values/. */
export interface DrillValues {
  readonly environment: Readonly<Record<string, string>>;
  grantRead(role: iam.IRole): void;
}

export function createBackup(
  scope: Construct,
  functions: FunctionFactory,
  table: VssTableResources,
  options: VssBackupOptions,
  metricsNamespace: string,
  values?: DrillValues,
): BackupResources {
  const stack = Stack.of(scope);
  const region = stack.region;
  const tableArn = table.table.tableArn;
  const retention = options.retention ?? Duration.days(DEFAULT_BACKUP_RETENTION_DAYS);

  const key = new kms.Key(scope, 'BackupKey', {
    description: 'VSS backup vault key (decrypts every recovery point of the table)',
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const lock = lockConfiguration(options.vaultLock);
  const vault = new backup.BackupVault(scope, 'BackupVault', {
    encryptionKey: key,
    removalPolicy: RemovalPolicy.RETAIN,
    ...(lock ? { lockConfiguration: lock } : {}),
  });

  const destinationArn = copyVaultArn(scope, options);
  const plan = new backup.BackupPlan(scope, 'BackupPlan', {
    backupVault: vault,
    backupPlanRules: [
      new backup.BackupPlanRule({
        ruleName: 'VssTable',
        scheduleExpression: options.schedule ?? events.Schedule.expression(DEFAULT_BACKUP_SCHEDULE),
        deleteAfter: retention,
        ...(destinationArn
          ? {
              copyActions: [
                {
                  destinationBackupVault: backup.BackupVault.fromBackupVaultArn(scope, 'BackupCopyVault', destinationArn),
                  deleteAfter: options.copyRetention ?? retention,
                },
              ],
            }
          : {}),
      }),
    ],
  });

  const backupRole = new iam.Role(scope, 'BackupRole', {
    assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
    description: 'VSS: AWS Backup backs up the table and copies its recovery points',
  });
  backupRole.addToPolicy(new iam.PolicyStatement({ actions: [...BACKUP_TABLE_ACTIONS], resources: [tableArn] }));
  backupRole.addToPolicy(new iam.PolicyStatement({ actions: [...BACKUP_OWN_BACKUP_ACTIONS], resources: [`${tableArn}/backup/*`] }));
  backupRole.addToPolicy(
    new iam.PolicyStatement({
      actions: ['backup:CopyIntoBackupVault', 'backup:DescribeBackupVault'],
      resources: [vault.backupVaultArn, ...(destinationArn ? [destinationArn] : [])],
    }),
  );
  backupRole.addToPolicy(
    new iam.PolicyStatement({
      actions: [...VAULT_KEY_ACTIONS],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `backup.${region}.amazonaws.com` } },
    }),
  );
  if (table.key) {
    backupRole.addToPolicy(
      new iam.PolicyStatement({
        actions: [...TABLE_KEY_ACTIONS],
        resources: [table.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com` } },
      }),
    );
  }
  plan.addSelection('BackupSelection', {
    resources: [backup.BackupResource.fromArn(tableArn)],
    role: backupRole,
    disableDefaultBackupPolicy: true,
    allowRestores: false,
  });

  const drillOn = options.restoreDrill?.enabled ?? true;
  const drill = drillOn ? createRestoreDrill(scope, functions, { vault, key, tableArn, options, metricsNamespace, values }) : undefined;
  acknowledgeBackupRoles(backupRole, drill?.restoreRole, { ownBackups: `${tableArn}/backup/*`, scratchTables: scratchTablesArn(scope) });

  const addAlarms = (add: (alarm: cloudwatch.Alarm) => void): void => {
    // Each alarm fires on any failure counted in an hour; an hour without data is no failure.
    const failureAlarm = (id: string, description: string, metric: cloudwatch.Metric): void =>
      add(
        new cloudwatch.Alarm(scope, id, {
          alarmDescription: description,
          metric,
          threshold: 0,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    const hourlySum = (namespace: string, metricName: string, dimensionsMap: Record<string, string>): cloudwatch.Metric =>
      new cloudwatch.Metric({ namespace, metricName, dimensionsMap, statistic: 'Sum', period: Duration.hours(1) });
    const jobAlarm = (id: string, metricName: string, description: string): void =>
      failureAlarm(id, description, hourlySum('AWS/Backup', metricName, { ResourceType: 'DynamoDB' }));
    jobAlarm('BackupJobsFailedAlarm', BACKUP_JOB_METRICS.backup, 'VSS: an AWS Backup job of DynamoDB failed (docs/disaster-recovery.md)');
    if (destinationArn)
      jobAlarm(
        'BackupCopyJobsFailedAlarm',
        BACKUP_JOB_METRICS.copy,
        `VSS: copying a DynamoDB recovery point to ${options.copyToRegion} failed (docs/disaster-recovery.md)`,
      );
    if (drill) {
      jobAlarm(
        'RestoreTestJobsFailedAlarm',
        BACKUP_JOB_METRICS.restore,
        'VSS: an AWS Backup restore job of DynamoDB failed, e.g. the weekly restore drill (docs/disaster-recovery.md)',
      );
      failureAlarm(
        'RestoreDrillFailedAlarm',
        'VSS: the restore drill found the restored table unsound, or could not verify it (docs/disaster-recovery.md)',
        hourlySum(metricsNamespace, RESTORE_DRILL_METRIC_NAMES.failures, { service: METRICS_SERVICE_NAME }),
      );
    }
  };
  return { vault, plan, drillFunction: drill?.fn, addAlarms };
}

/** Every table restore testing may create in this account and region. */
function scratchTablesArn(scope: Construct): string {
  return Stack.of(scope).formatArn({ service: 'dynamodb', resource: 'table', resourceName: `${RESTORE_TEST_TABLE_PREFIX}*` });
}

interface DrillInputs {
  readonly vault: backup.BackupVault;
  readonly key: kms.Key;
  readonly tableArn: string;
  readonly options: VssBackupOptions;
  readonly metricsNamespace: string;
  readonly values?: DrillValues | undefined;
}

function createRestoreDrill(scope: Construct, functions: FunctionFactory, d: DrillInputs): { fn: VssFunction; restoreRole: iam.Role } {
  const stack = Stack.of(scope);
  const drill = d.options.restoreDrill ?? {};
  const scratchTables = scratchTablesArn(scope);

  const restoreRole = new iam.Role(scope, 'RestoreTestingRole', {
    assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
    description: 'VSS: AWS Backup restore testing restores the table into a scratch table and deletes it',
  });
  restoreRole.addToPolicy(new iam.PolicyStatement({ actions: [...RESTORE_TABLE_ACTIONS], resources: [scratchTables] }));
  // The source of a restore: the table's own backups (recovery points without advanced DynamoDB backup).
  restoreRole.addToPolicy(new iam.PolicyStatement({ actions: ['dynamodb:DescribeBackup'], resources: [`${d.tableArn}/backup/*`] }));
  restoreRole.addToPolicy(
    new iam.PolicyStatement({
      actions: [...VAULT_KEY_ACTIONS],
      resources: [d.key.keyArn],
      conditions: {
        StringEquals: { 'kms:ViaService': [`backup.${stack.region}.amazonaws.com`, `dynamodb.${stack.region}.amazonaws.com`] },
      },
    }),
  );

  const plan = new backup.CfnRestoreTestingPlan(scope, 'RestoreDrillPlan', {
    // Letters, digits and underscores only; unique per account and region.
    restoreTestingPlanName: `${Names.uniqueResourceName(scope, { maxLength: 50, separator: '_' }).replace(/[^A-Za-z0-9_]/g, '_')}_drill`,
    scheduleExpression: drill.schedule?.expressionString ?? DEFAULT_RESTORE_DRILL_SCHEDULE,
    startWindowHours: 1,
    recoveryPointSelection: {
      algorithm: 'LATEST_WITHIN_WINDOW',
      includeVaults: [d.vault.backupVaultArn],
      recoveryPointTypes: ['SNAPSHOT'],
      selectionWindowDays: 7,
    },
  });
  new backup.CfnRestoreTestingSelection(scope, 'RestoreDrillSelection', {
    restoreTestingPlanName: plan.restoreTestingPlanName,
    restoreTestingSelectionName: 'vss_table',
    protectedResourceType: 'DynamoDB',
    protectedResourceArns: [d.tableArn],
    iamRoleArn: restoreRole.roleArn,
    validationWindowHours: drill.validationWindow?.toHours() ?? DEFAULT_VALIDATION_WINDOW_HOURS,
  });

  const fn = functions.create({
    name: 'restoreDrill',
    environment: { [ENV.restoreTestTablePrefix]: RESTORE_TEST_TABLE_PREFIX, ...d.values?.environment },
    defaults: { timeout: Duration.seconds(RESTORE_DRILL_BUILT_IN_OPTIONS.timeoutSeconds) },
  });
  fn.role.addToPolicy(
    new iam.PolicyStatement({ actions: [...DRILL_TABLE_ACTIONS], resources: [scratchTables, `${scratchTables}/index/*`] }),
  );
  d.values?.grantRead(fn.role);
  // Neither action supports a resource-level restriction (the restore job is named in the request).
  fn.role.addToPolicy(new iam.PolicyStatement({ actions: [...DRILL_BACKUP_ACTIONS], resources: ['*'] }));

  const rule = new events.Rule(scope, 'RestoreDrillRule', {
    description: 'VSS: verify the scratch table of each restore drill, record the restore time (docs/disaster-recovery.md)',
    eventPattern: {
      source: ['aws.backup'],
      detailType: ['Restore Job State Change'],
      detail: { restoreTestingPlanArn: [plan.attrRestoreTestingPlanArn], status: ['COMPLETED', 'FAILED', 'ABORTED'] },
    },
    targets: [new targets.LambdaFunction(fn.alias, { retryAttempts: 2 })],
  });
  acknowledgeRestoreDrill(fn, rule, scratchTables);
  return { fn, restoreRole };
}
