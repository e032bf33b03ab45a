/** `vss export`: one store, over the protocol, into an archive file (or stdout). */
import type { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { ArchiveWriter } from '../archive.js';
import { cliIo } from '../io.js';
import { addAuthOptions, addOutputOptions, authFrom, positiveInt, requireUrl } from '../options.js';
import { startProgress } from '../progress.js';
import { elapsedSeconds, printReport, redactUrl } from '../report.js';
import { listStore, readValues } from '../store-io.js';
import { clientFor } from './store-common.js';

interface ExportOptions {
  url: string;
  storeId: string;
  out: string;
  concurrency: number;
  json?: boolean;
  quiet?: boolean;
}

export function registerExport(program: Command): void {
  const cmd = program
    .command('export')
    .description('write every key, value and version of one store to an archive file (docs/archive-format.md)')
    .requiredOption('--url <url>', "the server's base URL, ending in /vss")
    .requiredOption('--store-id <id>', 'the store to export (may be empty: --store-id "")')
    .requiredOption('--out <file>', 'archive to write; - for stdout')
    .option('--concurrency <n>', 'GetObject requests in flight', positiveInt('--concurrency'), 8);
  addAuthOptions(cmd);
  addOutputOptions(cmd);
  cmd.action(async (opts: ExportOptions & Record<string, unknown>) => {
    const started = Date.now();
    const toStdout = opts.out === '-';
    const client = clientFor(requireUrl('--url', opts.url), authFrom(opts), !!opts.quiet);
    const snapshot = await listStore(client, opts.storeId);
    // A file is written under a temporary name and renamed when complete: a failed export never
    // leaves a file that looks finished.
    const partial = `${opts.out}.partial`;
    const out: Writable = toStdout ? cliIo().stdout : createWriteStream(partial);
    // Write errors surface through the writer (out.errored) and `finished`, not as a crash.
    out.on('error', () => undefined);
    const progress = startProgress({ label: 'export', total: snapshot.keys.length, quiet: !!opts.quiet });
    try {
      const writer = new ArchiveWriter(out);
      await writer.writeHeader({
        source: redactUrl(opts.url),
        storeId: opts.storeId,
        createdAt: new Date(started).toISOString(),
        globalVersion: snapshot.globalVersion.toString(),
        itemCount: snapshot.keys.length,
      });
      for await (const item of readValues(client, opts.storeId, snapshot.keys, opts.concurrency)) {
        await writer.writeItem(item);
        progress.add(1, item.value.length);
      }
      const done = await writer.finish();
      progress.stop();
      if (!toStdout) {
        out.end();
        await finished(out);
        await rename(partial, opts.out);
      }
      printReport(
        {
          command: 'export',
          keys: done.items,
          bytes: done.valueBytes,
          globalVersion: snapshot.globalVersion.toString(),
          seconds: elapsedSeconds(started),
          storeId: opts.storeId,
          out: opts.out,
          sha256: done.sha256,
        },
        { json: !!opts.json, stdoutIsData: toStdout },
      );
    } catch (e) {
      progress.stop();
      if (!toStdout) {
        out.destroy();
        await rm(partial, { force: true });
      }
      throw e;
    }
  });
}
