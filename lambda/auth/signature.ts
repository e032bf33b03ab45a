/**
 * Signature ("proof of private key knowledge") authentication, docs/protocol.md §5.1 — the default of LDK Node
 * main (vss-client-ng ≥ 0.5 `SigsAuthProvider`).
 *
 * The `authorization` header (no scheme prefix) is
 *   66 hex chars   33-byte compressed secp256k1 public key
 *   128 hex chars  64-byte compact ECDSA signature r‖s
 *   the rest       signing time, decimal Unix seconds, exactly as signed
 * and the signature is over SHA256(SIGNING_CONSTANT ‖ pubkey(33) ‖ ASCII(time string as sent)).
 * Only low-S signatures verify (libsecp256k1 parity); the time must be within ±24 h of now.
 *
 * The user is the public key in lowercase hex. The reference keeps the hex "exactly as sent"; every
 * client sends lowercase, and folding case here means one key can never own two tenants (the
 * signature proves the same key either way). See docs/auth.md.
 *
 * Pure: no I/O, no clock of its own (the caller passes `now`), used by the Lambda handlers
 * (runtime.ts, VSS_AUTH_MODE=signature) and the local server alike.
 */
import { createHash } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { authFailure, type VssError } from '../core/errors.js';

/** 64 ASCII bytes: the 46-character phrase followed by 18 dots (docs/protocol.md §5.1). */
export const SIGNING_CONSTANT = 'VSS Signature Authorizer Signing Salt Constant..................';
const SIGNING_CONSTANT_BYTES = Buffer.from(SIGNING_CONSTANT, 'ascii');

/** Accepted distance between the signing time and now, either direction (docs/protocol.md §5.1: 24 h). */
export const SIGNATURE_VALIDITY_SECONDS = 86_400;

const PUBKEY_HEX_LEN = 66;
const SIG_HEX_LEN = 128;
const U64_MAX = (1n << 64n) - 1n;

/** Visible ASCII only (Rust's `HeaderValue::to_str` treats anything else as absent). */
const VISIBLE_ASCII = /^[\x21-\x7e]*$/;
const HEX = /^[0-9a-fA-F]*$/;
/** Rust's `u64::from_str`: optional leading `+`, then decimal digits only. */
const U64_TEXT = /^\+?[0-9]+$/;

/** The 32-byte digest that is signed for a header with this public key and time string. */
export function signatureDigest(pubkey: Uint8Array, timeText: string): Uint8Array {
  return createHash('sha256').update(SIGNING_CONSTANT_BYTES).update(pubkey).update(Buffer.from(timeText, 'ascii')).digest();
}

export interface SignatureVerifyOptions {
  /** Current time in Unix seconds (whole seconds are used). @default Date.now() / 1000 */
  readonly nowSeconds?: number;
}

/**
 * Verifies a signature `authorization` header; returns the user (lowercase pubkey hex) or throws
 * the protocol's auth error (401 AUTH_EXCEPTION).
 */
export function verifySignatureHeader(header: string | undefined | null, options: SignatureVerifyOptions = {}): string {
  if (header === undefined || header === null || header === '' || !VISIBLE_ASCII.test(header)) {
    throw authFailure('Authorization header not found.');
  }
  if (header.length <= PUBKEY_HEX_LEN + SIG_HEX_LEN) throw invalid('header too short');
  const pubkeyHex = header.slice(0, PUBKEY_HEX_LEN);
  const sigHex = header.slice(PUBKEY_HEX_LEN, PUBKEY_HEX_LEN + SIG_HEX_LEN);
  const timeText = header.slice(PUBKEY_HEX_LEN + SIG_HEX_LEN);
  if (!HEX.test(pubkeyHex) || !HEX.test(sigHex)) throw invalid('public key or signature is not hex');
  if (!U64_TEXT.test(timeText)) throw invalid('signing time is not an unsigned integer');
  const time = BigInt(timeText);
  if (time > U64_MAX) throw invalid('signing time is not an unsigned integer');
  const now = BigInt(Math.floor(options.nowSeconds ?? Date.now() / 1000));
  const skew = now > time ? now - time : time - now;
  if (skew > BigInt(SIGNATURE_VALIDITY_SECONDS)) throw invalid('signing time outside the accepted window');

  const pubkey = Buffer.from(pubkeyHex, 'hex');
  try {
    // Throws unless it is a valid compressed point on the curve.
    secp256k1.Point.fromBytes(pubkey).assertValidity();
  } catch {
    throw invalid('public key is not a valid compressed secp256k1 point');
  }
  if (pubkey[0] !== 0x02 && pubkey[0] !== 0x03) throw invalid('public key is not a valid compressed secp256k1 point');
  const sig = Buffer.from(sigHex, 'hex');
  let ok = false;
  try {
    ok = secp256k1.verify(sig, signatureDigest(pubkey, timeText), pubkey, { prehash: false, lowS: true, format: 'compact' });
  } catch {
    ok = false;
  }
  if (!ok) throw invalid('signature does not verify');
  return pubkeyHex.toLowerCase();
}

function invalid(detail: string): VssError {
  return authFailure(`Invalid signature authorization: ${detail}.`);
}

/**
 * Builds the header a `SigsAuthProvider` sends (lowercase hex, compact low-S signature). For tests,
 * benchmarks and tooling; the server never signs.
 */
export function createSignatureHeader(secretKey: Uint8Array, timeSeconds: number | string): string {
  const pubkey = secp256k1.getPublicKey(secretKey, true);
  const timeText = String(timeSeconds);
  const sig = secp256k1.sign(signatureDigest(pubkey, timeText), secretKey, { prehash: false, lowS: true, format: 'compact' });
  return Buffer.from(pubkey).toString('hex') + Buffer.from(sig).toString('hex') + timeText;
}

/** Case-insensitive lookup of a header in an API Gateway event's header map (last value wins). */
export function headerValue(
  headers: Readonly<Record<string, string | undefined>> | null | undefined,
  name: string,
  multiValue?: Readonly<Record<string, readonly string[] | undefined>> | null,
): string | undefined {
  const wanted = name.toLowerCase();
  if (multiValue) {
    for (const [k, v] of Object.entries(multiValue)) {
      if (k.toLowerCase() === wanted && v && v.length > 0) return v[v.length - 1];
    }
  }
  if (!headers) return undefined;
  let found: string | undefined;
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === wanted && v !== undefined) found = v;
  }
  return found;
}
