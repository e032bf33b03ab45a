/**
 * The Authenticator port: request headers in, the user out (in the manner of the Rust reference's
 * `Authorizer::verify(headers)`), and the one switch over every way this service learns the user
 * (docs/protocol.md §7.9). The same authenticator runs behind every door: the Lambda handlers,
 * the local server, any other HTTP server. So signature verification is the same code deployed
 * and locally.
 *
 *   none                everyone is one user (the reference's Noop authorizer)
 *   signature           verifies the `authorization` header here (docs/protocol.md §5.1), under
 *                       the deployment's policy: enrollment and replay window (signature-policy.ts)
 *   authorizer-context  trusts what an authorizer in front already verified: API Gateway's JWT
 *                       TOKEN authorizer (external issuers and the built-in LNURL-auth issuer)
 *                       puts context.userToken, a Cognito user-pool authorizer claims.sub
 *   jwt                 verifies a Bearer JWT here, with a verifier of lambda/auth/jwt.ts (the
 *                       local server's jwt and lnurl modes, where nothing stands in front); the
 *                       caller builds it, so that the deployed handlers, which never verify a
 *                       JWT themselves, do not carry jose in their bundles
 *
 * Never from the body. The deployed VSS_AUTH_MODE maps onto these in deployedAuthSettings.
 */
import { ENV } from '../contract.js';
import { userFromAuthorizerContext, type AuthorizerContext } from './authorizer-context.js';
import type { JwtVerifier } from './jwt.js';
import { createSignatureAuthenticator, signaturePolicyFromEnv, type SignaturePolicy } from './signature-policy.js';

export type { AuthorizerContext };

/** Request headers with lowercase names; a repeated header is its last value (docs/protocol.md §5). */
export type RequestHeaders = Readonly<Record<string, string | undefined>>;

/** The user every request is in mode `none` (the Rust Noop authorizer's user_token). */
export const UNAUTHENTICATED_USER = 'unauth-user';

export interface Authenticator {
  /**
   * The authenticated user of a request, or throws the protocol's auth error (401
   * AUTH_EXCEPTION). Any other error (a key that cannot be fetched) is a fault: answered 500.
   * `authorizerContext` is what an authorizer in front of this service established; only the
   * authorizer-context mode reads it.
   */
  authenticate(headers: RequestHeaders, authorizerContext?: AuthorizerContext): Promise<string>;
}

/** How requests are authenticated; each mode's own settings beside it. */
export type AuthenticatorSettings =
  | { readonly mode: 'none' }
  | ({
      readonly mode: 'signature';
      /** Current time in Unix seconds. @default the clock */
      readonly now?: () => number;
    } & SignaturePolicy)
  | { readonly mode: 'authorizer-context' }
  | {
      readonly mode: 'jwt';
      /** `createJwtVerifier({ sources })`: a token any trusted source verifies is accepted. */
      readonly verify: JwtVerifier;
    };

export type AuthenticatorMode = AuthenticatorSettings['mode'];

/** What an authenticator may need besides its settings (the composition root provides it). */
export interface AuthenticatorDeps {
  /** signature with enrollment `allowlist`: whether a key is registered (lambda/provider/enrollment.ts). @default none */
  readonly isEnrolled?: (userToken: string) => Promise<boolean>;
}

export function createAuthenticator(settings: AuthenticatorSettings, deps: AuthenticatorDeps = {}): Authenticator {
  switch (settings.mode) {
    case 'none':
      return { authenticate: async () => UNAUTHENTICATED_USER };
    case 'signature': {
      const { now, enrollment, maxClockSkewSeconds } = settings;
      const verify = createSignatureAuthenticator(
        { ...(enrollment ? { enrollment } : {}), ...(maxClockSkewSeconds !== undefined ? { maxClockSkewSeconds } : {}) },
        { ...(deps.isEnrolled ? { isEnrolled: deps.isEnrolled } : {}), ...(now ? { nowSeconds: now } : {}) },
      );
      return { authenticate: (headers) => verify(headers['authorization']) };
    }
    case 'authorizer-context':
      return { authenticate: async (_headers, context) => userFromAuthorizerContext(context) };
    case 'jwt': {
      const verify = settings.verify;
      return { authenticate: (headers) => verify(headers['authorization']) };
    }
  }
}

/**
 * The authenticator of a deployed function, from the environment the construct sets. Its
 * VSS_AUTH_MODE: `signature` verifies the header in the handler (docs/auth.md explains why not in
 * a REQUEST authorizer: a fresh header per request defeats its cache), under the policy of
 * VSS_SIGNATURE_ENROLLMENT and VSS_SIGNATURE_MAX_SKEW_SECONDS; `jwt`, `cognito` (or
 * unset) read the authorizer context; `none` only when the stack was explicitly forced to. Any
 * other value fails loudly.
 */
export function deployedAuthSettings(env: Readonly<Record<string, string | undefined>>): AuthenticatorSettings {
  const mode = env[ENV.authMode];
  switch (mode) {
    case 'signature':
      return {
        mode: 'signature',
        ...signaturePolicyFromEnv(env, { enrollment: ENV.signatureEnrollment, maxSkewSeconds: ENV.signatureMaxSkewSeconds }),
      };
    case undefined:
    case 'jwt':
    case 'cognito':
      return { mode: 'authorizer-context' };
    case 'none':
      return { mode: 'none' };
    default:
      throw new Error(`Unknown VSS_AUTH_MODE ${JSON.stringify(mode)}: use signature, jwt, cognito or none`);
  }
}
