/**
 * The container front door (`VssFrontDoor.container()`): every control of docs/deploy.md
 * "Choosing a front door" has a named assertion here — the service and its tasks, autoscaling,
 * health check and circuit breaker; the HTTPS-only edge, the WAF association, no NAT gateway; the
 * task role's permissions; the same alarm names and metrics as the Lambda door; cdk-nag; and the
 * configuration rules. No image is built (no Docker here): the image asset is only staged.
 */
import { describe, expect, it } from 'vitest';
import { Duration } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { App, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { parseConfig, toServiceProps } from '../../bin/config.js';
import { VssAuth } from '../../lib/auth.js';
import { VssFrontDoor, type VssContainerOptions } from '../../lib/front-door.js';
import { VssConfigError } from '../../lib/private/schema.js';
import { CONTAINER_DEFAULTS, CONTAINER_USER, KEEP_ALIVE_MARGIN } from '../../lib/private/container.js';
import { RATE_LIMITED_MESSAGE, bodyTooLargeMessage } from '../../lib/private/waf.js';
import {
  ENV,
  LARGE_VALUES,
  METRIC_NAMES,
  METRICS_SERVICE_NAME,
  OPERATIONS,
  PROTOCOL_VERSION,
  PROTOCOL_VERSION_HEADER,
  SERVER_ENV,
} from '../../lambda/contract.js';
import { ErrorCode } from '../../lambda/core/errors.js';
import { vss } from '../../lambda/core/generated/vss.js';
import { expectControl } from './controls/evaluate.js';
import { configProblems, nagFindings, resourcesOf, synth, TEST_PUBLIC_KEY_PEM } from './support.js';

const CERT_ARN = 'arn:aws:acm:eu-west-1:111122223333:certificate/abc';
const containerProps =
  (options: VssContainerOptions = {}, more: (scope: Construct) => object = () => ({})) =>
  (scope: Construct) => ({
    auth: VssAuth.signature(),
    frontDoor: VssFrontDoor.container(options),
    domain: { domainName: 'vss.example.com', certificate: acm.Certificate.fromCertificateArn(scope, 'C', CERT_ARN) },
    ...more(scope),
  });

const { stack, template } = synth(containerProps());
const lambdaDoor = synth({}).template;

function only(t: Template, type: string): { id: string; props: Record<string, any>; resource: Record<string, any> } {
  const all = Object.entries(resourcesOf(t, type));
  expect(
    all.map(([id]) => id),
    type,
  ).toHaveLength(1);
  const [id, resource] = all[0]!;
  return { id, props: resource.Properties ?? {}, resource };
}
const containerLogs = () => {
  const [id, r] = Object.entries(resourcesOf(template, 'AWS::Logs::LogGroup')).find(([id]) => id.startsWith('VssContainerLogs'))!;
  return { id, props: r.Properties ?? {} };
};
/** The functions the construct deploys (not CDK's own custom-resource handlers). */
const vssFunctions = (t: Template) =>
  Object.values(resourcesOf(t, 'AWS::Lambda::Function'))
    .map((f) => String(f.Properties?.['Description']))
    .filter((d) => d.startsWith('VSS '));
const container = () => only(template, 'AWS::ECS::TaskDefinition').props['ContainerDefinitions'][0];
const environment = (): Record<string, string> =>
  Object.fromEntries((container().Environment as Array<{ Name: string; Value: unknown }>).map((e) => [e.Name, e.Value as string]));

describe('container front door: the service and its tasks', () => {
  it('runs on Fargate, ARM64, with the default size and the server command', () => {
    const td = only(template, 'AWS::ECS::TaskDefinition').props;
    expect(td['RequiresCompatibilities']).toEqual(['FARGATE']);
    expect(td['RuntimePlatform']).toEqual({ CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' });
    expect(td['Cpu']).toBe(String(CONTAINER_DEFAULTS.cpu));
    expect(td['Memory']).toBe(String(CONTAINER_DEFAULTS.memoryMiB));
    expect(container().Command).toEqual(['serve']);
    expect(container().PortMappings).toEqual([{ ContainerPort: 8080, Protocol: 'tcp' }]);
  });

  it('keeps at least 2 tasks, spread over 2 Availability Zones', () => {
    expectControl(template, 'ecs-two-tasks-autoscaled');
    const svc = only(template, 'AWS::ECS::Service').props;
    expect(svc['LaunchType']).toBe('FARGATE');
    expect(svc['DesiredCount']).toBe(2);
    expect(svc['AvailabilityZoneRebalancing']).toBe('ENABLED');
    const subnets = svc['NetworkConfiguration'].AwsvpcConfiguration.Subnets as unknown[];
    expect(subnets).toHaveLength(2);
    const azs = Object.values(resourcesOf(template, 'AWS::EC2::Subnet')).map((s) => JSON.stringify(s.Properties?.['AvailabilityZone']));
    expect(new Set(azs).size).toBe(2);
  });

  it('scales by target tracking on CPU (and memory) between minTasks and maxTasks', () => {
    expectControl(template, 'ecs-two-tasks-autoscaled');
    const target = only(template, 'AWS::ApplicationAutoScaling::ScalableTarget').props;
    expect(target).toMatchObject({ MinCapacity: 2, MaxCapacity: 10, ScalableDimension: 'ecs:service:DesiredCount' });
    const policies = Object.values(resourcesOf(template, 'AWS::ApplicationAutoScaling::ScalingPolicy')).map(
      (p) => p.Properties?.['TargetTrackingScalingPolicyConfiguration'] as Record<string, any>,
    );
    expect(policies.map((p) => [p['PredefinedMetricSpecification'].PredefinedMetricType, p['TargetValue']]).sort()).toEqual([
      ['ECSServiceAverageCPUUtilization', 60],
      ['ECSServiceAverageMemoryUtilization', 70],
    ]);
  });

  it('rolls a failing deployment back (circuit breaker) and never drops below the running count', () => {
    expectControl(template, 'ecs-circuit-breaker');
    const cfg = only(template, 'AWS::ECS::Service').props['DeploymentConfiguration'];
    expect(cfg).toMatchObject({
      DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      MinimumHealthyPercent: 100,
      MaximumPercent: 200,
    });
  });

  it('checks /health from the target group and inside the task', () => {
    const tg = only(template, 'AWS::ElasticLoadBalancingV2::TargetGroup').props;
    expect(tg).toMatchObject({ HealthCheckPath: '/health', Matcher: { HttpCode: '200' }, Port: 8080, Protocol: 'HTTP', TargetType: 'ip' });
    expect(container().HealthCheck.Command.join(' ')).toContain('http://127.0.0.1:8080/health');
  });

  it('drains: deregistration delay = the container stop timeout = the server drain; keep-alive outlasts the load balancer', () => {
    const drain = CONTAINER_DEFAULTS.drainTimeout.toSeconds();
    const tg = only(template, 'AWS::ElasticLoadBalancingV2::TargetGroup').props;
    expect(tg['TargetGroupAttributes']).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: String(drain) });
    expect(container().StopTimeout).toBe(drain);
    expect(environment()[SERVER_ENV.drainTimeoutSeconds]).toBe(String(drain));
    const lb = only(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer').props;
    const idle = Number(lb['LoadBalancerAttributes'].find((a: { Key: string }) => a.Key === 'idle_timeout.timeout_seconds').Value);
    expect(idle).toBe(CONTAINER_DEFAULTS.idleTimeout.toSeconds());
    expect(Number(environment()[SERVER_ENV.keepAliveTimeoutSeconds])).toBe(idle + KEEP_ALIVE_MARGIN.toSeconds());
  });

  it('a custom drain timeout moves all three together', () => {
    const { template: t } = synth(containerProps({ drainTimeout: Duration.seconds(90) }));
    const tg = only(t, 'AWS::ElasticLoadBalancingV2::TargetGroup').props;
    expect(tg['TargetGroupAttributes']).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '90' });
    const c = only(t, 'AWS::ECS::TaskDefinition').props['ContainerDefinitions'][0];
    expect(c.StopTimeout).toBe(90);
    expect(c.Environment).toContainEqual({ Name: SERVER_ENV.drainTimeoutSeconds, Value: '90' });
  });

  it('mounts the root filesystem read-only, with a writable /tmp only', () => {
    expectControl(template, 'container-read-only-root');
    expect(container().ReadonlyRootFilesystem).toBe(true);
    expect(container().MountPoints).toEqual([{ ContainerPath: '/tmp', ReadOnly: false, SourceVolume: 'tmp' }]);
  });

  it("runs as the image's non-root user, set in the task definition (not only by the Dockerfile's USER)", () => {
    expectControl(template, 'container-non-root');
    expect(container().User).toBe(CONTAINER_USER);
    expect(CONTAINER_USER).not.toMatch(/^(0|root)(:|$)/);
  });

  it('configures vss serve through its environment: DynamoDB itself, the auth mode, the body and memory bounds, Lambda-shaped logs', () => {
    expectControl(template, 'container-verifies-auth');
    const env = environment();
    expect(env[SERVER_ENV.host]).toBe('0.0.0.0');
    expect(env[SERVER_ENV.port]).toBe('8080');
    expect(JSON.stringify(env[SERVER_ENV.dynamodbEndpoint])).toContain('https://dynamodb.');
    expect(env[SERVER_ENV.auth]).toBe('signature');
    expect(env[SERVER_ENV.maxBodyBytes]).toBe(String(64 * 1024 * 1024));
    expect(env[SERVER_ENV.maxInFlightBytes]).toBe(String(256 * 1024 * 1024));
    expect(env[SERVER_ENV.logFormat]).toBe('lambda');
    expect(env[SERVER_ENV.sweepIntervalSeconds]).toBe('0');
    expect(env['VSS_TABLE_NAME']).toEqual({ Ref: 'VssTable40F1830D' });
  });

  it('keeps large values in the values bucket in AWS S3, with the settings the Lambda functions get (never the embedded store)', () => {
    const env = environment();
    expect(JSON.stringify(env[SERVER_ENV.s3Endpoint])).toContain('https://s3.');
    expect(JSON.stringify(env[ENV.valueBucket])).toContain('VssValuesBucket');
    expect(env[ENV.inlineMaxBytes]).toBe(String(LARGE_VALUES.defaultInlineMaxBytes));
    expect(env[ENV.retentionDays]).toBe(String(LARGE_VALUES.defaultRetentionDays));
  });

  it('passes the JWT verification settings in jwt mode (verified in the task, no authorizer function)', () => {
    const { template: t } = synth((scope) => ({
      ...containerProps()(scope),
      auth: VssAuth.jwt({ publicKeyPem: TEST_PUBLIC_KEY_PEM, issuer: 'https://issuer.example', algorithms: ['ES256'] }),
    }));
    const env = only(t, 'AWS::ECS::TaskDefinition').props['ContainerDefinitions'][0].Environment;
    expect(env).toContainEqual({ Name: SERVER_ENV.auth, Value: 'jwt' });
    expect(env).toContainEqual({ Name: 'VSS_JWT_PUBLIC_KEY_PEM', Value: TEST_PUBLIC_KEY_PEM });
    expect(env).toContainEqual({ Name: 'VSS_JWT_ISSUER', Value: 'https://issuer.example' });
    expect(env).toContainEqual({ Name: 'VSS_JWT_ALGORITHMS', Value: 'ES256' });
    expect(vssFunctions(t)).toEqual(['VSS sweepChunks']);
  });

  it('replaces the REST API and the per-operation functions; the scheduled sweeper stays', () => {
    expect(Object.keys(resourcesOf(template, 'AWS::ApiGateway::RestApi'))).toEqual([]);
    expect(vssFunctions(template)).toEqual(['VSS sweepChunks']);
    expect(Object.keys(resourcesOf(template, 'AWS::DynamoDB::Table'))).toEqual(['VssTable40F1830D']);
  });
});

