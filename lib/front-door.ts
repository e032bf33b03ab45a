/**
 * Which front door carries the protocol to the service, chosen with a factory (docs/deploy.md,
 * "Choosing a front door"):
 *
 *   VssFrontDoor.apiGateway()        REST API + WAF + one Lambda function per operation (the
 *                                    default): nothing to run, paid per request, values up to
 *                                    4.6 MB (Lambda's 6 MB payload).
 *   VssFrontDoor.container({...})    an HTTPS Application Load Balancer (ACM certificate of the
 *                                    `domain` settings) + WAF in front of ECS Fargate tasks
 *                                    running `vss serve`: a fixed monthly cost, bodies up to
 *                                    `maxBodyBytes` (at most 1 GiB).
 *
 * Both doors run the same request path, store, auth and provider code; only the transport
 * differs.
 */
import type { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';

export interface VssContainerOptions {
  /**
   * CPU units of one task (1024 = 1 vCPU); with `memoryMiB` a combination Fargate offers.
   * @default 512
   */
  readonly cpu?: number;
  /**
   * Memory of one task in MiB. It must hold the in-flight request bytes twice over (the body and
   * its decoded form) plus 256 MiB for the runtime: `memoryMiB >= 2 * maxInFlightBytes / MiB + 256`.
   * @default 1024
   */
  readonly memoryMiB?: number;
  /**
   * Fewest tasks (at least 2, spread over 2 Availability Zones).
   * @default 2
   */
  readonly minTasks?: number;
  /**
   * Most tasks autoscaling may run.
   * @default 10
   */
  readonly maxTasks?: number;
  /**
   * Average CPU utilization the target-tracking policy keeps, in percent.
   * @default 60
   */
  readonly targetCpuPercent?: number;
  /**
   * Largest request body one request may carry (`vss serve --max-body-bytes`); at most 1 GiB.
   * @default 67108864 (64 MiB)
   */
  readonly maxBodyBytes?: number;
  /**
   * Request body and large-read bytes one task holds in memory at once (`vss serve
   * --max-in-flight-bytes`); beyond it requests are answered 503 (retried by clients). At least
   * `maxBodyBytes`.
   * @default 268435456 (256 MiB)
   */
  readonly maxInFlightBytes?: number;
  /**
   * How long a stopping task keeps serving the requests it has: the target group's deregistration
   * delay, the container's stop timeout and the server's drain (5-120 s).
   * @default Duration.seconds(30)
   */
  readonly drainTimeout?: Duration;
  /**
   * The load balancer's idle timeout. The server's keep-alive timeout is set 5 s longer, so the
   * load balancer, not the task, closes idle connections (no 502 on a reused connection).
   * @default Duration.seconds(60)
   */
  readonly idleTimeout?: Duration;
  /**
   * Run in this VPC instead of creating one. The load balancer goes into its public subnets; the
   * tasks into its private subnets with egress when it has some (the VPC provides the route to
   * DynamoDB, S3, ECR and CloudWatch Logs), else into the public subnets with a public IP.
   * @default - a new VPC: 2 Availability Zones, public subnets only, no NAT gateway, DynamoDB and S3 gateway endpoints
   */
  readonly existingVpc?: ec2.IVpc;
  /**
   * The image to run.
   * @default - built from this package's Dockerfile (linux/arm64) at deploy time
   */
  readonly image?: ecs.ContainerImage;
}

export type VssFrontDoorKind = 'apiGateway' | 'container';

export class VssFrontDoor {
  /** REST API + WAF + Lambda (the default). */
  static apiGateway(): VssFrontDoor {
    return new VssFrontDoor('apiGateway', undefined);
  }

  /** HTTPS load balancer + WAF + ECS Fargate tasks running `vss serve`; needs `domain`. */
  static container(options: VssContainerOptions = {}): VssFrontDoor {
    return new VssFrontDoor('container', options);
  }

  private constructor(
    /** Which door. */
    readonly kind: VssFrontDoorKind,
    /** The container's settings (kind 'container' only). */
    readonly containerOptions: VssContainerOptions | undefined,
  ) {}
}
