/**
 * `vss pg-import`: every row of the reference server's PostgreSQL `vss_db` into this project's
 * DynamoDB table, with exact versions and the reference's creation order (docs/migration.md).
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { MAX_KEY_BYTES } from '../../lambda/core/limits.js';
import { partitionKeyOf, sortKeyLength } from '../../lambda/store/keys.js';
import { CliError, usageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { forEachConcurrent } from '../ordered.js';
import { Comparer, comparisonReport } from '../pg/compare.js';
import { openSnapshot, type SourceRow } from '../pg/pg-source.js';
import { bulkClient, bulkTable } from '../table/bulk-table.js';
import { bulkObjectOptions } from '../table/object-store-options.js';
import { deleteRecord, seqFor, writeRecord, type SeqRecord } from '../table/records.js';
import { scanRecords } from '../table/scan.js';
import { startProgress } from '../progress.js';
import { elapsedSeconds, printReport, redactUrl } from '../report.js';
import { addPgOptions, endpointOf, postgresUrl, type PgCommonOptions } from './pg-common.js';

interface PgImportOptions extends PgCommonOptions {
  dryRun?: boolean;
  deleteExtra?: boolean;
  nullValues: 'skip' | 'empty';
}

/** Why a row cannot be imported, or undefined when it can. */
export function rejectReason(row: SourceRow, nullValues: 'skip' | 'empty'): string | undefined {
  if (row.value === null && nullValues === 'skip') return 'value is NULL';
  if (sortKeyLength(row.key) > MAX_KEY_BYTES) return `key longer than ${MAX_KEY_BYTES} bytes of UTF-8`;
  return undefined;
}

export function registerPgImport(program: Command): void {
  const cmd = program
    .command('pg-import')
    .description("import every user's stores from the reference server's PostgreSQL into this project's DynamoDB table")
    .option('--dry-run', 'read and check every row, write nothing')
    .option(
      '--delete-extra',
      'with --verify: delete records the table holds but PostgreSQL no longer does (keys deleted on the old server since an earlier run). Only for the final run of a cut-over, before wallets use the table',
    )
    .addOption(
      new Option(
        '--null-values <policy>',
        'rows whose value is NULL (the reference cannot serve them): skip (reported), or empty (import an empty value)',
      )
        .choices(['skip', 'empty'])
        .default('skip'),
    );
  addPgOptions(cmd);
  cmd.action(async (opts: PgImportOptions) => {
    const started = Date.now();
    if (opts.deleteExtra && (!opts.verify || opts.dryRun))
      throw usageError('--delete-extra needs --verify (it deletes what the verification finds extra) and no --dry-run');
    const pgUrl = postgresUrl(opts);
    const client = bulkClient(endpointOf(opts), opts.region);
    const table = bulkTable(client, opts.table, bulkObjectOptions(opts));
    const snapshot = await openSnapshot(pgUrl);
    const progress = startProgress({ label: opts.dryRun ? 'pg-import (dry run)' : 'pg-import', total: snapshot.rows, quiet: !!opts.quiet });
    const users = new Set<string>();
    const stores = new Set<string>();
    const counts = {
      rows: 0,
      keys: 0,
      bytes: 0,
      written: 0,
      unchanged: 0,
      newerInTarget: 0,
      globalVersionRecords: 0,
      deletedExtra: 0,
      extraChanged: 0,
    };
    const skipped = new Map<string, number>();
    const skippedExamples: string[] = [];
    const comparer = opts.verify ? new Comparer() : undefined;
    try {
      async function* accepted(): AsyncGenerator<SeqRecord> {
        for await (const row of snapshot.read()) {
          counts.rows++;
          const reason = rejectReason(row, opts.nullValues);
          // --verify checks what was to be imported; skipped rows are reported on their own.
          if (!reason) comparer?.addSource({ ...row, order: row.sortOrder });
          if (reason) {
            skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
            if (skippedExamples.length < 20) skippedExamples.push(`${JSON.stringify([row.userToken, row.storeId, row.key])}: ${reason}`);
            progress.add(1, 0);
            continue;
          }
          users.add(row.userToken);
          stores.add(partitionKeyOf(row));
          if (row.key === 'global_version') counts.globalVersionRecords++;
          else counts.keys++;
          yield {
            userToken: row.userToken,
            storeId: row.storeId,
            key: row.key,
            version: row.version,
            seq: seqFor(row.key, row.sortOrder),
            value: row.value ?? new Uint8Array(0),
          };
        }
      }
      await forEachConcurrent(accepted(), opts.dryRun ? 1 : opts.concurrency, async (r) => {
        counts.bytes += r.value.length;
        if (!opts.dryRun) counts[await writeRecordOutcome(r)]++;
        progress.add(1, r.value.length);
      });
    } finally {
      progress.stop();
      await snapshot.close();
    }

    async function writeRecordOutcome(r: SeqRecord): Promise<'written' | 'unchanged' | 'newerInTarget'> {
      const outcome = await writeRecord(table, r);
      return outcome === 'newer' ? 'newerInTarget' : outcome;
    }

    let verified: ReturnType<Comparer['result']> | undefined;
    if (comparer && !opts.dryRun) {
      const check = startProgress({ label: 'verify', total: counts.rows, quiet: !!opts.quiet });
      // Extra records are deleted after the Scan: deleting the item a Scan page ended on can make
      // an engine resume the next page at the wrong place (seen on Dynoxide).
      const extra: SeqRecord[] = [];
      for await (const r of scanRecords(table, Math.min(8, opts.concurrency))) {
        if (!comparer.addTarget({ ...r, order: r.seq }) && opts.deleteExtra) extra.push({ ...r, value: new Uint8Array(0) });
        check.add(1, r.value.length);
      }
      check.stop();
      await forEachConcurrent(extra, opts.concurrency, async (r) => {
        if (await deleteRecord(table, r)) counts.deletedExtra++;
        else counts.extraChanged++;
      });
      verified = comparer.result();
    }
    const seconds = elapsedSeconds(started);
    const skippedTotal = [...skipped.values()].reduce((a, b) => a + b, 0);
    printReport(
      {
        command: 'pg-import',
        dryRun: !!opts.dryRun,
        rows: counts.rows,
        users: users.size,
        stores: stores.size,
        keys: counts.keys,
        globalVersionRecords: counts.globalVersionRecords,
        bytes: counts.bytes,
        written: counts.written,
        unchanged: counts.unchanged,
        newerInTarget: counts.newerInTarget,
        skipped: skippedTotal,
        seconds,
        rowsPerSecond: Math.round(counts.rows / Math.max(seconds, 0.01)),
        requests: table.usage.requests,
        capacityUnits: Math.round(table.usage.capacityUnits),
        retries: table.usage.retries,
        source: redactUrl(pgUrl),
        table: opts.table,
        skippedReasons: Object.fromEntries(skipped),
        skippedExamples,
        ...(verified ? comparisonReport(verified, counts.deletedExtra) : {}),
        ...(opts.deleteExtra ? { deletedExtra: counts.deletedExtra, extraChangedMeanwhile: counts.extraChanged } : {}),
      },
      { json: !!opts.json },
    );
    // Extra records that --delete-extra removed are resolved; anything else is a difference.
    if (verified && !comparisonReport(verified, counts.deletedExtra)['verified']) {
      throw new CliError('verification found differences between PostgreSQL and the table (listed in the report)', EXIT.verifyMismatch);
    }
    if (skippedTotal > 0)
      throw new CliError(`${skippedTotal} rows were not imported (reasons in the report); everything else was`, EXIT.incomplete);
  });
}
