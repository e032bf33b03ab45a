/**
 * The object tier of a deployed function, from the environment the construct sets
 * (lambda/contract.ts): the value bucket, the threshold and the retention. Shared by the request
 * handlers (handlers/runtime.ts), the sweeper (handlers/sweepChunks.ts) and the restore drill.
 *
 * The bucket's S3 client is loaded on first use (lazy-object-store.ts): a request whose values
 * all stay inline costs one DynamoDB request and never loads it, and no cold start pays for it.
 */
import { ENV, LARGE_VALUES } from '../contract.js';
import type { ObjectStore } from '../core/object-store.js';
import { LazyObjectStore } from './lazy-object-store.js';
import { retentionMsOf } from './object-tier.js';

/**
 * In a Lambda bundle, the path of value-bucket-store.ts's own bundle beside index.mjs: esbuild
 * replaces this name with it (LAZY_VALUE_BUCKET_MODULE in lambda/contract.ts, set by
 * lib/private/functions.ts). Run from source it is declared nowhere, and `typeof` says so.
 */
declare const VSS_VALUE_BUCKET_MODULE: string | undefined;

type ValueBucketModule = typeof import('./value-bucket-store.js');

/** The module that brings the S3 client: the bundled file, or the source module from source. */
export function importValueBucketModule(): Promise<ValueBucketModule> {
  // A constant condition once bundled: esbuild drops the other branch, and the S3 client with it.
  return typeof VSS_VALUE_BUCKET_MODULE === 'string'
    ? (import(VSS_VALUE_BUCKET_MODULE) as Promise<ValueBucketModule>)
    : import('./value-bucket-store.js');
}

export interface ObjectTierSettings {
  /** The value bucket, loaded on first use. */
  readonly objects: ObjectStore;
  readonly inlineMaxBytes: number;
  readonly retentionMs: number;
}

/**
 * Undefined when the stack gave the function no value bucket (every value then stays in the
 * table). `load` is for tests. @default importValueBucketModule
 */
export function objectTierFromEnv(
  env: NodeJS.ProcessEnv,
  load: () => Promise<Pick<ValueBucketModule, 'valueBucketStore'>> = importValueBucketModule,
): ObjectTierSettings | undefined {
  const bucket = env[ENV.valueBucket];
  if (!bucket) return undefined;
  return {
    objects: new LazyObjectStore(async () => (await load()).valueBucketStore(bucket)),
    inlineMaxBytes: wholeNumber(env, ENV.inlineMaxBytes, LARGE_VALUES.defaultInlineMaxBytes, LARGE_VALUES.minInlineMaxBytes),
    retentionMs: retentionMsOf(wholeNumber(env, ENV.retentionDays, LARGE_VALUES.defaultRetentionDays, LARGE_VALUES.minRetentionDays)),
  };
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  // The stack's schema validates these; a function must never run with a nonsensical lifecycle.
  if (!Number.isSafeInteger(n) || n < min)
    throw new Error(`${name} must be a whole number of at least ${min}, not ${JSON.stringify(text)}`);
  return n;
}
