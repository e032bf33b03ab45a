/**
 * Object key layout of the value bucket (docs/large-values.md, "The object tier: values above the threshold are one S3 object"):
 *
 *   values/<SHA-256 of the user token, 64 hex>/<random id, 32 hex>
 *
 * - One prefix per user, so erase-user and a recount list one user's objects without a scan, and
 *   no user token (a credential in some auth modes) ever appears in the bucket.
 * - A fresh random id per write, so no two writes share a key: S3-compatible servers that ignore
 *   conditional writes (the embedded one) cannot overwrite a live object, and a retried PUT only
 *   writes the same bytes again.
 * - Everything under one top-level prefix, which the stack's permissions are scoped to
 *   (VALUE_OBJECT_PREFIX, lambda/contract.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { VALUE_OBJECT_PREFIX } from '../contract.js';

const ID_BYTES = 16;
const KEY_PATTERN = new RegExp(`^${VALUE_OBJECT_PREFIX}[0-9a-f]{64}/[0-9a-f]{${ID_BYTES * 2}}$`);

/** The prefix of every object of one user (ends with '/'). */
export function userObjectPrefix(userToken: string): string {
  return `${VALUE_OBJECT_PREFIX}${createHash('sha256').update(userToken, 'utf8').digest('hex')}/`;
}

/** A key no other write has used or will use. */
export function newObjectKey(userToken: string): string {
  return `${userObjectPrefix(userToken)}${randomBytes(ID_BYTES).toString('hex')}`;
}

/** True for keys this layout makes; a head naming anything else is corrupt. */
export function isValueObjectKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/** Does `key` belong to this user (a head may only point into its own user's prefix)? */
export function isObjectKeyOf(key: string, userToken: string): boolean {
  return isValueObjectKey(key) && key.startsWith(userObjectPrefix(userToken));
}
