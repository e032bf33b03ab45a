/**
 * The local server's auth modes, as settings of the one Authenticator (lambda/auth/authenticator.ts)
 * that the deployed handlers use too, so every verifier is the same code in both:
 *   none       everyone is one user (the reference's Noop authorizer); local development only
 *   signature  docs/protocol.md §5.1, LDK Node main's default (`build_with_vss_store`), under the
 *              same policy as deployed (lambda/auth/signature-policy.ts: enrollment, replay window)
 *   jwt        docs/protocol.md §5.2, RS256 tokens of an external issuer (--jwt-public-key PATH)
 *   lnurl      serves the built-in LNURL-auth JWT issuer at /lnurl-auth and accepts its tokens
 *              (LDK Node 0.4–0.7 `build_with_vss_store`, main `…_and_lnurl_auth`)
 * Deployed, jwt and lnurl tokens are verified by API Gateway's TOKEN authorizer in front; here
 * nothing stands in front, so the authenticator verifies them itself (its `jwt` mode).
 *
 * The lnurl mode's signing key is an RSA key file generated under the data dir (mode 0600) and
 * reused across restarts: clients keep a token until it expires and never refresh on 401, so a key
 * that changed on restart would lock them out for up to a day. Challenges (`k1`) live in memory:
 * they are valid for minutes, a single process makes a Map delete the atomic consume, and a
 * challenge lost in a restart only makes that login attempt fail (the client starts over on its
 * next request). The AWS issuer keeps them in DynamoDB instead (lambda/auth/k1-store-dynamodb.ts).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { UNAUTHENTICATED_USER, type AuthenticatorSettings } from '../lambda/auth/authenticator.js';
import { createJwtVerifier, type JwtAlgorithm, type JwtKeySource } from '../lambda/auth/jwt.js';
import { LnurlAuthIssuer, MemoryK1Store, localRs256Signer, type K1Store } from '../lambda/auth/lnurl.js';
import type { SignatureEnrollment } from '../lambda/auth/signature-policy.js';
import type { ExtraRoute } from './server.js';

/** The local server's auth modes (`--auth`); a deployment has its own (DEPLOYED_AUTH_MODES). */
export const LOCAL_AUTH_MODES = ['none', 'signature', 'jwt', 'lnurl'] as const;
export type LocalAuthMode = (typeof LOCAL_AUTH_MODES)[number];

/** The user every request is in mode `none` (the Rust Noop authorizer's user_token). */
export { UNAUTHENTICATED_USER };

/** Where the local LNURL-auth issuer answers. */
export const LNURL_AUTH_PATH = '/lnurl-auth';
/** The issuer's signing key file name under the data dir. */
export const LNURL_KEY_FILE = 'lnurl-auth-signing-key.pem';

export interface LocalAuthOptions {
  readonly mode: LocalAuthMode;
  /** jwt: the issuer's public key, PEM (SPKI or PKCS#1). lnurl: optionally trusted as well. */
  readonly jwtPublicKeyPem?: string;
  /** jwt: a JWKS URL instead of (or besides) the PEM key. */
  readonly jwtJwksUrl?: string;
  /** jwt: required `iss`. */
  readonly jwtIssuer?: string;
  /** jwt: required `aud` (else a token with `aud` is refused). */
  readonly jwtAudience?: string;
  /** jwt: @default ['RS256'] */
  readonly jwtAlgorithms?: readonly JwtAlgorithm[];
  /** lnurl: the signing key file; @default <dataDir>/lnurl-auth-signing-key.pem, in memory without a data dir */
  readonly lnurlKeyFile?: string;
  /** lnurl: where the generated key file goes. */
  readonly dataDir?: string;
  /** lnurl: token lifetime in seconds. @default 86400 */
  readonly lnurlTokenTtlSeconds?: number;
  /** lnurl: the auth URL as wallets reach it. @default http://<Host header>/lnurl-auth */
  readonly lnurlPublicUrl?: string;
  /** lnurl: challenge store. @default in memory */
  readonly lnurlK1Store?: K1Store;
  /** signature: who may call. @default 'open' */
  readonly signatureEnrollment?: SignatureEnrollment;
  /** signature: the replay window in seconds. @default 86400 */
  readonly signatureMaxSkewSeconds?: number;
  /** Current time in Unix seconds, for every verifier and the issuer (tests). @default the clock */
  readonly now?: () => number;
}

export interface LocalAuth {
  /** What the composition root builds the authenticator from. */
  readonly settings: AuthenticatorSettings;
  /** Routes to mount (the LNURL-auth issuer in mode lnurl). */
  readonly extraRoutes: readonly ExtraRoute[];
  /** One line for the startup log. */
  readonly description: string;
}

export function isLocalAuthMode(s: string): s is LocalAuthMode {
  return (LOCAL_AUTH_MODES as readonly string[]).includes(s);
}

