/**
 * `VssService`: the Versioned Storage Service as one reusable L3 construct — REST API with
 * protocol-correct gateway responses, one Lambda function per operation, the DynamoDB table,
 * authorizers, WAF, alarms and a dashboard. A wallet company can drop it into its own CDK app;
 * bin/vss.ts deploys it standalone. Every option is documented in docs/configuration.md.
 *
 * CONSTRUCT IDS ARE A CONTRACT. The logical IDs of stateful resources derive from them:
 * renaming `Table`, `TableKey`, `LnurlChallenges`, `LnurlSigningKey` or `UserPool` makes
 * CloudFormation create a new resource (and, for the retained table, orphan the old one with
 * all wallet data). Never rename them.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Annotations, Duration, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { OPERATIONS, PROTOCOL_VERSION, PROTOCOL_VERSION_HEADER, type Operation } from '../lambda/core/service.js';
import { ErrorCode } from '../lambda/core/errors.js';
import { MAX_REQUEST_BODY_BYTES } from '../lambda/core/limits.js';
import { decimalGreaterThanPattern } from './decimal-pattern.js';
import { TABLE_LAYOUT } from '../lambda/store/table-layout.js';
import { AUTH_MODE_ENV, TABLE_NAME_ENV } from '../lambda/handlers/runtime.js';
import { METRIC_NAMES } from '../lambda/handlers/observability.js';
import { DEFAULT_AUTHORIZER_CACHE_TTL, VssAuth, type VssAuthMode } from './auth.js';
import { GATEWAY_RESPONSE_CONTENT_TYPES, GATEWAY_RESPONSE_HEADERS, GATEWAY_RESPONSES, protocolErrorBody } from './gateway-responses.js';
import {
  LNURL_SIGNER_KEY_ACTIONS,
  LNURL_TABLE_ACTIONS,
  LNURL_VERIFIER_KEY_ACTIONS,
  LOG_ACTIONS,
  TABLE_KEY_READ_ACTIONS,
  TABLE_KEY_WRITE_ACTIONS,
  SWEEPER_TABLE_ACCESS,
  VSS_TABLE_ACCESS,
  type TableAccess,
} from './permissions.js';

/** Repository root (entries and the lockfile are resolved from here, not from the cwd). */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The functions of the service; the first four are the VSS operations. */
export type VssFunctionName = Operation | 'jwtAuthorizer' | 'lnurlAuth' | 'sweepChunks';

/** Handler entry of each function (each file exports `handler`). */
export const HANDLER_ENTRIES: Readonly<Record<VssFunctionName, string>> = {
  getObject: 'lambda/handlers/getObject.ts',
  putObjects: 'lambda/handlers/putObjects.ts',
  deleteObject: 'lambda/handlers/deleteObject.ts',
  listKeyVersions: 'lambda/handlers/listKeyVersions.ts',
  jwtAuthorizer: 'lambda/handlers/jwtAuthorizer.ts',
  lnurlAuth: 'lambda/handlers/lnurlAuth.ts',
  sweepChunks: 'lambda/handlers/sweepChunks.ts',
};

/** ESM bundles that contain CommonJS dependencies (protobufjs/minimal, long) need `require`. */
export const ESM_REQUIRE_SHIM = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** The current Node.js LTS runtime on Lambda. */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * esbuild settings of every function: ESM, minified, source maps, AWS SDK bundled (tree-shaken
 * via the `module` entry points) so the code that runs is the code that was tested.
 */
export const BUNDLING: nodejs.BundlingOptions = {
  format: nodejs.OutputFormat.ESM,
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  bundleAwsSDK: true,
  externalModules: [],
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_SHIM,
  forceDockerBundling: false,
  logLevel: nodejs.LogLevel.WARNING,
  // Packages a function never runs, replaced by stand-ins (lambda/bundle-aliases/README.md).
  esbuildArgs: { '--alias': ['@aws-sdk/credential-provider-node', 'long', '@smithy/core/event-streams'].map((p) => `${p}=./lambda/bundle-aliases/${p.split('/').pop()}.ts`) },
};

/** Environment variables of the handlers (names shared with lambda/). */
export const ENV = {
  tableName: TABLE_NAME_ENV,
  authMode: AUTH_MODE_ENV,
  jwtPublicKeyPem: 'VSS_JWT_PUBLIC_KEY_PEM',
  jwtJwksUrl: 'VSS_JWT_JWKS_URL',
  jwtIssuer: 'VSS_JWT_ISSUER',
  jwtAudience: 'VSS_JWT_AUDIENCE',
  jwtAlgorithms: 'VSS_JWT_ALGORITHMS',
  lnurlKmsKeyId: 'VSS_LNURL_KMS_KEY_ID',
  lnurlTableName: 'VSS_LNURL_TABLE_NAME',
  lnurlTokenTtlSeconds: 'VSS_LNURL_TOKEN_TTL_SECONDS',
  lnurlPublicUrl: 'VSS_LNURL_PUBLIC_URL',
  sweepGraceSeconds: 'VSS_SWEEP_GRACE_SECONDS',
} as const;

/** Per-function sizing and scaling. */
export interface VssFunctionOptions {
  /**
   * Memory in MB (CPU scales with it).
   * @default 1024 for putObjects (large bodies), 512 otherwise
   */
  readonly memorySize?: number;
  /**
   * Function timeout. API Gateway gives up after 29 s and clients after 10 s.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Reserved concurrency: caps the function to protect the table and the budget.
   * @default - none (the account's unreserved pool)
   */
  readonly reservedConcurrency?: number;
  /**
   * Provisioned concurrency on the `live` alias, for wallets that cannot wait on a cold start.
   * Billed while idle.
   * @default - none
   */
  readonly provisionedConcurrency?: number;
}

export interface VssTableOptions {
  /**
   * Billing mode. With `PROVISIONED`, set `provisionedCapacity`.
   * @default dynamodb.BillingMode.PAY_PER_REQUEST
   */
  readonly billingMode?: dynamodb.BillingMode;
  /**
   * Auto-scaled capacity; only with `billingMode: PROVISIONED` (required then).
   * @default - none
   */
  readonly provisionedCapacity?: VssProvisionedCapacity;
  /**
   * Encrypt with a customer-managed KMS key instead of the AWS-owned key. Pass an existing key, or
   * `true` to create one (with yearly rotation, retained on stack deletion).
   * @default - AWS-owned key (no KMS charges)
   */
  readonly customerManagedKey?: kms.IKey | boolean;
  /**
   * Physical table name.
   * @default - generated by CloudFormation
   */
  readonly tableName?: string;
}

export interface VssProvisionedCapacity {
  readonly minReadCapacity: number;
  readonly maxReadCapacity: number;
  readonly minWriteCapacity: number;
  readonly maxWriteCapacity: number;
  /**
   * Target utilization of the auto scaling policies, in percent.
   * @default 70
   */
  readonly targetUtilizationPercent?: number;
}

