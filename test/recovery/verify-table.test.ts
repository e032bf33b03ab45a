/**
 * `vss admin verify-table` on both engines: a table written through the service (small, large and
 * erased data) is sound (exit 0), and each planted fault is caught by name (exit 6) with its key,
 * store and user hash.
 */
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eraseUser } from '../../cli/admin/erase-user.js';
import { bulkTable } from '../../cli/table/bulk-table.js';
import { writeRecord } from '../../cli/table/records.js';
import { EXIT } from '../../cli/exit-codes.js';
import { userHash } from '../../lambda/core/user-hash.js';
import { partitionKeyOf, sortKeyOf } from '../../lambda/store/keys.js';
import type { LocalVss } from '../../local/app.js';
import { engines, kv, startVssOn } from '../support/local-vss.js';
import { expectStatus, SigUser } from '../provider/support.js';
import { admin, copyTable, engineClient, retrying500 } from './support.js';

const STORE = 'wallet';

interface ProblemJson {
  kind: string;
  userHash: string | null;
  store: string | null;
  key: string | null;
}

/** The value bucket of the local server, as verify-table is told it. */
const s3Flags = (local: LocalVss) => ['--s3-endpoint', local.objectStore.endpoint, '--s3-bucket', local.objectStore.bucket];

async function verify(local: LocalVss, endpoint: string, table = local.tableName) {
  const r = await admin(['verify-table', '--dynamodb-endpoint', endpoint, '--table', table, ...s3Flags(local), '--json']);
  const report = JSON.parse(r.out) as { sound: boolean; records: number; outOfLineValues: number; problems: ProblemJson[] };
  return { ...r, report };
}

