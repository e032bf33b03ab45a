/**
 * Folds the statements of one PutObjects request into at most one conditioned write per key, with
 * exactly the outcome of running them in order as the reference does (docs/protocol.md §3.2, §7.4):
 * transaction_items in request order, then the global-version record, then delete_items.
 * DynamoDB cannot touch one item twice in a transaction, so this happens before the store.
 */
import { conflict } from './errors.js';
import { GLOBAL_VERSION_KEY, INT64_MAX } from './limits.js';
import type { KeyWrite, Precondition } from './kv-store.js';

export type Statement =
  | { readonly op: 'put'; readonly key: string; readonly version: bigint; readonly value: Uint8Array }
  | { readonly op: 'delete'; readonly key: string; readonly version: bigint };

type Current =
  | { readonly state: 'initial' }
  | { readonly state: 'absent' }
  | { readonly state: 'present'; readonly version: bigint; readonly value: Uint8Array };

interface KeyFold {
  precondition: Precondition;
  current: Current;
  deletedInRequest: boolean;
}

const EMPTY = new Uint8Array(0);

/** Orders the statements like the reference: items, then the global version, then deletes. */
export function statementsOf(
  items: readonly { key: string; version: bigint; value: Uint8Array }[],
  globalVersion: bigint | undefined,
  deletes: readonly { key: string; version: bigint }[],
): Statement[] {
  const out: Statement[] = items.map((i) => ({ op: 'put', key: i.key, version: i.version, value: i.value }));
  if (globalVersion !== undefined) out.push({ op: 'put', key: GLOBAL_VERSION_KEY, version: globalVersion, value: EMPTY });
  for (const d of deletes) out.push({ op: 'delete', key: d.key, version: d.version });
  return out;
}

/**
 * Returns one write per distinct key, in order of each key's first statement (that order is the
 * creation order of new records). Throws the conflict error when the statements can never all
 * succeed whatever is stored (e.g. `[k v0, k v0]`, or a version below -1).
 */
export function foldStatements(statements: readonly Statement[]): KeyWrite[] {
  const byKey = new Map<string, KeyFold>();
  for (const s of statements) {
    let f = byKey.get(s.key);
    if (!f) {
      f = { precondition: { kind: 'none' }, current: { state: 'initial' }, deletedInRequest: false };
      byKey.set(s.key, f);
    }
    apply(f, s);
  }
  const writes: KeyWrite[] = [];
  for (const [key, f] of byKey) {
    const c = f.current;
    if (c.state === 'present') {
      writes.push({ kind: 'put', key, precondition: f.precondition, version: c.version, value: c.value, recreated: f.deletedInRequest });
    } else {
      // 'absent' (initial is impossible: every key has at least one statement).
      writes.push({ kind: 'delete', key, precondition: f.precondition });
    }
  }
  return writes;
}

function apply(f: KeyFold, s: Statement): void {
  const v = s.version;
  if (s.op === 'put') {
    if (v === -1n) {
      // Unconditional upsert: always stores version 1.
    } else if (v === 0n) {
      requireAbsent(f);
    } else if (v < -1n) {
      throw conflict(); // the reference's `WHERE version = n` can never match a negative version
    } else {
      requireVersion(f, v);
    }
    const next = v === -1n || v === 0n ? 1n : v === INT64_MAX ? INT64_MAX : v + 1n;
    f.current = { state: 'present', version: next, value: s.value };
    return;
  }
  if (v === -1n) requireExists(f);
  else if (v < -1n) throw conflict();
  else requireVersion(f, v);
  f.current = { state: 'absent' };
  f.deletedInRequest = true;
}

function requireAbsent(f: KeyFold): void {
  const c = f.current;
  if (c.state === 'initial') f.precondition = { kind: 'absent' };
  else if (c.state === 'present') throw conflict();
}

function requireExists(f: KeyFold): void {
  const c = f.current;
  if (c.state === 'initial') f.precondition = { kind: 'exists' };
  else if (c.state === 'absent') throw conflict();
}

function requireVersion(f: KeyFold, version: bigint): void {
  const c = f.current;
  if (c.state === 'initial') f.precondition = { kind: 'version', version };
  else if (c.state === 'absent' || c.version !== version) throw conflict();
}