export async function createLocalAuth(options: LocalAuthOptions): Promise<LocalAuth> {
  const now = options.now;
  switch (options.mode) {
    case 'none':
      return {
        settings: { mode: 'none' },
        extraRoutes: [],
        description: `auth none (every request is "${UNAUTHENTICATED_USER}")`,
      };
    case 'signature': {
      const enrollment = options.signatureEnrollment ?? 'open';
      return {
        settings: {
          mode: 'signature',
          ...(options.signatureEnrollment ? { enrollment: options.signatureEnrollment } : {}),
          ...(options.signatureMaxSkewSeconds !== undefined ? { maxClockSkewSeconds: options.signatureMaxSkewSeconds } : {}),
          ...(now ? { now } : {}),
        },
        extraRoutes: [],
        description: `auth signature (docs/protocol.md §5.1), enrollment ${enrollment}`,
      };
    }
    case 'jwt': {
      const sources = externalJwtSources(options);
      if (sources.length === 0) throw new Error('--auth jwt needs --jwt-public-key PATH (VSS_JWT_PUBLIC_KEY_FILE) or a JWKS URL');
      return {
        settings: { mode: 'jwt', verify: createJwtVerifier({ sources, ...(now ? { now } : {}) }) },
        extraRoutes: [],
        description: 'auth jwt',
      };
    }
    case 'lnurl': {
      const privateKey = await lnurlSigningKey(options);
      const issuer = new LnurlAuthIssuer({
        store: options.lnurlK1Store ?? new MemoryK1Store(),
        sign: localRs256Signer(privateKey),
        ...(options.lnurlTokenTtlSeconds !== undefined ? { tokenTtlSeconds: options.lnurlTokenTtlSeconds } : {}),
        ...(now ? { now } : {}),
      });
      const sources: JwtKeySource[] = [
        { name: 'LNURL-auth issuer', key: createPublicKey(privateKey), algorithms: ['RS256'] },
        ...externalJwtSources(options),
      ];
      return {
        settings: { mode: 'jwt', verify: createJwtVerifier({ sources, ...(now ? { now } : {}) }) },
        extraRoutes: [lnurlRoute(issuer, options.lnurlPublicUrl)],
        description: `auth lnurl (issuer at ${LNURL_AUTH_PATH})`,
      };
    }
  }
}

function externalJwtSources(options: LocalAuthOptions): JwtKeySource[] {
  const rules = {
    algorithms: options.jwtAlgorithms ?? ['RS256'],
    ...(options.jwtIssuer ? { issuer: options.jwtIssuer } : {}),
    ...(options.jwtAudience ? { audience: options.jwtAudience } : {}),
  };
  const sources: JwtKeySource[] = [];
  if (options.jwtPublicKeyPem) sources.push({ name: 'jwt public key', key: options.jwtPublicKeyPem, ...rules });
  if (options.jwtJwksUrl) sources.push({ name: 'jwks', jwksUrl: options.jwtJwksUrl, ...rules });
  return sources;
}

/** Reads the issuer's key file, generating it (RSA 2048, PKCS#8, 0600) on first use. */
async function lnurlSigningKey(options: LocalAuthOptions): Promise<KeyObject> {
  const file = options.lnurlKeyFile ?? (options.dataDir ? join(options.dataDir, LNURL_KEY_FILE) : undefined);
  if (file) {
    try {
      return createPrivateKey(await readFile(file, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new Error(`cannot read LNURL-auth signing key ${file}: ${(e as Error).message}`);
    }
  }
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  if (file) {
    if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
    // 'wx': never overwrite a key another process just wrote.
    await writeFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' }).catch(async (e) => {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return;
      throw e;
    });
    await chmod(file, 0o600);
    return createPrivateKey(await readFile(file, 'utf8'));
  }
  return privateKey;
}

/** GET /lnurl-auth on the local server. */
function lnurlRoute(issuer: LnurlAuthIssuer, publicUrl: string | undefined): ExtraRoute {
  return async (req, res, url) => {
    if (url.pathname !== LNURL_AUTH_PATH) return false;
    const send = (status: number, contentType: string, body: string): void => {
      res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    req.resume();
    if (req.method !== 'GET') {
      send(405, 'application/json', JSON.stringify({ status: 'ERROR', reason: 'Use GET.' }));
      return true;
    }
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    try {
      const r = await issuer.handle({ publicUrl: publicUrl ?? ownUrl(req), query });
      send(r.status, r.contentType, r.body);
    } catch (e) {
      console.error('lnurl-auth: request failed', e);
      send(500, 'application/json', JSON.stringify({ status: 'ERROR', reason: 'Internal error; try again.' }));
    }
    return true;
  };
}

function ownUrl(req: IncomingMessage): string {
  return `http://${req.headers.host ?? 'localhost'}${LNURL_AUTH_PATH}`;
}
