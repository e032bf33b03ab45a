/**
 * The bound on bytes one server holds in memory at once (`--max-in-flight-bytes`): request bodies,
 * and the values of the large reads it answers. A VSS request is one protobuf message, so a body
 * is held whole until it is answered, and a GetObject of a large value holds the value while it is
 * answered (fetched into one buffer, and the chunks it arrived in until they are collected);
 * without a bound, a few concurrent 50 MB puts or reads run a small task out of memory. A request
 * whose body, or a read whose value, does not fit in what is left is answered 503
 * INTERNAL_SERVER_EXCEPTION (clients retry it with backoff) without reading the body or fetching
 * the value; what a request took is given back once its response is finished and the request path
 * is done with it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ErrorCode, VssError } from '../lambda/core/errors.js';

export const BUSY_MESSAGE = 'The server is holding as many request bytes as it may; retry shortly';
export const BUSY_READ_MESSAGE = 'The server is holding as many value bytes as it may; retry shortly';

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

  /** Bytes held now and at most so far. */
  get inFlight(): number {
    return this.held;
  }
  get highWater(): number {
    return this.peak;
  }
}

/**
 * What one request holds of the budget. Several parts of the request hold it (the answer being
 * sent, the work producing it); all of it is given back when the last of them is `done`.
 */
export class RequestReservation {
  private taken = 0;

  constructor(
    private readonly budget: MemoryBudget,
    private holders = 1,
  ) {}

  /** The most this request may still take, were the rest of the server holding nothing. */
  get room(): number {
    return this.budget.limit - this.taken;
  }

  /** Takes `bytes` more for this request if they fit; false (and nothing taken) when they do not. */
  take(bytes: number): boolean {
    if (!this.budget.take(bytes)) return false;
    this.taken += bytes;
    return true;
  }

  /** One holder is done; the last one gives everything back. */
  done(): void {
    if (--this.holders > 0) return;
    this.budget.give(this.taken);
    this.taken = 0;
  }
}

/** The reservation of the request being answered, where the server runs it (server.ts). */
const current = new AsyncLocalStorage<RequestReservation>();

/** Runs `fn` as part of the request that holds `reservation`. */
export function withReservation<T>(reservation: RequestReservation, fn: () => Promise<T>): Promise<T> {
  return current.run(reservation, fn);
}

/**
 * The object tier's admission of a read (ObjectTierOptions.admitRead): before a value of `bytes`
 * is fetched, the request answering it takes twice that (the value, and the chunks it arrives in
 * until they are collected; the answer is written around the value, not copied: codec.ts
 * ResponseBody), or is refused with 503 and fetches nothing. A value that any write the server
 * accepts can leave (up to --max-body-bytes, itself within the bound) must stay readable, so a
 * read never takes more than the bound leaves its request: alone, it is always admitted. A read
 * outside a request (the sweeper, the bulk tools) is not bounded here.
 */
export function admitReadWithinRequest(bytes: number): void {
  const reservation = current.getStore();
  if (reservation && !reservation.take(Math.min(2 * bytes, reservation.room)))
    throw new VssError(ErrorCode.INTERNAL_SERVER_EXCEPTION, 503, BUSY_READ_MESSAGE);
}
