/**
 * The object-store port: where the bytes of large values live when they do not fit the table
 * (docs/large-values.md). It sits beside the KeyValueStore port (kv-store.ts) and, like it, knows
 * nothing of AWS: lambda/store/s3-object-store.ts implements it on S3 (and on any S3-compatible
 * server), and another implementation (a filesystem, another cloud) plugs in without touching the
 * core or the table store.
 *
 * What the table store relies on, and every implementation must give:
 * - an object is written once under a key nobody else uses (object-keys.ts makes them unique),
 *   so neither conditional writes nor versioning are needed;
 * - a `put` that returned is readable by the next `get`, byte for byte;
 * - a `get` of a key that does not exist answers `undefined`, never an error;
 * - `delete` of a key that does not exist succeeds;
 * - every fault throws (after the implementation's own bounded retries): the caller maps it to a
 *   protocol 500, never to wrong bytes.
 */

/** One stored object as a listing shows it. */
export interface StoredObject {
  readonly key: string;
  readonly bytes: number;
  /** When it was written, milliseconds since the epoch. */
  readonly lastModifiedMs: number;
}

export interface ObjectPage {
  readonly objects: readonly StoredObject[];
  /** Pass to the next `list` call; absent on the last page. */
  readonly next?: string;
}

export interface ObjectStore {
  /** Writes `body` under `key`; `sha256` (32 bytes) lets a store verify the bytes it received. */
  put(key: string, body: Uint8Array, sha256: Uint8Array): Promise<void>;
  /** The object's bytes, or undefined when no object has this key. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Deletes these keys (any number; missing ones are fine). */
  delete(keys: readonly string[]): Promise<void>;
  /** One page of the objects whose key starts with `prefix`, in key order. */
  list(prefix: string, next?: string): Promise<ObjectPage>;
}
