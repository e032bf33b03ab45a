/** Shared by the benchmarks: median and range of interleaved rounds, formatted alike. */

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** "12.3 (10.1–15.0)": median and range. */
export function fmt(s: Summary, digits = 1): string {
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}

/**
 * Runs every case once per round, rotating the order each round so that machine noise (other
 * processes, GC, CPU frequency) hits all cases alike, and returns the time per call of each case
 * in ms. A case may run `batch` calls per round to time sub-microsecond work.
 */
export async function interleave(
  rounds: number,
  cases: Readonly<Record<string, (i: number) => unknown>>,
  batch = 1,
): Promise<Record<string, Summary>> {
  const names = Object.keys(cases);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  let i = 0;
  // Warm-up: JIT and caches, not measured.
  for (const n of names) for (let k = 0; k < Math.min(batch * 3, 200); k++) await cases[n]!(i++);
  for (let round = 0; round < rounds; round++) {
    for (let j = 0; j < names.length; j++) {
      const n = names[(j + round) % names.length]!;
      const t0 = performance.now();
      for (let k = 0; k < batch; k++) await cases[n]!(i++);
      samples[n]!.push((performance.now() - t0) / batch);
    }
  }
  return Object.fromEntries(names.map((n) => [n, summarize(samples[n]!)]));
}
