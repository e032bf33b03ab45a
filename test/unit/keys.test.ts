/**
 * Storage key encodings (lambda/store/keys.ts; docs/protocol.md §7.10 tenant isolation, §4).
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, isVssError } from '../../lambda/core/errors.js';
import { keyOfSortKey, partitionKeyOf, sortKeyLength, sortKeyOf } from '../../lambda/store/keys.js';

const pk = (userToken: string, storeId: string): string => partitionKeyOf({ userToken, storeId });
/** DynamoDB compares and stores S attributes as UTF-8 bytes: distinctness must hold there. */
const pkBytes = (userToken: string, storeId: string): string => Buffer.from(pk(userToken, storeId), 'utf8').toString('hex');

function allStrings(alphabet: readonly string[], maxLen: number): string[] {
  const out = [''];
  let layer = [''];
  for (let len = 1; len <= maxLen; len++) {
    layer = layer.flatMap((s) => alphabet.map((c) => s + c));
    out.push(...layer);
  }
  return out;
}

describe('partition key: unambiguous encoding of (user_token, store_id)', () => {
  it('user "a#b" + store "c" and user "a" + store "b#c" get different partition keys', () => {
    expect(pk('a#b', 'c')).not.toBe(pk('a', 'b#c'));
  });

  it('separator-like characters cannot shift the boundary: user "a:1" + store "b" ≠ user "a" + store "1:b" ≠ user "a:1:b" + store ""', () => {
    const keys = new Set([pk('a:1', 'b'), pk('a', '1:b'), pk('a:1:b', ''), pk('', 'a:1:b'), pk('1:a', ':b')]);
    expect(keys.size).toBe(5);
  });

  it('a user token that looks like an encoded partition key cannot reach another tenant: user "1:a:" + store "x" ≠ user "a" + store ":x"', () => {
    expect(pk('1:a:', 'x')).not.toBe(pk('a', ':x'));
    expect(pk('3:a', 'b')).not.toBe(pk('a', 'b'));
  });

  it('empty store_id and empty user token are allowed and distinct from each other', () => {
    expect(pk('u', '')).not.toBe(pk('', 'u'));
    expect(pk('u', '').length).toBeGreaterThan(0);
    expect(pk('', '').length).toBeGreaterThan(0);
  });

  it('fuzz: all pairs of strings up to length 3 over {a, :, 1, 0, #, é, 😀} never collide (as UTF-8 bytes)', () => {
    const strings = allStrings(['a', ':', '1', '0', '#', 'é', '😀'], 3);
    const seen = new Map<string, string>();
    let pairs = 0;
    for (const u of strings) {
      for (const s of strings) {
        const b = pkBytes(u, s);
        const other = seen.get(b);
        if (other !== undefined) expect.fail(`collision: (${JSON.stringify(u)}, ${JSON.stringify(s)}) and ${other}`);
        seen.set(b, JSON.stringify([u, s]));
        pairs++;
      }
    }
    expect(pairs).toBe(400 * 400);
    expect(seen.size).toBe(pairs);
  });

  it('user tokens with lone UTF-16 surrogates (which UTF-8 cannot carry, so "\\ud800" and "\\ud801" would both be stored as EF BF BD) are refused with 401 AUTH_EXCEPTION', () => {
    for (const bad of ['\ud800', '\udfff', 'a\ud83d', '\ude00b']) {
      let caught: unknown;
      try {
        pk(bad, 's');
      } catch (e) {
        caught = e;
      }
      expect(isVssError(caught), JSON.stringify(bad)).toBe(true);
      expect((caught as { status: number }).status).toBe(401);
      expect((caught as { code: number }).code).toBe(ErrorCode.AUTH_EXCEPTION);
    }
    // A well-formed surrogate pair is fine.
    expect(pk('😀', 's')).toContain('😀');
  });

  it('a store_id with a lone surrogate (impossible after strict UTF-8 decoding) is refused with 400, never stored mangled', () => {
    let caught: unknown;
    try {
      pk('u', 'x\udc00');
    } catch (e) {
      caught = e;
    }
    expect(isVssError(caught)).toBe(true);
    expect((caught as { status: number }).status).toBe(400);
  });

  it('fuzz: long digit/colon-heavy tokens (length prefixes with several digits) never collide', () => {
    const base = allStrings(['1', ':'], 4);
    const strings = [...base, ...base.map((s) => '9'.repeat(10) + s), ...base.map((s) => s + ':'.repeat(11))];
    const seen = new Set<string>();
    for (const u of strings) for (const s of strings) seen.add(pkBytes(u, s));
    expect(seen.size).toBe(strings.length * strings.length);
  });
});

