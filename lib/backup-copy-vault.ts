/**
 * `VssBackupCopyVault`: the vault that receives the copies of the table's recovery points, in
 * another region (the lost-region scenario) and optionally another account (the
 * compromised-account scenario). Deploy it in its own stack in that region and account before the
 * service's stack: the standalone app does so when `backup.copyToRegion` is set
 * (docs/disaster-recovery.md). Its vault name is what the service's copy action names.
 *
 * Stable construct IDs 'Vault' and 'Key' hold the copies and the key that decrypts them.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { VALUE_OBJECT_PREFIX } from '../lambda/contract.js';
import type { VssVaultLockOptions } from './options.js';
import { DEFAULT_COPY_VAULT_NAME } from './private/backup-defaults.js';
import { lockConfiguration } from './private/backup.js';
import { acknowledgeReplicaBucket } from './private/nag.js';
import { REPLICATION_DESTINATION_ACTIONS, replicaBucketName, replicaKeyAlias } from './private/values-replication.js';

export interface VssBackupCopyVaultProps {
  /**
   * The vault's name: the service's `backup.copyVaultName`.
   * @default 'vss-backup-copy'
   */
  readonly vaultName?: string;
  /**
   * The account whose backups are copied here, when it is not this vault's account: it gets
   * `backup:CopyIntoBackupVault`, and nothing else.
   * @default - the same account (no access policy needed)
   */
  readonly sourceAccount?: string;
  /**
   * Vault Lock, as on the service's own vault.
   * @default - no lock
   */
  readonly vaultLock?: VssVaultLockOptions;
  /**
   * The replica of the service's values bucket (the service replicates into it when
   * `backup.copyToRegion` is set and it creates its bucket): versioned, encrypted with this
   * construct's key, noncurrent versions kept `retentionDays` as in the source.
   * @default - no replica bucket
   */
  readonly valuesReplica?: { readonly retentionDays: number };
}

export class VssBackupCopyVault extends Construct {
  readonly vault: backup.BackupVault;
  readonly key: kms.Key;
  /** The replica of the values bucket, when `valuesReplica` is set. */
  readonly replicaBucket?: s3.Bucket;

  constructor(scope: Construct, id: string, props: VssBackupCopyVaultProps = {}) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'VSS backup copy vault key (decrypts every copied recovery point of the table)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const lock = lockConfiguration(props.vaultLock);
    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: props.vaultName ?? DEFAULT_COPY_VAULT_NAME,
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
      ...(lock ? { lockConfiguration: lock } : {}),
      ...(props.sourceAccount
        ? {
            accessPolicy: new iam.PolicyDocument({
              statements: [
                new iam.PolicyStatement({
                  sid: 'CopiesFromTheServiceAccount',
                  actions: ['backup:CopyIntoBackupVault'],
                  principals: [new iam.AccountPrincipal(props.sourceAccount)],
                  resources: ['*'],
                }),
              ],
            }),
          }
        : {}),
    });
    if (props.valuesReplica)
      this.replicaBucket = this.createReplica(
        props.vaultName ?? DEFAULT_COPY_VAULT_NAME,
        props.valuesReplica.retentionDays,
        props.sourceAccount,
      );
  }

  private createReplica(vaultName: string, retentionDays: number, sourceAccount: string | undefined): s3.Bucket {
    const stack = Stack.of(this);
    new kms.Alias(this, 'KeyAlias', { aliasName: replicaKeyAlias(vaultName), targetKey: this.key });
    const bucket = new s3.Bucket(this, 'ValuesReplica', {
      bucketName: replicaBucketName({ copyToRegion: stack.region }, stack.account),
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      versioned: true,
      lifecycleRules: [
        {
          id: 'KeepDeletedValuesForRetention',
          prefix: VALUE_OBJECT_PREFIX,
          noncurrentVersionExpiration: Duration.days(retentionDays),
          expiredObjectDeleteMarker: true,
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (sourceAccount) {
      // The service account's replication role writes replicas here, and encrypts them with this key.
      const principal = new iam.AccountPrincipal(sourceAccount);
      bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'ReplicasFromTheServiceAccount',
          actions: [...REPLICATION_DESTINATION_ACTIONS, 's3:ObjectOwnerOverrideToBucketOwner'],
          principals: [principal],
          resources: [bucket.arnForObjects(`${VALUE_OBJECT_PREFIX}*`)],
        }),
      );
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
          principals: [principal],
          resources: ['*'],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
        }),
      );
    }
    acknowledgeReplicaBucket(bucket);
    return bucket;
  }
}
