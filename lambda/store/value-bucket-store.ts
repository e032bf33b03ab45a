/**
 * The value bucket of a deployed function: the S3 object store with the shared client settings
 * (s3-client-settings.ts), credentials and region from the function's environment. The one module
 * that brings the S3 client into a function: the bundling builds it into a file of its own,
 * loaded on the first large value (LAZY_VALUE_BUCKET_MODULE in lambda/contract.ts).
 */
import type { ObjectStore } from '../core/object-store.js';
import { s3Client } from './s3-client-settings.js';
import { S3ObjectStore } from './s3-object-store.js';

export function valueBucketStore(bucket: string): ObjectStore {
  return new S3ObjectStore({ client: s3Client(), bucket });
}
