/**
 * The signature verifier as it was before node:crypto (@noble/curves, a JavaScript secp256k1 that
 * refuses high-S and off-curve keys itself), kept only as the oracle of the differential test
 * (signature-differential.test.ts). Returns the user or undefined instead of throwing.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { SIGNATURE_VALIDITY_SECONDS, signatureDigest } from '../../lambda/auth/signature.js';

const VISIBLE_ASCII = /^[\x21-\x7e]*$/;
const HEX = /^[0-9a-fA-F]*$/;
const U64_TEXT = /^\+?[0-9]+$/;
const U64_MAX = (1n << 64n) - 1n;

export function nobleVerifySignatureHeader(header: string | undefined, nowSeconds: number): string | undefined {
  if (header === undefined || header === '' || !VISIBLE_ASCII.test(header)) return undefined;
  if (header.length <= 66 + 128) return undefined;
  const pubkeyHex = header.slice(0, 66);
  const sigHex = header.slice(66, 194);
  const timeText = header.slice(194);
  if (!HEX.test(pubkeyHex) || !HEX.test(sigHex) || !U64_TEXT.test(timeText)) return undefined;
  const time = BigInt(timeText);
  if (time > U64_MAX) return undefined;
  const now = BigInt(Math.floor(nowSeconds));
  if ((now > time ? now - time : time - now) > BigInt(SIGNATURE_VALIDITY_SECONDS)) return undefined;
  const pubkey = Buffer.from(pubkeyHex, 'hex');
  try {
    secp256k1.Point.fromBytes(pubkey).assertValidity();
  } catch {
    return undefined;
  }
  if (pubkey[0] !== 0x02 && pubkey[0] !== 0x03) return undefined;
  try {
    const ok = secp256k1.verify(Buffer.from(sigHex, 'hex'), signatureDigest(pubkey, timeText), pubkey, {
      prehash: false,
      lowS: true,
      format: 'compact',
    });
    return ok ? pubkeyHex.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}
