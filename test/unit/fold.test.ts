/**
 * lambda/core/fold.ts against the reference's sequential semantics (docs/protocol.md §3.2, §7.4): the
 * statements of one PutObjects run in order (items, then the global version, then deletes), and
 * folding them into one conditioned write per key must give exactly the same outcome.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, isVssError } from '../../lambda/core/errors.js';
import { foldStatements, statementsOf, type Statement } from '../../lambda/core/fold.js';
import { GLOBAL_VERSION_KEY, INT64_MAX } from '../../lambda/core/limits.js';
import type { KeyWrite, Precondition } from '../../lambda/core/kv-store.js';
import { prng } from '../support/prng.js';

const GV = GLOBAL_VERSION_KEY;
const val = (s: string): Uint8Array => Buffer.from(s);
const item = (key: string, version: bigint, value = `${key}@${version}`): { key: string; version: bigint; value: Uint8Array } => ({
  key,
  version,
  value: val(value),
});
const del = (key: string, version: bigint): { key: string; version: bigint } => ({ key, version });

function fold(items: ReturnType<typeof item>[], globalVersion?: bigint, deletes: ReturnType<typeof del>[] = []): KeyWrite[] {
  return foldStatements(statementsOf(items, globalVersion, deletes));
}

function expectConflict(fn: () => unknown): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(isVssError(caught), `expected the conflict error, got ${String(caught)}`).toBe(true);
  const e = caught as { status: number; code: number };
  expect(e.status).toBe(409);
  expect(e.code).toBe(ErrorCode.CONFLICT_EXCEPTION);
}

/** A put write without its value, for compact comparisons. */
function shape(w: KeyWrite): unknown {
  return w.kind === 'put'
    ? {
        kind: 'put',
        key: w.key,
        precondition: w.precondition,
        version: w.version,
        value: Buffer.from(w.value).toString(),
        recreated: w.recreated,
      }
    : { kind: 'delete', key: w.key, precondition: w.precondition };
}

describe('statement order (docs/protocol.md §3.2)', () => {
  it('statementsOf orders items, then the global-version record, then deletes', () => {
    const s = statementsOf([item('a', 0n), item('b', 1n)], 5n, [del('c', -1n)]);
    expect(s.map((x) => `${x.op} ${x.key} ${x.version}`)).toEqual(['put a 0', 'put b 1', `put ${GV} 5`, 'delete c -1']);
  });

  it('statementsOf with global_version absent adds no global-version statement', () => {
    expect(statementsOf([item('a', 0n)], undefined, []).map((x) => x.key)).toEqual(['a']);
  });
});

