/**
 * The object-store port in memory, for the fault-injection tests that run the store against a
 * mocked DynamoDB (no engine, no network): it records every call, and a test makes any of them
 * fail. Its behaviour is the port's contract (lambda/core/object-store.ts), which
 * test/objects/s3-object-store.test.ts proves of the S3 implementation.
 */
import type { ObjectPage, ObjectStore } from '../../lambda/core/object-store.js';

export type ObjectCall = { op: 'put' | 'get' | 'delete'; key: string };

export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, Uint8Array>();
  readonly calls: ObjectCall[] = [];
  /** When set, the named operation throws this error. */
  failing: Partial<Record<ObjectCall['op'], () => Error>> = {};

  async put(key: string, body: Uint8Array, _sha256: Uint8Array): Promise<void> {
    this.calls.push({ op: 'put', key });
    const fail = this.failing.put;
    if (fail) throw fail();
    this.objects.set(key, Uint8Array.from(body));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    this.calls.push({ op: 'get', key });
    const fail = this.failing.get;
    if (fail) throw fail();
    return this.objects.get(key);
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.calls.push({ op: 'delete', key });
    const fail = this.failing.delete;
    if (fail) throw fail();
    for (const key of keys) this.objects.delete(key);
  }

  async list(prefix: string): Promise<ObjectPage> {
    return {
      objects: [...this.objects.entries()]
        .filter(([key]) => key.startsWith(prefix))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, body]) => ({ key, bytes: body.length, lastModifiedMs: 0 })),
    };
  }

  /** Keys of one operation, in call order. */
  keys(op: ObjectCall['op']): string[] {
    return this.calls.filter((c) => c.op === op).map((c) => c.key);
  }
}
