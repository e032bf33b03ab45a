/**
 * The `backup` variant (docs/disaster-recovery.md): the plan, the copy action to the named region
 * and account, vault lock, the restore drill (schedule, selection, validating function and its
 * trigger), the alarms, least privilege of every role, and the copy vault's own stack.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { beforeAll, describe, expect, it } from 'vitest';
import { VssBackupCopyVault } from '../../lib/backup-copy-vault.js';
import { VssTableEncryption } from '../../lib/options.js';
import {
  BACKUP_OWN_BACKUP_ACTIONS,
  BACKUP_TABLE_ACTIONS,
  DRILL_BACKUP_ACTIONS,
  DRILL_TABLE_ACTIONS,
  RESTORE_TABLE_ACTIONS,
} from '../../lib/private/backup.js';
import { expectControl } from './controls/evaluate.js';
import { nagFindings, resourcesOf, statementsOfFunction, synth } from './support.js';

const ENV = { account: '111122223333', region: 'eu-west-1' };
const TABLE_ARN = { 'Fn::GetAtt': ['VssTable40F1830D', 'Arn'] };

type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };
const actions = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** Every statement of the role whose description starts with `description`. */
function roleStatements(template: Template, description: string): Statement[] {
  const roles = Object.entries(resourcesOf(template, 'AWS::IAM::Role')).filter(([, r]) =>
    String(r.Properties?.['Description'] ?? '').startsWith(description),
  );
  expect(roles, description).toHaveLength(1);
  const roleId = roles[0]![0];
  return Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
    .filter((p) => (p.Properties!['Roles'] as Array<{ Ref: string }>).some((r) => r.Ref === roleId))
    .flatMap((p) => (p.Properties!['PolicyDocument'] as { Statement: Statement[] }).Statement);
}

// The first synthesis of a process loads the CDK's modules: on a shared machine that alone can take
// longer than a test may, so it happens once here, outside the tests.
beforeAll(() => void synth({}), 300_000);

