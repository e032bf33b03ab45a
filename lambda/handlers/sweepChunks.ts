/**
 * Scheduled Lambda entry point (EventBridge): removes chunk sets left behind by writes that
 * crashed (lambda/store/chunk-sweeper.ts). Idempotent; a run that times out is continued by the
 * next one. Env: VSS_TABLE_NAME; optional VSS_SWEEP_GRACE_SECONDS (default 3600, must stay far
 * above the VSS functions' timeout) and VSS_SWEEP_RECHECK_SECONDS (default 7 days).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { sweepChunkSets, type SweepResult } from '../store/chunk-sweeper.js';
import { ENV } from '../contract.js';

let client: DynamoDBClient | undefined;

export async function handler(): Promise<SweepResult> {
  const tableName = process.env[ENV.tableName];
  if (!tableName) throw new Error(`${ENV.tableName} is not set`);
  client ??= new DynamoDBClient({});
  const result = await sweepChunkSets(client, tableName, {
    graceMs: Number(process.env[ENV.sweepGraceSeconds] ?? 3600) * 1000,
    recheckMs: Number(process.env[ENV.sweepRecheckSeconds] ?? 7 * 24 * 3600) * 1000,
  });
  console.log(JSON.stringify({ message: 'chunk sweep done', ...result }));
  return result;
}
