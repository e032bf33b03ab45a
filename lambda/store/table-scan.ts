/**
 * Reading many items, page by page, through a TableClient (so retries and capacity accounting are
 * those of the client passed):
 * - scanPages: a whole table, admin paths only (the API never scans), by `segments` parallel
 *   Scans of strongly consistent pages. The bulk tools (cli/table/scan.ts), verify-table and
 *   diff-tables all read through it.
 * - queryPages and queryAll: every page of one Query, following LastEvaluatedKey (the usage
 *   ledger, the sweeper, the verifier's creation index, erase-user).
 */
import { QueryCommand, ScanCommand, type AttributeValue, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import type { TableClient } from './table-client.js';

/**
 * Every item of the table, a page at a time, by `segments` parallel Scans. Each segment waits for
 * its page to be handled before reading the next, so memory holds at most one page per segment.
 */
export async function scanPages(
  t: Pick<TableClient, 'client' | 'tableName' | 'run'>,
  segments: number,
  pageSize: number,
  onPage: (items: Record<string, AttributeValue>[]) => Promise<void>,
): Promise<void> {
  const segment = async (index: number): Promise<void> => {
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await t.run('Scan', () =>
        t.client.send(
          new ScanCommand({
            TableName: t.tableName,
            Segment: index,
            TotalSegments: segments,
            ConsistentRead: true,
            ExclusiveStartKey: start,
            Limit: pageSize,
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      );
      await onPage(page.Items ?? []);
      start = page.LastEvaluatedKey;
    } while (start);
  };
  await Promise.all(Array.from({ length: segments }, (_, i) => segment(i)));
}

type Item = Record<string, AttributeValue>;

/**
 * The pages of one Query, one request each, read as they are consumed: a caller that stops early
 * (`break`) reads no further page, and memory holds one page at a time.
 */
export async function* queryPages(t: Pick<TableClient, 'client' | 'run'>, input: QueryCommandInput): AsyncGenerator<Item[]> {
  let start: Item | undefined;
  do {
    const out = await t.run('Query', () =>
      t.client.send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}), ReturnConsumedCapacity: 'TOTAL' })),
    );
    yield out.Items ?? [];
    start = out.LastEvaluatedKey;
  } while (start);
}

/** Every item of a Query (for results known to be small: one user's ledger, one store's usage). */
export async function queryAll(t: Pick<TableClient, 'client' | 'run'>, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of queryPages(t, input)) items.push(...page);
  return items;
}
