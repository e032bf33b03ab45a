/**
 * How the service's S3 client talks to the object store, deployed (handlers/runtime.ts) and local
 * (local/object-store.ts) alike, like client-settings.ts for DynamoDB: a stalled store answers
 * within the same budget in both, because every timeout throws.
 *
 * The SDK's request timeout runs until the response headers arrive, so for a PUT it covers the
 * upload; a GET's body is read under its own deadline (s3-object-store.ts). Both grow with the
 * size of the value, at a floor throughput far below what S3 gives a Lambda function or the
 * embedded store gives a local server, so only a stalled or failing store reaches them.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { isLoopback } from './client-settings.js';

/** Time to open a connection to the object store. */
export const S3_CONNECTION_TIMEOUT_MS = 1000;
/**
 * Time for one S3 request that carries no value (a delete, a list, the first byte of a GET).
 * Longer than DynamoDB's 3 s: an S3 request moves up to megabytes, and its time grows with the
 * requests in flight beside it (20 concurrent 500 KB puts on a loaded 2-core machine took 3.1 s
 * each against the embedded store); a request still ends well inside the functions' 10 s.
 */
export const S3_REQUEST_TIMEOUT_MS = 5000;
/** The slowest transfer we wait for: 1 MB/s (1,000 bytes a millisecond). */
export const S3_FLOOR_BYTES_PER_MS = 1000;

/** The time allowed for moving `bytes` in one request, on top of S3_REQUEST_TIMEOUT_MS. */
export function s3TransferTimeoutMs(bytes: number): number {
  return S3_REQUEST_TIMEOUT_MS + Math.ceil(bytes / S3_FLOOR_BYTES_PER_MS);
}

/** Client settings besides region and credentials; `endpoint` is set for a store other than AWS S3. */
export function s3ClientSettings(
  endpoint?: string,
): Pick<S3ClientConfig, 'maxAttempts' | 'requestHandler' | 'forcePathStyle' | 'endpoint' | 'responseChecksumValidation'> {
  return {
    // Retries are ours (store/retry.ts): one policy for the table and the object store.
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: S3_CONNECTION_TIMEOUT_MS,
      requestTimeout: S3_REQUEST_TIMEOUT_MS,
      // Without this the handler only logs a warning when the timeout passes and keeps waiting.
      throwOnRequestTimeout: true,
    }),
    // The value's SHA-256 in the head is checked on every read (object-tier.ts); the SDK's
    // own response check would only repeat it.
    responseChecksumValidation: 'WHEN_REQUIRED',
    // S3-compatible servers (the embedded one, MinIO) answer on one host, not per-bucket names.
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
  };
}

export interface S3ClientOptions {
  /** An S3-compatible endpoint (the embedded store, MinIO). @default AWS S3 for the region */
  readonly endpoint?: string;
  /** @default the AWS SDK chain; 'us-east-1' for a store on this machine */
  readonly region?: string;
}

/**
 * A client with the shared settings. A store on a loopback endpoint (the embedded one) gets its
 * fixed local credentials unless AWS credentials are in the environment, as DynamoDB's does
 * (client-settings.ts); anything else uses the AWS SDK's credential chain.
 */
export function s3Client(options: S3ClientOptions = {}): S3Client {
  const { endpoint, region } = options;
  if (endpoint && isLoopback(endpoint) && !process.env['AWS_ACCESS_KEY_ID']) {
    return new S3Client({
      region: region ?? 'us-east-1',
      // s3rver knows one access key (its own name); the signature itself is not checked.
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      ...s3ClientSettings(endpoint),
    });
  }
  return new S3Client({ ...(region ? { region } : {}), ...s3ClientSettings(endpoint) });
}
