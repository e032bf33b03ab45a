/**
 * Creation positions for the `bySeq` index (docs/protocol.md §7.7: newest-created first, stable across
 * updates, request order within one PutObjects).
 *
 * A position is `microseconds since the epoch × 128 + index within the request` (a request has at
 * most 100 new records). It comes from the writer's clock, so no extra DynamoDB round trip or hot
 * counter item is needed. Within one process positions strictly increase even if the clock steps
 * back. Across Lambda instances the order of creations that are causally ordered (one write
 * acknowledged before the next is sent) is right whenever clock skew is below the request's round
 * trip; Lambda clocks are disciplined by the Amazon Time Sync Service (docs/data-model.md).
 * Ties between instances are harmless: the index orders equal positions by key, and page tokens
 * carry (position, key), so no record is skipped or repeated.
 */
const SLOTS_PER_MICROSECOND = 128n;

/** The global-version record sits above every creation position, so a descending Query reads it first. */
export const GLOBAL_VERSION_SEQ = 10n ** 30n;

export class SeqClock {
  private last = 0n;

  constructor(private readonly nowMicros: () => bigint = defaultNowMicros) {}

  /** Reserves `count` consecutive positions; returns the first. */
  reserve(count: number): bigint {
    const fromClock = this.nowMicros() * SLOTS_PER_MICROSECOND;
    const first = fromClock > this.last ? fromClock : this.last + 1n;
    this.last = first + BigInt(Math.max(count, 1)) - 1n;
    return first;
  }
}

function defaultNowMicros(): bigint {
  // Wall clock (NTP-disciplined), not a monotonic timer: positions from different instances must
  // be comparable. Millisecond resolution; monotonicity within the process comes from `last`.
  return BigInt(Date.now()) * 1000n;
}
