/**
 * Helpers of the recovery tests: wallets written through the service (signature users over
 * HTTP), a table copy (the local stand-in for a restore: a new table holding every item as it was
 * at the time of the copy), and `vss admin` run in-process with its exit code.
 */
import { BatchWriteItemCommand, ScanCommand, type AttributeValue, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { Command } from 'commander';
import { registerAdminCommands } from '../../cli/commands/admin/index.js';
import { CliError } from '../../cli/errors.js';
import { EXIT, type ExitCode } from '../../cli/exit-codes.js';
import { bulkClient } from '../../cli/table/bulk-table.js';
import { ensureTable } from '../../local/table.js';

/**
 * A client of the engine for what the tests themselves do (copies, planted faults): the bulk
 * tools' 30 s request timeout, so a loaded machine slows the tests down instead of failing them.
 */
export const engineClient = (endpoint: string): DynamoDBClient => bulkClient(endpoint, undefined);

/** Runs `vss admin …` in-process: what it printed and the exit code `vss` would return. */
export async function admin(args: string[]): Promise<{ out: string; err: string; code: ExitCode }> {
  const out: string[] = [];
  const err: string[] = [];
  const program = new Command('vss').exitOverride();
  registerAdminCommands(program, { out: (t) => out.push(t), err: (t) => err.push(t), now: () => new Date() });
  try {
    await program.parseAsync(['node', 'vss', 'admin', ...args]);
    return { out: out.join(''), err: err.join(''), code: EXIT.ok };
  } catch (e) {
    if (e instanceof CliError) return { out: out.join(''), err: `${err.join('')}${e.message}`, code: e.exitCode };
    throw e;
  }
}

/** Copies every item of `from` into a new table `to` (same layout), 25 items a request. */
export async function copyTable(client: DynamoDBClient, from: string, to: string): Promise<number> {
  await ensureTable(client, to);
  let start: Record<string, AttributeValue> | undefined;
  let copied = 0;
  do {
    const page = await client.send(new ScanCommand({ TableName: from, ConsistentRead: true, ExclusiveStartKey: start }));
    const items = page.Items ?? [];
    for (let i = 0; i < items.length; i += 25) {
      let pending: WriteRequest[] = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      for (let round = 0; pending.length > 0; round++) {
        if (round > 20) throw new Error('copyTable: the engine kept items unprocessed');
        const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [to]: pending } }));
        pending = out.UnprocessedItems?.[to] ?? [];
      }
    }
    copied += items.length;
    start = page.LastEvaluatedKey;
  } while (start);
  return copied;
}

/**
 * Sends a request until it is answered something other than 500, as VSS clients do (a 500 is
 * what the service answers when the engine did not answer within its budget: on a loaded
 * machine the JVM engine sometimes does not), at most 5 times; returns the last answer.
 */
export async function retrying500<T extends { status: number }>(send: () => Promise<T>): Promise<T> {
  let r = await send();
  for (let i = 1; i < 5 && r.status === 500; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200 * i));
    r = await send();
  }
  return r;
}