describe('folding the operations on one key', () => {
  it('[k v0, k v1] → one put, precondition absent, stored version 2, value of the last put', () => {
    expect(fold([item('k', 0n, 'first'), item('k', 1n, 'second')]).map(shape)).toEqual([
      { kind: 'put', key: 'k', precondition: { kind: 'absent' }, version: 2n, value: 'second', recreated: false },
    ]);
  });

  it('[k v0, k v0] conflicts whatever is stored', () => {
    expectConflict(() => fold([item('k', 0n), item('k', 0n)]));
  });

  it('[k v-1, k v-1] → one unconditional put, last value wins, version 1', () => {
    expect(fold([item('k', -1n, 'first'), item('k', -1n, 'last')]).map(shape)).toEqual([
      { kind: 'put', key: 'k', precondition: { kind: 'none' }, version: 1n, value: 'last', recreated: false },
    ]);
  });

  it('[k v3, k v4] → CAS on 3, stored version 5', () => {
    expect(fold([item('k', 3n), item('k', 4n)]).map(shape)).toEqual([
      { kind: 'put', key: 'k', precondition: { kind: 'version', version: 3n }, version: 5n, value: 'k@4', recreated: false },
    ]);
  });

  it('[k v3, k v3] conflicts (the second CAS sees version 4)', () => {
    expectConflict(() => fold([item('k', 3n), item('k', 3n)]));
  });

  it('[k v-1, k v0] conflicts (the record exists after the upsert)', () => {
    expectConflict(() => fold([item('k', -1n), item('k', 0n)]));
  });

  it('[k v-1, k v1] → unconditional, version 2', () => {
    expect(fold([item('k', -1n), item('k', 1n)]).map(shape)).toEqual([
      { kind: 'put', key: 'k', precondition: { kind: 'none' }, version: 2n, value: 'k@1', recreated: false },
    ]);
  });

  it('put then delete: the delete must match the post-put version (v-1 put then delete v1 → unconditional delete)', () => {
    expect(fold([item('k', -1n)], undefined, [del('k', 1n)]).map(shape)).toEqual([
      { kind: 'delete', key: 'k', precondition: { kind: 'none' } },
    ]);
  });

  it('put then delete with the pre-put version conflicts (v3 put makes version 4; delete v3 fails)', () => {
    expectConflict(() => fold([item('k', 3n)], undefined, [del('k', 3n)]));
  });

  it('put v3 then delete v4 → delete conditioned on the stored version 3', () => {
    expect(fold([item('k', 3n)], undefined, [del('k', 4n)]).map(shape)).toEqual([
      { kind: 'delete', key: 'k', precondition: { kind: 'version', version: 3n } },
    ]);
  });

  it('put v0 then delete -1 → delete conditioned on absence (net effect: nothing, but only if absent)', () => {
    expect(fold([item('k', 0n)], undefined, [del('k', -1n)]).map(shape)).toEqual([
      { kind: 'delete', key: 'k', precondition: { kind: 'absent' } },
    ]);
  });

  it('delete_items version -1 → precondition "exists" (the reference conflicts on a missing record)', () => {
    expect(fold([], undefined, [del('k', -1n)]).map(shape)).toEqual([{ kind: 'delete', key: 'k', precondition: { kind: 'exists' } }]);
  });

  it('delete_items version n → precondition version n', () => {
    expect(fold([], undefined, [del('k', 7n)]).map(shape)).toEqual([
      { kind: 'delete', key: 'k', precondition: { kind: 'version', version: 7n } },
    ]);
  });

  it('delete_items version 0 → precondition version 0 (can never match a stored record, so it conflicts in the store)', () => {
    expect(fold([], undefined, [del('k', 0n)]).map(shape)).toEqual([
      { kind: 'delete', key: 'k', precondition: { kind: 'version', version: 0n } },
    ]);
  });

  it('deleting one key twice conflicts (the second delete finds nothing)', () => {
    expectConflict(() => fold([], undefined, [del('k', -1n), del('k', -1n)]));
  });

  it('put versions below -1 conflict', () => {
    expectConflict(() => fold([item('k', -2n)]));
    expectConflict(() => fold([item('k', -(2n ** 63n))]));
  });

  it('delete versions below -1 conflict', () => {
    expectConflict(() => fold([], undefined, [del('k', -2n)]));
  });

  it('CAS n → n+1', () => {
    expect(fold([item('k', 41n)]).map(shape)).toEqual([
      { kind: 'put', key: 'k', precondition: { kind: 'version', version: 41n }, version: 42n, value: 'k@41', recreated: false },
    ]);
  });

  it('CAS at i64::MAX saturates: stores i64::MAX, conditioned on i64::MAX', () => {
    const [w] = fold([item('k', INT64_MAX)]);
    expect(w).toMatchObject({ kind: 'put', precondition: { kind: 'version', version: INT64_MAX }, version: INT64_MAX });
  });

  it('CAS at i64::MAX - 1 → i64::MAX, and a second CAS at i64::MAX in the same request then succeeds (saturated)', () => {
    const [w] = fold([item('k', INT64_MAX - 1n), item('k', INT64_MAX)]);
    expect(w).toMatchObject({ kind: 'put', precondition: { kind: 'version', version: INT64_MAX - 1n }, version: INT64_MAX });
  });

  it('create-only v0 → precondition absent, version 1', () => {
    expect(fold([item('k', 0n)]).map(shape)).toEqual([
      { kind: 'put', key: 'k', precondition: { kind: 'absent' }, version: 1n, value: 'k@0', recreated: false },
    ]);
  });

  it('an empty request folds to no writes', () => {
    expect(fold([])).toEqual([]);
  });
});

