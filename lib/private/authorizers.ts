/**
 * The API Gateway authorizer of the four VSS methods, per auth mode: a Lambda TOKEN authorizer
 * (jwt), a Cognito user-pool authorizer (cognito), or none (signature is verified in the
 * handlers; none is everyone-is-one-user). Stable construct ID 'UserPool'.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { ENV } from '../../lambda/contract.js';
import { DEFAULT_AUTHORIZER_CACHE_TTL, DEFAULT_JWT_ALGORITHMS, type VssAuth } from '../auth.js';
import type { VssFunction } from '../functions.js';
import type { FunctionFactory } from './functions.js';
import type { LnurlIssuerResources } from './lnurl.js';
import { acknowledgeUserPool } from './nag.js';
import { LNURL_VERIFIER_KEY_ACTIONS } from './permissions.js';

/** Rust parity: exactly "Bearer " then a compact JWS; anything else is a 401 without invoking (or paying for) the authorizer. */
export const BEARER_JWS_PATTERN = '^Bearer [A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$';

export interface MethodAuthorization {
  readonly authorizationType: apigw.AuthorizationType;
  readonly authorizer?: apigw.IAuthorizer;
  /** The pool whose tokens are accepted (cognito mode). */
  readonly userPool?: cognito.IUserPool;
  /** The JWT authorizer function (jwt mode). */
  readonly function?: VssFunction;
}

export function createAuthorization(
  scope: Construct,
  auth: VssAuth,
  functions: FunctionFactory,
  lnurl: LnurlIssuerResources | undefined,
): MethodAuthorization {
  switch (auth.mode) {
    case 'jwt': {
      const o = auth.jwtOptions ?? {};
      const env: Record<string, string> = { [ENV.jwtAlgorithms]: (o.algorithms ?? DEFAULT_JWT_ALGORITHMS).join(',') };
      if (o.publicKeyPem) env[ENV.jwtPublicKeyPem] = o.publicKeyPem;
      if (o.jwksUrl) env[ENV.jwtJwksUrl] = o.jwksUrl;
      if (o.issuer) env[ENV.jwtIssuer] = o.issuer;
      if (o.audience) env[ENV.jwtAudience] = o.audience;
      if (lnurl) env[ENV.lnurlKmsKeyId] = lnurl.signingKey.keyArn;
      const fn = functions.create({ name: 'jwtAuthorizer', environment: env });
      if (lnurl)
        fn.role.addToPolicy(new iam.PolicyStatement({ actions: [...LNURL_VERIFIER_KEY_ACTIONS], resources: [lnurl.signingKey.keyArn] }));
      const authorizer = new apigw.TokenAuthorizer(scope, 'JwtTokenAuthorizer', {
        handler: fn.alias,
        identitySource: apigw.IdentitySource.header('Authorization'),
        validationRegex: BEARER_JWS_PATTERN,
        resultsCacheTtl: o.resultsCacheTtl ?? DEFAULT_AUTHORIZER_CACHE_TTL,
      });
      return { authorizationType: apigw.AuthorizationType.CUSTOM, authorizer, function: fn };
    }
    case 'cognito': {
      const o = auth.cognitoOptions ?? {};
      const userPool = o.userPool ?? createUserPool(scope);
      const authorizer = new apigw.CognitoUserPoolsAuthorizer(scope, 'CognitoAuthorizer', {
        cognitoUserPools: [userPool],
        identitySource: apigw.IdentitySource.header('Authorization'),
        resultsCacheTtl: o.resultsCacheTtl ?? DEFAULT_AUTHORIZER_CACHE_TTL,
      });
      return { authorizationType: apigw.AuthorizationType.COGNITO, authorizer, userPool };
    }
    case 'signature':
    case 'none':
      return { authorizationType: apigw.AuthorizationType.NONE };
  }
}

function createUserPool(scope: Construct): cognito.UserPool {
  // Stable ID 'UserPool': replacing it would lose every wallet's identity.
  const pool = new cognito.UserPool(scope, 'UserPool', {
    selfSignUpEnabled: false,
    signInAliases: { username: true, email: true },
    passwordPolicy: { minLength: 14, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true },
    mfa: cognito.Mfa.OPTIONAL,
    mfaSecondFactor: { otp: true, sms: false },
    accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    featurePlan: cognito.FeaturePlan.ESSENTIALS,
  });
  acknowledgeUserPool(pool);
  return pool;
}
