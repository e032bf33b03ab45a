/**
 * The bound on request body bytes one server holds in memory at once (`--max-in-flight-bytes`).
 * A VSS request is one protobuf message, so a body is held whole until it is answered; without a
 * bound, a few concurrent 50 MB puts run a small task out of memory. A request whose body does not
 * fit in what is left is answered 503 INTERNAL_SERVER_EXCEPTION (clients retry it with backoff)
 * without reading its body; what a request took is given back when its response is finished.
 */
import { ErrorCode, VssError } from '../lambda/core/errors.js';

export const BUSY_MESSAGE = 'The server is holding as many request bytes as it may; retry shortly';

export const serverBusy = (): VssError => new VssError(ErrorCode.INTERNAL_SERVER_EXCEPTION, 503, BUSY_MESSAGE);

export class MemoryBudget {
  private held = 0;
  private peak = 0;

  constructor(
    /** The most bytes held at once. */
    readonly limit: number,
  ) {
    if (!(Number.isSafeInteger(limit) && limit > 0)) throw new Error(`the in-flight byte limit must be a positive integer, got ${limit}`);
  }

  /** Takes `bytes` if they fit; false (and nothing taken) when they do not. */
  take(bytes: number): boolean {
    if (this.held + bytes > this.limit) return false;
    this.held += bytes;
    if (this.held > this.peak) this.peak = this.held;
    return true;
  }

  give(bytes: number): void {
    this.held = Math.max(0, this.held - bytes);
  }

  /** Bytes held now and at most so far (the /metrics gauges). */
  get inFlight(): number {
    return this.held;
  }
  get highWater(): number {
    return this.peak;
  }
}
