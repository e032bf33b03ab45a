/** Pieces shared by export, import and copy. */
import { Option, type Command } from 'commander';
import { VssClient } from '../../client/vss-client.js';
import type { AuthOptions } from '../../client/auth.js';
import { CliError, usageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { cliIo } from '../io.js';
import type { Report } from '../report.js';
import type { KeyValue, VssClient as Client } from '../../client/vss-client.js';
import { startProgress } from '../progress.js';
import { digestOf, verifyTarget, writeItems, type ImportPlan, type OnConflict, type VerifyResult, type WriteStats } from '../store-io.js';

export function clientFor(url: string, auth: AuthOptions, quiet: boolean): VssClient {
  return new VssClient({
    baseUrl: url,
    ...auth,
    onRetry: (operation, reason, attempt) => {
      if (!quiet) cliIo().stderr.write(`vss: ${operation} attempt ${attempt} failed (${reason}); retrying\n`);
    },
  });
}

export function addConflictOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--on-conflict <policy>',
        "a key the target holds with a different value: fail (before writing anything), skip (keep the target's), overwrite",
      )
        .choices(['fail', 'skip', 'overwrite'])
        .default('fail'),
    )
    .option('--batch-keys <n>', "keys per PutObjects (the target's limit)", (v) => positive('--batch-keys', v), 100)
    .option('--batch-bytes <n>', "bytes per PutObjects (the target's request size limit)", (v) => positive('--batch-bytes', v), 4_000_000);
}

function positive(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw usageError(`${name} must be a positive integer, not "${v}"`);
  return n;
}

export function writeReport(stats: WriteStats): Report {
  return {
    keys: stats.written + stats.overwritten + stats.unchanged + stats.skippedConflicts,
    bytes: stats.bytes,
    written: stats.written,
    overwritten: stats.overwritten,
    unchanged: stats.unchanged,
    skipped: stats.skippedConflicts,
    requests: stats.requests,
  };
}

export function verifyReport(v: VerifyResult): Report {
  return {
    verified: v.missing.length === 0 && v.different.length === 0,
    verifiedKeys: v.checked,
    missingInTarget: v.missing.slice(0, 100),
    differentInTarget: v.different.slice(0, 100),
  };
}

export interface ConflictOptions {
  readonly onConflict: OnConflict;
  readonly batchKeys: number;
  readonly batchBytes: number;
}

/** After the report is printed: differences found by --verify end the command with exit 6. */
export function failIfUnverified(v: VerifyResult | undefined): void {
  if (!v || (v.missing.length === 0 && v.different.length === 0)) return;
  throw new CliError(
    `verification failed: ${v.missing.length} keys missing and ${v.different.length} different in the target (listed in the report)`,
    EXIT.verifyMismatch,
  );
}

/**
 * The writing half of import and copy: writes the items with a progress display, then, with
 * --verify, re-reads the target and compares every written key's value.
 */
export async function writeAndVerify(
  label: string,
  total: number,
  target: Client,
  storeId: string,
  items: AsyncIterable<KeyValue>,
  plan: ImportPlan,
  opts: ConflictOptions & { verify?: boolean; quiet?: boolean },
): Promise<{ stats: WriteStats; verified: VerifyResult | undefined }> {
  const progress = startProgress({ label, total, quiet: !!opts.quiet });
  const digests = new Map<string, string>();
  let stats: WriteStats;
  try {
    stats = await writeItems(target, storeId, items, plan, {
      onConflict: opts.onConflict,
      batchKeys: opts.batchKeys,
      batchBytes: opts.batchBytes,
      onProgress: (n, b) => progress.add(n, b),
      ...(opts.verify ? { onItem: (kv: KeyValue) => digests.set(kv.key, digestOf(kv.value)) } : {}),
    });
  } finally {
    progress.stop();
  }
  return { stats, verified: opts.verify ? await verifyTarget(target, storeId, digests) : undefined };
}