describe('global version (docs/protocol.md §3.2, §3.5)', () => {
  it('absent → no global-version write at all', () => {
    expect(fold([item('a', -1n)]).map((w) => w.key)).toEqual(['a']);
  });

  it('0 → create-only global record, version 1', () => {
    expect(fold([], 0n).map(shape)).toEqual([
      { kind: 'put', key: GV, precondition: { kind: 'absent' }, version: 1n, value: '', recreated: false },
    ]);
  });

  it('n > 0 → conditioned on n, sets n+1', () => {
    expect(fold([], 9n).map(shape)).toEqual([
      { kind: 'put', key: GV, precondition: { kind: 'version', version: 9n }, version: 10n, value: '', recreated: false },
    ]);
  });

  it('-1 → unconditional reset to 1', () => {
    expect(fold([], -1n).map(shape)).toEqual([
      { kind: 'put', key: GV, precondition: { kind: 'none' }, version: 1n, value: '', recreated: false },
    ]);
  });

  it('< -1 → conflict', () => {
    expectConflict(() => fold([item('a', -1n)], -2n));
  });

  it('a user item named global_version aliases it: [global_version v-1] + global_version 1 → unconditional, version 2', () => {
    expect(fold([item(GV, -1n, 'user')], 1n).map(shape)).toEqual([
      { kind: 'put', key: GV, precondition: { kind: 'none' }, version: 2n, value: '', recreated: false },
    ]);
  });

  it('a user item named global_version aliases it: [global_version v0] + global_version 0 conflicts', () => {
    expectConflict(() => fold([item(GV, 0n)], 0n));
  });

  it('a user item named global_version aliases it: [global_version v0] + global_version 1 → absent, version 2', () => {
    expect(fold([item(GV, 0n)], 1n).map(shape)).toEqual([
      { kind: 'put', key: GV, precondition: { kind: 'absent' }, version: 2n, value: '', recreated: false },
    ]);
  });

  it('a delete_item named global_version runs after the global version: global_version 4 + delete global_version v5 → delete on 4', () => {
    expect(fold([], 4n, [del(GV, 5n)]).map(shape)).toEqual([{ kind: 'delete', key: GV, precondition: { kind: 'version', version: 4n } }]);
  });
});

describe('output order', () => {
  it('one write per distinct key, in the order of each key’s first statement', () => {
    const writes = fold([item('b', -1n), item('a', 0n), item('b', 1n), item('c', -1n)], 3n, [del('d', -1n), del('a', 1n), del('e', 2n)]);
    expect(writes.map((w) => w.key)).toEqual(['b', 'a', 'c', GV, 'd', 'e']);
    expect(writes.map((w) => w.kind)).toEqual(['put', 'delete', 'put', 'put', 'delete', 'delete']);
  });

  it('a key that is deleted and then put again (only possible with raw statements) is flagged recreated', () => {
    const s: Statement[] = [
      { op: 'delete', key: 'k', version: 2n },
      { op: 'put', key: 'k', version: 0n, value: val('x') },
    ];
    expect(foldStatements(s).map(shape)).toEqual([
      { kind: 'put', key: 'k', precondition: { kind: 'version', version: 2n }, version: 1n, value: 'x', recreated: true },
    ]);
  });
});

// ------------------------------------------------------------------------------------------------
// Property test against a reference interpreter.

interface Rec {
  version: bigint;
  value: string;
  /** Creation position (the reference's sort_order). */
  created: number;
}
type State = Map<string, Rec>;

/**
 * The reference's sequential SQL statements (docs/protocol.md §3.2) over a Map; returns the final state, or
 * 'conflict' when any statement affects 0 rows (whole transaction rolled back).
 */
function reference(initial: State, statements: readonly Statement[], nextCreated: { n: number }): State | 'conflict' {
  const s: State = new Map([...initial].map(([k, r]) => [k, { ...r }]));
  for (const st of statements) {
    const cur = s.get(st.key);
    const value = st.op === 'put' ? Buffer.from(st.value).toString() : '';
    if (st.op === 'put') {
      if (st.version === -1n) {
        // INSERT … ON CONFLICT DO UPDATE SET version = 1 (keeps sort_order on update)
        s.set(st.key, { version: 1n, value, created: cur ? cur.created : nextCreated.n++ });
      } else if (st.version === 0n) {
        // INSERT … ON CONFLICT DO NOTHING
        if (cur) return 'conflict';
        s.set(st.key, { version: 1n, value, created: nextCreated.n++ });
      } else {
        // UPDATE … SET version = version + 1 (saturating) WHERE key = k AND version = n
        if (!cur || cur.version !== st.version) return 'conflict';
        s.set(st.key, { version: st.version === INT64_MAX ? INT64_MAX : st.version + 1n, value, created: cur.created });
      }
    } else {
      // DELETE … WHERE key = k [AND version = n]
      if (!cur) return 'conflict';
      if (st.version !== -1n && cur.version !== st.version) return 'conflict';
      s.delete(st.key);
    }
  }
  return s;
}

