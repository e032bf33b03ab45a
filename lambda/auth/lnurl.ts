/**
 * The built-in LNURL-auth JWT issuer (docs/protocol.md §5.3, §7.9): lets LDK Node 0.4–0.7 wallets, whose VSS
 * auth is `LnurlAuthToJwtProvider`, use this service with no other server.
 *
 *   GET <auth url>                          → 200 text/plain  <auth url>?tag=login&k1=<64 hex>
 *   GET <auth url>?…&k1=…&sig=<DER>&key=<pk> → 200 JSON {"status":"OK","token":"<jwt>"}
 *                                              or JSON {"status":"ERROR","reason":"…"}
 *
 * `k1` is 32 random bytes, stored with an expiry and consumed exactly once (an atomic delete), only
 * after the signature has verified (so nobody can burn another wallet's challenge). The token is
 * RS256 with `sub` = the linking public key (lowercase hex), `iat` and `exp`, and nothing the VSS
 * verifier would refuse (no `aud`). The RS256 signature comes from a pluggable signer: KMS Sign on
 * AWS (the private key never leaves KMS), a local key file with `npm start`.
 *
 * This module is transport-neutral and free of AWS: the Lambda handler (handlers/lnurlAuth.ts) and
 * the local server route (local/auth.ts) adapt it.
 */
import { createHash, createSign, randomBytes, type KeyObject } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';

/** How long a challenge stays usable. The client signs and returns it within one 10 s timeout. */
export const DEFAULT_K1_TTL_SECONDS = 300;
/** Default token lifetime (spec issue: 24 h). The client reuses a token until `exp − 60 s`. */
export const DEFAULT_TOKEN_TTL_SECONDS = 86_400;

const K1_HEX = /^[0-9a-f]{64}$/;
const PUBKEY_HEX = /^(02|03)[0-9a-fA-F]{64}$/;
const DER_HEX = /^[0-9a-fA-F]{16,146}$/;

/** Stores outstanding challenges. `consume` must be atomic: true for exactly one caller. */
export interface K1Store {
  create(k1: string, expiresAtSeconds: number): Promise<void>;
  /** Removes the challenge; true only if it existed and had not expired at `nowSeconds`. */
  consume(k1: string, nowSeconds: number): Promise<boolean>;
}

/** Produces an RS256 (RSASSA-PKCS1-v1_5 with SHA-256) signature over the given bytes. */
export type Rs256Signer = (signingInput: Uint8Array) => Promise<Uint8Array>;

export interface LnurlIssuerOptions {
  readonly store: K1Store;
  readonly sign: Rs256Signer;
  /** @default DEFAULT_TOKEN_TTL_SECONDS */
  readonly tokenTtlSeconds?: number;
  /** @default DEFAULT_K1_TTL_SECONDS */
  readonly k1TtlSeconds?: number;
  /** `kid` header for issued tokens. @default none */
  readonly keyId?: string;
  /** `iss` claim for issued tokens. @default none */
  readonly issuer?: string;
  /** Unix seconds. @default Date.now() / 1000 */
  readonly now?: () => number;
}

export interface LnurlRequest {
  /** The issuer's own public URL without query, e.g. https://vss.example.com/lnurl-auth */
  readonly publicUrl: string;
  readonly query: Readonly<Record<string, string | undefined>>;
}

export interface LnurlResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** Verifies a LUD-04 signature: DER ECDSA over the raw 32-byte k1 (already a digest). */
export function verifyLnurlSignature(k1Hex: string, sigDerHex: string, pubkeyHex: string): boolean {
  if (!K1_HEX.test(k1Hex) || !DER_HEX.test(sigDerHex) || !PUBKEY_HEX.test(pubkeyHex)) return false;
  try {
    // Low-S is not required: k1 is single-use, so malleability buys nothing, and LUD-04 wallets
    // other than LDK Node are not bound to libsecp256k1's normalisation.
    return secp256k1.verify(Buffer.from(sigDerHex, 'hex'), Buffer.from(k1Hex, 'hex'), Buffer.from(pubkeyHex, 'hex'), {
      prehash: false,
      lowS: false,
      format: 'der',
    });
  } catch {
    return false;
  }
}

const b64url = (b: Uint8Array | string): string => Buffer.from(b).toString('base64url');

export class LnurlAuthIssuer {
  private readonly tokenTtl: number;
  private readonly k1Ttl: number;
  private readonly now: () => number;

