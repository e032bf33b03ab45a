/** Options and checks shared by pg-import and pg-export. */
import type { Command } from 'commander';
import { usageError } from '../errors.js';
import { cliIo } from '../io.js';
import { positiveInt } from '../options.js';
import { addObjectStoreOptions, type ObjectStoreFlags } from '../table/object-store-options.js';

export interface PgCommonOptions extends ObjectStoreFlags {
  postgres?: string;
  dynamodbEndpoint?: string;
  table: string;
  region?: string;
  concurrency: number;
  verify?: boolean;
  json?: boolean;
  quiet?: boolean;
}

export function addPgOptions(cmd: Command): Command {
  addObjectStoreOptions(cmd, true);
  return cmd
    .option('--postgres <url>', "the reference server's database, postgres://user:password@host:port/db (env VSS_POSTGRES_URL)")
    .option('--dynamodb-endpoint <url>', 'a DynamoDB-compatible endpoint; omit for AWS itself (credentials from the AWS SDK chain)')
    .requiredOption('--table <name>', "this project's DynamoDB table (the stack's TableName output)")
    .option('--region <region>', 'AWS region (default: the AWS SDK chain, e.g. AWS_REGION)')
    .option('--concurrency <n>', 'DynamoDB requests in flight', positiveInt('--concurrency'), 16)
    .option('--verify', 'afterwards, compare counts and per-record digests of both sides')
    .option('--json', 'print the final report as one JSON object instead of the summary line')
    .option('--quiet', 'no progress output');
}

export function postgresUrl(opts: PgCommonOptions): string {
  const url = opts.postgres ?? cliIo().env['VSS_POSTGRES_URL'];
  if (!url) throw usageError('--postgres URL (or VSS_POSTGRES_URL) is required');
  if (!/^postgres(ql)?:\/\//.test(url)) throw usageError('--postgres must be a postgres:// URL');
  return url;
}

export function endpointOf(opts: PgCommonOptions): string | undefined {
  if (opts.dynamodbEndpoint === undefined) return undefined;
  try {
    new URL(opts.dynamodbEndpoint);
  } catch {
    throw usageError('--dynamodb-endpoint must be a URL, e.g. http://127.0.0.1:8000');
  }
  return opts.dynamodbEndpoint;
}
