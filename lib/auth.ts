/**
 * How callers are authenticated (docs/protocol.md §7.9). One of four modes, chosen with a factory so invalid
 * combinations cannot be expressed:
 *
 *   VssAuth.jwt({...})        API Gateway TOKEN authorizer (Lambda, jose) on every VSS method,
 *                             results cached per token; user = the token's `sub`.
 *   VssAuth.cognito({...})    Cognito user-pool authorizer (existing pool or a new one);
 *                             user = the ID token's `sub` claim.
 *   VssAuth.signature({...})  secp256k1 proof of key knowledge, verified inside each VSS handler
 *                             (headers are fresh per request, so an authorizer cache is useless);
 *                             the methods have no API Gateway authorizer, deliberately. Options:
 *                             who may enroll (any key, or an allowlist) and the replay window.
 *   VssAuth.none({ dangerouslyAllowUnauthenticated: true })
 *                             everyone is one user: local experiments only; refused otherwise.
 */
import { Duration } from 'aws-cdk-lib';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import { JWT_ALGORITHMS, SIGNATURE_ENROLLMENTS, type JwtAlgorithm, type SignatureEnrollment } from '../lambda/contract.js';

/** JWT algorithms the authorizer can verify. */
export const SUPPORTED_JWT_ALGORITHMS: readonly JwtAlgorithm[] = JWT_ALGORITHMS;
export type { JwtAlgorithm };
/** What `JwtAuthOptions.algorithms` defaults to (the Rust server's only algorithm). */
export const DEFAULT_JWT_ALGORITHMS: readonly JwtAlgorithm[] = ['RS256'];

export type VssAuthMode = 'jwt' | 'cognito' | 'signature' | 'none';

/** Who may call in signature mode: `open` (any key pair) or `allowlist` (keys registered with `vss admin allow-user`). */
export const SUPPORTED_SIGNATURE_ENROLLMENTS: readonly SignatureEnrollment[] = SIGNATURE_ENROLLMENTS;
export type { SignatureEnrollment };

/** Signature mode's policy (docs/auth.md, "Enrollment" and "Replay window"). */
export interface SignatureAuthOptions {
  /**
   * `open`: any key pair is a user, as in the reference server. `allowlist`: only public keys an
   * operator registered (`npx vss admin allow-user`) may call; anyone else gets 401 and causes no
   * write. Allowlist mode gives each VSS function a `GetItem` confined to the per-user partitions.
   * @default 'open'
   */
  readonly enrollment?: SignatureEnrollment;
  /**
   * The replay window: how far a header's signing time may lie before or after the server's
   * clock. 15 seconds to 24 hours, whole seconds.
   * @default Duration.hours(24) (the reference server's)
   */
  readonly maxClockSkew?: Duration;
}

/** JWT verification settings, passed to the JWT authorizer function as environment variables. */
export interface JwtAuthOptions {
  /**
   * PEM public key (SPKI `BEGIN PUBLIC KEY` or PKCS#1) of the token issuer (Rust parity: RSA ≥ 2048).
   * @default - no static key (a JWKS URL or the built-in LNURL-auth issuer must be configured)
   */
  readonly publicKeyPem?: string;
  /**
   * JWKS URL of the token issuer (keys fetched and cached by the authorizer).
   * @default - no JWKS
   */
  readonly jwksUrl?: string;
  /**
   * Required `iss` claim.
   * @default - not checked (Rust parity)
   */
  readonly issuer?: string;
  /**
   * Required `aud` claim.
   * @default - not checked; a token carrying `aud` is rejected (Rust parity)
   */
  readonly audience?: string;
  /**
   * Accepted signature algorithms: a non-empty subset of what the authorizer verifies
   * (`SUPPORTED_JWT_ALGORITHMS`: RS256, ES256).
   * @default ['RS256']
   */
  readonly algorithms?: readonly JwtAlgorithm[];
  /**
   * How long API Gateway caches an authorizer decision per token (0 disables caching).
   * A cached token stays accepted for up to this long after it expires.
   * @default Duration.seconds(60)
   */
  readonly resultsCacheTtl?: Duration;
}

export interface CognitoAuthOptions {
  /**
   * An existing user pool whose ID tokens are accepted.
   * @default - a new user pool is created (self sign-up off, retained on stack deletion)
   */
  readonly userPool?: IUserPool;
  /**
   * How long API Gateway caches a decision per token.
   * @default Duration.seconds(60)
   */
  readonly resultsCacheTtl?: Duration;
}

export interface NoAuthOptions {
  /** Must be `true`: every caller shares one user's data. Never use for real wallets. */
  readonly dangerouslyAllowUnauthenticated: boolean;
}

export class VssAuth {
  /** JWT bearer tokens verified by a Lambda TOKEN authorizer. */
  static jwt(options: JwtAuthOptions = {}): VssAuth {
    return new VssAuth('jwt', options, undefined);
  }

  /** ID tokens of a Cognito user pool, verified by API Gateway. */
  static cognito(options: CognitoAuthOptions = {}): VssAuth {
    return new VssAuth('cognito', undefined, options);
  }

  /** LDK Node's signature auth (docs/protocol.md §5.1), verified in the handlers. */
  static signature(options: SignatureAuthOptions = {}): VssAuth {
    return new VssAuth('signature', undefined, undefined, options);
  }

  /** No authentication. Refused at synth unless `dangerouslyAllowUnauthenticated` is true. */
  static none(options: NoAuthOptions): VssAuth {
    if (options?.dangerouslyAllowUnauthenticated !== true) {
      throw new Error(
        "VssAuth.none() refused: auth mode 'none' makes every caller the same user. Pass { dangerouslyAllowUnauthenticated: true } only for throwaway test deployments.",
      );
    }
    return new VssAuth('none', undefined, undefined);
  }

  private constructor(
    readonly mode: VssAuthMode,
    readonly jwtOptions: JwtAuthOptions | undefined,
    readonly cognitoOptions: CognitoAuthOptions | undefined,
    readonly signatureOptions?: SignatureAuthOptions,
  ) {}
}

/** Default authorizer result cache. */
export const DEFAULT_AUTHORIZER_CACHE_TTL = Duration.seconds(60);
