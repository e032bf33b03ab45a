/**
 * The `KeyValueStore` contract (lambda/core/kv-store.ts), as one suite that every implementation
 * runs (in the manner of the Rust reference's shared `kv_store_tests`): reads, conditional
 * writes, atomicity, deletes, creation order, paging, prefixes, the global version, large values
 * and concurrent writers. It speaks only the interface, so a new implementation (or a new engine
 * under one) is proven by adding one line to kv-store-contract.test.ts. The protocol rules above
 * the store (validation, folding, HTTP) are test/conformance's.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lambda/core/errors.js';
import type { KeyValueStore, KeyWrite, Precondition, Scope } from '../../lambda/core/kv-store.js';
import { GLOBAL_VERSION_KEY } from '../../lambda/core/limits.js';

/** A store to test; called once per suite (each test uses scopes of its own). */
export type StoreFactory = () => Promise<KeyValueStore>;

const NONE: Precondition = { kind: 'none' };
const ABSENT: Precondition = { kind: 'absent' };
const EXISTS: Precondition = { kind: 'exists' };
const at = (version: bigint): Precondition => ({ kind: 'version', version });

function put(key: string, value: string | Uint8Array, precondition: Precondition, version = 1n, recreated = false): KeyWrite {
  return { kind: 'put', key, precondition, version, value: typeof value === 'string' ? Buffer.from(value) : value, recreated };
}

function del(key: string, precondition: Precondition): KeyWrite {
  return { kind: 'delete', key, precondition };
}

async function expectConflict(p: Promise<unknown>): Promise<void> {
  await expect(p).rejects.toMatchObject({ code: ErrorCode.CONFLICT_EXCEPTION, status: 409 });
}