function holds(p: Precondition, cur: Rec | undefined): boolean {
  switch (p.kind) {
    case 'none':
      return true;
    case 'absent':
      return cur === undefined;
    case 'exists':
      return cur !== undefined;
    case 'version':
      return cur !== undefined && cur.version === p.version;
  }
}

/** What the store does with folded writes: all preconditions on the initial state, then apply. */
function applyFolded(initial: State, writes: readonly KeyWrite[], nextCreated: { n: number }): State | 'conflict' {
  if (!writes.every((w) => holds(w.precondition, initial.get(w.key)))) return 'conflict';
  const s: State = new Map([...initial].map(([k, r]) => [k, { ...r }]));
  for (const w of writes) {
    if (w.kind === 'delete') {
      s.delete(w.key);
    } else {
      const cur = initial.get(w.key);
      // `seq = if_not_exists(seq, :seq)`, or `seq = :seq` when recreated; :seq in write order.
      const created = nextCreated.n++;
      s.set(w.key, { version: w.version, value: Buffer.from(w.value).toString(), created: cur && !w.recreated ? cur.created : created });
    }
  }
  return s;
}

const KEYS = ['a', 'b', GV];
const STORED_VERSIONS = [1n, 2n, 3n, INT64_MAX - 1n, INT64_MAX];
const REQUEST_VERSIONS = [-2n, -1n, -1n, -1n, 0n, 0n, 0n, 1n, 1n, 2n, 2n, 3n, 4n, INT64_MAX - 1n, INT64_MAX];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

/** A request version: often one that matches the stored record (or its next version), so many requests succeed. */
function requestVersion(r: () => number, initial: State, key: string): bigint {
  const cur = initial.get(key);
  const x = r();
  if (cur && x < 0.35) return cur.version;
  if (cur && x < 0.45) return cur.version === INT64_MAX ? INT64_MAX : cur.version + 1n;
  if (!cur && x < 0.3) return 0n;
  return pick(r, REQUEST_VERSIONS);
}

function randomState(r: () => number): State {
  const s: State = new Map();
  let created = 0;
  for (const k of KEYS) if (r() < 0.6) s.set(k, { version: pick(r, STORED_VERSIONS), value: `init-${k}`, created: created++ });
  return s;
}

/** Orders the keys of a state newest-created first (what ListKeyVersions shows). */
const creationOrder = (s: State): string[] => [...s].sort((x, y) => y[1].created - x[1].created).map(([k]) => k);

function describeCase(initial: State, statements: readonly Statement[]): string {
  const st = [...initial].map(([k, r]) => `${k}=v${r.version}`).join(' ');
  const ops = statements.map((x) => `${x.op} ${x.key} v${x.version}`).join('; ');
  return `initial {${st}} statements [${ops}]`;
}

/** Runs one case; returns whether the reference succeeded, for coverage accounting. */
function checkCase(initial: State, statements: readonly Statement[], checkCreationOrder: boolean): 'ok' | 'conflict' {
  const ctx = describeCase(initial, statements);
  const ref = reference(initial, statements, { n: 1000 });
  let writes: KeyWrite[] | undefined;
  try {
    writes = foldStatements(statements);
  } catch (e) {
    expect(isVssError(e) && e.status === 409, `fold threw a non-conflict error: ${String(e)} — ${ctx}`).toBe(true);
    // "can never succeed whatever is stored" ⇒ the reference fails on this state as well.
    expect(ref, `fold said conflict but the reference succeeded — ${ctx}`).toBe('conflict');
    return 'conflict';
  }
  // At most one write per key, in the order of first statement.
  const firstOrder = [...new Set(statements.map((s) => s.key))];
  expect(
    writes.map((w) => w.key),
    ctx,
  ).toEqual(firstOrder);
  const folded = applyFolded(initial, writes, { n: 1000 });
  // Preconditions hold on the initial state ⇔ the reference succeeds.
  expect(
    folded === 'conflict',
    `preconditions ${folded === 'conflict' ? 'failed' : 'held'} but the reference ${ref === 'conflict' ? 'conflicted' : 'succeeded'} — ${ctx}`,
  ).toBe(ref === 'conflict');
  if (ref === 'conflict' || folded === 'conflict') return 'conflict';
  const strip = (s: State): Record<string, string> =>
    Object.fromEntries([...s].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, r]) => [k, `v${r.version}:${r.value}`]));
  expect(strip(folded), `final state differs — ${ctx}`).toEqual(strip(ref));
  if (checkCreationOrder) {
    // Records keep their creation position across updates; new ones are newer, in request order.
    expect(creationOrder(folded), `creation order differs — ${ctx}`).toEqual(creationOrder(ref));
  }
  return 'ok';
}

