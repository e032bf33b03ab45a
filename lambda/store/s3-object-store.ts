/**
 * The object-store port (core/object-store.ts) on S3 or any S3-compatible server (the embedded
 * one of `npm start`, MinIO). Client settings: s3-client-settings.ts.
 *
 * Requests are retried by the same policy as the table's (retry.ts): throttling (503 SlowDown),
 * 5xx and network faults are retried with jittered backoff inside the budget, then answered with
 * the protocol's 500. Every operation is safe to repeat: object keys are never reused
 * (object-keys.ts), so a repeated PUT writes the same bytes under the same key, and a repeated
 * delete finds nothing to do.
 */
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  ListObjectsV2Command,
  PutObjectCommand,
  type GetObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { ObjectPage, ObjectStore } from '../core/object-store.js';
import { DEFAULT_RETRY, withRetries, type RetryDeps, type RetryOptions } from './retry.js';
import { s3TransferTimeoutMs } from './s3-client-settings.js';

/** DeleteObjects takes at most 1,000 keys. */
const DELETE_BATCH = 1000;

/** One S3 request as an observer sees it: for metrics, logs and the cost benchmarks. */
export interface S3RequestEvent {
  readonly command: 'PutObject' | 'GetObject' | 'DeleteObjects' | 'ListObjectsV2' | 'ListObjectVersions';
  /** Value bytes sent (PutObject) or received (GetObject); keys deleted (DeleteObjects). */
  readonly bytes: number;
  readonly attempt: number;
  readonly failed: boolean;
}

export interface S3ObjectStoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** @default DEFAULT_RETRY */
  readonly retry?: RetryOptions;
  /** Injected for tests. @default real timers */
  readonly retryDeps?: RetryDeps;
  /** Called after every S3 request, failed ones included. @default none */
  readonly onRequest?: (event: S3RequestEvent) => void;
  /** Called before a transient fault is retried. @default none */
  readonly onRetry?: (error: unknown, attempt: number) => void;
  /**
   * Time allowed for one request that moves `bytes` (a PUT's upload, a GET's body; 0 for the
   * others). @default s3TransferTimeoutMs (s3-client-settings.ts)
   */
  readonly transferTimeoutMs?: (bytes: number) => number;
}

export class S3ObjectStore implements ObjectStore {
  readonly bucket: string;
  private readonly client: S3Client;
  private readonly options: S3ObjectStoreOptions;

  constructor(options: S3ObjectStoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.options = options;
  }