describe('backup: AWS Backup plan, copy, vault lock', () => {
  it('backs the table up on the default schedule (daily 03:00 UTC) into an encrypted vault, kept 35 days, retained', () => {
    const { template } = synth({ backup: {} });
    expectControl(template, 'backup-plan');
    expectControl(template, 'backup-covers-table');
    expectControl(template, 'backup-vault-encrypted-retained');
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanRule: [
          Match.objectLike({
            ScheduleExpression: 'cron(0 3 * * ? *)',
            Lifecycle: { DeleteAfterDays: 35 },
            TargetBackupVault: { 'Fn::GetAtt': [Match.stringLikeRegexp('^VssBackupVault'), 'BackupVaultName'] },
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({ Resources: [TABLE_ARN] }),
    });
    template.hasResource('AWS::Backup::BackupVault', {
      DeletionPolicy: 'Retain',
      Properties: { EncryptionKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^VssBackupKey'), 'Arn'] } },
    });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ EnableKeyRotation: true }) });
    // No copy was asked for: no copy action, no copy alarm.
    expect(JSON.stringify(resourcesOf(template, 'AWS::Backup::BackupPlan'))).not.toContain('CopyActions');
  });

  it('uses the configured schedule and retention', () => {
    const { template } = synth({ backup: { schedule: events.Schedule.expression('cron(30 1 * * ? *)'), retention: Duration.days(14) } });
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ ScheduleExpression: 'cron(30 1 * * ? *)', Lifecycle: { DeleteAfterDays: 14 } })] },
    });
  });

  it('copies every recovery point to the vault in copyToRegion, in this account, kept copyRetention', () => {
    const { template } = synth({ backup: { copyToRegion: 'eu-central-1', copyRetention: Duration.days(90) } }, { env: ENV });
    expectControl(template, 'backup-copy-to-region');
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanRule: [
          Match.objectLike({
            CopyActions: [
              {
                DestinationBackupVaultArn: 'arn:aws:backup:eu-central-1:111122223333:backup-vault:vss-backup-copy',
                Lifecycle: { DeleteAfterDays: 90 },
              },
            ],
          }),
        ],
      },
    });
  });

  it('copies to the named vault of another account', () => {
    const { template } = synth(
      { backup: { copyToRegion: 'us-west-2', copyToAccount: '444455556666', copyVaultName: 'vss-dr' } },
      { env: ENV },
    );
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanRule: [
          Match.objectLike({
            CopyActions: [Match.objectLike({ DestinationBackupVaultArn: 'arn:aws:backup:us-west-2:444455556666:backup-vault:vss-dr' })],
          }),
        ],
      },
    });
  });

  it('locks the vault when vaultLock is set (compliance mode with changeableFor)', () => {
    const { template } = synth({
      backup: { vaultLock: { minRetention: Duration.days(7), maxRetention: Duration.days(365), changeableFor: Duration.days(3) } },
    });
    expectControl(template, 'backup-vault-lock');
    template.hasResourceProperties('AWS::Backup::BackupVault', {
      LockConfiguration: { MinRetentionDays: 7, MaxRetentionDays: 365, ChangeableForDays: 3 },
    });
  });

  it('the backup role may back up only this table, expire only its backups, copy only into the two vaults, and use the vault key only through AWS Backup', () => {
    const { template } = synth({ backup: { copyToRegion: 'eu-central-1' } }, { env: ENV });
    const statements = roleStatements(template, 'VSS: AWS Backup backs up');
    expectControl(template, 'service-roles-scoped');
    const byResource = new Map(statements.map((s) => [JSON.stringify(s.Resource), actions(s).sort()]));
    expect(byResource.get(JSON.stringify(TABLE_ARN))).toEqual([...BACKUP_TABLE_ACTIONS].sort());
    expect(byResource.get(JSON.stringify({ 'Fn::Join': ['', [TABLE_ARN, '/backup/*']] }))).toEqual([...BACKUP_OWN_BACKUP_ACTIONS].sort());
    const copy = statements.find((s) => actions(s).includes('backup:CopyIntoBackupVault'))!;
    expect(copy.Resource).toHaveLength(2);
    expect(copy.Resource).toEqual(
      expect.arrayContaining([
        { 'Fn::GetAtt': [expect.stringMatching(/^VssBackupVault/), 'BackupVaultArn'] },
        'arn:aws:backup:eu-central-1:111122223333:backup-vault:vss-backup-copy',
      ]),
    );
    const kms = statements.find((s) => actions(s).some((a) => a.startsWith('kms:')))!;
    expect(kms.Condition).toEqual({ StringEquals: { 'kms:ViaService': 'backup.eu-west-1.amazonaws.com' } });
    expect(statements.flatMap(actions).filter((a) => a.endsWith('*') || a === '*')).toEqual([]);
    expect(JSON.stringify(statements)).not.toContain('"Resource":"*"');
  });

  it('with a customer-managed table key, the backup role may decrypt it only through DynamoDB', () => {
    const { template } = synth({ tableOptions: { encryption: VssTableEncryption.customerManaged() }, backup: {} }, { env: ENV });
    const statements = roleStatements(template, 'VSS: AWS Backup backs up');
    const tableKey = statements.find((s) => JSON.stringify(s.Resource).includes('VssTableKey'))!;
    expect(tableKey.Condition).toEqual({ StringEquals: { 'kms:ViaService': 'dynamodb.eu-west-1.amazonaws.com' } });
  });
});

