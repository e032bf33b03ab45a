/**
 * The defaults of the `backup` settings, apart from the builder so the schema (which checks the
 * rules between settings) can read them without loading the CDK's backup module.
 */

/** Daily at 03:00 UTC. */
export const DEFAULT_BACKUP_SCHEDULE = 'cron(0 3 * * ? *)';
/** The PITR window's maximum: a restore from backup reaches as far back as one from PITR. */
export const DEFAULT_BACKUP_RETENTION_DAYS = 35;
/** The vault in `copyToRegion` (or `copyToAccount`) that receives the copies. */
export const DEFAULT_COPY_VAULT_NAME = 'vss-backup-copy';
/** Weekly, Sundays at 05:00 UTC: two hours after the default backup, so the drill restores a fresh one. */
export const DEFAULT_RESTORE_DRILL_SCHEDULE = 'cron(0 5 ? * SUN *)';
/** How long the scratch table may live for verification before AWS Backup deletes it. */
export const DEFAULT_VALIDATION_WINDOW_HOURS = 4;
/**
 * The name AWS Backup restore testing gives every table it restores starts with this (its
 * inferred metadata `targetTableName`); the drill's permissions are limited to such tables.
 */
export const RESTORE_TEST_TABLE_PREFIX = 'awsbackup-restore-test-';
/**
 * The drill's function verifies a whole table: Lambda's longest timeout. Its options override
 * these, as the sweeper's do.
 */
export const RESTORE_DRILL_BUILT_IN_OPTIONS = { timeoutSeconds: 900 } as const;
