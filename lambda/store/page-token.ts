/**
 * Opaque ListKeyVersions page tokens (docs/protocol.md §7.7, §7.3).
 *
 * A token is a position in the `bySeq` index: (creation position, sort key), plus a check value
 * bound to the partition and the prefix it was issued for. Tokens carry no authority: the Query
 * always runs on the caller's own partition, so a token can never reach another user's or store's
 * data. The check value makes malformed, truncated, edited or cross-store tokens a clear 400
 * instead of a silently wrong page.
 *
 * Format: `1.<seq decimal>.<base64url(sk)>.<base64url(sha256(...)[0..12])>`
 */
import { createHash } from 'node:crypto';
import { invalidRequest } from '../core/errors.js';

export interface IndexPosition {
  readonly seq: string;
  readonly sk: Uint8Array;
}

const VERSION = '1';
const SEQ_PATTERN = /^(0|[1-9][0-9]{0,37})$/;
const B64URL_PATTERN = /^[A-Za-z0-9_-]+$/;
const MAX_SK_BYTES = 1024;

export const INVALID_PAGE_TOKEN = 'Invalid page token';

function checkValue(partitionKey: string, prefix: string, seq: string, sk: Uint8Array): string {
  return createHash('sha256')
    .update('vss-page-token-v1\0')
    .update(`${Buffer.byteLength(partitionKey)}:${partitionKey}${Buffer.byteLength(prefix)}:${prefix}${seq}.`)
    .update(sk)
    .digest()
    .subarray(0, 12)
    .toString('base64url');
}

export function encodePageToken(pos: IndexPosition, partitionKey: string, prefix: string): string {
  const sk = Buffer.from(pos.sk).toString('base64url');
  return `${VERSION}.${pos.seq}.${sk}.${checkValue(partitionKey, prefix, pos.seq, pos.sk)}`;
}

/** Throws 400 `Invalid page token` for anything this service did not issue for this listing. */
export function decodePageToken(token: string, partitionKey: string, prefix: string): IndexPosition {
  const parts = token.split('.');
  if (parts.length !== 4) throw invalidRequest(INVALID_PAGE_TOKEN);
  const [version, seq, skText, check] = parts as [string, string, string, string];
  if (version !== VERSION || !SEQ_PATTERN.test(seq) || !B64URL_PATTERN.test(skText) || !B64URL_PATTERN.test(check)) {
    throw invalidRequest(INVALID_PAGE_TOKEN);
  }
  const sk = Buffer.from(skText, 'base64url');
  if (sk.length === 0 || sk.length > MAX_SK_BYTES || sk.toString('base64url') !== skText) {
    throw invalidRequest(INVALID_PAGE_TOKEN);
  }
  if (checkValue(partitionKey, prefix, seq, sk) !== check) throw invalidRequest(INVALID_PAGE_TOKEN);
  return { seq, sk };
}
