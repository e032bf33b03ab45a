/**
 * Reading and writing one store over the VSS protocol (any server), for export, import and copy.
 *
 * Reading lists every key (ListKeyVersions, newest-created first), then fetches the values
 * oldest-created first with bounded concurrency. Writing creates keys oldest first in atomic
 * PutObjects, sequentially, so the target's creation order (and so its listings) matches the
 * source's. Keys the target already holds with the same value are left alone, which makes a
 * re-run after an interruption converge; keys it holds with another value are conflicts, decided
 * by the policy before anything is written.
 */
import { createHash } from 'node:crypto';
import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { forEachConcurrent, mapOrdered } from './ordered.js';
import { VssRequestError, type KeyValue, type KeyVersion, type VssClient } from '../client/vss-client.js';

export const GET_CONCURRENCY = 8;
/** Keys per PutObjects: this server's and the reference's limit is at least 100. */
export const DEFAULT_BATCH_KEYS = 100;
/** Protobuf bytes per PutObjects, below this server's 4,620,288-byte body limit. */
export const DEFAULT_BATCH_BYTES = 4_000_000;

export type OnConflict = 'fail' | 'skip' | 'overwrite';

export interface StoreSnapshot {
  /** Oldest-created first. */
  readonly keys: readonly KeyVersion[];
  readonly globalVersion: bigint;
}

/** Lists a store and returns its keys oldest-created first. */
export async function listStore(client: VssClient, storeId: string): Promise<StoreSnapshot> {
  const { keyVersions, globalVersion } = await client.listAll(storeId);
  return { keys: [...keyVersions].reverse(), globalVersion };
}

/**
 * The values of the listed keys, in the listed order. A key deleted since it was listed fails
 * the read: an archive must hold exactly what its header announces.
 */
export function readValues(
  client: VssClient,
  storeId: string,
  keys: readonly KeyVersion[],
  concurrency = GET_CONCURRENCY,
): AsyncGenerator<KeyValue> {
  return mapOrdered(keys, concurrency, async (k) => {
    const kv = await client.getObject(storeId, k.key);
    if (!kv)
      throw new CliError(
        `key ${JSON.stringify(k.key)} was deleted while the store was read; stop the wallet (or its writes) and run again`,
        EXIT.remote,
      );
    return { key: k.key, version: kv.version, value: kv.value };
  });
}

export const digestOf = (value: Uint8Array): string => createHash('sha256').update(value).digest('base64');

/** What the target holds for keys it shares with the source, decided before any write. */
export interface ImportPlan {
  /** Target version of every key it held when listed. */
  readonly target: ReadonlyMap<string, bigint>;
  /** Keys the target holds with exactly the source's value: nothing to write. */
  readonly unchanged: Set<string>;
  /** Keys the target holds with a different value. */
  readonly conflicts: Set<string>;
}

/**
 * Compares the shared keys' values. `sourceValue` gives the source's value of a key the target
 * also holds (from the archive or the source server).
 */
export async function planImport(
  client: VssClient,
  storeId: string,
  sharedSource: AsyncIterable<KeyValue> | Iterable<KeyValue>,
  target: ReadonlyMap<string, bigint>,
): Promise<ImportPlan> {
  const unchanged = new Set<string>();
  const conflicts = new Set<string>();
  await forEachConcurrent(sharedSource, GET_CONCURRENCY, async (s) => {
    const t = await client.getObject(storeId, s.key);
    if (!t) return; // deleted meanwhile: it will be created
    if (Buffer.from(t.value).equals(Buffer.from(s.value))) unchanged.add(s.key);
    else conflicts.add(s.key);
  });
  return { target, unchanged, conflicts };
}

export function refuseConflicts(plan: ImportPlan, policy: OnConflict): void {
  if (policy !== 'fail' || plan.conflicts.size === 0) return;
  const shown = [...plan.conflicts]
    .slice(0, 5)
    .map((k) => JSON.stringify(k))
    .join(', ');
  throw new CliError(
    `the target already holds ${plan.conflicts.size} of these keys with different values (${shown}${plan.conflicts.size > 5 ? ', …' : ''}); nothing was written. ` +
      "Use --on-conflict skip to keep the target's values or --on-conflict overwrite to replace them.",
    EXIT.conflict,
  );
}

export interface WriteStats {
  written: number;
  unchanged: number;
  skippedConflicts: number;
  overwritten: number;
  bytes: number;
  requests: number;
}

