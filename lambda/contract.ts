/**
 * The contract between the CDK construct (lib/) and the deployed handlers (lambda/): names both
 * sides must spell the same, and nothing else. The construct sets these environment variables and
 * reads these metrics; the handlers read and emit them. This module imports nothing, so loading it
 * at synth time loads no runtime code (test/infra/layering.test.ts proves it).
 */

/** The four VSS operations, in the order of the protocol (docs/protocol.md). */
export const OPERATIONS = ['getObject', 'putObjects', 'deleteObject', 'listKeyVersions'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Every response carries this header with this value (docs/protocol.md, "Wire contract"). */
export const PROTOCOL_VERSION_HEADER = 'vss-protocol-version';
export const PROTOCOL_VERSION = '0';

/**
 * The `ErrorCode` enum of proto/vss.proto, as numbers: the construct builds the gateway's protobuf
 * error bodies from them without loading protobufjs (a test ties them to the generated enum).
 */
export const WIRE_ERROR_CODES = {
  UNKNOWN: 0,
  CONFLICT_EXCEPTION: 1,
  INVALID_REQUEST_EXCEPTION: 2,
  INTERNAL_SERVER_EXCEPTION: 3,
  NO_SUCH_KEY_EXCEPTION: 4,
  AUTH_EXCEPTION: 5,
} as const;
export type WireErrorCode = (typeof WIRE_ERROR_CODES)[keyof typeof WIRE_ERROR_CODES];

/** Environment variables the construct sets on the functions. */
export const ENV = {
  /** The VSS table (every function but the LNURL issuer). */
  tableName: 'VSS_TABLE_NAME',
  /** `signature` verifies the Authorization header in the handler; anything else reads the authorizer context. */
  authMode: 'VSS_AUTH_MODE',
  /** Signature mode: `open` (any key pair is a user) or `allowlist` (docs/auth.md, "Enrollment"). Absent: open. */
  signatureEnrollment: 'VSS_SIGNATURE_ENROLLMENT',
  /** Signature mode: the replay window in seconds (docs/auth.md, "Replay window"). Absent: 86400. */
  signatureMaxSkewSeconds: 'VSS_SIGNATURE_MAX_SKEW_SECONDS',
  jwtPublicKeyPem: 'VSS_JWT_PUBLIC_KEY_PEM',
  jwtJwksUrl: 'VSS_JWT_JWKS_URL',
  jwtIssuer: 'VSS_JWT_ISSUER',
  jwtAudience: 'VSS_JWT_AUDIENCE',
  /** Comma-separated list of accepted JWT algorithms. */
  jwtAlgorithms: 'VSS_JWT_ALGORITHMS',
  lnurlKmsKeyId: 'VSS_LNURL_KMS_KEY_ID',
  lnurlTableName: 'VSS_LNURL_TABLE_NAME',
  lnurlTokenTtlSeconds: 'VSS_LNURL_TOKEN_TTL_SECONDS',
  lnurlPublicUrl: 'VSS_LNURL_PUBLIC_URL',
  sweepGraceSeconds: 'VSS_SWEEP_GRACE_SECONDS',
  sweepRecheckSeconds: 'VSS_SWEEP_RECHECK_SECONDS',
  /** The value bucket (docs/large-values.md); absent: every value stays in the table. */
  valueBucket: 'VSS_S3_BUCKET',
  /** Values whose head item would be larger than this many bytes go to the value bucket. */
  inlineMaxBytes: 'VSS_INLINE_MAX_BYTES',
  /** Days a replaced or deleted value object is kept (the point-in-time recovery window). */
  retentionDays: 'VSS_RETENTION_DAYS',
  /** Provider features (docs/provider.md); absent or empty means off. */
  usageMetering: 'VSS_USAGE_METERING',
  quotaMaxKeys: 'VSS_QUOTA_MAX_KEYS',
  quotaMaxBytes: 'VSS_QUOTA_MAX_BYTES',
  quotaSoftPercent: 'VSS_QUOTA_SOFT_PERCENT',
  rateLimitPerUser: 'VSS_RATE_LIMIT_PER_USER',
  rateLimitBurst: 'VSS_RATE_LIMIT_BURST',
  /** The restore drill verifies only tables whose name starts with this (docs/disaster-recovery.md). */
  restoreTestTablePrefix: 'VSS_RESTORE_TEST_TABLE_PREFIX',
  /** Powertools reads it: the CloudWatch namespace of the EMF metrics. */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  /** Powertools reads it: the `service` dimension of every metric. */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
} as const;

/**
 * Environment variables of `vss serve` (and `npm start`) that the container front door sets on
 * its tasks; each is the environment equivalent of a flag `vss serve --help` lists.
 */
export const SERVER_ENV = {
  host: 'VSS_HOST',
  port: 'VSS_PORT',
  dynamodbEndpoint: 'VSS_DYNAMODB_ENDPOINT',
  s3Endpoint: 'VSS_S3_ENDPOINT',
  auth: 'VSS_AUTH',
  allowUnauthenticated: 'VSS_ALLOW_UNAUTHENTICATED',
  maxBodyBytes: 'VSS_MAX_BODY_BYTES',
  maxInFlightBytes: 'VSS_MAX_IN_FLIGHT_BYTES',
  drainTimeoutSeconds: 'VSS_DRAIN_TIMEOUT_SECONDS',
  keepAliveTimeoutSeconds: 'VSS_KEEP_ALIVE_TIMEOUT_SECONDS',
  /** `lambda`: log lines and EMF metrics exactly as the Lambda door writes them. */
  logFormat: 'VSS_LOG_FORMAT',
  sweepIntervalSeconds: 'VSS_SWEEP_INTERVAL_SECONDS',
} as const;
/** The port `vss serve` listens on in a container task. */
export const SERVER_PORT = 8080;
/** The server's health check path (answered outside /vss). */
export const SERVER_HEALTH_PATH = '/health';

/**
 * Large values (docs/large-values.md), one set of numbers for the stack's schema
 * (`largeValues.inlineMaxBytes`, `largeValues.retentionDays`), the functions and `npm start`.
 */
export const LARGE_VALUES = {
  /** A value whose table item would be larger than this goes to the value bucket. */
  defaultInlineMaxBytes: 32 * 1024,
  minInlineMaxBytes: 1024,
  /** DynamoDB's item limit: above it nothing could stay inline. */
  maxInlineMaxBytes: 400 * 1024,
  /** PITR's maximum window: a table restored to any point in it still finds every object. */
  defaultRetentionDays: 35,
  minRetentionDays: 1,
} as const;

/**
 * The S3 client of the object tier, bundled apart from each function's index.mjs and loaded only
 * when a request first touches a value above the threshold (lambda/store/object-tier-settings.ts),
 * so small values never pay for it at cold start. The construct's bundling
 * (lib/private/functions.ts) builds `entry` into `file` beside index.mjs and defines `constant` as
 * that file's relative path; code run from source (tests, `npm start`) has no such constant and
 * imports the entry itself.
 */
export const LAZY_VALUE_BUCKET_MODULE = {
  entry: 'lambda/store/value-bucket-store.ts',
  file: 'value-bucket-store.mjs',
  constant: 'VSS_VALUE_BUCKET_MODULE',
} as const;

/** Every object in the value bucket has a key under this prefix (lambda/store/object-keys.ts). */
export const VALUE_OBJECT_PREFIX = 'values/';

/**
 * The auth modes of a deployment (VSS_AUTH_MODE, the config's `authMode`): the construct accepts
 * these and the handlers' authenticator (lambda/auth/authenticator.ts) understands these. The
 * local server has modes of its own (local/auth.ts LOCAL_AUTH_MODES).
 */
export const DEPLOYED_AUTH_MODES = ['signature', 'jwt', 'cognito', 'none'] as const;
export type DeployedAuthMode = (typeof DEPLOYED_AUTH_MODES)[number];

/** Who may call in signature mode: any key pair (the reference's behaviour), or registered keys only. */
export const SIGNATURE_ENROLLMENTS = ['open', 'allowlist'] as const;
export type SignatureEnrollment = (typeof SIGNATURE_ENROLLMENTS)[number];

/** The replay window of signature headers: its default (the reference's 24 h) and the accepted range. */
export const SIGNATURE_MAX_SKEW = { defaultSeconds: 86_400, minSeconds: 15, maxSeconds: 86_400 } as const;

/**
 * Every item key of per-user provider data (the enrollment allowlist among them) starts with
 * this: IAM confines the allowlist read to these partitions (dynamodb:LeadingKeys).
 */
export const USER_PARTITION_PREFIX = 'u:';

/** JWT algorithms the authorizer can verify (lambda/auth/jwt.ts); the construct refuses any other. */
export const JWT_ALGORITHMS = ['RS256', 'ES256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** Metric names emitted per operation (the construct's dashboard and alarms read the same names). */
export const METRIC_NAMES = {
  requests: 'Requests',
  latency: 'Latency',
  conflicts: 'Conflicts',
  clientErrors: 'ClientErrors',
  authFailures: 'AuthFailures',
  errors: 'Errors',
  /** Requests refused by the per-user rate limit (429), docs/provider.md. */
  throttled: 'Throttled',
} as const;

/** Provider metrics (docs/provider.md), with the `service` dimension only. */
export const PROVIDER_METRIC_NAMES = {
  nearQuota: 'NearQuotaWrites',
  quotaRefused: 'QuotaRefusals',
  usageUpdateFailures: 'UsageUpdateFailures',
} as const;

/** Restore drill metrics (docs/disaster-recovery.md), with the `service` dimension only. */
export const RESTORE_DRILL_METRIC_NAMES = {
  /** Seconds from the restore job's creation to its completion: the achieved RTO of a restore. */
  restoreSeconds: 'RestoreDrillRestoreSeconds',
  /** 1 for a drill whose restore failed or whose table was unsound or could not be verified. */
  failures: 'RestoreDrillFailures',
  /** Problems verify-table found in the scratch table. */
  problems: 'RestoreDrillProblems',
  /** Records verified. */
  records: 'RestoreDrillRecords',
} as const;

/** The `service` dimension of every metric. */
export const METRICS_SERVICE_NAME = 'vss';
/** Namespace when the construct did not set one. */
export const DEFAULT_METRICS_NAMESPACE = 'VSS';
