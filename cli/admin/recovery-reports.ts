/**
 * How `vss admin verify-table` and `vss admin diff-tables` print their findings: a line per
 * finding for people, or JSON (`--json`) for scripts. Users appear by user hash in verify-table
 * (as in the logs); diff-tables also names the user token, which is what the provider must reach.
 */
import { userHash } from '../../lambda/core/user-hash.js';
import type { VerifyReport } from '../../lambda/store/table-verifier.js';
import type { DiffReport } from './diff-tables.js';

const str = (n: bigint | undefined): string | null => (n === undefined ? null : n.toString());
const hashOf = (token: string | undefined): string | null => (token === undefined ? null : userHash(token));

export function verifyJson(table: string, r: VerifyReport, seconds: number): string {
  return `${JSON.stringify(
    {
      table,
      sound: r.problems.length === 0,
      items: r.items,
      records: r.records,
      stores: r.stores,
      outOfLineValues: r.outOfLineValues,
      uncheckedObjects: r.uncheckedObjects,
      seconds,
      problems: r.problems.map((p) => ({
        kind: p.kind,
        userHash: hashOf(p.userToken),
        store: p.storeId ?? null,
        key: p.key ?? null,
        detail: p.detail,
      })),
    },
    null,
    2,
  )}\n`;
}

export function verifyText(table: string, r: VerifyReport, seconds: number): string {
  const lines = r.problems.map(
    (p) =>
      `${p.kind}: user ${hashOf(p.userToken) ?? '?'} store ${JSON.stringify(p.storeId ?? '?')} key ${p.key === undefined ? '-' : JSON.stringify(p.key)}: ${p.detail}`,
  );
  const verdict = r.problems.length === 0 ? 'sound' : `${r.problems.length} problems`;
  lines.push(
    `table ${table}: ${r.items} items, ${r.records} records in ${r.stores} stores, ${r.outOfLineValues} out-of-line values${r.uncheckedObjects > 0 ? ` (${r.uncheckedObjects} in the value bucket not checked)` : ''}, ${seconds.toFixed(1)} s: ${verdict}`,
  );
  return `${lines.join('\n')}\n`;
}

export function diffJson(tableA: string, tableB: string, r: DiffReport, seconds: number): string {
  return `${JSON.stringify(
    {
      table: tableA,
      against: tableB,
      recordsA: r.recordsA,
      recordsB: r.recordsB,
      seconds,
      users: new Set(r.stores.map((s) => s.userToken)).size,
      keys: r.stores.reduce((n, s) => n + s.keys.length, 0),
      stores: r.stores.map((s) => ({
        user: s.userToken,
        userHash: userHash(s.userToken),
        store: s.storeId,
        newestCreationPosition: { restored: str(s.newestCreationPositionA), later: str(s.newestCreationPositionB) },
        keys: s.keys.map((k) => ({
          key: k.key,
          change: k.change,
          version: { restored: str(k.versionA), later: str(k.versionB) },
          creationPosition: { restored: str(k.seqA), later: str(k.seqB) },
        })),
      })),
    },
    null,
    2,
  )}\n`;
}

export function diffText(tableA: string, tableB: string, r: DiffReport, seconds: number): string {
  const lines: string[] = [];
  for (const s of r.stores) {
    lines.push(
      `user ${s.userToken} (${userHash(s.userToken)}) store ${JSON.stringify(s.storeId)}: ${s.keys.length} keys differ; newest creation position ${str(s.newestCreationPositionA) ?? 'none'} in ${tableA}, ${str(s.newestCreationPositionB) ?? 'none'} in ${tableB}`,
    );
    for (const k of s.keys)
      lines.push(`  ${k.change} ${JSON.stringify(k.key)}: version ${str(k.versionA) ?? 'absent'} → ${str(k.versionB) ?? 'absent'}`);
  }
  const users = new Set(r.stores.map((s) => s.userToken)).size;
  const keys = r.stores.reduce((n, s) => n + s.keys.length, 0);
  lines.push(
    keys === 0
      ? `${tableA} and ${tableB}: no differences (${r.recordsA} and ${r.recordsB} records, ${seconds.toFixed(1)} s)`
      : `${tableA} → ${tableB}: ${keys} keys differ in ${r.stores.length} stores of ${users} users (${r.recordsA} and ${r.recordsB} records, ${seconds.toFixed(1)} s)`,
  );
  return `${lines.join('\n')}\n`;
}
