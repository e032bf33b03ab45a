/**
 * `vss pg-export`: every record of this project's DynamoDB table into a PostgreSQL database with
 * the reference server's schema (created with the reference's migrations when missing), so the
 * reference server can serve the data again (docs/migration.md, "Moving back").
 */
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { positiveInt } from '../options.js';
import { Comparer, comparisonReport } from '../pg/compare.js';
import { openSnapshot, connect } from '../pg/pg-source.js';
import { PgSink, rowRejectReason } from '../pg/pg-sink.js';
import { migrateToReferenceSchema } from '../pg/reference-schema.js';
import { bulkClient, bulkTable } from '../table/bulk-table.js';
import { bulkObjectOptions } from '../table/object-store-options.js';
import { scanRecords } from '../table/scan.js';
import { startProgress } from '../progress.js';
import { elapsedSeconds, printReport, redactUrl } from '../report.js';
import { addPgOptions, endpointOf, postgresUrl, type PgCommonOptions } from './pg-common.js';

interface PgExportOptions extends PgCommonOptions {
  segments: number;
}

export function registerPgExport(program: Command): void {
  const cmd = program
    .command('pg-export')
    .description("export every record of this project's DynamoDB table into PostgreSQL with the reference server's schema")
    .option('--segments <n>', 'parallel Scan segments', positiveInt('--segments'), 4);
  addPgOptions(cmd);
  cmd.action(async (opts: PgExportOptions) => {
    const started = Date.now();
    const pgUrl = postgresUrl(opts);
    const table = bulkTable(bulkClient(endpointOf(opts), opts.region), opts.table, bulkObjectOptions(opts));
    const pg = await connect(pgUrl);
    const comparer = opts.verify ? new Comparer() : undefined;
    const progress = startProgress({ label: 'pg-export', quiet: !!opts.quiet });
    const counts = { records: 0, bytes: 0, users: new Set<string>(), stores: new Set<string>() };
    const skipped = new Map<string, number>();
    const skippedExamples: string[] = [];
    let sink: PgSink;
    let migrations: number;
    try {
      migrations = await migrateToReferenceSchema(pg);
      sink = new PgSink(pg);
      for await (const r of scanRecords(table, opts.segments)) {
        counts.records++;
        const reason = rowRejectReason(r);
        // --verify checks what was to be exported; skipped records are reported on their own.
        if (!reason) comparer?.addSource({ ...r, order: r.seq });
        if (reason) {
          skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
          if (skippedExamples.length < 20) skippedExamples.push(`${JSON.stringify([r.userToken, r.storeId, r.key])}: ${reason}`);
          continue;
        }
        counts.users.add(r.userToken);
        counts.stores.add(JSON.stringify([r.userToken, r.storeId]));
        counts.bytes += r.value.length;
        await sink.add(r);
        progress.add(1, r.value.length);
      }
      await sink.finish();
    } finally {
      progress.stop();
      await pg.end();
    }

    let verified: ReturnType<Comparer['result']> | undefined;
    if (comparer) {
      const snapshot = await openSnapshot(pgUrl);
      try {
        for await (const row of snapshot.read()) comparer.addTarget({ ...row, order: row.sortOrder });
      } finally {
        await snapshot.close();
      }
      verified = comparer.result();
    }
    const seconds = elapsedSeconds(started);
    const skippedTotal = [...skipped.values()].reduce((a, b) => a + b, 0);
    printReport(
      {
        command: 'pg-export',
        records: counts.records,
        users: counts.users.size,
        stores: counts.stores.size,
        bytes: counts.bytes,
        written: sink.stats.written,
        unchangedOrNewer: sink.stats.notWritten,
        sortOrderReassigned: sink.stats.sortOrderReassigned,
        skipped: skippedTotal,
        seconds,
        recordsPerSecond: Math.round(counts.records / Math.max(seconds, 0.01)),
        schemaMigrationsApplied: migrations,
        table: opts.table,
        target: redactUrl(pgUrl),
        skippedReasons: Object.fromEntries(skipped),
        skippedExamples,
        ...(verified ? comparisonReport(verified) : {}),
      },
      { json: !!opts.json },
    );
    if (verified && !comparisonReport(verified)['verified']) {
      throw new CliError('verification found differences between the table and PostgreSQL (listed in the report)', EXIT.verifyMismatch);
    }
    if (skippedTotal > 0)
      throw new CliError(`${skippedTotal} records were not exported (reasons in the report); everything else was`, EXIT.incomplete);
  });
}
