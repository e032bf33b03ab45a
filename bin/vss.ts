#!/usr/bin/env node
/**
 * The CDK app: `cdk synth` / `cdk deploy`. Reads the `vss` context object (cdk.json,
 * cdk.context.json or `-c vss='{"authMode":"jwt",...}'`) and VSS_ACCOUNT / VSS_REGION /
 * VSS_AUTH_MODE from the environment, validates them (bin/config.ts) and fails synth with a clear
 * message on bad config — never a stack trace. cdk-nag's AwsSolutions and Serverless packs run on
 * every synth: an unacknowledged finding fails it.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { LARGE_VALUES } from '../lambda/contract.js';
import { VssBackupCopyVault } from '../lib/backup-copy-vault.js';
import { backupEnabled } from '../lib/private/schema.js';
import { VssStack } from '../lib/vss-stack.js';
import { backupOptions, parseConfig, stackEnv, toServiceProps } from './config.js';

try {
  const app = new App();
  const config = parseConfig(app.node.tryGetContext('vss'), process.env);
  const env = stackEnv(config);
  const service = new VssStack(app, config.stackName, {
    ...(env ? { env } : {}),
    description: `Versioned Storage Service for Lightning wallets (auth: ${config.authMode})`,
    service: (scope) => toServiceProps(scope, config),
  });
  const b = config.backup;
  if (b?.copyToRegion && backupEnabled(config)) {
    // The vault the copies go to, in its region (and account): deployed first, referenced by name.
    const account = b.copyToAccount ?? config.account;
    const copies = new Stack(app, `${config.stackName}-backup-copy`, {
      env: { region: b.copyToRegion, ...(account ? { account } : {}) },
      description: 'VSS: the vault receiving copies of the table backups (docs/disaster-recovery.md)',
    });
    const lock = backupOptions(b).vaultLock;
    new VssBackupCopyVault(copies, 'BackupCopy', {
      ...(b.copyVaultName ? { vaultName: b.copyVaultName } : {}),
      ...(b.copyToAccount && b.copyToAccount !== config.account && config.account ? { sourceAccount: config.account } : {}),
      ...(lock ? { vaultLock: lock } : {}),
      // The values bucket's replica, unless the service uses an existing bucket (its owner replicates it).
      ...(config.largeValues?.existingBucketArn
        ? {}
        : { valuesReplica: { retentionDays: config.largeValues?.retentionDays ?? LARGE_VALUES.defaultRetentionDays } }),
    });
    // Same account: one `cdk deploy --all` deploys the vault first. Another account deploys it
    // with that account's credentials (docs/disaster-recovery.md).
    if (!b.copyToAccount || b.copyToAccount === config.account) service.addDependency(copies);
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  app.synth();
} catch (e) {
  // A configuration error is the user's to fix and says how; anything else is reported by its
  // message alone (the CDK's own errors say what is wrong), with VSS_DEBUG=1 for the trace.
  console.error(e instanceof Error ? (process.env['VSS_DEBUG'] ? (e.stack ?? e.message) : e.message) : String(e));
  process.exit(1);
}
