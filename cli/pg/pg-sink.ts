/**
 * Writes records into the reference server's `vss_db` table, in batches of one statement each
 * (unnest of column arrays), idempotently: an existing row is replaced only by a newer version
 * or by different contents at the same version, never by an older one. `sort_order` is the
 * record's creation position, so the reference lists keys in the same order as this service.
 * Memory: one batch, plus the global-version records (one small record per store).
 */
import type pg from 'pg';
import { GLOBAL_VERSION_KEY, INT64_MAX } from '../../lambda/core/limits.js';
import { REFERENCE_LIMITS } from './reference-schema.js';
import type { TableRecord } from '../table/scan.js';

const BATCH_ROWS = 200;
const BATCH_BYTES = 8_000_000;

const UPSERT = `
  INSERT INTO vss_db (user_token, store_id, key, value, version, created_at, last_updated_at, sort_order)
  SELECT u.user_token, u.store_id, u.key, u.value, u.version, now(), now(),
         coalesce(u.sort_order, nextval(pg_get_serial_sequence('vss_db', 'sort_order')))
    FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::int8[], $6::int8[])
      AS u(user_token, store_id, key, value, version, sort_order)
  ON CONFLICT (user_token, store_id, key) DO UPDATE
     SET value = EXCLUDED.value, version = EXCLUDED.version, last_updated_at = EXCLUDED.last_updated_at,
         sort_order = CASE WHEN vss_db.key = '${GLOBAL_VERSION_KEY}' THEN vss_db.sort_order ELSE EXCLUDED.sort_order END
   WHERE vss_db.version < EXCLUDED.version
      OR (vss_db.version = EXCLUDED.version AND (vss_db.value IS DISTINCT FROM EXCLUDED.value
          OR (vss_db.key <> '${GLOBAL_VERSION_KEY}' AND vss_db.sort_order <> EXCLUDED.sort_order)))`;

/** Why the reference's schema cannot hold a record, or undefined when it can. */
export function rowRejectReason(r: TableRecord): string | undefined {
  if (r.userToken === '') return 'empty user token';
  if ([...r.userToken].length > REFERENCE_LIMITS.userTokenChars)
    return `user token longer than ${REFERENCE_LIMITS.userTokenChars} characters`;
  if ([...r.storeId].length > REFERENCE_LIMITS.storeIdChars) return `store_id longer than ${REFERENCE_LIMITS.storeIdChars} characters`;
  if ([...r.key].length > REFERENCE_LIMITS.keyChars) return `key longer than ${REFERENCE_LIMITS.keyChars} characters`;
  if ((r.userToken + r.storeId + r.key).includes('\u0000')) return 'contains a NUL character (PostgreSQL text cannot)';
  if (r.key !== GLOBAL_VERSION_KEY && (r.seq < 1n || r.seq > INT64_MAX)) return 'creation position outside bigint';
  return undefined;
}

export interface SinkStats {
  written: number;
  notWritten: number;
  sortOrderReassigned: number;
}

export class PgSink {
  private batch: TableRecord[] = [];
  private bytes = 0;
  readonly stats: SinkStats = { written: 0, notWritten: 0, sortOrderReassigned: 0 };

  constructor(private readonly client: pg.ClientBase) {}

  /**
   * Records that take the next free sort_order (global-version records, whose position is not a
   * creation position, and the rare clashing record): written last, after the sequence has been
   * moved past every explicit position, so they cannot clash again.
   */
  private readonly deferred: TableRecord[] = [];

  async add(r: TableRecord): Promise<void> {
    if (r.key === GLOBAL_VERSION_KEY) {
      this.deferred.push(r);
      return;
    }
    if (this.batch.length >= BATCH_ROWS || (this.batch.length > 0 && this.bytes + r.value.length > BATCH_BYTES)) await this.flush();
    this.batch.push(r);
    this.bytes += r.value.length;
  }

  async flush(): Promise<void> {
    const rows = this.batch;
    this.batch = [];
    this.bytes = 0;
    if (rows.length === 0) return;
    try {
      this.count(rows.length, await this.upsert(rows, false));
    } catch (e) {
      if (!isSortOrderClash(e)) throw e;
      // Two records of different stores share a creation position (possible across writers):
      // write one at a time, and give a clashing one the next free position.
      for (const r of rows) {
        try {
          this.count(1, await this.upsert([r], false));
        } catch (e2) {
          if (!isSortOrderClash(e2)) throw e2;
          this.deferred.push(r);
          this.stats.sortOrderReassigned++;
        }
      }
    }
  }

  /** After the last record: later inserts by the reference server must sort after every row. */
  async finish(): Promise<void> {
    await this.flush();
    await this.client.query(
      "SELECT setval(pg_get_serial_sequence('vss_db', 'sort_order'), greatest((SELECT max(sort_order) FROM vss_db), 1))",
    );
    for (let i = 0; i < this.deferred.length; i += BATCH_ROWS) {
      const rows = this.deferred.slice(i, i + BATCH_ROWS);
      this.count(rows.length, await this.upsert(rows, true));
    }
  }

  private count(rows: number, written: number): void {
    this.stats.written += written;
    this.stats.notWritten += rows - written;
  }

  private async upsert(rows: TableRecord[], freshSortOrder: boolean): Promise<number> {
    const res = await this.client.query(UPSERT, [
      rows.map((r) => r.userToken),
      rows.map((r) => r.storeId),
      rows.map((r) => r.key),
      rows.map((r) => Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength)),
      rows.map((r) => r.version.toString()),
      rows.map((r) => (freshSortOrder ? null : r.seq.toString())),
    ]);
    return res.rowCount ?? 0;
  }
}

function isSortOrderClash(e: unknown): boolean {
  const err = e as { code?: string; constraint?: string };
  return err.code === '23505' && (err.constraint ?? '').includes('sort_order');
}
