/**
 * The VSS protocol core, `VssProtocol` (the CDK construct is `VssService`): the four operations of
 * docs/protocol.md §3 with this project's decisions (§7), independent of transport and of the
 * store behind it. Input is a raw protobuf body and an authenticated user; output is an
 * HTTP-shaped response. Every response carries
 * `vss-protocol-version: 0`, and every error is a protobuf ErrorResponse mapped in one place.
 */
import {
  decodeDeleteObjectRequest,
  decodeGetObjectRequest,
  decodeListKeyVersionsRequest,
  decodePutObjectRequest,
  EMPTY_BODY,
  encodeErrorResponse,
  encodeGetObjectResponse,
  encodeListKeyVersionsResponse,
  type KeyValueMsg,
  type ResponseBody,
} from './codec.js';
import { type ErrorCode, internalError, invalidRequest, isVssError, noSuchKey, type VssError } from './errors.js';
import { foldStatements, statementsOf } from './fold.js';
import { GLOBAL_VERSION_KEY, LIST_PAGE_SIZE_MAX, MAX_ACTIONS_PER_PUT, MAX_KEY_BYTES, MAX_STORE_ID_CHARS } from './limits.js';
import type { KeyValueStore, Scope } from './kv-store.js';

// Shared with the CDK construct, which must not load this module (lambda/contract.ts).
import { OPERATIONS, PROTOCOL_VERSION, PROTOCOL_VERSION_HEADER, type Operation } from '../contract.js';
export { OPERATIONS, PROTOCOL_VERSION, PROTOCOL_VERSION_HEADER, type Operation };

export function isOperation(name: string): name is Operation {
  return (OPERATIONS as readonly string[]).includes(name);
}

export interface VssResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** For a large value's GetObject, the answer around the value (codec.ts ResponseBody). */
  readonly body: ResponseBody;
}

/** What happened, for logs and metrics (never contains keys or values). */
export interface OperationOutcome {
  readonly operation: Operation | 'unknown';
  readonly status: number;
  readonly errorCode?: ErrorCode;
  /** The underlying error of a 500, for logging only. */
  readonly fault?: unknown;
}

export const RESPONSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  [PROTOCOL_VERSION_HEADER]: PROTOCOL_VERSION,
  'content-type': 'application/octet-stream',
});

export function errorResponse(e: VssError): VssResponse & { readonly body: Uint8Array } {
  return { status: e.status, headers: RESPONSE_HEADERS, body: encodeErrorResponse(e.code, e.message) };
}

export class VssProtocol {
  constructor(private readonly store: KeyValueStore) {}

  /**
   * Runs one operation. Never throws: a VssError becomes its protocol error, anything else a
   * 500 with the fixed message (the cause goes to `onOutcome` for logging).
   */
  async handle(operation: Operation, body: Uint8Array, userToken: string, onOutcome?: (o: OperationOutcome) => void): Promise<VssResponse> {
    try {
      const out = await this.dispatch(operation, body, userToken);
      onOutcome?.({ operation, status: 200 });
      return { status: 200, headers: RESPONSE_HEADERS, body: out };
    } catch (e) {
      const error = isVssError(e) ? e : internalError();
      // A 503 is the service declining for load (a door's memory bound), answered on purpose: not a fault.
      const fault = error.status >= 500 && error.status !== 503 ? ((isVssError(e) ? (e as { cause?: unknown }).cause : e) ?? e) : undefined;
      onOutcome?.({ operation, status: error.status, errorCode: error.code, ...(fault !== undefined ? { fault } : {}) });
      return errorResponse(error);
    }
  }

  private dispatch(operation: Operation, body: Uint8Array, userToken: string): Promise<ResponseBody> {
    switch (operation) {
      case 'getObject':
        return this.getObject(body, userToken);
      case 'putObjects':
        return this.putObjects(body, userToken);
      case 'deleteObject':
        return this.deleteObject(body, userToken);
      case 'listKeyVersions':
        return this.listKeyVersions(body, userToken);
    }
  }

