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
import { VssAuth } from '../../../lib/auth.js';
import type { VssServiceProps } from '../../../lib/vss-service.js';
import { OPERATIONS } from '../../../lambda/contract.js';
import { TEST_PUBLIC_KEY_PEM } from '../support.js';

/** The stack variants the matrix is synthesized from: one entry each, nothing else to change. */
export const VARIANTS = {
  default: { description: 'signature auth, every option at its default', props: {} },
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
} as const satisfies Record<string, { readonly description: string; readonly props: Partial<VssServiceProps> }>;

export type VariantName = keyof typeof VARIANTS;
export const VARIANT_NAMES = Object.keys(VARIANTS) as VariantName[];

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
const ALLOWLIST_SID = 'SignatureAllowlistRead';
const SIGNATURE_VARIANTS = ['default', 'provider features', 'signature allowlist'] as const satisfies readonly VariantName[];

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
    title: 'No function may Scan, use a DynamoDB wildcard, or administer, export or restore tables.',
    type: 'AWS::IAM::Policy',
    setting: 'no dynamodb:Scan, dynamodb:*, Create/Delete/UpdateTable, Export*, Restore*',
    holds: (r) =>
      statements(r)
        .flatMap(actions)
        .every((a) => !/^dynamodb:(Scan|\*|CreateTable|DeleteTable|UpdateTable|Export.*|Restore.*)$/.test(a)),
  },
  {
    id: 'iam-wildcard-only-xray',
    title: 'The only statements on Resource "*" are X-Ray\'s, which has no resource-level permissions.',
    type: 'AWS::IAM::Policy',
    setting: 'Resource "*" only with xray:PutTraceSegments, xray:PutTelemetryRecords',
    holds: (r) => statements(r).every((s) => s.Resource !== '*' || actions(s).every((a) => a.startsWith('xray:'))),
  },
  {
    id: 'iam-dynamodb-scoped',
    title: 'DynamoDB permissions name a table of this stack (or its index), never "*".',
    type: 'AWS::IAM::Policy',
    setting: 'dynamodb:* actions on Fn::GetAtt <table>.Arn [/index/<name>]',
    holds: (r) =>
      statements(r)
        .filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')))
        .every((s) => s.Resource !== '*' && JSON.stringify(s.Resource).includes('Arn')),
  },
  {
    id: 'role-no-managed-policies',
    title: 'Function roles carry no AWS managed policies: every permission is written out.',
    type: 'AWS::IAM::Role',
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
    title: 'Without the allowlist, no function gets its read.',
    type: 'AWS::IAM::Policy',
    select: isOperationPolicy,
    setting: `no statement ${ALLOWLIST_SID}`,
    holds: (r) => statements(r).every((s) => s.Sid !== ALLOWLIST_SID),
    in: ['default', 'jwt', 'cognito', 'provider features'],
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
  },
  {
    id: 'waf-associated',
    title: 'A web ACL is associated with the API stage.',
    type: 'AWS::WAFv2::WebACLAssociation',
    setting: 'ResourceArn: the stage, WebACLArn: the web ACL',
    holds: (r) => r.Properties?.['ResourceArn'] !== undefined && r.Properties?.['WebACLArn'] !== undefined,
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
];
