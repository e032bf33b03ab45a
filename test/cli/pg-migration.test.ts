/**
 * `vss pg-import` and `vss pg-export` against a real PostgreSQL server (started and stopped
 * here) with the reference server's schema, on the primary engine (the store's behaviour on each
 * engine is the contract suite's, test/store/). What was imported is read back through the VSS
 * protocol (the local server on the same table), as wallets will read it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes, randomUUID } from 'node:crypto';
import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import pg from 'pg';
import { VssClient } from '../../client/vss-client.js';
import { migrateToReferenceSchema, REFERENCE_MIGRATIONS } from '../../cli/pg/reference-schema.js';
import { localClient } from '../../local/engines.js';
import { ensureTable } from '../../local/table.js';
import { rs256, rsaKeyPair } from '../auth/clients.js';
import { startVssOn, primaryEngine } from '../support/local-vss.js';
import { startPostgres, type RunningPostgres } from '../support/postgres.js';
import { reportOf, runVss, spawnVss } from './run-vss.js';

const INT64_MAX = (1n << 63n) - 1n;
const LOCAL_AWS = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: 'us-east-1' };

interface Row {
  user_token: string;
  store_id: string;
  key: string;
  value: Buffer | null;
  version: string;
}

const signer = secp256k1.utils.randomSecretKey();
const signerUser = Buffer.from(secp256k1.getPublicKey(signer, true)).toString('hex');

/** The reference data set: many users and stores, edge-case keys, values and versions. */
function referenceRows(): Row[] {
  const rows: Row[] = [];
  const users = ['alice', 'bob-🦀', signerUser];
  const stores = ['', 'wallet', 'other-store'];
  let n = 0;
  for (const user of users) {
    for (const store of stores) {
      for (let i = 0; i < 12; i++)
        rows.push({ user_token: user, store_id: store, key: `k/${i}`, value: randomBytes(i * 40), version: String(1 + (n++ % 5)) });
      rows.push({ user_token: user, store_id: store, key: 'global_version', value: Buffer.alloc(0), version: String(3 + n) });
    }
  }
  const special: Array<[string, Buffer | null, bigint]> = [
    ['', Buffer.from('the empty key'), 1n],
    ['x'.repeat(600), randomBytes(1024), 7n],
    ['clé/ünïcödé/鍵/🔑', Buffer.from('non-ASCII'), 2n],
    ['value/0B', Buffer.alloc(0), 1n],
    ['value/1KB', randomBytes(1000), 42n],
    ['value/500KB', randomBytes(500_000), INT64_MAX],
    ['value/3MB', randomBytes(3_000_000), 1n],
    ['value/null', null, 5n],
    ['é'.repeat(600), Buffer.from("600 characters, 1200 bytes: over DynamoDB's 1024-byte key limit"), 1n],
  ];
  for (const [key, value, version] of special)
    rows.push({ user_token: 'alice', store_id: 'wallet', key, value, version: version.toString() });
  return rows;
}

const SKIPPED = { 'value is NULL': 1, 'key longer than 1024 bytes of UTF-8': 1 };

async function loadReference(url: string, rows: readonly Row[]): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await migrateToReferenceSchema(c);
  // Inserted in a shuffled order so creation order (sort_order) differs from key order; then
  // some rows are updated, which keeps their sort_order (as the reference's upsert does).
  const shuffled = [...rows].sort(() => Math.random() - 0.5);
  for (let i = 0; i < shuffled.length; i += 100) {
    const part = shuffled.slice(i, i + 100);
    await c.query(
      `INSERT INTO vss_db (user_token, store_id, key, value, version, created_at, last_updated_at)
       SELECT u, s, k, v, n, now(), now() FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::int8[]) WITH ORDINALITY AS x(u, s, k, v, n, i) ORDER BY i`,
      [
        part.map((r) => r.user_token),
        part.map((r) => r.store_id),
        part.map((r) => r.key),
        part.map((r) => r.value),
        part.map((r) => r.version),
      ],
    );
  }
  await c.query("UPDATE vss_db SET value = '\\x0102'::bytea, version = version + 1 WHERE key IN ('k/3', 'k/7') AND version < 100");
  await c.end();
}

