/**
 * Where the user is when an authorizer in front of the service verified it (docs/protocol.md
 * §7.9): only in what API Gateway's authorizer put into the request context — never in the body
 * or in headers read here.
 *   Lambda authorizers of this project: context.userToken
 *   Cognito user-pool authorizer:      claims.sub
 */
import { authFailure } from '../core/errors.js';

/** The key our authorizers use in the authorizer context. */
export const USER_TOKEN_CONTEXT_KEY = 'userToken';

/** What an authorizer in front established (API Gateway's `requestContext.authorizer`). */
export type AuthorizerContext = Readonly<Record<string, unknown>> | null | undefined;

export function userFromAuthorizerContext(authorizer: AuthorizerContext): string {
  const fromContext = authorizer?.[USER_TOKEN_CONTEXT_KEY];
  if (typeof fromContext === 'string' && fromContext !== '') return fromContext;
  const claims = authorizer?.['claims'] as Record<string, unknown> | undefined;
  const sub = claims?.['sub'];
  if (typeof sub === 'string' && sub !== '') return sub;
  throw authFailure('Authorization header not found.');
}