  private async getObject(body: Uint8Array, userToken: string): Promise<ResponseBody> {
    const req = decodeGetObjectRequest(body);
    const scope = scopeOf(userToken, req.storeId);
    validateKey(req.key);
    const found = await this.store.get(scope, req.key);
    if (found) return encodeGetObjectResponse({ key: req.key, version: found.version, value: found.value });
    // The global version reads as 0 before it was ever set, never as a missing key (docs/protocol.md §3.1).
    if (req.key === GLOBAL_VERSION_KEY) return encodeGetObjectResponse({ key: req.key, version: 0n, value: EMPTY_BODY });
    throw noSuchKey();
  }

  private async putObjects(body: Uint8Array, userToken: string): Promise<Uint8Array> {
    const req = decodePutObjectRequest(body);
    const scope = scopeOf(userToken, req.storeId);
    for (const item of req.transactionItems) validateKey(item.key);
    for (const item of req.deleteItems) validateKey(item.key);
    // Validation (400) comes before conflicts (409): fold first only to count actions.
    const statements = statementsOf(req.transactionItems, req.globalVersion, req.deleteItems);
    const distinctKeys = new Set(statements.map((s) => s.key)).size;
    if (distinctKeys > MAX_ACTIONS_PER_PUT) {
      throw invalidRequest(
        `Too many items: a PutObjects request may write and delete at most ${MAX_ACTIONS_PER_PUT} distinct keys (global version included), got ${distinctKeys}`,
      );
    }
    const writes = foldStatements(statements);
    await this.store.write(scope, writes);
    return EMPTY_BODY;
  }

  private async deleteObject(body: Uint8Array, userToken: string): Promise<Uint8Array> {
    const req = decodeDeleteObjectRequest(body);
    const scope = scopeOf(userToken, req.storeId);
    const kv: KeyValueMsg | undefined = req.keyValue;
    if (!kv) throw invalidRequest('key_value missing in DeleteObjectRequest');
    validateKey(kv.key);
    // Versions below -1 can never match a stored version: nothing to delete (always 200).
    if (kv.version < -1n) return EMPTY_BODY;
    await this.store.deleteIfVersion(scope, kv.key, kv.version === -1n ? 'any' : kv.version);
    return EMPTY_BODY;
  }

  private async listKeyVersions(body: Uint8Array, userToken: string): Promise<Uint8Array> {
    const req = decodeListKeyVersionsRequest(body);
    const scope = scopeOf(userToken, req.storeId);
    const prefix = req.keyPrefix ?? '';
    if (Buffer.byteLength(prefix, 'utf8') > MAX_KEY_BYTES) {
      throw invalidRequest(`key_prefix is longer than ${MAX_KEY_BYTES} bytes of UTF-8`);
    }
    if (req.pageSize !== undefined && req.pageSize < 0) throw invalidRequest('page_size must not be negative');
    if (req.pageToken === '') throw invalidRequest('Invalid page token'); // explicit "" ≠ absent (docs/protocol.md §7.3)
    const pageSize = req.pageSize === undefined ? LIST_PAGE_SIZE_MAX : Math.min(req.pageSize, LIST_PAGE_SIZE_MAX);
    const page = await this.store.list(scope, {
      prefix,
      pageSize,
      ...(req.pageToken !== undefined ? { pageToken: req.pageToken } : {}),
    });
    return encodeListKeyVersionsResponse(page);
  }
}

function scopeOf(userToken: string, storeId: string): Scope {
  if ([...storeId].length > MAX_STORE_ID_CHARS) {
    throw invalidRequest(`store_id is longer than ${MAX_STORE_ID_CHARS} characters`);
  }
  return { userToken, storeId };
}

function validateKey(key: string): void {
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) throw invalidRequest(`Key is ${bytes} bytes of UTF-8; keys may be at most ${MAX_KEY_BYTES} bytes`);
}
