/**
 * The container front door (lib/front-door.ts): an internet-facing HTTPS Application Load
 * Balancer with the ACM certificate of the `domain` settings, in front of ECS Fargate tasks
 * (ARM64) that run `vss serve`, the same request path as the Lambda door and `npm start`.
 *
 *   network   a new VPC over 2 Availability Zones with public subnets only: no NAT gateway; the
 *             tasks get public IPs for ECR and CloudWatch Logs, and DynamoDB and S3 are reached
 *             through gateway endpoints (free). The tasks' security group admits only the load
 *             balancer. Or an existing VPC (`existingVpc`).
 *   edge      HTTPS on 443 only (TLS 1.2+ policy), no port 80 listener: credentials travel in
 *             headers, so a plaintext request must not even reach a listener. Invalid header
 *             fields are dropped. The per-IP and per-user WAF rules of the Lambda door are
 *             associated with the load balancer.
 *   tasks     at least 2, spread over 2 AZs, target-tracking on CPU and memory, deployment
 *             circuit breaker with rollback, read-only root filesystem (a writable /tmp volume),
 *             /health checked by the target group. A stopping task is deregistered, keeps
 *             serving for `drainTimeout` (the deregistration delay), then gets SIGTERM and drains
 *             what it still has within the same time (the container's stop timeout).
 *   logs      the awslogs driver into one log group; the server writes the Lambda door's JSON log
 *             lines and EMF metric lines, and metric filters turn the EMF fields into the same
 *             metrics (namespace, names, dimensions) the Lambda door publishes, so the dashboard
 *             and the alarms cover both doors.
 *
 * Construct IDs here are new resources of the container variant; none holds data.
 */
import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  ENV,
  METRIC_NAMES,
  METRICS_SERVICE_NAME,
  OPERATIONS,
  PROVIDER_METRIC_NAMES,
  SERVER_ENV,
  SERVER_HEALTH_PATH,
  SERVER_PORT,
} from '../../lambda/contract.js';
import type { VssAuth } from '../auth.js';
import type { VssContainerOptions } from '../front-door.js';
import type { VssProviderOptions } from '../options.js';
import { PROJECT_ROOT } from './functions.js';
import { grantTableAccess, unionOfAccess, VSS_TABLE_ACTIONS, VSS_VALUES_ACCESS } from './permissions.js';
import { providerFunctionEnvironment, withProviderActions } from './provider.js';
import { grantEnrollmentRead, signatureFunctionEnvironment } from './signature.js';
import type { VssTableResources } from './table.js';
import type { ValuesAccess, ValuesBucket } from './values-bucket.js';

const MiB = 1024 * 1024;

/** What `VssFrontDoor.container()` uses when a setting is absent (docs/configuration.md). */
export const CONTAINER_DEFAULTS = {
  cpu: 512,
  memoryMiB: 1024,
  minTasks: 2,
  maxTasks: 10,
  targetCpuPercent: 60,
  targetMemoryPercent: 70,
  maxBodyBytes: 64 * MiB,
  maxInFlightBytes: 256 * MiB,
  drainTimeout: Duration.seconds(30),
  idleTimeout: Duration.seconds(60),
} as const;

/** The most a body may be (the reference server's limit). */
export const CONTAINER_MAX_BODY_BYTES = 1024 * MiB;
/** Memory a task needs besides the in-flight bodies (runtime, SDK clients, buffers). */
export const TASK_BASE_MEMORY_MIB = 256;
/** How much longer the server keeps an idle connection than the load balancer does. */
export const KEEP_ALIVE_MARGIN = Duration.seconds(5);

/** Fargate's CPU/memory combinations (MiB) for the CPU values offered here. */
export const FARGATE_MEMORY_MIB: Readonly<Record<number, readonly [number, number, number]>> = {
  // cpu: [min, max, step]
  256: [512, 2048, 512],
  512: [1024, 4096, 1024],
  1024: [2048, 8192, 1024],
  2048: [4096, 16384, 1024],
  4096: [8192, 30720, 1024],
  8192: [16384, 61440, 4096],
  16384: [32768, 122880, 8192],
};

