/** `vss import`: an archive file into one store, over the protocol. */
import type { Command } from 'commander';
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { isHeader, readArchive, type ArchiveHeader, type ArchiveItem } from '../archive.js';
import { usageError } from '../errors.js';
import { addAuthOptions, addOutputOptions, authFrom, requireUrl } from '../options.js';
import { startProgress } from '../progress.js';
import { elapsedSeconds, printReport } from '../report.js';
import { planImport, refuseConflicts } from '../store-io.js';
import {
  addConflictOptions,
  clientFor,
  failIfUnverified,
  verifyReport,
  writeAndVerify,
  writeReport,
  type ConflictOptions,
} from './store-common.js';

interface ImportOptions extends ConflictOptions {
  url: string;
  storeId: string;
  in: string;
  verify?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** The archive's items; its header goes to `onHeader`. Throws ArchiveError on any damage. */
export async function* archiveItems(path: string, onHeader: (h: ArchiveHeader) => void = () => undefined): AsyncGenerator<ArchiveItem> {
  for await (const x of readArchive(createReadStream(path, { highWaterMark: 1 << 20 }))) {
    if (isHeader(x)) onHeader(x);
    else yield x;
  }
}

export function registerImport(program: Command): void {
  const cmd = program
    .command('import')
    .description('write an archive into one store: verified first, oldest-created first, resumable')
    .requiredOption('--url <url>', "the target server's base URL, ending in /vss")
    .requiredOption('--store-id <id>', "the store to write (may differ from the archive's)")
    .requiredOption('--in <file>', 'archive to read (a file: it is read twice, to verify before writing)')
    .option('--verify', 're-read the target afterwards and compare every key and value');
  addConflictOptions(cmd);
  addAuthOptions(cmd);
  addOutputOptions(cmd);
  cmd.action(async (opts: ImportOptions & Record<string, unknown>) => {
    const started = Date.now();
    if (opts.in === '-') throw usageError('--in must be a file: the archive is verified completely before anything is written');
    await access(opts.in).catch(() => {
      throw usageError(`--in ${opts.in}: no such readable file`);
    });
    const client = clientFor(requireUrl('--url', opts.url), authFrom(opts), !!opts.quiet);
    const listed = await client.listAll(opts.storeId);
    const target = new Map(listed.keyVersions.map((k) => [k.key, k.version]));

    // Pass 1: the whole archive is read and its checksum verified before anything is written;
    // on the way, keys the target already holds are compared with it.
    let header: ArchiveHeader | undefined;
    const check = startProgress({ label: 'verify archive', quiet: !!opts.quiet });
    async function* shared(): AsyncGenerator<ArchiveItem> {
      for await (const item of archiveItems(opts.in, (h) => {
        header = h;
        check.setTotal(h.itemCount);
      })) {
        check.add(1, item.value.length);
        if (target.has(item.key)) yield item;
      }
    }
    let plan: Awaited<ReturnType<typeof planImport>>;
    try {
      plan = await planImport(client, opts.storeId, shared(), target);
    } finally {
      check.stop();
    }
    refuseConflicts(plan, opts.onConflict);

    // Pass 2: write, oldest-created first.
    const { stats, verified } = await writeAndVerify('import', header!.itemCount, client, opts.storeId, archiveItems(opts.in), plan, opts);
    printReport(
      {
        command: 'import',
        ...writeReport(stats),
        seconds: elapsedSeconds(started),
        storeId: opts.storeId,
        sourceGlobalVersion: header!.globalVersion,
        targetGlobalVersion: listed.globalVersion.toString(),
        ...(verified ? verifyReport(verified) : {}),
      },
      { json: !!opts.json },
    );
    failIfUnverified(verified);
  });
}
