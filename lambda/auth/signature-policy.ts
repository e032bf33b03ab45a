/**
 * Signature mode's policy (docs/auth.md, "Enrollment" and "Replay window"): which keys may call,
 * and how far a header's signing time may lie from now. The one place both are applied, deployed
 * (runtime.ts, from the environment the construct sets) and locally (local/auth.ts, from the
 * flags), so the two cannot differ.
 *
 *   enrollment  open       any key pair is a user (the reference server's behaviour, the default)
 *               allowlist  only keys registered with `vss admin allow-user`; anyone else gets the
 *                          protocol's 401, before any write (the lookup is one read, cached)
 *   window      maxClockSkewSeconds, default 86,400 (reference parity)
 *
 * The signature is verified before the allowlist is asked, so a forged or expired header costs
 * no read. The allowlist source is injected (lambda/provider/enrollment.ts on DynamoDB): this
 * module does no I/O of its own.
 */
import { authFailure } from '../core/errors.js';
import { SIGNATURE_ENROLLMENTS, SIGNATURE_MAX_SKEW, type SignatureEnrollment } from '../contract.js';
import { EnrollmentCache } from './enrollment-cache.js';
import { verifySignatureHeader } from './signature.js';

export { SIGNATURE_ENROLLMENTS, SIGNATURE_MAX_SKEW, type SignatureEnrollment };

export interface SignaturePolicy {
  /** @default 'open' */
  readonly enrollment?: SignatureEnrollment;
  /** @default SIGNATURE_MAX_SKEW.defaultSeconds (86,400) */
  readonly maxClockSkewSeconds?: number;
}

export interface SignatureAuthenticatorDeps {
  /** The allowlist's answer for a key (required with enrollment `allowlist`). @default none */
  readonly isEnrolled?: (userToken: string) => Promise<boolean>;
  /** Current time in Unix seconds. @default Date.now() / 1000 */
  readonly nowSeconds?: () => number;
  /** How long an instance keeps an allowlist answer. @default ENROLLMENT_CACHE_SECONDS */
  readonly enrollmentCacheSeconds?: number;
}

/** Verifies a signature `authorization` header under the policy; resolves to the user or throws the protocol's 401. */
export type SignatureAuthenticator = (header: string | undefined | null) => Promise<string>;

export function createSignatureAuthenticator(policy: SignaturePolicy, deps: SignatureAuthenticatorDeps = {}): SignatureAuthenticator {
  const maxClockSkewSeconds = checkedMaxSkew(policy.maxClockSkewSeconds ?? SIGNATURE_MAX_SKEW.defaultSeconds);
  const clock = deps.nowSeconds;
  const verify = (header: string | undefined | null): string =>
    verifySignatureHeader(header, { maxClockSkewSeconds, ...(clock ? { nowSeconds: clock() } : {}) });
  if ((policy.enrollment ?? 'open') === 'open') return async (header) => verify(header);
  if (!deps.isEnrolled) throw new Error('signature enrollment "allowlist" needs an allowlist to read');
  const cache = new EnrollmentCache({
    lookup: deps.isEnrolled,
    ...(deps.enrollmentCacheSeconds !== undefined ? { ttlMs: deps.enrollmentCacheSeconds * 1000 } : {}),
    ...(clock ? { now: () => clock() * 1000 } : {}),
  });
  return async (header) => {
    const user = verify(header);
    if (!(await cache.isEnrolled(user))) {
      throw authFailure('Invalid signature authorization: this public key is not registered with this service.');
    }
    return user;
  };
}

/** The policy from the environment the construct sets (lambda/contract.ts); a malformed value is a configuration error. */
export function signaturePolicyFromEnv(env: Readonly<Record<string, string | undefined>>, names: SignatureEnvNames): SignaturePolicy {
  const enrollment = env[names.enrollment] || undefined;
  const skew = env[names.maxSkewSeconds] || undefined;
  return {
    ...(enrollment !== undefined ? { enrollment: parseEnrollment(enrollment, names.enrollment) } : {}),
    ...(skew !== undefined ? { maxClockSkewSeconds: parseMaxSkewSeconds(skew, names.maxSkewSeconds) } : {}),
  };
}

export interface SignatureEnvNames {
  readonly enrollment: string;
  readonly maxSkewSeconds: string;
}

export function parseEnrollment(text: string, what: string): SignatureEnrollment {
  if ((SIGNATURE_ENROLLMENTS as readonly string[]).includes(text)) return text as SignatureEnrollment;
  throw new Error(`${what} must be ${SIGNATURE_ENROLLMENTS.join(' or ')}, got ${JSON.stringify(text)}`);
}

export function parseMaxSkewSeconds(text: string, what: string): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  return checkedMaxSkew(n, what, text);
}

function checkedMaxSkew(n: number, what = 'maxClockSkewSeconds', text: string = String(n)): number {
  const { minSeconds, maxSeconds } = SIGNATURE_MAX_SKEW;
  if (!Number.isInteger(n) || n < minSeconds || n > maxSeconds)
    throw new Error(`${what} must be a whole number of seconds from ${minSeconds} to ${maxSeconds}, got ${JSON.stringify(text)}`);
  return n;
}
