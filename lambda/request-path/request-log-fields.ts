/**
 * The fields of the one structured log line per request, shared by the deployed handlers
 * (request-path/observability.ts) and the local server (local/server.ts) so a log query works on
 * both. Never the raw user token, never a key, a value or a header.
 */
import { userHash } from '../core/user-hash.js';

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
