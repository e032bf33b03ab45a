/**
 * Signature authentication (docs/protocol.md §5.1) against headers built the way vss-client-ng builds them
 * (test/auth/clients.ts, an independent implementation). Fixed clock: no wall-clock assertions.
 */
import { describe, expect, it } from 'vitest';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import {
  SIGNATURE_VALIDITY_SECONDS,
  SIGNING_CONSTANT,
  headerValue,
  signatureDigest,
  verifySignatureHeader,
} from '../../lambda/auth/signature.js';
import { createSignatureHeader } from '../../lambda/auth/signature-signer.js';
import { createAuthenticator, deployedAuthSettings } from '../../lambda/auth/authenticator.js';
import { requestOf } from '../../lambda/handlers/api-gateway.js';
import { createLocalAuth } from '../../local/auth.js';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { flipHex, sigsAuthHeader, withHighS } from './clients.js';
import { authFailureMessage } from './auth-failure.js';

const NOW = 1_800_000_000;
const SK = Buffer.from('0101010101010101010101010101010101010101010101010101010101010101', 'hex');
const PUB = Buffer.from(secp256k1.getPublicKey(SK, true)).toString('hex');
const at = (header: string | undefined) => verifySignatureHeader(header, { nowSeconds: NOW });

function rejects(header: string | undefined): string {
  try {
    at(header);
  } catch (e) {
    return authFailureMessage(e);
  }
  throw new Error(`accepted ${header}`);
}

describe('signature header (docs/protocol.md §5.1)', () => {
  it('uses the 64-byte signing constant: the 46-character phrase and 18 dots', () => {
    expect(Buffer.byteLength(SIGNING_CONSTANT, 'ascii')).toBe(64);
    expect(SIGNING_CONSTANT).toBe(`VSS Signature Authorizer Signing Salt Constant${'.'.repeat(18)}`);
  });

  it('accepts a vss-client-ng header and returns the public key hex as the user', () => {
    const h = sigsAuthHeader(SK, NOW);
    expect(h.length).toBe(66 + 128 + 10);
    expect(at(h)).toBe(PUB);
  });

  it('produces, with its own signer, exactly the header the client builds (deterministic RFC 6979 vector)', () => {
    expect(createSignatureHeader(SK, NOW)).toBe(sigsAuthHeader(SK, NOW));
  });

  it('accepts signing times exactly 24 h in the past and in the future', () => {
    expect(at(sigsAuthHeader(SK, NOW - SIGNATURE_VALIDITY_SECONDS))).toBe(PUB);
    expect(at(sigsAuthHeader(SK, NOW + SIGNATURE_VALIDITY_SECONDS))).toBe(PUB);
  });

  it('rejects signing times one second outside ±24 h', () => {
    expect(rejects(sigsAuthHeader(SK, NOW - SIGNATURE_VALIDITY_SECONDS - 1))).toMatch(/window/);
    expect(rejects(sigsAuthHeader(SK, NOW + SIGNATURE_VALIDITY_SECONDS + 1))).toMatch(/window/);
  });

  it('signs the time string as sent: a leading + or zeros are part of the message (Rust u64 parsing)', () => {
    expect(at(sigsAuthHeader(SK, `+${NOW}`))).toBe(PUB);
    expect(at(sigsAuthHeader(SK, `000${NOW}`))).toBe(PUB);
    // Same number, different text: the signature no longer matches.
    const h = sigsAuthHeader(SK, NOW);
    expect(rejects(`${h.slice(0, 194)}+${h.slice(194)}`)).toMatch(/does not verify/);
  });

  it('rejects times that are not an unsigned 64-bit decimal', () => {
    for (const t of ['-1', '1.5', ' 1800000000', '1800000000 ', '0x10', '18446744073709551616', 'abc']) {
      expect(rejects(sigsAuthHeader(SK, t))).toMatch(/unsigned integer|not found/);
    }
  });

  it('rejects a header of 194 characters or fewer (no time)', () => {
    const h = sigsAuthHeader(SK, NOW);
    expect(rejects(h.slice(0, 194))).toMatch(/too short/);
  });

  it('rejects a missing or empty header as not found', () => {
    expect(rejects(undefined)).toBe('Authorization header not found.');
    expect(rejects('')).toBe('Authorization header not found.');
  });

  it('rejects non-ASCII and non-hex content', () => {
    const h = sigsAuthHeader(SK, NOW);
    expect(rejects(`${h.slice(0, 10)}é${h.slice(11)}`)).toBe('Authorization header not found.');
    expect(rejects(`z${h.slice(1)}`)).toMatch(/not hex/);
    expect(rejects(`${h.slice(0, 100)}g${h.slice(101)}`)).toMatch(/not hex/);
  });

  it('rejects a corrupted signature', () => {
    const h = sigsAuthHeader(SK, NOW);
    expect(rejects(flipHex(h, 66 + 40))).toMatch(/does not verify/);
  });

  it('rejects a corrupted public key (not on the curve, or another key)', () => {
    const h = sigsAuthHeader(SK, NOW);
    // Prefix 0x04 is not a compressed point.
    expect(rejects(`04${h.slice(2)}`)).toMatch(/not a valid/);
    // Another x coordinate: either off the curve or a different key, never this user.
    expect(() => at(flipHex(h, 20))).toThrow();
  });

  it('rejects the high-S twin of a valid signature (libsecp256k1 verifies low-S only)', () => {
    const h = sigsAuthHeader(SK, NOW);
    // The twin is a mathematically valid ECDSA signature …
    const sig = Buffer.from(withHighS(h).slice(66, 194), 'hex');
    const digest = signatureDigest(Buffer.from(PUB, 'hex'), String(NOW));
    expect(secp256k1.verify(sig, digest, Buffer.from(PUB, 'hex'), { prehash: false, lowS: false })).toBe(true);
    expect(secp256k1.verify(sig, digest, Buffer.from(PUB, 'hex'), { prehash: false, lowS: true })).toBe(false);
    // … and the server refuses it.
    expect(rejects(withHighS(h))).toMatch(/does not verify/);
  });

  it('folds an uppercase public key to the same lowercase user (one key, one tenant)', () => {
    const h = sigsAuthHeader(SK, NOW);
    expect(at(h.slice(0, 66).toUpperCase() + h.slice(66))).toBe(PUB);
  });

  it('gives two keys two users', () => {
    const other = secp256k1.utils.randomSecretKey();
    expect(at(sigsAuthHeader(other, NOW))).not.toBe(at(sigsAuthHeader(SK, NOW)));
  });
});

