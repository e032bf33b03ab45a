/**
 * The object tier of a deployed function, from the environment the construct sets
 * (lambda/contract.ts): the value bucket, the threshold and the retention. Shared by the request
 * handlers (handlers/runtime.ts) and the sweeper (handlers/sweepChunks.ts).
 */
import { ENV, LARGE_VALUES } from '../contract.js';
import { retentionMsOf } from './object-tier.js';
import { S3ObjectStore } from './s3-object-store.js';
import { s3Client } from './s3-client-settings.js';

export interface ObjectTierSettings {
  readonly objects: S3ObjectStore;
  readonly inlineMaxBytes: number;
  readonly retentionMs: number;
}

/** Undefined when the stack gave the function no value bucket (every value then stays in the table). */
export function objectTierFromEnv(env: NodeJS.ProcessEnv): ObjectTierSettings | undefined {
  const bucket = env[ENV.valueBucket];
  if (!bucket) return undefined;
  return {
    objects: new S3ObjectStore({ client: s3Client(), bucket }),
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
