/**
 * THE validator of the service's configuration (valibot): one schema of every setting and one list
 * of the rules between settings. It checks the `vss` context object of bin/ (settings by name,
 * resources by ARN) and the construct's props (lib/private/validate.ts describes props in the same
 * shape, resources as "given"), so the deployment config and the construct can never disagree.
 * Every problem is reported at once, each naming its setting.
 *
 * To add a setting: its schema in configEntries (with a message that says what is allowed), a
 * rule in crossFieldProblems if it depends on another setting, its prop name in PROP_NAMES if it
 * differs, and the mapping in bin/config.ts (toServiceProps) and validate.ts (describeProps).
 */
import * as logs from 'aws-cdk-lib/aws-logs';
import * as v from 'valibot';
import {
  DEPLOYED_AUTH_MODES,
  JWT_ALGORITHMS,
  LARGE_VALUES,
  OPERATIONS,
  SIGNATURE_ENROLLMENTS,
  SIGNATURE_MAX_SKEW,
} from '../../lambda/contract.js';
import type { VssFunctionName } from '../functions.js';
import { FUNCTION_NAMES } from './functions.js';
import { CONTAINER_DEFAULTS, CONTAINER_MAX_BODY_BYTES, FARGATE_MEMORY_MIB, TASK_BASE_MEMORY_MIB } from './container.js';
import { DEFAULT_BACKUP_RETENTION_DAYS, RESTORE_DRILL_BUILT_IN_OPTIONS } from './backup-defaults.js';
import { SWEEPER_BUILT_IN_OPTIONS } from './sweeper.js';

