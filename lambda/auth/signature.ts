/**
 * Signature ("proof of private key knowledge") authentication, docs/protocol.md §5.1 — the default of LDK Node
 * main (vss-client-ng ≥ 0.5 `SigsAuthProvider`).
 *
 * The `authorization` header (no scheme prefix) is
 *   66 hex chars   33-byte compressed secp256k1 public key
 *   128 hex chars  64-byte compact ECDSA signature r‖s
 *   the rest       signing time, decimal Unix seconds, exactly as signed
 * and the signature is over SHA256(SIGNING_CONSTANT ‖ pubkey(33) ‖ ASCII(time string as sent)).
 * Only low-S signatures verify (libsecp256k1 parity); the time must be within the replay window of
 * now, ±24 h unless the deployment tightened it (signature-policy.ts, docs/auth.md "Replay window").
 *
 * The user is the public key in lowercase hex. The reference keeps the hex "exactly as sent"; every
 * client sends lowercase, and folding case here means one key can never own two tenants (the
 * signature proves the same key either way). See docs/auth.md.
 *
 * No I/O, no clock of its own (the caller passes `now`), used by the Lambda handlers (runtime.ts,
 * VSS_AUTH_MODE=signature) and the local server alike. Verification is OpenSSL's (node:crypto):
 * several times faster than a JavaScript implementation and nothing to load at cold start
 * (docs/performance.md). OpenSSL accepts high-S signatures, which libsecp256k1 (and so the
 * reference server) refuses, so low-S is checked here; so is the public key (a point on the curve
 * with x below the field prime), so that the verdict does not rest on how an OpenSSL build parses
 * keys. A key that passes becomes a cached KeyObject: a wallet's repeated requests skip the parsing
 * and the curve check. test/auth/signature-differential.test.ts holds it to the verdicts of the
 * @noble/curves verifier it replaced.
 */
import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { authFailure, type VssError } from '../core/errors.js';

/** 64 ASCII bytes: the 46-character phrase followed by 18 dots (docs/protocol.md §5.1). */
export const SIGNING_CONSTANT = 'VSS Signature Authorizer Signing Salt Constant..................';
const SIGNING_CONSTANT_BYTES = Buffer.from(SIGNING_CONSTANT, 'ascii');

/** Accepted distance between the signing time and now, either direction, by default (docs/protocol.md §5.1: 24 h). */
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
  /**
   * The replay window: the most seconds the signing time may lie before or after now (both
   * bounds inclusive). @default SIGNATURE_VALIDITY_SECONDS (86,400, the reference server's)
   */
  readonly maxClockSkewSeconds?: number;
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
  if (skew > BigInt(options.maxClockSkewSeconds ?? SIGNATURE_VALIDITY_SECONDS)) throw invalid('signing time outside the accepted window');

  const user = pubkeyHex.toLowerCase();
  const key = publicKeyOf(user);
  if (!key) throw invalid('public key is not a valid compressed secp256k1 point');
  const sig = Buffer.from(sigHex, 'hex');
  const r = BigInt(`0x${sigHex.slice(0, 64)}`);
  const s = BigInt(`0x${sigHex.slice(64)}`);
  // libsecp256k1 (and so the reference server) only accepts low-S; OpenSSL accepts both forms.
  if (r === 0n || r >= CURVE_N || s === 0n || s > HALF_N) throw invalid('signature does not verify');
  // The message is hashed once more by verify('sha256'): ECDSA over signatureDigest(...).
  const message = Buffer.concat([SIGNING_CONSTANT_BYTES, key.pubkey, Buffer.from(timeText, 'ascii')]);
  if (!verify('sha256', message, { key: key.keyObject, dsaEncoding: 'ieee-p1363' }, sig)) throw invalid('signature does not verify');
  return user;
}

/** secp256k1 field prime p, group order n and n/2 (the largest low-S value). */
const CURVE_P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
const CURVE_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = CURVE_N >> 1n;
/** DER SubjectPublicKeyInfo prefix of a compressed secp256k1 key (id-ecPublicKey, secp256k1, 33-byte BIT STRING). */
const SPKI_PREFIX = Buffer.from('3036301006072a8648ce3d020106052b8104000a032200', 'hex');

/** Keys verified recently: a warm function serves the same few wallets again and again. */
export const KEY_CACHE_SIZE = 1024;
interface CachedKey {
  readonly pubkey: Buffer;
  readonly keyObject: KeyObject;
}
const keyCache = new Map<string, CachedKey>();

/** The key object of a compressed public key (lowercase hex), or undefined if it is not a point of the curve. */
function publicKeyOf(pubkeyHex: string): CachedKey | undefined {
  const hit = keyCache.get(pubkeyHex);
  if (hit) {
    // Most recently used last: the map's insertion order is the eviction order.
    keyCache.delete(pubkeyHex);
    keyCache.set(pubkeyHex, hit);
    return hit;
  }
  const pubkey = Buffer.from(pubkeyHex, 'hex');
  if (!isCompressedCurvePoint(pubkey)) return undefined;
  let keyObject: KeyObject;
  try {
    keyObject = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, pubkey]), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
  if (keyCache.size >= KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value!);
  const entry = { pubkey, keyObject };
  keyCache.set(pubkeyHex, entry);
  return entry;
}

/** Number of cached key objects (tests). */
export function cachedKeyCount(): number {
  return keyCache.size;
}

/**
 * A 33-byte SEC1 compressed point: prefix 02/03, 0 < x < p, and x³ + 7 a square mod p (so some y
 * lies on y² = x³ + 7).
 */
export function isCompressedCurvePoint(pubkey: Uint8Array): boolean {
  if (pubkey.length !== 33 || (pubkey[0] !== 0x02 && pubkey[0] !== 0x03)) return false;
  const x = BigInt(`0x${Buffer.from(pubkey.subarray(1)).toString('hex')}`);
  if (x === 0n || x >= CURVE_P) return false;
  const rhs = (modPow(x, 3n, CURVE_P) + 7n) % CURVE_P;
  // p ≡ 3 (mod 4): the candidate root is rhs^((p+1)/4); rhs is a square iff it squares back.
  const y = modPow(rhs, (CURVE_P + 1n) >> 2n, CURVE_P);
  return (y * y) % CURVE_P === rhs;
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

function invalid(detail: string): VssError {
  return authFailure(`Invalid signature authorization: ${detail}.`);
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
