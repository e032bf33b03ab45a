/**
 * How the client authenticates, as the VSS clients do it:
 *   - fixed headers (vss-client's `FixedHeaders`: e.g. `Authorization: Bearer <jwt>`), sent as-is;
 *   - signature auth (vss-client-ng's `SigsAuthProvider`): a fresh `Authorization` header per
 *     request, signed with a 32-byte secp256k1 secret over the current time.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { createSignatureHeader } from '../lambda/auth/signature.js';

export interface AuthOptions {
  /** Sent with every request. Names are case-insensitive; a later one with the same name wins. */
  readonly headers?: Readonly<Record<string, string>>;
  /** 32-byte secp256k1 secret key: signs a fresh Authorization header for every request. */
  readonly signingKey?: Uint8Array;
  /** Clock for signing, in Unix seconds. @default Date.now() / 1000 */
  readonly nowSeconds?: () => number;
}

/** Parses `Name: value` (the form of curl's -H); throws a message naming what is wrong. */
export function parseHeader(text: string): [string, string] {
  const colon = text.indexOf(':');
  const name = colon < 0 ? '' : text.slice(0, colon).trim();
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new Error('a header must look like "Name: value"');
  return [name, text.slice(colon + 1).trim()];
}

/** Parses a signing key: 64 hex characters, a valid secp256k1 secret. */
export function parseSigningKey(hex: string): Uint8Array {
  const clean = hex.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(clean)) throw new Error('the signing key must be 64 hex characters (a 32-byte secp256k1 secret key)');
  const key = Uint8Array.from(Buffer.from(clean, 'hex'));
  if (!secp256k1.utils.isValidSecretKey(key)) throw new Error('the signing key is not a valid secp256k1 secret key');
  return key;
}

/** The headers of one request. */
export function requestHeaders(auth: AuthOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(auth.headers ?? {})) out[name.toLowerCase()] = value;
  if (auth.signingKey) {
    const now = Math.floor(auth.nowSeconds?.() ?? Date.now() / 1000);
    out['authorization'] = createSignatureHeader(auth.signingKey, now);
  }
  return out;
}
