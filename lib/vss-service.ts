/**
 * `VssService`: the Versioned Storage Service as one reusable L3 construct — REST API with
 * protocol-correct gateway responses, one Lambda function per operation (or, with
 * `VssFrontDoor.container()`, an HTTPS load balancer in front of ECS Fargate tasks), the DynamoDB
 * table, authorizers, WAF, alarms and a dashboard. A wallet company can drop it into its own CDK app
 * (docs/construct.md); bin/vss.ts deploys it standalone. Every option is documented in
 * docs/configuration.md.
 *
 * This class only wires the parts in lib/private/, one per concern; each takes typed inputs and
 * returns what it made. To add a concern: a builder in lib/private/, its options in options.ts,
 * their rules in lib/private/schema.ts, one call here.
 *
 * CONSTRUCT IDS ARE A CONTRACT. The logical IDs of stateful resources derive from them:
 * renaming `Table`, `TableKey`, `ValuesBucket`, `LnurlChallenges`, `LnurlSigningKey`, `UserPool`, `Api` or
 * `Domain` makes CloudFormation create a new resource (and, for the retained table, orphan the
 * old one with all wallet data). Every builder creates its resources directly in this construct's
 * scope, so moving code between files changes no ID; test/infra/logical-ids.test.ts pins them.
 */
import { Annotations, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { DEFAULT_METRICS_NAMESPACE, ENV, LARGE_VALUES, OPERATIONS } from '../lambda/contract.js';
import type { VssAuth, VssAuthMode } from './auth.js';
import type { VssFunction, VssFunctionName, VssFunctionOptions } from './functions.js';
import type {
  VssAlarmOptions,
  VssBackupOptions,
  VssDomainOptions,
  VssLargeValuesOptions,
  VssLnurlAuthOptions,
  VssProviderOptions,
  VssTableOptions,
  VssThrottlingOptions,
  VssWafOptions,
} from './options.js';
import { createApi } from './private/api.js';
import { createAuthorization } from './private/authorizers.js';
import { type BackupResources, createBackup } from './private/backup.js';
import { DEFAULT_COPY_VAULT_NAME } from './private/backup-defaults.js';
import { replicateValues } from './private/values-replication.js';
import { aliasLoadBalancer, createDomain, domainCertificate } from './private/domain.js';
import { type ContainerResources, containerSettings, createContainerService } from './private/container.js';
import { VssFrontDoor } from './front-door.js';
import { FunctionFactory } from './private/functions.js';
import { createLnurlFunction, createLnurlIssuerResources } from './private/lnurl.js';
import { apiGatewayEdge, createMonitoring, type EdgeMetrics, loadBalancerEdge } from './private/monitoring.js';
import { acknowledgeApi, acknowledgeContainer, acknowledgeFunctions, acknowledgeMethod, acknowledgeWafOff } from './private/nag.js';
import { VSS_TABLE_ACTIONS, VSS_VALUES_ACCESS, grantTableAccess } from './private/permissions.js';
import { providerFunctionEnvironment, withProviderActions } from './private/provider.js';
import { grantEnrollmentRead, signatureFunctionEnvironment } from './private/signature.js';
import { createSweeper } from './private/sweeper.js';
import { vssTable } from './private/table.js';
import { validateProps } from './private/validate.js';
import { ValuesBucket } from './private/values-bucket.js';
import { apiWafTarget, createWaf } from './private/waf.js';

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
  /**
   * Which front door carries requests: the REST API with Lambda functions, or an HTTPS load
   * balancer with ECS Fargate tasks (needs `domain`). docs/deploy.md, "Choosing a front door".
   * @default VssFrontDoor.apiGateway()
   */
  readonly frontDoor?: VssFrontDoor;
  /**
   * Per-user usage metering, storage quotas and rate limits (docs/provider.md).
   * @default - all off: every request makes exactly the DynamoDB requests of the plain store
   */
  readonly provider?: VssProviderOptions;
  /**
   * AWS Backup of the table: schedule and retention, a copy to another region (and account),
   * vault lock, a scheduled restore drill and alarms (docs/disaster-recovery.md).
   * @default - no AWS Backup plan (the table still has PITR)
   */
  readonly backup?: VssBackupOptions;
  /**
   * The object tier: values above `inlineMaxBytes` live in one S3 bucket (docs/large-values.md).
   * @default - a new bucket; 32768-byte threshold; superseded and deleted objects kept 35 days
   */
  readonly largeValues?: VssLargeValuesOptions;
}

