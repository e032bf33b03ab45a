/**
 * The object store of `npm start`: s3rver (an S3-compatible server from npm, filesystem-backed),
 * run in this process and kept under the data directory, so the README's two commands still run
 * everything. docs/large-values.md says where it differs from S3 (no conditional writes, no
 * versioning): the object tier relies on neither.
 *
 * One change to s3rver's behaviour: it acknowledges a PUT before the object's bytes are written
 * to its file (it resolves when its hashing stream ends, not when the file stream has flushed),
 * so a read right after could see a short file and a kill -9 could lose an acknowledged object.
 * The embedded store replaces that one step with a write that completes, and is synced to disk,
 * before the PUT is answered.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type S3rver from 's3rver';
import { s3Client } from '../lambda/store/s3-client-settings.js';

/** Bucket of the embedded store and the default of --s3-bucket. */
export const DEFAULT_BUCKET = 'vss-values';
/** The embedded store's directory inside --data-dir. */
export const OBJECT_STORE_DIR = 's3';

export interface EmbeddedObjectStoreOptions {
  /** Where objects are kept; a temporary directory, removed on stop, when absent. @default temporary */
  readonly directory?: string;
  /** @default DEFAULT_BUCKET */
  readonly bucket?: string;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
}

export interface EmbeddedObjectStore {
  readonly endpoint: string;
  readonly port: number;
  readonly bucket: string;
  /** The s3rver application (tests insert fault middleware at the front of its list). */
  readonly server: S3rver;
  stop(): Promise<void>;
}

export async function startEmbeddedObjectStore(options: EmbeddedObjectStoreOptions = {}): Promise<EmbeddedObjectStore> {
  const bucket = options.bucket ?? DEFAULT_BUCKET;
  const temporary = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'vss-s3-')));
  await mkdir(directory, { recursive: true });
  const server = new (await loadS3rver())({
    address: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory,
    // Any well-formed signature: the store is local, and the SDK signs with whatever it is given.
    allowMismatchedSignatures: true,
    vhostBuckets: false,
    configureBuckets: [{ name: bucket }],
  });
  makePutsDurable(server);
  const address = await server.run();
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  return {
    endpoint: `http://${host}:${address.port}`,
    port: address.port,
    bucket,
    server,
    stop: async () => {
      // Keep-alive connections would hold close() open until they time out.
      server.httpServer?.closeAllConnections?.();
      await server.close();
      if (temporary) await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * s3rver, loaded only when the embedded store starts: it is an optional dependency, absent where
 * the server is installed without them (the container image, `--omit=optional`), which always
 * names its object store with --s3-endpoint.
 */
async function loadS3rver(): Promise<typeof S3rver> {
  try {
    return (await import('s3rver')).default;
  } catch (e) {
    // Only s3rver itself missing; a broken install of it (a dependency of its gone) keeps its own error.
    if ((e as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND' || !(e as Error).message.includes("'s3rver'")) throw e;
    throw new Error(
      'the embedded object store needs the optional dependency s3rver, which is not installed: install without --omit=optional, or pass --s3-endpoint',
    );
  }
}

/** An S3 client for a store on this machine: the embedded store's fixed credentials, the service's timeouts. */
export function localS3Client(endpoint: string): S3Client {
  return s3Client({ endpoint });
}

/** See the module comment: PUT answers only after the object's file is complete and synced. */
function makePutsDurable(server: S3rver): void {
  const store = server.store;
  store.putObject = async (object) => {
    const path = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(path), { recursive: true });
    const md5 = createHash('md5');
    let size = 0;
    const source = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : (object.content as Readable);
    await pipeline(
      source,
      new Transform({
        transform(chunk: Buffer, _encoding, done) {
          md5.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      }),
      createWriteStream(path),
    );
    const file = await open(path, 'r');
    try {
      await file.sync();
    } finally {
      await file.close();
    }
    const digest = md5.digest('hex');
    await store.putMetadata(object.bucket, object.key, object.metadata, digest);
    return { size, md5: digest };
  };
}