/**
 * The user the server runs as: the image's non-root `node` user (uid and gid 1000 in the official
 * Node.js images, the Dockerfile's `USER node`), set again in the task definition so that the
 * task, not only the image, says so; by number, so an image without a `node` entry still runs
 * unprivileged.
 */
export const CONTAINER_USER = '1000:1000';

/** The directory holding the Dockerfile: this package's root. */
export const IMAGE_DIRECTORY = PROJECT_ROOT;

export interface ContainerResources {
  readonly vpc: ec2.IVpc;
  readonly cluster: ecs.Cluster;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly service: ecs.FargateService;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly logGroup: logs.LogGroup;
}

export interface ContainerInputs {
  readonly options: VssContainerOptions;
  readonly table: VssTableResources;
  /** The values bucket, and its settings as the Lambda functions get them (VSS_S3_BUCKET, ...). */
  readonly values: ValuesBucket;
  readonly valuesEnvironment: Readonly<Record<string, string>>;
  readonly auth: VssAuth;
  readonly certificate: acm.ICertificate;
  readonly provider: VssProviderOptions | undefined;
  readonly metricsNamespace: string;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

/** The settings with their defaults applied. */
export function containerSettings(o: VssContainerOptions) {
  const d = CONTAINER_DEFAULTS;
  return {
    cpu: o.cpu ?? d.cpu,
    memoryMiB: o.memoryMiB ?? d.memoryMiB,
    minTasks: o.minTasks ?? d.minTasks,
    maxTasks: o.maxTasks ?? d.maxTasks,
    targetCpuPercent: o.targetCpuPercent ?? d.targetCpuPercent,
    maxBodyBytes: o.maxBodyBytes ?? d.maxBodyBytes,
    maxInFlightBytes: o.maxInFlightBytes ?? Math.max(d.maxInFlightBytes, o.maxBodyBytes ?? 0),
    drainTimeout: o.drainTimeout ?? d.drainTimeout,
    idleTimeout: o.idleTimeout ?? d.idleTimeout,
  };
}

/** The environment of `vss serve` in a task: everything it needs comes from here. */
export function serverEnvironment(inputs: ContainerInputs): Record<string, string> {
  const s = containerSettings(inputs.options);
  const stack = Stack.of(inputs.table.table);
  const auth = inputs.auth;
  const env: Record<string, string> = {
    [SERVER_ENV.host]: '0.0.0.0',
    [SERVER_ENV.port]: String(SERVER_PORT),
    [SERVER_ENV.dynamodbEndpoint]: `https://dynamodb.${stack.region}.${stack.urlSuffix}`,
    [ENV.tableName]: inputs.table.table.tableName,
    // The values bucket in AWS S3: without an endpoint, vss serve would embed its local store.
    [SERVER_ENV.s3Endpoint]: `https://s3.${stack.region}.${stack.urlSuffix}`,
    ...inputs.valuesEnvironment,
    [SERVER_ENV.auth]: auth.mode,
    [SERVER_ENV.maxBodyBytes]: String(s.maxBodyBytes),
    [SERVER_ENV.maxInFlightBytes]: String(s.maxInFlightBytes),
    [SERVER_ENV.drainTimeoutSeconds]: String(s.drainTimeout.toSeconds()),
    [SERVER_ENV.keepAliveTimeoutSeconds]: String(s.idleTimeout.plus(KEEP_ALIVE_MARGIN).toSeconds()),
    // Log lines and EMF metrics as the Lambda door writes them (the metric filters read them).
    [SERVER_ENV.logFormat]: 'lambda',
    // The deployed sweeper (a scheduled function) does this once for the table; tasks do not.
    [SERVER_ENV.sweepIntervalSeconds]: '0',
    [ENV.metricsNamespace]: inputs.metricsNamespace,
    [ENV.serviceName]: METRICS_SERVICE_NAME,
    ...providerFunctionEnvironment(inputs.provider),
    ...signatureFunctionEnvironment(auth),
  };
  if (auth.mode === 'none') env[SERVER_ENV.allowUnauthenticated] = 'true';
  if (auth.mode === 'jwt') {
    const o = auth.jwtOptions ?? {};
    if (o.publicKeyPem) env[ENV.jwtPublicKeyPem] = o.publicKeyPem;
    if (o.jwksUrl) env[ENV.jwtJwksUrl] = o.jwksUrl;
    if (o.issuer) env[ENV.jwtIssuer] = o.issuer;
    if (o.audience) env[ENV.jwtAudience] = o.audience;
    if (o.algorithms) env[ENV.jwtAlgorithms] = o.algorithms.join(',');
  }
  return env;
}

export function createContainerService(scope: Construct, inputs: ContainerInputs): ContainerResources {
  const s = containerSettings(inputs.options);
  const existing = inputs.options.existingVpc;
  const vpc =
    existing ??
    new ec2.Vpc(scope, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
      gatewayEndpoints: {
        DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
      },
    });
  // Tasks in private subnets when the given VPC has some with egress; otherwise public with an IP.
  const privateTasks = existing !== undefined && existing.privateSubnets.length > 0;
  const taskSubnets: ec2.SubnetSelection = { subnetType: privateTasks ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PUBLIC };

