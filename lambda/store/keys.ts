/**
 * Storage key encodings (docs/protocol.md §7.10, §4).
 *
 * Partition key: `<length of user_token in UTF-16 units>:<user_token>:<store_id>`. The length
 * prefix makes the pair unambiguous: user `a#b` + store `c` and user `a` + store `b#c` differ,
 * as do any two pairs whatever characters they contain. Empty store_ids are fine.
 *
 * Sort key (Binary): the record key's UTF-8 bytes. DynamoDB key attributes cannot be empty, so the
 * empty key is stored as the single byte 0xFF, which never occurs in UTF-8 and so cannot collide
 * with a real key. Binary keeps the full 1024-byte sort-key budget for keys (no prefix byte), and
 * `begins_with` on Binary is a literal byte-prefix match.
 */
import { authFailure, invalidRequest } from '../core/errors.js';
import type { Scope } from '../core/kv-store.js';

const EMPTY_KEY_SK = Uint8Array.of(0xff);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
/** A lone UTF-16 surrogate: UTF-8 cannot carry it, so encoding it would map distinct strings to one. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * DynamoDB keys are UTF-8, which cannot carry a lone surrogate (Node's encoder turns each into
 * U+FFFD), so users `\ud800` and `\ud801` could share a partition. Strict protobuf decoding
 * keeps them out of store_ids and keys; a user token comes from an authorizer (e.g. any JWT
 * `sub`, which JSON can spell as "\ud800"), so it is checked here.
 */
export function partitionKeyOf(scope: Scope): string {
  if (LONE_SURROGATE.test(scope.userToken)) throw authFailure('The authenticated user id is not valid Unicode.');
  if (LONE_SURROGATE.test(scope.storeId)) throw invalidRequest('store_id is not valid Unicode');
  return `${scope.userToken.length}:${scope.userToken}:${scope.storeId}`;
}

export function sortKeyOf(key: string): Uint8Array {
  if (LONE_SURROGATE.test(key)) throw invalidRequest('Key is not valid Unicode');
  return key === '' ? EMPTY_KEY_SK : Buffer.from(key, 'utf8');
}

export function keyOfSortKey(sk: Uint8Array): string {
  if (sk.length === 1 && sk[0] === 0xff) return '';
  return strictUtf8.decode(sk);
}

/** Byte length of a key as stored (what the 1024-byte sort-key limit applies to). */
export function sortKeyLength(key: string): number {
  return key === '' ? 1 : Buffer.byteLength(key, 'utf8');
}

/** The inverse of partitionKeyOf (for admin tools that Scan the table); undefined if malformed. */
export function scopeOfPartitionKey(pk: string): Scope | undefined {
  const colon = pk.indexOf(':');
  const length = Number(pk.slice(0, colon));
  if (colon < 1 || !/^[0-9]+$/.test(pk.slice(0, colon)) || pk[colon + 1 + length] !== ':') return undefined;
  return { userToken: pk.slice(colon + 1, colon + 1 + length), storeId: pk.slice(colon + 2 + length) };
}
