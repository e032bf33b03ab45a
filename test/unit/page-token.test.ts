/**
 * ListKeyVersions page tokens (lambda/store/page-token.ts; docs/protocol.md §7.3, §7.7): opaque, validated,
 * bound to the partition and prefix they were issued for.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, isVssError } from '../../lambda/core/errors.js';
import { partitionKeyOf, sortKeyOf } from '../../lambda/store/keys.js';
import { decodePageToken, encodePageToken, INVALID_PAGE_TOKEN, type IndexPosition } from '../../lambda/store/page-token.js';

const PK = partitionKeyOf({ userToken: 'alice', storeId: 'wallet' });
const OTHER_USER_PK = partitionKeyOf({ userToken: 'bob', storeId: 'wallet' });
const OTHER_STORE_PK = partitionKeyOf({ userToken: 'alice', storeId: 'wallet2' });

function expectInvalidToken(token: string, pk = PK, prefix = ''): void {
  let caught: unknown;
  try {
    decodePageToken(token, pk, prefix);
  } catch (e) {
    caught = e;
  }
  expect(isVssError(caught), `token ${JSON.stringify(token)} was accepted`).toBe(true);
  const e = caught as { status: number; code: number; message: string };
  expect(e.status).toBe(400);
  expect(e.code).toBe(ErrorCode.INVALID_REQUEST_EXCEPTION);
  expect(e.message).toBe(INVALID_PAGE_TOKEN);
  expect(INVALID_PAGE_TOKEN).toBe('Invalid page token');
}

const positions: IndexPosition[] = [
  { seq: '0', sk: sortKeyOf('') },
  { seq: '1', sk: sortKeyOf('a') },
  { seq: '221849562348329472', sk: sortKeyOf('payments/0001') },
  { seq: '1000000000000000000000000000000', sk: sortKeyOf('global_version') },
  { seq: '99999999999999999999999999999999999999', sk: sortKeyOf('😀/é') },
  { seq: '42', sk: sortKeyOf('x'.repeat(1024)) },
  { seq: '7', sk: Uint8Array.of(0x00, 0xfe, 0xfa) }, // lengths 1, 2, 3 mod 3 are covered across cases
  { seq: '8', sk: Uint8Array.of(0x01, 0x02) },
];

describe('round trip', () => {
  for (const pos of positions) {
    it(`a token for (seq ${pos.seq.slice(0, 12)}…, ${pos.sk.length}-byte sort key) decodes to the same position`, () => {
      const token = encodePageToken(pos, PK, 'pre');
      const back = decodePageToken(token, PK, 'pre');
      expect(back.seq).toBe(pos.seq);
      expect(Buffer.from(back.sk).equals(Buffer.from(pos.sk))).toBe(true);
    });
  }

  it('tokens are never "" (an empty token means "no more pages") and contain only URL-safe characters', () => {
    for (const pos of positions) {
      const t = encodePageToken(pos, PK, '');
      expect(t).not.toBe('');
      expect(t).toMatch(/^[A-Za-z0-9_.-]+$/);
    }
  });

  it('different positions give different tokens', () => {
    const tokens = positions.map((p) => encodePageToken(p, PK, ''));
    expect(new Set(tokens).size).toBe(tokens.length);
  });
});

describe('anything not issued for this listing is 400 "Invalid page token"', () => {
  const pos: IndexPosition = { seq: '221849562348329472', sk: sortKeyOf('payments/0001') };
  const token = encodePageToken(pos, PK, 'payments/');

  it('the unmodified token is accepted (control)', () => {
    expect(decodePageToken(token, PK, 'payments/').seq).toBe(pos.seq);
  });

  it('every single-character edit anywhere in the token is rejected', () => {
    const replacements = ['0', '1', '9', 'A', 'z', '_', '-', '.', '=', '+', '/', ' '];
    let edits = 0;
    for (let i = 0; i < token.length; i++) {
      for (const c of replacements) {
        if (token[i] === c) continue;
        expectInvalidToken(token.slice(0, i) + c + token.slice(i + 1), PK, 'payments/');
        edits++;
      }
    }
    expect(edits).toBeGreaterThan(token.length * 10);
  });

  it('every truncation (each proper prefix and each proper suffix) is rejected', () => {
    for (let n = 0; n < token.length; n++) {
      expectInvalidToken(token.slice(0, n), PK, 'payments/');
      expectInvalidToken(token.slice(token.length - n), PK, 'payments/');
    }
  });

  it('appended or inserted characters are rejected', () => {
    for (const extra of ['0', 'A', '.', '=', '==', '.x']) {
      expectInvalidToken(token + extra, PK, 'payments/');
      expectInvalidToken(extra + token, PK, 'payments/');
    }
  });

  it('a token of another user’s partition is rejected', () => {
    expectInvalidToken(token, OTHER_USER_PK, 'payments/');
  });

  it('a token of another store of the same user is rejected', () => {
    expectInvalidToken(token, OTHER_STORE_PK, 'payments/');
  });

  it('a token issued for another prefix (or for no prefix) is rejected', () => {
    expectInvalidToken(token, PK, 'payments');
    expectInvalidToken(token, PK, '');
    expectInvalidToken(encodePageToken(pos, PK, ''), PK, 'payments/');
  });

  it('a forged token with a correct shape but a made-up check value is rejected', () => {
    const [v, seq, sk] = token.split('.');
    expectInvalidToken(`${v}.${seq}.${sk}.AAAAAAAAAAAAAAAA`, PK, 'payments/');
    // Moving the same check value to another position does not validate either.
    const check = token.split('.')[3];
    expectInvalidToken(`${v}.${BigInt(seq!) - 1n}.${sk}.${check}`, PK, 'payments/');
  });

  it('Rust-style decimal tokens, "", and other junk are rejected', () => {
    for (const junk of [
      '',
      '42',
      '0',
      '-1',
      '.',
      '...',
      '1...',
      '1.1.YQ.',
      '2.1.YQ.AAAAAAAAAAAAAAAA',
      'null',
      ' ',
      '1.01.YQ.AAAAAAAAAAAAAAAA',
      '1.-1.YQ.AAAAAAAAAAAAAAAA',
    ]) {
      expectInvalidToken(junk);
    }
  });

  it('a non-canonical base64url sort key (padding, or non-zero unused bits) is rejected even with a matching check value', () => {
    // "a" = 0x61 → canonical "YQ"; "YR" decodes to the same byte with non-zero trailing bits.
    const p: IndexPosition = { seq: '5', sk: sortKeyOf('a') };
    const good = encodePageToken(p, PK, '');
    const [v, seq, sk, check] = good.split('.');
    expect(sk).toBe('YQ');
    expectInvalidToken(`${v}.${seq}.YR.${check}`);
    expectInvalidToken(`${v}.${seq}.YQ==.${check}`);
  });

  it('an empty sort key in a token is rejected', () => {
    expectInvalidToken(encodePageToken({ seq: '5', sk: new Uint8Array(0) }, PK, ''));
  });

  it('a sort key longer than DynamoDB allows (1025 bytes) is rejected', () => {
    expectInvalidToken(encodePageToken({ seq: '5', sk: new Uint8Array(1025).fill(0x61) }, PK, ''));
  });
});
