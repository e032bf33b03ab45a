/**
 * JWT authentication (docs/protocol.md §5.2 and §7.9), with `jose`.
 *
 * Rust-reference parity by default: `authorization` must be exactly `Bearer <jwt>`; RS256 only;
 * `exp` required (a non-negative integer) with 60 s leeway; a token carrying `aud` is rejected
 * unless an audience is configured; `sub` is the user. Stricter than the reference where the
 * storage would fail anyway: `sub` must be non-blank and at most 120 characters (Java parity).
 * `alg: none`, HMAC algorithms (so a token "signed" with the public key as an HMAC secret is
 * rejected) and any algorithm not configured are refused before any key is touched.
 *
 * Optional for other issuers: ES256, keys from a JWKS URL, required issuer and audience.
 * Several key sources can be trusted at once (e.g. a PEM key and the built-in LNURL-auth issuer's
 * KMS key); a token verified by any of them is accepted, each with its own issuer/audience rules.
 *
 * Pure apart from the JWKS fetch jose performs (cached) when a JWKS URL is configured.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { authFailure, type VssError } from '../core/errors.js';

/** Algorithms this service can be configured to accept. Everything else is always rejected. */
// The construct refuses any other algorithm at synth (lambda/contract.ts).
import { JWT_ALGORITHMS as SUPPORTED_JWT_ALGORITHMS, type JwtAlgorithm } from '../contract.js';
export { SUPPORTED_JWT_ALGORITHMS, type JwtAlgorithm };

/** Leeway on `exp` (and `nbf` when present), as in the reference (docs/protocol.md §5.2). */
export const JWT_LEEWAY_SECONDS = 60;
/** The storage's limit on a user token (docs/protocol.md §5.2, §5.1). */
export const MAX_SUB_LENGTH = 120;

const BEARER = 'Bearer ';

/** One trusted source of verification keys and the claim rules for tokens it verifies. */
export interface JwtKeySource {
  /** A static public key (PEM text or KeyObject). Exactly one of key / jwksUrl / getKey. */
  readonly key?: string | KeyObject;
  /** A JWKS endpoint (HTTPS in production); jose caches it and refetches on unknown `kid`. */
  readonly jwksUrl?: string;
  /** A key resolved lazily (e.g. a KMS public key fetched once per cold start). */
  readonly getKey?: () => Promise<KeyObject>;
  /** @default ['RS256'] */
  readonly algorithms?: readonly JwtAlgorithm[];
  /** Required `iss`. @default not checked */
  readonly issuer?: string;
  /** Required `aud` (one of). @default a token with `aud` is rejected */
  readonly audience?: string | readonly string[];
  /** Name for diagnostics. */
  readonly name?: string;
}

export interface JwtVerifierOptions {
  readonly sources: readonly JwtKeySource[];
  /** Current time in Unix seconds. @default Date.now() / 1000 */
  readonly now?: () => number;
}

/** Header value in, user out; throws the protocol's auth error. */
export type JwtVerifier = (authorizationHeader: string | undefined | null) => Promise<string>;

interface PreparedSource {
  readonly name: string;
  readonly algorithms: JwtAlgorithm[];
  readonly issuer?: string;
  readonly audience?: string | string[];
  readonly resolve: () => Promise<KeyObject | JWTVerifyGetKey>;
  /** Keys come from a JWKS endpoint (fetch failures are not the token's fault). */
  readonly remote?: boolean;
}

/** Parses a PEM public key: SPKI (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC KEY`). */
export function parsePublicKeyPem(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (e) {
    throw new Error(`JWT public key is not a PEM public key (SPKI or PKCS#1): ${(e as Error).message}`);
  }
  if (key.type !== 'public') throw new Error('JWT public key must be a public key');
  return key;
}

function checkKeyFits(key: KeyObject, algorithms: readonly JwtAlgorithm[], name: string): void {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) throw new Error(`${name}: RSA key must be at least 2048 bits (got ${bits})`);
    if (!algorithms.includes('RS256')) throw new Error(`${name}: RSA key given but RS256 is not an accepted algorithm`);
  } else if (type === 'ec') {
    if (key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error(`${name}: EC key must be on P-256 for ES256`);
    if (!algorithms.includes('ES256')) throw new Error(`${name}: P-256 key given but ES256 is not an accepted algorithm`);
  } else {
    throw new Error(`${name}: unsupported key type ${type}`);
  }
}

export function parseAlgorithms(list: string | undefined): JwtAlgorithm[] {
  const algs = (list ?? 'RS256')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (algs.length === 0) throw new Error('no JWT algorithm configured');
  for (const a of algs) {
    if (!(SUPPORTED_JWT_ALGORITHMS as readonly string[]).includes(a)) {
      throw new Error(`JWT algorithm ${a} is not supported (use ${SUPPORTED_JWT_ALGORITHMS.join(', ')})`);
    }
  }
  return algs as JwtAlgorithm[];
}