describe('backup: the restore drill', () => {
  it('restore testing restores the latest recovery point of the vault weekly (Sundays 05:00 UTC) and validates for 4 hours', () => {
    const { template } = synth({ backup: {} });
    expectControl(template, 'restore-drill-schedule');
    expectControl(template, 'restore-drill-covers-table');
    template.hasResourceProperties('AWS::Backup::RestoreTestingPlan', {
      ScheduleExpression: 'cron(0 5 ? * SUN *)',
      RecoveryPointSelection: {
        Algorithm: 'LATEST_WITHIN_WINDOW',
        IncludeVaults: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^VssBackupVault'), 'BackupVaultArn'] }],
        RecoveryPointTypes: ['SNAPSHOT'],
        SelectionWindowDays: 7,
      },
    });
    template.hasResourceProperties('AWS::Backup::RestoreTestingSelection', {
      ProtectedResourceType: 'DynamoDB',
      ProtectedResourceArns: [TABLE_ARN],
      ValidationWindowHours: 4,
    });
  });

  it('uses the configured drill schedule and validation window', () => {
    const { template } = synth({
      backup: { restoreDrill: { schedule: events.Schedule.expression('cron(0 6 1 * ? *)'), validationWindow: Duration.hours(8) } },
    });
    template.hasResourceProperties('AWS::Backup::RestoreTestingPlan', { ScheduleExpression: 'cron(0 6 1 * ? *)' });
    template.hasResourceProperties('AWS::Backup::RestoreTestingSelection', { ValidationWindowHours: 8 });
  });

  it('the end of every drill restore job invokes the validating function (live alias), retried twice', () => {
    const { template } = synth({ backup: {} });
    expectControl(template, 'restore-drill-validates');
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.backup'],
        'detail-type': ['Restore Job State Change'],
        detail: {
          restoreTestingPlanArn: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^VssRestoreDrillPlan'), 'RestoreTestingPlanArn'] }],
          status: ['COMPLETED', 'FAILED', 'ABORTED'],
        },
      },
      Targets: [
        Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^VssRestoreDrillLive') }, RetryPolicy: { MaximumRetryAttempts: 2 } }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'VSS restoreDrill',
      Timeout: 900,
      Environment: { Variables: Match.objectLike({ VSS_RESTORE_TEST_TABLE_PREFIX: 'awsbackup-restore-test-' }) },
    });
  });

  it('the drill function reads only scratch tables and may not write; it reads and reports restore jobs', () => {
    const { template } = synth({ backup: {} }, { env: ENV });
    expectControl(template, 'restore-drill-function-read-only');
    // The stack-wide IAM controls hold with the drill's scratch-table Scan and its two resource-less actions.
    expectControl(template, 'iam-no-scan-or-admin');
    expectControl(template, 'iam-dynamodb-scoped');
    expectControl(template, 'iam-wildcard-only-xray');
    expectControl(template, 'role-no-managed-policies');
    const statements = statementsOfFunction(template, 'restoreDrill');
    const dynamo = statements.filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo).toHaveLength(1);
    expect(actions(dynamo[0]!).sort()).toEqual([...DRILL_TABLE_ACTIONS].sort());
    expect(dynamo[0]!.Resource).toEqual([
      'arn:aws:dynamodb:eu-west-1:111122223333:table/awsbackup-restore-test-*',
      'arn:aws:dynamodb:eu-west-1:111122223333:table/awsbackup-restore-test-*/index/*',
    ]);
    const all = statements.flatMap(actions);
    for (const a of DRILL_BACKUP_ACTIONS) expect(all).toContain(a);
    expect(
      all.filter(
        (a) =>
          /Put|Update|Delete|Write/.test(a) &&
          a !== 'backup:PutRestoreValidationResult' &&
          !a.startsWith('xray:') &&
          !a.startsWith('logs:'),
      ),
    ).toEqual([]);
    // The live table is not among its resources.
    expect(JSON.stringify(statements)).not.toContain('VssTable40F1830D');
  });

  it('the restore-testing role restores into, writes and deletes only scratch tables', () => {
    const { template } = synth({ backup: {} }, { env: ENV });
    expectControl(template, 'restore-testing-role-scratch-only');
    const statements = roleStatements(template, 'VSS: AWS Backup restore testing');
    const scratch = statements.find((s) => actions(s).includes('dynamodb:DeleteTable'))!;
    expect(actions(scratch).sort()).toEqual([...RESTORE_TABLE_ACTIONS].sort());
    expect(scratch.Resource).toBe('arn:aws:dynamodb:eu-west-1:111122223333:table/awsbackup-restore-test-*');
    // Nothing that writes names the live table.
    for (const s of statements.filter((x) => JSON.stringify(x.Resource).includes('VssTable40F1830D')))
      expect(actions(s)).toEqual(['dynamodb:DescribeBackup']);
  });

  it('restoreDrill.enabled false deploys no drill (no plan, no function)', () => {
    const { template } = synth({ backup: { restoreDrill: { enabled: false } } });
    expect(Object.keys(resourcesOf(template, 'AWS::Backup::RestoreTestingPlan'))).toEqual([]);
    expect(JSON.stringify(resourcesOf(template, 'AWS::Lambda::Function'))).not.toContain('VSS restoreDrill');
  });
});

