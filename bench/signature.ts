/**
 * Signature verification (lambda/auth/signature.ts) against the @noble/curves verifier it replaced
 * (kept as the test oracle, test/auth/noble-reference-verifier.ts), interleaved in one run:
 *   noble        the previous verifier
 *   node, warm   node:crypto with the wallet's key object cached (a wallet's repeated requests)
 *   node, cold   node:crypto with a key not in the cache (first request of a wallet: key parsed
 *                and checked on the curve)
 *
 *   npx tsx bench/signature.ts            (BENCH_ROUNDS, default 40 rounds of 25 verifications)
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { KEY_CACHE_SIZE, verifySignatureHeader } from '../lambda/auth/signature.js';
import { createSignatureHeader } from '../lambda/auth/signature-signer.js';
import { nobleVerifySignatureHeader } from '../test/auth/noble-reference-verifier.js';
import { fmt, interleave } from './stats.js';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 40);
const BATCH = 25;
const now = 1_800_000_000;

// Warm: a few wallets. Cold: more distinct keys than the cache holds, cycled, so every lookup misses.
const warmHeaders = Array.from({ length: 16 }, (_, i) => createSignatureHeader(secp256k1.utils.randomSecretKey(), now - i));
const coldHeaders = Array.from({ length: KEY_CACHE_SIZE + 101 }, (_, i) =>
  createSignatureHeader(secp256k1.utils.randomSecretKey(), now - i),
);

const r = await interleave(
  ROUNDS,
  {
    noble: (i) => {
      if (!nobleVerifySignatureHeader(warmHeaders[i % warmHeaders.length]!, now)) throw new Error('noble rejected a valid header');
    },
    'node, warm': (i) => verifySignatureHeader(warmHeaders[i % warmHeaders.length]!, { nowSeconds: now }),
    'node, cold': (i) => verifySignatureHeader(coldHeaders[i % coldHeaders.length]!, { nowSeconds: now }),
  },
  BATCH,
);
const us = (ms: number) => ms * 1000;
console.log(
  `Signature header verification, µs per verification: median (range) of ${ROUNDS} interleaved rounds of ${BATCH}; node ${process.version}`,
);
for (const [name, s] of Object.entries(r)) {
  console.log(
    `  ${name.padEnd(12)} ${fmt({ median: us(s.median), min: us(s.min), max: us(s.max) }).padEnd(26)} ${(r['noble']!.median / s.median).toFixed(2)}× as fast as noble`,
  );
}
