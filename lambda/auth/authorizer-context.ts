/**
 * Where the handlers find the authenticated user (docs/protocol.md §7.9): only in what API Gateway's
 * authorizer (or, locally, the local server acting as one) put into the request context — never
 * in the body or in headers the handler reads itself.
 *   Lambda authorizers of this project: context.userToken
 *   Cognito user-pool authorizer:      claims.sub
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { authFailure } from '../core/errors.js';

/** The key our authorizers use in the authorizer context. */
export const USER_TOKEN_CONTEXT_KEY = 'userToken';

export function userFromAuthorizerContext(event: Pick<APIGatewayProxyEvent, 'requestContext'>): string {
  const authorizer = event.requestContext?.authorizer as Record<string, unknown> | null | undefined;
  const fromContext = authorizer?.[USER_TOKEN_CONTEXT_KEY];
  if (typeof fromContext === 'string' && fromContext !== '') return fromContext;
  const claims = authorizer?.['claims'] as Record<string, unknown> | undefined;
  const sub = claims?.['sub'];
  if (typeof sub === 'string' && sub !== '') return sub;
  throw authFailure('Authorization header not found.');
}
