/**
 * Every cdk-nag acknowledgement of the construct, each with the reason an auditor needs. Rules
 * are acknowledged on the one construct they concern, never stack-wide; nag.test.ts fails on any
 * finding without one.
 */
import { Stack, Token, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { VssAuthMode } from '../auth.js';
import type { VssFunction, VssFunctionName } from '../functions.js';
import type { ContainerResources } from './container.js';

/** Why a method has no (or no Cognito) authorizer, per auth mode. */
export function acknowledgeMethod(method: apigw.Method, mode: VssAuthMode | 'lnurl'): void {
  const reasons: Partial<Record<typeof mode, { apig4?: string; cog4: string }>> = {
    jwt: {
      cog4: 'Auth mode jwt: every VSS method uses a Lambda TOKEN authorizer that verifies the bearer JWT (docs/protocol.md §7.9), not a Cognito authorizer.',
    },
    signature: {
      apig4:
        'Auth mode signature: the secp256k1 proof in the Authorization header is fresh on every request, so an API Gateway authorizer could not cache it; each VSS handler verifies it before touching data (docs/protocol.md §7.9). The WAF per-user and per-IP rate rules and reserved concurrency protect the API.',
      cog4: 'Auth mode signature: wallets authenticate with a secp256k1 signature verified in the handler, not with Cognito.',
    },
    none: {
      apig4: "Auth mode 'none' was explicitly forced (dangerouslyAllowUnauthenticated) for a throwaway deployment; synth warns about it.",
      cog4: "Auth mode 'none' was explicitly forced for a throwaway deployment.",
    },
    lnurl: {
      apig4:
        'GET /lnurl-auth is the login endpoint that issues tokens: it authenticates the wallet by its LNURL-auth signature over a single-use k1 challenge, so it cannot itself require a token.',
      cog4: 'GET /lnurl-auth is the LNURL-auth login endpoint; it issues the JWTs the other methods require.',
    },
  };
  const r = reasons[mode];
  if (!r) return;
  if (r.apig4) Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason: r.apig4 });
  Validations.of(method).acknowledge({ id: 'AwsSolutions-COG4', reason: r.cog4 });
}

/** Per-function findings: no dead-letter queue where there is no asynchronous event to keep. */
export function acknowledgeFunctions(functions: ReadonlyArray<readonly [VssFunctionName, VssFunction]>): void {
  for (const [name, fn] of functions) {
    Validations.of(fn.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only xray:PutTraceSegments and xray:PutTelemetryRecords (added by active tracing) use Resource "*": X-Ray supports no resource-level permissions. All data permissions name the table, index, key or log group.',
    });
    if (name === 'restoreDrill') continue; // acknowledgeRestoreDrill
    if (name === 'sweepChunks') {
      Validations.of(fn.function).acknowledge(
        {
          id: 'Serverless-LambdaDLQ',
          reason:
            'Invoked by an hourly EventBridge schedule with an empty event: a failed run carries no data to keep, and the next run redoes the idempotent sweep. Failures raise the per-function Lambda errors alarm.',
        },
        {
          id: 'Serverless-LambdaAsyncFailureDestination',
          reason:
            'The scheduled event has no payload worth routing: the next hourly run retries the sweep, and the errors alarm reports failures.',
        },
      );
      continue;
    }
    Validations.of(fn.function).acknowledge(
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          'Invoked synchronously by API Gateway only; a failed request is answered to the client (which retries), there is no asynchronous event to dead-letter.',
      },
      {
        id: 'Serverless-LambdaAsyncFailureDestination',
        reason: 'Invoked synchronously by API Gateway only; there are no asynchronous invocations.',
      },
    );
  }
}

/** The API-wide findings: binary bodies cannot be schema-validated; execution logs are opt-in. */
export function acknowledgeApi(api: apigw.RestApi, executionLogLevel: apigw.MethodLoggingLevel): void {
  Validations.of(api).acknowledge({
    id: 'AwsSolutions-APIG2',
    reason:
      'Bodies are binary protobuf, which API Gateway request validation (JSON schema) cannot validate; every handler decodes and validates its request and answers 400 INVALID_REQUEST_EXCEPTION (docs/protocol.md §7.3).',
  });
  if (executionLogLevel === apigw.MethodLoggingLevel.OFF) {
    Validations.of(api).acknowledge({
      id: 'AwsSolutions-APIG6',
      reason:
        'Every request is recorded in the JSON access log (no bodies, no auth headers). Execution logging needs an account-wide API Gateway CloudWatch role and adds per-request log volume; it is opt-in via executionLogLevel.',
    });
  }
}

/** The operator turned the WAF off. */
export function acknowledgeWafOff(api: apigw.RestApi): void {
  Validations.of(api).acknowledge({
    id: 'AwsSolutions-APIG3',
    reason:
      'The operator turned WAF off explicitly (waf.enabled: false), e.g. because a web ACL is attached outside this construct or the API sits behind CloudFront with its own ACL. Stage throttling still applies.',
  });
}

