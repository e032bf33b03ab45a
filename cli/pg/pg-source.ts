/**
 * Reads the reference server's `vss_db` table as one consistent snapshot, streamed: a
 * server-side cursor (REPEATABLE READ, read-only) fetches rows in small batches; values above
 * a threshold are fetched one by one on a second connection that shares the snapshot
 * (pg_export_snapshot), so memory holds a few rows at a time whatever the values' sizes.
 * The old server may keep serving meanwhile: the snapshot is what it held when the read began.
 */
import pg from 'pg';
import Cursor from 'pg-cursor';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';

// int8 columns arrive as decimal strings (exact); bytea as Buffers.
export interface SourceRow {
  readonly userToken: string;
  readonly storeId: string;
  readonly key: string;
  readonly version: bigint;
  readonly sortOrder: bigint;
  /** null for a NULL value. */
  readonly value: Buffer | null;
}

const CURSOR_ROWS = 200;
/** Values up to this size come with the cursor's rows; larger ones are fetched one at a time. */
const INLINE_VALUE_BYTES = 65_536;

export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (e) {
    throw new CliError(`cannot connect to PostgreSQL (${(e as Error).message}); check --postgres / VSS_POSTGRES_URL`, EXIT.remote);
  }
  return client;
}

export interface PgSnapshot {
  readonly rows: number;
  readonly valueBytes: number;
  read(): AsyncGenerator<SourceRow>;
  close(): Promise<void>;
}

export async function openSnapshot(url: string): Promise<PgSnapshot> {
  const main = await connect(url);
  const side = await connect(url);
  try {
    await main.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const columns = await main.query<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'vss_db'",
    );
    const names = new Set(columns.rows.map((r) => r.column_name));
    if (names.size === 0)
      throw new CliError("the database has no vss_db table: is --postgres the reference server's database?", EXIT.usage);
    if (!names.has('sort_order')) {
      throw new CliError(
        'vss_db has no sort_order column (an old reference schema): start the reference server once so that it applies its migrations, then run again',
        EXIT.usage,
      );
    }
    const snapshotId = (await main.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0]!.id;
    await side.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await side.query(`SET TRANSACTION SNAPSHOT '${snapshotId.replace(/'/g, "''")}'`);
    const totals = (
      await main.query<{ n: string; bytes: string }>('SELECT count(*) AS n, coalesce(sum(octet_length(value)), 0) AS bytes FROM vss_db')
    ).rows[0]!;
    return {
      rows: Number(totals.n),
      valueBytes: Number(totals.bytes),
      async *read() {
        const cursor = main.query(
          new Cursor(
            `SELECT user_token, store_id, key, version::text AS version, sort_order::text AS sort_order, value IS NULL AS value_null,
                    CASE WHEN octet_length(value) <= ${INLINE_VALUE_BYTES} THEN value END AS value
               FROM vss_db`,
          ),
        );
        try {
          for (;;) {
            const rows = await cursor.read(CURSOR_ROWS);
            if (rows.length === 0) break;
            for (const r of rows) {
              let value: Buffer | null = r.value;
              if (value === null && !r.value_null) {
                const big = await side.query('SELECT value FROM vss_db WHERE user_token = $1 AND store_id = $2 AND key = $3', [
                  r.user_token,
                  r.store_id,
                  r.key,
                ]);
                value = big.rows[0].value as Buffer;
              }
              yield {
                userToken: r.user_token,
                storeId: r.store_id,
                key: r.key,
                version: BigInt(r.version),
                sortOrder: BigInt(r.sort_order),
                value,
              };
            }
          }
        } finally {
          await cursor.close();
        }
      },
      async close() {
        await Promise.allSettled([main.query('ROLLBACK'), side.query('ROLLBACK')]);
        await Promise.allSettled([main.end(), side.end()]);
      },
    };
  } catch (e) {
    await Promise.allSettled([main.end(), side.end()]);
    throw e;
  }
}