export interface WriteOptions {
  readonly onConflict: OnConflict;
  readonly batchKeys?: number;
  readonly batchBytes?: number;
  readonly onProgress?: (items: number, bytes: number) => void;
  /** Sees every source item (for --verify digests). */
  readonly onItem?: (item: KeyValue) => void;
}

/** Writes the items (oldest-created first) according to the plan; returns what it did. */
export async function writeItems(
  client: VssClient,
  storeId: string,
  items: AsyncIterable<KeyValue>,
  plan: ImportPlan,
  options: WriteOptions,
): Promise<WriteStats> {
  const maxKeys = options.batchKeys ?? DEFAULT_BATCH_KEYS;
  const maxBytes = options.batchBytes ?? DEFAULT_BATCH_BYTES;
  const stats: WriteStats = { written: 0, unchanged: 0, skippedConflicts: 0, overwritten: 0, bytes: 0, requests: 0 };
  let batch: KeyValue[] = [];
  let batchBytes = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const sent = batch;
    batch = [];
    batchBytes = 0;
    await putBatch(client, storeId, sent, stats);
    for (const kv of sent) {
      if (kv.version > 0n) stats.overwritten++;
      else stats.written++;
    }
    options.onProgress?.(
      sent.length,
      sent.reduce((n, kv) => n + kv.value.length, 0),
    );
  };
  for await (const item of items) {
    options.onItem?.(item);
    stats.bytes += item.value.length;
    if (plan.unchanged.has(item.key)) {
      stats.unchanged++;
      options.onProgress?.(1, item.value.length);
      continue;
    }
    const targetVersion = plan.target.get(item.key);
    let version = 0n;
    if (targetVersion !== undefined && plan.conflicts.has(item.key)) {
      if (options.onConflict === 'skip') {
        stats.skippedConflicts++;
        options.onProgress?.(1, item.value.length);
        continue;
      }
      // overwrite: conditional on the version seen, so a concurrent change is a conflict, not lost.
      version = targetVersion;
    }
    // Protobuf size of the item, with room for tags and lengths.
    const size = Buffer.byteLength(item.key, 'utf8') + item.value.length + 32;
    if (batch.length >= maxKeys || (batch.length > 0 && batchBytes + size > maxBytes)) await flush();
    batch.push({ key: item.key, version, value: item.value });
    batchBytes += size;
  }
  await flush();
  return stats;
}

/**
 * One atomic PutObjects. A conflict may mean that an earlier attempt of this very request was
 * applied (a retry after a lost response), so each key is checked: the ones that already hold
 * our value are done, the absent ones are sent again; anything else is a real conflict.
 */
async function putBatch(client: VssClient, storeId: string, batch: KeyValue[], stats: WriteStats): Promise<void> {
  let pending = batch;
  for (let round = 0; pending.length > 0; round++) {
    try {
      stats.requests++;
      await client.putObjects(storeId, { items: pending });
      return;
    } catch (e) {
      if (!(e instanceof VssRequestError && e.isConflict) || round >= 2) throw e;
    }
    const retry: KeyValue[] = [];
    for (const kv of pending) {
      const now = await client.getObject(storeId, kv.key);
      if (now && Buffer.from(now.value).equals(Buffer.from(kv.value))) continue;
      if (!now && kv.version === 0n) {
        retry.push(kv);
        continue;
      }
      throw new CliError(
        `key ${JSON.stringify(kv.key)} changed in the target while importing (another writer?); nothing else was overwritten. Stop writers to the target and run again.`,
        EXIT.conflict,
      );
    }
    pending = retry;
  }
}

export interface VerifyResult {
  readonly checked: number;
  readonly missing: string[];
  readonly different: string[];
}

/** Re-reads the target: every source key must be there with the same value (digests). */
export async function verifyTarget(
  client: VssClient,
  storeId: string,
  digests: ReadonlyMap<string, string>,
  onProgress?: (n: number, bytes: number) => void,
): Promise<VerifyResult> {
  const listed = await client.listAll(storeId);
  const present = new Set(listed.keyVersions.map((k) => k.key));
  const missing = [...digests.keys()].filter((k) => !present.has(k));
  const different: string[] = [];
  let checked = 0;
  await forEachConcurrent(
    [...digests.keys()].filter((k) => present.has(k)),
    GET_CONCURRENCY,
    async (key) => {
      const t = await client.getObject(storeId, key);
      checked++;
      if (!t) missing.push(key);
      else if (digestOf(t.value) !== digests.get(key)) different.push(key);
      onProgress?.(1, t?.value.length ?? 0);
    },
  );
  return { checked, missing, different };
}
