/**
 * Signature mode's policy without a server: the enrollment cache's bound and sharing, the
 * settings' parsing (environment and flags), and the deployed adapter's answer when the allowlist
 * cannot be read (500, not a silent 401 or an admission).
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { EnrollmentCache, MAX_REMEMBERED_REFUSED } from '../../lambda/auth/enrollment-cache.js';
import { createAuthenticator, deployedAuthSettings } from '../../lambda/auth/authenticator.js';
import { createSignatureHeader } from '../../lambda/auth/signature-signer.js';
import { createSignatureAuthenticator, parseMaxSkewSeconds, signaturePolicyFromEnv } from '../../lambda/auth/signature-policy.js';
import { ENV } from '../../lambda/contract.js';
import { ErrorCode, isVssError } from '../../lambda/core/errors.js';
import type { VssProtocol } from '../../lambda/core/service.js';
import { createApiGatewayHandler } from '../../lambda/handlers/api-gateway.js';
import { createRequestPath } from '../../lambda/request-path/request-path.js';
import { vss } from '../../lambda/core/generated/vss.js';

const NAMES = { enrollment: ENV.signatureEnrollment, maxSkewSeconds: ENV.signatureMaxSkewSeconds };

function countingLookup(answer: (user: string) => boolean | Promise<boolean>) {
  const calls: string[] = [];
  return { calls, lookup: async (user: string) => (calls.push(user), answer(user)) };
}

describe('enrollment cache', () => {
  it('keeps an answer for exactly the period from the start of its lookup, then asks again', async () => {
    let now = 1_000;
    const l = countingLookup(() => true);
    const cache = new EnrollmentCache({ lookup: l.lookup, ttlMs: 60_000, now: () => now });
    expect(await cache.isEnrolled('a')).toBe(true);
    now += 59_999;
    expect(await cache.isEnrolled('a')).toBe(true);
    expect(l.calls).toEqual(['a']);
    now += 1;
    expect(await cache.isEnrolled('a')).toBe(true);
    expect(l.calls).toEqual(['a', 'a']);
  });

  it('shares one lookup among concurrent requests of a key', async () => {
    let release!: (v: boolean) => void;
    const l = countingLookup(() => new Promise<boolean>((r) => (release = r)));
    const cache = new EnrollmentCache({ lookup: l.lookup, now: () => 0 });
    const answers = Promise.all([cache.isEnrolled('a'), cache.isEnrolled('a'), cache.isEnrolled('a')]);
    release(false);
    expect(await answers).toEqual([false, false, false]);
    expect(l.calls).toEqual(['a']);
  });

  it('does not remember a failed lookup', async () => {
    let fail = true;
    const l = countingLookup(() => {
      if (fail) throw new Error('ProvisionedThroughputExceededException');
      return true;
    });
    const cache = new EnrollmentCache({ lookup: l.lookup, now: () => 0 });
    await expect(cache.isEnrolled('a')).rejects.toThrow('ProvisionedThroughputExceededException');
    fail = false;
    expect(await cache.isEnrolled('a')).toBe(true);
    expect(l.calls).toEqual(['a', 'a']);
  });

  it('a flood of refused keys never evicts a registered one', async () => {
    const l = countingLookup((u) => u === 'wallet');
    const cache = new EnrollmentCache({ lookup: l.lookup, now: () => 0 });
    await cache.isEnrolled('wallet');
    for (let i = 0; i < MAX_REMEMBERED_REFUSED + 10; i++) await cache.isEnrolled(`minted-${i}`);
    expect(await cache.isEnrolled('wallet')).toBe(true);
    expect(l.calls.filter((u) => u === 'wallet')).toHaveLength(1);
  });
});

describe('signature policy settings', () => {
  it('reads the environment the construct sets; absent means open and 86,400 s', () => {
    expect(signaturePolicyFromEnv({}, NAMES)).toEqual({});
    expect(signaturePolicyFromEnv({ [ENV.signatureEnrollment]: 'allowlist', [ENV.signatureMaxSkewSeconds]: '900' }, NAMES)).toEqual({
      enrollment: 'allowlist',
      maxClockSkewSeconds: 900,
    });
    expect(
      deployedAuthSettings({ [ENV.authMode]: 'signature', [ENV.signatureEnrollment]: 'allowlist', [ENV.signatureMaxSkewSeconds]: '900' }),
    ).toEqual({ mode: 'signature', enrollment: 'allowlist', maxClockSkewSeconds: 900 });
    expect(deployedAuthSettings({ [ENV.authMode]: 'signature' })).toEqual({ mode: 'signature' });
  });

  it('refuses a malformed setting instead of falling back to a default', () => {
    expect(() => signaturePolicyFromEnv({ [ENV.signatureEnrollment]: 'closed' }, NAMES)).toThrow(/open or allowlist/);
    for (const bad of ['14', '86401', '1.5', '-900', 'abc', '1e3'])
      expect(() => parseMaxSkewSeconds(bad, '--signature-max-skew-seconds'), bad).toThrow(/from 15 to 86400/);
    expect(parseMaxSkewSeconds('15', 'x')).toBe(15);
    expect(() => createSignatureAuthenticator({ enrollment: 'allowlist' })).toThrow(/needs an allowlist/);
  });
});

describe('the deployed adapter in allowlist mode', () => {
  const secret = randomBytes(32);
  const header = () => createSignatureHeader(secret, Math.floor(Date.now() / 1000));
  const event = (authorization: string): APIGatewayProxyEvent =>
    ({
      httpMethod: 'POST',
      headers: {},
      multiValueHeaders: { Authorization: [authorization] },
      body: Buffer.from(vss.GetObjectRequest.encode({ storeId: 's', key: 'k' }).finish()).toString('base64'),
      isBase64Encoded: true,
      requestContext: { requestId: 'r' },
    }) as unknown as APIGatewayProxyEvent;
  const protocol = { handle: () => Promise.reject(new Error('the protocol must not be reached')) } as unknown as VssProtocol;

  it('answers 500 when the allowlist cannot be read, and 401 when the key is not on it', async () => {
    let answer: () => Promise<boolean> = () => Promise.reject(Object.assign(new Error('timeout'), { name: 'TimeoutError' }));
    const authenticator = createAuthenticator({ mode: 'signature', enrollment: 'allowlist' }, { isEnrolled: () => answer() });
    const handler = createApiGatewayHandler('getObject', createRequestPath({ protocol, authenticator }));
    const failed = await handler(event(header()));
    expect(failed.statusCode).toBe(500);
    expect(vss.ErrorResponse.decode(Buffer.from(failed.body, 'base64')).errorCode).toBe(ErrorCode.INTERNAL_SERVER_EXCEPTION);
    answer = async () => false;
    const refused = await handler(event(header()));
    expect(refused.statusCode).toBe(401);
    expect(vss.ErrorResponse.decode(Buffer.from(refused.body, 'base64')).errorCode).toBe(ErrorCode.AUTH_EXCEPTION);
  });

  it('never puts the header in the refusal it returns', async () => {
    const authenticate = createSignatureAuthenticator({ enrollment: 'allowlist' }, { isEnrolled: async () => false });
    const h = header();
    const e = await authenticate(h).catch((x: unknown) => x);
    expect(isVssError(e)).toBe(true);
    const text = `${(e as Error).message} ${JSON.stringify(e)}`;
    expect(text).not.toContain(h.slice(66, 194));
    expect(text).not.toContain(h.slice(0, 66));
  });
});