function prepare(source: JwtKeySource, index: number): PreparedSource {
  const name = source.name ?? `key source ${index + 1}`;
  const algorithms = [...(source.algorithms ?? ['RS256'])];
  parseAlgorithms(algorithms.join(','));
  const given = [source.key, source.jwksUrl, source.getKey].filter((x) => x !== undefined).length;
  if (given !== 1) throw new Error(`${name}: give exactly one of key, jwksUrl, getKey`);
  const base = {
    name,
    algorithms,
    ...(source.issuer !== undefined ? { issuer: source.issuer } : {}),
    ...(source.audience !== undefined ? { audience: typeof source.audience === 'string' ? source.audience : [...source.audience] } : {}),
  };
  if (source.key !== undefined) {
    const key = typeof source.key === 'string' ? parsePublicKeyPem(source.key) : source.key;
    checkKeyFits(key, algorithms, name);
    return { ...base, resolve: async () => key };
  }
  if (source.jwksUrl !== undefined) {
    const jwks = createRemoteJWKSet(new URL(source.jwksUrl), { timeoutDuration: 2000 });
    return { ...base, remote: true, resolve: async () => jwks };
  }
  const getKey = source.getKey!;
  let checked: Promise<KeyObject> | undefined;
  return {
    ...base,
    resolve: () => {
      checked ??= getKey().then(
        (key) => {
          checkKeyFits(key, algorithms, name);
          return key;
        },
        (e) => {
          // Do not remember a failed fetch: the next request tries again.
          checked = undefined;
          throw e;
        },
      );
      return checked;
    },
  };
}

/** Raised when a key source could not be reached (not the token's fault): answered 500, not 401. */
export class JwtKeyUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JwtKeyUnavailableError';
  }
}

export function createJwtVerifier(options: JwtVerifierOptions): JwtVerifier {
  if (options.sources.length === 0) throw new Error('JWT authentication needs at least one key source');
  const sources = options.sources.map(prepare);
  const now = options.now ?? (() => Date.now() / 1000);

  return async (header) => {
    if (header === undefined || header === null || header === '') throw authFailure('Authorization header not found.');
    if (!header.startsWith(BEARER)) throw invalid();
    const token = header.slice(BEARER.length);

    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw invalid();
    }
    const nowSeconds = Math.floor(now());
    const currentDate = new Date(nowSeconds * 1000);
    let unavailable: unknown;
    for (const source of sources) {
      if (typeof alg !== 'string' || !(source.algorithms as string[]).includes(alg)) continue;
      let key: KeyObject | JWTVerifyGetKey;
      try {
        key = await source.resolve();
      } catch (e) {
        unavailable ??= e;
        continue;
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, key as KeyObject, {
          algorithms: source.algorithms,
          // jose rejects exp <= now − tolerance; the reference rejects only now > exp + 60, so jose
          // gets one second more and the exact rule is applied in userFrom().
          clockTolerance: JWT_LEEWAY_SECONDS + 1,
          currentDate,
          requiredClaims: ['exp', 'sub'],
          ...(source.issuer !== undefined ? { issuer: source.issuer } : {}),
          ...(source.audience !== undefined ? { audience: source.audience } : {}),
        }));
      } catch (e) {
        if (source.remote && isJwksFetchFailure(e)) unavailable ??= e;
        continue;
      }
      return userFrom(payload, source, nowSeconds);
    }
    if (unavailable !== undefined) {
      throw new JwtKeyUnavailableError('JWT verification key unavailable', { cause: unavailable });
    }
    throw invalid();
  };
}

/** A JWKS that could not be fetched or parsed (network, timeout, non-200), as opposed to a bad token. */
function isJwksFetchFailure(e: unknown): boolean {
  if (!(e instanceof errors.JOSEError)) return true;
  return e.code === 'ERR_JWKS_TIMEOUT' || e.code === 'ERR_JOSE_GENERIC';
}

function userFrom(payload: JWTPayload, source: PreparedSource, nowSeconds: number): string {
  // Reference parity: exp is a non-negative integer, expired once now > exp + 60; aud is refused
  // unless it was asked for.
  if (typeof payload.exp !== 'number' || !Number.isInteger(payload.exp) || payload.exp < 0) throw invalid();
  if (nowSeconds > payload.exp + JWT_LEEWAY_SECONDS) throw invalid();
  if (source.audience === undefined && payload.aud !== undefined) throw invalid();
  const sub = payload.sub;
  if (typeof sub !== 'string' || sub.trim() === '' || [...sub].length > MAX_SUB_LENGTH) throw invalid();
  return sub;
}

function invalid(): VssError {
  return authFailure('Invalid JWT token.');
}