describe('backup: alarms', () => {
  it('alarms on failed backup, copy and restore-test jobs and on a failed drill, each notifying the alarm topic', () => {
    const { template } = synth({ backup: { copyToRegion: 'eu-central-1' }, alarms: { emails: ['ops@example.com'] } });
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm');
    expectControl(template, 'backup-alarms');
    const byMetric = (name: string) => Object.values(alarms).filter((a) => a.Properties?.['MetricName'] === name);
    for (const [metric, namespace] of [
      ['NumberOfBackupJobsFailed', 'AWS/Backup'],
      ['NumberOfCopyJobsFailed', 'AWS/Backup'],
      ['NumberOfRestoreJobsFailed', 'AWS/Backup'],
      ['RestoreDrillFailures', 'VSS'],
    ] as const) {
      const found = byMetric(metric);
      expect(found, metric).toHaveLength(1);
      expect(found[0]!.Properties).toMatchObject({
        Namespace: namespace,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: expect.stringMatching(/^VssAlarmTopic/) }],
      });
    }
  });

  it('without backup there are no backup resources and no backup alarms', () => {
    const { template } = synth({});
    for (const type of ['AWS::Backup::BackupPlan', 'AWS::Backup::BackupVault', 'AWS::Backup::RestoreTestingPlan'])
      expect(Object.keys(resourcesOf(template, type)), type).toEqual([]);
    expect(JSON.stringify(resourcesOf(template, 'AWS::CloudWatch::Alarm'))).not.toMatch(/AWS\/Backup|RestoreDrill/);
  });
});