/** The user pool the cognito mode creates. */
export function acknowledgeUserPool(pool: cognito.UserPool): void {
  Validations.of(pool).acknowledge(
    {
      id: 'AwsSolutions-COG2',
      reason:
        "Wallet users are software clients signing in programmatically; MFA is available (TOTP, optional) and is the operator's policy choice. Bring an existing pool (auth cognito.userPool) to enforce it.",
    },
    {
      id: 'AwsSolutions-COG8',
      reason:
        'Threat protection needs the Plus feature plan (a per-MAU charge on every wallet); the created pool uses Essentials. Operators who want it bring an existing pool on the Plus plan (cognito.userPool).',
    },
  );
}

/** The sweeper's schedule. */
export function acknowledgeSweepSchedule(rule: events.Rule): void {
  Validations.of(rule).acknowledge({
    id: 'Serverless-EventBusDLQ',
    reason:
      'The target gets an empty scheduled event: a dead-lettered one would hold nothing to replay, and the next hourly run redoes the idempotent sweep. Failed runs raise the per-function Lambda errors alarm.',
  });
}

/** The alarm topic created for `alarms.emails`. */
export function acknowledgeAlarmTopic(topic: sns.Topic): void {
  Validations.of(topic).acknowledge({
    id: 'Serverless-SNSRedrivePolicy',
    reason:
      'Email subscriptions of operator alarm notifications: SNS retries email delivery itself, and an undelivered alarm stays visible in CloudWatch; a dead-letter queue would add a resource nobody reads.',
  });
  Validations.of(topic).acknowledge({
    id: 'AwsSolutions-SNS2',
    reason:
      'Alarm notifications carry no customer data. CloudWatch cannot publish to a topic encrypted with the AWS managed SNS key, and a dedicated CMK costs a monthly fee; bring an encrypted topic via alarms.topic if required.',
  });
}

/** The container front door's findings, each on the construct it concerns. */
export function acknowledgeContainer(c: ContainerResources): void {
  if (c.vpc instanceof Construct && c.vpc.node.scope === c.cluster.node.scope) {
    Validations.of(c.vpc).acknowledge({
      id: 'AwsSolutions-VPC7',
      reason:
        'The VPC holds only the load balancer and the VSS tasks; every request is logged by the server (JSON line with request id, operation, status, user hash) and the WAF samples requests. Flow logs would record the same connections at a per-GB charge; enable them on the VPC if policy requires.',
    });
  }
  Validations.of(c.cluster).acknowledge({
    id: 'AwsSolutions-ECS4',
    reason:
      'CPU and memory of the service (free ECS metrics) drive autoscaling and the dashboard, and the request metrics come from the server itself; Container Insights adds per-task custom metrics at a monthly charge without a control that depends on them.',
  });
  Validations.of(c.taskDefinition).acknowledge({
    id: 'AwsSolutions-ECS2',
    reason:
      'The environment holds settings only (table name, auth mode, limits, timeouts, a JWT public key): no secret. Signature auth needs none; a JWT issuer is trusted by its public key.',
  });
  Validations.of(c.taskDefinition.obtainExecutionRole()).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'The execution role is the one ECS uses to pull the image and write the log stream: ecr:GetAuthorizationToken supports no resource-level permission. The pull actions name the image repository and the log actions the log group.',
  });
  for (const group of c.loadBalancer.connections.securityGroups) {
    Validations.of(group).acknowledge({
      id: 'AwsSolutions-EC23',
      reason:
        'The load balancer is the public HTTPS endpoint that wallets anywhere on the internet call; only port 443 is open, the WAF rate rules apply per user and per IP, and the tasks admit the load balancer only.',
    });
  }
  Validations.of(c.loadBalancer).acknowledge({
    id: 'AwsSolutions-ELB2',
    reason:
      'Every request is logged by the server behind it (JSON line with request id, operation, status, duration, user hash), and the WAF samples blocked requests; load balancer access logs would need an S3 bucket with its own retention for the same facts. Turn them on with loadBalancer.logAccessLogs() if policy requires.',
  });
}

/**
 * How cdk-nag spells a resource in a finding's ID: tokens as `<LogicalId.Attr>` or `<AWS::Region>`,
 * the rest literally (so an acknowledgement names exactly one wildcard resource).
 */
function nagResource(stack: Stack, value: string): string {
  const render = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const o = v as Record<string, unknown>;
    if (o['Ref']) return `<${String(o['Ref'])}>`;
    const att = o['Fn::GetAtt'] as [string, string] | undefined;
    if (att) return `<${att[0]}.${att[1]}>`;
    const join = o['Fn::Join'] as [string, unknown[]] | undefined;
    if (join) return join[1].map(render).join(join[0]);
    return JSON.stringify(v);
  };
  return Token.isUnresolved(value) ? render(stack.resolve(value)) : value;
}

const iam5 = (stack: Stack, resource: string): string => `AwsSolutions-IAM5[Resource::${nagResource(stack, resource)}]`;