/** A bad configuration: synth stops with this message (never a stack trace). */
export class VssConfigError extends Error {
  constructor(
    heading: string,
    /** Every problem, each starting with the setting's path. */
    readonly problems: readonly string[],
  ) {
    super(`${heading}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'VssConfigError';
  }
}

const got = (input: unknown): string => `(got ${JSON.stringify(input)})`;

/** An integer in [min, max]; decimal strings are accepted (context values may be strings). */
function int(min: number, max: number, unit = '') {
  const message = (i: { input: unknown }) => `must be an integer from ${min} to ${max}${unit} ${got(i.input)}`;
  return v.pipe(
    v.union([v.number(), v.pipe(v.string(), v.regex(/^-?\d+$/), v.transform(Number))], message),
    v.integer(message),
    v.minValue(min, message),
    v.maxValue(max, message),
  );
}

/** A finite number in [min, max]; numeric strings are accepted. */
function num(min: number, max: number) {
  const message = (i: { input: unknown }) => `must be a number from ${min} to ${max} ${got(i.input)}`;
  return v.pipe(
    v.union([v.number(), v.pipe(v.string(), v.regex(/^\s*-?\d+(\.\d+)?\s*$/), v.transform(Number))], message),
    v.finite(message),
    v.minValue(min, message),
    v.maxValue(max, message),
  );
}

/** true or false; "true" and "false" are accepted. */
const bool = v.union(
  [
    v.boolean(),
    v.pipe(
      v.picklist(['true', 'false']),
      v.transform((s) => s === 'true'),
    ),
  ],
  (i) => `must be true or false ${got(i.input)}`,
);

function text(pattern?: RegExp, hint?: string) {
  const base = v.pipe(
    v.string((i) => `must be a non-empty string ${got(i.input)}`),
    v.minLength(1, 'must be a non-empty string'),
  );
  return pattern
    ? v.pipe(
        base,
        v.regex(pattern, (i) => `${hint ?? `must match ${pattern}`} ${got(i.input)}`),
      )
    : base;
}

function oneOf<const T extends readonly (string | number)[]>(
  values: T,
  what = `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`,
) {
  return v.picklist(values, (i) => `must be ${what} ${got(i.input)}`);
}

/** An object whose unknown keys (typos) are reported with the list of known ones. */
function settings<const E extends v.ObjectEntries>(entries: E) {
  const known = Object.keys(entries).join(', ');
  return v.strictObject(entries, (i) =>
    i.expected === 'never' ? `is not a known setting (known: ${known})` : `must be an object ${got(i.input)}`,
  );
}

/**
 * A reference to an existing resource: an ARN (or ID) in the deployment config, any value in the
 * construct's props (where the resource object itself is given).
 */
export type RefMode = 'arn' | 'object';

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
/** AWS Backup's schedule syntax: cron with six fields, in UTC. */
const CRON = /^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/;
const CRON_HINT = 'must be a cron expression of six fields in UTC, e.g. "cron(0 3 * * ? *)"';
export const RETENTION_DAYS = Object.values(logs.RetentionDays).filter((d): d is number => typeof d === 'number' && d > 0);
const FARGATE_CPUS = Object.keys(FARGATE_MEMORY_MIB).map(Number);

const functionOptions = settings({
  memorySize: v.optional(int(128, 10240, ' MB')),
  timeoutSeconds: v.optional(int(1, 29, ' seconds: API Gateway stops waiting after 29 s')),
  reservedConcurrency: v.optional(int(0, 100_000)),
  provisionedConcurrency: v.optional(int(1, 100_000)),
});
const perOperationLimits = settings({ rateLimit: num(0, 1e6), burstLimit: int(0, 1e6) });

/** Every setting of the `vss` object (docs/configuration.md documents each). */
function configEntries(refs: RefMode) {
  const ref = (pattern: RegExp, hint: string) => (refs === 'arn' ? text(pattern, hint) : v.string());
  return {
    stackName: v.optional(text(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'must be a valid CloudFormation stack name'), 'Vss'),
    account: v.optional(text(/^\d{12}$/, 'must be a 12-digit AWS account ID')),
    region: v.optional(text(REGION, 'must be an AWS region such as eu-west-1')),
    authMode: v.optional(oneOf(DEPLOYED_AUTH_MODES), 'signature'),
    allowUnauthenticated: v.optional(bool, false),
    signature: v.optional(
      settings({
        enrollment: v.optional(oneOf(SIGNATURE_ENROLLMENTS)),
        maxClockSkewSeconds: v.optional(int(SIGNATURE_MAX_SKEW.minSeconds, SIGNATURE_MAX_SKEW.maxSeconds, ' seconds')),
      }),
    ),
    jwt: v.optional(
      settings({
        publicKeyPem: v.optional(
          text(
            /-----BEGIN (RSA )?PUBLIC KEY-----/,
            'must be a PEM public key (-----BEGIN PUBLIC KEY----- or -----BEGIN RSA PUBLIC KEY-----)',
          ),
        ),
        jwksUrl: v.optional(text(/^https:\/\/\S+$/, 'must be an https:// URL')),
        issuer: v.optional(text()),
        audience: v.optional(text()),
        // Exactly what the authorizer verifies (lambda/auth/jwt.ts): anything else would
        // synthesize and then answer every request with an error.
        algorithms: v.optional(
          v.pipe(
            v.array(oneOf(JWT_ALGORITHMS, `an algorithm the authorizer verifies: ${JWT_ALGORITHMS.join(', ')}`), 'must be a list'),
            v.minLength(1, `must list at least one of ${JWT_ALGORITHMS.join(', ')}`),
          ),
        ),
        cacheTtlSeconds: v.optional(int(0, 3600, ' seconds')),
      }),
    ),
    cognito: v.optional(
      settings({
        userPoolArn: v.optional(ref(/^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/[\w-]+$/, 'must be a Cognito user pool ARN')),
        cacheTtlSeconds: v.optional(int(0, 3600, ' seconds')),
      }),
    ),
    lnurlAuth: v.optional(settings({ enabled: v.optional(bool, true), tokenTtlSeconds: v.optional(int(60, 30 * 86400, ' seconds')) })),
    table: v.optional(
      settings({
        existingTableArn: v.optional(ref(/^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[\w.-]+$/, 'must be a DynamoDB table ARN')),
        tableName: v.optional(text(/^[\w.-]{3,255}$/, 'must be 3-255 characters of a-z A-Z 0-9 _ - .')),
        billingMode: v.optional(oneOf(['PAY_PER_REQUEST', 'PROVISIONED'] as const)),
        provisioned: v.optional(
          settings({
            minReadCapacity: int(1, 40000),
            maxReadCapacity: int(1, 40000),
            minWriteCapacity: int(1, 40000),
            maxWriteCapacity: int(1, 40000),
            targetUtilizationPercent: v.optional(int(20, 90, ' percent')),
          }),
        ),
        customerManagedKey: v.optional(
          v.union(
            [bool, ref(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/, 'must be true, false or a KMS key ARN')],
            (i) => `must be true, false or a KMS key ARN ${got(i.input)}`,
          ),
        ),
      }),
    ),
    functions: v.optional(
      settings(
        Object.fromEntries(['defaults', ...FUNCTION_NAMES].map((n) => [n, v.optional(functionOptions)])) as Record<
          'defaults' | VssFunctionName,
          v.OptionalSchema<typeof functionOptions, undefined>
        >,
      ),
    ),
    throttling: v.optional(
      settings({
        rateLimit: v.optional(num(0, 1e6)),
        burstLimit: v.optional(int(0, 1e6)),
        perOperation: v.optional(
          settings(
            Object.fromEntries(OPERATIONS.map((op) => [op, v.optional(perOperationLimits)])) as Record<
              (typeof OPERATIONS)[number],
              v.OptionalSchema<typeof perOperationLimits, undefined>
            >,
          ),
        ),
      }),
    ),
    waf: v.optional(
      settings({
        enabled: v.optional(bool),
        perUserLimit: v.optional(int(10, 2_000_000_000, " (WAF's range)")),
        perIpLimit: v.optional(int(10, 2_000_000_000, " (WAF's range)")),
        evaluationWindowSeconds: v.optional(
          v.pipe(
            int(60, 600),
            v.picklist([60, 120, 300, 600], (i) => `must be 60, 120, 300 or 600 ${got(i.input)}`),
          ),
        ),
        managedRules: v.optional(bool),
      }),
    ),
    alarms: v.optional(
      settings({
        topicArn: v.optional(ref(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/, 'must be an SNS topic ARN')),
        emails: v.optional(v.array(text(EMAIL, 'must be an email address'), 'must be a list of email addresses')),
        serverErrorRate: v.optional(num(0.0001, 0.9999)),
        p99LatencyMs: v.optional(int(10, 29000, ' ms')),
      }),
    ),
    domain: v.optional(
      settings({
        domainName: text(DNS_NAME, 'must be a DNS name'),
        certificateArn: v.optional(ref(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/, 'must be an ACM certificate ARN')),
        hostedZoneId: v.optional(ref(/^Z[A-Z0-9]{1,32}$/, 'must be a Route 53 hosted zone ID')),
        hostedZoneName: v.optional(text()),
      }),
    ),
    stageName: v.optional(text(/^[A-Za-z0-9_]{1,128}$/, 'must be letters, digits or _')),
    logRetentionDays: v.optional(
      v.pipe(
        int(1, 3653),
        v.picklist(RETENTION_DAYS, (i) => `must be one of CloudWatch's values: ${RETENTION_DAYS.join(', ')} ${got(i.input)}`),
      ),
    ),
    retainLogs: v.optional(bool),
    executionLogLevel: v.optional(oneOf(['OFF', 'ERROR', 'INFO'] as const)),
    metricsNamespace: v.optional(text(/^[\w./#:-]{1,255}$/, 'must be a CloudWatch namespace')),
    frontDoor: v.optional(
      v.variant(
        'kind',
        [
          settings({ kind: v.literal('apiGateway') }),
          settings({
            kind: v.literal('container'),
            cpu: v.optional(
              v.pipe(
                int(256, 16384),
                v.picklist(FARGATE_CPUS, (i) => `must be one of Fargate's CPU values: ${FARGATE_CPUS.join(', ')} ${got(i.input)}`),
              ),
            ),
            memoryMiB: v.optional(int(512, 122880, ' MiB')),
            minTasks: v.optional(int(2, 1000, ': at least 2, one per Availability Zone')),
            maxTasks: v.optional(int(2, 1000)),
            targetCpuPercent: v.optional(int(10, 90, ' percent')),
            maxBodyBytes: v.optional(int(1024, CONTAINER_MAX_BODY_BYTES, ' bytes (1 GiB at most)')),
            maxInFlightBytes: v.optional(int(1024, 64 * CONTAINER_MAX_BODY_BYTES, ' bytes')),
            drainTimeoutSeconds: v.optional(int(5, 120, ' seconds')),
            idleTimeoutSeconds: v.optional(int(1, 4000, " seconds (the load balancer's range)")),
            existingVpc: v.optional(
              refs === 'arn'
                ? settings({
                    vpcId: text(/^vpc-[0-9a-f]{8,17}$/, 'must be a VPC ID (vpc-...)'),
                    availabilityZones: v.pipe(v.array(text(), 'must be a list'), v.minLength(2, 'must list at least 2 Availability Zones')),
                    publicSubnetIds: v.pipe(
                      v.array(text(/^subnet-[0-9a-f]{8,17}$/, 'must be a subnet ID (subnet-...)'), 'must be a list'),
                      v.minLength(2, 'must list a public subnet in each of at least 2 Availability Zones'),
                    ),
                    privateSubnetIds: v.optional(
                      v.array(text(/^subnet-[0-9a-f]{8,17}$/, 'must be a subnet ID (subnet-...)'), 'must be a list'),
                    ),
                  })
                : v.string(),
            ),
          }),
        ],
        (i) => `must be {"kind": "apiGateway"} or {"kind": "container", ...} ${got(i.input)}`,
      ),
    ),
    backup: v.optional(
      settings({
        enabled: v.optional(bool),
        schedule: v.optional(text(CRON, CRON_HINT)),
        retentionDays: v.optional(int(1, 36500, ' days')),
        copyToRegion: v.optional(text(REGION, 'must be an AWS region such as eu-central-1')),
        copyToAccount: v.optional(text(/^\d{12}$/, 'must be a 12-digit AWS account ID')),
        copyVaultName: v.optional(text(/^[A-Za-z0-9_-]{2,50}$/, 'must be 2-50 characters of a-z A-Z 0-9 _ -')),
        copyRetentionDays: v.optional(int(1, 36500, ' days')),
        vaultLock: v.optional(
          settings({
            minRetentionDays: int(1, 36500, ' days'),
            maxRetentionDays: v.optional(int(1, 36500, ' days')),
            changeableForDays: v.optional(int(3, 36500, ' days (AWS Backup requires at least 3)')),
          }),
        ),
        restoreDrill: v.optional(
          settings({
            enabled: v.optional(bool),
            schedule: v.optional(text(CRON, CRON_HINT)),
            validationWindowHours: v.optional(int(1, 168, ' hours')),
          }),
        ),
      }),
    ),
    largeValues: v.optional(
      settings({
        inlineMaxBytes: v.optional(
          int(LARGE_VALUES.minInlineMaxBytes, LARGE_VALUES.maxInlineMaxBytes, " bytes: an item must stay under DynamoDB's 400 KB"),
        ),
        retentionDays: v.optional(int(LARGE_VALUES.minRetentionDays, 3650, ' days')),
        existingBucketArn: v.optional(ref(/^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket ARN')),
        bucketName: v.optional(text(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name')),
        accessLogsBucketArn: v.optional(ref(/^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket ARN')),
      }),
    ),
    provider: v.optional(
      settings({
        usageMetering: v.optional(bool),
        quota: v.optional(
          settings({
            maxKeys: v.optional(int(0, 1e12)),
            maxBytes: v.optional(int(0, 1e15, ' bytes')),
            softThresholdPercent: v.optional(num(1, 100)),
          }),
        ),
        rateLimit: v.optional(settings({ perSecond: num(0.01, 1e6), burst: v.optional(int(1, 1e6)) })),
        throttledRequestsAlarmThreshold: v.optional(int(0, 1e9)),
      }),
    ),
  };
}

export const DEPLOY_CONFIG_SCHEMA = settings(configEntries('arn'));
const PROPS_SCHEMA = settings(configEntries('object'));

/** The validated `vss` context object: its type is inferred from the schema, so it cannot drift. */
export type VssDeployConfig = v.InferOutput<typeof DEPLOY_CONFIG_SCHEMA>;
export type FunctionConfig = v.InferOutput<typeof functionOptions>;

type Switchable = { enabled?: unknown } | undefined;

/** The functions a configuration deploys (the authorizer, the issuer and the drill only when on). */
export function deployedFunctions(config: {
  authMode?: unknown;
  lnurlAuth?: Switchable;
  backup?: ({ restoreDrill?: Switchable } & Switchable) | undefined;
}): VssFunctionName[] {
  return FUNCTION_NAMES.filter((n) =>
    n === 'jwtAuthorizer'
      ? config.authMode === 'jwt'
      : n === 'lnurlAuth'
        ? lnurlEnabled(config)
        : n === 'restoreDrill'
          ? restoreDrillEnabled(config)
          : true,
  );
}
const switchedOn = (o: Switchable, absent: boolean): boolean => (o === undefined ? absent : o.enabled !== false && o.enabled !== 'false');
const lnurlEnabled = (c: { lnurlAuth?: Switchable }): boolean => !!c.lnurlAuth && switchedOn(c.lnurlAuth, false);
/** `backup` is on when present, unless `enabled` is false. */
export const backupEnabled = (c: { backup?: Switchable }): boolean => !!c.backup && switchedOn(c.backup, false);
const restoreDrillEnabled = (c: { backup?: ({ restoreDrill?: Switchable } & Switchable) | undefined }): boolean =>
  backupEnabled(c) && switchedOn(c.backup?.restoreDrill, true);

/** Options each function has before the operator's. */
const BUILT_IN_FUNCTION_OPTIONS: Partial<Record<VssFunctionName, FunctionConfig>> = {
  sweepChunks: SWEEPER_BUILT_IN_OPTIONS,
  restoreDrill: RESTORE_DRILL_BUILT_IN_OPTIONS,
};

// biome-ignore lint/suspicious/noExplicitAny: the cross-field rules read a value the schema may have rejected in part; each checks types itself.
type Loose = Record<string, any>;

/**
 * The rules between settings, on the (possibly partly invalid) parsed value: each looks only at
 * values of the right type, so a bad field is reported once, by the schema. `n` names a setting.
 */
function crossFieldProblems(c: Loose, n: (path: string) => string): string[] {
  const problems: string[] = [];
  const mode = c['authMode'];
  const { signature, jwt, cognito, table, alarms, domain } = c;
  if (mode === 'none' && c['allowUnauthenticated'] !== true) {
    problems.push(
      `${n('authMode')} "none" makes every caller the same user and is refused; set ${n('allowUnauthenticated')} to true only for a throwaway test deployment`,
    );
  }
  if (signature && mode !== 'signature')
    problems.push(`${n('signature')} is set but ${n('authMode')} is "${mode}" (signature settings apply only to authMode "signature")`);
  if (jwt && mode !== 'jwt')
    problems.push(`${n('jwt')} is set but ${n('authMode')} is "${mode}" (jwt settings apply only to authMode "jwt")`);
  if (cognito && mode !== 'cognito') problems.push(`${n('cognito')} is set but ${n('authMode')} is "${mode}"`);
  if (lnurlEnabled(c) && mode !== 'jwt') problems.push(`${n('lnurlAuth')} issues JWTs and needs ${n('authMode')} "jwt" (got "${mode}")`);
  if (mode === 'jwt' && !jwt?.publicKeyPem && !jwt?.jwksUrl && !lnurlEnabled(c)) {
    problems.push(
      `${n('authMode')} "jwt" needs a key to verify tokens: set ${n('jwt.publicKeyPem')}, ${n('jwt.jwksUrl')}, or enable ${n('lnurlAuth')}`,
    );
  }
  if (table && typeof table === 'object') {
    if (table.existingTableArn !== undefined && Object.keys(table).some((k) => k !== 'existingTableArn')) {
      problems.push(
        `${n('table.existingTableArn')} cannot be combined with other ${n('table')} settings (they apply only to a table the stack creates)`,
      );
    }
    const p = table.provisioned;
    if (table.billingMode === 'PROVISIONED' && !p)
      problems.push(`${n('table.billingMode')} "PROVISIONED" requires ${n('table.provisioned')}`);
    if (p && table.billingMode !== 'PROVISIONED')
      problems.push(`${n('table.provisioned')} requires ${n('table.billingMode')} "PROVISIONED"`);
    for (const rw of ['Read', 'Write']) {
      const [min, max] = [p?.[`min${rw}Capacity`], p?.[`max${rw}Capacity`]];
      if (typeof min === 'number' && typeof max === 'number' && min > max)
        problems.push(`${n('table.provisioned')}: min${rw}Capacity (${min}) exceeds max${rw}Capacity (${max})`);
    }
  }
  // Concurrency after merging built-in options, defaults and the function's own: Lambda refuses
  // provisioned concurrency above the reserved concurrency in force.
  const fns: Loose = c['functions'] ?? {};
  for (const name of deployedFunctions(c)) {
    const layers: Array<[string, Loose | undefined]> = [
      ['built-in', BUILT_IN_FUNCTION_OPTIONS[name]],
      [n('functions.defaults'), fns['defaults']],
      [n(`functions.${name}`), fns[name]],
    ];
    let reserved: [number, string] | undefined;
    let provisioned: [number, string] | undefined;
    for (const [from, o] of layers) {
      if (typeof o?.['reservedConcurrency'] === 'number') reserved = [o['reservedConcurrency'], from];
      if (typeof o?.['provisionedConcurrency'] === 'number') provisioned = [o['provisionedConcurrency'], from];
    }
    if (reserved && provisioned && provisioned[0] > reserved[0]) {
      problems.push(
        `${n(`functions.${name}`)}: provisionedConcurrency ${provisioned[0]} (from ${provisioned[1]}) cannot exceed reservedConcurrency ${reserved[0]} (from ${reserved[1]})`,
      );
    }
  }
  problems.push(...containerProblems(c, n));
  problems.push(...backupProblems(c['backup'], c['region'], n));
  const large = c['largeValues'];
  if (large && typeof large === 'object' && large.existingBucketArn !== undefined) {
    for (const k of ['bucketName', 'accessLogsBucketArn'])
      if (large[k] !== undefined)
        problems.push(
          `${n('largeValues.existingBucketArn')} cannot be combined with ${n(`largeValues.${k}`)} (it applies only to a bucket the stack creates)`,
        );
  }
  if (alarms?.topicArn !== undefined && Array.isArray(alarms.emails) && alarms.emails.length > 0) {
    problems.push(`${n('alarms.topicArn')} and ${n('alarms.emails')} are mutually exclusive (subscribe the addresses to your own topic)`);
  }
  if (domain && typeof domain === 'object') {
    if ((domain.hostedZoneId === undefined) !== (domain.hostedZoneName === undefined))
      problems.push(`${n('domain.hostedZoneId')} and ${n('domain.hostedZoneName')} go together`);
    if (domain.certificateArn === undefined && domain.hostedZoneId === undefined) {
      problems.push(
        `${n('domain')} needs ${n('domain.certificateArn')}, or ${n('domain.hostedZoneId')} to create a DNS-validated certificate in`,
      );
    }
  }
  return problems;
}

/**
 * The container front door: what it needs (a domain for its certificate), the settings that
 * belong to the API Gateway door only, and the sizing rules of a task.
 */
function containerProblems(c: Loose, n: (path: string) => string): string[] {
  const door = c['frontDoor'];
  if (door?.kind !== 'container') return [];
  const problems: string[] = [];
  const why = 'applies to the API Gateway front door only';
  if (!c['domain'])
    problems.push(
      `${n('frontDoor')} "container" needs ${n('domain')}: the load balancer serves HTTPS only, with the domain's ACM certificate`,
    );
  if (c['authMode'] === 'cognito')
    problems.push(`${n('authMode')} "cognito" is not available on ${n('frontDoor')} "container" (use "signature" or "jwt")`);
  if (lnurlEnabled(c))
    problems.push(
      `${n('lnurlAuth')} is not available on ${n('frontDoor')} "container" (the issuer is a Lambda function behind API Gateway)`,
    );
  for (const key of ['throttling', 'stageName', 'executionLogLevel'])
    if (c[key] !== undefined) problems.push(`${n(key)} ${why}; ${n('frontDoor')} is "container"`);
  for (const name of Object.keys(c['functions'] ?? {}))
    if (name !== 'defaults' && name !== 'sweepChunks') problems.push(`${n(`functions.${name}`)} ${why}; ${n('frontDoor')} is "container"`);
  const num = (k: string): number | undefined => (typeof door[k] === 'number' ? door[k] : undefined);
  const cpu = num('cpu') ?? CONTAINER_DEFAULTS.cpu;
  const memory = num('memoryMiB') ?? CONTAINER_DEFAULTS.memoryMiB;
  const range = FARGATE_MEMORY_MIB[cpu];
  if (range && (memory < range[0] || memory > range[1] || memory % range[2] !== 0))
    problems.push(
      `${n('frontDoor.memoryMiB')} ${memory} is not offered by Fargate with cpu ${cpu}: use ${range[0]} to ${range[1]} in steps of ${range[2]}`,
    );
  const body = num('maxBodyBytes') ?? CONTAINER_DEFAULTS.maxBodyBytes;
  const inFlight = num('maxInFlightBytes') ?? Math.max(CONTAINER_DEFAULTS.maxInFlightBytes, body);
  if (inFlight < body)
    problems.push(
      `${n('frontDoor.maxInFlightBytes')} (${inFlight}) must be at least ${n('frontDoor.maxBodyBytes')} (${body}), or no such body could ever be served`,
    );
  const needed = Math.ceil((2 * inFlight) / 2 ** 20) + TASK_BASE_MEMORY_MIB;
  if (memory < needed)
    problems.push(
      `${n('frontDoor.memoryMiB')} ${memory} cannot hold ${n('frontDoor.maxInFlightBytes')} ${inFlight} twice over plus ${TASK_BASE_MEMORY_MIB} MiB: use at least ${needed} MiB or lower the in-flight bound`,
    );
  const [min, max] = [num('minTasks') ?? CONTAINER_DEFAULTS.minTasks, num('maxTasks') ?? CONTAINER_DEFAULTS.maxTasks];
  if (min > max) problems.push(`${n('frontDoor.minTasks')} (${min}) exceeds ${n('frontDoor.maxTasks')} (${max})`);
  return problems;
}

/** The rules between `backup` settings (each problem would otherwise surface at deploy, or worse, as failed backups). */
function backupProblems(b: Loose | undefined, region: unknown, n: (path: string) => string): string[] {
  if (!b || typeof b !== 'object') return [];
  const problems: string[] = [];
  if (b['copyToRegion'] === undefined) {
    for (const k of ['copyToAccount', 'copyVaultName', 'copyRetentionDays'])
      if (b[k] !== undefined) problems.push(`${n(`backup.${k}`)} requires ${n('backup.copyToRegion')}`);
  } else if (b['copyToRegion'] === region && b['copyToAccount'] === undefined) {
    problems.push(
      `${n('backup.copyToRegion')} is the stack's own region: a copy there survives neither a lost region nor a lost account (name another region, or set ${n('backup.copyToAccount')})`,
    );
  }
  const lock = b['vaultLock'];
  const retention = typeof b['retentionDays'] === 'number' ? b['retentionDays'] : DEFAULT_BACKUP_RETENTION_DAYS;
  const copyRetention = typeof b['copyRetentionDays'] === 'number' ? b['copyRetentionDays'] : retention;
  if (lock && typeof lock === 'object') {
    const min = lock['minRetentionDays'];
    const max = lock['maxRetentionDays'];
    if (typeof min === 'number') {
      if (retention < min)
        problems.push(
          `${n('backup.retentionDays')} (${retention}) is below ${n('backup.vaultLock.minRetentionDays')} (${min}): every backup job would fail`,
        );
      if (b['copyToRegion'] !== undefined && copyRetention < min)
        problems.push(
          `${n('backup.copyRetentionDays')} (${copyRetention}) is below ${n('backup.vaultLock.minRetentionDays')} (${min}): every copy job would fail`,
        );
      if (typeof max === 'number' && max < min)
        problems.push(`${n('backup.vaultLock.maxRetentionDays')} (${max}) is below ${n('backup.vaultLock.minRetentionDays')} (${min})`);
    }
    if (typeof max === 'number' && retention > max)
      problems.push(
        `${n('backup.retentionDays')} (${retention}) exceeds ${n('backup.vaultLock.maxRetentionDays')} (${max}): every backup job would fail`,
      );
  }
  return problems;
}

export interface CheckOptions {
  /** Which references the value holds: ARNs (deployment config) or given objects (props). */
  readonly refs: RefMode;
  /** Turns a setting's path in the config shape into the name the user wrote. */
  readonly name: (path: string) => string;
}

/** Every problem of `value`, each starting with the setting's name; empty when valid. */
export function configProblems(value: unknown, options: CheckOptions): { problems: string[]; output: unknown } {
  const result = v.safeParse(options.refs === 'arn' ? DEPLOY_CONFIG_SCHEMA : PROPS_SCHEMA, value, { abortEarly: false });
  const problems = (result.issues ?? []).map((issue) => {
    const path = v.getDotPath(issue);
    return path ? `${options.name(path)} ${issue.message}` : `${options.name('')} ${issue.message}`.trim();
  });
  const output = result.output as Loose;
  if (output && typeof output === 'object') problems.push(...crossFieldProblems(output, options.name));
  return { problems, output: result.output };
}
