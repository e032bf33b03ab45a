/**
 * Protobuf codec over the static code generated from proto/vss.proto (scripts/gen-proto.sh;
 * chosen over reflection by bench/codec.ts: same per-message cost, ~10 ms less module init, and
 * only protobufjs/minimal in the bundle). int64 fields are two 32-bit halves on the wire side
 * (Int64 below) and bigint here, so -1 and values beyond 2^53 round-trip exactly. Strings are
 * decoded with UTF-8 verification (protobufjs `stringVerify`), so invalid UTF-8 is a decode error
 * (400), never a mangled key.
 */
import type Long from 'long';
import protobuf from 'protobufjs/minimal.js';
import { vss } from './generated/vss.js';
import { invalidRequest } from './errors.js';

/**
 * An int64 as protobufjs reads and writes it: the signed 32-bit halves. protobufjs decodes int64
 * as `new util.Long(low, high, unsigned)` and encodes any object with `low` and `high`, so this
 * tiny class replaces long.js (21 KB of bundle; the Lambda bundles alias it to an empty module) and
 * versions convert to and from bigint by bit arithmetic, not through decimal strings. toString and
 * valueOf are for readers of decoded messages (tests, tools), not the request path.
 */
export class Int64 {
  constructor(
    readonly low: number,
    readonly high: number,
    readonly unsigned: boolean = false,
  ) {}

  static fromBits(low: number, high: number, unsigned?: boolean): Int64 {
    return new Int64(low, high, unsigned);
  }

  toString(radix?: number): string {
    return toBigInt(this).toString(radix);
  }

  valueOf(): number {
    return Number(toBigInt(this));
  }
}

// Without a Long constructor protobufjs would decode int64 into lossy numbers. (Process-wide: the
// reflection API of full protobufjs needs long.js; nothing that loads this module uses it.)
protobuf.util.Long = Int64 as unknown as typeof protobuf.util.Long;
protobuf.configure();

export { vss };

export interface KeyValueMsg {
  readonly key: string;
  readonly version: bigint;
  readonly value: Uint8Array;
}

const TWO_32 = 4_294_967_296;
/** |high| below 2^20 keeps high·2^32 + low within ±2^52: exact as a double. */
const SAFE_HIGH = 1 << 20;

/** The signed value of an int64 as protobufjs decoded it (an absent field is 0). */
export function toBigInt(v: { readonly low: number; readonly high: number } | number | null | undefined): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'number') return BigInt(v);
  const { low, high } = v;
  if (high < SAFE_HIGH && high >= -SAFE_HIGH) return BigInt(high * TWO_32 + (low >>> 0));
  // Two's complement: the signed high half shifted, the low half unsigned.
  return (BigInt(high) << 32n) | BigInt(low >>> 0);
}

const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** A signed 64-bit value as protobufjs encodes it; wraps modulo 2^64 like any int64 cast. */
export function toLong(v: bigint): Long {
  let low: number;
  let high: number;
  if (v >= SAFE_MIN && v <= SAFE_MAX) {
    const n = Number(v);
    low = n | 0; // ToInt32: the low 32 bits, also of a negative n
    high = Math.floor(n / TWO_32) | 0;
  } else {
    low = Number(BigInt.asIntN(32, v));
    high = Number(BigInt.asIntN(32, v >> 32n));
  }
  return new Int64(low, high) as unknown as Long;
}

const EMPTY = new Uint8Array(0);

function keyValueOf(kv: vss.KeyValue.$Properties): KeyValueMsg {
  return { key: kv.key ?? '', version: toBigInt(kv.version), value: kv.value ?? EMPTY };
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
  const gv = m.globalVersion;
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

/**
 * A response body: one buffer, or buffers that go on the wire one after another. A large value is
 * answered as the second kind, so it is never copied into its answer (the container door would
 * otherwise hold a read of it twice over).
 */
export type ResponseBody = Uint8Array | readonly Uint8Array[];

/** Values from this size on are answered around their bytes instead of copied (a copy below is cheap). */
export const ANSWER_AROUND_VALUE_BYTES = 64 * 1024;

export function bodyLength(body: ResponseBody): number {
  return body instanceof Uint8Array ? body.length : body.reduce((n, part) => n + part.length, 0);
}

/** The body as one buffer, for a door that sends it whole (the Lambda door's base64). */
export function bodyBytes(body: ResponseBody): Uint8Array {
  if (body instanceof Uint8Array) return body;
  return body.length === 1 ? body[0]! : Buffer.concat(body);
}

/**
 * The encoded GetObjectResponse: byte for byte what protobufjs encodes (test/unit/codec.test.ts
 * compares them), but for a large value as [everything before the value, the value itself].
 * KeyValue's fields are encoded in field order (key, version, value), so the value comes last:
 * GetObjectResponse.value (field 2) = tag, length, then KeyValue = key, version, value tag and
 * length, value.
 */
export function encodeGetObjectResponse(kv: KeyValueMsg): ResponseBody {
  const msg = { key: kv.key, version: toLong(kv.version) };
  if (kv.value.length < ANSWER_AROUND_VALUE_BYTES) return vss.GetObjectResponse.encode({ value: { ...msg, value: kv.value } }).finish();
  const head = vss.KeyValue.encode(msg).finish();
  const valueHeader = protobuf.Writer.create().uint32(26).uint32(kv.value.length).finish();
  const kvLength = head.length + valueHeader.length + kv.value.length;
  const prefix = protobuf.Writer.create().uint32(18).uint32(kvLength).finish();
  return [Buffer.concat([prefix, head, valueHeader]), kv.value];
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