  async put(key: string, body: Uint8Array, sha256: Uint8Array): Promise<void> {
    await this.run('PutObject', body.length, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentLength: body.length,
          // S3 verifies the bytes it received against the digest the head will hold.
          ChecksumSHA256: Buffer.from(sha256).toString('base64'),
        }),
        { requestTimeout: this.timeoutMs(body.length) },
      ),
    );
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    let received = 0;
    const value = await this.run(
      'GetObject',
      () => received,
      async () => {
        received = 0;
        let out: GetObjectCommandOutput;
        try {
          out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }), { requestTimeout: this.timeoutMs(0) });
        } catch (e) {
          if (isNoSuchKey(e)) return undefined;
          throw e;
        }
        const bytes = await readBody(out.Body as Readable, this.timeoutMs(out.ContentLength ?? 0), out.ContentLength);
        received = bytes.length;
        return bytes;
      },
    );
    return value;
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      await this.run('DeleteObjects', batch.length, async () => {
        const out = await this.client.send(
          new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
          { requestTimeout: this.timeoutMs(0) },
        );
        const failed = (out.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
        // A key S3 could not delete now (throttled, internal error) is a fault the retry repeats.
        if (failed.length > 0) {
          throw Object.assign(new Error(`S3 did not delete ${failed.length} objects: ${failed[0]!.Code}`), {
            name: 'InternalError',
            $metadata: { httpStatusCode: 500 },
          });
        }
        return out;
      });
    }
  }

  async list(prefix: string, next?: string): Promise<ObjectPage> {
    const out = await this.run('ListObjectsV2', 0, () =>
      this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ...(next ? { ContinuationToken: next } : {}) }), {
        requestTimeout: this.timeoutMs(0),
      }),
    );
    return {
      objects: (out.Contents ?? []).map((o) => ({ key: o.Key!, bytes: o.Size ?? 0, lastModifiedMs: o.LastModified?.getTime() ?? 0 })),
      ...(out.IsTruncated && out.NextContinuationToken ? { next: out.NextContinuationToken } : {}),
    };
  }

  /**
   * Deletes every object under `prefix`, every version of it where the bucket keeps versions
   * (erase-user: nothing of the user may remain, retained copies included); with `apply` false
   * only counts.
   *
   * Two passes. First every current object is deleted without a version id: on a versioned bucket
   * that adds a delete marker, the one kind of delete S3 replication carries, so the replica
   * (`backup.copyToRegion`) hides the user's objects at once and its lifecycle expires them
   * `retentionDays` later. Then every object version is deleted by its id, which replication
   * does not carry; the delete markers stay (they hold no bytes, and the bucket's lifecycle
   * removes them once nothing is left behind them). A store without versioning (the embedded one
   * answers ListObjectVersions with MethodNotAllowed) has one version per key: the first pass
   * was the whole erase.
   */
  async erasePrefix(prefix: string, apply: boolean): Promise<{ objects: number; bytes: number }> {
    const current = apply ? await this.currentObjects(prefix, true) : undefined;
    return (await this.eraseVersions(prefix, apply)) ?? current ?? (await this.currentObjects(prefix, false));
  }

  /** Counts the current objects under `prefix`, deleting each (without a version id) with `remove`. */
  private async currentObjects(prefix: string, remove: boolean): Promise<{ objects: number; bytes: number }> {
    let objects = 0;
    let bytes = 0;
    let next: string | undefined;
    do {
      const page = await this.list(prefix, next);
      objects += page.objects.length;
      for (const o of page.objects) bytes += o.bytes;
      // The listing continues after the last key it returned, whatever was deleted before it.
      if (remove) await this.delete(page.objects.map((o) => o.key));
      next = page.next;
    } while (next);
    return { objects, bytes };
  }

  /** Deletes (or counts) every object version under `prefix`; undefined when the store keeps no versions. */
  private async eraseVersions(prefix: string, apply: boolean): Promise<{ objects: number; bytes: number } | undefined> {
    let objects = 0;
    let bytes = 0;
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    do {
      let out: ListObjectVersionsCommandOutput;
      try {
        out = await this.run('ListObjectVersions', 0, () =>
          this.client.send(
            new ListObjectVersionsCommand({
              Bucket: this.bucket,
              Prefix: prefix,
              ...(keyMarker ? { KeyMarker: keyMarker } : {}),
              ...(versionMarker ? { VersionIdMarker: versionMarker } : {}),
            }),
            { requestTimeout: this.timeoutMs(0) },
          ),
        );
      } catch (e) {
        const name = (e as { cause?: { name?: string }; name?: string }).cause?.name ?? (e as { name?: string }).name;
        if (name === 'MethodNotAllowed' || name === 'NotImplemented') return undefined;
        throw e;
      }
      const versions = (out.Versions ?? []).map((v) => ({ Key: v.Key!, ...(v.VersionId ? { VersionId: v.VersionId } : {}) }));
      for (const v of out.Versions ?? []) {
        objects++;
        bytes += v.Size ?? 0;
      }
      if (apply && versions.length > 0) {
        await this.run('DeleteObjects', versions.length, () =>
          this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: versions, Quiet: true } }), {
            requestTimeout: this.timeoutMs(0),
          }),
        );
      }
      keyMarker = out.IsTruncated ? out.NextKeyMarker : undefined;
      versionMarker = out.IsTruncated ? out.NextVersionIdMarker : undefined;
    } while (keyMarker);
    return { objects, bytes };
  }

  private timeoutMs(bytes: number): number {
    return (this.options.transferTimeoutMs ?? s3TransferTimeoutMs)(bytes);
  }

  private run<T>(command: S3RequestEvent['command'], bytes: number | (() => number), send: () => Promise<T>): Promise<T> {
    const size = typeof bytes === 'number' ? () => bytes : bytes;
    return withRetries(
      async (ctx) => {
        try {
          const out = await send();
          this.options.onRequest?.({ command, bytes: size(), attempt: ctx.attempt, failed: false });
          return out;
        } catch (e) {
          this.options.onRequest?.({ command, bytes: 0, attempt: ctx.attempt, failed: true });
          throw e;
        }
      },
      this.options.retry ?? DEFAULT_RETRY,
      this.options.retryDeps,
      this.options.onRetry,
    );
  }
}

function isNoSuchKey(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  // A missing bucket is also a 404, and a fault: the deployment is broken, not the value absent.
  return err?.name === 'NoSuchKey' || (err?.$metadata?.httpStatusCode === 404 && err.name !== 'NoSuchBucket');
}

/**
 * Reads a response body within `timeoutMs`; a body that stalls is destroyed with a TimeoutError,
 * which retry.ts treats like the SDK's own timeouts. With the length S3 announced, the bytes go
 * straight into one buffer of that size as they arrive, so a value is held once, not once in
 * chunks and again in their concatenation (a 200 MB read held 400 MB more than it needed). A body
 * that does not match the announced length is a fault, as a truncated transfer is.
 */
export async function readBody(body: Readable | undefined, timeoutMs: number, length?: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const timer = setTimeout(() => {
    body.destroy(
      Object.assign(new Error(`S3 response body not received within ${timeoutMs} ms`), { name: 'TimeoutError', code: 'ETIMEDOUT' }),
    );
  }, timeoutMs);
  try {
    if (length === undefined) {
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    }
    const out = Buffer.allocUnsafe(length);
    let at = 0;
    for await (const chunk of body) {
      const part = chunk as Buffer;
      if (at + part.length > length) throw bodyLengthMismatch(length, at + part.length);
      part.copy(out, at);
      at += part.length;
    }
    if (at !== length) throw bodyLengthMismatch(length, at);
    return out;
  } finally {
    clearTimeout(timer);
  }
}

function bodyLengthMismatch(announced: number, received: number): Error {
  const what = received > announced ? `more than the ${announced} bytes announced` : `${received} of the ${announced} bytes announced`;
  return Object.assign(new Error(`S3 response body: ${what}`), { name: 'BodyLengthMismatch' });
}
