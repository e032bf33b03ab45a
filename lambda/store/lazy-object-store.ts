/**
 * An object store that is loaded on its first use: the deployed functions keep the S3 client out
 * of their cold start (object-tier-settings.ts), because most requests carry only small values,
 * which never reach the object store. The first request that does pays the load once per
 * execution environment; a load that fails is tried again by the next request.
 */
import type { ObjectPage, ObjectStore } from '../core/object-store.js';

export class LazyObjectStore implements ObjectStore {
  private loading: Promise<ObjectStore> | undefined;

  constructor(private readonly load: () => Promise<ObjectStore>) {}

  /** Has the store been asked for (and so its module loaded, or being loaded)? */
  get loaded(): boolean {
    return this.loading !== undefined;
  }

  async put(key: string, body: Uint8Array, sha256: Uint8Array): Promise<void> {
    return (await this.store()).put(key, body, sha256);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return (await this.store()).get(key);
  }

  async delete(keys: readonly string[]): Promise<void> {
    return (await this.store()).delete(keys);
  }

  async list(prefix: string, next?: string): Promise<ObjectPage> {
    return (await this.store()).list(prefix, next);
  }

  private store(): Promise<ObjectStore> {
    this.loading ??= this.load().catch((e: unknown) => {
      this.loading = undefined;
      throw e;
    });
    return this.loading;
  }
}
