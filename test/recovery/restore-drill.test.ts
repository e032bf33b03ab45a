/**
 * The restore drill's validation (lambda/handlers/restoreDrill.ts) on a real scratch table of an
 * engine: a sound restore is reported SUCCESSFUL with its restore time recorded; an unsound one,
 * a failed restore job, or a table that is not a restore-testing scratch table is a failed drill.
 * AWS Backup itself (DescribeRestoreJob, PutRestoreValidationResult) cannot run locally: those two
 * calls are the only stand-ins.
 */
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DrillDeps, ORPHAN_BOUND_MS, type RestoreJob, runDrill } from '../../lambda/handlers/restoreDrill.js';
import { partitionKeyOf, sortKeyOf } from '../../lambda/store/keys.js';
import { objectPlacement } from '../../lambda/store/object-tier.js';
import { S3ObjectStore } from '../../lambda/store/s3-object-store.js';
import { ChunkTier } from '../../lambda/store/large-values.js';
import { TableClient } from '../../lambda/store/table-client.js';
import { VERIFY_RETRY, verifyTable } from '../../lambda/store/table-verifier.js';
import { ValuePlacement } from '../../lambda/store/value-placement.js';
import type { LocalVss } from '../../local/app.js';
import { engines, kv, startVssOn } from '../support/local-vss.js';
import { expectStatus, SigUser } from '../provider/support.js';
import { copyTable, engineClient, retrying500 } from './support.js';

const PREFIX = 'awsbackup-restore-test-';

for (const engine of engines()) {
  describe(`restore drill validation on ${engine.name}`, { timeout: 180_000 }, () => {
    let local: LocalVss;
    const db = engineClient(engine.endpoint);
    const user = new SigUser();

    beforeAll(async () => {
      local = await startVssOn(engine, { auth: 'signature', sweepIntervalMs: 0 });
      const c = user.client(local.url, 'wallet');
      expectStatus(
        await retrying500(() => c.put([kv('monitor', 0, randomBytes(3_000)), kv('graph', 0, randomBytes(500_000))], { globalVersion: 0 })),
        200,
      );
    }, 300_000);
    afterAll(async () => {
      await local?.stop();
      db.destroy();
    });

    function deps(job: RestoreJob, withBucket = true) {
      const objects = new S3ObjectStore({ client: local.s3Client, bucket: local.objectStore.bucket });
      const calls = { validations: [] as Array<[string, string]>, metrics: [] as unknown[], verified: [] as string[] };
      const d: DrillDeps = {
        tablePrefix: PREFIX,
        describeRestoreJob: async () => job,
        putValidationResult: async (_id, verdict, message) => void calls.validations.push([verdict, message]),
        verify: (table) => {
          calls.verified.push(table);
          const t = new TableClient({ client: db, tableName: table, retry: VERIFY_RETRY });
          return verifyTable(t, {
            orphanBoundMs: ORPHAN_BOUND_MS,
            placement: withBucket ? objectPlacement(objects)(t) : new ValuePlacement([new ChunkTier(t)]),
            ...(withBucket ? { objects } : {}),
          });
        },
        record: (m) => void calls.metrics.push(m),
        log: () => {},
      };
      return { d, calls };
    }
    const completed = (table: string): RestoreJob => ({
      status: 'COMPLETED',
      createdResourceArn: `arn:aws:dynamodb:eu-west-1:111122223333:table/${table}`,
      creationDate: new Date('2026-01-04T05:00:00Z'),
      completionDate: new Date('2026-01-04T05:21:30Z'),
    });

    it('a sound scratch table: SUCCESSFUL reported to AWS Backup, restore seconds recorded', async () => {
      const scratch = `${PREFIX}${randomBytes(4).toString('hex')}`;
      await copyTable(db, local.tableName, scratch);
      const { d, calls } = deps(completed(scratch));
      const outcome = await runDrill({ detail: { restoreJobId: 'job-1', status: 'COMPLETED' } }, d);
      expect(outcome).toMatchObject({ jobId: 'job-1', verdict: 'SUCCESSFUL', restoreSeconds: 1290, problems: 0 });
      expect(calls.verified).toEqual([scratch]);
      expect(calls.validations.map((v) => v[0])).toEqual(['SUCCESSFUL']);
      expect(calls.metrics).toEqual([{ restoreSeconds: 1290, failed: false, problems: 0, records: 3 }]);
      // The verdict names what was verified.
      expect(calls.validations[0]![1]).toMatch(/^verified 3 records in 1 stores/);
    });

    it('an unsound scratch table (a head lost its creation position): FAILED, with the problem kinds in the message', async () => {
      const scratch = `${PREFIX}${randomBytes(4).toString('hex')}`;
      await copyTable(db, local.tableName, scratch);
      const pk = partitionKeyOf({ userToken: user.token, storeId: 'wallet' });
      await db.send(
        new UpdateItemCommand({
          TableName: scratch,
          Key: { pk: { S: pk }, sk: { B: sortKeyOf('monitor') } },
          UpdateExpression: 'REMOVE seq',
        }),
      );
      const { d, calls } = deps(completed(scratch));
      const outcome = await runDrill({ detail: { restoreJobId: 'job-2' } }, d);
      expect(outcome).toMatchObject({ verdict: 'FAILED', problems: 2 });
      expect(calls.validations).toEqual([
        ['FAILED', expect.stringMatching(/2 problems \((malformed-record, index-mismatch|index-mismatch, malformed-record)\)/)],
      ]);
      expect(calls.metrics).toEqual([expect.objectContaining({ failed: true, problems: 2 })]);
    });

    it('the scratch table points at objects of the live value bucket: without the bucket they cannot be checked, a failed drill', async () => {
      const scratch = `${PREFIX}${randomBytes(4).toString('hex')}`;
      await copyTable(db, local.tableName, scratch);
      const { d, calls } = deps(completed(scratch), false);
      const outcome = await runDrill({ detail: { restoreJobId: 'job-5' } }, d);
      expect(outcome?.verdict).toBe('FAILED');
      expect(calls.validations).toEqual([['FAILED', expect.stringContaining('could not be checked')]]);
    });

    it('a failed restore job is a failed drill; nothing is read and no validation is reported', async () => {
      const { d, calls } = deps({ status: 'FAILED', createdResourceArn: undefined, creationDate: undefined, completionDate: undefined });
      const outcome = await runDrill({ detail: { restoreJobId: 'job-3', status: 'FAILED' } }, d);
      expect(outcome).toMatchObject({ verdict: 'FAILED', message: 'the restore job ended FAILED' });
      expect(calls.verified).toEqual([]);
      expect(calls.validations).toEqual([]);
      expect(calls.metrics).toEqual([{ failed: true }]);
    });

    it('never reads a table that restore testing did not name (the live table above all)', async () => {
      const { d, calls } = deps(completed(local.tableName));
      const outcome = await runDrill({ detail: { restoreJobId: 'job-4' } }, d);
      expect(outcome?.verdict).toBe('FAILED');
      expect(calls.verified).toEqual([]);
    });

    it('an event without a restore job id is ignored', async () => {
      const { d, calls } = deps(completed('x'));
      expect(await runDrill({}, d)).toBeUndefined();
      expect(calls.metrics).toEqual([]);
    });
  });
}