  const cluster = new ecs.Cluster(scope, 'Cluster', { vpc });
  const taskDefinition = new ecs.FargateTaskDefinition(scope, 'TaskDefinition', {
    cpu: s.cpu,
    memoryLimitMiB: s.memoryMiB,
    runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
  });
  taskDefinition.addVolume({ name: 'tmp' });
  const logGroup = new logs.LogGroup(scope, 'ContainerLogs', { retention: inputs.logRetention, removalPolicy: inputs.logRemovalPolicy });
  const image =
    inputs.options.image ?? ecs.ContainerImage.fromAsset(IMAGE_DIRECTORY, { file: 'Dockerfile', platform: Platform.LINUX_ARM64 });
  const container = taskDefinition.addContainer('Server', {
    image,
    command: ['serve'],
    environment: serverEnvironment(inputs),
    portMappings: [{ containerPort: SERVER_PORT, protocol: ecs.Protocol.TCP }],
    readonlyRootFilesystem: true,
    user: CONTAINER_USER,
    stopTimeout: s.drainTimeout,
    logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'vss', mode: ecs.AwsLogDriverMode.NON_BLOCKING }),
    healthCheck: {
      // The image has no curl: Node's fetch asks the server itself.
      command: [
        'CMD',
        'node',
        '-e',
        `fetch('http://127.0.0.1:${SERVER_PORT}${SERVER_HEALTH_PATH}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
      ],
      interval: Duration.seconds(15),
      timeout: Duration.seconds(5),
      retries: 3,
      startPeriod: Duration.seconds(20),
    },
  });
  container.addMountPoints({ containerPath: '/tmp', sourceVolume: 'tmp', readOnly: false });
  grantTableAccess(
    { role: taskDefinition.taskRole },
    inputs.table,
    unionOfAccess(OPERATIONS.map((op) => withProviderActions(VSS_TABLE_ACTIONS[op], op, inputs.provider))),
  );
  // One task serves every operation: the union of the functions' bucket access.
  inputs.values.grant(
    taskDefinition.taskRole,
    OPERATIONS.reduce<ValuesAccess>(
      (all, op) => {
        const a: ValuesAccess = VSS_VALUES_ACCESS[op];
        return { read: all.read || a.read, write: all.write || a.write, delete: all.delete || a.delete, list: all.list || a.list };
      },
      { read: false, write: false, delete: false, list: false },
    ),
  );
  grantEnrollmentRead({ role: taskDefinition.taskRole }, inputs.table, inputs.auth);

  const lbSecurityGroup = new ec2.SecurityGroup(scope, 'LoadBalancerSecurityGroup', {
    vpc,
    description: 'VSS load balancer: HTTPS from anywhere, to the tasks only',
    allowAllOutbound: false,
  });
  lbSecurityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS from wallets');
  const taskSecurityGroup = new ec2.SecurityGroup(scope, 'TaskSecurityGroup', {
    vpc,
    description: 'VSS tasks: only the load balancer may connect',
    allowAllOutbound: true,
  });

  const service = new ecs.FargateService(scope, 'Service', {
    cluster,
    taskDefinition,
    desiredCount: s.minTasks,
    minHealthyPercent: 100,
    maxHealthyPercent: 200,
    circuitBreaker: { enable: true, rollback: true },
    assignPublicIp: !privateTasks,
    vpcSubnets: taskSubnets,
    securityGroups: [taskSecurityGroup],
    availabilityZoneRebalancing: ecs.AvailabilityZoneRebalancing.ENABLED,
    healthCheckGracePeriod: Duration.seconds(60),
  });
  const scaling = service.autoScaleTaskCount({ minCapacity: s.minTasks, maxCapacity: s.maxTasks });
  scaling.scaleOnCpuUtilization('CpuScaling', {
    targetUtilizationPercent: s.targetCpuPercent,
    scaleOutCooldown: Duration.seconds(60),
    scaleInCooldown: Duration.seconds(300),
  });
  scaling.scaleOnMemoryUtilization('MemoryScaling', {
    targetUtilizationPercent: CONTAINER_DEFAULTS.targetMemoryPercent,
    scaleOutCooldown: Duration.seconds(60),
    scaleInCooldown: Duration.seconds(300),
  });

  const loadBalancer = new elbv2.ApplicationLoadBalancer(scope, 'LoadBalancer', {
    vpc,
    internetFacing: true,
    securityGroup: lbSecurityGroup,
    vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    idleTimeout: s.idleTimeout,
    dropInvalidHeaderFields: true,
    http2Enabled: true,
  });
  const listener = loadBalancer.addListener('HttpsListener', {
    port: 443,
    protocol: elbv2.ApplicationProtocol.HTTPS,
    certificates: [inputs.certificate],
    sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
    open: false,
  });
  const targetGroup = listener.addTargets('Tasks', {
    port: SERVER_PORT,
    protocol: elbv2.ApplicationProtocol.HTTP,
    targets: [service.loadBalancerTarget({ containerName: 'Server', containerPort: SERVER_PORT })],
    deregistrationDelay: s.drainTimeout,
    healthCheck: {
      path: SERVER_HEALTH_PATH,
      healthyHttpCodes: '200',
      interval: Duration.seconds(10),
      timeout: Duration.seconds(5),
      healthyThresholdCount: 2,
      unhealthyThresholdCount: 3,
    },
  });
  taskSecurityGroup.addIngressRule(lbSecurityGroup, ec2.Port.tcp(SERVER_PORT), 'the load balancer only');
  lbSecurityGroup.addEgressRule(taskSecurityGroup, ec2.Port.tcp(SERVER_PORT), 'to the tasks only');

  addMetricFilters(scope, logGroup, inputs.metricsNamespace);
  return { vpc, cluster, taskDefinition, service, loadBalancer, targetGroup, logGroup };
}

/**
 * The Lambda door's EMF metrics, from the same EMF lines in the container's log group: ECS's
 * awslogs driver does not extract EMF (Lambda's log service does), so one metric filter per
 * metric name publishes it with the same namespace, name, unit and dimensions.
 */
function addMetricFilters(scope: Construct, logGroup: logs.LogGroup, namespace: string): void {
  const count = cloudwatch.Unit.COUNT;
  const perOperation: ReadonlyArray<readonly [string, cloudwatch.Unit]> = [
    [METRIC_NAMES.requests, count],
    [METRIC_NAMES.latency, cloudwatch.Unit.MILLISECONDS],
    [METRIC_NAMES.conflicts, count],
    [METRIC_NAMES.clientErrors, count],
    [METRIC_NAMES.authFailures, count],
    [METRIC_NAMES.errors, count],
    [METRIC_NAMES.throttled, count],
  ];
  for (const [name, unit] of perOperation) {
    new logs.MetricFilter(scope, `${name}MetricFilter`, {
      logGroup,
      metricNamespace: namespace,
      metricName: name,
      filterPattern: logs.FilterPattern.all(logs.FilterPattern.exists(`$.${name}`), logs.FilterPattern.exists('$.operation')),
      metricValue: `$.${name}`,
      dimensions: { service: '$.service', operation: '$.operation' },
      unit,
    });
  }
  for (const name of Object.values(PROVIDER_METRIC_NAMES)) {
    new logs.MetricFilter(scope, `${name}MetricFilter`, {
      logGroup,
      metricNamespace: namespace,
      metricName: name,
      filterPattern: logs.FilterPattern.exists(`$.${name}`),
      metricValue: `$.${name}`,
      dimensions: { service: '$.service' },
      unit: count,
    });
  }
}
