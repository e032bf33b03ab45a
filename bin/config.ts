/**
 * Deployment configuration of bin/vss.ts: the ONLY place that reads CDK context and environment
 * variables. Parses the `vss` context object (cdk.json, cdk.context.json or `-c vss='{...}'`)
 * plus a few environment overrides, validates every field with a message that names it, and
 * turns the result into typed `VssStackProps`. Documented field by field in docs/configuration.md.
 */
import { Duration, RemovalPolicy, type Environment } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { VssAuth, type VssAuthMode } from '../lib/auth.js';
import { HANDLER_ENTRIES, type VssFunctionName, type VssFunctionOptions, type VssServiceProps } from '../lib/vss-service.js';
import { OPERATIONS } from '../lambda/core/service.js';

export interface FunctionConfig {
  readonly memorySize?: number;
  readonly timeoutSeconds?: number;
  readonly reservedConcurrency?: number;
  readonly provisionedConcurrency?: number;
}

/** The validated `vss` context object. */
export interface VssDeployConfig {
  readonly stackName: string;
  readonly account?: string;
  readonly region?: string;
  readonly authMode: VssAuthMode;
  readonly allowUnauthenticated: boolean;
  readonly jwt?: {
    readonly publicKeyPem?: string;
    readonly jwksUrl?: string;
    readonly issuer?: string;
    readonly audience?: string;
    readonly algorithms?: readonly string[];
    readonly cacheTtlSeconds?: number;
  };
  readonly cognito?: { readonly userPoolArn?: string; readonly cacheTtlSeconds?: number };
  readonly lnurlAuth?: { readonly enabled: boolean; readonly tokenTtlSeconds?: number };
  readonly table?: {
    readonly existingTableArn?: string;
    readonly tableName?: string;
    readonly billingMode?: 'PAY_PER_REQUEST' | 'PROVISIONED';
    readonly provisioned?: {
      readonly minReadCapacity: number;
      readonly maxReadCapacity: number;
      readonly minWriteCapacity: number;
      readonly maxWriteCapacity: number;
      readonly targetUtilizationPercent?: number;
    };
    readonly customerManagedKey?: boolean | string;
  };
  readonly functions?: Partial<Record<VssFunctionName | 'defaults', FunctionConfig>>;
  readonly throttling?: {
    readonly rateLimit?: number;
    readonly burstLimit?: number;
    readonly perOperation?: Record<string, { readonly rateLimit: number; readonly burstLimit: number }>;
  };
  readonly waf?: {
    readonly enabled?: boolean;
    readonly perUserLimit?: number;
    readonly perIpLimit?: number;
    readonly evaluationWindowSeconds?: number;
    readonly managedRules?: boolean;
  };
  readonly alarms?: { readonly topicArn?: string; readonly emails?: readonly string[]; readonly serverErrorRate?: number; readonly p99LatencyMs?: number };
  readonly domain?: { readonly domainName: string; readonly certificateArn?: string; readonly hostedZoneId?: string; readonly hostedZoneName?: string };
  readonly stageName?: string;
  readonly logRetentionDays?: number;
  readonly retainLogs?: boolean;
  readonly executionLogLevel?: 'OFF' | 'ERROR' | 'INFO';
  readonly metricsNamespace?: string;
}

