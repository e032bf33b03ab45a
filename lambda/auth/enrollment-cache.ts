/**
 * What one instance remembers of the enrollment allowlist (docs/auth.md, "Enrollment"): each
 * answer, yes or no, for `ttlMs`, so a key costs at most one lookup per instance per period, and
 * concurrent requests of one key share one lookup. A failed lookup is not remembered (the request
 * fails with 500 and the next one asks again).
 *
 * The period is also the bound on revocation: an answer is kept for `ttlMs` from the moment its
 * lookup started, and the lookup is strongly consistent, so a key removed with `vss admin
 * deny-user` is refused by every instance at most `ttlMs` after the command returned. A key
 * registered with `allow-user` is accepted at most `ttlMs` after it, on an instance that had
 * refused it just before.
 *
 * Registered and refused keys are kept apart: a flood of unknown keys (a million minted
 * identities) evicts only other refused keys, never the registered ones.
 */

/** How long an instance trusts an answer: the revocation bound of docs/auth.md. */
export const ENROLLMENT_CACHE_SECONDS = 60;
/** Most registered keys one instance remembers (beyond, the oldest are asked again). */
export const MAX_REMEMBERED_ENROLLED = 100_000;
/** Most refused keys one instance remembers. */
export const MAX_REMEMBERED_REFUSED = 10_000;

export interface EnrollmentCacheOptions {
  /** The authoritative answer (a strongly consistent read of the allowlist). */
  readonly lookup: (userToken: string) => Promise<boolean>;
  /** @default ENROLLMENT_CACHE_SECONDS * 1000 */
  readonly ttlMs?: number;
  /** Milliseconds. @default Date.now */
  readonly now?: () => number;
}

export class EnrollmentCache {
  private readonly enrolled = new Map<string, number>();
  private readonly refused = new Map<string, number>();
  private readonly pending = new Map<string, Promise<boolean>>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(private readonly options: EnrollmentCacheOptions) {
    this.ttlMs = options.ttlMs ?? ENROLLMENT_CACHE_SECONDS * 1000;
    this.now = options.now ?? Date.now;
  }

  isEnrolled(userToken: string): Promise<boolean> {
    const now = this.now();
    if (fresh(this.enrolled, userToken, now)) return Promise.resolve(true);
    if (fresh(this.refused, userToken, now)) return Promise.resolve(false);
    const inFlight = this.pending.get(userToken);
    if (inFlight) return inFlight;
    const until = now + this.ttlMs;
    const lookup = this.options.lookup(userToken).then(
      (yes) => {
        this.pending.delete(userToken);
        remember(yes ? this.enrolled : this.refused, userToken, until, yes ? MAX_REMEMBERED_ENROLLED : MAX_REMEMBERED_REFUSED);
        (yes ? this.refused : this.enrolled).delete(userToken);
        return yes;
      },
      (e: unknown) => {
        this.pending.delete(userToken);
        throw e;
      },
    );
    this.pending.set(userToken, lookup);
    return lookup;
  }
}

function fresh(map: Map<string, number>, key: string, now: number): boolean {
  const until = map.get(key);
  if (until === undefined) return false;
  if (now < until) return true;
  map.delete(key);
  return false;
}

function remember(map: Map<string, number>, key: string, until: number, max: number): void {
  map.delete(key); // re-inserted last: the map's insertion order is the eviction order
  if (map.size >= max) map.delete(map.keys().next().value!);
  map.set(key, until);
}
