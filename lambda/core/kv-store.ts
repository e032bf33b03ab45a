/**
 * The storage contract of the service core. A KeyValueStore stores versioned records scoped to
 * (user_token, store_id); the core has already validated and folded the request (docs/protocol.md §7.4), so
 * a store never sees two writes to one key in one call.
 */

/** Whose data: user_token comes from authentication only (docs/protocol.md §7.9), store_id from the request. */
export interface Scope {
  readonly userToken: string;
  readonly storeId: string;
}

/** What must hold for a record before a write applies; otherwise the whole write conflicts. */
export type Precondition =
  | { readonly kind: 'none' }
  | { readonly kind: 'absent' }
  | { readonly kind: 'exists' }
  | { readonly kind: 'version'; readonly version: bigint };

export interface PutWrite {
  readonly kind: 'put';
  readonly key: string;
  readonly precondition: Precondition;
  /** The version stored after success. */
  readonly version: bigint;
  readonly value: Uint8Array;
  /**
   * True when an earlier operation in the same request deleted the record, so it counts as newly
   * created even if it existed before (it must get a fresh creation position).
   */
  readonly recreated: boolean;
}

export interface DeleteWrite {
  readonly kind: 'delete';
  readonly key: string;
  readonly precondition: Precondition;
}

/** One folded, conditioned operation on one key. The array order is the creation order. */
export type KeyWrite = PutWrite | DeleteWrite;

export interface StoredValue {
  readonly version: bigint;
  readonly value: Uint8Array;
}

export interface KeyVersion {
  readonly key: string;
  readonly version: bigint;
}

export interface ListQuery {
  /** Literal prefix; '' lists everything. */
  readonly prefix: string;
  /** 0..100; 0 returns no keys (docs/protocol.md §3.4). */
  readonly pageSize: number;
  /** Absent on the first page. */
  readonly pageToken?: string;
}

export interface ListPage {
  readonly keyVersions: readonly KeyVersion[];
  /** '' when nothing is left; never a token that fails to advance. */
  readonly nextPageToken: string;
  /** Present on the first page only (0 when the store never used a global version). */
  readonly globalVersion?: bigint;
}

export interface KeyValueStore {
  /** Strongly consistent read of one record; undefined when it does not exist. */
  get(scope: Scope, key: string): Promise<StoredValue | undefined>;
  /**
   * Applies all writes atomically. Throws the protocol's conflict error when any precondition
   * fails (nothing is written), invalidRequest for what the store cannot hold.
   */
  write(scope: Scope, writes: readonly KeyWrite[]): Promise<void>;
  /** DeleteObject: deletes when the version matches ('any' = unconditional); never conflicts. */
  deleteIfVersion(scope: Scope, key: string, version: bigint | 'any'): Promise<void>;
  /** Newest-created first, strongly consistent, global-version key excluded. */
  list(scope: Scope, query: ListQuery): Promise<ListPage>;
}
