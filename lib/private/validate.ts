/**
 * Synth-time validation of the construct's props: they are described in the shape of the
 * deployment config (durations in seconds, given resources as "given") and checked by the one
 * schema (schema.ts); problems are reported under the props' own names.
 */
import { Token, type Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { VssAuth } from '../auth.js';
import type { VssFunctionOptions } from '../functions.js';
import { VssFrontDoor } from '../front-door.js';
import type { VssServiceProps } from '../vss-service.js';
import { VssConfigError, configProblems } from './schema.js';

const GIVEN = 'given';

/** Config-shape paths whose prop has another name (applied in order). */
const PROP_NAMES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^authMode$/, 'auth'],
  [/^allowUnauthenticated$/, 'auth (VssAuth.none)'],
  [/^signature\.maxClockSkewSeconds$/, 'auth.signature.maxClockSkew'],
  [/^signature\b/, 'auth.signature'],
  [/^jwt\.cacheTtlSeconds$/, 'auth.jwt.resultsCacheTtl'],
  [/^cognito\.cacheTtlSeconds$/, 'auth.cognito.resultsCacheTtl'],
  [/^(jwt|cognito)\b/, 'auth.$1'],
  [/^lnurlAuth\.tokenTtlSeconds$/, 'lnurlAuth.tokenTtl'],
  [/^table\.existingTableArn$/, 'existingTable'],
  [/^table\.provisioned\b/, 'tableOptions.provisionedCapacity'],
  [/^table\.customerManagedKey$/, 'tableOptions.encryption'],
  [/^table\b/, 'tableOptions'],
  [/^functions\.defaults\b/, 'functionDefaults'],
  [/\.timeoutSeconds$/, '.timeout'],
  [/^waf\.evaluationWindowSeconds$/, 'waf.evaluationWindow'],
  [/^alarms\.topicArn$/, 'alarms.topic'],
  [/^alarms\.p99LatencyMs$/, 'alarms.p99Latency'],
  [/^domain\.certificateArn$/, 'domain.certificate'],
  [/^domain\.hostedZone(Id|Name)$/, 'domain.hostedZone'],
  [/^logRetentionDays$/, 'logRetention'],
  [/^frontDoor\.(drain|idle)TimeoutSeconds$/, 'frontDoor.$1Timeout'],
  [/^backup\.retentionDays$/, 'backup.retention'],
  [/^backup\.copyRetentionDays$/, 'backup.copyRetention'],
  [/^backup\.vaultLock\.(min|max)RetentionDays$/, 'backup.vaultLock.$1Retention'],
  [/^backup\.vaultLock\.changeableForDays$/, 'backup.vaultLock.changeableFor'],
  [/^backup\.restoreDrill\.validationWindowHours$/, 'backup.restoreDrill.validationWindow'],
  [/^largeValues\.existingBucketArn$/, 'largeValues.existingBucket'],
  [/^largeValues\.bucketName$/, 'largeValues.bucketProps.bucketName'],
  [/^largeValues\.accessLogsBucketArn$/, 'largeValues.accessLogsBucket'],
];

export function propName(path: string): string {
  return PROP_NAMES.reduce((p, [pattern, name]) => p.replace(pattern, name), path);
}

/** Seconds of a duration, or nothing when it is a token only deployment resolves. */
function seconds(d: Duration | undefined): number | undefined {
  if (d === undefined) return undefined;
  const s = d.toSeconds();
  return Token.isUnresolved(s) ? undefined : s;
}

/** Days (or hours) of a duration; fractions are kept so the schema reports them. */
function days(d: Duration | undefined): number | undefined {
  const s = seconds(d);
  return s === undefined ? undefined : s / 86400;
}
function hours(d: Duration | undefined): number | undefined {
  const s = seconds(d);
  return s === undefined ? undefined : s / 3600;
}

function millis(d: Duration | undefined): number | undefined {
  if (d === undefined) return undefined;
  const ms = d.toMilliseconds();
  return Token.isUnresolved(ms) ? undefined : ms;
}

/** A name the schema can check, or nothing when only deployment resolves it. */
const resolvedName = (name: string | undefined): string | undefined => (name === undefined || Token.isUnresolved(name) ? undefined : name);

function describeFunction(o: VssFunctionOptions | undefined): Record<string, unknown> | undefined {
  if (!o) return undefined;
  const { timeout, ...rest } = o;
  return { ...rest, ...(timeout !== undefined ? { timeoutSeconds: seconds(timeout) } : {}) };
}

const defined = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined));

