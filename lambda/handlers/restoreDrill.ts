/**
 * The restore drill's validation (docs/disaster-recovery.md): EventBridge invokes it when a
 * restore job of the stack's restore testing plan ends. For a completed job it verifies the
 * scratch table AWS Backup restored (lambda/store/table-verifier.ts, the check `vss admin
 * verify-table` runs), records how long the restore took (the achieved RTO) and reports the
 * verdict to AWS Backup, which then deletes the scratch table. A failed or aborted job is
 * recorded as a failed drill. Metrics: RESTORE_DRILL_METRIC_NAMES (lambda/contract.ts).
 *
 * Env: VSS_RESTORE_TEST_TABLE_PREFIX (only tables restore testing names are ever read); the
 * object tier's VSS_S3_BUCKET (the scratch table's objects are the live bucket's, read only).
 */
import { BackupClient, DescribeRestoreJobCommand, PutRestoreValidationResultCommand } from '@aws-sdk/client-backup';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DEFAULT_METRICS_NAMESPACE, ENV, METRICS_SERVICE_NAME, RESTORE_DRILL_METRIC_NAMES } from '../contract.js';
import { dynamoDbClient } from '../store/client-settings.js';
import { ChunkTier } from '../store/large-values.js';
import { objectPlacement } from '../store/object-tier.js';
import { objectTierFromEnv } from '../store/object-tier-settings.js';
import { TableClient } from '../store/table-client.js';
import { VERIFY_RETRY, type VerifyReport, verifyTable } from '../store/table-verifier.js';
import { ValuePlacement } from '../store/value-placement.js';

/** The part of the EventBridge event this reads (detail-type "Restore Job State Change"). */
export interface RestoreJobEvent {
  readonly detail?: { readonly restoreJobId?: string; readonly status?: string };
}

/** What the drill learns of a restore job. */
export interface RestoreJob {
  readonly status: string;
  readonly createdResourceArn: string | undefined;
  readonly creationDate: Date | undefined;
  readonly completionDate: Date | undefined;
}

export type DrillVerdict = 'SUCCESSFUL' | 'FAILED';

export interface DrillDeps {
  describeRestoreJob(jobId: string): Promise<RestoreJob>;
  putValidationResult(jobId: string, verdict: DrillVerdict, message: string): Promise<void>;
  verify(tableName: string): Promise<VerifyReport>;
  record(metrics: { restoreSeconds?: number; failed: boolean; problems?: number; records?: number }): void;
  log(line: Record<string, unknown>): void;
  /** Only tables whose name starts with this are read. */
  readonly tablePrefix: string;
}

export interface DrillOutcome {
  readonly jobId: string;
  readonly verdict: DrillVerdict;
  readonly restoreSeconds?: number | undefined;
  readonly problems?: number | undefined;
  readonly message: string;
}

/** The sweeper's bound: grace 1 h + one hourly run (lib/private/sweeper.ts). */
export const ORPHAN_BOUND_MS = 2 * 60 * 60 * 1000;