/** Error thrown for a bad configuration: synth fails with this message. */
export class ConfigError extends Error {
  constructor(problems: readonly string[]) {
    super(`Invalid VSS deployment configuration (cdk.json context "vss", see docs/configuration.md):\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Raw = Record<string, unknown>;

/** A tiny validator that collects every problem instead of stopping at the first. */
class Checker {
  readonly problems: string[] = [];

  object(v: unknown, where: string, allowed: readonly string[]): Raw | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      this.problems.push(`${where} must be an object`);
      return undefined;
    }
    for (const k of Object.keys(v)) if (!allowed.includes(k)) this.problems.push(`${where}.${k} is not a known setting (known: ${allowed.join(', ')})`);
    return v as Raw;
  }

  string(v: unknown, where: string, pattern?: RegExp, hint?: string): string | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v === '') this.problems.push(`${where} must be a non-empty string`);
    else if (pattern && !pattern.test(v)) this.problems.push(`${where} ${hint ?? `must match ${pattern}`} (got "${v}")`);
    else return v;
    return undefined;
  }

  oneOf<T extends string>(v: unknown, where: string, values: readonly T[]): T | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !values.includes(v as T)) {
      this.problems.push(`${where} must be one of ${values.map((x) => `"${x}"`).join(', ')} (got ${JSON.stringify(v)})`);
      return undefined;
    }
    return v as T;
  }

  bool(v: unknown, where: string): boolean | undefined {
    if (v === undefined) return undefined;
    if (v === 'true' || v === 'false') return v === 'true';
    if (typeof v !== 'boolean') {
      this.problems.push(`${where} must be true or false (got ${JSON.stringify(v)})`);
      return undefined;
    }
    return v;
  }

  int(v: unknown, where: string, min: number, max: number): number | undefined {
    if (v === undefined) return undefined;
    const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
      this.problems.push(`${where} must be an integer from ${min} to ${max} (got ${JSON.stringify(v)})`);
      return undefined;
    }
    return n;
  }

  num(v: unknown, where: string, min: number, max: number): number | undefined {
    if (v === undefined) return undefined;
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max) {
      this.problems.push(`${where} must be a number from ${min} to ${max} (got ${JSON.stringify(v)})`);
      return undefined;
    }
    return n;
  }

  strings(v: unknown, where: string, pattern?: RegExp): string[] | undefined {
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) {
      this.problems.push(`${where} must be a list of strings`);
      return undefined;
    }
    return v.map((x, i) => this.string(x, `${where}[${i}]`, pattern)).filter((x): x is string => x !== undefined);
  }
}

const RETENTION_DAYS = Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number');
const TOP_LEVEL = [
  'stackName', 'account', 'region', 'authMode', 'allowUnauthenticated', 'jwt', 'cognito', 'lnurlAuth', 'table', 'functions',
  'throttling', 'waf', 'alarms', 'domain', 'stageName', 'logRetentionDays', 'retainLogs', 'executionLogLevel', 'metricsNamespace',
] as const;
const FUNCTION_KEYS = ['memorySize', 'timeoutSeconds', 'reservedConcurrency', 'provisionedConcurrency'] as const;

/**
 * Validates the raw `vss` context value and the environment. `env` may supply VSS_ACCOUNT,
 * VSS_REGION and VSS_AUTH_MODE (overriding the context). Throws ConfigError listing every problem.
 */
export function parseConfig(rawContext: unknown, env: Readonly<Record<string, string | undefined>> = {}): VssDeployConfig {
  const c = new Checker();
  let raw: unknown = rawContext ?? {};
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      throw new ConfigError(['the "vss" context value must be a JSON object (got a string that is not JSON)']);
    }
  }
  const r = c.object(raw, 'vss', TOP_LEVEL) ?? {};

  const authMode = c.oneOf(env['VSS_AUTH_MODE'] ?? r['authMode'] ?? 'signature', 'vss.authMode', ['signature', 'jwt', 'cognito', 'none'] as const) ?? 'signature';
  const allowUnauthenticated = c.bool(r['allowUnauthenticated'], 'vss.allowUnauthenticated') ?? false;
  if (authMode === 'none' && !allowUnauthenticated) {
    c.problems.push('vss.authMode "none" makes every caller the same user and is refused; set vss.allowUnauthenticated to true only for a throwaway test deployment');
  }

  const jr = c.object(r['jwt'], 'vss.jwt', ['publicKeyPem', 'jwksUrl', 'issuer', 'audience', 'algorithms', 'cacheTtlSeconds']);
  const jwt = jr && {
    publicKeyPem: c.string(jr['publicKeyPem'], 'vss.jwt.publicKeyPem', /-----BEGIN (RSA )?PUBLIC KEY-----/, 'must be a PEM public key'),
    jwksUrl: c.string(jr['jwksUrl'], 'vss.jwt.jwksUrl', /^https:\/\/\S+$/, 'must be an https:// URL'),
    issuer: c.string(jr['issuer'], 'vss.jwt.issuer'),
    audience: c.string(jr['audience'], 'vss.jwt.audience'),
    // Exactly what the authorizer verifies (lambda/auth/jwt.ts): anything else would synthesize
    // and then refuse every request.
    algorithms: c.strings(jr['algorithms'], 'vss.jwt.algorithms', /^(RS256|ES256)$/),
    cacheTtlSeconds: c.int(jr['cacheTtlSeconds'], 'vss.jwt.cacheTtlSeconds', 0, 3600),
  };
  if (jr && authMode !== 'jwt') c.problems.push(`vss.jwt is set but vss.authMode is "${authMode}" (jwt settings apply only to authMode "jwt")`);

  const cr = c.object(r['cognito'], 'vss.cognito', ['userPoolArn', 'cacheTtlSeconds']);
  const cog = cr && {
    userPoolArn: c.string(cr['userPoolArn'], 'vss.cognito.userPoolArn', /^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/[\w-]+$/, 'must be a Cognito user pool ARN'),
    cacheTtlSeconds: c.int(cr['cacheTtlSeconds'], 'vss.cognito.cacheTtlSeconds', 0, 3600),
  };
  if (cr && authMode !== 'cognito') c.problems.push(`vss.cognito is set but vss.authMode is "${authMode}"`);

  const lr = c.object(r['lnurlAuth'], 'vss.lnurlAuth', ['enabled', 'tokenTtlSeconds']);
  const lnurlAuth = lr && { enabled: c.bool(lr['enabled'], 'vss.lnurlAuth.enabled') ?? true, tokenTtlSeconds: c.int(lr['tokenTtlSeconds'], 'vss.lnurlAuth.tokenTtlSeconds', 60, 30 * 86400) };
  if (lnurlAuth?.enabled && authMode !== 'jwt') c.problems.push(`vss.lnurlAuth issues JWTs and needs vss.authMode "jwt" (got "${authMode}")`);
  if (authMode === 'jwt' && !jwt?.publicKeyPem && !jwt?.jwksUrl && !lnurlAuth?.enabled) {
    c.problems.push('vss.authMode "jwt" needs a key to verify tokens: set vss.jwt.publicKeyPem, vss.jwt.jwksUrl, or enable vss.lnurlAuth');
  }

  const tr = c.object(r['table'], 'vss.table', ['existingTableArn', 'tableName', 'billingMode', 'provisioned', 'customerManagedKey']);
  let table: VssDeployConfig['table'];
  if (tr) {
    const pr = c.object(tr['provisioned'], 'vss.table.provisioned', ['minReadCapacity', 'maxReadCapacity', 'minWriteCapacity', 'maxWriteCapacity', 'targetUtilizationPercent']);
    const provisioned = pr && {
      minReadCapacity: c.int(pr['minReadCapacity'], 'vss.table.provisioned.minReadCapacity', 1, 40000) ?? 1,
      maxReadCapacity: c.int(pr['maxReadCapacity'], 'vss.table.provisioned.maxReadCapacity', 1, 40000) ?? 1,
      minWriteCapacity: c.int(pr['minWriteCapacity'], 'vss.table.provisioned.minWriteCapacity', 1, 40000) ?? 1,
      maxWriteCapacity: c.int(pr['maxWriteCapacity'], 'vss.table.provisioned.maxWriteCapacity', 1, 40000) ?? 1,
      targetUtilizationPercent: c.int(pr['targetUtilizationPercent'], 'vss.table.provisioned.targetUtilizationPercent', 20, 90),
    };
    if (pr) for (const k of ['minReadCapacity', 'maxReadCapacity', 'minWriteCapacity', 'maxWriteCapacity']) if (pr[k] === undefined) c.problems.push(`vss.table.provisioned.${k} is required`);
    const cmkRaw = tr['customerManagedKey'];
    const customerManagedKey =
      typeof cmkRaw === 'string' && !['true', 'false'].includes(cmkRaw)
        ? c.string(cmkRaw, 'vss.table.customerManagedKey', /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/, 'must be true, false or a KMS key ARN')
        : c.bool(cmkRaw, 'vss.table.customerManagedKey');
    table = {
      existingTableArn: c.string(tr['existingTableArn'], 'vss.table.existingTableArn', /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[\w.-]+$/, 'must be a DynamoDB table ARN'),
      tableName: c.string(tr['tableName'], 'vss.table.tableName', /^[\w.-]{3,255}$/, 'must be 3-255 characters of a-z A-Z 0-9 _ - .'),
      billingMode: c.oneOf(tr['billingMode'], 'vss.table.billingMode', ['PAY_PER_REQUEST', 'PROVISIONED'] as const),
      ...(provisioned ? { provisioned } : {}),
      ...(customerManagedKey !== undefined ? { customerManagedKey } : {}),
    };
    if (table.existingTableArn && Object.keys(tr).some((k) => k !== 'existingTableArn')) {
      c.problems.push('vss.table.existingTableArn cannot be combined with other vss.table settings (they apply only to a table the stack creates)');
    }
    if (table.billingMode === 'PROVISIONED' && !provisioned) c.problems.push('vss.table.billingMode "PROVISIONED" requires vss.table.provisioned');
    if (provisioned && table.billingMode !== 'PROVISIONED') c.problems.push('vss.table.provisioned requires vss.table.billingMode "PROVISIONED"');
    if (provisioned && provisioned.minReadCapacity > provisioned.maxReadCapacity) c.problems.push('vss.table.provisioned: minReadCapacity exceeds maxReadCapacity');
    if (provisioned && provisioned.minWriteCapacity > provisioned.maxWriteCapacity) c.problems.push('vss.table.provisioned: minWriteCapacity exceeds maxWriteCapacity');
  }

  const fr = c.object(r['functions'], 'vss.functions', ['defaults', ...Object.keys(HANDLER_ENTRIES)]);
  let functions: VssDeployConfig['functions'];
  if (fr) {
    const out: Partial<Record<VssFunctionName | 'defaults', FunctionConfig>> = {};
    for (const [name, v] of Object.entries(fr)) {
      const w = `vss.functions.${name}`;
      const o = c.object(v, w, FUNCTION_KEYS);
      if (!o) continue;
      const f: FunctionConfig = {
        memorySize: c.int(o['memorySize'], `${w}.memorySize`, 128, 10240),
        timeoutSeconds: c.int(o['timeoutSeconds'], `${w}.timeoutSeconds`, 1, 29),
        reservedConcurrency: c.int(o['reservedConcurrency'], `${w}.reservedConcurrency`, 0, 100000),
        provisionedConcurrency: c.int(o['provisionedConcurrency'], `${w}.provisionedConcurrency`, 1, 100000),
      };
      if (f.reservedConcurrency !== undefined && f.provisionedConcurrency !== undefined && f.provisionedConcurrency > f.reservedConcurrency) {
        c.problems.push(`${w}.provisionedConcurrency (${f.provisionedConcurrency}) cannot exceed ${w}.reservedConcurrency (${f.reservedConcurrency})`);
      }
      out[name as VssFunctionName | 'defaults'] = f;
    }
    functions = out;
  }

  const thr = c.object(r['throttling'], 'vss.throttling', ['rateLimit', 'burstLimit', 'perOperation']);
  let throttling: VssDeployConfig['throttling'];
  if (thr) {
    const por = c.object(thr['perOperation'], 'vss.throttling.perOperation', OPERATIONS);
    const perOperation: Record<string, { rateLimit: number; burstLimit: number }> = {};
    for (const [op, v] of Object.entries(por ?? {})) {
      const o = c.object(v, `vss.throttling.perOperation.${op}`, ['rateLimit', 'burstLimit']);
      const rate = c.num(o?.['rateLimit'], `vss.throttling.perOperation.${op}.rateLimit`, 0, 1e6);
      const burst = c.int(o?.['burstLimit'], `vss.throttling.perOperation.${op}.burstLimit`, 0, 1e6);
      if (o && (rate === undefined || burst === undefined)) c.problems.push(`vss.throttling.perOperation.${op} needs both rateLimit and burstLimit`);
      else if (rate !== undefined && burst !== undefined) perOperation[op] = { rateLimit: rate, burstLimit: burst };
    }
    throttling = {
      rateLimit: c.num(thr['rateLimit'], 'vss.throttling.rateLimit', 0, 1e6),
      burstLimit: c.int(thr['burstLimit'], 'vss.throttling.burstLimit', 0, 1e6),
      ...(por ? { perOperation } : {}),
    };
  }

  const wr = c.object(r['waf'], 'vss.waf', ['enabled', 'perUserLimit', 'perIpLimit', 'evaluationWindowSeconds', 'managedRules']);
  const waf = wr && {
    enabled: c.bool(wr['enabled'], 'vss.waf.enabled'),
    perUserLimit: c.int(wr['perUserLimit'], 'vss.waf.perUserLimit', 10, 2_000_000_000),
    perIpLimit: c.int(wr['perIpLimit'], 'vss.waf.perIpLimit', 10, 2_000_000_000),
    evaluationWindowSeconds: c.oneOf(wr['evaluationWindowSeconds'] === undefined ? undefined : String(wr['evaluationWindowSeconds']), 'vss.waf.evaluationWindowSeconds', ['60', '120', '300', '600'] as const),
    managedRules: c.bool(wr['managedRules'], 'vss.waf.managedRules'),
  };

  const ar = c.object(r['alarms'], 'vss.alarms', ['topicArn', 'emails', 'serverErrorRate', 'p99LatencyMs']);
  const alarms = ar && {
    topicArn: c.string(ar['topicArn'], 'vss.alarms.topicArn', /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/, 'must be an SNS topic ARN'),
    emails: c.strings(ar['emails'], 'vss.alarms.emails', /^[^@\s]+@[^@\s]+\.[^@\s]+$/),
    serverErrorRate: c.num(ar['serverErrorRate'], 'vss.alarms.serverErrorRate', 0.0001, 0.9999),
    p99LatencyMs: c.int(ar['p99LatencyMs'], 'vss.alarms.p99LatencyMs', 10, 29000),
  };
  if (alarms?.topicArn && alarms.emails?.length) c.problems.push('vss.alarms.topicArn and vss.alarms.emails are mutually exclusive (subscribe the addresses to your topic)');

  const dr = c.object(r['domain'], 'vss.domain', ['domainName', 'certificateArn', 'hostedZoneId', 'hostedZoneName']);
  let domain: VssDeployConfig['domain'];
  if (dr) {
    const domainName = c.string(dr['domainName'], 'vss.domain.domainName', /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, 'must be a DNS name');
    if (dr['domainName'] === undefined) c.problems.push('vss.domain.domainName is required');
    const certificateArn = c.string(dr['certificateArn'], 'vss.domain.certificateArn', /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/, 'must be an ACM certificate ARN');
    const hostedZoneId = c.string(dr['hostedZoneId'], 'vss.domain.hostedZoneId', /^Z[A-Z0-9]{1,32}$/, 'must be a Route 53 hosted zone ID');
    const hostedZoneName = c.string(dr['hostedZoneName'], 'vss.domain.hostedZoneName');
    if ((hostedZoneId === undefined) !== (hostedZoneName === undefined)) c.problems.push('vss.domain.hostedZoneId and vss.domain.hostedZoneName go together');
    if (!certificateArn && !hostedZoneId) c.problems.push('vss.domain needs certificateArn, or hostedZoneId + hostedZoneName to create a DNS-validated certificate');
    if (domainName) domain = { domainName, ...(certificateArn ? { certificateArn } : {}), ...(hostedZoneId ? { hostedZoneId, hostedZoneName: hostedZoneName! } : {}) };
  }

  const account = c.string(env['VSS_ACCOUNT'] ?? r['account'], 'vss.account', /^\d{12}$/, 'must be a 12-digit AWS account ID');
  const region = c.string(env['VSS_REGION'] ?? r['region'], 'vss.region', /^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1');
  const logRetentionDays = c.int(r['logRetentionDays'], 'vss.logRetentionDays', 1, 3653);
  if (logRetentionDays !== undefined && !RETENTION_DAYS.includes(logRetentionDays)) {
    c.problems.push(`vss.logRetentionDays must be one of CloudWatch's values: ${RETENTION_DAYS.filter((d) => d > 0).join(', ')} (got ${logRetentionDays})`);
  }
  const config: VssDeployConfig = {
    stackName: c.string(r['stackName'], 'vss.stackName', /^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must be a valid CloudFormation stack name') ?? 'Vss',
    ...(account ? { account } : {}),
    ...(region ? { region } : {}),
    authMode,
    allowUnauthenticated,
    ...(jwt ? { jwt } : {}),
    ...(cog ? { cognito: cog } : {}),
    ...(lnurlAuth ? { lnurlAuth } : {}),
    ...(table ? { table } : {}),
    ...(functions ? { functions } : {}),
    ...(throttling ? { throttling } : {}),
    ...(waf ? { waf: { ...waf, evaluationWindowSeconds: waf.evaluationWindowSeconds ? Number(waf.evaluationWindowSeconds) : undefined } } : {}),
    ...(alarms ? { alarms } : {}),
    ...(domain ? { domain } : {}),
    stageName: c.string(r['stageName'], 'vss.stageName', /^[A-Za-z0-9_]{1,128}$/, 'must be letters, digits or _'),
    logRetentionDays,
    retainLogs: c.bool(r['retainLogs'], 'vss.retainLogs'),
    executionLogLevel: c.oneOf(r['executionLogLevel'], 'vss.executionLogLevel', ['OFF', 'ERROR', 'INFO'] as const),
    metricsNamespace: c.string(r['metricsNamespace'], 'vss.metricsNamespace', /^[\w./#:-]{1,255}$/, 'must be a CloudWatch namespace'),
  } as VssDeployConfig;
  if (c.problems.length > 0) throw new ConfigError(c.problems);
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
        ...(config.cognito?.userPoolArn ? { userPool: cognito.UserPool.fromUserPoolArn(scope, 'ImportedUserPool', config.cognito.userPoolArn) } : {}),
        ...(config.cognito?.cacheTtlSeconds !== undefined ? { resultsCacheTtl: Duration.seconds(config.cognito.cacheTtlSeconds) } : {}),
      });
      break;
    case 'signature':
      auth = VssAuth.signature();
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
            ...(t.billingMode ? { billingMode: t.billingMode === 'PROVISIONED' ? dynamodb.BillingMode.PROVISIONED : dynamodb.BillingMode.PAY_PER_REQUEST } : {}),
            ...(t.provisioned ? { provisionedCapacity: t.provisioned } : {}),
            ...(typeof cmk === 'string' ? { customerManagedKey: kms.Key.fromKeyArn(scope, 'ImportedTableKey', cmk) } : cmk ? { customerManagedKey: true } : {}),
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
            ...(config.waf.evaluationWindowSeconds !== undefined ? { evaluationWindow: Duration.seconds(config.waf.evaluationWindowSeconds) } : {}),
            ...(config.waf.managedRules !== undefined ? { managedRules: config.waf.managedRules } : {}),
          },
        }
      : {}),
    ...(config.lnurlAuth?.enabled
      ? { lnurlAuth: config.lnurlAuth.tokenTtlSeconds !== undefined ? { tokenTtl: Duration.seconds(config.lnurlAuth.tokenTtlSeconds) } : {} }
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
            ...(config.domain.certificateArn ? { certificate: acm.Certificate.fromCertificateArn(scope, 'ImportedCertificate', config.domain.certificateArn) } : {}),
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
  };
}
