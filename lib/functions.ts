/** The Lambda functions of the service: their names, options and what the construct exposes. */
import type { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Operation } from '../lambda/contract.js';

/** The functions of the service; the first four are the VSS operations. */
export type VssFunctionName = Operation | 'jwtAuthorizer' | 'lnurlAuth' | 'sweepChunks' | 'restoreDrill';

/** Per-function sizing and scaling. */
export interface VssFunctionOptions {
  /**
   * Memory in MB (CPU scales with it).
   * @default 1024 for putObjects (large bodies), 512 otherwise
   */
  readonly memorySize?: number;
  /**
   * Function timeout, 1-29 s: API Gateway gives up after 29 s and clients after 10 s.
   * @default Duration.seconds(10) (the sweeper: 5 minutes; the restore drill: 15 minutes)
   */
  readonly timeout?: Duration;
  /**
   * Reserved concurrency: caps the function to protect the table and the budget.
   * @default - none (the account's unreserved pool; the sweeper: 1)
   */
  readonly reservedConcurrency?: number;
  /**
   * Provisioned concurrency on the `live` alias, for wallets that cannot wait on a cold start.
   * Billed while idle. Must not exceed the reserved concurrency in force for the function.
   * @default - none
   */
  readonly provisionedConcurrency?: number;
}

/** A deployed function: the function, its `live` alias (what API Gateway invokes), its log group and role. */
export interface VssFunction {
  readonly function: nodejs.NodejsFunction;
  readonly alias: lambda.Alias;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
}