describe('container front door: the edge', () => {
  it('listens on HTTPS 443 only, with a TLS 1.2+ policy and the domain certificate; no port 80 listener', () => {
    expectControl(template, 'container-https-only');
    const listeners = Object.values(resourcesOf(template, 'AWS::ElasticLoadBalancingV2::Listener')).map((l) => l.Properties!);
    expect(listeners).toHaveLength(1);
    expect(listeners[0]).toMatchObject({
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: CERT_ARN }],
    });
    expect(String(listeners[0]!['SslPolicy'])).toMatch(/TLS13-1-2|TLS-1-2/);
  });

  it('is internet-facing in public subnets and drops invalid header fields', () => {
    expectControl(template, 'container-drops-invalid-headers');
    const lb = only(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer').props;
    expect(lb['Scheme']).toBe('internet-facing');
    expect(lb['LoadBalancerAttributes']).toContainEqual({ Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' });
  });

  it('admits HTTPS from anywhere at the load balancer, and only the load balancer at the tasks', () => {
    expectControl(template, 'container-tasks-behind-load-balancer');
    const groups = resourcesOf(template, 'AWS::EC2::SecurityGroup');
    const lbGroup = Object.entries(groups).find(([id]) => id.startsWith('VssLoadBalancerSecurityGroup'))!;
    expect(lbGroup[1].Properties?.['SecurityGroupIngress']).toEqual([
      { CidrIp: '0.0.0.0/0', Description: 'HTTPS from wallets', FromPort: 443, IpProtocol: 'tcp', ToPort: 443 },
    ]);
    const taskGroup = Object.entries(groups).find(([id]) => id.startsWith('VssTaskSecurityGroup'))!;
    expect(taskGroup[1].Properties?.['SecurityGroupIngress']).toBeUndefined();
    const ingress = Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties!);
    expect(ingress).toHaveLength(1);
    expect(ingress[0]).toMatchObject({
      GroupId: { 'Fn::GetAtt': [taskGroup[0], 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [lbGroup[0], 'GroupId'] },
      FromPort: 8080,
      ToPort: 8080,
    });
    for (const r of ingress) expect(r['CidrIp']).toBeUndefined();
  });

  it('creates no NAT gateway: public subnets, tasks with a public IP, DynamoDB and S3 gateway endpoints', () => {
    expectControl(template, 'container-no-nat-gateway');
    expect(Object.keys(resourcesOf(template, 'AWS::EC2::NatGateway'))).toEqual([]);
    const subnets = Object.values(resourcesOf(template, 'AWS::EC2::Subnet'));
    expect(subnets).toHaveLength(2);
    for (const s of subnets) expect(s.Properties?.['MapPublicIpOnLaunch']).toBe(true);
    expect(only(template, 'AWS::ECS::Service').props['NetworkConfiguration'].AwsvpcConfiguration.AssignPublicIp).toBe('ENABLED');
    const endpoints = Object.values(resourcesOf(template, 'AWS::EC2::VPCEndpoint')).map((e) => e.Properties!);
    expect(endpoints.map((e) => e['VpcEndpointType'])).toEqual(['Gateway', 'Gateway']);
    expect(endpoints.map((e) => JSON.stringify(e['ServiceName'])).sort()).toEqual([
      expect.stringContaining('.dynamodb'),
      expect.stringContaining('.s3'),
    ]);
  });

  it('in an existing VPC with private subnets, runs the tasks there without public IPs and creates no VPC', () => {
    const { stack: s, template: t } = synth((scope) => {
      const vpc = ec2.Vpc.fromVpcAttributes(scope, 'Vpc', {
        vpcId: 'vpc-0123456789abcdef0',
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
        publicSubnetIds: ['subnet-0000000000000000a', 'subnet-0000000000000000b'],
        privateSubnetIds: ['subnet-0000000000000000c', 'subnet-0000000000000000d'],
      });
      return containerProps({ existingVpc: vpc, image: ecs.ContainerImage.fromRegistry('vss:test') })(scope) as never;
    });
    expect(Object.keys(resourcesOf(t, 'AWS::EC2::VPC'))).toEqual([]);
    const net = only(t, 'AWS::ECS::Service').props['NetworkConfiguration'].AwsvpcConfiguration;
    expect(net.AssignPublicIp).toBe('DISABLED');
    expect(net.Subnets).toEqual(['subnet-0000000000000000c', 'subnet-0000000000000000d']);
    expect(nagFindings(s)).toEqual([]);
  });

  it('attaches the per-user and per-IP WAF rules to the load balancer', () => {
    expectControl(template, 'waf-associated');
    expectControl(template, 'waf-rate-rules');
    expectControl(template, 'waf-body-too-large');
    const assoc = only(template, 'AWS::WAFv2::WebACLAssociation').props;
    expect(assoc['ResourceArn']).toEqual({ Ref: only(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer').id });
    const acl = only(template, 'AWS::WAFv2::WebACL').props;
    expect(acl['Scope']).toBe('REGIONAL');
    const names = (acl['Rules'] as Array<{ Name: string }>).map((r) => r.Name);
    expect(names).toEqual(expect.arrayContaining(['per-user-rate', 'per-ip-rate', 'body-too-large']));
  });

  it("answers the WAF's own blocks with the protocol: 429 and 413 carry vss-protocol-version: 0 and a protobuf ErrorResponse", () => {
    const acl = only(template, 'AWS::WAFv2::WebACL').props;
    const rules = acl['Rules'] as Array<{ Name: string; Action?: any; Statement: any }>;
    const bodies = acl['CustomResponseBodies'] as Record<string, { ContentType: string; Content: string }>;
    const decode = (key: string) => vss.ErrorResponse.decode(Buffer.from(bodies[key]!.Content, 'latin1'));
    for (const name of ['per-user-rate', 'per-ip-rate']) {
      const r = rules.find((x) => x.Name === name)!;
      expect(r.Action.Block.CustomResponse).toEqual({
        ResponseCode: 429,
        CustomResponseBodyKey: 'vss-rate-limited',
        ResponseHeaders: [{ Name: PROTOCOL_VERSION_HEADER, Value: PROTOCOL_VERSION }],
      });
    }
    expect(decode('vss-rate-limited')).toMatchObject({ errorCode: ErrorCode.INTERNAL_SERVER_EXCEPTION, message: RATE_LIMITED_MESSAGE });
    const tooLarge = rules.find((x) => x.Name === 'body-too-large')!;
    const re = new RegExp(tooLarge.Statement.RegexMatchStatement.RegexString);
    const max = CONTAINER_DEFAULTS.maxBodyBytes;
    expect([re.test(String(max)), re.test(String(max + 1)), re.test(String(5_000_000))]).toEqual([false, true, false]);
    expect(decode('vss-body-too-large')).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST_EXCEPTION,
      message: bodyTooLargeMessage(max),
    });
  });

  it('points the domain at the load balancer (alias record in the hosted zone) and outputs its DNS name', () => {
    const { template: t } = synth((scope) => ({
      auth: VssAuth.signature(),
      frontDoor: VssFrontDoor.container(),
      domain: {
        domainName: 'vss.example.com',
        hostedZone: route53.HostedZone.fromHostedZoneAttributes(scope, 'Zone', { hostedZoneId: 'Z123', zoneName: 'example.com' }),
      },
    }));
    const record = only(t, 'AWS::Route53::RecordSet').props;
    expect(record['Name']).toBe('vss.example.com.');
    expect(JSON.stringify(record['AliasTarget'])).toContain('VssLoadBalancer');
    expect(only(t, 'AWS::CertificateManager::Certificate').props['DomainName']).toBe('vss.example.com');
    const outputs = t.findOutputs('DomainTarget');
    expect(JSON.stringify(outputs)).toContain('DNSName');
  });
});

describe('container front door: permissions', () => {
  it('gives the task role exactly the four operations’ table actions and their values-bucket actions, on the table, the creation index and values/* only', () => {
    expectControl(template, 'task-role-least-privilege');
    expectControl(template, 'allowlist-read-absent-when-open');
    // The stack-wide IAM controls hold with the task role and the execution role's ECR token.
    expectControl(template, 'iam-no-scan-or-admin');
    expectControl(template, 'iam-dynamodb-scoped');
    expectControl(template, 'values-s3-permissions-scoped');
    expectControl(template, 'iam-wildcard-only-xray');
    expectControl(template, 'role-no-managed-policies');
    const roleId = only(template, 'AWS::ECS::TaskDefinition').props['TaskRoleArn']['Fn::GetAtt'][0];
    const policies = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).filter((p) =>
      ((p.Properties?.['Roles'] ?? []) as Array<{ Ref: string }>).some((r) => r.Ref === roleId),
    );
    expect(policies).toHaveLength(1);
    const statements = (policies[0]!.Properties as Record<string, any>)['PolicyDocument'].Statement as Array<{
      Action: string | string[];
      Resource: unknown;
    }>;
    const normalized = statements.map((s) => ({ actions: [s.Action].flat().sort(), resource: JSON.stringify(s.Resource) }));
    expect(normalized).toEqual([
      {
        actions: [
          'dynamodb:BatchGetItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
        ],
        resource: expect.stringContaining('VssTable40F1830D'),
      },
      { actions: ['dynamodb:Query'], resource: expect.stringContaining('/index/bySeq') },
      { actions: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], resource: expect.stringMatching(/VssValuesBucket.*\/values\/\*/) },
    ]);
    for (const s of statements) expect(JSON.stringify(s.Resource)).not.toBe('"*"');
  });

  it('adds the KMS actions through DynamoDB when the table has a customer-managed key', async () => {
    const { VssTableEncryption } = await import('../../lib/options.js');
    const { template: t } = synth(containerProps({}, () => ({ tableOptions: { encryption: VssTableEncryption.customerManaged() } })));
    const roleId = only(t, 'AWS::ECS::TaskDefinition').props['TaskRoleArn']['Fn::GetAtt'][0];
    const policy = Object.values(resourcesOf(t, 'AWS::IAM::Policy')).find((p) =>
      ((p.Properties?.['Roles'] ?? []) as Array<{ Ref: string }>).some((r) => r.Ref === roleId),
    )!;
    const kms = ((policy.Properties as Record<string, any>)['PolicyDocument'].Statement as Array<any>).find((s) =>
      [s.Action].flat().includes('kms:Decrypt'),
    );
    expect(kms.Condition.StringEquals['kms:ViaService']).toBeDefined();
  });
});

