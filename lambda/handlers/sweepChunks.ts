/**
 * Scheduled Lambda entry point (EventBridge): removes chunk sets left behind by writes that
 * crashed, and keeps the object tier's lifecycle (lambda/store/chunk-sweeper.ts). Idempotent; a
 * run that times out is continued by the next one. Env: VSS_TABLE_NAME; optional
 * VSS_SWEEP_GRACE_SECONDS (default 3600, must stay far above the VSS functions' timeout),
 * VSS_SWEEP_RECHECK_SECONDS (default 7 days), and the object tier's VSS_S3_BUCKET and
 * VSS_RETENTION_DAYS (object-tier-settings.ts).
 */
import { ENV } from '../contract.js';
import { SWEEP_RETRY, sweepChunkSets, type SweepResult } from '../store/chunk-sweeper.js';
import { dynamoDbClient } from '../store/client-settings.js';
import { TableClient } from '../store/table-client.js';
import { objectTierFromEnv, type ObjectTierSettings } from '../store/object-tier-settings.js';

let table: TableClient | undefined;
let objectTier: ObjectTierSettings | undefined;

export async function handler(): Promise<SweepResult> {
  const tableName = process.env[ENV.tableName];
  if (!tableName) throw new Error(`${ENV.tableName} is not set`);
  // The shared client settings (timeouts that throw) and the sweeper's retry policy.
  table ??= new TableClient({ client: dynamoDbClient(), tableName, retry: SWEEP_RETRY });
  // The object tier's lifecycle (retention, abandoned writes) when the stack has a value bucket.
  objectTier ??= objectTierFromEnv(process.env);
  const result = await sweepChunkSets(table, {
    ...(objectTier ? { objects: objectTier.objects, retentionMs: objectTier.retentionMs } : {}),
    graceMs: Number(process.env[ENV.sweepGraceSeconds] ?? 3600) * 1000,
    recheckMs: Number(process.env[ENV.sweepRecheckSeconds] ?? 7 * 24 * 3600) * 1000,
  });
  console.log(JSON.stringify({ message: 'chunk sweep done', ...result }));
  return result;
}
