/**
 * The deployed functions load the value bucket's S3 client on first use (object-tier-settings.ts,
 * lazy-object-store.ts): the object tier as the functions compose it, on the primary engine, against the
 * embedded object store. A request whose values stay inline costs one DynamoDB request and never
 * loads it; the first value above the threshold loads it once; a load that fails answers that
 * request with an error, makes nothing visible, and is tried again on the next use. Requests
 * and loads are counted, never timed. The bundled form (a file of its own beside index.mjs) is
 * test/infra/bundles.test.ts's subject.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../lambda/contract.js';
import type { KeyWrite, Scope } from '../../lambda/core/kv-store.js';
import { DynamoDbStore } from '../../lambda/store/dynamodb-store.js';
import { LazyObjectStore } from '../../lambda/store/lazy-object-store.js';
import { objectPlacement } from '../../lambda/store/object-tier.js';
import { importValueBucketModule, objectTierFromEnv, type ObjectTierSettings } from '../../lambda/store/object-tier-settings.js';
import { localClient } from '../../local/engines.js';
import { ensureTable } from '../../local/table.js';
import { primaryEngine } from '../support/local-vss.js';
import { PATIENT_OBJECT_STORE, startTestObjectStore, type TestObjectStore } from '../support/s3.js';

const put = (key: string, value: Uint8Array, version = 0n): KeyWrite => ({
  kind: 'put',
  key,
  precondition: version === 0n ? { kind: 'absent' } : { kind: 'version', version },
  version: version + 1n,
  value,
  recreated: false,
});

describe('importValueBucketModule', () => {
  it('run from source, loads value-bucket-store.ts, which makes an S3 object store for a bucket', async () => {
    const m = await importValueBucketModule();
    const store = m.valueBucketStore('some-bucket');
    expect(typeof store.put).toBe('function');
    expect((store as { bucket?: string }).bucket).toBe('some-bucket');
  });
});

describe('LazyObjectStore', () => {
  it('loads nothing until asked; asked twice at once, loads once', async () => {
    let loads = 0;
    const lazy = new LazyObjectStore(async () => {
      loads++;
      return { put: async () => {}, get: async () => new Uint8Array([1]), delete: async () => {}, list: async () => ({ objects: [] }) };
    });
    expect(lazy.loaded).toBe(false);
    expect(loads).toBe(0);
    const [a, b] = await Promise.all([lazy.get('x'), lazy.get('y')]);
    expect([a, b]).toEqual([new Uint8Array([1]), new Uint8Array([1])]);
    expect(loads).toBe(1);
  });
});

describe.each([primaryEngine()])('the value bucket as a deployed function composes it, on $name', (engine) => {
  let s3: TestObjectStore;
  const tableName = `lazy-bucket-${engine.name}-${Date.now()}`;
  const scope = (): Scope => ({ userToken: 'lazy-user', storeId: `s-${randomBytes(4).toString('hex')}` });

  beforeAll(async () => {
    s3 = await startTestObjectStore();
    await ensureTable(localClient(engine.endpoint), tableName);
  });
  afterAll(async () => {
    await s3?.stop();
  });

  /** The store of a fresh execution environment, with its loads of the S3 client and its DynamoDB requests counted. */
  function environment(failLoads = 0) {
    const counts = { loads: 0, dynamodb: 0 };
    let failures = failLoads;
    const tier = objectTierFromEnv({ [ENV.valueBucket]: s3.bucket }, async () => {
      counts.loads++;
      if (failures-- > 0) throw new Error('the value-bucket module could not be loaded');
      return { valueBucketStore: () => s3.objectStore(PATIENT_OBJECT_STORE) };
    }) as ObjectTierSettings;
    const store = new DynamoDbStore({
      client: localClient(engine.endpoint),
      tableName,
      inlineMaxBytes: tier.inlineMaxBytes,
      placement: objectPlacement(tier.objects, { retentionMs: tier.retentionMs }),
      onRequest: () => {
        counts.dynamodb++;
      },
    });
    const reset = () => {
      counts.dynamodb = 0;
      s3.requests.clear();
    };
    return { counts, store, tier, reset };
  }

  const s3Requests = () => [...s3.requests.values()].reduce((a, b) => a + b, 0);

  it('values below the threshold: put, get, list and delete cost one DynamoDB request each and never load the S3 client', async () => {
    const { counts, store, tier, reset } = environment();
    const sc = scope();
    const value = randomBytes(tier.inlineMaxBytes / 2);
    reset();
    await store.write(sc, [put('k', value)]);
    expect(counts.dynamodb).toBe(1);
    reset();
    expect(Buffer.from((await store.get(sc, 'k'))!.value).equals(value)).toBe(true);
    expect(counts.dynamodb).toBe(1);
    reset();
    expect((await store.list(sc, { prefix: '', pageSize: 10 })).keyVersions.map((k) => k.key)).toEqual(['k']);
    expect(counts.dynamodb).toBe(1);
    reset();
    await store.deleteIfVersion(sc, 'k', 1n);
    expect(counts.dynamodb).toBe(1);
    expect(counts.loads).toBe(0);
    expect((tier.objects as LazyObjectStore).loaded).toBe(false);
    expect(s3Requests()).toBe(0);
  });

  it('the first value above the threshold loads the S3 client, once for the environment', async () => {
    const { counts, store, tier } = environment();
    const sc = scope();
    const value = randomBytes(tier.inlineMaxBytes * 2);
    await store.write(sc, [put('big', value)]);
    expect(counts.loads).toBe(1);
    expect(Buffer.from((await store.get(sc, 'big'))!.value).equals(value)).toBe(true);
    await store.write(sc, [put('big', randomBytes(tier.inlineMaxBytes * 3), 1n)]);
    await store.deleteIfVersion(sc, 'big', 2n);
    expect(counts.loads).toBe(1);
  });

  it('a load that fails answers that write with an error and leaves nothing visible; the load is tried again on the next use', async () => {
    const { counts, store, tier } = environment(1);
    const sc = scope();
    const value = randomBytes(tier.inlineMaxBytes * 2);
    await expect(store.write(sc, [put('big', value)])).rejects.toThrow();
    expect(await store.get(sc, 'big')).toBeUndefined();
    await store.write(sc, [put('big', value)]);
    expect(counts.loads).toBe(2);
    expect(Buffer.from((await store.get(sc, 'big'))!.value).equals(value)).toBe(true);
  });
});