  constructor(private readonly options: LnurlIssuerOptions) {
    this.tokenTtl = options.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
    this.k1Ttl = options.k1TtlSeconds ?? DEFAULT_K1_TTL_SECONDS;
    this.now = options.now ?? (() => Date.now() / 1000);
    if (!Number.isInteger(this.tokenTtl) || this.tokenTtl <= 0) throw new Error('token TTL must be a positive integer of seconds');
  }

  /** Answers one GET of the auth URL. Store and signer faults propagate (the adapter answers 500). */
  async handle(req: LnurlRequest): Promise<LnurlResponse> {
    const { sig, key, k1 } = req.query;
    if (sig === undefined && key === undefined) return this.challenge(req.publicUrl);
    if (sig === undefined || key === undefined || k1 === undefined) return error(400, 'k1, sig and key are all required.');
    const k1Lower = k1.toLowerCase();
    if (!K1_HEX.test(k1Lower)) return error(400, 'k1 must be 32 bytes of hex.');
    if (!PUBKEY_HEX.test(key)) return error(400, 'key must be a 33-byte compressed public key in hex.');
    if (!verifyLnurlSignature(k1Lower, sig, key)) return error(401, 'Signature does not verify.');
    const now = Math.floor(this.now());
    if (!(await this.options.store.consume(k1Lower, now))) return error(401, 'Unknown, expired or already used k1.');
    const token = await this.issue(key.toLowerCase(), now);
    return json(200, { status: 'OK', token });
  }

  private async challenge(publicUrl: string): Promise<LnurlResponse> {
    const k1 = randomBytes(32).toString('hex');
    await this.options.store.create(k1, Math.floor(this.now()) + this.k1Ttl);
    const url = new URL(publicUrl);
    url.search = '';
    url.hash = '';
    // Built by hand so the order is tag, k1 (the client appends sig and key after them).
    return { status: 200, contentType: 'text/plain; charset=utf-8', body: `${url.toString()}?tag=login&k1=${k1}` };
  }

  /** Issues a token for the user; exported behaviour for tests and tooling. */
  async issue(sub: string, nowSeconds = Math.floor(this.now())): Promise<string> {
    const header = { alg: 'RS256', typ: 'JWT', ...(this.options.keyId ? { kid: this.options.keyId } : {}) };
    const payload = {
      sub,
      iat: nowSeconds,
      exp: nowSeconds + this.tokenTtl,
      ...(this.options.issuer ? { iss: this.options.issuer } : {}),
    };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    const signature = await this.options.sign(Buffer.from(signingInput, 'ascii'));
    return `${signingInput}.${b64url(signature)}`;
  }
}

function json(status: number, body: Record<string, string>): LnurlResponse {
  return { status, contentType: 'application/json', body: JSON.stringify(body) };
}

/** LUD-04 error shape; the client reads `reason` and ignores the status. */
function error(status: number, reason: string): LnurlResponse {
  return json(status, { status: 'ERROR', reason });
}

/** An RS256 signer over a local private key (local server; tests). */
export function localRs256Signer(privateKey: KeyObject): Rs256Signer {
  return async (input) => createSign('RSA-SHA256').update(input).sign(privateKey);
}

/** SHA-256 of the signing input, for signers that take a digest (KMS MessageType DIGEST). */
export function sha256(input: Uint8Array): Uint8Array {
  return createHash('sha256').update(input).digest();
}

/** In-memory challenge store: one process, so a Map delete is the atomic consume. */
export class MemoryK1Store implements K1Store {
  private readonly pending = new Map<string, number>();
  constructor(private readonly maxPending = 100_000) {}

  async create(k1: string, expiresAtSeconds: number): Promise<void> {
    if (this.pending.size >= this.maxPending) this.sweep(Math.floor(Date.now() / 1000));
    if (this.pending.size >= this.maxPending) throw new Error('too many outstanding LNURL-auth challenges');
    this.pending.set(k1, expiresAtSeconds);
  }

  async consume(k1: string, nowSeconds: number): Promise<boolean> {
    const expiresAt = this.pending.get(k1);
    if (expiresAt === undefined) return false;
    this.pending.delete(k1);
    return expiresAt > nowSeconds;
  }

  private sweep(nowSeconds: number): void {
    for (const [k, exp] of this.pending) if (exp <= nowSeconds) this.pending.delete(k);
  }
}
