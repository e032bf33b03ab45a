/**
 * The operators' tools follow values into the object tier (docs/large-values.md, "The object tier: values above the threshold are one S3 object"):
 * pg-import puts values above the threshold, 3 MB and 10 MB ones included (more than the Lambda
 * front door carries), into the values bucket; pg-export reads them back; erase-user deletes the
 * user's objects; a recount counts object bytes. Real PostgreSQL, the primary engine, the embedded S3.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eraseUser } from '../../cli/admin/erase-user.js';
import { recountUser } from '../../cli/admin/recount.js';
import { migrateToReferenceSchema } from '../../cli/pg/reference-schema.js';
import { objectStoreOf } from '../../cli/table/object-store-options.js';
import { userObjectPrefix } from '../../lambda/store/object-keys.js';
import { localClient } from '../../local/engines.js';
import { ensureTable } from '../../local/table.js';
import { reportOf, runVss } from '../cli/run-vss.js';
import { kv, primaryEngine, startVssOn, TestClient } from '../support/local-vss.js';
import { startPostgres, type RunningPostgres } from '../support/postgres.js';
import { PATIENT_OBJECT_STORE, startTestObjectStore, type TestObjectStore } from '../support/s3.js';

const USER = 'unauth-user';
const MB = 1_000_000;
const values = {
  'graph/3MB': randomBytes(3 * MB),
  'graph/10MB': randomBytes(10 * MB),
  'scorer/100KB': randomBytes(100_000),
  small: randomBytes(100),
};

let postgres: RunningPostgres;
let sourceUrl: string;
let s3: TestObjectStore;

async function query(url: string, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows;
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  postgres = await startPostgres();
  s3 = await startTestObjectStore();
  sourceUrl = await postgres.createDatabase('reference');
  const c = new pg.Client({ connectionString: sourceUrl });
  await c.connect();
  await migrateToReferenceSchema(c);
  for (const [key, value] of Object.entries(values))
    await c.query('INSERT INTO vss_db (user_token, store_id, key, value, version) VALUES ($1, $2, $3, $4, 3)', [
      USER,
      'wallet',
      key,
      value,
    ]);
  await c.end();
});
afterAll(async () => {
  await s3?.stop();
  await postgres?.stop();
});

describe.each([primaryEngine()])('tools and the object tier on $name', (engine) => {
  const table = `vss-${randomUUID()}`;
  const s3Flags = () => ['--s3-endpoint', s3.endpoint, '--s3-bucket', s3.bucket];

  beforeAll(async () => {
    await ensureTable(localClient(engine.endpoint), table);
  });

  it('pg-import puts 3 MB and 10 MB values in the values bucket, the service reads them back, and pg-export writes them out exactly', async () => {
    const before = (await s3.objectStore().list(userObjectPrefix(USER))).objects.length;
    const run = await runVss([
      'pg-import',
      '--postgres',
      sourceUrl,
      '--dynamodb-endpoint',
      engine.endpoint,
      '--table',
      table,
      ...s3Flags(),
      '--json',
      '--quiet',
      '--verify',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(reportOf(run)).toMatchObject({ rows: 4, written: 4, skipped: 0, verified: true });
    // Three values are above the 32 KiB threshold: one object each.
    const objects = (await s3.objectStore().list(userObjectPrefix(USER))).objects;
    expect(objects.length - before).toBe(3);
    expect(objects.map((o) => o.bytes).sort((a, b) => a - b)).toEqual(expect.arrayContaining([100_000, 3 * MB, 10 * MB]));

    const server = await startVssOn(engine, {
      tableName: table,
      s3Client: s3.client,
      s3Bucket: s3.bucket,
      sweepIntervalMs: 0,
      objectStoreOptions: PATIENT_OBJECT_STORE,
    });
    try {
      const c = new TestClient(server.url, 'wallet');
      for (const [key, value] of Object.entries(values)) {
        const got = (await c.getValue(key)) as { version: bigint; value: Buffer };
        expect(got.version).toBe(3n);
        expect(got.value.equals(value), key).toBe(true);
      }
    } finally {
      await server.stop();
    }

    const targetUrl = await postgres.createDatabase(`export_${randomUUID().replace(/-/g, '')}`);
    const exported = await runVss([
      'pg-export',
      '--postgres',
      targetUrl,
      '--dynamodb-endpoint',
      engine.endpoint,
      '--table',
      table,
      ...s3Flags(),
      '--json',
      '--quiet',
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    const rows = await query(targetUrl, 'SELECT key, value, version::text AS version FROM vss_db WHERE user_token = $1', [USER]);
    expect(rows).toHaveLength(4);
    for (const r of rows) {
      expect(r['version']).toBe('3');
      expect(Buffer.from(r['value'] as Buffer).equals(values[r['key'] as keyof typeof values]), r['key'] as string).toBe(true);
    }
  }, 240_000);

  it('a recount counts the bytes of values in the object tier, and erase-user deletes every object of the user and only those', async () => {
    const server = await startVssOn(engine, {
      tableName: `vss-${randomUUID()}`,
      s3Client: s3.client,
      s3Bucket: s3.bucket,
      sweepIntervalMs: 0,
      provider: { usageMetering: true },
      objectStoreOptions: PATIENT_OBJECT_STORE,
      auth: 'none',
    });
    try {
      const c = new TestClient(server.url, `store-${randomUUID()}`);
      const big = randomBytes(1_048_576);
      expect((await c.put([kv('monitor', 0, big), kv('tiny', 0, 'x')])).status).toBe(200);
      expect((await c.put([kv('monitor', 1, randomBytes(200_000))])).status).toBe(200);
      const other = 'someone-else';
      const theirs = s3.objectStore();
      await theirs.put(`${userObjectPrefix(other)}${'0'.repeat(32)}`, Buffer.from('theirs'), Buffer.alloc(32));

      const { after } = await recountUser({ client: server.client, tableName: server.tableName }, USER);
      const store = after.find((s) => s.storeId === c.storeId)!;
      // Keys plus values, the 200 KB value in the object tier counted at its size.
      expect(store).toMatchObject({ keys: 2, bytes: 'monitor'.length + 200_000 + 'tiny'.length + 1 });

      const objects = objectStoreOf({ s3Endpoint: s3.endpoint, s3Bucket: s3.bucket })!;
      const stored = (await theirs.list(userObjectPrefix(USER))).objects.length;
      // The replaced 1 MiB value is retained, the current one is live: both belong to the user.
      expect(stored).toBeGreaterThanOrEqual(2);
      const dry = await eraseUser({ client: server.client, tableName: server.tableName, userToken: USER, apply: false, objects });
      expect(dry.objects).toBe(stored);
      expect((await theirs.list(userObjectPrefix(USER))).objects.length).toBe(stored);
      const erased = await eraseUser({ client: server.client, tableName: server.tableName, userToken: USER, apply: true, objects });
      expect(erased.objects).toBe(stored);
      expect((await theirs.list(userObjectPrefix(USER))).objects).toEqual([]);
      expect((await theirs.list(userObjectPrefix(other))).objects).toHaveLength(1);
      expect(await c.getValue('monitor')).toBe(404);
    } finally {
      await server.stop();
    }
  }, 120_000);
});
