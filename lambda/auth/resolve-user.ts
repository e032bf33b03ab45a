/**
 * How a deployed VSS handler learns the user (docs/protocol.md §7.9), chosen by VSS_AUTH_MODE:
 *   signature      — verify the `authorization` header here, in the handler (docs/auth.md explains
 *                    why not in a REQUEST authorizer: a fresh header per request defeats its cache),
 *                    under the deployment's policy (signature-policy.ts: enrollment, replay window)
 *   jwt, cognito   — read what API Gateway's authorizer put in the request context (jwt: our TOKEN
 *   (or unset)       authorizer's context.userToken; cognito: the user pool authorizer's claims.sub)
 *   none           — everyone is one user, as the reference's Noop authorizer (only deployed when
 *                    the stack was explicitly forced to)
 * Any other value is a configuration error and fails loudly. Never from the body.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { userFromAuthorizerContext } from './authorizer-context.js';
import { headerValue, verifySignatureHeader } from './signature.js';
import type { SignatureAuthenticator } from './signature-policy.js';

export type UserResolver = (event: APIGatewayProxyEvent) => string | Promise<string>;

/** The signature header of an event, verified with the defaults (open enrollment, 24 h window). */
export function userFromSignatureHeader(event: Pick<APIGatewayProxyEvent, 'headers' | 'multiValueHeaders'>): string {
  return verifySignatureHeader(signatureHeaderOf(event));
}

function signatureHeaderOf(event: Pick<APIGatewayProxyEvent, 'headers' | 'multiValueHeaders'>): string | undefined {
  return headerValue(event.headers, 'authorization', event.multiValueHeaders);
}

/** The user every request is in mode `none` (the Rust Noop authorizer's user_token). */
export const UNAUTHENTICATED_USER = 'unauth-user';

/** `signature`: the policy's authenticator (signature-policy.ts); @default the defaults' */
export function resolveUserForMode(mode: string | undefined, signature?: SignatureAuthenticator): UserResolver {
  switch (mode) {
    case 'signature':
      return signature ? (event) => signature(signatureHeaderOf(event)) : userFromSignatureHeader;
    case undefined:
    case 'jwt':
    case 'cognito':
      return userFromAuthorizerContext;
    case 'none':
      return () => UNAUTHENTICATED_USER;
    default:
      throw new Error(`Unknown VSS_AUTH_MODE ${JSON.stringify(mode)}: use signature, jwt, cognito or none`);
  }
}
