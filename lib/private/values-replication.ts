/**
 * Replication of the values bucket to `backup.copyToRegion` (docs/disaster-recovery.md, lost
 * region): every new object version, and every delete marker, is copied to the replica bucket the
 * copy stack creates (`VssBackupCopyVault`), so a table restored there from the copy vault finds
 * its objects, and a value deleted or a user erased here is deleted there too. Version-specific
 * deletes are never replicated (S3's protection against a malicious purge): noncurrent versions
 * in the replica expire by its lifecycle, `retentionDays` after they stopped being current, as here.
 *
 * Only for a bucket this stack creates; an existing bucket's replication is its owner's.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { VALUE_OBJECT_PREFIX } from '../../lambda/contract.js';
import type { VssBackupOptions } from '../options.js';
import { acknowledgeReplicationRole } from './nag.js';
import type { ValuesBucket } from './values-bucket.js';

/** Replication reads every version of the source objects (the replication role's actions). */
export const REPLICATION_SOURCE_ACTIONS = [
  's3:GetObjectVersionForReplication',
  's3:GetObjectVersionAcl',
  's3:GetObjectVersionTagging',
] as const;
/** And writes versions and delete markers into the replica. */
export const REPLICATION_DESTINATION_ACTIONS = ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'] as const;

/** The replica bucket's name: in the copy region and account, named after both (bucket names are global). */
export function replicaBucketName(options: Pick<VssBackupOptions, 'copyToRegion' | 'copyToAccount'>, account: string): string {
  return `vss-values-replica-${options.copyToAccount ?? account}-${options.copyToRegion}`;
}

/** The alias of the copy stack's key, which encrypts replicas of KMS-encrypted objects. */
export function replicaKeyAlias(vaultName: string): string {
  return `alias/${vaultName}-values`;
}

export function replicateValues(
  scope: Construct,
  values: ValuesBucket,
  options: VssBackupOptions,
  copyVaultName: string,
): iam.Role | undefined {
  const region = options.copyToRegion;
  const cfn = values.bucket.node.defaultChild as s3.CfnBucket | undefined;
  if (!region || !cfn) return undefined; // no copy, or an existing bucket
  const stack = Stack.of(scope);
  const destinationAccount = options.copyToAccount ?? stack.account;
  const destination = `arn:${stack.partition}:s3:::${replicaBucketName(options, stack.account)}`;
  const role = new iam.Role(scope, 'ValuesReplicationRole', {
    assumedBy: new iam.ServicePrincipal('s3.amazonaws.com'),
    description: `VSS: S3 replicates the values bucket to ${region}`,
  });
  role.addToPolicy(
    new iam.PolicyStatement({ actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'], resources: [values.bucket.bucketArn] }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: [...REPLICATION_SOURCE_ACTIONS],
      resources: [values.bucket.arnForObjects(`${VALUE_OBJECT_PREFIX}*`)],
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      // Another account's bucket owns the replicas it receives (accessControlTranslation below).
      actions: [...REPLICATION_DESTINATION_ACTIONS, ...(options.copyToAccount ? ['s3:ObjectOwnerOverrideToBucketOwner'] : [])],
      resources: [`${destination}/${VALUE_OBJECT_PREFIX}*`],
    }),
  );
  const key = values.encryptionKey;
  const replicaKey = `arn:${stack.partition}:kms:${region}:${destinationAccount}:${replicaKeyAlias(copyVaultName)}`;
  if (key) {
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [`arn:${stack.partition}:kms:${region}:${destinationAccount}:key/*`],
        conditions: {
          StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` },
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': replicaKeyAlias(copyVaultName) },
        },
      }),
    );
  }
  cfn.replicationConfiguration = {
    role: role.roleArn,
    rules: [
      {
        id: 'ValuesToCopyRegion',
        status: 'Enabled',
        priority: 1,
        filter: { prefix: VALUE_OBJECT_PREFIX },
        // Delete markers replicate: erase-user deletes each current object without a version id
        // first (s3-object-store.ts, erasePrefix), so the replica hides an erased user's objects at
        // once and its own lifecycle expires them `retentionDays` later. Deletes by version id,
        // the second pass, never replicate.
        deleteMarkerReplication: { status: 'Enabled' },
        destination: {
          bucket: destination,
          ...(options.copyToAccount ? { account: options.copyToAccount, accessControlTranslation: { owner: 'Destination' } } : {}),
          ...(key ? { encryptionConfiguration: { replicaKmsKeyId: replicaKey } } : {}),
        },
        ...(key ? { sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } } } : {}),
      },
    ],
  };
  acknowledgeReplicationRole(role, [
    values.bucket.arnForObjects(`${VALUE_OBJECT_PREFIX}*`),
    `${destination}/${VALUE_OBJECT_PREFIX}*`,
    ...(key ? [`arn:${stack.partition}:kms:${region}:${destinationAccount}:key/*`] : []),
  ]);
  return role;
}
