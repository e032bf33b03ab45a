/** The parts of s3rver 3.7 (an S3-compatible server on the filesystem) that local/object-store.ts uses; it ships no types. */
declare module 's3rver' {
  import type { Server } from 'node:http';

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }

  /** A Koa application: `middleware` is Koa's list, run in order. */
  class S3rver {
    constructor(options?: S3rverOptions);
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
    httpServer?: Server;
    middleware: ((ctx: { status: number; body: unknown; method: string; path: string }, next: () => Promise<void>) => unknown)[];
    store: {
      getResourcePath(bucket: string, key: string, resource: string): string;
      putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5?: string): Promise<void>;
      putObject(object: {
        bucket: string;
        key: string;
        content: NodeJS.ReadableStream | Buffer;
        metadata: Record<string, string>;
      }): Promise<{
        size: number;
        md5: string;
      }>;
    };
  }
  export = S3rver;
}
