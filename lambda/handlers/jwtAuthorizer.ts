/**
 * API Gateway TOKEN authorizer for `jwt` mode (docs/protocol.md §5.2, §7.9). API Gateway caches its answer
 * per token, so a wallet's JWT (reused until `exp − 60 s`) is verified about once per cache TTL.
 *
 * Allowed: an IAM policy for the whole API (stage/*∕*, so one cached answer serves all four
 * operations) and context.userToken = the user, which the VSS handlers read. Rejected: the
 * `Unauthorized` error, which API Gateway answers 401 (the stack maps that gateway response to a
 * protobuf AUTH_EXCEPTION). A key that cannot be fetched (KMS, JWKS) is a fault, not a rejection:
 * it is thrown as is and API Gateway answers 500, which clients retry.
 *
 * Environment:
 *   VSS_JWT_PUBLIC_KEY_PEM  PEM public key (SPKI or PKCS#1)                       optional
 *   VSS_JWT_JWKS_URL        JWKS endpoint of another issuer                         optional
 *   VSS_JWT_ISSUER          required `iss` for the two above                        optional
 *   VSS_JWT_AUDIENCE        required `aud` for the two above (else `aud` refused)   optional
 *   VSS_JWT_ALGORITHMS      comma list of RS256, ES256                              default RS256
 *   VSS_LNURL_KMS_KEY_ID    also trust the built-in LNURL-auth issuer's KMS key     optional
 */
import { createHash } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { USER_TOKEN_CONTEXT_KEY } from '../auth/authorizer-context.js';
import { createJwtVerifier, parseAlgorithms, type JwtKeySource, type JwtVerifier } from '../auth/jwt.js';
import { kmsPublicKey } from '../auth/kms.js';
import { isVssError } from '../core/errors.js';
import { ENV } from '../contract.js';

let kms: KMSClient | undefined;
let verifier: JwtVerifier | undefined;

/** Replaces the KMS client (tests); also forgets the verifier so the next call rebuilds it. */
export function setKmsClientForTesting(client: KMSClient | undefined): void {
  kms = client;
  verifier = undefined;
}

function kmsClient(): KMSClient {
  kms ??= new KMSClient({});
  return kms;
}

/** The key sources the environment describes. */
export function jwtSourcesFromEnv(env: NodeJS.ProcessEnv, getKms: () => KMSClient = kmsClient): JwtKeySource[] {
  const algorithms = parseAlgorithms(env[ENV.jwtAlgorithms]);
  const claimRules = {
    ...(env[ENV.jwtIssuer] ? { issuer: env[ENV.jwtIssuer] } : {}),
    ...(env[ENV.jwtAudience] ? { audience: env[ENV.jwtAudience] } : {}),
  };
  const sources: JwtKeySource[] = [];
  const pem = env[ENV.jwtPublicKeyPem];
  if (pem) sources.push({ name: ENV.jwtPublicKeyPem, key: pem, algorithms, ...claimRules });
  const jwks = env[ENV.jwtJwksUrl];
  if (jwks) sources.push({ name: ENV.jwtJwksUrl, jwksUrl: jwks, algorithms, ...claimRules });
  const kmsKeyId = env[ENV.lnurlKmsKeyId];
  if (kmsKeyId) {
    // Fetched once per cold start (a failed fetch is retried on the next request).
    sources.push({ name: ENV.lnurlKmsKeyId, getKey: () => kmsPublicKey(getKms(), kmsKeyId), algorithms: ['RS256'] });
  }
  if (sources.length === 0) {
    throw new Error('JWT authorizer: set VSS_JWT_PUBLIC_KEY_PEM, VSS_JWT_JWKS_URL or VSS_LNURL_KMS_KEY_ID');
  }
  return sources;
}

/** `arn:aws:execute-api:region:acct:apiId/stage/*∕*` from the method ARN of the request. */
export function wholeApiResource(methodArn: string): string {
  const [prefix, stage] = methodArn.split('/');
  if (!prefix || !stage) return methodArn;
  return `${prefix}/${stage}/*/*`;
}

export async function handler(event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  verifier ??= createJwtVerifier({ sources: jwtSourcesFromEnv(process.env) });
  let user: string;
  try {
    user = await verifier(event.authorizationToken);
  } catch (e) {
    if (isVssError(e)) throw new Error('Unauthorized');
    throw e;
  }
  return {
    // Logged by API Gateway: a digest, not the identity itself.
    principalId: createHash('sha256').update(user).digest('hex').slice(0, 32),
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: wholeApiResource(event.methodArn) }],
    },
    context: { [USER_TOKEN_CONTEXT_KEY]: user },
  };
}