export interface VssThrottlingOptions {
  /**
   * Stage-wide steady-state requests per second.
   * @default 1000
   */
  readonly rateLimit?: number;
  /**
   * Stage-wide burst.
   * @default 2000
   */
  readonly burstLimit?: number;
  /**
   * Per-operation limits (override the stage's for that method).
   * @default - the stage's limits
   */
  readonly perOperation?: Partial<Record<Operation, { readonly rateLimit: number; readonly burstLimit: number }>>;
}

export interface VssWafOptions {
  /**
   * Attach a WAF web ACL to the stage.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Requests per user (per `Authorization` header value) per evaluation window.
   * @default 3000
   */
  readonly perUserLimit?: number;
  /**
   * Requests per client IP per evaluation window (also covers requests without the header).
   * @default 6000
   */
  readonly perIpLimit?: number;
  /**
   * Rate evaluation window: 60, 120, 300 or 600 seconds.
   * @default Duration.minutes(5)
   */
  readonly evaluationWindow?: Duration;
  /**
   * Add AWS managed rule groups (IP reputation, known bad inputs, common rules with every
   * body-inspecting rule and the no-User-Agent rule in count mode).
   * @default true
   */
  readonly managedRules?: boolean;
}

export interface VssLnurlAuthOptions {
  /**
   * Lifetime of the JWTs it issues.
   * @default Duration.days(1)
   */
  readonly tokenTtl?: Duration;
}

export interface VssAlarmOptions {
  /**
   * Topic the alarms notify.
   * @default - a new topic when `emails` is set, otherwise alarms without actions
   */
  readonly topic?: sns.ITopic;
  /**
   * Email addresses subscribed to a new alarm topic (ignored when `topic` is set).
   * @default - none
   */
  readonly emails?: readonly string[];
  /**
   * 5xx responses as a fraction of requests.
   * @default 0.01
   */
  readonly serverErrorRate?: number;
  /**
   * p99 end-to-end API latency.
   * @default Duration.seconds(3)
   */
  readonly p99Latency?: Duration;
}

export interface VssDomainOptions {
  /** Fully qualified domain name, e.g. `vss.example.com`. */
  readonly domainName: string;
  /**
   * ACM certificate for the name (same region as the API).
   * @default - a DNS-validated certificate in `hostedZone`
   */
  readonly certificate?: acm.ICertificate;
  /**
   * Route 53 zone: an alias record is created, and the certificate validated, there.
   * @default - no record (point your DNS at the output `DomainTarget`)
   */
  readonly hostedZone?: route53.IHostedZone;
}

export interface VssServiceProps {
  /** How callers are authenticated. There is deliberately no default. */
  readonly auth: VssAuth;
  /**
   * Use an existing table instead of creating one. It must have the layout of
   * lambda/store/table-layout.ts (keys, LSI `bySeq`, GSI `byGc`). Mutually exclusive with
   * `tableOptions`.
   * @default - a new table
   */
  readonly existingTable?: dynamodb.ITable;
  /**
   * Options of the table this construct creates.
   * @default - on-demand, AWS-owned key, PITR, deletion protection, retained
   */
  readonly tableOptions?: VssTableOptions;
  /**
   * Options applied to every function, then overridden per function by `functions`.
   * @default - see VssFunctionOptions
   */
  readonly functionDefaults?: VssFunctionOptions;
  /**
   * Per-function options.
   * @default - functionDefaults
   */
  readonly functions?: Partial<Record<VssFunctionName, VssFunctionOptions>>;
  /**
   * API Gateway stage and per-method throttling.
   * @default - 1000 rps, burst 2000, no per-method limits
   */
  readonly throttling?: VssThrottlingOptions;
  /**
   * WAF.
   * @default - enabled with the defaults of VssWafOptions
   */
  readonly waf?: VssWafOptions;
  /**
   * Issue JWTs through LNURL-auth at GET /lnurl-auth (requires `VssAuth.jwt`).
   * @default - not deployed
   */
  readonly lnurlAuth?: VssLnurlAuthOptions;
  /**
   * Alarms.
   * @default - alarms with default thresholds and no actions
   */
  readonly alarms?: VssAlarmOptions;
  /**
   * Custom domain.
   * @default - the execute-api URL
   */
  readonly domain?: VssDomainOptions;
  /**
   * API Gateway stage name.
   * @default 'prod'
   */
  readonly stageName?: string;
  /**
   * Retention of function and access logs.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to log groups on stack deletion.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * API Gateway execution logging level. Needs the account-level API Gateway CloudWatch role
   * (set once per account and region); request/response data tracing is always off.
   * @default apigw.MethodLoggingLevel.OFF
   */
  readonly executionLogLevel?: apigw.MethodLoggingLevel;
  /**
   * CloudWatch namespace of the EMF metrics.
   * @default 'VSS'
   */
  readonly metricsNamespace?: string;
}

const DEFAULT_MEMORY: Record<VssFunctionName, number> = {
  getObject: 512,
  putObjects: 1024,
  deleteObject: 512,
  listKeyVersions: 512,
  jwtAuthorizer: 512,
  lnurlAuth: 512,
  sweepChunks: 512,
};

/** IDs of the per-operation functions (stable: they name the log groups and roles). */
const FUNCTION_IDS: Record<VssFunctionName, string> = {
  getObject: 'GetObject',
  putObjects: 'PutObjects',
  deleteObject: 'DeleteObject',
  listKeyVersions: 'ListKeyVersions',
  jwtAuthorizer: 'JwtAuthorizer',
  lnurlAuth: 'LnurlAuth',
  sweepChunks: 'SweepChunks',
};

/**
 * How often the sweeper of crashed large-value writes runs, and the age below which it leaves
 * chunk sets alone. The grace must stay far above any VSS function's timeout (at most 29 s behind
 * API Gateway), so a write in flight is never swept (docs/large-values.md).
 */
const SWEEP_SCHEDULE = Duration.hours(1);

/** The WAF's answer to a body larger than the service accepts (lambda/core/limits.ts). */
const BODY_TOO_LARGE_KEY = 'vss-body-too-large';
export const BODY_TOO_LARGE_MESSAGE = `Request body is larger than the ${MAX_REQUEST_BODY_BYTES} bytes this service accepts`;
const SWEEP_GRACE = Duration.hours(1);

/** A deployed function: the function, its `live` alias (what API Gateway invokes) and its log group. */
export interface VssFunction {
  readonly function: nodejs.NodejsFunction;
  readonly alias: lambda.Alias;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
}

