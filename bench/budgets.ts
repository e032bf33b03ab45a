/**
 * Targets of docs/performance.md that a test or a benchmark checks. Sizes are enforced by
 * test/infra/bundles.test.ts; times only by bench/cold-start.ts (tests never assert a time).
 */

/**
 * Largest bundle (index.mjs) of a VSS operation function: 320 KiB (310.0 KiB measured, 317,468
 * bytes). It was 286 KiB before the object tier and 477 KiB while the S3 client was in it; the S3
 * client now has a file of its own, loaded on the first large value (VALUE_BUCKET_MODULE_BUDGET_BYTES).
 * bench/cold-start.ts checks the init budget below.
 */
export const API_BUNDLE_BUDGET_BYTES = 320 * 1024;

/**
 * Largest value-bucket module (the bundled lambda/store/value-bucket-store.ts, LAZY_VALUE_BUCKET_MODULE in
 * lambda/contract.ts): the S3 client and the parts of the AWS SDK it shares with the DynamoDB
 * client, which it carries again. Loaded by the first request of an execution environment that
 * touches a value above the threshold, never at init. 352 KiB (334.1 KiB measured, 342,152 bytes).
 */
export const VALUE_BUCKET_MODULE_BUDGET_BYTES = 352 * 1024;

/** Largest module init of an operation function over an empty bundle's, in ms. */
export const API_INIT_BUDGET_MS = 100;

/** Packages that must not be in an operation function's bundle (by source-map path). */
export const NOT_IN_API_BUNDLES: readonly string[] = [
  'node_modules/@noble/', // node:crypto verifies signatures
  'node_modules/aws-xray-sdk-core/', // Lambda active tracing instead of the X-Ray SDK
  'node_modules/@aws-lambda-powertools/tracer/',
  'node_modules/@aws-sdk/credential-provider-node/', // credentials from the environment
  'node_modules/@aws-sdk/nested-clients/',
  'node_modules/long/', // codec.ts's Int64
  'node_modules/@aws-sdk/client-s3/', // in a file of its own (LAZY_VALUE_BUCKET_MODULE), loaded on the first large value
];
