/**
 * Targets of docs/performance.md that a test or a benchmark checks. Sizes are enforced by
 * test/infra/bundles.test.ts; times only by bench/cold-start.ts (tests never assert a time).
 */

/**
 * Largest bundle (index.mjs) of a VSS operation function: 480 KiB. It was 300 KiB before the
 * object tier; the S3 client (large values live in S3, docs/large-values.md) adds about 175 KiB
 * minified (488,436 bytes measured at the merge). bench/cold-start.ts checks the init budget below.
 */
export const API_BUNDLE_BUDGET_BYTES = 480 * 1024;

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
];