export async function runDrill(event: RestoreJobEvent, deps: DrillDeps): Promise<DrillOutcome | undefined> {
  const jobId = event.detail?.restoreJobId;
  if (!jobId) {
    deps.log({ message: 'restore drill: event without a restore job id, ignored' });
    return undefined;
  }
  const job = await deps.describeRestoreJob(jobId);
  const restoreSeconds =
    job.creationDate && job.completionDate ? (job.completionDate.getTime() - job.creationDate.getTime()) / 1000 : undefined;
  const finish = async (verdict: DrillVerdict, message: string, report?: VerifyReport): Promise<DrillOutcome> => {
    deps.record({
      ...(restoreSeconds !== undefined && job.status === 'COMPLETED' ? { restoreSeconds } : {}),
      failed: verdict === 'FAILED',
      ...(report ? { problems: report.problems.length, records: report.records } : {}),
    });
    deps.log({ message: `restore drill ${verdict}`, jobId, status: job.status, restoreSeconds, detail: message });
    if (job.status === 'COMPLETED') await deps.putValidationResult(jobId, verdict, message.slice(0, 1000));
    return { jobId, verdict, restoreSeconds, problems: report?.problems.length, message };
  };
  if (job.status !== 'COMPLETED') return finish('FAILED', `the restore job ended ${job.status}`);
  const tableName = job.createdResourceArn?.split(':table/')[1];
  if (!tableName?.startsWith(deps.tablePrefix))
    return finish('FAILED', `the restored resource ${JSON.stringify(job.createdResourceArn)} is not a scratch table of restore testing`);
  try {
    const report = await deps.verify(tableName);
    if (report.uncheckedObjects > 0)
      return finish('FAILED', `${report.uncheckedObjects} values in the value bucket could not be checked (no bucket configured)`, report);
    if (report.problems.length === 0)
      return finish(
        'SUCCESSFUL',
        `verified ${report.records} records in ${report.stores} stores, restored in ${restoreSeconds ?? '?'} s`,
        report,
      );
    const kinds = [...new Set(report.problems.map((p) => p.kind))].join(', ');
    return finish('FAILED', `${report.problems.length} problems (${kinds}) in ${report.records} records`, report);
  } catch (e) {
    return finish('FAILED', `the scratch table could not be verified: ${(e as Error)?.message ?? String(e)}`);
  }
}

let deps: DrillDeps | undefined;

function defaultDeps(): DrillDeps {
  if (deps) return deps;
  const dynamodb = dynamoDbClient({});
  const backup = new BackupClient({});
  const metrics = new Metrics({
    serviceName: process.env[ENV.serviceName] ?? METRICS_SERVICE_NAME,
    namespace: process.env[ENV.metricsNamespace] ?? DEFAULT_METRICS_NAMESPACE,
  });
  deps = {
    tablePrefix: process.env[ENV.restoreTestTablePrefix] ?? 'awsbackup-restore-test-',
    async describeRestoreJob(jobId) {
      const job = await backup.send(new DescribeRestoreJobCommand({ RestoreJobId: jobId }));
      return {
        status: job.Status ?? 'UNKNOWN',
        createdResourceArn: job.CreatedResourceArn,
        creationDate: job.CreationDate,
        completionDate: job.CompletionDate,
      };
    },
    async putValidationResult(jobId, verdict, message) {
      await backup.send(
        new PutRestoreValidationResultCommand({ RestoreJobId: jobId, ValidationStatus: verdict, ValidationStatusMessage: message }),
      );
    },
    verify: (tableName) => {
      const table = new TableClient({ client: dynamodb, tableName, retry: VERIFY_RETRY });
      // The scratch table points at objects of the live value bucket (kept for the PITR window).
      const objects = objectTierFromEnv(process.env)?.objects;
      return verifyTable(table, {
        segments: 8,
        orphanBoundMs: ORPHAN_BOUND_MS,
        placement: objects ? objectPlacement(objects)(table) : new ValuePlacement([new ChunkTier(table)]),
        ...(objects ? { objects } : {}),
      });
    },
    record(m) {
      if (m.restoreSeconds !== undefined)
        metrics.addMetric(RESTORE_DRILL_METRIC_NAMES.restoreSeconds, MetricUnit.Seconds, m.restoreSeconds);
      metrics.addMetric(RESTORE_DRILL_METRIC_NAMES.failures, MetricUnit.Count, m.failed ? 1 : 0);
      if (m.problems !== undefined) metrics.addMetric(RESTORE_DRILL_METRIC_NAMES.problems, MetricUnit.Count, m.problems);
      if (m.records !== undefined) metrics.addMetric(RESTORE_DRILL_METRIC_NAMES.records, MetricUnit.Count, m.records);
      metrics.publishStoredMetrics();
    },
    log: (line) => console.log(JSON.stringify(line)),
  };
  return deps;
}

export async function handler(event: RestoreJobEvent): Promise<DrillOutcome | undefined> {
  return runDrill(event, defaultDeps());
}