export function describeKeyValueStoreContract(name: string, makeStore: StoreFactory): void {
  describe(`KeyValueStore contract: ${name}`, () => {
    let store: KeyValueStore;
    const scope = (): Scope => ({ userToken: `user-${randomUUID()}`, storeId: `store-${randomUUID()}` });

    beforeAll(async () => {
      store = await makeStore();
    });

    async function valueOf(s: Scope, key: string): Promise<{ version: bigint; value: string } | undefined> {
      const v = await store.get(s, key);
      return v && { version: v.version, value: Buffer.from(v.value).toString() };
    }

    async function listAll(s: Scope, prefix = '', pageSize = 100): Promise<{ keys: string[]; versions: bigint[]; pages: number }> {
      const keys: string[] = [];
      const versions: bigint[] = [];
      const tokens = new Set<string>();
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await store.list(s, { prefix, pageSize, ...(token !== undefined ? { pageToken: token } : {}) });
        pages++;
        for (const kv of page.keyVersions) {
          keys.push(kv.key);
          versions.push(kv.version);
        }
        expect(tokens.has(page.nextPageToken), 'a page token never repeats').toBe(false);
        tokens.add(page.nextPageToken);
        token = page.nextPageToken === '' ? undefined : page.nextPageToken;
        expect(pages).toBeLessThan(1000);
      } while (token !== undefined);
      return { keys, versions, pages };
    }

    describe('get and conditional puts', () => {
      it('reads a key that was never written as absent', async () => {
        expect(await store.get(scope(), 'missing')).toBeUndefined();
      });

      it('stores the version the write carries and reads back key, value and version', async () => {
        const s = scope();
        await store.write(s, [put('k', 'hello', ABSENT, 1n)]);
        expect(await valueOf(s, 'k')).toEqual({ version: 1n, value: 'hello' });
        await store.write(s, [put('k', 'again', at(1n), 2n)]);
        expect(await valueOf(s, 'k')).toEqual({ version: 2n, value: 'again' });
      });

      it('stores an empty key and an empty value', async () => {
        const s = scope();
        await store.write(s, [put('', '', ABSENT), put('e', '', ABSENT)]);
        expect(await valueOf(s, '')).toEqual({ version: 1n, value: '' });
        expect(await valueOf(s, 'e')).toEqual({ version: 1n, value: '' });
      });

      it('"absent" creates once and then conflicts, keeping the first value', async () => {
        const s = scope();
        await store.write(s, [put('k', 'first', ABSENT)]);
        await expectConflict(store.write(s, [put('k', 'second', ABSENT)]));
        expect(await valueOf(s, 'k')).toEqual({ version: 1n, value: 'first' });
      });

      it('"version n" applies only when the stored version is n; on a missing key it conflicts and creates nothing', async () => {
        const s = scope();
        await store.write(s, [put('k', 'a', ABSENT)]);
        await expectConflict(store.write(s, [put('k', 'wrong', at(2n), 3n)]));
        expect(await valueOf(s, 'k')).toEqual({ version: 1n, value: 'a' });
        await expectConflict(store.write(s, [put('new', 'x', at(5n), 6n)]));
        expect(await store.get(s, 'new')).toBeUndefined();
      });

      it('"none" overwrites whatever is stored, and "exists" conflicts on a missing key', async () => {
        const s = scope();
        await store.write(s, [put('k', 'a', ABSENT, 1n)]);
        await store.write(s, [put('k', 'b', at(1n), 2n)]);
        await store.write(s, [put('k', 'c', NONE, 1n)]);
        expect(await valueOf(s, 'k')).toEqual({ version: 1n, value: 'c' });
        await store.write(s, [put('k', 'd', EXISTS, 1n)]);
        expect(await valueOf(s, 'k')).toEqual({ version: 1n, value: 'd' });
        await expectConflict(store.write(s, [put('missing', 'x', EXISTS, 1n)]));
        expect(await store.get(s, 'missing')).toBeUndefined();
      });

      it('keeps users and stores apart: the same key in another scope is another record', async () => {
        const a = scope();
        const b = { userToken: a.userToken, storeId: `${a.storeId}-other` };
        const c = { userToken: `${a.userToken}-other`, storeId: a.storeId };
        await store.write(a, [put('k', 'a', ABSENT)]);
        expect(await store.get(b, 'k')).toBeUndefined();
        expect(await store.get(c, 'k')).toBeUndefined();
        await store.write(b, [put('k', 'b', ABSENT)]);
        expect(await valueOf(a, 'k')).toEqual({ version: 1n, value: 'a' });
        expect((await listAll(c)).keys).toEqual([]);
      });
    });

    describe('atomic writes', () => {
      it('a failed precondition on one write applies none of the others', async () => {
        const s = scope();
        await store.write(s, [put('a', 'a1', ABSENT)]);
        await expectConflict(store.write(s, [put('b', 'b1', ABSENT), put('a', 'a2', ABSENT), put('c', 'c1', NONE)]));
        expect(await store.get(s, 'b')).toBeUndefined();
        expect(await store.get(s, 'c')).toBeUndefined();
        expect(await valueOf(s, 'a')).toEqual({ version: 1n, value: 'a1' });
      });

      it('puts and deletes in one write apply together; a delete whose precondition fails rolls the puts back', async () => {
        const s = scope();
        await store.write(s, [put('old', 'x', ABSENT)]);
        await store.write(s, [put('new', 'y', ABSENT), del('old', at(1n))]);
        expect(await store.get(s, 'old')).toBeUndefined();
        expect(await valueOf(s, 'new')).toEqual({ version: 1n, value: 'y' });
        await expectConflict(store.write(s, [put('p', 'x', NONE), del('absent', EXISTS)]));
        expect(await store.get(s, 'p')).toBeUndefined();
        await expectConflict(store.write(s, [del('new', at(7n))]));
        expect(await valueOf(s, 'new')).toEqual({ version: 1n, value: 'y' });
      });

      it('an empty write changes nothing', async () => {
        const s = scope();
        await store.write(s, []);
        expect((await listAll(s)).keys).toEqual([]);
      });

      it('exactly one of concurrent writers with the same precondition wins', async () => {
        const s = scope();
        await store.write(s, [put('k', 'start', ABSENT)]);
        const results = await Promise.allSettled(
          Array.from({ length: 8 }, (_, i) => store.write(s, [put('k', `writer-${i}`, at(1n), 2n), put(`own-${i}`, 'x', ABSENT)])),
        );
        const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
        expect(winners).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: ErrorCode.CONFLICT_EXCEPTION });
        expect(await valueOf(s, 'k')).toEqual({ version: 2n, value: `writer-${winners[0]}` });
        for (let i = 0; i < 8; i++) expect((await store.get(s, `own-${i}`)) !== undefined).toBe(i === winners[0]);
      });
    });

    describe('deleteIfVersion', () => {
      it('deletes with "any" or the matching version; a wrong version or a missing key deletes nothing and never conflicts', async () => {
        const s = scope();
        await store.write(s, [put('a', 'x', ABSENT), put('b', 'y', ABSENT), put('c', 'z', ABSENT)]);
        await store.deleteIfVersion(s, 'a', 'any');
        await store.deleteIfVersion(s, 'b', 1n);
        await store.deleteIfVersion(s, 'c', 5n);
        await store.deleteIfVersion(s, 'missing', 'any');
        await store.deleteIfVersion(s, 'missing', 3n);
        expect(await store.get(s, 'a')).toBeUndefined();
        expect(await store.get(s, 'b')).toBeUndefined();
        expect(await valueOf(s, 'c')).toEqual({ version: 1n, value: 'z' });
      });
    });

    describe('list', () => {
      it('lists newest-created first with versions only; an update keeps a key in place, a re-creation makes it newest', async () => {
        const s = scope();
        for (const k of ['a', 'b', 'c', 'd']) await store.write(s, [put(k, `value of ${k}`, ABSENT)]);
        await store.write(s, [put('b', 'updated', at(1n), 2n)]);
        expect(await listAll(s)).toMatchObject({ keys: ['d', 'c', 'b', 'a'], versions: [1n, 1n, 2n, 1n] });
        await store.deleteIfVersion(s, 'b', 'any');
        await store.write(s, [put('b', 'again', ABSENT)]);
        expect((await listAll(s)).keys).toEqual(['b', 'd', 'c', 'a']);
        // Deleted and put again in one write ("recreated"): newest too.
        await store.write(s, [put('c', 'fresh', NONE, 1n, true)]);
        expect((await listAll(s)).keys).toEqual(['c', 'b', 'd', 'a']);
      });

      it('keys created by one write count as created in write order (later is newer)', async () => {
        const s = scope();
        await store.write(s, [put('first', '', ABSENT), put('second', '', ABSENT), put('third', '', ABSENT)]);
        await store.write(s, [put('fourth', '', ABSENT)]);
        expect((await listAll(s)).keys).toEqual(['fourth', 'third', 'second', 'first']);
      });

      it('pages through every key exactly once with tokens that advance, ending with "" (also on an exact fit)', async () => {
        const s = scope();
        const keys = Array.from({ length: 60 }, (_, i) => `key-${String(i).padStart(2, '0')}`);
        // Small transactions: the subject is paging, not the engine's transaction size.
        for (let i = 0; i < keys.length; i += 10)
          await store.write(
            s,
            keys.slice(i, i + 10).map((k) => put(k, 'v', ABSENT)),
          );
        const all = await listAll(s, '', 7);
        expect(all.keys).toEqual([...keys].reverse());
        expect(all.pages).toBe(Math.ceil(60 / 7));
        const exact = await listAll(s, '', 20);
        expect(exact.pages).toBe(3);
        const zero = await store.list(s, { prefix: '', pageSize: 0 });
        expect(zero).toMatchObject({ keyVersions: [], nextPageToken: '' });
      });

      it('matches a prefix literally (% _ and \\ are not wildcards) and pages a sparse prefix to the end', async () => {
        const s = scope();
        await store.write(
          s,
          ['a%b', 'axb', 'a_c', 'ayc', 'a\\d', 'b%'].map((k) => put(k, '', ABSENT)),
        );
        expect((await listAll(s, 'a%')).keys).toEqual(['a%b']);
        expect((await listAll(s, 'a_')).keys).toEqual(['a_c']);
        expect((await listAll(s, 'a\\')).keys).toEqual(['a\\d']);
        const sparse = scope();
        const expected: string[] = [];
        for (let batch = 0; batch < 10; batch++) {
          const writes = Array.from({ length: 20 }, (_, i) => {
            const key = (batch * 20 + i) % 17 === 0 ? `monitors#${batch}-${i}` : `payments#${batch}-${i}`;
            if (key.startsWith('monitors#')) expected.push(key);
            return put(key, '', ABSENT);
          });
          await store.write(sparse, writes);
        }
        expect((await listAll(sparse, 'monitors#', 3)).keys).toEqual([...expected].reverse());
      });

      it('carries the global version on the first page only (0 before it is set) and never lists its key', async () => {
        const s = scope();
        await store.write(s, [put('x', '', ABSENT), put('y', '', ABSENT)]);
        const before = await store.list(s, { prefix: '', pageSize: 1 });
        expect(before.globalVersion).toBe(0n);
        expect((await store.list(s, { prefix: '', pageSize: 1, pageToken: before.nextPageToken })).globalVersion).toBeUndefined();
        await store.write(s, [put(GLOBAL_VERSION_KEY, '', ABSENT, 1n), put('z', '', ABSENT)]);
        await store.write(s, [put(GLOBAL_VERSION_KEY, '', at(1n), 2n)]);
        const first = await store.list(s, { prefix: '', pageSize: 100 });
        expect(first.globalVersion).toBe(2n);
        expect(first.keyVersions.map((k) => k.key)).toEqual(['z', 'y', 'x']);
        expect(await store.get(s, GLOBAL_VERSION_KEY)).toMatchObject({ version: 2n });
      });
    });

    describe('large values', () => {
      it('stores values above the 400 KB item limit byte for byte, in one atomic write with small ones', async () => {
        const s = scope();
        const large = randomBytes(1_100_000);
        const small = randomBytes(1000);
        await store.write(s, [put('large', large, ABSENT), put('small', small, ABSENT)]);
        expect(Buffer.from((await store.get(s, 'large'))!.value).equals(large)).toBe(true);
        expect(Buffer.from((await store.get(s, 'small'))!.value).equals(small)).toBe(true);
        // A conflict leaves the large value as it was.
        await expectConflict(store.write(s, [put('large', randomBytes(600_000), at(9n), 10n)]));
        const kept = (await store.get(s, 'large'))!;
        expect(kept.version).toBe(1n);
        expect(Buffer.from(kept.value).equals(large)).toBe(true);
        // Overwritten by a small value, then deleted.
        await store.write(s, [put('large', 'now small', at(1n), 2n)]);
        expect(await valueOf(s, 'large')).toEqual({ version: 2n, value: 'now small' });
        await store.deleteIfVersion(s, 'large', 'any');
        expect(await store.get(s, 'large')).toBeUndefined();
        expect((await listAll(s)).keys).toEqual(['small']);
      });
    });
  });
}
