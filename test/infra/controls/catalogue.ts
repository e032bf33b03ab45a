/**
 * THE list of the stack's security controls and of the variants they are checked in: the source
 * of docs/controls.md (scripts/controls.ts renders it; test/infra/controls.test.ts keeps it
 * fresh). How to add a variant or a control: the header of scripts/controls.ts.
 *
 * A control names a CloudFormation resource type, which resources of it are meant (`select`), the
 * setting in words, and `holds`: the check itself, on the synthesized template. It is checked in
 * every variant of `in` ('all' by default), and must match at least one resource there. A test
 * asserts it with `expectControl(template, id)` (evaluate.ts); the matrix names that test.
 */
import { Duration } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { VssAuth } from '../../../lib/auth.js';
import { VssFrontDoor } from '../../../lib/front-door.js';
import { VssTableEncryption } from '../../../lib/options.js';
import type { VssServiceProps } from '../../../lib/vss-service.js';
import { ENV, OPERATIONS, RESTORE_DRILL_METRIC_NAMES, SERVER_ENV, VALUE_OBJECT_PREFIX } from '../../../lambda/contract.js';
import { RESTORE_TEST_TABLE_PREFIX } from '../../../lib/private/backup-defaults.js';
import { CONTAINER_USER } from '../../../lib/private/container.js';
import { unionOfAccess, VSS_TABLE_ACTIONS } from '../../../lib/private/permissions.js';
import { ACCESS_LOGS_PREFIX } from '../../../lib/private/values-bucket.js';
import { TEST_PUBLIC_KEY_PEM } from '../support.js';

/** The copy region of the backup variant (its copy action and bucket replication name it). */
export const BACKUP_COPY_REGION = 'eu-central-1';
/** The (imported) certificate of the container door variant's domain. */
export const CONTAINER_DOOR_CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:111122223333:certificate/abc';
/** The (imported) bucket the object tier variant's values bucket logs to. */
export const OBJECT_TIER_ACCESS_LOGS_BUCKET = 'vss-access-logs';

/** The stack variants the matrix is synthesized from: one entry each, nothing else to change. */
export const VARIANTS = {
  default: {
    description: 'signature auth, every option at its default (the values bucket of the object tier, SSE-S3, included)',
    props: {},
  },
  jwt: {
    description: 'jwt with a static key and the built-in LNURL-auth issuer',
    props: { auth: VssAuth.jwt({ publicKeyPem: TEST_PUBLIC_KEY_PEM }), lnurlAuth: {} },
  },
  cognito: { description: 'cognito with a new user pool', props: { auth: VssAuth.cognito() } },
  'provider features': {
    description: 'usage metering, quotas and a per-user rate limit',
    props: {
      provider: { usageMetering: true, quota: { maxKeys: 10_000, maxBytes: 1_000_000_000 }, rateLimit: { perSecond: 20, burst: 100 } },
    },
  },
  'signature allowlist': {
    description: 'signature auth with enrollment allowlist and a 900 s replay window',
    props: { auth: VssAuth.signature({ enrollment: 'allowlist', maxClockSkew: Duration.seconds(900) }) },
  },
  'object tier': {
    description:
      "the values bucket with the table's customer-managed key (SSE-KMS, bucket key) and server access logs (every variant has the values bucket: the object tier is always on)",
    props: (scope: Construct): VssServiceProps => ({
      auth: VssAuth.signature(),
      tableOptions: { encryption: VssTableEncryption.customerManaged() },
      largeValues: { accessLogsBucket: s3.Bucket.fromBucketName(scope, 'AccessLogs', OBJECT_TIER_ACCESS_LOGS_BUCKET) },
    }),
  },
  'container door': {
    description: 'the container front door: an HTTPS load balancer with the domain certificate, WAF, ECS Fargate tasks running vss serve',
    props: (scope: Construct): VssServiceProps => ({
      auth: VssAuth.signature(),
      frontDoor: VssFrontDoor.container(),
      domain: {
        domainName: 'vss.example.com',
        certificate: acm.Certificate.fromCertificateArn(scope, 'Certificate', CONTAINER_DOOR_CERTIFICATE_ARN),
      },
    }),
  },
  backup: {
    description: `backup with a copy to ${BACKUP_COPY_REGION}, vault lock, values replication and the weekly restore drill`,
    props: { backup: { copyToRegion: BACKUP_COPY_REGION, vaultLock: { minRetention: Duration.days(7) } } },
  },
} as const satisfies Record<
  string,
  { readonly description: string; readonly props: Partial<VssServiceProps> | ((scope: Construct) => VssServiceProps) }
>;

export type VariantName = keyof typeof VARIANTS;
export const VARIANT_NAMES = Object.keys(VARIANTS) as VariantName[];
/** The variants served by API Gateway and the per-operation functions (the Lambda door). */
const LAMBDA_DOOR: readonly VariantName[] = VARIANT_NAMES.filter((v) => v !== 'container door');

/** A resource of a synthesized template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}
export type CfnResources = Readonly<Record<string, CfnResource>>;

export interface Control {
  /** Stable id: what `expectControl` names and the matrix lists. */
  readonly id: string;
  /** What the control guarantees, in a sentence. */
  readonly title: string;
  /** CloudFormation resource type. */
  readonly type: string;
  /** Which resources of the type are meant. @default all of them */
  readonly select?: (resource: CfnResource, logicalId: string, resources: CfnResources) => boolean;
  /** The setting, as the template spells it. */
  readonly setting: string;
  /** The check, on one selected resource. */
  readonly holds: (resource: CfnResource, logicalId: string, resources: CfnResources) => boolean;
  /** Variants it is checked in. @default 'all' */
  readonly in?: 'all' | readonly VariantName[];
}

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };
const actions = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const statements = (policy: CfnResource): Statement[] =>
  ((policy.Properties?.['PolicyDocument'] as { Statement?: Statement[] } | undefined)?.Statement ?? []) as Statement[];
