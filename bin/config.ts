/**
 * Deployment configuration of bin/vss.ts: the ONLY place that reads CDK context and environment
 * variables. The `vss` context object (cdk.json, cdk.context.json or `-c vss='{...}'`) plus a few
 * environment overrides is checked by the construct's own schema (lib/private/schema.ts), which
 * reports every problem at once, each naming its setting; the result becomes typed `VssStackProps`.
 * Documented field by field in docs/configuration.md.
 */
import { Duration, RemovalPolicy, type Environment } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { VssAuth } from '../lib/auth.js';
import { VssFrontDoor, type VssContainerOptions } from '../lib/front-door.js';
import type { VssFunctionName, VssFunctionOptions } from '../lib/functions.js';
import { VssTableEncryption, type VssBackupOptions, type VssLargeValuesOptions, type VssProviderOptions } from '../lib/options.js';
import { type FunctionConfig, type VssDeployConfig, VssConfigError, backupEnabled, configProblems } from '../lib/private/schema.js';
import type { VssServiceProps } from '../lib/vss-service.js';

export type { FunctionConfig, VssDeployConfig };

const HEADING = 'Invalid VSS deployment configuration (cdk.json context "vss", see docs/configuration.md)';

/** Error thrown for a bad configuration: synth fails with this message. */
export class ConfigError extends VssConfigError {
  constructor(problems: readonly string[]) {
    super(HEADING, problems);
    this.name = 'ConfigError';
  }
}

/**
 * Validates the raw `vss` context value and the environment. `env` may supply VSS_ACCOUNT,
 * VSS_REGION and VSS_AUTH_MODE (overriding the context). Throws ConfigError listing every problem.
 */