describe('container front door: observability', () => {
  it('has the same alarm names as the Lambda door, except the per-operation functions it does not deploy', () => {
    expectControl(template, 'front-door-alarms');
    expectControl(lambdaDoor, 'front-door-alarms');
    const alarmIds = (t: Template) => Object.keys(resourcesOf(t, 'AWS::CloudWatch::Alarm')).sort();
    const perOperation = /^Vss(GetObject|PutObjects|DeleteObject|ListKeyVersions)(Errors|Throttles)Alarm/;
    expect(alarmIds(template)).toEqual(alarmIds(lambdaDoor).filter((id) => !perOperation.test(id)));
    expect(alarmIds(template).some((id) => id.startsWith('VssApi5xxRateAlarm'))).toBe(true);
    expect(alarmIds(template).some((id) => id.startsWith('VssApiP99LatencyAlarm'))).toBe(true);
  });

  it('alarms on the load balancer: 5xx share of requests and p99 target response time in seconds', () => {
    const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm');
    const rate = Object.entries(alarms).find(([id]) => id.startsWith('VssApi5xxRateAlarm'))![1].Properties!;
    const names = (rate['Metrics'] as Array<any>)
      .filter((m) => m.MetricStat)
      .map((m) => m.MetricStat.Metric.MetricName)
      .sort();
    expect(names).toEqual(['HTTPCode_ELB_5XX_Count', 'HTTPCode_Target_5XX_Count', 'RequestCount']);
    const p99 = Object.entries(alarms).find(([id]) => id.startsWith('VssApiP99LatencyAlarm'))![1].Properties!;
    expect(p99).toMatchObject({
      MetricName: 'TargetResponseTime',
      Namespace: 'AWS/ApplicationELB',
      ExtendedStatistic: 'p99',
      Threshold: 3,
    });
  });

  it('publishes the EMF metrics of the Lambda door under the same namespace, names and dimensions (metric filters)', () => {
    const filters = Object.values(resourcesOf(template, 'AWS::Logs::MetricFilter')).map((f) => f.Properties as Record<string, any>);
    const logGroup = containerLogs();
    const perOperation = Object.values(METRIC_NAMES);
    for (const name of perOperation) {
      const f = filters.find((x) => x['MetricTransformations'][0].MetricName === name);
      expect(f, name).toBeDefined();
      expect(f!['LogGroupName']).toEqual({ Ref: logGroup.id });
      expect(f!['MetricTransformations'][0]).toMatchObject({
        MetricNamespace: 'VSS',
        MetricValue: `$.${name}`,
        Dimensions: [
          { Key: 'service', Value: '$.service' },
          { Key: 'operation', Value: '$.operation' },
        ],
      });
    }
    // The dashboard reads those same metrics.
    const dashboard = JSON.stringify(only(template, 'AWS::CloudWatch::Dashboard').props['DashboardBody']);
    for (const op of OPERATIONS) expect(dashboard).toContain(`\\"operation\\",\\"${op}\\"`);
    expect(dashboard).toContain(`\\"service\\",\\"${METRICS_SERVICE_NAME}\\"`);
  });

  it('keeps the container log group for the configured retention', () => {
    expect(containerLogs().props['RetentionInDays']).toBe(90);
  });
});