const env = (fn: CfnResource): Record<string, unknown> =>
  ((fn.Properties?.['Environment'] as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;

const VSS_OPERATION_DESCRIPTIONS = new Set(OPERATIONS.map((op) => `VSS ${op}`));
const isVssTable = (r: CfnResource): boolean =>
  ((r.Properties?.['KeySchema'] as Array<{ AttributeName: string }> | undefined) ?? []).some((k) => k.AttributeName === 'pk');
const isVssFunction = (r: CfnResource): boolean => String(r.Properties?.['Description'] ?? '').startsWith('VSS ');
const isOperationFunction = (r: CfnResource): boolean => VSS_OPERATION_DESCRIPTIONS.has(String(r.Properties?.['Description']));
/** The policy of one of the four operation functions' roles. */
const isOperationPolicy = (r: CfnResource, _id: string, all: CfnResources): boolean => {
  const roles = (r.Properties?.['Roles'] as Array<{ Ref?: string }> | undefined) ?? [];
  return Object.values(all).some(
    (fn) =>
      fn.Type === 'AWS::Lambda::Function' &&
      isOperationFunction(fn) &&
      roles.some((role) => JSON.stringify(fn.Properties?.['Role']).includes(`"${role.Ref}"`)),
  );
};
const isVssPostMethod = (r: CfnResource): boolean => r.Properties?.['HttpMethod'] === 'POST';
const wafRule = (name: string) => (r: CfnResource) =>
  ((r.Properties?.['Rules'] as Array<{ Name: string; Action?: Record<string, unknown> }> | undefined) ?? []).some(
    (rule) => rule.Name === name && rule.Action?.['Block'] !== undefined,
  );
/** The role the container door's tasks run with (a task definition's TaskRoleArn). */
const isTaskRole = (roleId: string, all: CfnResources): boolean =>
  Object.values(all).some(
    (td) =>
      td.Type === 'AWS::ECS::TaskDefinition' &&
      JSON.stringify(td.Properties?.['TaskRoleArn']) === JSON.stringify({ 'Fn::GetAtt': [roleId, 'Arn'] }),
  );
/** A policy attached to the role of a VSS function or of the container's tasks (the code that serves or sweeps). */
const isWorkloadPolicy = (r: CfnResource, _id: string, all: CfnResources): boolean => {
  const roles = (r.Properties?.['Roles'] as Array<{ Ref?: string }> | undefined) ?? [];
  return roles.some(
    (role) =>
      isTaskRole(role.Ref ?? '', all) ||
      Object.values(all).some(
        (fn) =>
          fn.Type === 'AWS::Lambda::Function' && isVssFunction(fn) && JSON.stringify(fn.Properties?.['Role']).includes(`"${role.Ref}"`),
      ),
  );
};
const isTaskRolePolicy = (r: CfnResource, _id: string, all: CfnResources): boolean =>
  ((r.Properties?.['Roles'] as Array<{ Ref?: string }> | undefined) ?? []).some((role) => isTaskRole(role.Ref ?? '', all));
/** The table actions the container's task role holds: the union of the four operations' (one task serves them all). */
const TASK_TABLE_ACTIONS = unionOfAccess(OPERATIONS.map((op) => VSS_TABLE_ACTIONS[op]));
const containerDefinitions = (r: CfnResource): Array<Record<string, unknown>> =>
  (r.Properties?.['ContainerDefinitions'] as Array<Record<string, unknown>> | undefined) ?? [];
/** The security groups of the load balancers in the template. */
const loadBalancerGroups = (all: CfnResources): string[] =>
  Object.values(all)
    .filter((r) => r.Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer')
    .flatMap((r) => ((r.Properties?.['SecurityGroups'] as unknown[] | undefined) ?? []).map((g) => JSON.stringify(g)));
/** The security groups of the ECS services in the template (their tasks'). */
const taskGroups = (all: CfnResources): string[] =>
  Object.values(all)
    .filter((r) => r.Type === 'AWS::ECS::Service')
    .flatMap(
      (r) =>
        (
          r.Properties?.['NetworkConfiguration'] as { AwsvpcConfiguration?: { SecurityGroups?: unknown[] } } | undefined
        )?.AwsvpcConfiguration?.SecurityGroups?.map((g) => JSON.stringify(g)) ?? [],
    );
/**
 * The logical IDs of the front door's two alarms, the same whichever door serves: an alarm's name
 * derives from its logical ID, so dashboards and alarm routing carry over between doors.
 */
export const FRONT_DOOR_ALARM_IDS = ['VssApi5xxRateAlarm55A3A7D1', 'VssApiP99LatencyAlarm8A5D9E01'] as const;
/** A policy attached to a role whose description starts with `prefix`. */
const isPolicyOfRole =
  (prefix: string) =>
  (r: CfnResource, _id: string, all: CfnResources): boolean =>
    ((r.Properties?.['Roles'] as Array<{ Ref?: string }> | undefined) ?? []).some((role) =>
      String(all[role.Ref ?? '']?.Properties?.['Description'] ?? '').startsWith(prefix),
    );
/** A role (or the policy of a role) that an AWS service assumes: AWS Backup, S3 replication. */
const SERVICE_PRINCIPALS = ['backup.amazonaws.com', 's3.amazonaws.com'];
const isServiceRole = (role: CfnResource | undefined): boolean =>
  role?.Type === 'AWS::IAM::Role' &&
  SERVICE_PRINCIPALS.some((p) => JSON.stringify(role.Properties?.['AssumeRolePolicyDocument']).includes(`"${p}"`));
const isServiceRolePolicy = (r: CfnResource, _id: string, all: CfnResources): boolean =>
  ((r.Properties?.['Roles'] as Array<{ Ref?: string }> | undefined) ?? []).some((role) => isServiceRole(all[role.Ref ?? '']));
/** The scratch tables AWS Backup restore testing creates (`awsbackup-restore-test-*`), and their indexes. */
const SCRATCH_TABLES = `:table/${RESTORE_TEST_TABLE_PREFIX}*`;
const resources = (s: Statement): unknown[] => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
const onlyScratchTables = (s: Statement): boolean => resources(s).every((x) => JSON.stringify(x).includes(SCRATCH_TABLES));
/** A bucket the VSS functions keep values in (its name is in their environment). */
const isValuesBucket = (_r: CfnResource, id: string, all: CfnResources): boolean =>
  Object.values(all).some(
    (fn) =>
      fn.Type === 'AWS::Lambda::Function' && isVssFunction(fn) && JSON.stringify(env(fn)[ENV.valueBucket]) === JSON.stringify({ Ref: id }),
  );
const ofValuesBucket = (r: CfnResource, _id: string, all: CfnResources): boolean => {
  const ref = (r.Properties?.['Bucket'] as { Ref?: string } | undefined)?.Ref;
  return ref !== undefined && all[ref] !== undefined && isValuesBucket(all[ref]!, ref, all);
};
/** The S3 object actions a VSS function may hold, all on `values/*`. */
const VALUES_OBJECT_ACTIONS = new Set(['s3:GetObject', 's3:PutObject', 's3:DeleteObject']);
const onValuesPrefix = (resource: unknown): boolean => {
  const parts = (resource as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join']?.[1];
  const last = typeof resource === 'string' ? resource : parts?.[parts.length - 1];
  return typeof last === 'string' && last.endsWith(`/${VALUE_OBJECT_PREFIX}*`);
};
/** The table's customer-managed key, when it has one (as the template references it). */
const tableKeyOf = (all: CfnResources): unknown =>
  Object.values(all)
    .filter((r) => r.Type === 'AWS::DynamoDB::Table' && isVssTable(r))
    .map((r) => (r.Properties?.['SSESpecification'] as { KMSMasterKeyId?: unknown } | undefined)?.KMSMasterKeyId)[0];
const backupRules = (r: CfnResource): Array<Record<string, unknown>> =>
  ((r.Properties?.['BackupPlan'] as { BackupPlanRule?: Array<Record<string, unknown>> } | undefined)?.BackupPlanRule ?? []) as Array<
    Record<string, unknown>
  >;
const getAttOf = (value: unknown, type: string, all: CfnResources): boolean => {
  const id = (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
  return id !== undefined && all[id]?.Type === type;
};
const refersToVssTable = (value: unknown, all: CfnResources): boolean => {
  const id = (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
  return id !== undefined && all[id]?.Type === 'AWS::DynamoDB::Table' && isVssTable(all[id]!);
};
/** The AWS Backup job metrics the backup variant alarms on (namespace AWS/Backup). */
const BACKUP_JOB_FAILED_METRICS = ['NumberOfBackupJobsFailed', 'NumberOfCopyJobsFailed', 'NumberOfRestoreJobsFailed'];
const RESTORE_DRILL_FAILURES_METRIC = RESTORE_DRILL_METRIC_NAMES.failures;
/** Actions without resource-level permissions, which IAM can only grant on "*". */
const RESOURCELESS_ACTIONS = new Set([
  'ecr:GetAuthorizationToken',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'backup:DescribeRestoreJob',
  'backup:PutRestoreValidationResult',
]);
/**
 * The logical IDs of stateful resources: a change would make CloudFormation create a new
 * resource (test/infra/logical-ids.test.ts is the contract; these are checked in every variant).
 */
export const PINNED_LOGICAL_IDS = {
  table: 'VssTable40F1830D',
  valuesBucket: 'VssValuesBucketD099CD14',
  backupVault: 'VssBackupVault01A48F38',
  backupKey: 'VssBackupKeyDD41FFA7',
} as const;

const ALLOWLIST_SID = 'SignatureAllowlistRead';
/** The Lambda-door variants in signature mode. */
const SIGNATURE_VARIANTS = [
  'default',
  'provider features',
  'signature allowlist',
  'object tier',
  'backup',
] as const satisfies readonly VariantName[];

export const CONTROLS: readonly Control[] = [
  {
    id: 'table-pitr',
    title: 'The VSS table keeps point-in-time recovery.',
    type: 'AWS::DynamoDB::Table',
    select: isVssTable,
    setting: 'PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled: true',
    holds: (r) =>
      (r.Properties?.['PointInTimeRecoverySpecification'] as { PointInTimeRecoveryEnabled?: boolean } | undefined)
        ?.PointInTimeRecoveryEnabled === true,
  },
  {
    id: 'table-deletion-protection',
    title: 'The VSS table cannot be deleted while deletion protection is on.',
    type: 'AWS::DynamoDB::Table',
    select: isVssTable,
    setting: 'DeletionProtectionEnabled: true',
    holds: (r) => r.Properties?.['DeletionProtectionEnabled'] === true,
  },
  {
    id: 'table-retained',
    title: 'Deleting the stack or replacing the resource keeps the VSS table and its data.',
    type: 'AWS::DynamoDB::Table',
    select: isVssTable,
    setting: 'DeletionPolicy: Retain, UpdateReplacePolicy: Retain',
    holds: (r) => r.DeletionPolicy === 'Retain' && r.UpdateReplacePolicy === 'Retain',
  },
  {
    id: 'function-own-log-group',
    title: 'Every function logs JSON to its own log group, which has a retention period.',
    type: 'AWS::Lambda::Function',
    select: isVssFunction,
    setting: 'LoggingConfig: { LogFormat: JSON, LogGroup: Ref <its log group> }',
    holds: (r, _id, all) => {
      const config = r.Properties?.['LoggingConfig'] as { LogFormat?: string; LogGroup?: { Ref?: string } } | undefined;
      const group = config?.LogGroup?.Ref ? all[config.LogGroup.Ref] : undefined;
      return (
        config?.LogFormat === 'JSON' && group?.Type === 'AWS::Logs::LogGroup' && typeof group.Properties?.['RetentionInDays'] === 'number'
      );
    },
  },
  {
    id: 'function-tracing',
    title: 'Every function is traced by X-Ray.',
    type: 'AWS::Lambda::Function',
    select: isVssFunction,
    setting: 'TracingConfig.Mode: Active',
    holds: (r) => (r.Properties?.['TracingConfig'] as { Mode?: string } | undefined)?.Mode === 'Active',
  },
  {
    id: 'function-runtime',
    title: 'Every function runs on ARM64 with a managed Node.js runtime.',
    type: 'AWS::Lambda::Function',
    select: isVssFunction,
    setting: 'Architectures: [arm64], Runtime: nodejs<N>.x',
    holds: (r) =>
      JSON.stringify(r.Properties?.['Architectures']) === '["arm64"]' && /^nodejs\d+\.x$/.test(String(r.Properties?.['Runtime'])),
  },
  {
    id: 'log-groups-retained',
    title: 'Every log group has a retention period and survives stack deletion.',
    type: 'AWS::Logs::LogGroup',
    setting: 'RetentionInDays: <n>, DeletionPolicy: Retain',
    holds: (r) => typeof r.Properties?.['RetentionInDays'] === 'number' && r.DeletionPolicy === 'Retain',
  },
  {
    id: 'iam-no-scan-or-admin',
    title:
      'No function or task may Scan, use a DynamoDB wildcard, or administer, export or restore tables; the restore drill alone may Scan, and only the scratch tables restore testing creates.',
    type: 'AWS::IAM::Policy',
    select: isWorkloadPolicy,
    setting: `no dynamodb:Scan, dynamodb:*, Create/Delete/UpdateTable, Export*, Restore*; dynamodb:Scan only on table/${RESTORE_TEST_TABLE_PREFIX}*`,
    holds: (r) =>
      statements(r).every((s) =>
        actions(s).every(
          (a) =>
            !/^dynamodb:(\*|CreateTable|DeleteTable|UpdateTable|Export.*|Restore.*)$/.test(a) &&
            (a !== 'dynamodb:Scan' || onlyScratchTables(s)),
        ),
      ),
  },
  {
    id: 'iam-wildcard-only-xray',
    title:
      "The only statements on Resource \"*\" grant actions that have no resource-level permissions: X-Ray's, ECR's authorization token (the container tasks' image pull), and the restore drill's reading of its restore job and reporting of its verdict.",
    type: 'AWS::IAM::Policy',
    setting: `Resource "*" only with ${[...RESOURCELESS_ACTIONS].join(', ')}`,
    holds: (r) => statements(r).every((s) => s.Resource !== '*' || actions(s).every((a) => RESOURCELESS_ACTIONS.has(a))),
  },
  {
    id: 'iam-dynamodb-scoped',
    title:
      'DynamoDB permissions name a table of this stack (or its index or backups), or the scratch tables of the restore drill, never "*".',
    type: 'AWS::IAM::Policy',
    setting: `dynamodb:* actions on Fn::GetAtt <table>.Arn [/index/<name> or /backup/*], or table/${RESTORE_TEST_TABLE_PREFIX}*`,
    holds: (r) =>
      statements(r)
        .filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')))
        .every((s) => s.Resource !== '*' && (JSON.stringify(s.Resource).includes('Arn') || onlyScratchTables(s))),
  },
  {
    id: 'role-no-managed-policies',
    title:
      "No role of this construct (of a function, the container's tasks, or one AWS Backup or S3 replication assumes) carries an AWS managed policy: every permission is written out. (The CDK's own custom-resource provider that strips the new VPC's default security group is not ours and is not counted.)",
    type: 'AWS::IAM::Role',
    select: (_r, id) => !/^Custom.*CustomResourceProvider/.test(id),
    setting: 'ManagedPolicyArns: absent',
    holds: (r) => r.Properties?.['ManagedPolicyArns'] === undefined,
  },
  {
    id: 'allowlist-read-confined',
    title: "With enrollment allowlist, each VSS function may GetItem only the per-user partitions for the allowlist's read.",
    type: 'AWS::IAM::Policy',
    select: isOperationPolicy,
    setting: `Sid ${ALLOWLIST_SID}: dynamodb:GetItem on the table, Condition ForAllValues:StringLike dynamodb:LeadingKeys ["u:*"]`,
    holds: (r) =>
      statements(r).some(
        (s) =>
          s.Sid === ALLOWLIST_SID &&
          JSON.stringify(actions(s)) === '["dynamodb:GetItem"]' &&
          JSON.stringify(s.Condition) === JSON.stringify({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['u:*'] } }),
      ),
    in: ['signature allowlist'],
  },
  {
    id: 'allowlist-read-absent-when-open',
    title: "Without the allowlist, no function (nor the container's tasks) gets its read.",
    type: 'AWS::IAM::Policy',
    select: (r, id, all) => isOperationPolicy(r, id, all) || isTaskRolePolicy(r, id, all),
    setting: `no statement ${ALLOWLIST_SID}`,
    holds: (r) => statements(r).every((s) => s.Sid !== ALLOWLIST_SID),
    in: ['default', 'jwt', 'cognito', 'provider features', 'object tier', 'container door', 'backup'],
  },
  {
    id: 'signature-policy-environment',
    title: "The VSS functions enforce the stack's enrollment policy and replay window.",
    type: 'AWS::Lambda::Function',
    select: isOperationFunction,
    setting: 'Environment: VSS_SIGNATURE_ENROLLMENT: allowlist, VSS_SIGNATURE_MAX_SKEW_SECONDS: "900"',
    holds: (r) => env(r)['VSS_SIGNATURE_ENROLLMENT'] === 'allowlist' && env(r)['VSS_SIGNATURE_MAX_SKEW_SECONDS'] === '900',
    in: ['signature allowlist'],
  },
  {
    id: 'functions-verify-signature',
    title: 'In signature mode every VSS function verifies the signature header itself, before touching data.',
    type: 'AWS::Lambda::Function',
    select: isOperationFunction,
    setting: 'Environment: VSS_AUTH_MODE: signature',
    holds: (r) => env(r)['VSS_AUTH_MODE'] === 'signature',
    in: SIGNATURE_VARIANTS,
  },
  {
    id: 'methods-jwt-authorizer',
    title: 'In jwt mode every VSS method requires the JWT TOKEN authorizer.',
    type: 'AWS::ApiGateway::Method',
    select: isVssPostMethod,
    setting: 'AuthorizationType: CUSTOM, AuthorizerId: Ref <the TOKEN authorizer>',
    holds: (r) => r.Properties?.['AuthorizationType'] === 'CUSTOM' && r.Properties?.['AuthorizerId'] !== undefined,
    in: ['jwt'],
  },
  {
    id: 'methods-cognito-authorizer',
    title: 'In cognito mode every VSS method requires the user-pool authorizer.',
    type: 'AWS::ApiGateway::Method',
    select: isVssPostMethod,
    setting: 'AuthorizationType: COGNITO_USER_POOLS',
    holds: (r) => r.Properties?.['AuthorizationType'] === 'COGNITO_USER_POOLS',
    in: ['cognito'],
  },
  {
    id: 'user-pool-admin-only',
    title: 'The created user pool admits no self sign-up, and is protected from deletion.',
    type: 'AWS::Cognito::UserPool',
    setting: 'AdminCreateUserConfig.AllowAdminCreateUserOnly: true, DeletionProtection: ACTIVE, DeletionPolicy: Retain',
    holds: (r) =>
      (r.Properties?.['AdminCreateUserConfig'] as { AllowAdminCreateUserOnly?: boolean } | undefined)?.AllowAdminCreateUserOnly === true &&
      r.Properties?.['DeletionProtection'] === 'ACTIVE' &&
      r.DeletionPolicy === 'Retain',
    in: ['cognito'],
  },
  {
    id: 'lnurl-signing-key',
    title: 'The LNURL-auth issuer signs with an asymmetric KMS key that never leaves KMS and is retained.',
    type: 'AWS::KMS::Key',
    setting: 'KeySpec: RSA_2048, KeyUsage: SIGN_VERIFY, DeletionPolicy: Retain',
    holds: (r) => r.Properties?.['KeySpec'] === 'RSA_2048' && r.Properties?.['KeyUsage'] === 'SIGN_VERIFY' && r.DeletionPolicy === 'Retain',
    in: ['jwt'],
  },
  {
    id: 'lnurl-challenges-expire',
    title: 'LNURL-auth challenges live in their own table and expire.',
    type: 'AWS::DynamoDB::Table',
    select: (r) => !isVssTable(r),
    setting: 'KeySchema: k1, TimeToLiveSpecification.Enabled: true',
    holds: (r) =>
      JSON.stringify(r.Properties?.['KeySchema']) === '[{"AttributeName":"k1","KeyType":"HASH"}]' &&
      (r.Properties?.['TimeToLiveSpecification'] as { Enabled?: boolean } | undefined)?.Enabled === true,
    in: ['jwt'],
  },
  {
    id: 'api-binary-passthrough',
    title: 'Every body is binary: protobuf passes API Gateway untouched in both directions.',
    type: 'AWS::ApiGateway::RestApi',
    setting: 'BinaryMediaTypes: ["*/*"]',
    holds: (r) => JSON.stringify(r.Properties?.['BinaryMediaTypes']) === '["*/*"]',
    in: LAMBDA_DOOR,
  },
  {
    id: 'stage-access-logs',
    title: 'Every request is access-logged as JSON, without bodies, headers or the authorizer principal.',
    type: 'AWS::ApiGateway::Stage',
    setting: 'AccessLogSetting: { DestinationArn, Format } with no $context.authorizer.principalId, $input or header',
    holds: (r) => {
      const s = r.Properties?.['AccessLogSetting'] as { DestinationArn?: unknown; Format?: string } | undefined;
      return s?.DestinationArn !== undefined && !!s.Format && !/principalId|\$input|requestOverride|header/i.test(s.Format);
    },
    in: LAMBDA_DOOR,
  },
  {
    id: 'stage-no-data-trace',
    title: 'Execution data tracing is off: request and response bodies are never logged by API Gateway.',
    type: 'AWS::ApiGateway::Stage',
    setting: 'MethodSettings[*].DataTraceEnabled: false',
    holds: (r) =>
      ((r.Properties?.['MethodSettings'] as Array<{ DataTraceEnabled?: boolean }> | undefined) ?? []).every(
        (m) => m.DataTraceEnabled === false,
      ),
    in: LAMBDA_DOOR,
  },
  {
    id: 'stage-throttling',
    title: 'The stage throttles requests (rate and burst).',
    type: 'AWS::ApiGateway::Stage',
    setting: 'MethodSettings[/*].ThrottlingRateLimit, ThrottlingBurstLimit: numbers',
    holds: (r) =>
      ((r.Properties?.['MethodSettings'] as Array<Record<string, unknown>> | undefined) ?? []).some(
        (m) => m['ResourcePath'] === '/*' && typeof m['ThrottlingRateLimit'] === 'number' && typeof m['ThrottlingBurstLimit'] === 'number',
      ),
    in: LAMBDA_DOOR,
  },
  {
    id: 'gateway-responses-protocol',
    title: 'Every response API Gateway or WAF makes by itself carries the protocol header and a protobuf body.',
    type: 'AWS::ApiGateway::GatewayResponse',
    setting: "ResponseParameters: gatewayresponse.header.vss-protocol-version: '0', Content-Type: 'application/octet-stream'",
    holds: (r) => {
      const p = r.Properties?.['ResponseParameters'] as Record<string, string> | undefined;
      return (
        p?.['gatewayresponse.header.vss-protocol-version'] === "'0'" &&
        p['gatewayresponse.header.Content-Type'] === "'application/octet-stream'"
      );
    },
    in: LAMBDA_DOOR,
  },
  {
    id: 'waf-associated',
    title: "A web ACL is associated with the front door: the API stage, or the container door's load balancer.",
    type: 'AWS::WAFv2::WebACLAssociation',
    setting: 'ResourceArn: the stage (Ref <stage>) or Ref <load balancer>, WebACLArn: Fn::GetAtt <web ACL>.Arn',
    holds: (r, _id, all) => {
      const target = JSON.stringify(r.Properties?.['ResourceArn']);
      const refersTo = (type: string) => Object.entries(all).some(([id, x]) => x.Type === type && target.includes(`{"Ref":"${id}"}`));
      return (
        (refersTo('AWS::ApiGateway::Stage') || refersTo('AWS::ElasticLoadBalancingV2::LoadBalancer')) &&
        getAttOf(r.Properties?.['WebACLArn'], 'AWS::WAFv2::WebACL', all)
      );
    },
  },
  {
    id: 'waf-rate-rules',
    title: 'WAF blocks callers over the per-user (Authorization header) and per-IP rates.',
    type: 'AWS::WAFv2::WebACL',
    setting: 'Rules per-user-rate and per-ip-rate: RateBasedStatement, Action Block',
    holds: (r) => wafRule('per-user-rate')(r) && wafRule('per-ip-rate')(r),
  },
  {
    id: 'waf-body-too-large',
    title: 'WAF refuses a body larger than the service accepts before any function runs.',
    type: 'AWS::WAFv2::WebACL',
    setting: 'Rule body-too-large: Action Block (protobuf 413)',
    holds: wafRule('body-too-large'),
  },
  {
    id: 'table-logical-id',
    title: 'The VSS table keeps its logical ID: no option replaces it (a new ID would be a new, empty table).',
    type: 'AWS::DynamoDB::Table',
    select: isVssTable,
    setting: `logical ID ${PINNED_LOGICAL_IDS.table}`,
    holds: (_r, id) => id === PINNED_LOGICAL_IDS.table,
  },
  {
    id: 'values-bucket-logical-id',
    title: 'The values bucket keeps its logical ID: no option replaces it (a new ID would leave every large value behind).',
    type: 'AWS::S3::Bucket',
    select: isValuesBucket,
    setting: `logical ID ${PINNED_LOGICAL_IDS.valuesBucket}`,
    holds: (_r, id) => id === PINNED_LOGICAL_IDS.valuesBucket,
  },
  {
    id: 'values-bucket-public-access-blocked',
    title: 'The values bucket blocks every kind of public access.',
    type: 'AWS::S3::Bucket',
    select: isValuesBucket,
    setting: 'PublicAccessBlockConfiguration: BlockPublicAcls, BlockPublicPolicy, IgnorePublicAcls, RestrictPublicBuckets: true',
    holds: (r) =>
      JSON.stringify(r.Properties?.['PublicAccessBlockConfiguration']) ===
      JSON.stringify({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true }),
  },
  {
    id: 'values-bucket-tls-only',
    title: 'The values bucket refuses every request that is not TLS 1.2 or later.',
    type: 'AWS::S3::BucketPolicy',
    select: ofValuesBucket,
    setting: 'Deny s3:* when aws:SecureTransport is false, and when s3:TlsVersion < 1.2',
    holds: (r) => {
      const denies = statements(r).filter((s) => (s as { Effect?: string }).Effect === 'Deny' && actions(s).includes('s3:*'));
      const has = (condition: object) => denies.some((s) => JSON.stringify(s.Condition) === JSON.stringify(condition));
      return has({ Bool: { 'aws:SecureTransport': 'false' } }) && has({ NumericLessThan: { 's3:TlsVersion': 1.2 } });
    },
  },
  {
    id: 'values-bucket-owner-enforced',
    title: 'The bucket owns every object in the values bucket: ACLs are disabled.',
    type: 'AWS::S3::Bucket',
    select: isValuesBucket,
    setting: 'OwnershipControls.Rules: [{ ObjectOwnership: BucketOwnerEnforced }]',
    holds: (r) =>
      JSON.stringify(r.Properties?.['OwnershipControls']) === JSON.stringify({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] }),
  },
  {
    id: 'values-bucket-encryption',
    title:
      'The values bucket encrypts every object: with SSE-S3, or, when the table has a customer-managed key, with SSE-KMS under that same key and an S3 bucket key.',
    type: 'AWS::S3::Bucket',
    select: isValuesBucket,
    setting: 'SSEAlgorithm: AES256, or aws:kms with KMSMasterKeyID: <the table key>, BucketKeyEnabled: true',
    holds: (r, _id, all) => {
      const rules =
        (r.Properties?.['BucketEncryption'] as { ServerSideEncryptionConfiguration?: Array<Record<string, unknown>> } | undefined)
          ?.ServerSideEncryptionConfiguration ?? [];
      const tableKey = tableKeyOf(all);
      const expected = tableKey
        ? { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { KMSMasterKeyID: tableKey, SSEAlgorithm: 'aws:kms' } }
        : { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } };
      return rules.length === 1 && JSON.stringify(rules[0]) === JSON.stringify(expected);
    },
  },
  {
    id: 'values-bucket-versioned-lifecycle',
    title:
      'The values bucket is versioned; a deleted or superseded value is kept for the retention period, incomplete uploads are aborted, and nothing expires a current value.',
    type: 'AWS::S3::Bucket',
    select: isValuesBucket,
    setting: `VersioningConfiguration.Status: Enabled; Rules: Prefix ${VALUE_OBJECT_PREFIX} NoncurrentVersionExpiration, AbortIncompleteMultipartUpload; no ExpirationInDays/ExpirationDate`,
    holds: (r) => {
      const rules = ((r.Properties?.['LifecycleConfiguration'] as { Rules?: Array<Record<string, unknown>> } | undefined)?.Rules ??
        []) as Array<Record<string, unknown>>;
      return (
        (r.Properties?.['VersioningConfiguration'] as { Status?: string } | undefined)?.Status === 'Enabled' &&
        rules.some(
          (x) =>
            x['Status'] === 'Enabled' &&
            x['Prefix'] === VALUE_OBJECT_PREFIX &&
            typeof (x['NoncurrentVersionExpiration'] as { NoncurrentDays?: unknown } | undefined)?.NoncurrentDays === 'number',
        ) &&
        rules.some((x) => x['Status'] === 'Enabled' && x['AbortIncompleteMultipartUpload'] !== undefined) &&
        rules.every((x) => x['ExpirationInDays'] === undefined && x['ExpirationDate'] === undefined)
      );
    },
  },
  {
    id: 'values-bucket-retained',
    title: 'Deleting the stack or replacing the resource keeps the values bucket and its objects.',
    type: 'AWS::S3::Bucket',
    select: isValuesBucket,
    setting: 'DeletionPolicy: Retain, UpdateReplacePolicy: Retain',
    holds: (r) => r.DeletionPolicy === 'Retain' && r.UpdateReplacePolicy === 'Retain',
  },
  {
    id: 'values-bucket-access-logs',
    title:
      'With largeValues.accessLogsBucket the values bucket writes server access logs; without it, cdk-nag AwsSolutions-S1 is acknowledged with a written reason (the functions log every access).',
    type: 'AWS::S3::Bucket',
    select: isValuesBucket,
    setting: `LoggingConfiguration: { DestinationBucketName: <largeValues.accessLogsBucket>, LogFilePrefix: ${ACCESS_LOGS_PREFIX} }`,
    holds: (r) => {
      const logging = r.Properties?.['LoggingConfiguration'] as { DestinationBucketName?: unknown; LogFilePrefix?: unknown } | undefined;
      return logging?.DestinationBucketName !== undefined && logging.LogFilePrefix === ACCESS_LOGS_PREFIX;
    },
    in: ['object tier'],
  },
  {
    id: 'values-s3-permissions-scoped',
    title:
      'Each function and the container task may only get, put or delete objects under values/ (never a version, never the bucket, never an S3 wildcard), and list only that prefix.',
    type: 'AWS::IAM::Policy',
    select: isWorkloadPolicy,
    setting: `s3:GetObject, s3:PutObject, s3:DeleteObject on <values bucket>/${VALUE_OBJECT_PREFIX}*; s3:ListBucket only with s3:prefix ${VALUE_OBJECT_PREFIX}*`,
    holds: (r) =>
      statements(r)
        .filter((s) => actions(s).some((a) => a.startsWith('s3:')))
        .every((s) =>
          actions(s).every((a) =>
            VALUES_OBJECT_ACTIONS.has(a)
              ? resources(s).every(onValuesPrefix)
              : a === 's3:ListBucket' &&
                JSON.stringify(s.Condition) === JSON.stringify({ StringLike: { 's3:prefix': [`${VALUE_OBJECT_PREFIX}*`] } }),
          ),
        ),
  },
  {
    id: 'backup-plan',
    title:
      "AWS Backup backs the VSS table up on a schedule into the stack's own vault, and expires each recovery point after the retention.",
    type: 'AWS::Backup::BackupPlan',
    setting: "BackupPlanRule[*]: ScheduleExpression cron(...), Lifecycle.DeleteAfterDays, TargetBackupVault: the stack's vault",
    holds: (r, _id, all) => {
      const rules = backupRules(r);
      return (
        rules.length > 0 &&
        rules.every(
          (rule) =>
            /^cron\(/.test(String(rule['ScheduleExpression'])) &&
            typeof (rule['Lifecycle'] as { DeleteAfterDays?: unknown } | undefined)?.DeleteAfterDays === 'number' &&
            getAttOf(rule['TargetBackupVault'], 'AWS::Backup::BackupVault', all),
        )
      );
    },
    in: ['backup'],
  },
  {
    id: 'backup-covers-table',
    title: "The backup selection is the VSS table, backed up by the stack's own backup role.",
    type: 'AWS::Backup::BackupSelection',
    setting: 'BackupSelection: { Resources: [Fn::GetAtt <table>.Arn], IamRoleArn: Fn::GetAtt <backup role>.Arn }',
    holds: (r, _id, all) => {
      const selection = r.Properties?.['BackupSelection'] as { Resources?: unknown[]; IamRoleArn?: unknown } | undefined;
      return (
        selection?.Resources?.length === 1 &&
        refersToVssTable(selection.Resources[0], all) &&
        getAttOf(selection.IamRoleArn, 'AWS::IAM::Role', all)
      );
    },
    in: ['backup'],
  },
  {
    id: 'backup-copy-to-region',
    title: 'Every recovery point is copied to the vault in backup.copyToRegion, and the copy has its own retention.',
    type: 'AWS::Backup::BackupPlan',
    setting: `BackupPlanRule[*].CopyActions: [{ DestinationBackupVaultArn: arn:…:backup:${BACKUP_COPY_REGION}:…:backup-vault:<copyVaultName>, Lifecycle.DeleteAfterDays }]`,
    holds: (r) =>
      backupRules(r).every((rule) => {
        const copies = (rule['CopyActions'] as Array<Record<string, unknown>> | undefined) ?? [];
        return (
          copies.length === 1 &&
          JSON.stringify(copies[0]!['DestinationBackupVaultArn']).includes(`:backup:${BACKUP_COPY_REGION}:`) &&
          typeof (copies[0]!['Lifecycle'] as { DeleteAfterDays?: unknown } | undefined)?.DeleteAfterDays === 'number'
        );
      }),
    in: ['backup'],
  },
  {
    id: 'backup-vault-encrypted-retained',
    title:
      'The backup vault is encrypted with its own customer-managed key (rotated, retained), and the vault survives stack deletion; both keep their logical IDs.',
    type: 'AWS::Backup::BackupVault',
    setting: `EncryptionKeyArn: Fn::GetAtt ${PINNED_LOGICAL_IDS.backupKey}.Arn (EnableKeyRotation, Retain), DeletionPolicy: Retain, logical ID ${PINNED_LOGICAL_IDS.backupVault}`,
    holds: (r, id, all) => {
      const key = all[PINNED_LOGICAL_IDS.backupKey];
      return (
        id === PINNED_LOGICAL_IDS.backupVault &&
        JSON.stringify(r.Properties?.['EncryptionKeyArn']) === JSON.stringify({ 'Fn::GetAtt': [PINNED_LOGICAL_IDS.backupKey, 'Arn'] }) &&
        r.DeletionPolicy === 'Retain' &&
        key?.Properties?.['EnableKeyRotation'] === true &&
        key.DeletionPolicy === 'Retain'
      );
    },
    in: ['backup'],
  },
  {
    id: 'backup-vault-lock',
    title: 'With backup.vaultLock, the vault is locked: no one, root included, deletes a recovery point before the minimum retention.',
    type: 'AWS::Backup::BackupVault',
    setting: 'LockConfiguration.MinRetentionDays: <n>',
    holds: (r) => typeof (r.Properties?.['LockConfiguration'] as { MinRetentionDays?: unknown } | undefined)?.MinRetentionDays === 'number',
    in: ['backup'],
  },
  {
    id: 'values-replication-deletes',
    title:
      "The values bucket replicates every object under values/ to the replica bucket in backup.copyToRegion, delete markers included (a value the service deletes or replaces here, or an erased user's objects, is hidden there too).",
    type: 'AWS::S3::Bucket',
    select: isValuesBucket,
    setting: `ReplicationConfiguration.Rules: [{ Status: Enabled, Filter.Prefix: ${VALUE_OBJECT_PREFIX}, DeleteMarkerReplication: Enabled, Destination: vss-values-replica-<account>-${BACKUP_COPY_REGION} }]`,
    holds: (r) => {
      const rules = (r.Properties?.['ReplicationConfiguration'] as { Rules?: Array<Record<string, unknown>> } | undefined)?.Rules ?? [];
      return (
        rules.length === 1 &&
        rules[0]!['Status'] === 'Enabled' &&
        JSON.stringify(rules[0]!['Filter']) === JSON.stringify({ Prefix: VALUE_OBJECT_PREFIX }) &&
        JSON.stringify(rules[0]!['DeleteMarkerReplication']) === JSON.stringify({ Status: 'Enabled' }) &&
        JSON.stringify(rules[0]!['Destination']).includes(`-${BACKUP_COPY_REGION}`)
      );
    },
    in: ['backup'],
  },
  {
    id: 'service-roles-scoped',
    title:
      'The roles AWS Backup and S3 replication assume name their resources (no "*", no wildcard action), and use a KMS key only through the service (kms:ViaService).',
    type: 'AWS::IAM::Policy',
    select: isServiceRolePolicy,
    setting: 'no Resource "*", no action ending in *, every kms: statement with Condition kms:ViaService',
    holds: (r) =>
      statements(r).every(
        (s) =>
          s.Resource !== '*' &&
          actions(s).every((a) => !a.endsWith('*')) &&
          (!actions(s).some((a) => a.startsWith('kms:')) || JSON.stringify(s.Condition ?? {}).includes('"kms:ViaService"')),
      ),
    in: ['backup'],
  },
  {
    id: 'restore-testing-role-scratch-only',
    title: 'Restore testing restores into, writes and deletes only scratch tables; on the live table it may only describe its backups.',
    type: 'AWS::IAM::Policy',
    select: isPolicyOfRole('VSS: AWS Backup restore testing'),
    setting: `dynamodb:* on table/${RESTORE_TEST_TABLE_PREFIX}*, except dynamodb:DescribeBackup on <table>.Arn/backup/*`,
    holds: (r) =>
      statements(r)
        .filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')))
        .every(
          (s) =>
            onlyScratchTables(s) ||
            (JSON.stringify(actions(s)) === '["dynamodb:DescribeBackup"]' && JSON.stringify(s.Resource).includes('/backup/*')),
        ),
    in: ['backup'],
  },
  {
    id: 'restore-drill-schedule',
    title: 'A restore drill is scheduled: AWS Backup restore testing restores the latest recovery point of the vault into a scratch table.',
    type: 'AWS::Backup::RestoreTestingPlan',
    setting:
      "ScheduleExpression: cron(...), RecoveryPointSelection: { Algorithm: LATEST_WITHIN_WINDOW, IncludeVaults: [the stack's vault] }",
    holds: (r, _id, all) => {
      const selection = r.Properties?.['RecoveryPointSelection'] as { Algorithm?: string; IncludeVaults?: unknown[] } | undefined;
      return (
        /^cron\(/.test(String(r.Properties?.['ScheduleExpression'])) &&
        selection?.Algorithm === 'LATEST_WITHIN_WINDOW' &&
        (selection.IncludeVaults ?? []).length > 0 &&
        (selection.IncludeVaults ?? []).every((v) => getAttOf(v, 'AWS::Backup::BackupVault', all))
      );
    },
    in: ['backup'],
  },
  {
    id: 'restore-drill-covers-table',
    title: 'The restore drill restores the VSS table, with the restore-testing role.',
    type: 'AWS::Backup::RestoreTestingSelection',
    setting: 'ProtectedResourceType: DynamoDB, ProtectedResourceArns: [Fn::GetAtt <table>.Arn], IamRoleArn: the restore-testing role',
    holds: (r, _id, all) => {
      const arns = (r.Properties?.['ProtectedResourceArns'] as unknown[] | undefined) ?? [];
      const roleId = (r.Properties?.['IamRoleArn'] as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
      return (
        r.Properties?.['ProtectedResourceType'] === 'DynamoDB' &&
        arns.length === 1 &&
        refersToVssTable(arns[0], all) &&
        String(all[roleId ?? '']?.Properties?.['Description'] ?? '').startsWith('VSS: AWS Backup restore testing')
      );
    },
    in: ['backup'],
  },
  {
    id: 'restore-drill-validates',
    title:
      'The end of every drill restore job invokes the drill function, which verifies the scratch table and records the restore time (retried on failure).',
    type: 'AWS::Events::Rule',
    select: (r) => JSON.stringify((r.Properties?.['EventPattern'] as { source?: unknown } | undefined)?.source) === '["aws.backup"]',
    setting:
      "EventPattern: aws.backup Restore Job State Change of the drill plan; Targets: the drill function's alias, RetryPolicy.MaximumRetryAttempts > 0",
    holds: (r, _id, all) => {
      const pattern = r.Properties?.['EventPattern'] as
        | { 'detail-type'?: unknown; detail?: { restoreTestingPlanArn?: unknown[] } }
        | undefined;
      const targets =
        (r.Properties?.['Targets'] as Array<{ Arn?: { Ref?: string }; RetryPolicy?: { MaximumRetryAttempts?: number } }> | undefined) ?? [];
      return (
        JSON.stringify(pattern?.['detail-type']) === '["Restore Job State Change"]' &&
        (pattern?.detail?.restoreTestingPlanArn ?? []).every((p) => getAttOf(p, 'AWS::Backup::RestoreTestingPlan', all)) &&
        targets.length === 1 &&
        all[targets[0]!.Arn?.Ref ?? '']?.Type === 'AWS::Lambda::Alias' &&
        (targets[0]!.RetryPolicy?.MaximumRetryAttempts ?? 0) > 0
      );
    },
    in: ['backup'],
  },
  {
    id: 'restore-drill-function-read-only',
    title: 'The drill function only reads: scratch tables in DynamoDB, values/ in S3; its one write is the validation verdict it reports.',
    type: 'AWS::IAM::Policy',
    select: isPolicyOfRole('VSS restoreDrill'),
    setting: `dynamodb: Describe/Get/BatchGet/Query/Scan on table/${RESTORE_TEST_TABLE_PREFIX}* only; s3:GetObject; no Put/Update/Delete/Write except backup:PutRestoreValidationResult`,
    holds: (r) =>
      statements(r).every(
        (s) =>
          (!actions(s).some((a) => a.startsWith('dynamodb:')) || onlyScratchTables(s)) &&
          actions(s).every(
            (a) =>
              !/^[a-z0-9-]+:(Put|Update|Delete|Write|BatchWrite|Create|Restore)/.test(a) ||
              a === 'backup:PutRestoreValidationResult' ||
              a.startsWith('xray:') ||
              a === 'logs:PutLogEvents' ||
              a === 'logs:CreateLogStream',
          ),
      ),
    in: ['backup'],
  },
  {
    id: 'backup-alarms',
    title: 'Failed backup, copy and restore-test jobs each raise an alarm, and so does a drill that finds the restored table unsound.',
    type: 'AWS::CloudWatch::Alarm',
    select: (r) => [...BACKUP_JOB_FAILED_METRICS, RESTORE_DRILL_FAILURES_METRIC].includes(String(r.Properties?.['MetricName'])),
    setting: `MetricName ${[...BACKUP_JOB_FAILED_METRICS, RESTORE_DRILL_FAILURES_METRIC].join(', ')}: Threshold 0, GreaterThanThreshold (one alarm each)`,
    holds: (r, _id, all) => {
      const names = Object.values(all)
        .filter((a) => a.Type === 'AWS::CloudWatch::Alarm')
        .map((a) => String(a.Properties?.['MetricName']));
      return (
        r.Properties?.['Threshold'] === 0 &&
        r.Properties?.['ComparisonOperator'] === 'GreaterThanThreshold' &&
        [...BACKUP_JOB_FAILED_METRICS, RESTORE_DRILL_FAILURES_METRIC].every((m) => names.filter((n) => n === m).length === 1)
      );
    },
    in: ['backup'],
  },
  {
    id: 'front-door-alarms',
    title:
      "The front door's alarms (share of 5xx answers, p99 latency) have the same logical IDs, hence the same names, whichever door serves.",
    type: 'AWS::CloudWatch::Alarm',
    select: (_r, id) => /^VssApi(5xxRate|P99Latency)Alarm/.test(id),
    setting: `logical IDs ${FRONT_DOOR_ALARM_IDS.join(', ')}`,
    holds: (_r, id, all) =>
      (FRONT_DOOR_ALARM_IDS as readonly string[]).includes(id) &&
      FRONT_DOOR_ALARM_IDS.every((a) => all[a]?.Type === 'AWS::CloudWatch::Alarm'),
  },
  {
    id: 'container-https-only',
    title:
      'The container door listens on HTTPS 443 only, with the domain certificate and a TLS 1.2+ policy: there is no plaintext listener for a header to cross.',
    type: 'AWS::ElasticLoadBalancingV2::Listener',
    setting: 'Protocol: HTTPS, Port: 443, Certificates: [<domain certificate>], SslPolicy: ELBSecurityPolicy-TLS13-1-2-*',
    holds: (r) =>
      r.Properties?.['Protocol'] === 'HTTPS' &&
      r.Properties?.['Port'] === 443 &&
      ((r.Properties?.['Certificates'] as unknown[] | undefined) ?? []).length > 0 &&
      /^ELBSecurityPolicy-TLS13-1-2-/.test(String(r.Properties?.['SslPolicy'])),
    in: ['container door'],
  },
  {
    id: 'container-drops-invalid-headers',
    title: "The container door's load balancer drops header fields that are not valid HTTP before they reach a task.",
    type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
    setting: 'LoadBalancerAttributes: routing.http.drop_invalid_header_fields.enabled = true',
    holds: (r) =>
      ((r.Properties?.['LoadBalancerAttributes'] as Array<{ Key: string; Value: string }> | undefined) ?? []).some(
        (a) => a.Key === 'routing.http.drop_invalid_header_fields.enabled' && a.Value === 'true',
      ),
    in: ['container door'],
  },
  {
    id: 'container-tasks-behind-load-balancer',
    title: "The tasks accept connections only from the load balancer's security group.",
    type: 'AWS::EC2::SecurityGroup',
    select: (_r, id, all) => taskGroups(all).includes(JSON.stringify({ 'Fn::GetAtt': [id, 'GroupId'] })),
    setting:
      'no inline SecurityGroupIngress; every AWS::EC2::SecurityGroupIngress into it has SourceSecurityGroupId: <load balancer group>',
    holds: (r, id, all) => {
      const group = JSON.stringify({ 'Fn::GetAtt': [id, 'GroupId'] });
      const ingress = Object.values(all).filter(
        (x) => x.Type === 'AWS::EC2::SecurityGroupIngress' && JSON.stringify(x.Properties?.['GroupId']) === group,
      );
      return (
        r.Properties?.['SecurityGroupIngress'] === undefined &&
        ingress.length > 0 &&
        ingress.every((x) => loadBalancerGroups(all).includes(JSON.stringify(x.Properties?.['SourceSecurityGroupId'])))
      );
    },
    in: ['container door'],
  },
  {
    id: 'container-no-nat-gateway',
    title: "The container door's VPC has no NAT gateway: DynamoDB and S3 are reached through gateway endpoints, inside the VPC.",
    type: 'AWS::EC2::VPC',
    setting: 'no AWS::EC2::NatGateway; AWS::EC2::VPCEndpoint of type Gateway for dynamodb and s3',
    holds: (_r, _id, all) => {
      const endpoints = Object.values(all)
        .filter((x) => x.Type === 'AWS::EC2::VPCEndpoint' && x.Properties?.['VpcEndpointType'] === 'Gateway')
        .map((x) => JSON.stringify(x.Properties?.['ServiceName']));
      return (
        Object.values(all).every((x) => x.Type !== 'AWS::EC2::NatGateway') &&
        endpoints.some((e) => e.includes('.dynamodb')) &&
        endpoints.some((e) => e.includes('.s3'))
      );
    },
    in: ['container door'],
  },
  {
    id: 'task-role-least-privilege',
    title:
      "The tasks' role holds exactly the four operations' table actions (on the table and the creation index) and their values actions on values/*: nothing else.",
    type: 'AWS::IAM::Policy',
    select: isTaskRolePolicy,
    setting: `dynamodb: ${TASK_TABLE_ACTIONS.table.join(', ')} on <table>.Arn; ${TASK_TABLE_ACTIONS.creationIndex.join(', ')} on <table>.Arn/index/bySeq; s3:GetObject, s3:PutObject, s3:DeleteObject on values/*; KMS only via a service`,
    holds: (r) => {
      const granted = statements(r);
      const dynamo = granted.filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')));
      const onIndex = (s: Statement) => JSON.stringify(s.Resource).includes('/index/');
      const sorted = (list: readonly string[]) => JSON.stringify([...list].sort());
      return (
        sorted(dynamo.filter((s) => !onIndex(s)).flatMap(actions)) === sorted(TASK_TABLE_ACTIONS.table) &&
        sorted(dynamo.filter(onIndex).flatMap(actions)) === sorted(TASK_TABLE_ACTIONS.creationIndex) &&
        granted.every(
          (s) =>
            s.Resource !== '*' &&
            actions(s).every(
              (a) =>
                a.startsWith('dynamodb:') ||
                (VALUES_OBJECT_ACTIONS.has(a) && resources(s).every(onValuesPrefix)) ||
                (a.startsWith('kms:') && JSON.stringify(s.Condition ?? {}).includes('"kms:ViaService"')),
            ),
        )
      );
    },
    in: ['container door'],
  },
  {
    id: 'container-read-only-root',
    title: 'The server container runs with a read-only root filesystem (a writable /tmp volume only), not privileged.',
    type: 'AWS::ECS::TaskDefinition',
    setting: 'ContainerDefinitions[*].ReadonlyRootFilesystem: true, Privileged: absent',
    holds: (r) =>
      containerDefinitions(r).length > 0 &&
      containerDefinitions(r).every((c) => c['ReadonlyRootFilesystem'] === true && c['Privileged'] !== true),
    in: ['container door'],
  },
  {
    id: 'container-non-root',
    title: "The server container runs as the image's non-root user, set in the task definition itself.",
    type: 'AWS::ECS::TaskDefinition',
    setting: `ContainerDefinitions[*].User: ${CONTAINER_USER}`,
    holds: (r) => containerDefinitions(r).length > 0 && containerDefinitions(r).every((c) => c['User'] === CONTAINER_USER),
    in: ['container door'],
  },
  {
    id: 'container-verifies-auth',
    title:
      "The tasks run the Lambda door's request path with the stack's auth mode: in signature mode each request's signature is verified in the task.",
    type: 'AWS::ECS::TaskDefinition',
    setting: `ContainerDefinitions[*].Environment: ${SERVER_ENV.auth}: signature`,
    holds: (r) =>
      containerDefinitions(r).length > 0 &&
      containerDefinitions(r).every((c) =>
        ((c['Environment'] as Array<{ Name: string; Value: unknown }> | undefined) ?? []).some(
          (e) => e.Name === SERVER_ENV.auth && e.Value === 'signature',
        ),
      ),
    in: ['container door'],
  },
  {
    id: 'ecs-circuit-breaker',
    title: 'A failing deployment of the tasks rolls back by itself, and a deployment never drops below the running count.',
    type: 'AWS::ECS::Service',
    setting: 'DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100 }',
    holds: (r) => {
      const c = r.Properties?.['DeploymentConfiguration'] as
        | { DeploymentCircuitBreaker?: { Enable?: boolean; Rollback?: boolean }; MinimumHealthyPercent?: number }
        | undefined;
      return (
        c?.DeploymentCircuitBreaker?.Enable === true && c.DeploymentCircuitBreaker.Rollback === true && c.MinimumHealthyPercent === 100
      );
    },
    in: ['container door'],
  },
  {
    id: 'ecs-two-tasks-autoscaled',
    title: 'At least two tasks run, rebalanced over Availability Zones, and target tracking on CPU scales them out and back.',
    type: 'AWS::ApplicationAutoScaling::ScalableTarget',
    setting:
      'MinCapacity >= 2, MaxCapacity >= MinCapacity, a TargetTrackingScaling policy on ECSServiceAverageCPUUtilization; the service: DesiredCount >= 2, AvailabilityZoneRebalancing: ENABLED',
    holds: (r, id, all) => {
      const min = Number(r.Properties?.['MinCapacity']);
      const cpu = Object.values(all).some(
        (p) =>
          p.Type === 'AWS::ApplicationAutoScaling::ScalingPolicy' &&
          JSON.stringify(p.Properties?.['ScalingTargetId']) === JSON.stringify({ Ref: id }) &&
          p.Properties?.['PolicyType'] === 'TargetTrackingScaling' &&
          JSON.stringify(p.Properties?.['TargetTrackingScalingPolicyConfiguration']).includes('ECSServiceAverageCPUUtilization'),
      );
      const services = Object.values(all).filter((x) => x.Type === 'AWS::ECS::Service');
      return (
        r.Properties?.['ScalableDimension'] === 'ecs:service:DesiredCount' &&
        min >= 2 &&
        Number(r.Properties?.['MaxCapacity']) >= min &&
        cpu &&
        services.length > 0 &&
        services.every((x) => Number(x.Properties?.['DesiredCount']) >= 2 && x.Properties?.['AvailabilityZoneRebalancing'] === 'ENABLED')
      );
    },
    in: ['container door'],
  },
];