describe('the authenticator of a deployed handler (VSS_AUTH_MODE), on what the API Gateway door hands it', () => {
  const event = (
    headers: Record<string, string>,
    authorizer: Record<string, unknown> | null = null,
    multi: Record<string, string[]> = {},
  ) => ({ headers, multiValueHeaders: multi, requestContext: { authorizer } }) as unknown as APIGatewayProxyEvent;
  /** The user as the deployed path learns it: the event as the door translates it, into the mode's authenticator. */
  const userOf = (mode: string | undefined, e: APIGatewayProxyEvent): Promise<string> => {
    const request = requestOf('getObject', e);
    return createAuthenticator(deployedAuthSettings({ VSS_AUTH_MODE: mode })).authenticate(request.headers, request.authorizerContext);
  };

  it('signature mode verifies the Authorization header whatever its case in the event', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(deployedAuthSettings({ VSS_AUTH_MODE: 'signature' })).toEqual({ mode: 'signature' });
    await expect(userOf('signature', event({ Authorization: sigsAuthHeader(SK, now) }))).resolves.toBe(PUB);
    await expect(userOf('signature', event({ authorization: sigsAuthHeader(SK, now) }))).resolves.toBe(PUB);
  });

  it('signature mode reads the last of repeated Authorization values (multiValueHeaders win over headers)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const e = event({ authorization: 'garbage' }, null, { Authorization: ['garbage', sigsAuthHeader(SK, now)] });
    await expect(userOf('signature', e)).resolves.toBe(PUB);
  });

  it('signature mode ignores an authorizer context: only the verified header counts', async () => {
    await expect(userOf('signature', event({}, { userToken: 'someone-else' }))).rejects.toThrow(/not found/);
  });

  it('every other mode reads the authorizer context (Lambda authorizer or Cognito claims.sub)', async () => {
    expect(deployedAuthSettings({})).toEqual({ mode: 'authorizer-context' });
    await expect(userOf('jwt', event({}, { userToken: 'u1' }))).resolves.toBe('u1');
    await expect(userOf('cognito', event({}, { claims: { sub: 'cognito-sub' } }))).resolves.toBe('cognito-sub');
    await expect(userOf('jwt', event({ authorization: sigsAuthHeader(SK, NOW) }))).rejects.toThrow(/not found/);
  });

  it('none mode makes every request the one unauthenticated user, whatever the context says', async () => {
    await expect(userOf('none', event({}))).resolves.toBe('unauth-user');
    await expect(userOf('none', event({}, { userToken: 'someone' }))).resolves.toBe('unauth-user');
  });

  it('an unknown mode is a configuration error, not a silent fallback', () => {
    expect(() => deployedAuthSettings({ VSS_AUTH_MODE: 'signatur' })).toThrow(/Unknown VSS_AUTH_MODE/);
  });

  it('signature verification is the same code behind every door: the local signature mode verifies the very same header', async () => {
    const header = sigsAuthHeader(SK, NOW);
    const deployed = createAuthenticator({ mode: 'signature', now: () => NOW });
    const local = await createLocalAuth({ mode: 'signature', now: () => NOW });
    await expect(createAuthenticator(local.settings).authenticate({ authorization: header })).resolves.toBe(PUB);
    await expect(deployed.authenticate({ authorization: header })).resolves.toBe(PUB);
    expect(local.settings).toEqual({ mode: 'signature', now: expect.any(Function) });
  });

  it('headerValue finds a header case-insensitively and prefers the last of multiple values', () => {
    expect(headerValue({ AUTHORIZATION: 'a' }, 'authorization')).toBe('a');
    expect(headerValue({ authorization: 'a' }, 'Authorization', { Authorization: ['x', 'y'] })).toBe('y');
    expect(headerValue(null, 'authorization')).toBeUndefined();
  });
});