/** The props in the shape of the deployment config. */
export function describeProps(props: VssServiceProps): Record<string, unknown> {
  const auth = props.auth;
  const t = props.tableOptions;
  const cap = t?.provisionedCapacity;
  return defined({
    authMode: auth.mode,
    allowUnauthenticated: auth.mode === 'none' ? true : undefined,
    signature:
      auth.signatureOptions && Object.keys(auth.signatureOptions).length > 0
        ? defined({ enrollment: auth.signatureOptions.enrollment, maxClockSkewSeconds: seconds(auth.signatureOptions.maxClockSkew) })
        : undefined,
    jwt:
      auth.jwtOptions &&
      defined({ ...auth.jwtOptions, resultsCacheTtl: undefined, cacheTtlSeconds: seconds(auth.jwtOptions.resultsCacheTtl) }),
    cognito:
      auth.cognitoOptions &&
      defined({
        userPoolArn: auth.cognitoOptions.userPool ? GIVEN : undefined,
        cacheTtlSeconds: seconds(auth.cognitoOptions.resultsCacheTtl),
      }),
    lnurlAuth: props.lnurlAuth && defined({ enabled: true, tokenTtlSeconds: seconds(props.lnurlAuth.tokenTtl) }),
    table:
      props.existingTable || t
        ? defined({
            existingTableArn: props.existingTable ? GIVEN : undefined,
            ...(t
              ? {
                  tableName: t.tableName,
                  billingMode:
                    t.billingMode === undefined
                      ? undefined
                      : t.billingMode === dynamodb.BillingMode.PROVISIONED
                        ? 'PROVISIONED'
                        : 'PAY_PER_REQUEST',
                  provisioned: cap && defined({ ...cap }),
                  customerManagedKey: t.encryption === undefined ? undefined : t.encryption.kind === 'customerManaged',
                }
              : {}),
          })
        : undefined,
    functions:
      props.functionDefaults || props.functions
        ? defined({
            defaults: describeFunction(props.functionDefaults),
            ...Object.fromEntries(Object.entries(props.functions ?? {}).map(([k, o]) => [k, describeFunction(o)])),
          })
        : undefined,
    throttling: props.throttling && defined({ ...props.throttling }),
    waf: props.waf && defined({ ...props.waf, evaluationWindow: undefined, evaluationWindowSeconds: seconds(props.waf.evaluationWindow) }),
    alarms:
      props.alarms &&
      defined({
        topicArn: props.alarms.topic ? GIVEN : undefined,
        emails: props.alarms.emails ? [...props.alarms.emails] : undefined,
        serverErrorRate: props.alarms.serverErrorRate,
        p99LatencyMs: millis(props.alarms.p99Latency),
      }),
    domain:
      props.domain &&
      defined({
        domainName: props.domain.domainName,
        certificateArn: props.domain.certificate ? GIVEN : undefined,
        hostedZoneId: props.domain.hostedZone ? GIVEN : undefined,
        hostedZoneName: props.domain.hostedZone ? GIVEN : undefined,
      }),
    stageName: props.stageName,
    logRetentionDays: props.logRetention,
    executionLogLevel: props.executionLogLevel === undefined ? undefined : executionLogLevelName(props.executionLogLevel),
    metricsNamespace: props.metricsNamespace,
    frontDoor: describeFrontDoor(props.frontDoor),
    largeValues:
      props.largeValues &&
      defined({
        inlineMaxBytes: props.largeValues.inlineMaxBytes,
        retentionDays: props.largeValues.retentionDays,
        existingBucketArn: props.largeValues.existingBucket ? GIVEN : undefined,
        bucketName: resolvedName(props.largeValues.bucketProps?.bucketName),
        accessLogsBucketArn: props.largeValues.accessLogsBucket ? GIVEN : undefined,
      }),
    provider: props.provider,
    backup: describeBackup(props.backup),
  });
}

function describeBackup(b: VssServiceProps['backup']): Record<string, unknown> | undefined {
  if (!b) return undefined;
  const lock = b.vaultLock;
  const drill = b.restoreDrill;
  return defined({
    schedule: b.schedule?.expressionString,
    retentionDays: days(b.retention),
    copyToRegion: b.copyToRegion,
    copyToAccount: b.copyToAccount,
    copyVaultName: b.copyVaultName,
    copyRetentionDays: days(b.copyRetention),
    vaultLock:
      lock &&
      defined({
        minRetentionDays: days(lock.minRetention),
        maxRetentionDays: days(lock.maxRetention),
        changeableForDays: days(lock.changeableFor),
      }),
    restoreDrill:
      drill &&
      defined({ enabled: drill.enabled, schedule: drill.schedule?.expressionString, validationWindowHours: hours(drill.validationWindow) }),
  });
}

function describeFrontDoor(door: VssFrontDoor | undefined): Record<string, unknown> | undefined {
  if (!door) return undefined;
  if (door.kind === 'apiGateway') return { kind: 'apiGateway' };
  const { drainTimeout, idleTimeout, existingVpc, image, ...rest } = door.containerOptions ?? {};
  void image; // any image will do
  return defined({
    kind: 'container',
    ...rest,
    drainTimeoutSeconds: seconds(drainTimeout),
    idleTimeoutSeconds: seconds(idleTimeout),
    existingVpc: existingVpc ? GIVEN : undefined,
  });
}

function executionLogLevelName(level: apigw.MethodLoggingLevel): string {
  return Object.entries(apigw.MethodLoggingLevel).find(([, x]) => x === level)?.[0] ?? String(level);
}

/** Throws VssConfigError listing every problem of the props, each under its prop name. */
export function validateProps(props: VssServiceProps): void {
  if (props?.frontDoor !== undefined && !(props.frontDoor instanceof VssFrontDoor)) {
    throw new VssConfigError('Invalid VssService configuration', [
      'frontDoor must be VssFrontDoor.apiGateway() or VssFrontDoor.container({...})',
    ]);
  }
  if (!(props?.auth instanceof VssAuth)) {
    throw new VssConfigError('Invalid VssService configuration', [
      'auth is required: VssAuth.jwt(), VssAuth.cognito(), VssAuth.signature() or VssAuth.none({...})',
    ]);
  }
  const { problems } = configProblems(describeProps(props), { refs: 'object', name: propName });
  // Every bucketProps key, not only the name the deployment config knows, applies to a new bucket only.
  const large = props.largeValues;
  if (large?.existingBucket && large.bucketProps && large.bucketProps.bucketName === undefined)
    problems.push(
      'largeValues.existingBucket cannot be combined with largeValues.bucketProps (it applies only to a bucket the construct creates)',
    );
  if (problems.length > 0) throw new VssConfigError('Invalid VssService configuration', problems);
}