/** The roles AWS Backup assumes to back up the table and to restore it in a drill. */
export function acknowledgeBackupRoles(
  backupRole: iam.Role,
  restoreRole: iam.Role | undefined,
  resources: { readonly ownBackups: string; readonly scratchTables: string },
): void {
  const stack = Stack.of(backupRole);
  const ownBackups =
    "AWS Backup names the backups of this table by an ID it chooses (<table ARN>/backup/<id>): the wildcard covers only this table's own backups.";
  Validations.of(backupRole).acknowledge({ id: iam5(stack, resources.ownBackups), reason: ownBackups });
  if (restoreRole) {
    Validations.of(restoreRole).acknowledge(
      { id: iam5(stack, resources.ownBackups), reason: ownBackups },
      {
        id: iam5(stack, resources.scratchTables),
        reason:
          'Restore testing names each scratch table itself (awsbackup-restore-test-<random>): the role may restore into, and delete, only tables with that prefix.',
      },
    );
  }
}

/** The restore drill's validating function and its EventBridge rule. */
export function acknowledgeRestoreDrill(fn: VssFunction, rule: events.Rule, scratchTables: string): void {
  const stack = Stack.of(fn.role);
  const scratch =
    'Scratch tables are named by AWS Backup restore testing (awsbackup-restore-test-<random>): the drill reads only tables (and their indexes) with that prefix.';
  Validations.of(fn.role).acknowledge(
    { id: iam5(stack, scratchTables), reason: scratch },
    { id: iam5(stack, `${scratchTables}/index/*`), reason: scratch },
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'backup:DescribeRestoreJob and backup:PutRestoreValidationResult support no resource-level restriction (the job is named in the request); xray:PutTraceSegments and PutTelemetryRecords (active tracing) need Resource "*" too.',
    },
  );
  Validations.of(fn.function).acknowledge(
    {
      id: 'Serverless-LambdaDLQ',
      reason:
        'Invoked by EventBridge on a restore job of the drill: a failed run is retried twice by EventBridge, then reported by the function errors alarm; AWS Backup marks the unvalidated job TIMED_OUT when its validation window closes.',
    },
    {
      id: 'Serverless-LambdaAsyncFailureDestination',
      reason:
        'A lost validation leaves the restore job unvalidated in AWS Backup (visible in its console and reports) and raises the function errors alarm; the next scheduled drill runs anyway.',
    },
  );
  Validations.of(rule).acknowledge({
    id: 'Serverless-EventBusDLQ',
    reason:
      'The event names a restore job whose state AWS Backup keeps; an undelivered event leaves the job unvalidated there (TIMED_OUT) and the next weekly drill runs regardless.',
  });
}

/**
 * A function's S3 permissions name the objects under the values prefix (`values/*`), because
 * object keys are created per write; they never reach other keys of the bucket.
 */
export function acknowledgeValuesPrefix(role: iam.IRole, bucket: s3.IBucket, objectsPattern: string): void {
  const cfn = bucket.node.defaultChild;
  const arn =
    cfn && Token.isUnresolved(bucket.bucketArn)
      ? `<${Stack.of(bucket).getLogicalId(cfn as s3.CfnBucket)}.Arn>`
      : Token.isUnresolved(bucket.bucketArn)
        ? undefined
        : bucket.bucketArn;
  if (arn === undefined) return;
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${arn}/${objectsPattern}]`,
    reason:
      'Each large write stores a new object under a new key (values/<user hash>/...), so the S3 permission must name the values prefix with a wildcard; it covers no other keys of the bucket, and object versions cannot be deleted by any function.',
  });
}

/** The values bucket without server access logs (the default). */
export function acknowledgeNoValuesAccessLogs(bucket: s3.Bucket): void {
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason:
      'Every access to the values bucket is made by the VSS functions, which log each request with its user hash, operation and outcome (JSON logs); server access logs would repeat that, best-effort, in a second bucket that needs its own retention. Operators who need an S3-level audit pass largeValues.accessLogsBucket or enable CloudTrail S3 data events on the bucket.',
  });
}

/** The role S3 assumes to replicate the values bucket to the copy region. */
export function acknowledgeReplicationRole(role: iam.Role, wildcards: readonly string[]): void {
  const stack = Stack.of(role);
  const reason =
    'Replication reads and writes object versions under the values prefix (values/*), whose keys are created per write; with a customer-managed key it may encrypt only with the copy region key that carries the replica alias (kms:ResourceAliases), whose ID this stack cannot know.';
  Validations.of(role).acknowledge(...wildcards.map((w) => ({ id: iam5(stack, w), reason })));
}

/** The replica of the values bucket in the copy region. */
export function acknowledgeReplicaBucket(bucket: s3.Bucket): void {
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason:
      'The replica is written only by S3 replication and read only during a lost-region recovery; the source bucket is where access is audited (the functions log every request, or its own access logs), and CloudTrail S3 data events cover the replica if required.',
  });
}
