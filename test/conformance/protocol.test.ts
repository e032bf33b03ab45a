/**
 * VSS protocol conformance, over HTTP through the local server (the deployed Lambda handlers and
 * DynamoDbStore), on the primary engine: what the store does on each engine is the contract
 * suite's (test/store/). Rules from docs/protocol.md §3 and §7; each test names the rule it checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../lambda/core/errors.js';
import type { LocalVss } from '../../local/app.js';
import { decodeError, kv, post, startVssOn, TestClient, vss, type HttpResult, primaryEngine } from '../support/local-vss.js';

const V = (n: number | bigint): bigint => BigInt(n);

function expectError(r: HttpResult, status: number, code: number): { errorCode: number; message: string } {
  expect(r.protocolVersion).toBe('0');
  expect(r.status).toBe(status);
  const e = decodeError(r);
  expect(e.errorCode).toBe(code);
  return e;
}

function expectOk(r: HttpResult): void {
  if (r.status !== 200) throw new Error(`expected 200, got ${r.status}: ${JSON.stringify(decodeError(r))}`);
  expect(r.protocolVersion).toBe('0');
}

describe.each([primaryEngine()])('VSS protocol on $name', (engine) => {
  let app: LocalVss;
  const client = (storeId = `store-${randomUUID()}`): TestClient => new TestClient(app.url, storeId);

  beforeAll(async () => {
    app = await startVssOn(engine);
  });
  afterAll(async () => {
    await app?.stop();
  });

  describe('GetObject (docs/protocol.md §3.1)', () => {
    it('answers 404 NO_SUCH_KEY_EXCEPTION for a key that was never written', async () => {
      const e = expectError(await client().get('missing'), 404, ErrorCode.NO_SUCH_KEY_EXCEPTION);
      expect(e.message).toBe('Requested key not found.');
    });

    it('returns the stored key, value and version', async () => {
      const c = client();
      expectOk(await c.put([kv('k', -1, 'hello')]));
      const r = await c.get('k');
      expectOk(r);
      const v = vss.GetObjectResponse.decode(r.body).value!;
      expect(v.key).toBe('k');
      expect(BigInt(v.version!.toString())).toBe(1n);
      expect(Buffer.from(v.value!).toString()).toBe('hello');
    });

    it('returns version 0 and an empty value for the global_version key before it is set', async () => {
      const r = await client().get('global_version');
      expectOk(r);
      const v = vss.GetObjectResponse.decode(r.body).value!;
      expect(v.key).toBe('global_version');
      expect(BigInt(v.version!.toString())).toBe(0n);
      expect(v.value!.length).toBe(0);
    });

    it('stores and reads back an empty value and an empty key', async () => {
      const c = client();
      expectOk(await c.put([kv('', -1, ''), kv('e', -1, '')]));
      expect(await c.getValue('')).toEqual({ version: 1n, value: Buffer.alloc(0) });
      expect(await c.getValue('e')).toEqual({ version: 1n, value: Buffer.alloc(0) });
    });

    it('reads are strongly consistent with the acknowledged write before them', async () => {
      const c = client();
      for (let i = 0; i < 20; i++) {
        expectOk(await c.put([kv('k', i === 0 ? 0 : i, `v${i}`)]));
        expect(await c.getValue('k')).toEqual({ version: V(i + 1), value: Buffer.from(`v${i}`) });
      }
    });
  });

  describe('PutObjects versions (docs/protocol.md §3.2)', () => {
    it('version -1 upserts and always stores version 1, even over version 3', async () => {
      const c = client();
      expectOk(await c.put([kv('k', 0, 'a')]));
      expectOk(await c.put([kv('k', 1, 'b')]));
      expectOk(await c.put([kv('k', 2, 'c')]));
      expect(await c.getValue('k')).toEqual({ version: 3n, value: Buffer.from('c') });
      expectOk(await c.put([kv('k', -1, 'd')]));
      expect(await c.getValue('k')).toEqual({ version: 1n, value: Buffer.from('d') });
    });

    it('version 0 creates once and then conflicts, leaving the first value', async () => {
      const c = client();
      expectOk(await c.put([kv('k', 0, 'first')]));
      const e = expectError(await c.put([kv('k', 0, 'second')]), 409, ErrorCode.CONFLICT_EXCEPTION);
      expect(e.message).toBe('Transaction could not be completed due to a possible conflict');
      expect(await c.getValue('k')).toEqual({ version: 1n, value: Buffer.from('first') });
    });

    it('version n updates only when the stored version is n, and stores n+1', async () => {
      const c = client();
      expectOk(await c.put([kv('k', 0, 'a')]));
      expectError(await c.put([kv('k', 2, 'wrong')]), 409, ErrorCode.CONFLICT_EXCEPTION);
      expectOk(await c.put([kv('k', 1, 'b')]));
      expect(await c.getValue('k')).toEqual({ version: 2n, value: Buffer.from('b') });
    });

    it('version n on a missing key conflicts and creates nothing', async () => {
      const c = client();
      expectError(await c.put([kv('k', 5, 'x')]), 409, ErrorCode.CONFLICT_EXCEPTION);
      expect(await c.getValue('k')).toBe(404);
    });

    it('versions below -1 always conflict', async () => {
      const c = client();
      expectOk(await c.put([kv('k', -1, 'a')]));
      expectError(await c.put([kv('k', -2, 'b')]), 409, ErrorCode.CONFLICT_EXCEPTION);
      expectError(await c.put([kv('new', -5, 'b')]), 409, ErrorCode.CONFLICT_EXCEPTION);
      expect(await c.getValue('k')).toEqual({ version: 1n, value: Buffer.from('a') });
    });

    it('an empty request is a 200 no-op', async () => {
      const c = client();
      expectOk(await c.put([]));
      expect((await c.listAll()).keys).toEqual([]);
    });
  });

  describe('PutObjects atomicity (docs/protocol.md §3.2, §7.5)', () => {
    it('a conflict on one item writes none of the others', async () => {
      const c = client();
      expectOk(await c.put([kv('a', 0, 'a1')]));
      expectError(await c.put([kv('b', 0, 'b1'), kv('a', 0, 'a2'), kv('c', -1, 'c1')]), 409, ErrorCode.CONFLICT_EXCEPTION);
      expect(await c.getValue('b')).toBe(404);
      expect(await c.getValue('c')).toBe(404);
      expect(await c.getValue('a')).toEqual({ version: 1n, value: Buffer.from('a1') });
    });

    it('puts and delete_items apply together', async () => {
      const c = client();
      expectOk(await c.put([kv('old', 0, 'x')]));
      expectOk(await c.put([kv('new', 0, 'y')], { deletes: [kv('old', 1)] }));
      expect(await c.getValue('old')).toBe(404);
      expect(await c.getValue('new')).toEqual({ version: 1n, value: Buffer.from('y') });
    });

    it('delete_items with -1 on a missing key conflicts and rolls back the puts', async () => {
      const c = client();
      expectError(await c.put([kv('p', -1, 'x')], { deletes: [kv('absent', -1)] }), 409, ErrorCode.CONFLICT_EXCEPTION);
      expect(await c.getValue('p')).toBe(404);
    });

    it('delete_items with a wrong version conflicts and deletes nothing', async () => {
      const c = client();
      expectOk(await c.put([kv('d', 0, 'x')]));
      expectError(await c.put([], { deletes: [kv('d', 7)] }), 409, ErrorCode.CONFLICT_EXCEPTION);
      expect(await c.getValue('d')).toEqual({ version: 1n, value: Buffer.from('x') });
      expectOk(await c.put([], { deletes: [kv('d', 1)] }));
      expect(await c.getValue('d')).toBe(404);
    });

    it('accepts 100 distinct actions (global version included) and rejects 101 with 400 naming the limit', async () => {
      const c = client();
      const items = Array.from({ length: 99 }, (_, i) => kv(`k${i}`, -1, 'v'));
      expectOk(await c.put(items, { globalVersion: 0 }));
      const e = expectError(
        await c.put([...items, kv('one-more', -1, 'v')], { globalVersion: 1 }),
        400,
        ErrorCode.INVALID_REQUEST_EXCEPTION,
      );
      expect(e.message).toMatch(/at most 100/);
      expect(await c.getValue('one-more')).toBe(404);
    });

    it('counts a key written twice as one action (folding), so 150 statements on 100 keys are accepted', async () => {
      const c = client();
      const items = Array.from({ length: 100 }, (_, i) => kv(`k${i}`, -1, 'a'));
      const again = Array.from({ length: 50 }, (_, i) => kv(`k${i}`, -1, 'b'));
      expectOk(await c.put([...items, ...again]));
      expect(await c.getValue('k0')).toEqual({ version: 1n, value: Buffer.from('b') });
      expect(await c.getValue('k99')).toEqual({ version: 1n, value: Buffer.from('a') });
    });
  });

  describe('PutObjects duplicate keys fold to the sequential outcome (docs/protocol.md §7.4)', () => {
    it('[k v0, k v1] succeeds and ends at version 2 with the last value', async () => {
      const c = client();
      expectOk(await c.put([kv('k', 0, 'a'), kv('k', 1, 'b')]));
      expect(await c.getValue('k')).toEqual({ version: 2n, value: Buffer.from('b') });
    });

    it('[k v0, k v0] conflicts', async () => {
      const c = client();
      expectError(await c.put([kv('k', 0, 'a'), kv('k', 0, 'b')]), 409, ErrorCode.CONFLICT_EXCEPTION);
      expect(await c.getValue('k')).toBe(404);
    });

    it('[k v-1, k v-1] succeeds with the last value at version 1', async () => {
      const c = client();
      expectOk(await c.put([kv('k', -1, 'a'), kv('k', -1, 'b')]));
      expect(await c.getValue('k')).toEqual({ version: 1n, value: Buffer.from('b') });
    });

    it('a key put and deleted in one request is deleted (delete matches the post-put version)', async () => {
      const c = client();
      expectOk(await c.put([kv('k', 0, 'a')]));
      expectOk(await c.put([kv('k', 1, 'b')], { deletes: [kv('k', 2)] }));
      expect(await c.getValue('k')).toBe(404);
      expectOk(await c.put([kv('j', 0, 'a')]));
      expectError(await c.put([kv('j', 1, 'b')], { deletes: [kv('j', 1)] }), 409, ErrorCode.CONFLICT_EXCEPTION);
      expect(await c.getValue('j')).toEqual({ version: 1n, value: Buffer.from('a') });
    });
  });

  describe('Global version (docs/protocol.md §3.2, §3.5)', () => {
    it('is not incremented by puts without global_version', async () => {
      const c = client();
      expectOk(await c.put([kv('a', -1, 'x')]));
      expect((await c.listAll()).globalVersion).toBe(0n);
    });

    it('0 creates it at 1, n moves it to n+1, a mismatch conflicts and writes nothing', async () => {
      const c = client();
      expectOk(await c.put([kv('a', -1, 'x')], { globalVersion: 0 }));
      expect(await c.getValue('global_version')).toEqual({ version: 1n, value: Buffer.alloc(0) });
      expectOk(await c.put([kv('b', -1, 'y')], { globalVersion: 1 }));
      expectError(await c.put([kv('c', -1, 'z')], { globalVersion: 1 }), 409, ErrorCode.CONFLICT_EXCEPTION);
      expect(await c.getValue('c')).toBe(404);
      expectError(await c.put([], { globalVersion: 0 }), 409, ErrorCode.CONFLICT_EXCEPTION);
      expect((await c.listAll()).globalVersion).toBe(2n);
    });

    it('a request with only global_version is a pure check-and-increment', async () => {
      const c = client();
      expectOk(await c.put([], { globalVersion: 0 }));
      expectOk(await c.put([], { globalVersion: 1 }));
      expect(await c.getValue('global_version')).toEqual({ version: 2n, value: Buffer.alloc(0) });
    });

    it('-1 resets it to 1 and values below -1 conflict', async () => {
      const c = client();
      expectOk(await c.put([], { globalVersion: 0 }));
      expectOk(await c.put([], { globalVersion: 1 }));
      expectOk(await c.put([], { globalVersion: -1 }));
      expect(await c.getValue('global_version')).toEqual({ version: 1n, value: Buffer.alloc(0) });
      expectError(await c.put([], { globalVersion: -2 }), 409, ErrorCode.CONFLICT_EXCEPTION);
    });

    it('a user item named global_version aliases it and is never listed', async () => {
      const c = client();
      expectOk(await c.put([kv('global_version', 0, 'user-data'), kv('x', -1, '1')]));
      expect(await c.getValue('global_version')).toEqual({ version: 1n, value: Buffer.from('user-data') });
      const all = await c.listAll();
      expect(all.keys).toEqual(['x']);
      expect(all.globalVersion).toBe(1n);
      expectOk(await c.put([], { globalVersion: 1 }));
      expect(await c.getValue('global_version')).toEqual({ version: 2n, value: Buffer.alloc(0) });
    });
  });

  describe('DeleteObject (docs/protocol.md §3.3)', () => {
    it('is always 200: a missing key and a wrong version delete nothing', async () => {
      const c = client();
      expectOk(await c.delete('missing', -1));
      expectOk(await c.delete('missing', 3));
      expectOk(await c.put([kv('k', 0, 'x')]));
      expectOk(await c.delete('k', 5));
      expectOk(await c.delete('k', -7));
      expect(await c.getValue('k')).toEqual({ version: 1n, value: Buffer.from('x') });
    });

    it('deletes with -1 or the matching version', async () => {
      const c = client();
      expectOk(await c.put([kv('a', 0, 'x'), kv('b', 0, 'y')]));
      expectOk(await c.delete('a', -1));
      expectOk(await c.delete('b', 1));
      expect(await c.getValue('a')).toBe(404);
      expect(await c.getValue('b')).toBe(404);
    });

    it('never touches the global version', async () => {
      const c = client();
      expectOk(await c.put([kv('a', 0, 'x')], { globalVersion: 0 }));
      expectOk(await c.delete('a', -1));
      expect((await c.listAll()).globalVersion).toBe(1n);
    });

    it('answers 400 INVALID_REQUEST_EXCEPTION when key_value is missing', async () => {
      const c = client();
      const r = await c.raw('deleteObject', vss.DeleteObjectRequest.encode({ storeId: c.storeId }).finish());
      const e = expectError(r, 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
      expect(e.message).toBe('key_value missing in DeleteObjectRequest');
    });
  });

  describe('ListKeyVersions order and paging (docs/protocol.md §3.4, §7.7)', () => {
    it('lists newest-created first; updates keep a key in place; delete and re-create makes it newest', async () => {
      const c = client();
      for (const k of ['a', 'b', 'c', 'd']) expectOk(await c.put([kv(k, -1, k)]));
      expectOk(await c.put([kv('b', -1, 'updated')]));
      expectOk(await c.put([kv('a', 1, 'cas-updated')]));
      expect((await c.listAll()).keys).toEqual(['d', 'c', 'b', 'a']);
      expectOk(await c.delete('b', -1));
      expectOk(await c.put([kv('b', 0, 'again')]));
      expect((await c.listAll()).keys).toEqual(['b', 'd', 'c', 'a']);
    });

    it('items created by one request count as created in request order (later is newer)', async () => {
      const c = client();
      expectOk(await c.put([kv('first', -1, ''), kv('second', -1, ''), kv('third', -1, '')]));
      expectOk(await c.put([kv('fourth', -1, '')]));
      expect((await c.listAll()).keys).toEqual(['fourth', 'third', 'second', 'first']);
    });

    it('returns versions and never values', async () => {
      const c = client();
      expectOk(await c.put([kv('k', 0, 'secret')]));
      expectOk(await c.put([kv('k', 1, 'secret2')]));
      const page = vss.ListKeyVersionsResponse.decode((await c.list()).body);
      expect(page.keyVersions).toHaveLength(1);
      expect(BigInt(page.keyVersions[0]!.version!.toString())).toBe(2n);
      expect(page.keyVersions[0]!.value!.length).toBe(0);
    });

    it('always sets next_page_token, "" on the last page, and "" on an exact fit', async () => {
      const c = client();
      for (let i = 0; i < 5; i++) expectOk(await c.put([kv(`k${i}`, -1, '')]));
      const r = await c.list({ pageSize: 5 });
      expect(Buffer.from(r.body).includes(Buffer.from([0x12, 0x00]))).toBe(true); // field 2, length 0: present on the wire
      const page = vss.ListKeyVersionsResponse.decode(r.body);
      expect(page.keyVersions).toHaveLength(5);
      expect(page.nextPageToken).toBe('');
      const empty = vss.ListKeyVersionsResponse.decode((await client().list()).body);
      expect(empty.keyVersions).toHaveLength(0);
      expect(empty.nextPageToken).toBe('');
    });

    it('ends with "" on an exact fit on a later page and on a first page that also carries the global version', async () => {
      const c = client();
      for (let i = 0; i < 6; i++) expectOk(await c.put([kv(`k${i}`, -1, '')]));
      const p1 = vss.ListKeyVersionsResponse.decode((await c.list({ pageSize: 3 })).body);
      expect(p1.keyVersions.map((k) => k.key)).toEqual(['k5', 'k4', 'k3']);
      const p2 = vss.ListKeyVersionsResponse.decode((await c.list({ pageSize: 3, pageToken: p1.nextPageToken! })).body);
      expect(p2.keyVersions.map((k) => k.key)).toEqual(['k2', 'k1', 'k0']);
      expect(p2.nextPageToken).toBe('');
      const g = client();
      expectOk(await g.put([kv('a', -1, ''), kv('b', -1, '')], { globalVersion: 0 }));
      const only = vss.ListKeyVersionsResponse.decode((await g.list({ pageSize: 2 })).body);
      expect(only.keyVersions.map((k) => k.key)).toEqual(['b', 'a']);
      expect(only.nextPageToken).toBe('');
      expect(BigInt(only.globalVersion!.toString())).toBe(1n);
    });

    it('pages through 250 keys in creation order, each exactly once, with tokens that always advance', async () => {
      const c = client();
      const keys = Array.from({ length: 250 }, (_, i) => `key-${String(i).padStart(3, '0')}`);
      for (let i = 0; i < keys.length; i += 50) expectOk(await c.put(keys.slice(i, i + 50).map((k) => kv(k, -1, 'v'))));
      const all = await c.listAll({ pageSize: 7 });
      expect(all.keys).toEqual([...keys].reverse());
      expect(all.pages).toBe(Math.ceil(250 / 7));
    });

    it('uses a default and maximum page size of 100', async () => {
      const c = client();
      const keys = Array.from({ length: 130 }, (_, i) => kv(`k${i}`, -1, ''));
      expectOk(await c.put(keys.slice(0, 65)));
      expectOk(await c.put(keys.slice(65)));
      const dflt = vss.ListKeyVersionsResponse.decode((await c.list()).body);
      expect(dflt.keyVersions).toHaveLength(100);
      expect(dflt.nextPageToken).not.toBe('');
      const big = vss.ListKeyVersionsResponse.decode((await c.list({ pageSize: 5000 })).body);
      expect(big.keyVersions).toHaveLength(100);
      expect((await c.listAll()).keys).toHaveLength(130);
    });

    it('page_size 0 returns no keys, an empty token and the global version on a first page', async () => {
      const c = client();
      expectOk(await c.put([kv('a', -1, '')], { globalVersion: 0 }));
      const page = vss.ListKeyVersionsResponse.decode((await c.list({ pageSize: 0 })).body);
      expect(page.keyVersions).toHaveLength(0);
      expect(page.nextPageToken).toBe('');
      expect(BigInt(page.globalVersion!.toString())).toBe(1n);
    });

    it('sends global_version only on the first page, as 0 when the store never set it', async () => {
      const c = client();
      for (let i = 0; i < 3; i++) expectOk(await c.put([kv(`k${i}`, -1, '')]));
      const first = await c.list({ pageSize: 2 });
      const p1 = vss.ListKeyVersionsResponse.decode(first.body);
      expect(p1.globalVersion).not.toBeNull();
      expect(BigInt(p1.globalVersion!.toString())).toBe(0n);
      const p2 = vss.ListKeyVersionsResponse.decode((await c.list({ pageSize: 2, pageToken: p1.nextPageToken! })).body);
      expect(p2.globalVersion).toBeNull();
      expect(p2.keyVersions.map((k) => k.key)).toEqual(['k0']);
    });

    it('matches key_prefix literally: % _ and \\ are not wildcards', async () => {
      const c = client();
      expectOk(await c.put(['a%b', 'axb', 'a_c', 'ayc', 'a\\d', 'a\\\\d', 'b%'].map((k) => kv(k, -1, ''))));
      expect((await c.listAll({ prefix: 'a%' })).keys).toEqual(['a%b']);
      expect((await c.listAll({ prefix: 'a_' })).keys).toEqual(['a_c']);
      expect((await c.listAll({ prefix: 'a\\' })).keys.sort()).toEqual(['a\\\\d', 'a\\d']);
      expect((await c.listAll({ prefix: '' })).keys).toHaveLength(7);
    });

    it('pages a sparse prefix to the end without skipping or repeating a key', async () => {
      const c = client();
      const expected: string[] = [];
      for (let batch = 0; batch < 12; batch++) {
        const items = Array.from({ length: 60 }, (_, i) => {
          const key = (batch * 60 + i) % 17 === 0 ? `monitors#${batch}-${i}` : `payments#${batch}-${i}`;
          if (key.startsWith('monitors#')) expected.push(key);
          return kv(key, -1, '');
        });
        expectOk(await c.put(items));
      }
      const all = await c.listAll({ prefix: 'monitors#', pageSize: 3 });
      expect(all.keys).toEqual([...expected].reverse());
      expect(all.globalVersion).toBe(0n);
    });
  });

  describe('Validation: clear 400s instead of 500s (docs/protocol.md §7.3)', () => {
    it('accepts keys of 600 ASCII characters and of exactly 1024 UTF-8 bytes', async () => {
      const c = client();
      const k600 = 'k'.repeat(600);
      const k1024 = 'é'.repeat(512);
      expectOk(await c.put([kv(k600, -1, 'a'), kv(k1024, -1, 'b')]));
      expect(await c.getValue(k1024)).toEqual({ version: 1n, value: Buffer.from('b') });
      expect((await c.listAll()).keys).toEqual([k1024, k600]);
    });

    it('rejects a key longer than 1024 UTF-8 bytes with 400 in every operation', async () => {
      const c = client();
      const long = 'x'.repeat(1025);
      for (const r of [
        await c.put([kv(long, -1, 'a')]),
        await c.get(long),
        await c.delete(long, -1),
        await c.put([], { deletes: [kv(long, -1)] }),
      ]) {
        const e = expectError(r, 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
        expect(e.message).toMatch(/1024 bytes/);
      }
    });

    it('accepts an empty store_id and one of 120 characters, rejects 121', async () => {
      expectOk(await new TestClient(app.url, '').put([kv('k', -1, 'a')]));
      expectOk(await new TestClient(app.url, 's'.repeat(120)).put([kv('k', -1, 'a')]));
      const e = expectError(
        await new TestClient(app.url, 's'.repeat(121)).put([kv('k', -1, 'a')]),
        400,
        ErrorCode.INVALID_REQUEST_EXCEPTION,
      );
      expect(e.message).toMatch(/store_id/);
      expectError(await new TestClient(app.url, 's'.repeat(121)).get('k'), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    });

    it('rejects a negative page_size, an explicitly empty page_token and a tampered token', async () => {
      const c = client();
      for (let i = 0; i < 3; i++) expectOk(await c.put([kv(`k${i}`, -1, '')]));
      expect(expectError(await c.list({ pageSize: -1 }), 400, ErrorCode.INVALID_REQUEST_EXCEPTION).message).toMatch(/page_size/);
      expect(expectError(await c.list({ pageToken: '' }), 400, ErrorCode.INVALID_REQUEST_EXCEPTION).message).toBe('Invalid page token');
      const token = vss.ListKeyVersionsResponse.decode((await c.list({ pageSize: 1 })).body).nextPageToken!;
      const tampered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
      for (const bad of [tampered, '42', 'garbage', `${token}.x`, token.slice(1)]) {
        expect(expectError(await c.list({ pageSize: 1, pageToken: bad }), 400, ErrorCode.INVALID_REQUEST_EXCEPTION).message).toBe(
          'Invalid page token',
        );
      }
    });

    it('rejects a page token issued for another store or another prefix', async () => {
      const c = client();
      const other = client();
      for (let i = 0; i < 3; i++) expectOk(await c.put([kv(`k${i}`, -1, '')]));
      const token = vss.ListKeyVersionsResponse.decode((await c.list({ pageSize: 1 })).body).nextPageToken!;
      expectError(await other.list({ pageSize: 1, pageToken: token }), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
      expectError(await c.list({ pageSize: 1, pageToken: token, prefix: 'k' }), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    });
  });

  describe('HTTP surface (docs/protocol.md §2, §7.2)', () => {
    it('answers unknown paths, trailing slashes and other methods with a protobuf 400', async () => {
      const base = app.url.replace(/\/vss$/, '');
      for (const path of ['/vss/getObjects', '/vss/getObject/', '/getObject', '/', '/vss']) {
        const r = await fetch(base + path, { method: 'POST', body: new Uint8Array(0) });
        const e = expectError(
          { status: r.status, protocolVersion: r.headers.get('vss-protocol-version'), body: new Uint8Array(await r.arrayBuffer()) },
          400,
          ErrorCode.INVALID_REQUEST_EXCEPTION,
        );
        expect(e.message).toBe('Invalid request path.');
      }
      const g = await fetch(`${app.url}/getObject`, { method: 'GET' });
      expectError(
        { status: g.status, protocolVersion: g.headers.get('vss-protocol-version'), body: new Uint8Array(await g.arrayBuffer()) },
        400,
        ErrorCode.INVALID_REQUEST_EXCEPTION,
      );
    });

    it('ignores the query string', async () => {
      const c = client();
      expectOk(await c.put([kv('k', -1, 'v')]));
      const r = await post(app.url, `getObject?x=1`, vss.GetObjectRequest.encode({ storeId: c.storeId, key: 'k' }).finish());
      expectOk(r);
    });

    it('answers an undecodable body with 400 INVALID_REQUEST_EXCEPTION on every operation and changes nothing', async () => {
      const c = client();
      expectOk(await c.put([kv('k', -1, 'v')]));
      for (const op of ['getObject', 'putObjects', 'deleteObject', 'listKeyVersions']) {
        for (const body of [Buffer.from([0x0a, 0x10, 0x41]), Buffer.from([0xff, 0xff, 0xff]), Buffer.from([0x0a, 0x02, 0xc3, 0x28])]) {
          expectError(await c.raw(op, body), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
        }
      }
      expect(await c.getValue('k')).toEqual({ version: 1n, value: Buffer.from('v') });
    });

    it('treats an empty body as an all-defaults request', async () => {
      expectError(await post(app.url, 'getObject', new Uint8Array(0)), 404, ErrorCode.NO_SUCH_KEY_EXCEPTION);
      expectOk(await post(app.url, 'putObjects', new Uint8Array(0)));
      expectOk(await post(app.url, 'listKeyVersions', new Uint8Array(0)));
      expectError(await post(app.url, 'deleteObject', new Uint8Array(0)), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
    });
  });

  describe('Concurrency: many writers on one key (docs/protocol.md §7.12)', () => {
    it('exactly one of 16 concurrent creates wins', async () => {
      const c = client();
      const results = await Promise.all(Array.from({ length: 16 }, (_, i) => c.put([kv('k', 0, `writer-${i}`)])));
      const winners = results.filter((r) => r.status === 200);
      expect(winners).toHaveLength(1);
      for (const r of results) if (r.status !== 200) expectError(r, 409, ErrorCode.CONFLICT_EXCEPTION);
      const stored = await c.getValue('k');
      expect(stored).toMatchObject({ version: 1n });
    });

    it('exactly one compare-and-set wins per version over several rounds', async () => {
      const c = client();
      expectOk(await c.put([kv('k', 0, 'start')]));
      for (let version = 1; version <= 5; version++) {
        const results = await Promise.all(Array.from({ length: 8 }, (_, i) => c.put([kv('k', version, `round-${version}-writer-${i}`)])));
        const winners = results.map((r, i) => (r.status === 200 ? i : -1)).filter((i) => i >= 0);
        expect(winners).toHaveLength(1);
        expect(await c.getValue('k')).toEqual({ version: V(version + 1), value: Buffer.from(`round-${version}-writer-${winners[0]}`) });
      }
    });

    it('exactly one of concurrent multi-key transactions on a shared key wins', async () => {
      const c = client();
      expectOk(await c.put([kv('shared', 0, 's')]));
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => c.put([kv('shared', 1, `w${i}`), kv(`own-${i}`, 0, 'x')])));
      const winners = results.map((r, i) => (r.status === 200 ? i : -1)).filter((i) => i >= 0);
      expect(winners).toHaveLength(1);
      for (let i = 0; i < 8; i++)
        expect(await c.getValue(`own-${i}`)).toEqual(i === winners[0] ? { version: 1n, value: Buffer.from('x') } : 404);
    });
  });
});