describe('backup: replication of the values bucket to copyToRegion', () => {
  const replication = (template: Template) => {
    const buckets = Object.values(resourcesOf(template, 'AWS::S3::Bucket')).filter((b) => b.Properties?.['ReplicationConfiguration']);
    expect(buckets).toHaveLength(1);
    return buckets[0]!.Properties!['ReplicationConfiguration'] as { Role: unknown; Rules: Array<Record<string, unknown>> };
  };

  it('replicates every object version under values/ to the replica bucket in the copy region, delete markers included', () => {
    const { template } = synth({ backup: { copyToRegion: 'eu-central-1' } }, { env: ENV });
    expectControl(template, 'values-replication-deletes');
    const config = replication(template);
    expect(config.Role).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^VssValuesReplicationRole/), 'Arn'] });
    expect(config.Rules).toEqual([
      {
        Id: 'ValuesToCopyRegion',
        Status: 'Enabled',
        Priority: 1,
        Filter: { Prefix: 'values/' },
        DeleteMarkerReplication: { Status: 'Enabled' },
        Destination: { Bucket: 'arn:aws:s3:::vss-values-replica-111122223333-eu-central-1' },
      },
    ]);
  });

  it('the replication role reads versions of values/ only and writes replicas (and delete markers) into the replica only', () => {
    const { template } = synth({ backup: { copyToRegion: 'eu-central-1' } }, { env: ENV });
    const statements = roleStatements(template, 'VSS: S3 replicates the values bucket');
    expectControl(template, 'service-roles-scoped');
    const byActions = new Map(statements.map((s) => [actions(s).sort().join(','), s.Resource]));
    expect(byActions.get('s3:ReplicateDelete,s3:ReplicateObject,s3:ReplicateTags')).toBe(
      'arn:aws:s3:::vss-values-replica-111122223333-eu-central-1/values/*',
    );
    expect(byActions.get('s3:GetObjectVersionAcl,s3:GetObjectVersionForReplication,s3:GetObjectVersionTagging')).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^VssValuesBucket/), 'Arn'] }, '/values/*']],
    });
    expect(statements.flatMap(actions).filter((a) => a.startsWith('s3:Delete') || a === 's3:PutObject')).toEqual([]);
  });

  it('with a customer-managed key, KMS-encrypted objects replicate and are encrypted with the copy key (by its alias)', () => {
    const { template } = synth(
      { tableOptions: { encryption: VssTableEncryption.customerManaged() }, backup: { copyToRegion: 'eu-central-1' } },
      { env: ENV },
    );
    const rule = replication(template).Rules[0]!;
    expect(rule['SourceSelectionCriteria']).toEqual({ SseKmsEncryptedObjects: { Status: 'Enabled' } });
    expect(rule['Destination']).toMatchObject({
      EncryptionConfiguration: { ReplicaKmsKeyID: 'arn:aws:kms:eu-central-1:111122223333:alias/vss-backup-copy-values' },
    });
  });

  it('to another account, replicas are owned by that account', () => {
    const { template } = synth({ backup: { copyToRegion: 'eu-central-1', copyToAccount: '444455556666' } }, { env: ENV });
    expect(replication(template).Rules[0]!['Destination']).toEqual({
      Bucket: 'arn:aws:s3:::vss-values-replica-444455556666-eu-central-1',
      Account: '444455556666',
      AccessControlTranslation: { Owner: 'Destination' },
    });
  });

  it('without copyToRegion nothing is replicated', () => {
    const { template } = synth({ backup: {} });
    expect(Object.values(resourcesOf(template, 'AWS::S3::Bucket')).filter((b) => b.Properties?.['ReplicationConfiguration'])).toEqual([]);
  });
});

describe('VssBackupCopyVault (the copy vault stack)', () => {
  it('creates the named, encrypted, retained vault, locked like the source, open to the source account only for copies', () => {
    const app = new App();
    const stack = new Stack(app, 'Copy', { env: { account: '444455556666', region: 'us-west-2' } });
    new VssBackupCopyVault(stack, 'BackupCopy', {
      vaultName: 'vss-dr',
      sourceAccount: '111122223333',
      vaultLock: { minRetention: Duration.days(7) },
    });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::Backup::BackupVault', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BackupVaultName: 'vss-dr',
        LockConfiguration: { MinRetentionDays: 7 },
        AccessPolicy: {
          Statement: [
            {
              Sid: 'CopiesFromTheServiceAccount',
              Effect: 'Allow',
              Action: 'backup:CopyIntoBackupVault',
              Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111122223333:root']] } },
              Resource: '*',
            },
          ],
          Version: '2012-10-17',
        },
      }),
    });
    expect(nagFindings(stack)).toEqual([]);
  });

  it('with valuesReplica: the replica bucket the service replicates into, versioned, KMS-encrypted, noncurrent versions kept as in the source', () => {
    const app = new App();
    const stack = new Stack(app, 'Copy', { env: { account: '444455556666', region: 'eu-central-1' } });
    new VssBackupCopyVault(stack, 'BackupCopy', { sourceAccount: '111122223333', valuesReplica: { retentionDays: 35 } });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketName: 'vss-values-replica-444455556666-eu-central-1',
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }),
        BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ BucketKeyEnabled: true })] },
        LifecycleConfiguration: {
          Rules: [
            Match.objectLike({ Prefix: 'values/', NoncurrentVersionExpiration: { NoncurrentDays: 35 }, ExpiredObjectDeleteMarker: true }),
          ],
        },
      }),
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/vss-backup-copy-values' });
    const policy = JSON.stringify(resourcesOf(template, 'AWS::S3::BucketPolicy'));
    expect(policy).toContain('ReplicasFromTheServiceAccount');
    expect(policy).toContain(':iam::111122223333:root');
    expect(nagFindings(stack)).toEqual([]);
  });
});
