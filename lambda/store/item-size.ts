/**
 * Head-item size arithmetic, shared by the store (which decides inline or out of line) and the
 * bulk tools (which must decide exactly as the store does, so the service reads back what they
 * wrote). Sizes follow DynamoDB's rules: an attribute costs its name's UTF-8 bytes plus its value's.
 */
import { TABLE_LAYOUT } from './table-layout.js';

/** DynamoDB's item size limit, attribute names included. */
export const MAX_ITEM_BYTES = 400 * 1024;
/** DynamoDB's aggregate item size limit for one transaction (4 MB, taken as decimal to be safe). */
export const MAX_TRANSACTION_BYTES = 4_000_000;
/** Upper bound of the stored size of a DynamoDB number (38 significant digits). */
export const NUMBER_BYTES_MAX = 21;

const A = TABLE_LAYOUT.attributes;

export function attrBytes(name: string, valueBytes: number): number {
  return Buffer.byteLength(name, 'utf8') + valueBytes;
}

/** The key attributes of an item. */
export function keyBytes(pk: string, sk: Uint8Array): number {
  return attrBytes(TABLE_LAYOUT.partitionKey.name, Buffer.byteLength(pk, 'utf8')) + attrBytes(TABLE_LAYOUT.sortKey.name, sk.length);
}

/** Upper bound of a head item: keys, version, creation position, and the value inline. */
export function inlineHeadBytes(pk: string, sk: Uint8Array, valueBytes: number): number {
  return headFixedBytes(pk, sk) + attrBytes(A.value, valueBytes);
}

/** Upper bound of a head item whose value lives elsewhere, with a descriptor of at most `descriptorBytes`. */
export function outOfLineHeadBytes(pk: string, sk: Uint8Array, descriptorBytes: number): number {
  return headFixedBytes(pk, sk) + attrBytes(A.largeValue, descriptorBytes);
}

function headFixedBytes(pk: string, sk: Uint8Array): number {
  return keyBytes(pk, sk) + attrBytes(A.version, NUMBER_BYTES_MAX) + attrBytes(A.seq, NUMBER_BYTES_MAX);
}
