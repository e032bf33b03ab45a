/**
 * The object-store port on S3 (lambda/store/s3-object-store.ts) against a real S3-compatible
 * server, the embedded one of `npm start` (test/support/s3.ts): what the table store relies on
 * (lambda/core/object-store.ts), and the faults it must turn into a protocol 500.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, isVssError } from '../../lambda/core/errors.js';
import { newObjectKey, userObjectPrefix } from '../../lambda/store/object-keys.js';
import type { S3RequestEvent } from '../../lambda/store/s3-object-store.js';
import { startTestObjectStore, type TestObjectStore } from '../support/s3.js';

let s3: TestObjectStore;

beforeAll(async () => {
  s3 = await startTestObjectStore();
});
afterAll(async () => {
  await s3?.stop();
});
afterEach(async () => {
  await s3.fault('none');
});

const sha256 = (b: Uint8Array): Uint8Array => createHash('sha256').update(b).digest();

async function expectInternalError(p: Promise<unknown>): Promise<unknown> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isVssError(e) && e.code === ErrorCode.INTERNAL_SERVER_EXCEPTION && e.status === 500).toBe(true);
  return (e as { cause?: unknown }).cause;
}

describe('S3ObjectStore on the embedded store', () => {
  it('reads back exactly the bytes it wrote, and undefined for a key never written', async () => {
    const store = s3.objectStore();
    const key = newObjectKey('alice');
    const body = randomBytes(3 * 1024 * 1024 + 7);
    await store.put(key, body, sha256(body));
    expect(Buffer.from((await store.get(key))!).equals(body)).toBe(true);
    expect(await store.get(newObjectKey('alice'))).toBeUndefined();
  });

  it('answers every read right after the write acknowledged it with the whole object (many at once)', async () => {
    const store = s3.objectStore();
    const bodies = Array.from({ length: 6 }, (_, i) => randomBytes(1024 * 1024 + i));
    const keys = bodies.map(() => newObjectKey('bob'));
    await Promise.all(
      bodies.map(async (body, i) => {
        await store.put(keys[i]!, body, sha256(body));
        const back = await store.get(keys[i]!);
        expect(back?.length).toBe(body.length);
        expect(Buffer.from(back!).equals(body)).toBe(true);
      }),
    );
  });

  it('lists one user by its prefix only, with sizes, and deletes (missing keys included) without error', async () => {
    const store = s3.objectStore();
    const mine = [newObjectKey('carol'), newObjectKey('carol')];
    const theirs = newObjectKey('dave');
    for (const key of [...mine, theirs]) await store.put(key, Buffer.from(key), sha256(Buffer.from(key)));
    const page = await store.list(userObjectPrefix('carol'));
    expect(page.objects.map((o) => o.key).sort()).toEqual([...mine].sort());
    expect(page.objects.every((o) => o.bytes === mine[0]!.length && o.lastModifiedMs > 0)).toBe(true);
    expect(page.next).toBeUndefined();
    await store.delete([...mine, newObjectKey('carol')]);
    expect((await store.list(userObjectPrefix('carol'))).objects).toEqual([]);
    expect(await store.get(theirs)).toBeDefined();
  });

  it('counts each request with the bytes it moved', async () => {
    const events: S3RequestEvent[] = [];
    const store = s3.objectStore({ onRequest: (e) => events.push(e) });
    const key = newObjectKey('erin');
    const body = randomBytes(50_000);
    await store.put(key, body, sha256(body));
    await store.get(key);
    await store.delete([key]);
    expect(events.map((e) => [e.command, e.bytes, e.failed])).toEqual([
      ['PutObject', 50_000, false],
      ['GetObject', 50_000, false],
      ['DeleteObjects', 1, false],
    ]);
  });
});

describe('S3ObjectStore faults become a protocol 500, and the store recovers', () => {
  it('retries a store answering 500, then gives up with a 500 of its own', async () => {
    const events: S3RequestEvent[] = [];
    const store = s3.objectStore({ onRequest: (e) => events.push(e) });
    await s3.fault('error500');
    const body = randomBytes(100_000);
    await expectInternalError(store.put(newObjectKey('frank'), body, sha256(body)));
    expect(events.length).toBeGreaterThan(1);
    expect(events.every((e) => e.failed)).toBe(true);
    await s3.fault('none');
    const key = newObjectKey('frank');
    await store.put(key, body, sha256(body));
    expect(Buffer.from((await store.get(key))!).equals(body)).toBe(true);
  });

  it('answers 500 when the store is unreachable, and works again when it is back', async () => {
    const store = s3.objectStore();
    await s3.fault('down');
    const cause = await expectInternalError(store.get(newObjectKey('grace')));
    expect((cause as { code?: string }).code).toBe('ECONNREFUSED');
    await s3.fault('none');
    expect(await store.get(newObjectKey('grace'))).toBeUndefined();
  });

  it('answers 500 when the store stops answering: the request timeout throws', async () => {
    const store = s3.objectStore();
    await s3.fault('stall');
    const cause = await expectInternalError(store.list(userObjectPrefix('heidi')));
    expect((cause as Error).name).toBe('TimeoutError');
  });

  it('answers 500 when a value arrives too slowly: the body deadline throws', async () => {
    // The deadline covers the body, not only the headers: shown with an allowance of half a second
    // and one attempt, since the service's own (5 s and 1 MB/s, then retries within 3 s) is the
    // subject of the test above.
    const store = s3.objectStore({ transferTimeoutMs: () => 500, retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, budgetMs: 0 } });
    const key = newObjectKey('ivan');
    const body = randomBytes(2 * 1024 * 1024);
    await store.put(key, body, sha256(body));
    // Every chunk of the answer waits 200 ms: 2 MiB arrive in far more than the half second.
    await s3.fault('slow', 200);
    const cause = await expectInternalError(store.get(key));
    expect((cause as Error).name).toBe('TimeoutError');
  });
});