describe('container front door: cdk-nag and the default template', () => {
  it('AwsSolutions and Serverless packs have zero unacknowledged findings on the container variant', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  it('leaves the default template unchanged: no frontDoor and VssFrontDoor.apiGateway() synthesize the same bytes', () => {
    const explicit = synth({ frontDoor: VssFrontDoor.apiGateway() }).template;
    expect(JSON.stringify(explicit.toJSON())).toBe(JSON.stringify(lambdaDoor.toJSON()));
  });
});

describe('container front door: configuration', () => {
  const problems = configProblems;

  const domain = { domainName: 'vss.example.com', certificateArn: CERT_ARN };

  it('accepts {"frontDoor": {"kind": "apiGateway"}} and {"frontDoor": {"kind": "container", ...}} with settings beside kind', () => {
    expect(parseConfig({ frontDoor: { kind: 'apiGateway' } }).frontDoor).toEqual({ kind: 'apiGateway' });
    const c = parseConfig({
      frontDoor: { kind: 'container', cpu: 1024, memoryMiB: 4096, maxBodyBytes: 1073741824, maxInFlightBytes: 1073741824 },
      domain,
    });
    expect(c.frontDoor).toMatchObject({ kind: 'container', cpu: 1024, memoryMiB: 4096 });
  });

  it('turns the config into VssFrontDoor.container() props, imported VPC included', () => {
    const app = new App();
    const scope = new Stack(app, 'S');
    const config = parseConfig({
      frontDoor: {
        kind: 'container',
        drainTimeoutSeconds: 45,
        existingVpc: {
          vpcId: 'vpc-0123456789abcdef0',
          availabilityZones: ['eu-west-1a', 'eu-west-1b'],
          publicSubnetIds: ['subnet-0000000000000000a', 'subnet-0000000000000000b'],
        },
      },
      domain,
    });
    const props = toServiceProps(scope, config);
    expect(props.frontDoor?.kind).toBe('container');
    expect(props.frontDoor?.containerOptions?.drainTimeout?.toSeconds()).toBe(45);
    expect(props.frontDoor?.containerOptions?.existingVpc?.vpcId).toBe('vpc-0123456789abcdef0');
  });

  it('refuses an unknown kind, unknown container settings and out-of-range values, naming each', () => {
    expect(problems({ frontDoor: { kind: 'lambda' } })[0]).toMatch(
      /^vss.frontDoor.kind must be \{"kind": "apiGateway"\} or \{"kind": "container", \.\.\.\}/,
    );
    expect(problems({ frontDoor: { kind: 'container', cpus: 1 }, domain })).toEqual([
      expect.stringMatching(/^vss.frontDoor.cpus is not a known setting/),
    ]);
    expect(problems({ frontDoor: { kind: 'apiGateway', cpu: 512 } })).toEqual([
      expect.stringMatching(/^vss.frontDoor.cpu is not a known setting/),
    ]);
    const p = problems({ frontDoor: { kind: 'container', minTasks: 1, maxBodyBytes: 2 * 1024 ** 3, cpu: 300 }, domain });
    expect(p).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^vss.frontDoor.minTasks must be an integer from 2/),
        expect.stringMatching(/^vss.frontDoor.maxBodyBytes must be an integer from 1024 to 1073741824/),
        expect.stringMatching(/^vss.frontDoor.cpu must be one of Fargate's CPU values/),
      ]),
    );
  });

  it('needs a domain (HTTPS with its certificate) and refuses what only the API Gateway door has', () => {
    const p = problems({
      frontDoor: { kind: 'container' },
      authMode: 'cognito',
      throttling: { rateLimit: 10 },
      stageName: 'v1',
      functions: { getObject: { memorySize: 1024 }, sweepChunks: { memorySize: 256 } },
    });
    expect(p).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^vss.frontDoor "container" needs vss.domain/),
        expect.stringMatching(/^vss.authMode "cognito" is not available on vss.frontDoor "container"/),
        expect.stringMatching(/^vss.throttling applies to the API Gateway front door only/),
        expect.stringMatching(/^vss.stageName applies to the API Gateway front door only/),
        expect.stringMatching(/^vss.functions.getObject applies to the API Gateway front door only/),
      ]),
    );
    expect(p.some((x) => x.includes('sweepChunks'))).toBe(false);
  });

  it('sizes a task so the in-flight bodies fit: Fargate combinations, bound >= body limit, memory >= 2 x bound + 256 MiB', () => {
    expect(problems({ frontDoor: { kind: 'container', cpu: 512, memoryMiB: 512 }, domain })).toEqual(
      expect.arrayContaining([expect.stringMatching(/memoryMiB 512 is not offered by Fargate with cpu 512: use 1024 to 4096/)]),
    );
    expect(problems({ frontDoor: { kind: 'container', maxBodyBytes: 100 * 2 ** 20, maxInFlightBytes: 50 * 2 ** 20 }, domain })).toEqual([
      expect.stringMatching(/^vss.frontDoor.maxInFlightBytes \(52428800\) must be at least vss.frontDoor.maxBodyBytes/),
    ]);
    expect(problems({ frontDoor: { kind: 'container', maxInFlightBytes: 1024 * 2 ** 20 }, domain })).toEqual([
      expect.stringMatching(
        /^vss.frontDoor.memoryMiB 1024 cannot hold vss.frontDoor.maxInFlightBytes 1073741824 twice over plus 256 MiB: use at least 2304 MiB/,
      ),
    ]);
  });

  it('the construct props are checked by the same schema, under their own names', () => {
    expect(() => synth(containerProps({ drainTimeout: Duration.seconds(300) }))).toThrow(VssConfigError);
    expect(() => synth(containerProps({ drainTimeout: Duration.seconds(300) }))).toThrow(
      /frontDoor.drainTimeout must be an integer from 5 to 120/,
    );
    expect(() => synth({ frontDoor: VssFrontDoor.container() })).toThrow(/frontDoor "container" needs domain/);
  });
});
