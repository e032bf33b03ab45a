/**
 * `VssBackupCopyVault`: the vault that receives the copies of the table's recovery points, in
 * another region (the lost-region scenario) and optionally another account (the
 * compromised-account scenario). Deploy it in its own stack in that region and account before the
 * service's stack: the standalone app does so when `backup.copyToRegion` is set
 * (docs/disaster-recovery.md). Its vault name is what the service's copy action names.
 *
 * Stable construct IDs 'Vault' and 'Key' hold the copies and the key that decrypts them.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { VssVaultLockOptions } from './options.js';
import { DEFAULT_COPY_VAULT_NAME } from './private/backup-defaults.js';
import { lockConfiguration } from './private/backup.js';

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
}

export class VssBackupCopyVault extends Construct {
  readonly vault: backup.BackupVault;
  readonly key: kms.Key;

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
  }
}
