/**
 * A small typed client of the VSS protocol (protobuf over HTTP POST): the four operations,
 * paging, the protocol's error codes, and retries with backoff of what a client should retry
 * (500, 429, network faults). Used by the `vss` command and by tests; independent of the server.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { toBigInt, toLong, vss } from '../lambda/core/codec.js';
import { requestHeaders, type AuthOptions } from './auth.js';

export const ErrorCode = vss.ErrorCode;

export interface KeyValue {
  readonly key: string;
  readonly version: bigint;
  readonly value: Uint8Array;
}

export interface KeyVersion {
  readonly key: string;
  readonly version: bigint;
}

export interface ListPage {
  readonly keyVersions: readonly KeyVersion[];
  readonly nextPageToken: string;
  readonly globalVersion: bigint | undefined;
}

/** A request the server answered with an error (after retries, for retryable ones). */
export class VssRequestError extends Error {
  constructor(
    readonly operation: string,
    /** HTTP status; 0 when no response arrived (network fault). */
    readonly status: number,
    /** The ErrorResponse's code, when the body was one. */
    readonly errorCode: vss.ErrorCode | undefined,
    readonly serverMessage: string,
  ) {
    super(
      `${operation} failed: ${status === 0 ? 'no response' : `HTTP ${status}`}${errorCode !== undefined ? ` ${vss.ErrorCode[errorCode]}` : ''}${serverMessage ? `: ${serverMessage}` : ''}`,
    );
    this.name = 'VssRequestError';
  }

  get isConflict(): boolean {
    return this.errorCode === ErrorCode.CONFLICT_EXCEPTION;
  }

  get isAuth(): boolean {
    return this.errorCode === ErrorCode.AUTH_EXCEPTION || this.status === 401 || this.status === 403;
  }
}

export interface RetryPolicy {
  /** Attempts in all, the first included. @default 6 */
  readonly maxAttempts: number;
  /** The k-th retry waits a random time up to min(maxDelayMs, baseDelayMs × 2^k). @default 200 */
  readonly baseDelayMs: number;
  /** @default 5000 */
  readonly maxDelayMs: number;
}

export const DEFAULT_CLIENT_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 200, maxDelayMs: 5000 };

export interface VssClientOptions extends AuthOptions {
  /** The server's base URL, ending in /vss (the client appends /getObject etc.). */
  readonly baseUrl: string;
  /** @default DEFAULT_CLIENT_RETRY */
  readonly retry?: RetryPolicy;
  /** Per-attempt timeout. @default 30000 */
  readonly timeoutMs?: number;
  /** Called before a retry, with the reason. @default none */
  readonly onRetry?: (operation: string, reason: string, attempt: number) => void;
}

export class VssClient {
  private readonly baseUrl: string;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;

