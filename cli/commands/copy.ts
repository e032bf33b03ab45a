/** `vss copy`: one store from one server to another, streamed (no temporary file). */
import type { Command } from 'commander';
import { addAuthOptions, addOutputOptions, authFrom, requireUrl } from '../options.js';
import { elapsedSeconds, printReport } from '../report.js';
import { listStore, planImport, readValues, refuseConflicts } from '../store-io.js';
import {
  addConflictOptions,
  clientFor,
  failIfUnverified,
  verifyReport,
  writeAndVerify,
  writeReport,
  type ConflictOptions,
} from './store-common.js';

interface CopyOptions extends ConflictOptions {
  from: string;
  to: string;
  storeId: string;
  toStoreId?: string;
  verify?: boolean;
  json?: boolean;
  quiet?: boolean;
}

export function registerCopy(program: Command): void {
  const cmd = program
    .command('copy')
    .description('copy one store between two VSS servers (export piped into import, no temporary file)')
    .requiredOption('--from <url>', "the source server's base URL, ending in /vss")
    .requiredOption('--to <url>', "the target server's base URL, ending in /vss")
    .requiredOption('--store-id <id>', 'the store to copy')
    .option('--to-store-id <id>', 'the store to write in the target (default: the same id)')
    .option('--verify', 're-read the target afterwards and compare every key and value');
  addConflictOptions(cmd);
  addAuthOptions(cmd, 'from');
  addAuthOptions(cmd, 'to');
  addOutputOptions(cmd);
  cmd.action(async (opts: CopyOptions & Record<string, unknown>) => {
    const started = Date.now();
    const quiet = !!opts.quiet;
    const source = clientFor(requireUrl('--from', opts.from), authFrom(opts, 'from'), quiet);
    const target = clientFor(requireUrl('--to', opts.to), authFrom(opts, 'to'), quiet);
    const targetStore = opts.toStoreId ?? opts.storeId;

    const snapshot = await listStore(source, opts.storeId);
    const listed = await target.listAll(targetStore);
    const targetVersions = new Map(listed.keyVersions.map((k) => [k.key, k.version]));
    // Keys both sides hold are compared before anything is written (a re-run, or a prior copy).
    const shared = snapshot.keys.filter((k) => targetVersions.has(k.key));
    const plan = await planImport(target, targetStore, readValues(source, opts.storeId, shared), targetVersions);
    refuseConflicts(plan, opts.onConflict);

    const { stats, verified } = await writeAndVerify(
      'copy',
      snapshot.keys.length,
      target,
      targetStore,
      readValues(source, opts.storeId, snapshot.keys),
      plan,
      opts,
    );
    printReport(
      {
        command: 'copy',
        ...writeReport(stats),
        seconds: elapsedSeconds(started),
        storeId: opts.storeId,
        toStoreId: targetStore,
        sourceGlobalVersion: snapshot.globalVersion.toString(),
        targetGlobalVersion: listed.globalVersion.toString(),
        ...(verified ? verifyReport(verified) : {}),
      },
      { json: !!opts.json },
    );
    failIfUnverified(verified);
  });
}