export class VssService extends Construct {
  /** The REST API. */
  readonly api: apigw.RestApi;
  /** The table holding all records. */
  readonly table: dynamodb.ITable;
  /** Base URL to give clients (ends in `/vss`). */
  readonly baseUrl: string;
  /** Functions by name (only those deployed). */
  readonly functions: Partial<Record<VssFunctionName, VssFunction>> = {};
  /** The auth mode in force. */
  readonly authMode: VssAuthMode;
  /** The web ACL, when WAF is enabled. */
  readonly webAcl?: wafv2.CfnWebACL;
  /** The Cognito user pool (cognito mode). */
  readonly userPool?: cognito.IUserPool;
  /** The LNURL-auth URL to give LDK Node (when `lnurlAuth` is set). */
  readonly lnurlAuthUrl?: string;
  /** The alarm topic, when one is configured or created. */
  readonly alarmTopic?: sns.ITopic;
  /** The dashboard. */
  readonly dashboard: cloudwatch.Dashboard;
  /** The custom domain's target for DNS, when `domain` is set. */
  readonly domainName?: apigw.DomainName;

  private readonly props: VssServiceProps;
  private readonly tableKey?: kms.IKey;
  private lnurlKey?: kms.Key;
  private lnurlTable?: dynamodb.Table;

