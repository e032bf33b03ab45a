/**
 * Where per-user provider data lives (docs/provider.md): in the VSS table itself, in partitions
 * that can never collide with record partitions. A record partition key starts with a decimal
 * digit (`<len>:<user>:<store>`, store/keys.ts); these start with a letter.
 *
 *   user partition   pk = `u:<len>:<user>`
 *     sk 0x00                    profile: per-user quota overrides (`mk`, `mb`)
 *     sk 0x01 ‖ store_id UTF-8   one per store the user ever wrote: the store registry entry and
 *                                its usage counters (`k` keys, `b` bytes)
 *     sk 0x02 ‖ 'YYYY-MM-DD'     the day's request count (`n`) and the rate-limit window (`w`, `c`)
 *     sk 0x03                    enrollment: present while the key may call in signature mode's
 *                                allowlist enrollment (`since`, ms), enrollment.ts
 *   user registry    pk = `U#<shard>` (16 shards), sk = SHA-256(user), attribute `u` = the user:
 *                    how the usage report finds every user without a Scan
 *
 * So a user's stores are one Query of its user partition, and erasing a user never scans.
 */
import { createHash } from 'node:crypto';
import { USER_PARTITION_PREFIX } from '../contract.js';
import { partitionKeyOf } from '../store/keys.js';
import { TABLE_LAYOUT } from '../store/table-layout.js';

export const USER_REGISTRY_SHARDS = 16;

/** Attribute names of provider items (kept short: they are in every counter update). */
export const META = {
  keys: 'k',
  bytes: 'b',
  maxKeys: 'mk',
  maxBytes: 'mb',
  requests: 'n',
  window: 'w',
  windowCount: 'c',
  user: 'u',
  since: 'since',
} as const;

export const PROFILE_PREFIX = 0x00;
export const STORE_PREFIX = 0x01;
export const DAY_PREFIX = 0x02;
export const ENROLLMENT_PREFIX = 0x03;

export const PK = TABLE_LAYOUT.partitionKey.name;
export const SK = TABLE_LAYOUT.sortKey.name;

export function userPartitionKey(userToken: string): string {
  // The same check as a record partition: a user id that is not valid Unicode is refused (401),
  // because UTF-8 would map distinct ones to one partition.
  partitionKeyOf({ userToken, storeId: '' });
  return `${USER_PARTITION_PREFIX}${userToken.length}:${userToken}`;
}

export function profileSortKey(): Uint8Array {
  return Uint8Array.of(PROFILE_PREFIX);
}

export function enrollmentSortKey(): Uint8Array {
  return Uint8Array.of(ENROLLMENT_PREFIX);
}

export function storeSortKey(storeId: string): Uint8Array {
  return Buffer.concat([Uint8Array.of(STORE_PREFIX), Buffer.from(storeId, 'utf8')]);
}

export function dayOf(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 10);
}

export function daySortKey(day: string): Uint8Array {
  return Buffer.concat([Uint8Array.of(DAY_PREFIX), Buffer.from(day, 'ascii')]);
}

export function userHashBytes(userToken: string): Buffer {
  return createHash('sha256').update(userToken, 'utf8').digest();
}

export function registryPartitionKey(shard: number): string {
  return `U#${shard}`;
}

export function registryKeyOf(userToken: string): { pk: string; sk: Uint8Array } {
  const hash = userHashBytes(userToken);
  return { pk: registryPartitionKey(hash[0]! % USER_REGISTRY_SHARDS), sk: hash };
}

/** Decodes a user-partition sort key (what erase and the report read back). */
export type UserItemKind =
  | { kind: 'profile' }
  | { kind: 'store'; storeId: string }
  | { kind: 'day'; day: string }
  | { kind: 'enrollment' }
  | { kind: 'other' };

export function kindOfUserSortKey(sk: Uint8Array): UserItemKind {
  const tag = sk[0];
  const rest = Buffer.from(sk.subarray(1));
  if (tag === PROFILE_PREFIX && sk.length === 1) return { kind: 'profile' };
  if (tag === STORE_PREFIX) return { kind: 'store', storeId: rest.toString('utf8') };
  if (tag === DAY_PREFIX) return { kind: 'day', day: rest.toString('ascii') };
  if (tag === ENROLLMENT_PREFIX && sk.length === 1) return { kind: 'enrollment' };
  return { kind: 'other' };
}
