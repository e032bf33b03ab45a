/**
 * The node:crypto verifier against the @noble/curves verifier it replaced (kept as the oracle in
 * noble-reference-verifier.ts): thousands of seeded random headers, valid, tampered, high-S and
 * malformed, must get the same verdict from both. A failure prints the seed and the header.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import {
  KEY_CACHE_SIZE,
  SIGNATURE_VALIDITY_SECONDS,
  cachedKeyCount,
  isCompressedCurvePoint,
  verifySignatureHeader,
} from '../../lambda/auth/signature.js';
import { prng } from '../support/prng.js';
import { flipHex, sigsAuthHeader, withHighS } from './clients.js';
import { nobleVerifySignatureHeader } from './noble-reference-verifier.js';

const NOW = 1_800_000_000;
const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const hex64 = (v: bigint) => v.toString(16).padStart(64, '0');

function nodeVerdict(header: string): string | undefined {
  try {
    return verifySignatureHeader(header, { nowSeconds: NOW });
  } catch {
    return undefined;
  }
}

/** Headers of one kind from a seeded generator. */
function generator(seed: number) {
  const rand = prng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  // A few wallets sign most requests, as in production; fresh keys now and then.
  const keys = Array.from({ length: 8 }, () => secp256k1.utils.randomSecretKey(bytes(48)));
  const key = () => (rand() < 0.8 ? pick(keys) : secp256k1.utils.randomSecretKey(bytes(48)));
  // Mostly inside ±24 h, one in twenty within 10 s of either edge.
  const time = () =>
    rand() < 0.95
      ? NOW + int(2 * SIGNATURE_VALIDITY_SECONDS) - SIGNATURE_VALIDITY_SECONDS
      : NOW + pick([-1, 1]) * (SIGNATURE_VALIDITY_SECONDS - 10 + int(20));
  const valid = () => sigsAuthHeader(key(), time());
  const withSig = (h: string, r: bigint, s: bigint) => h.slice(0, 66) + hex64(r) + hex64(s) + h.slice(194);
  const withPubkey = (h: string, pubHex: string) => pubHex + h.slice(66);
  const malformed: Array<() => string> = [
    () => valid().slice(0, 66 + 128), // no time
    () => `${valid()} `,
    () => valid().slice(0, int(200)),
    () => Buffer.from(bytes(int(260))).toString('hex'),
    () => Buffer.from(bytes(int(260))).toString('latin1'),
    () => valid().toUpperCase(),
    () => {
      const h = valid();
      return `${h.slice(0, 194)}+${h.slice(194)}`;
    },
    () => {
      const h = valid();
      return `${h.slice(0, 194)}-${h.slice(194)}`;
    },
    () => `${valid().slice(0, 194)}18446744073709551616`,
    () => {
      const h = valid();
      return `${h.slice(0, 194)}0${h.slice(194)}`;
    },
    () => withSig(valid(), 0n, BigInt(`0x${valid().slice(130, 194)}`)),
    () => withSig(valid(), BigInt(`0x${valid().slice(66, 130)}`), 0n),
    () => withSig(valid(), N, 1n),
    () => withSig(valid(), N + 1n, 1n),
    () => withSig(valid(), 1n, N >> 1n),
    () => withSig(valid(), 1n, (N >> 1n) + 1n),
    () => withSig(valid(), 2n ** 256n - 1n, 2n ** 256n - 1n),
    () => withPubkey(valid(), pick(['02', '03', '04', '00', '05']) + Buffer.from(bytes(32)).toString('hex')),
    () => withPubkey(valid(), pick(['02', '03']) + hex64(P + BigInt(int(2000)))),
    () => withPubkey(valid(), pick(['02', '03']) + hex64(BigInt(int(8)))),
    () => withPubkey(valid(), pick(['02', '03']) + hex64(P - 1n - BigInt(int(8)))),
    () => withPubkey(valid(), pick(['02', '03']) + 'f'.repeat(64)),
  ];
  const kinds = {
    valid,
    tampered: () => {
      const h = valid();
      return flipHex(h, int(194));
    },
    retimed: () => {
      const h = valid();
      return h.slice(0, 194) + String(Number(h.slice(194)) + 1 + int(5));
    },
    highS: () => withHighS(valid()),
    malformed: () => pick(malformed)(),
  };
  return { kinds, pick, int };
}

describe('node:crypto signature verifier against the @noble/curves verifier', () => {
  it('gives the same verdict on 2,000 random valid, tampered, high-S and malformed headers', () => {
    const seed = 20261201;
    const { kinds } = generator(seed);
    const counts: Record<string, { accepted: number; rejected: number }> = {};
    const mismatches: string[] = [];
    const plan: Array<[keyof typeof kinds, number]> = [
      ['valid', 500],
      ['tampered', 400],
      ['retimed', 100],
      ['highS', 300],
      ['malformed', 700],
    ];
    for (const [kind, n] of plan) {
      counts[kind] = { accepted: 0, rejected: 0 };
      for (let i = 0; i < n; i++) {
        const header = kinds[kind]();
        const expected = nobleVerifySignatureHeader(header, NOW);
        const actual = nodeVerdict(header);
        if (expected !== actual)
          mismatches.push(
            `seed ${seed} ${kind} #${i}: noble ${expected ?? 'rejects'}, node ${actual ?? 'rejects'}: ${JSON.stringify(header)}`,
          );
        counts[kind]![actual === undefined ? 'rejected' : 'accepted']++;
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    // The generator really covers both verdicts where both are possible.
    expect(counts['valid']!.accepted).toBeGreaterThan(450);
    expect(counts['valid']!.rejected).toBeGreaterThan(0); // signed just outside ±24 h
    expect(counts['highS']!.accepted).toBe(0);
    expect(counts['tampered']!.rejected).toBe(400);
    expect(counts['malformed']!.accepted).toBeGreaterThan(0); // upper-case hex, '+' and leading zeros in the time
    expect(counts['malformed']!.rejected).toBeGreaterThan(550);
  }, 120_000);

  it('refuses a key whose x is p or more (an alias of a valid x mod p) by its own check, whatever the OpenSSL build', () => {
    let x = 1n;
    while (!isCompressedCurvePoint(Buffer.from(`02${hex64(x)}`, 'hex'))) x++;
    const aliased = Buffer.from(`02${hex64(x + P)}`, 'hex');
    expect(isCompressedCurvePoint(aliased)).toBe(false);
    const header = aliased.toString('hex') + '11'.repeat(64) + String(NOW);
    expect(nodeVerdict(header)).toBeUndefined();
    expect(nobleVerifySignatureHeader(header, NOW)).toBeUndefined();
  });

  it('keeps at most KEY_CACHE_SIZE key objects, however many wallets sign', () => {
    const { int } = generator(7);
    for (let i = 0; i < KEY_CACHE_SIZE + 50; i++) {
      // Any point on the curve makes a key object, signed or not: the signature just fails.
      let pub: Buffer;
      do pub = Buffer.from([2 + int(2), ...Array.from({ length: 32 }, () => int(256))]);
      while (!isCompressedCurvePoint(pub));
      nodeVerdict(pub.toString('hex') + '11'.repeat(64) + String(NOW));
    }
    expect(cachedKeyCount()).toBe(KEY_CACHE_SIZE);
  });
});
