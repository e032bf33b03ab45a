/**
 * The values bucket of the object tier (docs/large-values.md): values whose item would exceed the
 * inline threshold live here, one object each, under `values/<hash of the user>/`.
 *
 * Controls that are not options: public access blocked, TLS-only bucket policy, bucket-owner
 * object ownership (no ACLs), versioning, lifecycle rules (noncurrent versions kept
 * `retentionDays`, incomplete multipart uploads aborted), RETAIN on stack deletion. Encryption is
 * SSE-S3, or SSE-KMS with the table's customer-managed key and an S3 bucket key when the table has
 * one, so one key policy governs every byte of wallet data.
 *
 * Retention has two layers (docs/architecture.md, "Retention of large values"): the application
 * deletes a superseded object only `retentionDays` after it stopped being current, which alone
 * keeps every pointer of a point-in-time restore resolvable, on any store; and the bucket keeps
 * every deleted version `retentionDays` longer. Neither PITR nor erase-user needs the second; it
 * stays because it also protects current values: no function may delete a version, so neither a
 * bug in the sweeper nor a stolen function role nor a mistaken delete can destroy a value's
 * bytes. It doubles the storage of superseded objects (docs/cost.md gives the cost).
 *
 * CONSTRUCT IDS ARE A CONTRACT: `ValuesBucket` (in VssService) and `Bucket` here name the
 * bucket's logical ID; test/infra/logical-ids.test.ts pins it.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LARGE_VALUES, VALUE_OBJECT_PREFIX } from '../../lambda/contract.js';
import type { VssLargeValuesOptions } from '../options.js';
import { acknowledgeNoValuesAccessLogs, acknowledgeValuesPrefix } from './nag.js';

/** Days after which an incomplete multipart upload is aborted (its parts are billed until then). */
export const ABORT_INCOMPLETE_UPLOAD_DAYS = 1;
/** Prefix of the server access logs in `accessLogsBucket`. */
export const ACCESS_LOGS_PREFIX = 'vss-values/';

/** What one function may do in the values bucket (all scoped to `values/`). */
export interface ValuesAccess {
  /** s3:GetObject: read a value's object. */
  readonly read: boolean;
  /** s3:PutObject: write a new object (each write gets a new key). */
  readonly write: boolean;
  /** s3:DeleteObject: remove an object (a failed write's, or a superseded one after retention). */
  readonly delete: boolean;
  /** s3:ListBucket on the prefix: find objects that no item points at. */
  readonly list: boolean;
}

/** The S3 actions each kind of access grants (docs/security.md renders them). */
export const VALUES_OBJECT_ACTIONS = {
  read: ['s3:GetObject'],
  write: ['s3:PutObject'],
  delete: ['s3:DeleteObject'],
} as const;
export const VALUES_LIST_ACTIONS = ['s3:ListBucket'] as const;
/**
 * KMS actions on the bucket's customer-managed key, only through S3 (kms:ViaService): reading
 * decrypts; writing generates data keys (and decrypts, which multipart uploads need).
 */
export const VALUES_KEY_READ_ACTIONS = ['kms:Decrypt'] as const;
export const VALUES_KEY_WRITE_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'] as const;

export interface ValuesBucketProps {
  /**
   * The table's customer-managed key: when set, the bucket uses SSE-KMS with this key and an S3
   * bucket key (one KMS request per bucket key lifetime, not per object).
   * @default - SSE-S3 (S3-managed keys, no KMS charges)
   */
  readonly tableKey?: kms.IKey | undefined;
  /** The object tier's options (bucket, retention). */
  readonly options?: VssLargeValuesOptions | undefined;
}

export class ValuesBucket extends Construct {
  /** The bucket holding large values. */
  readonly bucket: s3.IBucket;
  /** The key encrypting the objects, when it is a customer-managed one (its users need KMS permissions). */
  readonly encryptionKey?: kms.IKey | undefined;
  /** Days a superseded or deleted object is kept. */
  readonly retentionDays: number;

  constructor(scope: Construct, id: string, props: ValuesBucketProps = {}) {
    super(scope, id);
    const options = props.options ?? {};
    this.retentionDays = options.retentionDays ?? LARGE_VALUES.defaultRetentionDays;
    if (options.existingBucket) {
      this.bucket = options.existingBucket;
      this.encryptionKey = options.existingBucket.encryptionKey;
      return;
    }
    const key = props.tableKey;
    const bucket = new s3.Bucket(this, 'Bucket', {
      ...pickBucketProps(options.bucketProps),
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      ...(key
        ? { encryption: s3.BucketEncryption.KMS, encryptionKey: key, bucketKeyEnabled: true }
        : { encryption: s3.BucketEncryption.S3_MANAGED }),
      versioned: true,
      lifecycleRules: [
        {
          id: 'KeepDeletedValuesForRetention',
          prefix: VALUE_OBJECT_PREFIX,
          noncurrentVersionExpiration: Duration.days(this.retentionDays),
          expiredObjectDeleteMarker: true,
        },
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(ABORT_INCOMPLETE_UPLOAD_DAYS) },
      ],
      ...(options.accessLogsBucket ? { serverAccessLogsBucket: options.accessLogsBucket, serverAccessLogsPrefix: ACCESS_LOGS_PREFIX } : {}),
      removalPolicy: RemovalPolicy.RETAIN,
      autoDeleteObjects: false,
    });
    this.bucket = bucket;
    this.encryptionKey = key;
    if (!options.accessLogsBucket) acknowledgeNoValuesAccessLogs(bucket);
  }

  /**
   * Grants `role` exactly `access` on the `values/` prefix, and the KMS actions the bucket's key
   * needs for it, through S3 only.
   */
  grant(role: iam.IRole, access: ValuesAccess): void {
    const objects = this.bucket.arnForObjects(`${VALUE_OBJECT_PREFIX}*`);
    const actions = [
      ...(access.read ? VALUES_OBJECT_ACTIONS.read : []),
      ...(access.write ? VALUES_OBJECT_ACTIONS.write : []),
      ...(access.delete ? VALUES_OBJECT_ACTIONS.delete : []),
    ];
    if (actions.length > 0) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources: [objects] }));
      acknowledgeValuesPrefix(role, this.bucket, `${VALUE_OBJECT_PREFIX}*`);
    }
    if (access.list) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: [...VALUES_LIST_ACTIONS],
          resources: [this.bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${VALUE_OBJECT_PREFIX}*`] } },
        }),
      );
    }
    const key = this.encryptionKey;
    if (key && (access.read || access.write)) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: [...(access.write ? VALUES_KEY_WRITE_ACTIONS : VALUES_KEY_READ_ACTIONS)],
          resources: [key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
        }),
      );
    }
  }
}

/** Only the bucket properties that are options; the controls above cannot be overridden. */
function pickBucketProps(p: VssLargeValuesOptions['bucketProps']): Partial<s3.BucketProps> {
  if (!p) return {};
  const { bucketName, intelligentTieringConfigurations, metrics, inventories, eventBridgeEnabled } = p;
  return Object.fromEntries(
    Object.entries({ bucketName, intelligentTieringConfigurations, metrics, inventories, eventBridgeEnabled }).filter(
      ([, x]) => x !== undefined,
    ),
  );
}
