/**
 * How a user appears in logs, deployed and local alike: a short, stable, non-reversible digest of
 * the user token, never the token itself. Here, at the bottom of the layers, because every layer
 * that logs a user (provider events, the request log, the admin commands) needs the same digest.
 */
import { createHash } from 'node:crypto';

/** Hex characters of SHA-256(user token) that are logged: enough to correlate, not to reverse. */
export const USER_HASH_HEX_CHARS = 16;

/** A short, stable, non-reversible identifier of a user for logs. */
export function userHash(userToken: string): string {
  return createHash('sha256').update(userToken, 'utf8').digest('hex').slice(0, USER_HASH_HEX_CHARS);
}
