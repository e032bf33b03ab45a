/**
 * What real clients do, re-implemented independently of the server code under test:
 *   - vss-client-ng `SigsAuthProvider::build_token` (docs/protocol.md §5.1)
 *   - vss-client `LnurlAuthToJwtProvider` with LDK Node's key derivation (docs/protocol.md §5.3, §6.1):
 *     parent m/877'/138', hashing key parent/0, linking key parent/<four u32 from
 *     HMAC-SHA256(hashing key, domain)> (a child number ≥ 2^31 is hardened, as `ChildNumber::from`)
 * plus token forgery helpers for the negative matrix.
 */
import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { HDKey } from '@scure/bip32';
import { SignJWT } from 'jose';

const SALT = new TextEncoder().encode('VSS Signature Authorizer Signing Salt Constant..................');

/** `build_token` of vss-client-ng: lowercase hex pubkey ‖ compact sig ‖ decimal time. */
export function sigsAuthHeader(secretKey: Uint8Array, time: number | string): string {
  const pubkey = secp256k1.getPublicKey(secretKey, true);
  const timeText = String(time);
  const digest = sha256(new Uint8Array([...SALT, ...pubkey, ...new TextEncoder().encode(timeText)]));
  const sig = secp256k1.sign(digest, secretKey, { prehash: false });
  return Buffer.from(pubkey).toString('hex') + Buffer.from(sig).toString('hex') + timeText;
}

/** The same signature with s replaced by n − s: valid ECDSA, but high-S (libsecp256k1 refuses it). */
export function withHighS(header: string): string {
  const sigHex = header.slice(66, 194);
  const s = BigInt(`0x${sigHex.slice(64)}`);
  const n = secp256k1.Point.CURVE().n;
  const high = (n - s).toString(16).padStart(64, '0');
  return header.slice(0, 66) + sigHex.slice(0, 64) + high + header.slice(194);
}

/** Flips one hex digit at the given index of the string. */
export function flipHex(s: string, index: number): string {
  const c = s[index]!;
  const flipped = (parseInt(c, 16) ^ 1).toString(16);
  return s.slice(0, index) + flipped + s.slice(index + 1);
}

/** LDK Node's LNURL-auth parent key from a node seed: m/877'/138'. */
export function ldkLnurlParent(seed: Uint8Array): HDKey {
  return HDKey.fromMasterSeed(seed).derive("m/877'/138'");
}

/** LUD-05 path as vss-client derives it: four big-endian u32 of HMAC-SHA256(hashing key, domain). */
export function linkingKeyPath(hashingKey: Uint8Array, domain: string): number[] {
  const mac = hmac(sha256, hashingKey, new TextEncoder().encode(domain));
  return [0, 1, 2, 3].map((i) => Buffer.from(mac).readUInt32BE(i * 4));
}

export function linkingKey(parent: HDKey, domain: string): HDKey {
  const hashingKey = parent.deriveChild(0).privateKey!;
  return linkingKeyPath(hashingKey, domain).reduce((k, index) => k.deriveChild(index), parent);
}

/** `sign_lnurl`: appends &sig=<DER hex>&key=<compressed pubkey hex> to the URL. */
export function signLnurl(parent: HDKey, lnurl: string): { url: string; pubkeyHex: string } {
  const url = new URL(lnurl);
  // url::Url::domain() is None for IP hosts: the client refuses them.
  if (/^[0-9.]+$/.test(url.hostname) || url.hostname.startsWith('[')) throw new Error(`invalid lnurl (no domain): ${lnurl}`);
  const k1 = url.searchParams.get('k1');
  if (!k1 || !/^[0-9a-fA-F]{64}$/.test(k1)) throw new Error(`invalid lnurl (k1): ${lnurl}`);
  const key = linkingKey(parent, url.hostname);
  const sig = secp256k1.sign(Buffer.from(k1, 'hex'), key.privateKey!, { prehash: false, format: 'der' });
  const pubkeyHex = Buffer.from(key.publicKey!).toString('hex');
  url.searchParams.append('sig', Buffer.from(sig).toString('hex'));
  url.searchParams.append('key', pubkeyHex);
  return { url: url.toString(), pubkeyHex };
}

/** `fetch_jwt_token`: GET the auth URL, sign it, GET the signed URL, read `token` or `reason`. */
export async function lnurlLogin(authServerUrl: string, parent: HDKey): Promise<{ token: string; pubkeyHex: string; signedUrl: string }> {
  const lnurl = await (await fetch(authServerUrl)).text();
  const { url, pubkeyHex } = signLnurl(parent, lnurl);
  const body = (await (await fetch(url)).json()) as { token?: string; reason?: string };
  if (body.token) return { token: body.token, pubkeyHex, signedUrl: url };
  throw new Error(`LNURL Auth failed, reason is: ${body.reason}`);
}

export function rsaKeyPair(bits = 2048): { privateKey: KeyObject; publicKey: KeyObject; spkiPem: string; pkcs1Pem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    privateKey,
    publicKey,
    spkiPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    pkcs1Pem: publicKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
  };
}

export interface Claims {
  readonly sub?: unknown;
  readonly exp?: unknown;
  readonly aud?: unknown;
  readonly iss?: unknown;
  readonly [k: string]: unknown;
}

export async function rs256(privateKey: KeyObject, claims: Claims, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims as Record<string, unknown>).setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...header }).sign(privateKey);
}

export async function es256(privateKey: KeyObject, claims: Claims): Promise<string> {
  return new SignJWT(claims as Record<string, unknown>).setProtectedHeader({ alg: 'ES256', typ: 'JWT' }).sign(privateKey);
}

const b64 = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** An unsecured JWT: `alg: none`, empty signature. */
export function unsecuredJwt(claims: Claims): string {
  return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
}

/** The classic key-confusion forgery: HS256 with the server's RSA public key PEM as the HMAC secret. */
export function hs256WithPublicKey(publicKeyPem: string, claims: Claims): string {
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', publicKeyPem).update(input).digest('base64url')}`;
}
