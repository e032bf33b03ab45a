/**
 * The request path's reads and writes of per-user provider data (layout: meta-keys.ts):
 * registering a user and its stores, reading a user's usage and quota overrides, and adding usage
 * deltas. Every request goes through the table client (table-client.ts) and so the store's retry
 * policy. Record sizes come from the store (DynamoDbStore.heads), never from here.
 */
import { UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Scope } from '../core/kv-store.js';
import type { TableClient, TableRequestEvent } from '../store/table-client.js';
import { queryAll } from '../store/table-scan.js';
import { DAY_PREFIX, META, PK, profileSortKey, registryKeyOf, SK, storeSortKey, STORE_PREFIX, userPartitionKey } from './meta-keys.js';

/** One DynamoDB request made for provider features (for cost measurements and tests). */
export type ProviderRequestEvent = TableRequestEvent;

/** A user's stored usage and quota overrides, as counted. */
export interface UserUsage {
  readonly keys: number;
  readonly bytes: number;
  readonly stores: readonly StoreUsage[];
  /** Per-user overrides of the default quota (absent: the default applies). */
  readonly maxKeys?: number;
  readonly maxBytes?: number;
}

export interface StoreUsage {
  readonly storeId: string;
  readonly keys: number;
  readonly bytes: number;
}

/** The stored size of one record: its key's and its value's bytes. */
export interface HeadSize {
  readonly version: bigint;
  readonly bytes: number;
}

export const num = (av: AttributeValue | undefined): number => (av?.N === undefined ? 0 : Number(av.N));

export class UsageLedger {
  private readonly registered = new Map<string, number>();

  constructor(
    private readonly table: TableClient,
    /** How long this instance trusts that a store it registered is still registered. @default 10 minutes */
    private readonly registrationTtlMs = 10 * 60 * 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Makes sure the user and the store are in the registries before any of the store's data is
   * written, so erasing a user always finds every store. Once per store per instance (and again
   * after `registrationTtlMs`, in case the user was erased meanwhile): two small UpdateItems.
   */
  async ensureRegistered(scope: Scope): Promise<void> {
    const cacheKey = `${scope.userToken.length}:${scope.userToken}:${scope.storeId}`;
    const at = this.registered.get(cacheKey);
    const now = this.now();
    if (at !== undefined && now - at < this.registrationTtlMs) return;
    const t = this.table;
    const userPk = userPartitionKey(scope.userToken); // validates the user id first
    const reg = registryKeyOf(scope.userToken);
    await Promise.all([
      t.run('UpdateItem', () =>
        t.client.send(
          new UpdateItemCommand({
            TableName: t.tableName,
            Key: { [PK]: { S: reg.pk }, [SK]: { B: reg.sk } },
            UpdateExpression: 'SET #u = :u',
            ExpressionAttributeNames: { '#u': META.user },
            ExpressionAttributeValues: { ':u': { S: scope.userToken } },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      ),
      t.run('UpdateItem', () =>
        t.client.send(
          new UpdateItemCommand({
            TableName: t.tableName,
            Key: { [PK]: { S: userPk }, [SK]: { B: storeSortKey(scope.storeId) } },
            UpdateExpression: 'SET #since = if_not_exists(#since, :now)',
            ExpressionAttributeNames: { '#since': META.since },
            ExpressionAttributeValues: { ':now': { N: String(now) } },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      ),
    ]);
    if (this.registered.size > 10_000) this.registered.clear();
    this.registered.set(cacheKey, now);
  }

  /** The user's usage over all stores and its quota overrides: one strongly consistent Query. */
  async readUsage(userToken: string): Promise<UserUsage> {
    const t = this.table;
    const out = await queryAll(t, {
      TableName: t.tableName,
      KeyConditionExpression: '#pk = :pk AND #sk < :days',
      ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
      ExpressionAttributeValues: { ':pk': { S: userPartitionKey(userToken) }, ':days': { B: Uint8Array.of(DAY_PREFIX) } },
      ConsistentRead: true,
    });
    return usageOfUserItems(out);
  }

  /** Adds a usage delta to the store's counters (one UpdateItem; creates the item if needed). */
  async add(scope: Scope, delta: UsageDelta): Promise<void> {
    if (delta.keys === 0 && delta.bytes === 0) return;
    const t = this.table;
    await t.run('UpdateItem', () =>
      t.client.send(
        new UpdateItemCommand({
          TableName: t.tableName,
          Key: { [PK]: { S: userPartitionKey(scope.userToken) }, [SK]: { B: storeSortKey(scope.storeId) } },
          UpdateExpression: 'ADD #k :k, #b :b',
          ExpressionAttributeNames: { '#k': META.keys, '#b': META.bytes },
          ExpressionAttributeValues: { ':k': { N: String(delta.keys) }, ':b': { N: String(delta.bytes) } },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
  }
}

export interface UsageDelta {
  readonly keys: number;
  readonly bytes: number;
}

/** Sums profile and store items of one user partition (as Query returns them). */
export function usageOfUserItems(items: readonly Record<string, AttributeValue>[]): UserUsage {
  let keys = 0;
  let bytes = 0;
  const stores: StoreUsage[] = [];
  let maxKeys: number | undefined;
  let maxBytes: number | undefined;
  for (const item of items) {
    const sk = item[SK]?.B;
    if (!sk || sk.length === 0) continue;
    if (sk[0] === STORE_PREFIX) {
      const s = { storeId: Buffer.from(sk.subarray(1)).toString('utf8'), keys: num(item[META.keys]), bytes: num(item[META.bytes]) };
      stores.push(s);
      keys += s.keys;
      bytes += s.bytes;
    } else if (sk.length === 1 && sk[0] === profileSortKey()[0]) {
      if (item[META.maxKeys]?.N !== undefined) maxKeys = num(item[META.maxKeys]);
      if (item[META.maxBytes]?.N !== undefined) maxBytes = num(item[META.maxBytes]);
    }
  }
  return { keys, bytes, stores, ...(maxKeys !== undefined ? { maxKeys } : {}), ...(maxBytes !== undefined ? { maxBytes } : {}) };
}
