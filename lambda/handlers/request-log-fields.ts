/**
 * The fields of the one structured log line per request, shared by the deployed handlers and the
 * local server (local/server.ts) so a log query works on both. Never the raw user token,
 * never a key, a value or a header.
 */
import { createHash } from 'node:crypto';

/** Hex characters of SHA-256(user token) that are logged: enough to correlate, not to reverse. */
export const USER_HASH_HEX_CHARS = 16;

export interface RequestLogFields {
  readonly requestId: string | undefined;
  /** The VSS operation; absent for requests that named none (a bad path, a parse error). */
  readonly operation?: string;
  readonly status: number;
  readonly errorCode?: number;
  readonly durationMs: number;
  /** userHash of the authenticated user. */
  readonly user?: string;
}

/** A short, stable, non-reversible identifier of a user for logs. */
export function userHash(userToken: string): string {
  return createHash('sha256').update(userToken, 'utf8').digest('hex').slice(0, USER_HASH_HEX_CHARS);
}

export function requestLogFields(r: {
  requestId: string | undefined;
  operation?: string | undefined;
  status: number;
  errorCode?: number | undefined;
  durationMs: number;
  userToken?: string | undefined;
}): RequestLogFields {
  return {
    requestId: r.requestId,
    ...(r.operation !== undefined ? { operation: r.operation } : {}),
    status: r.status,
    ...(r.errorCode !== undefined ? { errorCode: r.errorCode } : {}),
    durationMs: Math.round(r.durationMs * 100) / 100,
    ...(r.userToken !== undefined ? { user: userHash(r.userToken) } : {}),
  };
}