describe('fold ≡ the reference’s sequential statements (seeded property test)', () => {
  it('for 20 000 random requests (items, global version, deletes) on random initial states: same outcome, same final state, same creation order', () => {
    const r = prng(0x5eed_f01d);
    let ok = 0;
    let conflicts = 0;
    let foldConflicts = 0;
    let multiStatementKeys = 0;
    for (let i = 0; i < 20_000; i++) {
      const initial = randomState(r);
      const items = Array.from({ length: Math.floor(r() * 4) }, () => {
        const key = pick(r, KEYS);
        return item(key, requestVersion(r, initial, key), `p${i}-${Math.floor(r() * 100)}`);
      });
      const gv = r() < 0.5 ? undefined : requestVersion(r, initial, GV);
      const deletes = Array.from({ length: Math.floor(r() * 3) }, () => {
        const key = pick(r, KEYS);
        return del(key, requestVersion(r, initial, key));
      });
      const statements = statementsOf(items, gv, deletes);
      if (new Set(statements.map((s) => s.key)).size < statements.length) multiStatementKeys++;
      let threw = false;
      try {
        foldStatements(statements);
      } catch {
        threw = true;
      }
      if (threw) foldConflicts++;
      if (checkCase(initial, statements, true) === 'ok') ok++;
      else conflicts++;
    }
    // The generator must exercise both outcomes and duplicate keys a lot, or this test proves little.
    expect(ok).toBeGreaterThan(3_000);
    expect(conflicts).toBeGreaterThan(2_000);
    expect(foldConflicts).toBeGreaterThan(500);
    expect(conflicts - foldConflicts).toBeGreaterThan(2_000); // conflicts found by the store's preconditions
    expect(multiStatementKeys).toBeGreaterThan(5_000);
  });

  it('for 20 000 random statement sequences in any order (deletes before puts too): same outcome and same final state', () => {
    const r = prng(42);
    let ok = 0;
    for (let i = 0; i < 20_000; i++) {
      const initial = randomState(r);
      const statements: Statement[] = Array.from({ length: 1 + Math.floor(r() * 5) }, (_, j) => {
        const key = pick(r, KEYS);
        const version = requestVersion(r, initial, key);
        return r() < 0.6 ? { op: 'put' as const, key, version, value: val(`s${i}.${j}`) } : { op: 'delete' as const, key, version };
      });
      if (checkCase(initial, statements, false) === 'ok') ok++;
    }
    expect(ok).toBeGreaterThan(2_500);
  });

  it('exhaustively: every pair of statements on one key, on every initial state of that key', () => {
    const versions = [-2n, -1n, 0n, 1n, 2n, 3n];
    const stmts: Statement[] = [];
    for (const v of versions) {
      stmts.push({ op: 'put', key: 'k', version: v, value: val(`p${v}`) });
      stmts.push({ op: 'delete', key: 'k', version: v });
    }
    const initials: State[] = [new Map(), ...[1n, 2n, 3n].map((v) => new Map([['k', { version: v, value: 'init', created: 0 }]]))];
    let cases = 0;
    for (const a of stmts)
      for (const b of stmts)
        for (const c of [undefined, ...stmts])
          for (const init of initials) {
            checkCase(init, c ? [a, b, c] : [a, b], false);
            cases++;
          }
    expect(cases).toBe(12 * 12 * 13 * 4);
  });
});