export class VssService extends Construct {
  /** The REST API (the API Gateway front door). */
  readonly api?: apigw.RestApi;
  /** The load balancer, tasks and network (the container front door). */
  readonly container?: ContainerResources;
  /** The table holding all records. */
  readonly table: dynamodb.ITable;
  /** The bucket holding values above the inline threshold. */
  readonly valuesBucket: s3.IBucket;
  /** Base URL to give clients (ends in `/vss`). */
  readonly baseUrl: string;
  /** Functions by name (only those deployed). */
  readonly functions: Readonly<Partial<Record<VssFunctionName, VssFunction>>>;
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
  /** The alarms. */
  readonly alarms: readonly cloudwatch.Alarm[];
  /** The dashboard. */
  readonly dashboard: cloudwatch.Dashboard;
  /** The custom domain's target for DNS, when `domain` is set. */
  readonly domainName?: apigw.DomainName;
  /** The backup vault, plan and restore drill, when `backup` is set. */
  readonly backup?: BackupResources;

  constructor(scope: Construct, id: string, props: VssServiceProps) {
    super(scope, id);
    validateProps(props);
    const authMode = props.auth.mode;
    this.authMode = authMode;
    if (authMode === 'none') {
      Annotations.of(this).addWarningV2(
        'vss:unauthenticated',
        "Auth mode 'none': every caller shares one user's data. Never point real wallets at this deployment.",
      );
    }
    const logRetention = props.logRetention ?? logs.RetentionDays.THREE_MONTHS;
    const logRemovalPolicy = props.logRemovalPolicy ?? RemovalPolicy.RETAIN;
    const executionLogLevel = props.executionLogLevel ?? apigw.MethodLoggingLevel.OFF;
    const functions = new FunctionFactory(this, {
      functionDefaults: props.functionDefaults,
      functions: props.functions,
      logRetention,
      logRemovalPolicy,
      metricsNamespace: props.metricsNamespace,
    });
    // Every function, in creation order (alarms and the dashboard list them in this order).
    const deployed: Array<[VssFunctionName, VssFunction]> = [];

    const table = vssTable(this, props.existingTable, props.tableOptions);
    this.table = table.table;
    const values = new ValuesBucket(this, 'ValuesBucket', { tableKey: table.key, options: props.largeValues });
    this.valuesBucket = values.bucket;
    const valuesEnvironment = largeValuesEnvironment(values, props.largeValues);
    // Before the authorizer, which trusts the issuer's key.
    const lnurl = props.lnurlAuth ? createLnurlIssuerResources(this) : undefined;

    const metricsNamespace = props.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE;
    // The backup plan and drill serve either front door; called right after the sweeper so the
    // functions keep their creation order (alarms and the dashboard list them in it).
    const addBackup = (): BackupResources | undefined => {
      if (!props.backup) return undefined;
      const backup = createBackup(this, functions, table, props.backup, metricsNamespace, {
        environment: valuesEnvironment,
        grantRead: (role) => values.grant(role, { read: true, write: false, delete: false, list: false }),
      });
      if (backup.drillFunction) deployed.push(['restoreDrill', backup.drillFunction]);
      replicateValues(this, values, props.backup, props.backup.copyVaultName ?? DEFAULT_COPY_VAULT_NAME);
      return backup;
    };
    const frontDoor = props.frontDoor ?? VssFrontDoor.apiGateway();
    let edge: EdgeMetrics;
    if (frontDoor.kind === 'apiGateway') {
      const api = createApi(this, {
        authMode,
        throttling: props.throttling,
        stageName: props.stageName,
        executionLogLevel,
        logRetention,
        logRemovalPolicy,
      });
      this.api = api;
      const authorization = createAuthorization(this, props.auth, functions, lnurl);
      if (authorization.function) deployed.push(['jwtAuthorizer', authorization.function]);
      if (authorization.userPool) this.userPool = authorization.userPool;

      const vss = api.root.addResource('vss');
      for (const op of OPERATIONS) {
        const fn = functions.create({
          name: op,
          environment: {
            [ENV.tableName]: table.table.tableName,
            [ENV.authMode]: authMode,
            ...valuesEnvironment,
            ...signatureFunctionEnvironment(props.auth),
            ...providerFunctionEnvironment(props.provider),
          },
        });
        grantTableAccess(fn, table, withProviderActions(VSS_TABLE_ACTIONS[op], op, props.provider));
        values.grant(fn.role, VSS_VALUES_ACCESS[op]);
        grantEnrollmentRead(fn, table, props.auth);
        deployed.push([op, fn]);
        const method = vss
          .addResource(op)
          .addMethod('POST', new apigw.LambdaIntegration(fn.alias, { proxy: true, allowTestInvoke: false }), {
            authorizationType: authorization.authorizationType,
            ...(authorization.authorizer ? { authorizer: authorization.authorizer } : {}),
          });
        acknowledgeMethod(method, authMode);
      }
      deployed.push(['sweepChunks', createSweeper(this, functions, table, values, valuesEnvironment)]);
      const backup = addBackup();
      if (backup) this.backup = backup;

      if (props.lnurlAuth && lnurl) {
        const fn = createLnurlFunction(functions, lnurl, { options: props.lnurlAuth, domainName: props.domain?.domainName });
        deployed.push(['lnurlAuth', fn]);
        const method = api.root
          .addResource('lnurl-auth')
          .addMethod('GET', new apigw.LambdaIntegration(fn.alias, { proxy: true, allowTestInvoke: false }), {
            authorizationType: apigw.AuthorizationType.NONE,
          });
        acknowledgeMethod(method, 'lnurl');
      }
      this.functions = Object.fromEntries(deployed);

      if (props.waf?.enabled ?? true) this.webAcl = createWaf(this, apiWafTarget(api), props.waf ?? {});
      else acknowledgeWafOff(api);

      if (props.domain) this.domainName = createDomain(this, api, props.domain);
      const origin = props.domain ? `https://${props.domain.domainName}/` : api.url;
      this.baseUrl = `${origin}vss`;
      if (props.lnurlAuth) this.lnurlAuthUrl = `${origin}lnurl-auth`;
      edge = apiGatewayEdge(api);
      acknowledgeApi(api, executionLogLevel);
    } else {
      // validateProps has made sure of a domain (the load balancer's certificate and address).
      const domain = props.domain!;
      const container = createContainerService(this, {
        options: frontDoor.containerOptions ?? {},
        table,
        values,
        valuesEnvironment,
        auth: props.auth,
        certificate: domainCertificate(this, domain),
        provider: props.provider,
        metricsNamespace,
        logRetention,
        logRemovalPolicy,
      });
      this.container = container;
      aliasLoadBalancer(this, container.loadBalancer, domain);
      deployed.push(['sweepChunks', createSweeper(this, functions, table, values, valuesEnvironment)]);
      const backup = addBackup();
      if (backup) this.backup = backup;
      this.functions = Object.fromEntries(deployed);
      if (props.waf?.enabled ?? true) {
        this.webAcl = createWaf(
          this,
          {
            resourceArn: container.loadBalancer.loadBalancerArn,
            maxBodyBytes: containerSettings(frontDoor.containerOptions ?? {}).maxBodyBytes,
            answersClients: true,
          },
          props.waf ?? {},
        );
      }
      this.baseUrl = `https://${domain.domainName}/vss`;
      edge = loadBalancerEdge(container.loadBalancer, container.targetGroup, container.service);
      acknowledgeContainer(container);
    }

    const monitoring = createMonitoring(
      this,
      { edge, table: table.table, webAcl: this.webAcl, functions: deployed },
      props.alarms ?? {},
      metricsNamespace,
      props.provider,
      this.backup?.addAlarms,
    );
    if (monitoring.alarmTopic) this.alarmTopic = monitoring.alarmTopic;
    this.alarms = monitoring.alarms;
    this.dashboard = monitoring.dashboard;

    acknowledgeFunctions(deployed);
  }
}

/** The object tier's settings, as every function that touches values reads them. */
function largeValuesEnvironment(values: ValuesBucket, options: VssLargeValuesOptions | undefined): Record<string, string> {
  return {
    [ENV.valueBucket]: values.bucket.bucketName,
    [ENV.inlineMaxBytes]: String(options?.inlineMaxBytes ?? LARGE_VALUES.defaultInlineMaxBytes),
    [ENV.retentionDays]: String(values.retentionDays),
  };
}
