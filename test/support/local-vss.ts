/**
 * Test helpers: a local VSS (the real server, handlers and DynamoDbStore) on one of the engines
 * the global setup started, each with its own fresh table, and a small protobuf client.
 */
import { inject } from 'vitest';
import { randomUUID } from 'node:crypto';
import Long from 'long';
import { localClient, type EngineName } from '../../local/engines.js';
import { startLocalVss, type LocalVss, type LocalVssOptions } from '../../local/app.js';
import { vss } from '../../lambda/core/generated/vss.js';

export { vss };

/**
 * Every engine the global setup started (both unless VSS_TEST_ENGINES narrows it). Run a test
 * on each (`describe.each(engines())`) only when the engine is what it is about: the
 * KeyValueStore contract (test/store/), faults, crash consistency, capacity counting, engine
 * differences, the embedded engine of `npm start`. Everything above the store uses
 * `primaryEngine()`.
 */
export function engines(): Array<{ name: EngineName; endpoint: string }> {
  return inject('engines');
}

/**
 * The one engine for tests above the store (HTTP, auth, pipelining, provider, CLI, LNURL, ...):
 * Dynoxide when it runs (it starts and answers fastest), else the first engine started. What the
 * store does on each engine is proven once, by the contract suite over `engines()`; running the
 * layers above it on both would only repeat that.
 */
export function primaryEngine(): { name: EngineName; endpoint: string } {
  const all = engines();
  const chosen = all.find((e) => e.name === 'dynoxide') ?? all[0];
  if (!chosen) throw new Error('no engine started (test/support/global-setup.ts)');
  return chosen;
}

/** Starts a local VSS on the given engine with a fresh table; stop() leaves the engine running. */
export async function startVssOn(engine: { endpoint: string }, options: Omit<LocalVssOptions, 'client' | 'port'> = {}): Promise<LocalVss> {
  return startLocalVss({
    ...options,
    client: localClient(engine.endpoint),
    port: 0,
    tableName: options.tableName ?? `vss-${randomUUID()}`,
  });
}

export interface HttpResult {
  readonly status: number;
  readonly protocolVersion: string | null;
  readonly body: Uint8Array;
}

/** POSTs a raw body to `${baseUrl}/${path}` with the given headers. */
export async function post(baseUrl: string, path: string, body: Uint8Array, headers: Record<string, string> = {}): Promise<HttpResult> {
  const r = await fetch(`${baseUrl}/${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/octet-stream', ...headers },
  });
  return { status: r.status, protocolVersion: r.headers.get('vss-protocol-version'), body: new Uint8Array(await r.arrayBuffer()) };
}

export const L = (n: number | bigint): Long => Long.fromString(n.toString());

export function kv(key: string, version: number | bigint, value: string | Uint8Array = ''): vss.KeyValue.$Properties {
  return { key, version: L(version), value: typeof value === 'string' ? Buffer.from(value) : value };
}

export function decodeError(r: HttpResult): { errorCode: number; message: string } {
  const e = vss.ErrorResponse.decode(r.body);
  return { errorCode: e.errorCode, message: e.message };
}

/** A typed VSS client over HTTP for one user (headers) and store. */
export class TestClient {
  constructor(
    readonly baseUrl: string,
    readonly storeId: string,
    readonly headers: Record<string, string> = {},
  ) {}

  raw(path: string, body: Uint8Array): Promise<HttpResult> {
    return post(this.baseUrl, path, body, this.headers);
  }

  put(
    items: vss.KeyValue.$Properties[],
    opts: { globalVersion?: number | bigint; deletes?: vss.KeyValue.$Properties[] } = {},
  ): Promise<HttpResult> {
    const msg: vss.PutObjectRequest.$Properties = { storeId: this.storeId, transactionItems: items, deleteItems: opts.deletes ?? [] };
    if (opts.globalVersion !== undefined) msg.globalVersion = L(opts.globalVersion);
    return this.raw('putObjects', vss.PutObjectRequest.encode(msg).finish());
  }

  get(key: string): Promise<HttpResult> {
    return this.raw('getObject', vss.GetObjectRequest.encode({ storeId: this.storeId, key }).finish());
  }

  async getValue(key: string): Promise<{ version: bigint; value: Buffer } | number> {
    const r = await this.get(key);
    if (r.status !== 200) return r.status;
    const v = vss.GetObjectResponse.decode(r.body).value!;
    return { version: BigInt((v.version ?? 0).toString()), value: Buffer.from(v.value ?? []) };
  }

  delete(key: string, version: number | bigint): Promise<HttpResult> {
    return this.raw('deleteObject', vss.DeleteObjectRequest.encode({ storeId: this.storeId, keyValue: kv(key, version) }).finish());
  }

  list(opts: { prefix?: string; pageSize?: number; pageToken?: string } = {}): Promise<HttpResult> {
    const msg: vss.ListKeyVersionsRequest.$Properties = { storeId: this.storeId };
    if (opts.prefix !== undefined) msg.keyPrefix = opts.prefix;
    if (opts.pageSize !== undefined) msg.pageSize = opts.pageSize;
    if (opts.pageToken !== undefined) msg.pageToken = opts.pageToken;
    return this.raw('listKeyVersions', vss.ListKeyVersionsRequest.encode(msg).finish());
  }

  /** Follows page tokens to the end; returns every key (in order), versions, pages and the first page's global version. */
  async listAll(
    opts: { prefix?: string; pageSize?: number } = {},
  ): Promise<{ keys: string[]; versions: bigint[]; pages: number; globalVersion: bigint | undefined }> {
    const keys: string[] = [];
    const versions: bigint[] = [];
    let token: string | undefined;
    let pages = 0;
    let globalVersion: bigint | undefined;
    const seen = new Set<string>();
    for (;;) {
      const r = await this.list({ ...opts, ...(token !== undefined ? { pageToken: token } : {}) });
      if (r.status !== 200) throw new Error(`list failed with ${r.status}: ${JSON.stringify(decodeError(r))}`);
      const page = vss.ListKeyVersionsResponse.decode(r.body);
      pages++;
      if (pages === 1) globalVersion = page.globalVersion == null ? undefined : BigInt(page.globalVersion.toString());
      for (const k of page.keyVersions) {
        keys.push(k.key ?? '');
        versions.push(BigInt((k.version ?? 0).toString()));
      }
      if (page.nextPageToken == null) throw new Error('next_page_token absent');
      if (page.nextPageToken === '') break;
      if (seen.has(page.nextPageToken)) throw new Error('page token did not advance');
      seen.add(page.nextPageToken);
      token = page.nextPageToken;
      if (pages > 10_000) throw new Error('too many pages');
    }
    return { keys, versions, pages, globalVersion };
  }
}
