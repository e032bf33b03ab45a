/**
 * How a deployed VSS handler learns the user (spec §13.9), chosen by VSS_AUTH_MODE:
 *   signature  — verify the `authorization` header here, in the handler (docs/auth.md explains why
 *                not in a REQUEST authorizer: a fresh header per request defeats its cache)
 *   otherwise  — read what API Gateway's authorizer put in the request context (jwt: our TOKEN
 *                authorizer's context.userToken; cognito: the user pool authorizer's claims.sub)
 * Never from the body.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { userFromAuthorizerContext } from './authorizer-context.js';
import { headerValue, verifySignatureHeader } from './signature.js';

export type UserResolver = (event: APIGatewayProxyEvent) => string;

export function userFromSignatureHeader(event: Pick<APIGatewayProxyEvent, 'headers' | 'multiValueHeaders'>): string {
  return verifySignatureHeader(headerValue(event.headers, 'authorization', event.multiValueHeaders));
}

export function resolveUserForMode(mode: string | undefined): UserResolver {
  return mode === 'signature' ? userFromSignatureHeader : userFromAuthorizerContext;
}
