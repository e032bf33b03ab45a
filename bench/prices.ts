/**
 * AWS list prices used by the benchmarks and docs/performance.md: us-east-1, USD, as published on
 * the AWS pricing pages (check them for your region; they change). The stack deploys arm64.
 */

/** Lambda on arm64 (Graviton). */
export const ARM64_LAMBDA = {
  perMillionRequests: 0.2,
  perGbSecond: 0.0000133334,
  /** Provisioned concurrency: per GB-second kept warm, and per GB-second of duration while used. */
  provisionedPerGbSecond: 0.0000033334,
  provisionedDurationPerGbSecond: 0.0000077778,
} as const;

/** DynamoDB on-demand (standard table class): per million read / write request units, per GB-month. */
export const DYNAMODB_ON_DEMAND = { perMillionReadUnits: 0.125, perMillionWriteUnits: 0.625, perGbMonth: 0.25 } as const;

/** S3 Standard: per million PUT and GET requests, per GB-month. */
export const S3_STANDARD = { perMillionPuts: 5, perMillionGets: 0.4, perGbMonth: 0.023 } as const;

/** API Gateway REST API, first 333 million requests a month. */
export const REST_API_PER_MILLION = 3.5;

/** Memory of each operation function (lib/private/functions.ts DEFAULT_MEMORY). */
export const FUNCTION_MEMORY_MB = { getObject: 512, putObjects: 1024, deleteObject: 512, listKeyVersions: 512 } as const;