/** Items of one store whose sort key starts with `prefix` (0xFE chunks, 0xFD chunk-set records). */
async function itemsWithPrefix(
  client: DynamoDBClient,
  table: string,
  pk: string,
  prefix: number,
): Promise<Record<string, AttributeValue>[]> {
  const out = await client.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': { S: pk }, ':p': { B: Uint8Array.of(prefix) } },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

for (const engine of engines()) {
  describe(`verify-table on ${engine.name}`, { timeout: 180_000 }, () => {
    let local: LocalVss;
    const db = engineClient(engine.endpoint);
    const alice = new SigUser();
    const bob = new SigUser();
    const carol = new SigUser(); // erased
    const dave = new SigUser(); // his object is deleted, last
    const erin = new SigUser(); // her object is changed, last
    const alicePk = partitionKeyOf({ userToken: alice.token, storeId: STORE });

    beforeAll(async () => {
      local = await startVssOn(engine, { auth: 'signature', sweepIntervalMs: 0 });
      for (const user of [alice, bob, carol, dave, erin]) {
        const c = user.client(local.url, STORE);
        expectStatus(
          await retrying500(() =>
            c.put([kv('monitor', 0, randomBytes(2_000)), kv('manager', 0, randomBytes(10_000))], { globalVersion: 0 }),
          ),
          200,
        );
        // A large value: above the inline threshold, an object in the value bucket.
        expectStatus(await retrying500(() => c.put([kv('graph', 0, randomBytes(900_000))])), 200);
        expectStatus(await retrying500(() => c.put([kv('monitor', 1, randomBytes(2_500))], { globalVersion: 1 })), 200);
        expectStatus(await retrying500(() => c.put([kv('payment/1', 0, 'paid')])), 200);
        expectStatus(await retrying500(() => c.delete('payment/1', 1)), 200);
      }
      await eraseUser({ client: db, tableName: local.tableName, userToken: carol.token, apply: true, scan: true });
      // A value of the previous release: chunks in the table (read back after an upgrade).
      await writeRecord(bulkTable(db, local.tableName), {
        userToken: alice.token,
        storeId: STORE,
        key: 'old-graph',
        version: 1n,
        seq: 1n,
        value: randomBytes(500_000),
      });
    }, 300_000);
    afterAll(async () => {
      await local?.stop();
      db.destroy();
    });

    it('a table written through the service (small, large and erased data) is sound: exit 0, no problems', async () => {
      const { code, report } = await verify(local, engine.endpoint);
      expect(report.problems).toEqual([]);
      expect(report.sound).toBe(true);
      // alice, bob, dave, erin: monitor, manager, graph and the global-version record each; alice's old-graph.
      expect(report.records).toBe(17);
      expect(report.outOfLineValues).toBe(5);
      expect(code).toBe(EXIT.ok);
    });

    it('the text report ends with the verdict line', async () => {
      const r = await admin(['verify-table', '--dynamodb-endpoint', engine.endpoint, '--table', local.tableName, ...s3Flags(local)]);
      expect(r.code).toBe(EXIT.ok);
      expect(r.out).toMatch(/records in 4 stores, 5 out-of-line values, [\d.]+ s: sound\n$/);
    });

    it('without the value bucket, object-tier values are not checked: said so, exit 2', async () => {
      const r = await admin(['verify-table', '--dynamodb-endpoint', engine.endpoint, '--table', local.tableName]);
      expect(r.code).toBe(EXIT.usage);
      expect(r.out).toContain('(4 in the value bucket not checked)');
      expect(r.err).toMatch(/give --s3-bucket/);
    });

    /** Plants a fault in a copy of the table and returns the problems verify-table reports there. */
    async function withFault(plant: (table: string) => Promise<void>): Promise<{ code: number; problems: ProblemJson[] }> {
      const copy = `${local.tableName}-fault-${randomBytes(4).toString('hex')}`;
      await copyTable(db, local.tableName, copy);
      await plant(copy);
      const { code, report } = await verify(local, engine.endpoint, copy);
      return { code, problems: report.problems };
    }

    const aliceProblem = (kind: string, key: string | null) => ({ kind, userHash: userHash(alice.token), store: STORE, key });

    it('catches a deleted chunk by name: missing-chunk, with key, store and user hash (exit 6)', async () => {
      const { code, problems } = await withFault(async (table) => {
        const chunk = (await itemsWithPrefix(db, table, alicePk, 0xfe))[1]!;
        await db.send(new DeleteItemCommand({ TableName: table, Key: { pk: chunk['pk']!, sk: chunk['sk']! } }));
      });
      expect(problems).toEqual([expect.objectContaining(aliceProblem('missing-chunk', 'old-graph'))]);
      expect(code).toBe(EXIT.verifyMismatch);
    });

    it('catches a changed value by name: value-size (a chunk whose bytes are not what the head records)', async () => {
      const { code, problems } = await withFault(async (table) => {
        const chunk = (await itemsWithPrefix(db, table, alicePk, 0xfe))[0]!;
        await db.send(new PutItemCommand({ TableName: table, Item: { ...chunk, val: { B: randomBytes(1_000) } } }));
      });
      expect(problems).toEqual([expect.objectContaining(aliceProblem('value-size', 'old-graph'))]);
      expect(code).toBe(EXIT.verifyMismatch);
    });

    it('catches a duplicated creation position by name: duplicate-creation-position', async () => {
      const { code, problems } = await withFault(async (table) => {
        const key = (k: string) => ({ pk: { S: alicePk }, sk: { B: sortKeyOf(k) } });
        const monitor = await db.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk AND sk = :sk',
            ExpressionAttributeValues: { ':pk': { S: alicePk }, ':sk': { B: sortKeyOf('monitor') } },
            ConsistentRead: true,
          }),
        );
        const seq = monitor.Items![0]!['seq']!.N!;
        await db.send(
          new UpdateItemCommand({
            TableName: table,
            Key: key('manager'),
            UpdateExpression: 'SET seq = :s',
            ExpressionAttributeValues: { ':s': { N: seq } },
          }),
        );
      });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ kind: 'duplicate-creation-position', userHash: userHash(alice.token), store: STORE });
      expect(['manager', 'monitor']).toContain(problems[0]!.key);
      expect(code).toBe(EXIT.verifyMismatch);
    });

    it('catches a malformed global-version record by name: malformed-global-version', async () => {
      const { code, problems } = await withFault(async (table) => {
        await db.send(
          new UpdateItemCommand({
            TableName: table,
            Key: { pk: { S: alicePk }, sk: { B: sortKeyOf('global_version') } },
            UpdateExpression: 'SET ver = :v',
            ExpressionAttributeValues: { ':v': { N: '-3' } },
          }),
        );
      });
      expect(problems).toEqual([expect.objectContaining(aliceProblem('malformed-global-version', 'global_version'))]);
      expect(code).toBe(EXIT.verifyMismatch);
    });

    it('catches a chunk set no head points at, older than the sweeper bound: orphaned-chunk-set; a young one is left to the sweeper', async () => {
      const record = (table: string, at: number, id: Buffer) =>
        db.send(
          new PutItemCommand({
            TableName: table,
            Item: {
              pk: { S: alicePk },
              sk: { B: Buffer.concat([Buffer.of(0xfd), id]) },
              gcHead: { B: sortKeyOf('old-graph') },
              gcN: { N: '1' },
              gcShard: { S: '0' },
              gcAt: { N: String(at) },
            },
          }),
        );
      const { code, problems } = await withFault(async (table) => {
        await record(table, Date.now() - 3 * 3600_000, randomBytes(16));
        await record(table, Date.now() - 60_000, randomBytes(16));
      });
      expect(problems).toEqual([expect.objectContaining(aliceProblem('orphaned-chunk-set', 'old-graph'))]);
      expect(code).toBe(EXIT.verifyMismatch);
    });

    it('a head that lost its creation position is malformed, and the listing index no longer agrees', async () => {
      const { problems } = await withFault(async (table) => {
        await db.send(
          new UpdateItemCommand({
            TableName: table,
            Key: { pk: { S: alicePk }, sk: { B: sortKeyOf('manager') } },
            UpdateExpression: 'REMOVE seq',
          }),
        );
      });
      expect(problems.map((p) => p.kind).sort()).toEqual(['index-mismatch', 'malformed-record']);
    });

    /** The object key alice's… a user's `graph` head points at. */
    async function objectKeyOf(user: SigUser): Promise<string> {
      const pk = partitionKeyOf({ userToken: user.token, storeId: STORE });
      const head = await db.send(
        new GetItemCommand({ TableName: local.tableName, Key: { pk: { S: pk }, sk: { B: sortKeyOf('graph') } }, ConsistentRead: true }),
      );
      return head.Item!['lv']!.M!['k']!.S!;
    }
    const problemsOf = (problems: ProblemJson[], user: SigUser) => problems.filter((p) => p.userHash === userHash(user.token));

    it('catches a deleted object by name: missing-object (planted in the value bucket)', async () => {
      await local.s3Client.send(new DeleteObjectCommand({ Bucket: local.objectStore.bucket, Key: await objectKeyOf(dave) }));
      const { code, report } = await verify(local, engine.endpoint);
      expect(problemsOf(report.problems, dave)).toEqual([
        expect.objectContaining({ kind: 'missing-object', userHash: userHash(dave.token), store: STORE, key: 'graph' }),
      ]);
      expect(code).toBe(EXIT.verifyMismatch);
    });

    it('catches a changed object by name: value-digest (same size, other bytes)', async () => {
      await local.s3Client.send(
        new PutObjectCommand({ Bucket: local.objectStore.bucket, Key: await objectKeyOf(erin), Body: randomBytes(900_000) }),
      );
      const { code, report } = await verify(local, engine.endpoint);
      expect(problemsOf(report.problems, erin)).toEqual([
        expect.objectContaining({ kind: 'value-digest', userHash: userHash(erin.token), store: STORE, key: 'graph' }),
      ]);
      expect(code).toBe(EXIT.verifyMismatch);
    });
  });
}