describe('sort key: the key’s UTF-8 bytes, empty key ↔ 0xFF', () => {
  it('the empty key is stored as the single byte 0xFF and reads back as ""', () => {
    expect([...sortKeyOf('')]).toEqual([0xff]);
    expect(keyOfSortKey(Uint8Array.of(0xff))).toBe('');
    expect(sortKeyLength('')).toBe(1);
  });

  it('a non-empty key is exactly its UTF-8 bytes (no prefix byte), and reads back unchanged', () => {
    for (const key of ['a', 'k1', 'é', '😀', 'ключ/鍵', ':', '\u0000', 'x'.repeat(1024)]) {
      const sk = sortKeyOf(key);
      expect(Buffer.from(sk).equals(Buffer.from(key, 'utf8'))).toBe(true);
      expect(keyOfSortKey(sk)).toBe(key);
      expect(sortKeyLength(key)).toBe(sk.length);
    }
  });

  it('no non-empty key’s sort key equals the empty key’s (0xFF never occurs in UTF-8)', () => {
    const strings = allStrings(['a', 'ÿ', '\u00ff', '\uffff', '😀'], 3).filter((s) => s !== '');
    for (const s of strings) {
      const sk = sortKeyOf(s);
      expect(sk.includes(0xff), JSON.stringify(s)).toBe(false);
    }
  });

  it('distinct keys have distinct sort keys (fuzz over a small alphabet)', () => {
    const strings = allStrings(['a', 'é', '😀', '\u0000', 'ÿ'], 4);
    expect(new Set(strings.map((s) => Buffer.from(sortKeyOf(s)).toString('hex'))).size).toBe(strings.length);
  });

  it('a key with a lone surrogate (impossible after strict UTF-8 decoding) is refused with 400, never stored as U+FFFD', () => {
    for (const bad of ['\ud800', 'a\udc00', '\ud83d']) {
      let caught: unknown;
      try {
        sortKeyOf(bad);
      } catch (e) {
        caught = e;
      }
      expect(isVssError(caught), JSON.stringify(bad)).toBe(true);
      expect((caught as { status: number }).status).toBe(400);
    }
  });

  it('a sort key that is not valid UTF-8 (other than the 0xFF marker) is rejected on read, never mangled', () => {
    expect(() => keyOfSortKey(Uint8Array.of(0xff, 0xff))).toThrow();
    expect(() => keyOfSortKey(Uint8Array.of(0x61, 0xff))).toThrow();
    expect(() => keyOfSortKey(Uint8Array.of(0xed, 0xa0, 0x80))).toThrow();
  });

  it('literal prefixes: the UTF-8 bytes of a non-empty prefix begin the key’s bytes exactly when the key starts with the prefix', () => {
    const strings = allStrings(['a', '%', '_', 'é', '😀'], 3).filter((s) => s !== '');
    for (const key of strings) {
      for (const prefix of strings) {
        const k = Buffer.from(sortKeyOf(key));
        const p = Buffer.from(sortKeyOf(prefix));
        const bytePrefix = p.length <= k.length && k.subarray(0, p.length).equals(p);
        expect(bytePrefix, `${key} / ${prefix}`).toBe(key.startsWith(prefix));
      }
    }
  });
});