export function parseConfig(rawContext: unknown, env: Readonly<Record<string, string | undefined>> = {}): VssDeployConfig {
  let raw: unknown = rawContext ?? {};
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      throw new ConfigError(['the "vss" context value must be a JSON object (got a string that is not JSON)']);
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError([`the "vss" context value must be a JSON object (got ${JSON.stringify(raw)})`]);
  const overrides = { authMode: env['VSS_AUTH_MODE'], account: env['VSS_ACCOUNT'], region: env['VSS_REGION'] };
  const merged = { ...raw, ...Object.fromEntries(Object.entries(overrides).filter(([, x]) => x !== undefined)) };
  const { problems, output } = configProblems(merged, { refs: 'arn', name: (p) => (p ? `vss.${p}` : 'vss') });
  const config = output as VssDeployConfig;
  if (problems.length === 0 && config.backup?.copyToAccount !== undefined && config.account === undefined)
    problems.push('vss.backup.copyToAccount needs vss.account (the copy vault in that account lets only this account copy into it)');
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function fnOptions(f: FunctionConfig | undefined): VssFunctionOptions | undefined {
  if (!f) return undefined;
  return {
    ...(f.memorySize !== undefined ? { memorySize: f.memorySize } : {}),
    ...(f.timeoutSeconds !== undefined ? { timeout: Duration.seconds(f.timeoutSeconds) } : {}),
    ...(f.reservedConcurrency !== undefined ? { reservedConcurrency: f.reservedConcurrency } : {}),
    ...(f.provisionedConcurrency !== undefined ? { provisionedConcurrency: f.provisionedConcurrency } : {}),
  };
}

/** The stack environment: explicit account/region only, so synth never needs credentials. */
export function stackEnv(config: VssDeployConfig): Environment | undefined {
  if (!config.account && !config.region) return undefined;
  return { ...(config.account ? { account: config.account } : {}), ...(config.region ? { region: config.region } : {}) };
}

/**
 * Turns the validated configuration into construct props. `scope` hosts imported resources
 * (existing table, key, pool, topic, certificate, zone) — references only, nothing is created.
 */
export function toServiceProps(scope: Construct, config: VssDeployConfig): VssServiceProps {
  let auth: VssAuth;
  switch (config.authMode) {
    case 'jwt':
      auth = VssAuth.jwt({
        ...(config.jwt?.publicKeyPem ? { publicKeyPem: config.jwt.publicKeyPem } : {}),
        ...(config.jwt?.jwksUrl ? { jwksUrl: config.jwt.jwksUrl } : {}),
        ...(config.jwt?.issuer ? { issuer: config.jwt.issuer } : {}),
        ...(config.jwt?.audience ? { audience: config.jwt.audience } : {}),
        ...(config.jwt?.algorithms ? { algorithms: config.jwt.algorithms } : {}),
        ...(config.jwt?.cacheTtlSeconds !== undefined ? { resultsCacheTtl: Duration.seconds(config.jwt.cacheTtlSeconds) } : {}),
      });
      break;
    case 'cognito':
      auth = VssAuth.cognito({
        ...(config.cognito?.userPoolArn
          ? { userPool: cognito.UserPool.fromUserPoolArn(scope, 'ImportedUserPool', config.cognito.userPoolArn) }
          : {}),
        ...(config.cognito?.cacheTtlSeconds !== undefined ? { resultsCacheTtl: Duration.seconds(config.cognito.cacheTtlSeconds) } : {}),
      });
      break;
    case 'signature':
      auth = VssAuth.signature({
        ...(config.signature?.enrollment ? { enrollment: config.signature.enrollment } : {}),
        ...(config.signature?.maxClockSkewSeconds !== undefined
          ? { maxClockSkew: Duration.seconds(config.signature.maxClockSkewSeconds) }
          : {}),
      });
      break;
    case 'none':
      auth = VssAuth.none({ dangerouslyAllowUnauthenticated: config.allowUnauthenticated });
      break;
  }
  const t = config.table;
  const functions: Partial<Record<VssFunctionName, VssFunctionOptions>> = {};
  for (const [name, f] of Object.entries(config.functions ?? {})) {
    if (name !== 'defaults') functions[name as VssFunctionName] = fnOptions(f)!;
  }
  const defaults = fnOptions(config.functions?.defaults);
  const cmk = t?.customerManagedKey;
  return {
    auth,
    ...(t?.existingTableArn ? { existingTable: dynamodb.Table.fromTableArn(scope, 'ImportedTable', t.existingTableArn) } : {}),
    ...(t && !t.existingTableArn
      ? {
          tableOptions: {
            ...(t.tableName ? { tableName: t.tableName } : {}),
            ...(t.billingMode
              ? { billingMode: t.billingMode === 'PROVISIONED' ? dynamodb.BillingMode.PROVISIONED : dynamodb.BillingMode.PAY_PER_REQUEST }
              : {}),
            ...(t.provisioned ? { provisionedCapacity: t.provisioned } : {}),
            ...(typeof cmk === 'string'
              ? { encryption: VssTableEncryption.customerManaged({ key: kms.Key.fromKeyArn(scope, 'ImportedTableKey', cmk) }) }
              : cmk
                ? { encryption: VssTableEncryption.customerManaged() }
                : {}),
          },
        }
      : {}),
    ...(defaults ? { functionDefaults: defaults } : {}),
    ...(Object.keys(functions).length ? { functions } : {}),
    ...(config.throttling ? { throttling: config.throttling } : {}),
    ...(config.waf
      ? {
          waf: {
            ...(config.waf.enabled !== undefined ? { enabled: config.waf.enabled } : {}),
            ...(config.waf.perUserLimit !== undefined ? { perUserLimit: config.waf.perUserLimit } : {}),
            ...(config.waf.perIpLimit !== undefined ? { perIpLimit: config.waf.perIpLimit } : {}),
            ...(config.waf.evaluationWindowSeconds !== undefined
              ? { evaluationWindow: Duration.seconds(config.waf.evaluationWindowSeconds) }
              : {}),
            ...(config.waf.managedRules !== undefined ? { managedRules: config.waf.managedRules } : {}),
          },
        }
      : {}),
    ...(config.lnurlAuth?.enabled
      ? {
          lnurlAuth: config.lnurlAuth.tokenTtlSeconds !== undefined ? { tokenTtl: Duration.seconds(config.lnurlAuth.tokenTtlSeconds) } : {},
        }
      : {}),
    ...(config.alarms
      ? {
          alarms: {
            ...(config.alarms.topicArn ? { topic: sns.Topic.fromTopicArn(scope, 'ImportedAlarmTopic', config.alarms.topicArn) } : {}),
            ...(config.alarms.emails ? { emails: config.alarms.emails } : {}),
            ...(config.alarms.serverErrorRate !== undefined ? { serverErrorRate: config.alarms.serverErrorRate } : {}),
            ...(config.alarms.p99LatencyMs !== undefined ? { p99Latency: Duration.millis(config.alarms.p99LatencyMs) } : {}),
          },
        }
      : {}),
    ...(config.domain
      ? {
          domain: {
            domainName: config.domain.domainName,
            ...(config.domain.certificateArn
              ? { certificate: acm.Certificate.fromCertificateArn(scope, 'ImportedCertificate', config.domain.certificateArn) }
              : {}),
            ...(config.domain.hostedZoneId
              ? {
                  hostedZone: route53.HostedZone.fromHostedZoneAttributes(scope, 'ImportedZone', {
                    hostedZoneId: config.domain.hostedZoneId,
                    zoneName: config.domain.hostedZoneName!,
                  }),
                }
              : {}),
          },
        }
      : {}),
    ...(config.stageName ? { stageName: config.stageName } : {}),
    ...(config.logRetentionDays !== undefined ? { logRetention: config.logRetentionDays as logs.RetentionDays } : {}),
    ...(config.retainLogs !== undefined ? { logRemovalPolicy: config.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY } : {}),
    ...(config.executionLogLevel ? { executionLogLevel: apigw.MethodLoggingLevel[config.executionLogLevel] } : {}),
    ...(config.metricsNamespace ? { metricsNamespace: config.metricsNamespace } : {}),
    ...(config.provider ? { provider: providerOptions(config.provider) } : {}),
    ...(config.frontDoor ? { frontDoor: frontDoorOf(scope, config.frontDoor) } : {}),
    ...(config.largeValues ? { largeValues: largeValuesOptions(scope, config.largeValues) } : {}),
    ...(config.backup && backupEnabled(config) ? { backup: backupOptions(config.backup) } : {}),
  };
}

/** The front door: the REST API, or the container door with its settings (absent values stay absent). */
function frontDoorOf(scope: Construct, door: NonNullable<VssDeployConfig['frontDoor']>): VssFrontDoor {
  if (door.kind === 'apiGateway') return VssFrontDoor.apiGateway();
  const vpc = door.existingVpc;
  const options: VssContainerOptions = {
    ...(door.cpu !== undefined ? { cpu: door.cpu } : {}),
    ...(door.memoryMiB !== undefined ? { memoryMiB: door.memoryMiB } : {}),
    ...(door.minTasks !== undefined ? { minTasks: door.minTasks } : {}),
    ...(door.maxTasks !== undefined ? { maxTasks: door.maxTasks } : {}),
    ...(door.targetCpuPercent !== undefined ? { targetCpuPercent: door.targetCpuPercent } : {}),
    ...(door.maxBodyBytes !== undefined ? { maxBodyBytes: door.maxBodyBytes } : {}),
    ...(door.maxInFlightBytes !== undefined ? { maxInFlightBytes: door.maxInFlightBytes } : {}),
    ...(door.drainTimeoutSeconds !== undefined ? { drainTimeout: Duration.seconds(door.drainTimeoutSeconds) } : {}),
    ...(door.idleTimeoutSeconds !== undefined ? { idleTimeout: Duration.seconds(door.idleTimeoutSeconds) } : {}),
    ...(vpc && typeof vpc === 'object'
      ? {
          existingVpc: ec2.Vpc.fromVpcAttributes(scope, 'ImportedVpc', {
            vpcId: vpc.vpcId,
            availabilityZones: vpc.availabilityZones,
            publicSubnetIds: vpc.publicSubnetIds,
            ...(vpc.privateSubnetIds ? { privateSubnetIds: vpc.privateSubnetIds } : {}),
          }),
        }
      : {}),
  };
  return VssFrontDoor.container(options);
}

/** The object tier's settings as construct props (buckets imported by ARN, nothing created). */
function largeValuesOptions(scope: Construct, l: NonNullable<VssDeployConfig['largeValues']>): VssLargeValuesOptions {
  return {
    ...(l.inlineMaxBytes !== undefined ? { inlineMaxBytes: l.inlineMaxBytes } : {}),
    ...(l.retentionDays !== undefined ? { retentionDays: l.retentionDays } : {}),
    ...(l.existingBucketArn ? { existingBucket: s3.Bucket.fromBucketArn(scope, 'ImportedValuesBucket', l.existingBucketArn) } : {}),
    ...(l.bucketName ? { bucketProps: { bucketName: l.bucketName } } : {}),
    ...(l.accessLogsBucketArn
      ? { accessLogsBucket: s3.Bucket.fromBucketArn(scope, 'ImportedAccessLogsBucket', l.accessLogsBucketArn) }
      : {}),
  };
}

/** The backup settings as construct props (absent values stay absent). */
export function backupOptions(b: NonNullable<VssDeployConfig['backup']>): VssBackupOptions {
  const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as T;
  const days = (n: number | undefined) => (n === undefined ? undefined : Duration.days(n));
  const lock = b.vaultLock;
  const drill = b.restoreDrill;
  return defined({
    schedule: b.schedule === undefined ? undefined : events.Schedule.expression(b.schedule),
    retention: days(b.retentionDays),
    copyToRegion: b.copyToRegion,
    copyToAccount: b.copyToAccount,
    copyVaultName: b.copyVaultName,
    copyRetention: days(b.copyRetentionDays),
    vaultLock:
      lock &&
      defined({
        minRetention: Duration.days(lock.minRetentionDays),
        maxRetention: days(lock.maxRetentionDays),
        changeableFor: days(lock.changeableForDays),
      }),
    restoreDrill:
      drill &&
      defined({
        enabled: drill.enabled,
        schedule: drill.schedule === undefined ? undefined : events.Schedule.expression(drill.schedule),
        validationWindow: drill.validationWindowHours === undefined ? undefined : Duration.hours(drill.validationWindowHours),
      }),
  }) as VssBackupOptions;
}

/** The provider settings as construct props (absent values stay absent). */
function providerOptions(p: NonNullable<VssDeployConfig['provider']>): VssProviderOptions {
  const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as T;
  return defined({
    usageMetering: p.usageMetering,
    quota: p.quota && defined({ maxKeys: p.quota.maxKeys, maxBytes: p.quota.maxBytes, softThresholdPercent: p.quota.softThresholdPercent }),
    rateLimit: p.rateLimit && defined({ perSecond: p.rateLimit.perSecond, burst: p.rateLimit.burst }),
    throttledRequestsAlarmThreshold: p.throttledRequestsAlarmThreshold,
  }) as VssProviderOptions;
}
