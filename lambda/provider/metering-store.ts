/**
 * A KeyValueStore decorator that keeps per-user usage and enforces storage quotas
 * (docs/provider.md). It wraps any store and is only installed when a provider feature is on,
 * so with every feature off the request path is exactly the plain store's.
 *
 * A write: register the store (once per instance), ask the store for the affected records'
 * sizes (it alone knows where values live) and, with a quota, read the user's usage (in parallel); refuse if it grows usage past a limit; write;
 * add the delta to the store's counters. Reads and listings pass straight through.
 */
import { ErrorCode, isVssError } from '../core/errors.js';
import type { KeyValueStore, KeyWrite, ListPage, ListQuery, Scope, StoredValue } from '../core/kv-store.js';
import { sortKeyLength } from '../store/keys.js';
import { checkQuota, limitsFor, nearQuota, type EffectiveLimits, type QuotaSettings } from './quota.js';
import type { ProviderEvent } from './events.js';
import type { UsageDelta, UsageLedger, UserUsage } from './usage-ledger.js';

/** What metering needs to know of the records that exist now: a store's answer, without values. */
export interface HeadReader {
  /** Version and value length of each of `keys` that exists (strongly consistent). */
  heads(scope: Scope, keys: readonly string[]): Promise<ReadonlyMap<string, { readonly version: bigint; readonly valueBytes: number }>>;
}

/** The stored size of one record, as metered: its key's and its value's bytes. */
export interface HeadSize {
  readonly version: bigint;
  readonly bytes: number;
}

export interface MeteringOptions {
  /** The store whose writes are metered; it also reports the sizes of existing records. */
  readonly inner: KeyValueStore & HeadReader;
  readonly ledger: UsageLedger;
  /** Storage quotas; absent: usage is kept but nothing is refused. @default none */
  readonly quota?: QuotaSettings;
  /** @default none */
  readonly onEvent?: (event: ProviderEvent) => void;
}

/** A DeleteObject re-reads and retries this often when the record changes under it. */
const DELETE_ROUNDS = 4;

export class MeteringStore implements KeyValueStore {
  constructor(private readonly options: MeteringOptions) {}

  get(scope: Scope, key: string): Promise<StoredValue | undefined> {
    return this.options.inner.get(scope, key);
  }

  list(scope: Scope, query: ListQuery): Promise<ListPage> {
    return this.options.inner.list(scope, query);
  }

  async write(scope: Scope, writes: readonly KeyWrite[]): Promise<void> {
    const { inner, ledger, quota } = this.options;
    if (writes.length === 0) return inner.write(scope, writes);
    await ledger.ensureRegistered(scope);
    const [heads, usage] = await Promise.all([
      this.headSizes(
        scope,
        writes.map((w) => w.key),
      ),
      quota ? ledger.readUsage(scope.userToken) : undefined,
    ]);
    const delta = deltaOf(writes, heads);
    const limits = usage && quota ? limitsFor(quota, usage) : undefined;
    if (usage && limits) {
      try {
        checkQuota(limits, usage, delta);
      } catch (e) {
        this.options.onEvent?.({
          type: 'quota-refused',
          userToken: scope.userToken,
          usage: { keys: usage.keys, bytes: usage.bytes },
          limits,
        });
        throw e;
      }
    }
    await inner.write(scope, writes);
    await this.record(scope, delta, usage, limits);
  }

  /**
   * DeleteObject never conflicts, so the plain store cannot tell whether it deleted anything.
   * Here the delete is pinned to the version just read, so a success means this request removed
   * exactly the record whose size was read; if the record changed meanwhile, read again.
   */
  async deleteIfVersion(scope: Scope, key: string, version: bigint | 'any'): Promise<void> {
    const { inner } = this.options;
    for (let round = 0; round < DELETE_ROUNDS; round++) {
      const head = (await this.headSizes(scope, [key])).get(key);
      if (!head) return;
      if (version !== 'any' && head.version !== version) return;
      try {
        await inner.write(scope, [{ kind: 'delete', key, precondition: { kind: 'version', version: head.version } }]);
      } catch (e) {
        if (isVssError(e) && e.code === ErrorCode.CONFLICT_EXCEPTION) continue;
        throw e;
      }
      await this.record(scope, { keys: -1, bytes: -head.bytes }, undefined, undefined);
      return;
    }
    // Still changing after several rounds: a delete that lost every race deleted nothing (200).
  }

  private async headSizes(scope: Scope, keys: readonly string[]): Promise<Map<string, HeadSize>> {
    const sizes = new Map<string, HeadSize>();
    for (const [key, head] of await this.options.inner.heads(scope, keys)) {
      sizes.set(key, { version: head.version, bytes: sortKeyLength(key) + head.valueBytes });
    }
    return sizes;
  }

  /** Adds the delta. The write is acknowledged whatever happens here: a lost delta is drift, not a failure. */
  private async record(scope: Scope, delta: UsageDelta, before: UserUsage | undefined, limits: EffectiveLimits | undefined): Promise<void> {
    const { ledger, quota, onEvent } = this.options;
    try {
      await ledger.add(scope, delta);
    } catch (error) {
      onEvent?.({ type: 'usage-update-failed', userToken: scope.userToken, error });
      return;
    }
    if (before && limits && (delta.keys > 0 || delta.bytes > 0)) {
      const keys = before.keys + delta.keys;
      const bytes = before.bytes + delta.bytes;
      const limit = nearQuota(limits, keys, bytes, quota?.softThresholdPercent);
      if (limit) onEvent?.({ type: 'near-quota', userToken: scope.userToken, usage: { keys, bytes }, limits, limit });
    }
  }
}

/** How a folded write changes usage, given the sizes of the records that exist now. */
export function deltaOf(writes: readonly KeyWrite[], heads: ReadonlyMap<string, HeadSize>): UsageDelta {
  let keys = 0;
  let bytes = 0;
  for (const w of writes) {
    const old = heads.get(w.key);
    if (old) {
      keys -= 1;
      bytes -= old.bytes;
    }
    if (w.kind === 'put') {
      keys += 1;
      bytes += sortKeyLength(w.key) + w.value.length;
    }
  }
  return { keys, bytes };
}
