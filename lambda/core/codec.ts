/**
 * Protobuf codec over the static code generated from proto/vss.proto (scripts/gen-proto.sh;
 * chosen over reflection by bench/codec.ts: same per-message cost, ~10 ms less module init, and
 * only protobufjs/minimal in the bundle). int64 fields are Long on the wire side and bigint here,
 * so -1 and values beyond 2^53 round-trip exactly. Strings are decoded with UTF-8 verification
 * (protobufjs `stringVerify`), so invalid UTF-8 is a decode error (400), never a mangled key.
 */
import Long from 'long';
import protobuf from 'protobufjs/minimal.js';
import { vss } from './generated/vss.js';
import { invalidRequest } from './errors.js';

// protobufjs decodes int64 into Long only when it knows the Long implementation.
protobuf.util.Long = Long;
protobuf.configure();

export { vss };

export interface KeyValueMsg {
  readonly key: string;
  readonly version: bigint;
  readonly value: Uint8Array;
}

export function toBigInt(v: Long | number | null | undefined): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'number') return BigInt(v);
  return BigInt(v.toString());
}

export function toLong(v: bigint): Long {
  return Long.fromString(v.toString(), false);
}

const EMPTY = new Uint8Array(0);

function keyValueOf(kv: vss.KeyValue.$Properties): KeyValueMsg {
  return { key: kv.key ?? '', version: toBigInt(kv.version as Long | number | null | undefined), value: kv.value ?? EMPTY };
}

/** Decodes a request body; any protobuf error is the client's: 400 (docs/protocol.md §7.2). */
function decodeWith<T>(decode: (b: Uint8Array) => T, body: Uint8Array, what: string): T {
  try {
    return decode(body);
  } catch (e) {
    throw invalidRequest(`Error parsing request: body is not a valid ${what} (${(e as Error).message})`);
  }
}

export function decodeGetObjectRequest(body: Uint8Array): { storeId: string; key: string } {
  const m = decodeWith((b) => vss.GetObjectRequest.decode(b), body, 'GetObjectRequest');
  return { storeId: m.storeId ?? '', key: m.key ?? '' };
}

export interface PutObjectRequestMsg {
  readonly storeId: string;
  readonly globalVersion: bigint | undefined;
  readonly transactionItems: KeyValueMsg[];
  readonly deleteItems: KeyValueMsg[];
}

export function decodePutObjectRequest(body: Uint8Array): PutObjectRequestMsg {
  const m = decodeWith((b) => vss.PutObjectRequest.decode(b), body, 'PutObjectRequest');
  const gv = m.globalVersion as Long | number | null | undefined;
  return {
    storeId: m.storeId ?? '',
    globalVersion: gv === null || gv === undefined ? undefined : toBigInt(gv),
    transactionItems: (m.transactionItems ?? []).map(keyValueOf),
    deleteItems: (m.deleteItems ?? []).map(keyValueOf),
  };
}

export function decodeDeleteObjectRequest(body: Uint8Array): { storeId: string; keyValue: KeyValueMsg | undefined } {
  const m = decodeWith((b) => vss.DeleteObjectRequest.decode(b), body, 'DeleteObjectRequest');
  return { storeId: m.storeId ?? '', keyValue: m.keyValue ? keyValueOf(m.keyValue) : undefined };
}

export interface ListKeyVersionsRequestMsg {
  readonly storeId: string;
  readonly keyPrefix: string | undefined;
  readonly pageSize: number | undefined;
  readonly pageToken: string | undefined;
}

export function decodeListKeyVersionsRequest(body: Uint8Array): ListKeyVersionsRequestMsg {
  const m = decodeWith((b) => vss.ListKeyVersionsRequest.decode(b), body, 'ListKeyVersionsRequest');
  return {
    storeId: m.storeId ?? '',
    keyPrefix: m.keyPrefix ?? undefined,
    pageSize: m.pageSize ?? undefined,
    pageToken: m.pageToken ?? undefined,
  };
}

export function encodeGetObjectResponse(kv: KeyValueMsg): Uint8Array {
  return vss.GetObjectResponse.encode({ value: { key: kv.key, version: toLong(kv.version), value: kv.value } }).finish();
}

export function encodeListKeyVersionsResponse(r: {
  keyVersions: readonly { key: string; version: bigint }[];
  nextPageToken: string;
  globalVersion?: bigint | undefined;
}): Uint8Array {
  const msg: vss.ListKeyVersionsResponse.$Properties = {
    keyVersions: r.keyVersions.map((k) => ({ key: k.key, version: toLong(k.version) })),
    // Always present, '' at the end: ldk-node 0.4–0.7 loop until they see "" (docs/protocol.md §3.4).
    nextPageToken: r.nextPageToken,
  };
  if (r.globalVersion !== undefined) msg.globalVersion = toLong(r.globalVersion);
  return vss.ListKeyVersionsResponse.encode(msg).finish();
}

export function encodeErrorResponse(code: vss.ErrorCode, message: string): Uint8Array {
  return vss.ErrorResponse.encode({ errorCode: code, message }).finish();
}

export const EMPTY_BODY = EMPTY;
