/**
 * Storage key encodings (spec §13.10, §12.12, §12.19).
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
import type { Scope } from './kv-store.js';

const EMPTY_KEY_SK = Uint8Array.of(0xff);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function partitionKeyOf(scope: Scope): string {
  return `${scope.userToken.length}:${scope.userToken}:${scope.storeId}`;
}

export function sortKeyOf(key: string): Uint8Array {
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
