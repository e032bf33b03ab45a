/**
 * The signing side of signature authentication (lambda/auth/signature.ts): builds the header a
 * vss-client-ng `SigsAuthProvider` sends, with deterministic (RFC 6979) low-S signatures. For tests,
 * benchmarks and tooling; the server never signs, so no Lambda bundle imports this module (and
 * with it @noble/curves).
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { signatureDigest } from './signature.js';

/** The `authorization` header for this secret key and signing time (lowercase hex, compact low-S signature). */
export function createSignatureHeader(secretKey: Uint8Array, timeSeconds: number | string): string {
  const pubkey = secp256k1.getPublicKey(secretKey, true);
  const timeText = String(timeSeconds);
  const sig = secp256k1.sign(signatureDigest(pubkey, timeText), secretKey, { prehash: false, lowS: true, format: 'compact' });
  return Buffer.from(pubkey).toString('hex') + Buffer.from(sig).toString('hex') + timeText;
}
