/**
 * Test helper: the embedded object store (s3rver, local/object-store.ts) on a free loopback port,
 * behind a small TCP proxy that tests use to inject faults the way engine-faults.test.ts does for
 * DynamoDB: the store goes away (connections refused), stalls (connections accepted, nothing
 * answered), slows down (every chunk delayed), or answers 500 (InternalError, from s3rver itself).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { createServer, type Server, Socket } from 'node:net';
import { localS3Client, startEmbeddedObjectStore, type EmbeddedObjectStore } from '../../local/object-store.js';
import { S3ObjectStore, type S3ObjectStoreOptions } from '../../lambda/store/s3-object-store.js';

export type S3Fault = 'none' | 'down' | 'stall' | 'slow' | 'error500';

export interface TestObjectStore {
  /** The proxy's endpoint: what the code under test is given. */
  readonly endpoint: string;
  readonly bucket: string;
  /** The store without the proxy, for a test's own checks while a fault is on. */
  readonly direct: EmbeddedObjectStore;
  /** A client of the proxy, with the service's settings. */
  readonly client: S3Client;
  objectStore(options?: Partial<Omit<S3ObjectStoreOptions, 'client' | 'bucket'>>): S3ObjectStore;
  /** Requests s3rver answered since the last reset, by method (a 500 answered by the fault counts too). */
  readonly requests: Map<string, number>;
  /** Turns a fault on ('none' ends it). `slow` delays every chunk by `delayMs` (default 1000). */
  fault(kind: S3Fault, delayMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestObjectStore(options: { directory?: string; bucket?: string } = {}): Promise<TestObjectStore> {
  const direct = await startEmbeddedObjectStore(options);
  const requests = new Map<string, number>();
  let error500 = false;
  direct.server.middleware.unshift(async (ctx, next) => {
    requests.set(ctx.method, (requests.get(ctx.method) ?? 0) + 1);
    if (!error500) return next();
    ctx.status = 500;
    ctx.body = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>injected</Message></Error>';
  });
  const proxy = new FaultProxy(direct.port);
  const port = await proxy.listen(0);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localS3Client(endpoint);
  return {
    endpoint,
    bucket: direct.bucket,
    direct,
    client,
    requests,
    objectStore: (extra = {}) => new S3ObjectStore({ client, bucket: direct.bucket, ...extra }),
    fault: async (kind, delayMs = 1000) => {
      error500 = kind === 'error500';
      await proxy.set(kind === 'error500' ? 'none' : kind, delayMs);
    },
    stop: async () => {
      client.destroy();
      await proxy.close();
      await direct.stop();
    },
  };
}

/** Forwards TCP to the store; `down` closes the port, `stall` holds every byte, `slow` delays them. */
class FaultProxy {
  private server: Server | undefined;
  private port = 0;
  private mode: 'none' | 'down' | 'stall' | 'slow' = 'none';
  private delayMs = 0;
  private release: (() => void) | undefined;
  private gate: Promise<void> = Promise.resolve();
  private readonly sockets = new Set<Socket>();

  constructor(private readonly target: number) {}

  async listen(port: number): Promise<number> {
    const server = createServer((client) => this.connect(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : port;
    return this.port;
  }

  async set(mode: 'none' | 'down' | 'stall' | 'slow', delayMs: number): Promise<void> {
    const wasDown = this.mode === 'down';
    this.mode = mode;
    this.delayMs = delayMs;
    if (mode === 'stall') {
      this.gate = new Promise((resolve) => {
        this.release = resolve;
      });
    } else {
      this.release?.();
      this.release = undefined;
    }
    if (mode === 'down' && !wasDown) await this.closeServer();
    if (mode !== 'down' && wasDown) await this.listen(this.port);
  }

  async close(): Promise<void> {
    this.release?.();
    await this.closeServer();
  }

  private async closeServer(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private connect(client: Socket): void {
    const upstream = new Socket();
    upstream.connect(this.target, '127.0.0.1');
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    this.pipe(client, upstream);
    this.pipe(upstream, client);
  }

  /** Forwards chunk by chunk, each one through the current fault (order kept: the source pauses). */
  private pipe(from: Socket, to: Socket): void {
    from.on('data', (chunk) => {
      from.pause();
      const forward = async (): Promise<void> => {
        await this.gate;
        if (this.mode === 'slow') await new Promise((resolve) => setTimeout(resolve, this.delayMs));
        if (!to.destroyed) to.write(chunk);
        from.resume();
      };
      void forward();
    });
    from.on('end', () => to.end());
  }
}

/**
 * Object-store timeouts for tests of guarantees other than faults: the 2-core machine that runs
 * the suite beside others may be loaded far beyond anything a deployment sees (load average 30
 * was measured), and a timeout there would test the machine, not the store. One fault test keeps
 * the service's own timeouts (s3-object-store.test.ts, a store that stops answering); the others
 * give short ones through the same options, so a fault is given up on in well under a second.
 */
export const PATIENT_OBJECT_STORE = { transferTimeoutMs: (): number => 120_000 } as const;