async function queryRows(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

let postgres: RunningPostgres;
let sourceUrl: string;
const rows = referenceRows();

beforeAll(async () => {
  postgres = await startPostgres();
  sourceUrl = await postgres.createDatabase('reference');
  await loadReference(sourceUrl, rows);
});
afterAll(async () => {
  await postgres?.stop();
});

describe.each([primaryEngine()])('pg-import / pg-export on $name', (engine) => {
  const rsa = rsaKeyPair();
  const table = `vss-${randomUUID()}`;
  let server: Awaited<ReturnType<typeof startVssOn>>;

  beforeAll(async () => {
    server = await startVssOn(engine, { auth: 'jwt', authOptions: { jwtPublicKeyPem: rsa.spkiPem }, tableName: table, sweepIntervalMs: 0 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function clientFor(user: string): Promise<VssClient> {
    const token = await rs256(rsa.privateKey, { sub: user, exp: Math.floor(Date.now() / 1000) + 3600 });
    return new VssClient({ baseUrl: server.url, headers: { Authorization: `Bearer ${token}` } });
  }

  it('imports every row with its exact version, value, listing order and global version; reports what it skipped', async () => {
    const dry = await runVss(
      ['pg-import', '--postgres', sourceUrl, '--dynamodb-endpoint', engine.endpoint, '--table', table, '--dry-run', '--json', '--quiet'],
      LOCAL_AWS,
    );
    expect(reportOf(dry)).toMatchObject({ dryRun: true, rows: rows.length, written: 0, skippedReasons: SKIPPED });
    expect((await localClient(engine.endpoint).send(new ScanCommand({ TableName: table, Select: 'COUNT' }))).Count).toBe(0);

    const run = await runVss(
      ['pg-import', '--postgres', sourceUrl, '--dynamodb-endpoint', engine.endpoint, '--table', table, '--json', '--quiet', '--verify'],
      LOCAL_AWS,
    );
    const report = reportOf(run);
    // Exit 7: rows were skipped (each reason reported); everything else was imported, and
    // --verify found it all in place.
    expect(run.code, run.stderr).toBe(7);
    expect(report).toMatchObject({
      rows: rows.length,
      users: 3,
      stores: 9,
      skipped: 2,
      skippedReasons: SKIPPED,
      written: rows.length - 2,
      newerInTarget: 0,
    });
    expect(report['globalVersionRecords']).toBe(9);
    expect((report['skippedExamples'] as string[]).join('\n')).toContain(JSON.stringify(['alice', 'wallet', 'value/null']));
    expect(report).toMatchObject({ verified: true, missingInTarget: [], extraInTarget: [], differentInTarget: [] });

    // Through the protocol, per user and store: same keys, versions, values, order, global version.
    const pgRows = await queryRows(
      sourceUrl,
      'SELECT user_token, store_id, key, value, version::text AS version FROM vss_db ORDER BY sort_order DESC',
    );
    for (const user of ['alice', 'bob-🦀', signerUser]) {
      const client = await clientFor(user);
      for (const store of ['', 'wallet', 'other-store']) {
        const expected = pgRows.filter(
          (r) =>
            r['user_token'] === user &&
            r['store_id'] === store &&
            r['key'] !== 'global_version' &&
            r['value'] !== null &&
            r['key'] !== 'é'.repeat(600),
        );
        const listed = await client.listAll(store);
        expect(
          listed.keyVersions.map((k) => k.key),
          `${user}/${store}`,
        ).toEqual(expected.map((r) => r['key']));
        expect(listed.keyVersions.map((k) => k.version.toString())).toEqual(expected.map((r) => r['version']));
        const gv = pgRows.find((r) => r['user_token'] === user && r['store_id'] === store && r['key'] === 'global_version');
        expect(listed.globalVersion.toString()).toBe(gv ? gv['version'] : '0');
        for (const r of expected) {
          const got = (await client.getObject(store, r['key'] as string))!;
          expect(got.version.toString()).toBe(r['version']);
          expect(Buffer.from(got.value).equals(r['value'] as Buffer), r['key'] as string).toBe(true);
        }
      }
    }

    // A re-run writes nothing: every record is already in place.
    const again = await runVss(
      ['pg-import', '--postgres', sourceUrl, '--dynamodb-endpoint', engine.endpoint, '--table', table, '--json', '--quiet'],
      LOCAL_AWS,
    );
    expect(reportOf(again)).toMatchObject({ written: 0, unchanged: rows.length - 2 });
  });

  it('never replaces a record the table holds in a newer version, and picks up changed rows', async () => {
    const alice = await clientFor('alice');
    // The new service already took a write for one key (version 1 → 2 at the protocol's rules).
    const current = (await alice.getObject('wallet', 'k/0'))!;
    await alice.putObjects('wallet', { items: [{ key: 'k/0', version: current.version, value: Buffer.from('newer in DynamoDB') }] });
    // The old server changed another row meanwhile.
    const c = new pg.Client({ connectionString: sourceUrl });
    await c.connect();
    await c.query(
      "UPDATE vss_db SET value = 'changed', version = version + 1 WHERE user_token = 'bob-🦀' AND store_id = '' AND key = 'k/1'",
    );
    await c.query("UPDATE vss_db SET version = version - 1 WHERE user_token = 'alice' AND store_id = 'wallet' AND key = 'k/0'");
    await c.end();
    const run = await runVss(
      ['pg-import', '--postgres', sourceUrl, '--dynamodb-endpoint', engine.endpoint, '--table', table, '--json', '--quiet'],
      LOCAL_AWS,
    );
    expect(reportOf(run)).toMatchObject({ written: 1, newerInTarget: 1 });
    expect(Buffer.from((await alice.getObject('wallet', 'k/0'))!.value).toString()).toBe('newer in DynamoDB');
    expect(Buffer.from((await (await clientFor('bob-🦀')).getObject('', 'k/1'))!.value).toString()).toBe('changed');
    // Bring the source level with the table again, for the tests that follow.
    const newer = (await alice.getObject('wallet', 'k/0'))!;
    await queryRows(
      sourceUrl,
      `UPDATE vss_db SET value = 'newer in DynamoDB', version = ${newer.version} WHERE user_token = 'alice' AND store_id = 'wallet' AND key = 'k/0'`,
    );
  });

  it('pg-export into an empty database creates the reference schema and gives back the same rows', async () => {
    const fresh = `t-${randomUUID().slice(0, 8)}`;
    const targetUrl = await postgres.createDatabase(fresh);
    const run = await runVss(
      ['pg-export', '--dynamodb-endpoint', engine.endpoint, '--table', table, '--postgres', targetUrl, '--json', '--quiet', '--verify'],
      LOCAL_AWS,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(reportOf(run)).toMatchObject({
      records: rows.length - 2,
      written: rows.length - 2,
      skipped: 0,
      verified: true,
      schemaMigrationsApplied: REFERENCE_MIGRATIONS.length,
    });
    expect(await queryRows(targetUrl, 'SELECT db_version FROM vss_db_version')).toEqual([{ db_version: REFERENCE_MIGRATIONS.length }]);

    // Values compare by SHA-256 (a deep comparison of megabyte Buffers is slow in the test runner).
    const cols =
      "user_token, store_id, key, encode(sha256(value), 'hex') AS value, version::text AS version, CASE WHEN key = 'global_version' THEN NULL ELSE sort_order::text END AS sort_order";
    const order = 'ORDER BY user_token, store_id, key';
    const source = await queryRows(
      sourceUrl,
      `SELECT ${cols} FROM vss_db WHERE value IS NOT NULL AND key <> '${'é'.repeat(600)}' ${order}`,
    );
    const target = await queryRows(targetUrl, `SELECT ${cols} FROM vss_db ${order}`);
    expect(target).toEqual(source);
    // New rows the reference server inserts sort after every exported one.
    const seq = await queryRows(
      targetUrl,
      "SELECT nextval(pg_get_serial_sequence('vss_db', 'sort_order'))::text AS n, (SELECT max(sort_order) FROM vss_db)::text AS max",
    );
    expect(BigInt(seq[0]!['n'] as string)).toBeGreaterThan(BigInt(seq[0]!['max'] as string));

    // A second export converges: nothing written.
    const again = await runVss(
      ['pg-export', '--dynamodb-endpoint', engine.endpoint, '--table', table, '--postgres', targetUrl, '--json', '--quiet'],
      LOCAL_AWS,
    );
    expect(reportOf(again)).toMatchObject({ written: 0, unchangedOrNewer: rows.length - 2, schemaMigrationsApplied: 0 });
  });

  it('--verify reports a key deleted at the source since the import; --delete-extra removes it and its chunks', async () => {
    const chunkItems = async () => {
      let n = 0;
      let start: Record<string, AttributeValue> | undefined;
      do {
        const out = await localClient(engine.endpoint).send(
          new ScanCommand({ TableName: table, ConsistentRead: true, ProjectionExpression: 'sk', ExclusiveStartKey: start }),
        );
        n += (out.Items ?? []).filter((i) => i['sk']!.B![0] === 0xfe).length;
        start = out.LastEvaluatedKey;
      } while (start);
      return n;
    };
    const before = await chunkItems();
    const removed = (
      await queryRows(
        sourceUrl,
        "DELETE FROM vss_db WHERE user_token = 'alice' AND store_id = 'wallet' AND key = 'value/3MB' RETURNING value, version::text AS version",
      )
    )[0]!;
    try {
      const args = [
        'pg-import',
        '--postgres',
        sourceUrl,
        '--dynamodb-endpoint',
        engine.endpoint,
        '--table',
        table,
        '--json',
        '--quiet',
        '--verify',
      ];
      const found = await runVss(args, LOCAL_AWS);
      expect(found.code).toBe(6);
      expect(reportOf(found)).toMatchObject({
        verified: false,
        extraInTarget: [JSON.stringify(['alice', 'wallet', 'value/3MB'])],
        missingInTarget: [],
      });
      expect((await runVss([...args.slice(0, -1), '--delete-extra'], LOCAL_AWS)).code).toBe(2); // needs --verify

      const deleted = await runVss([...args, '--delete-extra'], LOCAL_AWS);
      expect(deleted.code, deleted.stdout).toBe(7); // only the two rows skipped from the start remain
      expect(reportOf(deleted)).toMatchObject({ verified: true, deletedExtra: 1, extraChangedMeanwhile: 0 });
      expect(await (await clientFor('alice')).getObject('wallet', 'value/3MB')).toBeUndefined();
      expect(await chunkItems()).toBe(before - 8); // 3 MB = 8 chunks of 400 KB
    } finally {
      await queryRows(
        sourceUrl,
        `INSERT INTO vss_db (user_token, store_id, key, value, version) VALUES ('alice', 'wallet', 'value/3MB', '\\x${(removed['value'] as Buffer).toString('hex')}'::bytea, ${removed['version']})`,
      );
    }
  });

  it('an import killed midway and run again ends identical to an uninterrupted one', async () => {
    const bulkDb = await postgres.createDatabase(`bulk-${randomUUID().slice(0, 8)}`);
    const bulk: Row[] = [];
    for (let i = 0; i < 600; i++)
      bulk.push({
        user_token: `u${i % 7}`,
        store_id: `s${i % 3}`,
        key: `key/${i}`,
        value: randomBytes(i % 500),
        version: String(1 + (i % 9)),
      });
    bulk.push({ user_token: 'u0', store_id: 's0', key: 'big', value: randomBytes(900_000), version: '3' });
    await loadReference(bulkDb, bulk);
    const interrupted = `vss-${randomUUID()}`;
    const reference = `vss-${randomUUID()}`;
    const dynamo = localClient(engine.endpoint);
    await ensureTable(dynamo, interrupted);
    await ensureTable(dynamo, reference);

    const child = spawnVss(
      ['pg-import', '--postgres', bulkDb, '--dynamodb-endpoint', engine.endpoint, '--table', interrupted, '--concurrency', '1', '--quiet'],
      LOCAL_AWS,
    );
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
    for (;;) {
      const n = (await dynamo.send(new ScanCommand({ TableName: interrupted, Select: 'COUNT' }))).Count ?? 0;
      if (n >= 50) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const partial = (await dynamo.send(new ScanCommand({ TableName: interrupted, Select: 'COUNT' }))).Count ?? 0;
    expect(partial).toBeLessThan(bulk.length);

    const resumed = await runVss(
      ['pg-import', '--postgres', bulkDb, '--dynamodb-endpoint', engine.endpoint, '--table', interrupted, '--json', '--quiet', '--verify'],
      LOCAL_AWS,
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(reportOf(resumed)).toMatchObject({ rows: bulk.length, verified: true });
    expect((reportOf(resumed)['unchanged'] as number) > 0).toBe(true);
    const straight = await runVss(
      ['pg-import', '--postgres', bulkDb, '--dynamodb-endpoint', engine.endpoint, '--table', reference, '--json', '--quiet'],
      LOCAL_AWS,
    );
    expect(straight.code, straight.stderr).toBe(0);

    // Same head records in both tables (chunk ids are random, so large values compare by content
    // through the verify above; heads compare by key, version, creation position, inline value).
    const heads = async (t: string) => {
      const out: string[] = [];
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await dynamo.send(new ScanCommand({ TableName: t, ExclusiveStartKey: start, ConsistentRead: true }));
        for (const item of page.Items ?? []) {
          if (!item['ver']) continue;
          out.push(
            JSON.stringify([
              item['pk']!.S,
              Buffer.from(item['sk']!.B!).toString('hex'),
              item['ver'].N,
              item['seq']?.N,
              item['val'] ? Buffer.from(item['val'].B!).toString('base64') : `lv:${item['lv']!.M!['len']!.N}`,
            ]),
          );
        }
        start = page.LastEvaluatedKey;
      } while (start);
      return out.sort();
    };
    expect(await heads(interrupted)).toEqual(await heads(reference));
  });
});