  constructor(private readonly options: VssClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.retry = options.retry ?? DEFAULT_CLIENT_RETRY;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** GetObject; undefined when the key does not exist (NO_SUCH_KEY_EXCEPTION). */
  async getObject(storeId: string, key: string): Promise<KeyValue | undefined> {
    try {
      const body = await this.call('getObject', vss.GetObjectRequest.encode({ storeId, key }).finish());
      const v = vss.GetObjectResponse.decode(body).value;
      return { key: v?.key ?? key, version: toBigInt(v?.version as never), value: v?.value ?? new Uint8Array(0) };
    } catch (e) {
      if (e instanceof VssRequestError && e.errorCode === ErrorCode.NO_SUCH_KEY_EXCEPTION) return undefined;
      throw e;
    }
  }

  /** PutObjects: all items and deletes atomically, each conditioned on its version. */
  async putObjects(
    storeId: string,
    request: { items: readonly KeyValue[]; deletes?: readonly KeyVersion[]; globalVersion?: bigint },
  ): Promise<void> {
    const msg: vss.PutObjectRequest.$Properties = {
      storeId,
      transactionItems: request.items.map((i) => ({ key: i.key, version: toLong(i.version), value: i.value })),
      deleteItems: (request.deletes ?? []).map((d) => ({ key: d.key, version: toLong(d.version) })),
    };
    if (request.globalVersion !== undefined) msg.globalVersion = toLong(request.globalVersion);
    await this.call('putObjects', vss.PutObjectRequest.encode(msg).finish());
  }

  /** DeleteObject (never a conflict: a version mismatch deletes nothing). */
  async deleteObject(storeId: string, key: string, version: bigint): Promise<void> {
    await this.call('deleteObject', vss.DeleteObjectRequest.encode({ storeId, keyValue: { key, version: toLong(version) } }).finish());
  }

  async listKeyVersions(storeId: string, query: { prefix?: string; pageSize?: number; pageToken?: string } = {}): Promise<ListPage> {
    const msg: vss.ListKeyVersionsRequest.$Properties = { storeId };
    if (query.prefix !== undefined) msg.keyPrefix = query.prefix;
    if (query.pageSize !== undefined) msg.pageSize = query.pageSize;
    if (query.pageToken !== undefined) msg.pageToken = query.pageToken;
    const page = vss.ListKeyVersionsResponse.decode(await this.call('listKeyVersions', vss.ListKeyVersionsRequest.encode(msg).finish()));
    return {
      keyVersions: page.keyVersions.map((k) => ({ key: k.key ?? '', version: toBigInt(k.version as never) })),
      nextPageToken: page.nextPageToken ?? '',
      globalVersion: page.globalVersion == null ? undefined : toBigInt(page.globalVersion as never),
    };
  }

  /**
   * Every key of a store, following page tokens, newest-created first (the protocol's listing
   * order), and the store's global version (from the first page; 0 when the server sent none).
   */
  async listAll(storeId: string, onPage?: (keys: number) => void): Promise<{ keyVersions: KeyVersion[]; globalVersion: bigint }> {
    const keyVersions: KeyVersion[] = [];
    const seenTokens = new Set<string>();
    let token: string | undefined;
    let globalVersion = 0n;
    for (let first = true; ; first = false) {
      const page = await this.listKeyVersions(storeId, token === undefined ? {} : { pageToken: token });
      if (first) globalVersion = page.globalVersion ?? 0n;
      keyVersions.push(...page.keyVersions);
      onPage?.(keyVersions.length);
      if (page.nextPageToken === '') break;
      // A server whose token does not advance would loop forever: refuse it.
      if (seenTokens.has(page.nextPageToken))
        throw new VssRequestError('listKeyVersions', 200, undefined, 'the server repeated a page token');
      seenTokens.add(page.nextPageToken);
      token = page.nextPageToken;
    }
    return { keyVersions, globalVersion };
  }

  /** One POST with retries of 500, 429 and network faults; any other error is final. */
  private async call(operation: string, body: Uint8Array): Promise<Uint8Array> {
    for (let attempt = 1; ; attempt++) {
      let reason: string;
      try {
        const res = await fetch(`${this.baseUrl}/${operation}`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/octet-stream', ...requestHeaders(this.options) },
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        const payload = new Uint8Array(await res.arrayBuffer());
        if (res.status === 200) return payload;
        const error = errorOf(operation, res.status, payload);
        if (!(res.status >= 500 || res.status === 429)) throw error;
        reason = error.message;
        if (attempt >= this.retry.maxAttempts) throw error;
      } catch (e) {
        // Errors decided above are final; anything else is a network fault (retried).
        if (e instanceof VssRequestError) throw e;
        reason = (e as Error)?.message ?? String(e);
        const cause = (e as { cause?: { code?: string } }).cause?.code;
        if (cause) reason += ` (${cause})`;
        if (attempt >= this.retry.maxAttempts)
          throw new VssRequestError(operation, 0, undefined, `${reason} (is ${this.baseUrl} reachable?)`);
      }
      this.options.onRetry?.(operation, reason, attempt);
      const cap = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.random() * cap);
    }
  }
}

function errorOf(operation: string, status: number, payload: Uint8Array): VssRequestError {
  try {
    const e = vss.ErrorResponse.decode(payload);
    return new VssRequestError(operation, status, e.errorCode, e.message ?? '');
  } catch {
    return new VssRequestError(operation, status, undefined, Buffer.from(payload.subarray(0, 200)).toString('utf8'));
  }
}
