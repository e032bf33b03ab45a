/**
 * The object store of large values for the operators' tools (pg-import, pg-export, the admin
 * commands), as `npm start` and the stack use it (docs/large-values.md): `--s3-endpoint` (a local
 * or S3-compatible store; default AWS S3) and `--s3-bucket` (the stack's values bucket; `npm
 * start`'s is vss-values). With neither, the tools work on the table alone, as the previous
 * release did: values that do not fit one item are chunk sets.
 */
import type { Command } from 'commander';
import { LARGE_VALUES } from '../../lambda/contract.js';
import { objectPlacement } from '../../lambda/store/object-tier.js';
import { s3Client } from '../../lambda/store/s3-client-settings.js';
import { S3ObjectStore } from '../../lambda/store/s3-object-store.js';
import { DEFAULT_BUCKET } from '../../local/object-store.js';
import { usageError } from '../errors.js';
import type { BulkTableOptions } from './bulk-table.js';

export interface ObjectStoreFlags {
  s3Endpoint?: string;
  s3Bucket?: string;
  inlineMaxBytes?: number;
}

/** Bulk transfers may move megabytes per request: a floor of 1 MB/s, and 30 s for the rest. */
const BULK_TRANSFER_TIMEOUT_MS = (bytes: number): number => 30_000 + Math.ceil(bytes / 1000);

export function addObjectStoreOptions(cmd: Command, withThreshold = false): Command {
  cmd
    .option(
      '--s3-endpoint <url>',
      'S3-compatible endpoint of the values bucket (`npm start` prints it); default: AWS S3 from the SDK chain',
    )
    .option('--s3-bucket <name>', `the values bucket (the stack output; \`npm start\`: ${DEFAULT_BUCKET})`);
  if (withThreshold)
    cmd.option(
      '--inline-max-bytes <n>',
      `values whose table item would be larger go to the values bucket (as the stack's largeValues.inlineMaxBytes; default ${LARGE_VALUES.defaultInlineMaxBytes})`,
      (v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < LARGE_VALUES.minInlineMaxBytes || n > LARGE_VALUES.maxInlineMaxBytes)
          throw usageError(
            `--inline-max-bytes: use a whole number from ${LARGE_VALUES.minInlineMaxBytes} to ${LARGE_VALUES.maxInlineMaxBytes}`,
          );
        return n;
      },
    );
  return cmd;
}

/** The values bucket the flags name, or undefined when they name none. */
export function objectStoreOf(flags: ObjectStoreFlags): S3ObjectStore | undefined {
  if (flags.s3Endpoint === undefined && flags.s3Bucket === undefined) return undefined;
  if (flags.s3Endpoint !== undefined) {
    try {
      new URL(flags.s3Endpoint);
    } catch {
      throw usageError('--s3-endpoint must be a URL, e.g. http://127.0.0.1:9000');
    }
  }
  return new S3ObjectStore({
    client: s3Client(flags.s3Endpoint ? { endpoint: flags.s3Endpoint } : {}),
    bucket: flags.s3Bucket ?? DEFAULT_BUCKET,
    transferTimeoutMs: BULK_TRANSFER_TIMEOUT_MS,
  });
}

/** Bulk-table options that read and write values where the service does. */
export function bulkObjectOptions(flags: ObjectStoreFlags): BulkTableOptions {
  const objects = objectStoreOf(flags);
  if (!objects) return {};
  return { placement: objectPlacement(objects), inlineMaxBytes: flags.inlineMaxBytes ?? LARGE_VALUES.defaultInlineMaxBytes };
}
