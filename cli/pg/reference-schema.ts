/**
 * The reference server's (vss-server, PostgreSQL backend) schema, as its own migrations build it.
 *
 * The reference keeps an append-only list of migration statements and records in `vss_db_version`
 * how many it applied; at start-up it applies the rest. `vss pg-export` creates the schema the
 * same way (same statements, same order, same bookkeeping), so the reference server later finds
 * its schema up to date and serves the data. The list must match the reference's, entry for
 * entry: its length is the schema version the reference expects.
 */
import type pg from 'pg';

export const REFERENCE_MIGRATIONS: readonly string[] = [
  'CREATE TABLE vss_db_version (db_version INTEGER);',
  'INSERT INTO vss_db_version VALUES(1);',
  'CREATE TABLE vss_db_upgrades (upgrade_from INTEGER);',
  `CREATE TABLE IF NOT EXISTS vss_db (
    user_token character varying(120) NOT NULL CHECK (user_token <> ''),
    store_id character varying(120) NOT NULL,
    key character varying(600) NOT NULL,
    value bytea NULL,
    version bigint NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE,
    last_updated_at TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (user_token, store_id, key)
  );`,
  'ALTER TABLE vss_db DROP CONSTRAINT IF EXISTS vss_db_store_id_check;',
  'ALTER TABLE vss_db ADD COLUMN IF NOT EXISTS sort_order BIGSERIAL NOT NULL UNIQUE;',
  'CREATE INDEX IF NOT EXISTS idx_vss_db_sort_order ON vss_db (user_token, store_id, sort_order DESC) INCLUDE (key, version);',
];

/** The reference's limits on what a row can hold (its column types). */
export const REFERENCE_LIMITS = { userTokenChars: 120, storeIdChars: 120, keyChars: 600 } as const;

/**
 * Brings a database to the reference schema exactly as the reference server's start-up does:
 * reads the applied count (0 when vss_db_version does not exist), applies the rest in one
 * transaction, logs it and records the new count. Returns how many statements it applied.
 */
export async function migrateToReferenceSchema(client: pg.ClientBase): Promise<number> {
  let start = 0;
  try {
    start = (await client.query<{ db_version: number }>('SELECT db_version FROM vss_db_version')).rows[0]?.db_version ?? 0;
  } catch (e) {
    if ((e as { code?: string }).code !== '42P01') throw e; // undefined_table: a fresh database
  }
  if (start > REFERENCE_MIGRATIONS.length)
    throw new Error(`the database schema (version ${start}) is newer than this tool knows (${REFERENCE_MIGRATIONS.length})`);
  if (start === REFERENCE_MIGRATIONS.length) return 0;
  await client.query('BEGIN');
  try {
    for (const stmt of REFERENCE_MIGRATIONS.slice(start)) await client.query(stmt);
    await client.query('INSERT INTO vss_db_upgrades VALUES($1)', [start]);
    await client.query('UPDATE vss_db_version SET db_version=$1', [REFERENCE_MIGRATIONS.length]);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK');
    throw e;
  }
  return REFERENCE_MIGRATIONS.length - start;
}
