/**
 * Reading a whole table, admin paths only (the API never scans): `segments` parallel Scans, each
 * reading strongly consistent pages. The bulk tools (cli/table/scan.ts), verify-table and
 * diff-tables all read through it, so retries and capacity accounting are those of the
 * TableClient they pass.
 */
import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
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