  constructor(scope: Construct, id: string, props: VssServiceProps) {
    super(scope, id);
    validateProps(props);
    this.props = props;
    this.authMode = props.auth.mode;

    if (this.authMode === 'none') {
      Annotations.of(this).addWarningV2(
        'vss:unauthenticated',
        "Auth mode 'none': every caller shares one user's data. Never point real wallets at this deployment.",
      );
    }

    // ---- Storage ------------------------------------------------------------------------
    if (props.existingTable) {
      this.table = props.existingTable;
      this.tableKey = props.existingTable.encryptionKey;
    } else {
      const created = this.createTable(props.tableOptions ?? {});
      this.table = created.table;
      this.tableKey = created.key;
    }

    // ---- LNURL-auth resources (before the authorizer, which needs the key) -------------
    if (props.lnurlAuth) this.createLnurlResources();

    // ---- API ------------------------------------------------------------------------------
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    const stageName = props.stageName ?? 'prod';
    const throttling = props.throttling ?? {};
    const methodOptions: Record<string, apigw.MethodDeploymentOptions> = {};
    for (const [op, limits] of Object.entries(throttling.perOperation ?? {})) {
      if (limits) methodOptions[`/vss/${op}/POST`] = { throttlingRateLimit: limits.rateLimit, throttlingBurstLimit: limits.burstLimit };
    }
    this.api = new apigw.RestApi(this, 'Api', {
      description: `Versioned Storage Service (auth: ${this.authMode})`,
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // Protobuf travels untouched in both directions: every body is binary to API Gateway.
      binaryMediaTypes: ['*/*'],
      cloudWatchRole: false,
      deployOptions: {
        stageName,
        tracingEnabled: true,
        dataTraceEnabled: false,
        loggingLevel: props.executionLogLevel ?? apigw.MethodLoggingLevel.OFF,
        metricsEnabled: false,
        throttlingRateLimit: throttling.rateLimit ?? 1000,
        throttlingBurstLimit: throttling.burstLimit ?? 2000,
        methodOptions,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    for (const mapping of GATEWAY_RESPONSES) {
      const body = protocolErrorBody(mapping.code, mapping.message);
      this.api.addGatewayResponse(`GatewayResponse${mapping.type.responseType}`, {
        type: mapping.type,
        ...(mapping.status !== undefined ? { statusCode: String(mapping.status) } : {}),
        responseHeaders: { ...GATEWAY_RESPONSE_HEADERS },
        templates: Object.fromEntries(GATEWAY_RESPONSE_CONTENT_TYPES.map((t) => [t, body])),
      });
    }

    // ---- Authorizer -----------------------------------------------------------------------
    const methodAuth = this.createAuthorizer(props.auth);
    if ('userPool' in methodAuth) this.userPool = methodAuth.userPool;

    // ---- Operations -----------------------------------------------------------------------
    const vss = this.api.root.addResource('vss');
    for (const op of OPERATIONS) {
      const fn = this.createVssFunction(op);
      const method = vss.addResource(op).addMethod('POST', new apigw.LambdaIntegration(fn.alias, { proxy: true, allowTestInvoke: false }), {
        authorizationType: methodAuth.authorizationType,
        ...(methodAuth.authorizer ? { authorizer: methodAuth.authorizer } : {}),
      });
      this.acknowledgeMethod(method, false);
    }
    this.createSweeper();

    if (props.lnurlAuth) {
      const fn = this.createLnurlFunction(props.lnurlAuth);
      const method = this.api.root
        .addResource('lnurl-auth')
        .addMethod('GET', new apigw.LambdaIntegration(fn.alias, { proxy: true, allowTestInvoke: false }), {
          authorizationType: apigw.AuthorizationType.NONE,
        });
      this.acknowledgeMethod(method, true);
    }

    // ---- WAF --------------------------------------------------------------------------------
    if (props.waf?.enabled ?? true) this.webAcl = this.createWaf(props.waf ?? {});
    else {
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason:
          'The operator turned WAF off explicitly (waf.enabled: false), e.g. because a web ACL is attached outside this construct or the API sits behind CloudFront with its own ACL. Stage throttling still applies.',
      });
    }

    // ---- Domain and URLs -------------------------------------------------------------------
    if (props.domain) {
      this.domainName = this.createDomain(props.domain);
      this.baseUrl = `https://${props.domain.domainName}/vss`;
      if (props.lnurlAuth) this.lnurlAuthUrl = `https://${props.domain.domainName}/lnurl-auth`;
    } else {
      this.baseUrl = `${this.api.url}vss`;
      if (props.lnurlAuth) this.lnurlAuthUrl = `${this.api.url}lnurl-auth`;
    }

    // ---- Operations: alarms and dashboard --------------------------------------------------
    const alarmOptions = props.alarms ?? {};
    if (alarmOptions.topic) this.alarmTopic = alarmOptions.topic;
    else if (alarmOptions.emails && alarmOptions.emails.length > 0) this.alarmTopic = this.createAlarmTopic(alarmOptions.emails);
    this.createAlarms(alarmOptions);
    this.dashboard = this.createDashboard();

    this.acknowledgeServiceWide();
  }

  // ==========================================================================================

  private createTable(options: VssTableOptions): { table: dynamodb.Table; key?: kms.IKey } {
    let key: kms.IKey | undefined;
    if (options.customerManagedKey === true) {
      key = new kms.Key(this, 'TableKey', {
        description: 'VSS table encryption key',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    } else if (options.customerManagedKey) {
      key = options.customerManagedKey;
    }
    const provisioned = (options.billingMode ?? dynamodb.BillingMode.PAY_PER_REQUEST) === dynamodb.BillingMode.PROVISIONED;
    const cap = options.provisionedCapacity;
    // Stable ID 'Table': see the file header.
    const table = new dynamodb.Table(this, 'Table', {
      ...(options.tableName ? { tableName: options.tableName } : {}),
      partitionKey: { name: TABLE_LAYOUT.partitionKey.name, type: attributeType(TABLE_LAYOUT.partitionKey.type) },
      sortKey: { name: TABLE_LAYOUT.sortKey.name, type: attributeType(TABLE_LAYOUT.sortKey.type) },
      billingMode: provisioned ? dynamodb.BillingMode.PROVISIONED : dynamodb.BillingMode.PAY_PER_REQUEST,
      ...(provisioned && cap ? { readCapacity: cap.minReadCapacity, writeCapacity: cap.minWriteCapacity } : {}),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      ...(key
        ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: key }
        : { encryption: dynamodb.TableEncryption.DEFAULT }),
    });
    table.addLocalSecondaryIndex({
      indexName: TABLE_LAYOUT.creationIndex.name,
      sortKey: { name: TABLE_LAYOUT.creationIndex.sortKey.name, type: attributeType(TABLE_LAYOUT.creationIndex.sortKey.type) },
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: [...TABLE_LAYOUT.creationIndex.nonKeyAttributes],
    });
    // Sparse: only chunk-set records of large values carry its keys (docs/large-values.md).
    const sweep = TABLE_LAYOUT.sweepIndex;
    table.addGlobalSecondaryIndex({
      indexName: sweep.name,
      partitionKey: { name: sweep.partitionKey.name, type: attributeType(sweep.partitionKey.type) },
      sortKey: { name: sweep.sortKey.name, type: attributeType(sweep.sortKey.type) },
      projectionType: dynamodb.ProjectionType.INCLUDE,
      nonKeyAttributes: [...sweep.nonKeyAttributes],
      ...(provisioned && cap ? { readCapacity: cap.minReadCapacity, writeCapacity: cap.minWriteCapacity } : {}),
    });
    if (provisioned && cap) {
      const target = cap.targetUtilizationPercent ?? 70;
      table.autoScaleReadCapacity({ minCapacity: cap.minReadCapacity, maxCapacity: cap.maxReadCapacity }).scaleOnUtilization({ targetUtilizationPercent: target });
      table.autoScaleWriteCapacity({ minCapacity: cap.minWriteCapacity, maxCapacity: cap.maxWriteCapacity }).scaleOnUtilization({ targetUtilizationPercent: target });
      // A throttled GSI throttles the table's writes: the sweep index scales with it.
      table
        .autoScaleGlobalSecondaryIndexWriteCapacity(sweep.name, { minCapacity: cap.minWriteCapacity, maxCapacity: cap.maxWriteCapacity })
        .scaleOnUtilization({ targetUtilizationPercent: target });
    }
    return { table, ...(key ? { key } : {}) };
  }

  private createFunction(
    name: VssFunctionName,
    environment: Record<string, string>,
    defaults: { readonly timeout?: Duration; readonly reservedConcurrency?: number } = {},
  ): VssFunction {
    const id = FUNCTION_IDS[name];
    const options = { ...defaults, ...this.props.functionDefaults, ...this.props.functions?.[name] };
    const logGroup = new logs.LogGroup(this, `${id}Logs`, {
      retention: this.props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: this.props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    // An explicit role per function: no AWS managed policy, only its own log group.
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `VSS ${name} function`,
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: [...LOG_ACTIONS], resources: [logGroup.logGroupArn] }));
    const fn = new nodejs.NodejsFunction(this, `${id}Function`, {
      entry: path.join(PROJECT_ROOT, HANDLER_ENTRIES[name]),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: options.memorySize ?? DEFAULT_MEMORY[name],
      timeout: options.timeout ?? Duration.seconds(10),
      ...(options.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: options.reservedConcurrency } : {}),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      role,
      description: `VSS ${name}`,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'vss',
        POWERTOOLS_METRICS_NAMESPACE: this.props.metricsNamespace ?? 'VSS',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...environment,
      },
      bundling: BUNDLING,
    });
    const alias = new lambda.Alias(this, `${id}Live`, {
      aliasName: 'live',
      version: fn.currentVersion,
      ...(options.provisionedConcurrency !== undefined ? { provisionedConcurrentExecutions: options.provisionedConcurrency } : {}),
    });
    const created: VssFunction = { function: fn, alias, logGroup, role };
    this.functions[name] = created;
    return created;
  }

  private createVssFunction(op: Operation): VssFunction {
    const fn = this.createFunction(op, { [ENV.tableName]: this.table.tableName, [ENV.authMode]: this.authMode });
    this.grantTableAccess(fn, VSS_TABLE_ACCESS[op]);
    return fn;
  }

  /**
   * The sweeper of crashed large-value writes: hourly, one at a time (reserved concurrency 1),
   * idempotent, so a failed or timed-out run is simply continued by the next.
   */
  private createSweeper(): VssFunction {
    const fn = this.createFunction(
      'sweepChunks',
      { [ENV.tableName]: this.table.tableName, [ENV.sweepGraceSeconds]: String(SWEEP_GRACE.toSeconds()) },
      { timeout: Duration.minutes(5), reservedConcurrency: 1 },
    );
    this.grantTableAccess(fn, SWEEPER_TABLE_ACCESS);
    // Stable ID 'SweepSchedule'.
    const rule = new events.Rule(this, 'SweepSchedule', {
      description: 'VSS: remove chunks left by crashed large-value writes (docs/large-values.md)',
      schedule: events.Schedule.rate(SWEEP_SCHEDULE),
      targets: [new targets.LambdaFunction(fn.alias, { retryAttempts: 0 })],
    });
    Validations.of(rule).acknowledge({
      id: 'Serverless-EventBusDLQ',
      reason:
        'The target gets an empty scheduled event: a dead-lettered one would hold nothing to replay, and the next hourly run redoes the idempotent sweep. Failed runs raise the per-function Lambda errors alarm.',
    });
    return fn;
  }

  private grantTableAccess(fn: VssFunction, access: TableAccess): void {
    fn.role.addToPolicy(new iam.PolicyStatement({ actions: [...access.table], resources: [this.table.tableArn] }));
    const indexes: Array<[readonly string[], string]> = [
      [access.creationIndex, TABLE_LAYOUT.creationIndex.name],
      [access.sweepIndex, TABLE_LAYOUT.sweepIndex.name],
    ];
    for (const [actions, index] of indexes) {
      if (actions.length > 0) {
        fn.role.addToPolicy(new iam.PolicyStatement({ actions: [...actions], resources: [`${this.table.tableArn}/index/${index}`] }));
      }
    }
    if (this.tableKey) {
      fn.role.addToPolicy(
        new iam.PolicyStatement({
          actions: [...(access.writes ? TABLE_KEY_WRITE_ACTIONS : TABLE_KEY_READ_ACTIONS)],
          resources: [this.tableKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` } },
        }),
      );
    }
  }

  private createAuthorizer(auth: VssAuth):
    | { authorizationType: apigw.AuthorizationType; authorizer?: apigw.IAuthorizer }
    | { authorizationType: apigw.AuthorizationType; authorizer: apigw.IAuthorizer; userPool: cognito.IUserPool } {
    switch (auth.mode) {
      case 'jwt': {
        const o = auth.jwtOptions ?? {};
        const env: Record<string, string> = { [ENV.jwtAlgorithms]: (o.algorithms ?? ['RS256']).join(',') };
        if (o.publicKeyPem) env[ENV.jwtPublicKeyPem] = o.publicKeyPem;
        if (o.jwksUrl) env[ENV.jwtJwksUrl] = o.jwksUrl;
        if (o.issuer) env[ENV.jwtIssuer] = o.issuer;
        if (o.audience) env[ENV.jwtAudience] = o.audience;
        if (this.lnurlKey) env[ENV.lnurlKmsKeyId] = this.lnurlKey.keyArn;
        const fn = this.createFunction('jwtAuthorizer', env);
        if (this.lnurlKey) {
          fn.role.addToPolicy(new iam.PolicyStatement({ actions: [...LNURL_VERIFIER_KEY_ACTIONS], resources: [this.lnurlKey.keyArn] }));
        }
        const authorizer = new apigw.TokenAuthorizer(this, 'JwtTokenAuthorizer', {
          handler: fn.alias,
          identitySource: apigw.IdentitySource.header('Authorization'),
          // Rust parity: exactly "Bearer " then a compact JWS; anything else is a 401 without
          // invoking (or paying for) the authorizer.
          validationRegex: '^Bearer [A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$',
          resultsCacheTtl: o.resultsCacheTtl ?? DEFAULT_AUTHORIZER_CACHE_TTL,
        });
        return { authorizationType: apigw.AuthorizationType.CUSTOM, authorizer };
      }
      case 'cognito': {
        const o = auth.cognitoOptions ?? {};
        const userPool = o.userPool ?? this.createUserPool();
        const authorizer = new apigw.CognitoUserPoolsAuthorizer(this, 'CognitoAuthorizer', {
          cognitoUserPools: [userPool],
          identitySource: apigw.IdentitySource.header('Authorization'),
          resultsCacheTtl: o.resultsCacheTtl ?? DEFAULT_AUTHORIZER_CACHE_TTL,
        });
        return { authorizationType: apigw.AuthorizationType.COGNITO, authorizer, userPool };
      }
      case 'signature':
      case 'none':
        return { authorizationType: apigw.AuthorizationType.NONE };
    }
  }

  private createUserPool(): cognito.UserPool {
    // Stable ID 'UserPool': replacing it would lose every wallet's identity.
    const pool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      passwordPolicy: { minLength: 14, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
    });
    Validations.of(pool).acknowledge(
      {
        id: 'AwsSolutions-COG2',
        reason:
          'Wallet users are software clients signing in programmatically; MFA is available (TOTP, optional) and is the operator\'s policy choice. Bring an existing pool (auth cognito.userPool) to enforce it.',
      },
      {
        id: 'AwsSolutions-COG8',
        reason:
          'Threat protection needs the Plus feature plan (a per-MAU charge on every wallet); the created pool uses Essentials. Operators who want it bring an existing pool on the Plus plan (cognito.userPool).',
      },
    );
    return pool;
  }

  private createLnurlResources(): void {
    // Stable IDs 'LnurlChallenges' and 'LnurlSigningKey' (tokens in the field are signed by this key).
    this.lnurlTable = new dynamodb.Table(this, 'LnurlChallenges', {
      partitionKey: { name: 'k1', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.DEFAULT,
      // Challenges live for minutes; nothing of value is lost with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.lnurlKey = new kms.Key(this, 'LnurlSigningKey', {
      description: 'VSS LNURL-auth JWT signing key (RS256)',
      keySpec: kms.KeySpec.RSA_2048,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  private createLnurlFunction(options: VssLnurlAuthOptions): VssFunction {
    const fn = this.createFunction('lnurlAuth', {
      [ENV.lnurlTableName]: this.lnurlTable!.tableName,
      [ENV.lnurlKmsKeyId]: this.lnurlKey!.keyArn,
      [ENV.lnurlTokenTtlSeconds]: String((options.tokenTtl ?? Duration.days(1)).toSeconds()),
      // Linking keys are derived from the host wallets were configured with: pin it when a
      // custom domain fronts the API (without one, the handler uses the request's Host).
      ...(this.props.domain ? { [ENV.lnurlPublicUrl]: `https://${this.props.domain.domainName}/lnurl-auth` } : {}),
    });
    fn.role.addToPolicy(new iam.PolicyStatement({ actions: [...LNURL_TABLE_ACTIONS], resources: [this.lnurlTable!.tableArn] }));
    fn.role.addToPolicy(new iam.PolicyStatement({ actions: [...LNURL_SIGNER_KEY_ACTIONS], resources: [this.lnurlKey!.keyArn] }));
    return fn;
  }

  private createWaf(options: VssWafOptions): wafv2.CfnWebACL {
    const windowSec = (options.evaluationWindow ?? Duration.minutes(5)).toSeconds();
    const visibility = (name: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `vss-${name}`,
    });
    const rules: wafv2.CfnWebACL.RuleProperty[] = [
      {
        name: 'per-user-rate',
        priority: 0,
        action: { block: {} },
        statement: {
          rateBasedStatement: {
            limit: options.perUserLimit ?? 3000,
            evaluationWindowSec: windowSec,
            aggregateKeyType: 'CUSTOM_KEYS',
            customKeys: [{ header: { name: 'authorization', textTransformations: [{ priority: 0, type: 'NONE' }] } }],
          },
        },
        visibilityConfig: visibility('per-user-rate'),
      },
      {
        // Requests without an Authorization header are not counted by the per-user rule.
        name: 'per-ip-rate',
        priority: 1,
        action: { block: {} },
        statement: { rateBasedStatement: { limit: options.perIpLimit ?? 6000, evaluationWindowSec: windowSec, aggregateKeyType: 'IP' } },
        visibilityConfig: visibility('per-ip-rate'),
      },
    ];
    if (options.managedRules ?? true) {
      MANAGED_RULE_GROUPS.forEach((group, i) => {
        rules.push({
          name: group.name,
          priority: 10 + i,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name: group.name,
              ruleActionOverrides: group.countOnly.map((name) => ({ name, actionToUse: { count: {} } })),
            },
          },
          visibilityConfig: visibility(group.name),
        });
      });
    }
    // A body the handlers cannot receive (it would not fit Lambda's invocation payload) gets the
    // service's protobuf 413 here, before API Gateway tries to invoke Lambda with it: otherwise
    // the client would see the integration-failure 5xx and retry a request that cannot succeed.
    rules.push({
      name: 'body-too-large',
      // After the two rate rules (0, 1), before the managed groups (10+).
      priority: 2,
      action: {
        block: {
          customResponse: {
            responseCode: 413,
            customResponseBodyKey: BODY_TOO_LARGE_KEY,
            responseHeaders: [{ name: PROTOCOL_VERSION_HEADER, value: PROTOCOL_VERSION }],
          },
        },
      },
      statement: {
        regexMatchStatement: {
          fieldToMatch: { singleHeader: { Name: 'content-length' } },
          regexString: decimalGreaterThanPattern(MAX_REQUEST_BODY_BYTES),
          textTransformations: [{ priority: 0, type: 'NONE' }],
        },
      },
      visibilityConfig: visibility('body-too-large'),
    });
    const acl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: Names.uniqueResourceName(this, { maxLength: 128, separator: '-' }),
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('web-acl'),
      customResponseBodies: {
        [BODY_TOO_LARGE_KEY]: {
          contentType: 'TEXT_PLAIN',
          content: protocolErrorBody(ErrorCode.INVALID_REQUEST_EXCEPTION, BODY_TOO_LARGE_MESSAGE),
        },
      },
      rules,
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: acl.attrArn,
    });
    return acl;
  }

  private createDomain(options: VssDomainOptions): apigw.DomainName {
    const certificate =
      options.certificate ??
      new acm.Certificate(this, 'Certificate', {
        domainName: options.domainName,
        validation: acm.CertificateValidation.fromDns(options.hostedZone),
      });
    const domain = new apigw.DomainName(this, 'Domain', {
      domainName: options.domainName,
      certificate,
      endpointType: apigw.EndpointType.REGIONAL,
      securityPolicy: apigw.SecurityPolicy.TLS_1_2,
      mapping: this.api,
    });
    if (options.hostedZone) {
      new route53.ARecord(this, 'DomainRecord', {
        zone: options.hostedZone,
        recordName: options.domainName,
        target: route53.RecordTarget.fromAlias(new route53Targets.ApiGatewayDomain(domain)),
      });
    }
    return domain;
  }

  private createAlarmTopic(emails: readonly string[]): sns.Topic {
    const topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'VSS alarms', enforceSSL: true });
    for (const email of emails) topic.addSubscription(new subscriptions.EmailSubscription(email));
    Validations.of(topic).acknowledge({
      id: 'Serverless-SNSRedrivePolicy',
      reason: 'Email subscriptions of operator alarm notifications: SNS retries email delivery itself, and an undelivered alarm stays visible in CloudWatch; a dead-letter queue would add a resource nobody reads.',
    });
    Validations.of(topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications carry no customer data. CloudWatch cannot publish to a topic encrypted with the AWS managed SNS key, and a dedicated CMK costs a monthly fee; bring an encrypted topic via alarms.topic if required.',
    });
    return topic;
  }

  private createAlarms(options: VssAlarmOptions): void {
    const period = Duration.minutes(5);
    const alarms: cloudwatch.Alarm[] = [];
    const add = (id: string, props: cloudwatch.AlarmProps): void => {
      alarms.push(new cloudwatch.Alarm(this, id, props));
    };
    add('Api5xxRateAlarm', {
      alarmDescription: 'VSS: share of API requests answered 5xx',
      metric: this.api.metricServerError({ statistic: 'Average', period }),
      threshold: options.serverErrorRate ?? 0.01,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    add('ApiP99LatencyAlarm', {
      alarmDescription: 'VSS: p99 end-to-end API latency',
      metric: this.api.metricLatency({ statistic: 'p99', period }),
      threshold: (options.p99Latency ?? Duration.seconds(3)).toMilliseconds(),
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (this.webAcl) {
      add('WafThrottledAlarm', {
        alarmDescription: 'VSS: requests blocked by the WAF rate rules (clients are being throttled)',
        metric: new cloudwatch.MathExpression({
          expression: 'user + ip',
          usingMetrics: {
            user: this.wafBlocked('per-user-rate', period),
            ip: this.wafBlocked('per-ip-rate', period),
          },
          period,
        }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    for (const [name, fn] of Object.entries(this.functions) as Array<[VssFunctionName, VssFunction]>) {
      const id = FUNCTION_IDS[name];
      add(`${id}ErrorsAlarm`, {
        alarmDescription: `VSS: ${name} Lambda errors (crashes or timeouts)`,
        metric: fn.function.metricErrors({ period, statistic: 'Sum' }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      add(`${id}ThrottlesAlarm`, {
        alarmDescription: `VSS: ${name} Lambda throttles (concurrency exhausted)`,
        metric: fn.function.metricThrottles({ period, statistic: 'Sum' }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    add('TableThrottledRequestsAlarm', {
      alarmDescription: 'VSS: DynamoDB throttled requests',
      metric: this.table.metricThrottledRequestsForOperations({ operations: TABLE_OPERATIONS, period, statistic: 'Sum' }),
      threshold: 0,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    add('TableSystemErrorsAlarm', {
      alarmDescription: 'VSS: DynamoDB system errors (5xx from DynamoDB)',
      metric: this.table.metricSystemErrorsForOperations({ operations: TABLE_OPERATIONS, period, statistic: 'Sum' }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (this.alarmTopic) {
      const action = new cwActions.SnsAction(this.alarmTopic);
      for (const alarm of alarms) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }
  }

  private wafBlocked(rule: string, period: Duration): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/WAFV2',
      metricName: 'BlockedRequests',
      dimensionsMap: { WebACL: this.webAcl!.name!, Rule: `vss-${rule}`, Region: Stack.of(this).region },
      statistic: 'Sum',
      period,
    });
  }

  private createDashboard(): cloudwatch.Dashboard {
    const namespace = this.props.metricsNamespace ?? 'VSS';
    const emf = (metricName: string, statistic: string) =>
      OPERATIONS.map(
        (op) =>
          new cloudwatch.Metric({ namespace, metricName, dimensionsMap: { service: 'vss', operation: op }, statistic, label: op, period: Duration.minutes(1) }),
      );
    const fns = Object.entries(this.functions) as Array<[VssFunctionName, VssFunction]>;
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Requests per operation', left: emf(METRIC_NAMES.requests, 'Sum'), width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Latency p99 per operation (ms)', left: emf(METRIC_NAMES.latency, 'p99'), width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Conflicts (409) per operation', left: emf(METRIC_NAMES.conflicts, 'Sum'), width: 8 }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Errors (5xx) per operation', left: emf(METRIC_NAMES.errors, 'Sum'), width: 8 }),
      new cloudwatch.GraphWidget({
        title: 'API Gateway',
        left: [this.api.metricCount({ statistic: 'Sum' }), this.api.metricClientError({ statistic: 'Sum' }), this.api.metricServerError({ statistic: 'Sum' })],
        right: [this.api.metricLatency({ statistic: 'p99' })],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'DynamoDB',
        left: [this.table.metricConsumedReadCapacityUnits(), this.table.metricConsumedWriteCapacityUnits()],
        right: [this.table.metricThrottledRequestsForOperations({ operations: TABLE_OPERATIONS, statistic: 'Sum' })],
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Lambda duration p99', left: fns.map(([n, f]) => f.function.metricDuration({ statistic: 'p99', label: n })), width: 8 }),
      new cloudwatch.GraphWidget({
        title: 'Lambda concurrency',
        left: fns.map(([n, f]) => f.function.metric('ConcurrentExecutions', { statistic: 'Maximum', label: n })),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Lambda errors and throttles',
        left: fns.map(([n, f]) => f.function.metricErrors({ statistic: 'Sum', label: `${n} errors` })),
        right: fns.map(([n, f]) => f.function.metricThrottles({ statistic: 'Sum', label: `${n} throttles` })),
        width: 8,
      }),
    );
    return dashboard;
  }

  private acknowledgeMethod(method: apigw.Method, isLnurl: boolean): void {
    const mode = isLnurl ? 'lnurl' : this.authMode;
    const reasons: Partial<Record<typeof mode, { apig4?: string; cog4: string }>> = {
      jwt: {
        cog4: 'Auth mode jwt: every VSS method uses a Lambda TOKEN authorizer that verifies the bearer JWT (spec §13.9), not a Cognito authorizer.',
      },
      signature: {
        apig4:
          'Auth mode signature: the secp256k1 proof in the Authorization header is fresh on every request, so an API Gateway authorizer could not cache it; each VSS handler verifies it before touching data (spec §13.9). The WAF per-user and per-IP rate rules and reserved concurrency protect the API.',
        cog4: 'Auth mode signature: wallets authenticate with a secp256k1 signature verified in the handler, not with Cognito.',
      },
      none: {
        apig4: "Auth mode 'none' was explicitly forced (dangerouslyAllowUnauthenticated) for a throwaway deployment; synth warns about it.",
        cog4: "Auth mode 'none' was explicitly forced for a throwaway deployment.",
      },
      lnurl: {
        apig4: 'GET /lnurl-auth is the login endpoint that issues tokens: it authenticates the wallet by its LNURL-auth signature over a single-use k1 challenge, so it cannot itself require a token.',
        cog4: 'GET /lnurl-auth is the LNURL-auth login endpoint; it issues the JWTs the other methods require.',
      },
    };
    const r = reasons[mode];
    if (!r) return;
    if (r.apig4) Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason: r.apig4 });
    Validations.of(method).acknowledge({ id: 'AwsSolutions-COG4', reason: r.cog4 });
  }

  private acknowledgeServiceWide(): void {
    for (const [name, fn] of Object.entries(this.functions) as Array<[VssFunctionName, VssFunction | undefined]>) {
      if (!fn) continue;
      Validations.of(fn.role).acknowledge(
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            'Only xray:PutTraceSegments and xray:PutTelemetryRecords (added by active tracing) use Resource "*": X-Ray supports no resource-level permissions. All data permissions name the table, index, key or log group.',
        },
      );
      if (name === 'sweepChunks') {
        Validations.of(fn.function).acknowledge(
          {
            id: 'Serverless-LambdaDLQ',
            reason:
              'Invoked by an hourly EventBridge schedule with an empty event: a failed run carries no data to keep, and the next run redoes the idempotent sweep. Failures raise the per-function Lambda errors alarm.',
          },
          {
            id: 'Serverless-LambdaAsyncFailureDestination',
            reason: 'The scheduled event has no payload worth routing: the next hourly run retries the sweep, and the errors alarm reports failures.',
          },
        );
        continue;
      }
      Validations.of(fn.function).acknowledge(
        {
          id: 'Serverless-LambdaDLQ',
          reason: 'Invoked synchronously by API Gateway only; a failed request is answered to the client (which retries), there is no asynchronous event to dead-letter.',
        },
        {
          id: 'Serverless-LambdaAsyncFailureDestination',
          reason: 'Invoked synchronously by API Gateway only; there are no asynchronous invocations.',
        },
      );
    }
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'Bodies are binary protobuf, which API Gateway request validation (JSON schema) cannot validate; every handler decodes and validates its request and answers 400 INVALID_REQUEST_EXCEPTION (spec §13.3).',
    });
    if ((this.props.executionLogLevel ?? apigw.MethodLoggingLevel.OFF) === apigw.MethodLoggingLevel.OFF) {
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions-APIG6',
        reason:
          'Every request is recorded in the JSON access log (no bodies, no auth headers). Execution logging needs an account-wide API Gateway CloudWatch role and adds per-request log volume; it is opt-in via executionLogLevel.',
      });
    }
  }
}

// ==============================================================================================

/** Access log fields: who/what/when/outcome. No bodies, no headers, no authorizer principal. */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTimeEpoch',
  ip: '$context.identity.sourceIp',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integration.latency',
  integrationStatus: '$context.integration.status',
  errorType: '$context.error.responseType',
  authorizerError: '$context.authorizer.error',
  authorizerLatency: '$context.authorizer.latency',
  wafStatus: '$context.waf.status',
  xrayTraceId: '$context.xrayTraceId',
} as const;

/** DynamoDB operations whose throttles and system errors are alarmed on. */
const TABLE_OPERATIONS = [
  dynamodb.Operation.GET_ITEM,
  dynamodb.Operation.QUERY,
  dynamodb.Operation.UPDATE_ITEM,
  dynamodb.Operation.DELETE_ITEM,
  dynamodb.Operation.TRANSACT_WRITE_ITEMS,
];

/**
 * Managed rule groups and the rules set to count-only: every rule that inspects the body (VSS
 * bodies are binary protobuf — random ciphertext and up to ~4.4 MB, far beyond WAF's inspection
 * window) and the no-User-Agent rule (LDK Node's HTTP client sends none).
 */
export const MANAGED_RULE_GROUPS: ReadonlyArray<{ readonly name: string; readonly countOnly: readonly string[] }> = [
  { name: 'AWSManagedRulesAmazonIpReputationList', countOnly: [] },
  {
    name: 'AWSManagedRulesKnownBadInputsRuleSet',
    countOnly: ['JavaDeserializationRCE_BODY', 'Log4JRCE_BODY'],
  },
  {
    name: 'AWSManagedRulesCommonRuleSet',
    countOnly: ['NoUserAgent_HEADER', 'SizeRestrictions_BODY', 'CrossSiteScripting_BODY', 'GenericLFI_BODY', 'GenericRFI_BODY', 'EC2MetaDataSSRF_BODY'],
  },
];

function attributeType(t: 'S' | 'N' | 'B'): dynamodb.AttributeType {
  return t === 'S' ? dynamodb.AttributeType.STRING : t === 'N' ? dynamodb.AttributeType.NUMBER : dynamodb.AttributeType.BINARY;
}

/** Synth-time validation with messages that say what to change. */
export function validateProps(props: VssServiceProps): void {
  const errors: string[] = [];
  if (!(props.auth instanceof VssAuth)) errors.push('auth is required: VssAuth.jwt(), VssAuth.cognito(), VssAuth.signature() or VssAuth.none({...})');
  if (props.existingTable && props.tableOptions) errors.push('existingTable and tableOptions are mutually exclusive: options apply only to a table this construct creates');
  const t = props.tableOptions;
  if (t) {
    const provisioned = t.billingMode === dynamodb.BillingMode.PROVISIONED;
    if (provisioned && !t.provisionedCapacity) errors.push('tableOptions.billingMode PROVISIONED requires tableOptions.provisionedCapacity');
    if (!provisioned && t.provisionedCapacity) errors.push('tableOptions.provisionedCapacity requires tableOptions.billingMode PROVISIONED');
    const c = t.provisionedCapacity;
    if (c) {
      for (const [k, v] of Object.entries(c)) if (v !== undefined && (!Number.isInteger(v) || v < 1)) errors.push(`tableOptions.provisionedCapacity.${k} must be a positive integer (got ${v})`);
      if (c.minReadCapacity > c.maxReadCapacity) errors.push('tableOptions.provisionedCapacity: minReadCapacity > maxReadCapacity');
      if (c.minWriteCapacity > c.maxWriteCapacity) errors.push('tableOptions.provisionedCapacity: minWriteCapacity > maxWriteCapacity');
      const u = c.targetUtilizationPercent;
      if (u !== undefined && (u < 20 || u > 90)) errors.push(`tableOptions.provisionedCapacity.targetUtilizationPercent must be 20-90 (got ${u})`);
    }
  }
  const fnOptions: Array<[string, VssFunctionOptions | undefined]> = [
    ['functionDefaults', props.functionDefaults],
    ...Object.entries(props.functions ?? {}).map(([k, v]) => [`functions.${k}`, v] as [string, VssFunctionOptions | undefined]),
  ];
  for (const [where, o] of fnOptions) {
    if (!o) continue;
    if (where.startsWith('functions.') && !(where.slice('functions.'.length) in HANDLER_ENTRIES)) {
      errors.push(`${where}: unknown function (known: ${Object.keys(HANDLER_ENTRIES).join(', ')})`);
    }
    if (o.memorySize !== undefined && (!Number.isInteger(o.memorySize) || o.memorySize < 128 || o.memorySize > 10240)) {
      errors.push(`${where}.memorySize must be an integer 128-10240 MB (got ${o.memorySize})`);
    }
    if (o.timeout !== undefined && !Token.isUnresolved(o.timeout.toSeconds()) && (o.timeout.toSeconds() < 1 || o.timeout.toSeconds() > 29)) {
      errors.push(`${where}.timeout must be 1-29 seconds: API Gateway stops waiting after 29 s (got ${o.timeout.toSeconds()} s)`);
    }
    for (const k of ['reservedConcurrency', 'provisionedConcurrency'] as const) {
      const v = o[k];
      if (v !== undefined && (!Number.isInteger(v) || v < 0)) errors.push(`${where}.${k} must be a non-negative integer (got ${v})`);
    }
  }
  for (const name of Object.keys(HANDLER_ENTRIES) as VssFunctionName[]) {
    const o = { ...props.functionDefaults, ...props.functions?.[name] };
    if (o.reservedConcurrency !== undefined && o.provisionedConcurrency !== undefined && o.provisionedConcurrency > o.reservedConcurrency) {
      errors.push(`functions.${name}: provisionedConcurrency (${o.provisionedConcurrency}) cannot exceed reservedConcurrency (${o.reservedConcurrency})`);
    }
  }
  const th = props.throttling;
  if (th) {
    for (const [k, v] of [['throttling.rateLimit', th.rateLimit], ['throttling.burstLimit', th.burstLimit]] as const) {
      if (v !== undefined && (!(v >= 0) || !Number.isFinite(v))) errors.push(`${k} must be a non-negative number (got ${v})`);
    }
    for (const op of Object.keys(th.perOperation ?? {})) {
      if (!(OPERATIONS as readonly string[]).includes(op)) errors.push(`throttling.perOperation.${op}: unknown operation (known: ${OPERATIONS.join(', ')})`);
    }
  }
  const w = props.waf;
  if (w) {
    for (const [k, v] of [['waf.perUserLimit', w.perUserLimit], ['waf.perIpLimit', w.perIpLimit]] as const) {
      if (v !== undefined && (!Number.isInteger(v) || v < 10 || v > 2_000_000_000)) errors.push(`${k} must be an integer 10-2000000000 (WAF's range; got ${v})`);
    }
    const s = w.evaluationWindow?.toSeconds();
    if (s !== undefined && ![60, 120, 300, 600].includes(s)) errors.push(`waf.evaluationWindow must be 60, 120, 300 or 600 seconds (got ${s})`);
  }
  if (props.lnurlAuth && props.auth instanceof VssAuth && props.auth.mode !== 'jwt') {
    errors.push(`lnurlAuth issues JWTs, which only auth mode 'jwt' verifies (mode is '${props.auth.mode}')`);
  }
  if (props.auth instanceof VssAuth && props.auth.mode === 'jwt') {
    const o = props.auth.jwtOptions ?? {};
    if (!o.publicKeyPem && !o.jwksUrl && !props.lnurlAuth) {
      errors.push("auth mode 'jwt' needs a key to verify tokens: jwt.publicKeyPem, jwt.jwksUrl, or lnurlAuth (the stack's own issuer)");
    }
    if (o.publicKeyPem && !/-----BEGIN (RSA )?PUBLIC KEY-----/.test(o.publicKeyPem)) {
      errors.push('jwt.publicKeyPem must be a PEM public key (-----BEGIN PUBLIC KEY----- or -----BEGIN RSA PUBLIC KEY-----)');
    }
    if (o.jwksUrl && !/^https:\/\//.test(o.jwksUrl)) errors.push('jwt.jwksUrl must be an https:// URL');
    const algs = o.algorithms ?? ['RS256'];
    const allowed = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
    if (algs.length === 0 || algs.some((a) => !allowed.includes(a))) errors.push(`jwt.algorithms must be a non-empty subset of ${allowed.join(', ')} (got ${algs.join(',')})`);
    const ttl = o.resultsCacheTtl?.toSeconds();
    if (ttl !== undefined && (ttl < 0 || ttl > 3600)) errors.push(`jwt.resultsCacheTtl must be 0-3600 seconds (got ${ttl})`);
  }
  const d = props.domain;
  if (d) {
    if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i.test(d.domainName)) errors.push(`domain.domainName is not a valid DNS name (got ${d.domainName})`);
    if (!d.certificate && !d.hostedZone) errors.push('domain needs a certificate, or a hostedZone to create a DNS-validated one in');
  }
  const a = props.alarms;
  if (a?.topic && a.emails?.length) errors.push('alarms.topic and alarms.emails are mutually exclusive: subscribe the addresses to your own topic');
  for (const e of a?.emails ?? []) if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e)) errors.push(`alarms.emails: not an email address: ${e}`);
  if (a?.serverErrorRate !== undefined && !(a.serverErrorRate > 0 && a.serverErrorRate < 1)) errors.push(`alarms.serverErrorRate must be a fraction between 0 and 1 (got ${a.serverErrorRate})`);
  if (errors.length > 0) throw new Error(`Invalid VssService configuration:\n  - ${errors.join('\n  - ')}`);
}

