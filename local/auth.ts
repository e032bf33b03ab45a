/**
 * Authentication for the local server, which plays API Gateway's authorizer. Mode `none` makes
 * everyone one user (the reference's Noop authorizer), for local development only.
 */
import type { LocalAuthenticator } from './server.js';

export const AUTH_MODES = ['none'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** The user every request is in mode `none` (the Rust Noop authorizer's user_token). */
export const UNAUTHENTICATED_USER = 'unauth-user';

export interface LocalAuthOptions {
  readonly mode: AuthMode;
}

export function isAuthMode(s: string): s is AuthMode {
  return (AUTH_MODES as readonly string[]).includes(s);
}

export async function createLocalAuthenticator(options: LocalAuthOptions): Promise<LocalAuthenticator> {
  switch (options.mode) {
    case 'none':
      return () => UNAUTHENTICATED_USER;
  }
}
