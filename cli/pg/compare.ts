/**
 * --verify of pg-import and pg-export: counts and per-record digests of both sides. A record's
 * digest covers its version, its value and its creation position (sort_order = seq), so a
 * difference in any of them, or in listing order, is found. Memory: one digest per record.
 */
import { createHash } from 'node:crypto';
import { GLOBAL_VERSION_KEY } from '../../lambda/core/limits.js';

export interface Side {
  readonly userToken: string;
  readonly storeId: string;
  readonly key: string;
  readonly version: bigint;
  /** sort_order or seq; ignored for the global-version record (its position is fixed per side). */
  readonly order: bigint;
  readonly value: Uint8Array | null;
}

export interface Comparison {
  readonly sourceRecords: number;
  readonly targetRecords: number;
  readonly missingInTarget: string[];
  readonly extraInTarget: string[];
  readonly different: string[];
}

const idOf = (r: Side): string => JSON.stringify([r.userToken, r.storeId, r.key]);

function digestOf(r: Side): string {
  const h = createHash('sha256');
  // A NULL value digests as empty: the import's --null-values policy decides whether it is written.
  h.update(`${r.version}:${r.key === GLOBAL_VERSION_KEY ? '-' : r.order}:`);
  if (r.value) h.update(r.value);
  return h.digest('base64').slice(0, 22);
}

export class Comparer {
  private readonly source = new Map<string, string>();
  private sourceCount = 0;
  private targetCount = 0;
  private readonly extra: string[] = [];
  private readonly different: string[] = [];

  addSource(r: Side): void {
    this.sourceCount++;
    this.source.set(idOf(r), digestOf(r));
  }

  /** After every source record was added. Returns false for a record the source does not have. */
  addTarget(r: Side): boolean {
    this.targetCount++;
    const id = idOf(r);
    const want = this.source.get(id);
    if (want === undefined) {
      this.extra.push(id);
      return false;
    } else {
      if (want !== digestOf(r)) this.different.push(id);
      this.source.delete(id);
      return true;
    }
  }

  result(): Comparison {
    return {
      sourceRecords: this.sourceCount,
      targetRecords: this.targetCount,
      missingInTarget: [...this.source.keys()],
      extraInTarget: this.extra,
      different: this.different,
    };
  }
}

/** `resolvedExtra`: extra records that were dealt with (deleted), so they are no difference. */
export function comparisonReport(c: Comparison, resolvedExtra = 0): Record<string, number | boolean | string[]> {
  return {
    verified: c.missingInTarget.length === 0 && c.extraInTarget.length <= resolvedExtra && c.different.length === 0,
    verifySourceRecords: c.sourceRecords,
    verifyTargetRecords: c.targetRecords,
    missingInTarget: c.missingInTarget.slice(0, 100),
    extraInTarget: c.extraInTarget.slice(0, 100),
    differentInTarget: c.different.slice(0, 100),
  };
}
