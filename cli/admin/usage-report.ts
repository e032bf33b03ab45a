/**
 * The usage report providers bill from (docs/provider.md, "Usage report"): every user from the
 * user registry (16 small Queries, no Scan), each user's usage from its user partition (one
 * Query), ranked by bytes, keys and requests; or one user's per-store and per-day detail.
 */
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  kindOfUserSortKey,
  META,
  PK,
  registryPartitionKey,
  SK,
  USER_REGISTRY_SHARDS,
  userPartitionKey,
} from '../../lambda/provider/meta-keys.js';
import { num, type StoreUsage } from '../../lambda/provider/usage-ledger.js';
import { queryAll } from '../../lambda/store/table-scan.js';
import { TableClient } from '../../lambda/store/table-client.js';

export interface UserReport {
  readonly user: string;
  readonly keys: number;
  readonly bytes: number;
  readonly requests: number;
  readonly stores: readonly StoreUsage[];
  readonly requestsByDay: readonly { readonly day: string; readonly requests: number }[];
  /** Per-user quota overrides, when set. */
  readonly maxKeys?: number;
  readonly maxBytes?: number;
}

export interface ReportOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Only requests of days in [from, to] (YYYY-MM-DD) count. @default all days */
  readonly from?: string;
  readonly to?: string;
}

function tableOf(o: ReportOptions): TableClient {
  return new TableClient({ client: o.client, tableName: o.tableName });
}

/** One user's usage, from its user partition. */
export async function userReport(o: ReportOptions, user: string, table = tableOf(o)): Promise<UserReport> {
  const items = await queryAll(table, {
    TableName: o.tableName,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': PK },
    ExpressionAttributeValues: { ':pk': { S: userPartitionKey(user) } },
    ConsistentRead: true,
  });
  return reportOfItems(user, items, o);
}

export function reportOfItems(
  user: string,
  items: readonly Record<string, AttributeValue>[],
  o: Pick<ReportOptions, 'from' | 'to'> = {},
): UserReport {
  const stores: StoreUsage[] = [];
  const requestsByDay: { day: string; requests: number }[] = [];
  let maxKeys: number | undefined;
  let maxBytes: number | undefined;
  for (const item of items) {
    const kind = kindOfUserSortKey(item[SK]!.B!);
    if (kind.kind === 'store') stores.push({ storeId: kind.storeId, keys: num(item[META.keys]), bytes: num(item[META.bytes]) });
    else if (kind.kind === 'day') {
      if ((o.from === undefined || kind.day >= o.from) && (o.to === undefined || kind.day <= o.to))
        requestsByDay.push({ day: kind.day, requests: num(item[META.requests]) });
    } else if (kind.kind === 'profile') {
      if (item[META.maxKeys]?.N !== undefined) maxKeys = num(item[META.maxKeys]);
      if (item[META.maxBytes]?.N !== undefined) maxBytes = num(item[META.maxBytes]);
    }
  }
  const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
  return {
    user,
    keys: sum(stores.map((s) => s.keys)),
    bytes: sum(stores.map((s) => s.bytes)),
    requests: sum(requestsByDay.map((d) => d.requests)),
    stores,
    requestsByDay,
    ...(maxKeys !== undefined ? { maxKeys } : {}),
    ...(maxBytes !== undefined ? { maxBytes } : {}),
  };
}

/** Every registered user. */
export async function listUsers(o: ReportOptions, table = tableOf(o)): Promise<string[]> {
  const users: string[] = [];
  for (let shard = 0; shard < USER_REGISTRY_SHARDS; shard++) {
    const items = await queryAll(table, {
      TableName: o.tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': PK },
      ExpressionAttributeValues: { ':pk': { S: registryPartitionKey(shard) } },
    });
    for (const item of items) {
      const user = item[META.user]?.S;
      if (user !== undefined) users.push(user);
    }
  }
  return users;
}

/** Every user's totals (a few users' partitions at a time). */
export async function allUsersReport(o: ReportOptions, concurrency = 8): Promise<UserReport[]> {
  const table = tableOf(o);
  const users = await listUsers(o, table);
  const out: UserReport[] = [];
  for (let i = 0; i < users.length; i += concurrency) {
    out.push(...(await Promise.all(users.slice(i, i + concurrency).map((u) => userReport(o, u, table)))));
  }
  return out;
}

export type Ranking = 'bytes' | 'keys' | 'requests';

export function top(reports: readonly UserReport[], by: Ranking, n: number): UserReport[] {
  return [...reports].sort((a, b) => b[by] - a[by] || a.user.localeCompare(b.user)).slice(0, n);
}

/** CSV with a header row; fields quoted when needed. */
export function toCsv(rows: readonly Record<string, string | number>[]): string {
  if (rows.length === 0) return '';
  const cols = Object.keys(rows[0]!);
  const cell = (v: string | number): string => {
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c] ?? '')).join(','))].join('\n')}\n`;
}

/** A plain aligned text table. */
export function toTable(rows: readonly Record<string, string | number>[]): string {
  if (rows.length === 0) return '(none)\n';
  const cols = Object.keys(rows[0]!);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (vals: string[]): string =>
    vals
      .map((v, i) => v.padEnd(width[i]!))
      .join('  ')
      .trimEnd();
  return `${[line(cols), ...rows.map((r) => line(cols.map((c) => String(r[c] ?? ''))))].join('\n')}\n`;
}
