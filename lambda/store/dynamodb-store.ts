/**
 * KeyValueStore on DynamoDB (layout: table-layout.ts, docs/data-model.md).
 *
 * Every operation is exactly one DynamoDB request (plus retries of transient faults):
 *   get                 GetItem, ConsistentRead
 *   write, one key      UpdateItem / DeleteItem with a condition expression (no transaction)
 *   write, several keys TransactWriteItems, one Update/Delete per key, idempotency token
 *   deleteIfVersion     DeleteItem with `ver = :v` (or none); a failed condition is swallowed
 *   list                Query on the `bySeq` LSI, ConsistentRead, descending
 *                       (page size 0 on a first page: GetItem of the global-version record)
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type ConsumedCapacity,
  type DynamoDBClient,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { conflict, invalidRequest } from '../core/errors.js';
import { GLOBAL_VERSION_KEY } from '../core/limits.js';
import { keyOfSortKey, partitionKeyOf, sortKeyOf } from './keys.js';
import type { KeyValueStore, KeyVersion, KeyWrite, ListPage, ListQuery, Precondition, PutWrite, Scope, StoredValue } from './kv-store.js';
import { decodePageToken, encodePageToken, type IndexPosition } from './page-token.js';
import { DEFAULT_RETRY, withRetries, type AttemptContext, type RetryDeps, type RetryOptions } from './retry.js';
import { GLOBAL_VERSION_SEQ, SeqClock } from './seq-clock.js';
import { TABLE_LAYOUT } from './table-layout.js';

/** DynamoDB's item size limit, attribute names included. */
export const MAX_ITEM_BYTES = 400 * 1024;
/** DynamoDB's aggregate item size limit for one transaction (4 MB, taken as decimal to be safe). */
export const MAX_TRANSACTION_BYTES = 4_000_000;
/** Upper bound of the stored size of a DynamoDB number (38 significant digits). */
const NUMBER_BYTES_MAX = 21;

/** One DynamoDB request as seen by an observer: for metrics, logs and the cost benchmarks. */
export interface DynamoDbRequestEvent {
  readonly command: 'GetItem' | 'UpdateItem' | 'DeleteItem' | 'TransactWriteItems' | 'Query';
  readonly consumedCapacity: readonly ConsumedCapacity[];
  readonly attempt: number;
}

export interface DynamoDbStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** @default DEFAULT_RETRY */
  readonly retry?: RetryOptions;
  /** Injected for tests. @default real timers */
  readonly retryDeps?: RetryDeps;
  /** @default a process-wide clock */
  readonly seqClock?: SeqClock;
  /**
   * Index entries a prefixed listing may evaluate in one Query (the prefix is a filter on the
   * creation-ordered index, so sparse prefixes would otherwise need many round trips).
   * @default 500
   */
  readonly prefixScanLimit?: number;
  /** Called after every DynamoDB request that returned. @default none */
  readonly onRequest?: (event: DynamoDbRequestEvent) => void;
  /** Called before a transient fault is retried. @default none */
  readonly onRetry?: (error: unknown, attempt: number) => void;
}

const A = TABLE_LAYOUT.attributes;
const NAMES = { '#pk': TABLE_LAYOUT.partitionKey.name, '#sk': TABLE_LAYOUT.sortKey.name, '#ver': A.version, '#val': A.value, '#seq': A.seq };
const sharedClock = new SeqClock();

export class DynamoDbStore implements KeyValueStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly retry: RetryOptions;
  private readonly retryDeps: RetryDeps | undefined;
  private readonly clock: SeqClock;
  private readonly prefixScanLimit: number;
  private readonly onRequest: ((event: DynamoDbRequestEvent) => void) | undefined;
  private readonly onRetry: ((error: unknown, attempt: number) => void) | undefined;

  constructor(options: DynamoDbStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.retryDeps = options.retryDeps;
    this.clock = options.seqClock ?? sharedClock;
    this.prefixScanLimit = options.prefixScanLimit ?? 500;
    this.onRequest = options.onRequest;
    this.onRetry = options.onRetry;
  }

  async get(scope: Scope, key: string): Promise<StoredValue | undefined> {
    const out = await this.run('GetItem', () =>
      this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: this.keyOf(scope, key),
          ConsistentRead: true,
          ProjectionExpression: '#ver, #val',
          ExpressionAttributeNames: { '#ver': A.version, '#val': A.value },
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    const item = out.Item;
    if (!item) return undefined;
    return { version: BigInt(item[A.version]?.N ?? '0'), value: item[A.value]?.B ?? new Uint8Array(0) };
  }

  async write(scope: Scope, writes: readonly KeyWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const pk = partitionKeyOf(scope);
    const firstSeq = this.clock.reserve(writes.length);
    const sized = writes.map((w, i) => this.checkSize(pk, w, firstSeq + BigInt(i)));
    if (writes.length === 1) {
      await this.writeOne(pk, writes[0]!, firstSeq);
      return;
    }
    const total = sized.reduce((a, b) => a + b, 0);
    if (total > MAX_TRANSACTION_BYTES) {
      throw invalidRequest(
        `PutObjects request too large: its items total ${total} bytes as stored; one atomic write is limited to ${MAX_TRANSACTION_BYTES} bytes`,
      );
    }
    const items: TransactWriteItem[] = writes.map((w, i) => {
      const action = this.actionOf(pk, w, firstSeq + BigInt(i));
      return w.kind === 'put' ? { Update: { ...action, UpdateExpression: action.UpdateExpression! } } : { Delete: action };
    });
    // The token makes a retry after an ambiguous fault idempotent: if the first attempt
    // committed, DynamoDB answers success instead of re-evaluating the conditions (10 minutes).
    const token = randomUUID();
    try {
      await this.run('TransactWriteItems', () =>
        this.client.send(
          new TransactWriteItemsCommand({ TransactItems: items, ClientRequestToken: token, ReturnConsumedCapacity: 'TOTAL' }),
        ),
      );
    } catch (e) {
      throw mapWriteError(e);
    }
  }

  async deleteIfVersion(scope: Scope, key: string, version: bigint | 'any'): Promise<void> {
    try {
      await this.run('DeleteItem', () =>
        this.client.send(
          new DeleteItemCommand({
            TableName: this.tableName,
            Key: this.keyOf(scope, key),
            ...(version === 'any'
              ? {}
              : {
                  ConditionExpression: '#ver = :expected',
                  ExpressionAttributeNames: { '#ver': A.version },
                  ExpressionAttributeValues: { ':expected': { N: version.toString() } },
                }),
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      );
    } catch (e) {
      // DeleteObject never conflicts (spec §3.3): a version mismatch deletes nothing.
      if (e instanceof ConditionalCheckFailedException || (e as Error).name === 'ConditionalCheckFailedException') return;
      throw e;
    }
  }

  async list(scope: Scope, query: ListQuery): Promise<ListPage> {
    const pk = partitionKeyOf(scope);
    const start = query.pageToken === undefined ? undefined : decodePageToken(query.pageToken, pk, query.prefix);
    const firstPage = start === undefined;
    if (query.pageSize === 0) {
      // Rust parity: no keys, '' token, and the global version on a first page.
      if (!firstPage) return { keyVersions: [], nextPageToken: '' };
      const gv = await this.get(scope, GLOBAL_VERSION_KEY);
      return { keyVersions: [], nextPageToken: '', globalVersion: gv?.version ?? 0n };
    }
    const pageSize = query.pageSize;
    // One extra entry tells "exactly full" from "more left"; one more for the global-version
    // record, which sorts above every creation position and so comes first on a first page.
    const baseLimit = pageSize + 1 + (firstPage ? 1 : 0);
    const limit = query.prefix === '' ? baseLimit : Math.max(baseLimit, this.prefixScanLimit);
    const values: Record<string, AttributeValue> = { ':pk': { S: pk } };
    const filters: string[] = [];
    if (query.prefix !== '') {
      values[':prefix'] = { B: sortKeyOf(query.prefix) };
      if (firstPage) {
        values[':gv'] = { B: sortKeyOf(GLOBAL_VERSION_KEY) };
        filters.push('(begins_with(#sk, :prefix) OR #sk = :gv)');
      } else {
        filters.push('begins_with(#sk, :prefix)');
      }
    }
    const out = await this.run('Query', () =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: TABLE_LAYOUT.creationIndex.name,
          ConsistentRead: true,
          ScanIndexForward: false,
          KeyConditionExpression: '#pk = :pk',
          ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
          ExpressionAttributeNames: filters.length > 0 ? { '#pk': NAMES['#pk'], '#sk': NAMES['#sk'] } : { '#pk': NAMES['#pk'] },
          ExpressionAttributeValues: values,
          Select: 'ALL_PROJECTED_ATTRIBUTES',
          Limit: limit,
          ...(start ? { ExclusiveStartKey: { [TABLE_LAYOUT.partitionKey.name]: { S: pk }, [TABLE_LAYOUT.sortKey.name]: { B: start.sk }, [A.seq]: { N: start.seq } } } : {}),
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );

    let globalVersion: bigint | undefined = firstPage ? 0n : undefined;
    const keyVersions: KeyVersion[] = [];
    let lastReturned: IndexPosition | undefined;
    let more = false;
    for (const item of out.Items ?? []) {
      const sk = item[TABLE_LAYOUT.sortKey.name]!.B!;
      const key = keyOfSortKey(sk);
      const version = BigInt(item[A.version]!.N!);
      if (key === GLOBAL_VERSION_KEY) {
        // Never listed (spec §3.4); its version is the store's global version.
        if (firstPage) globalVersion = version;
        continue;
      }
      if (keyVersions.length === pageSize) {
        more = true;
        break;
      }
      keyVersions.push({ key, version });
      lastReturned = { seq: item[A.seq]!.N!, sk };
    }

    let resumeAt: IndexPosition | undefined;
    if (more) {
      resumeAt = lastReturned;
    } else if (out.LastEvaluatedKey) {
      // Everything evaluated up to LastEvaluatedKey was returned or filtered out.
      resumeAt = { seq: out.LastEvaluatedKey[A.seq]!.N!, sk: out.LastEvaluatedKey[TABLE_LAYOUT.sortKey.name]!.B! };
    }
    return {
      keyVersions,
      nextPageToken: resumeAt ? encodePageToken(resumeAt, pk, query.prefix) : '',
      ...(globalVersion !== undefined ? { globalVersion } : {}),
    };
  }

  private async writeOne(pk: string, w: KeyWrite, seq: bigint): Promise<void> {
    const action = this.actionOf(pk, w, seq);
    try {
      await this.run(w.kind === 'put' ? 'UpdateItem' : 'DeleteItem', (ctx) =>
        this.sendSingle(w, action, ctx),
      );
    } catch (e) {
      throw mapWriteError(e);
    }
  }

  /**
   * Sends one conditional write. After an ambiguous fault a failed condition may mean that our
   * own earlier attempt committed; ALL_OLD shows the item as it is, and if it is exactly what we
   * wrote (or, for a delete, the item is gone) the write is reported as done.
   */
  private async sendSingle(w: KeyWrite, action: WriteAction, ctx: AttemptContext): Promise<{ ConsumedCapacity?: ConsumedCapacity }> {
    try {
      if (w.kind === 'put') {
        return await this.client.send(
          new UpdateItemCommand({ ...action, UpdateExpression: action.UpdateExpression!, ReturnValuesOnConditionCheckFailure: 'ALL_OLD', ReturnConsumedCapacity: 'TOTAL' }),
        );
      }
      return await this.client.send(new DeleteItemCommand({ ...action, ReturnValuesOnConditionCheckFailure: 'ALL_OLD', ReturnConsumedCapacity: 'TOTAL' }));
    } catch (e) {
      if (ctx.afterAmbiguousFault && (e as Error).name === 'ConditionalCheckFailedException') {
        const old = (e as ConditionalCheckFailedException).Item;
        if (w.kind === 'delete' ? old === undefined : isSameRecord(old, w)) return {};
      }
      throw e;
    }
  }

  private actionOf(pk: string, w: KeyWrite, seq: bigint): WriteAction {
    const names: Record<string, string> = {};
    const values: Record<string, AttributeValue> = {};
    const condition = conditionOf(w.precondition, names, values);
    const base: WriteAction = {
      TableName: this.tableName,
      Key: { [TABLE_LAYOUT.partitionKey.name]: { S: pk }, [TABLE_LAYOUT.sortKey.name]: { B: sortKeyOf(w.key) } },
    };
    if (w.kind === 'put') {
      names['#ver'] = A.version;
      names['#val'] = A.value;
      names['#seq'] = A.seq;
      values[':ver'] = { N: w.version.toString() };
      values[':val'] = { B: w.value };
      // Creation position: kept across updates; the global-version record always sits on top.
      const isGlobal = w.key === GLOBAL_VERSION_KEY;
      values[':seq'] = { N: (isGlobal ? GLOBAL_VERSION_SEQ : seq).toString() };
      const seqExpr = isGlobal || w.recreated ? '#seq = :seq' : '#seq = if_not_exists(#seq, :seq)';
      base.UpdateExpression = `SET #ver = :ver, #val = :val, ${seqExpr}`;
    }
    if (condition) base.ConditionExpression = condition;
    if (Object.keys(names).length > 0) base.ExpressionAttributeNames = names;
    if (Object.keys(values).length > 0) base.ExpressionAttributeValues = values;
    return base;
  }

  /** Stored size of the item a write produces; rejects what DynamoDB cannot hold (400, not 500). */
  private checkSize(pk: string, w: KeyWrite, _seq: bigint): number {
    const keyBytes =
      attrBytes(TABLE_LAYOUT.partitionKey.name, Buffer.byteLength(pk, 'utf8')) +
      attrBytes(TABLE_LAYOUT.sortKey.name, sortKeyOf(w.key).length);
    if (w.kind === 'delete') return keyBytes;
    const size = keyBytes + attrBytes(A.version, NUMBER_BYTES_MAX) + attrBytes(A.seq, NUMBER_BYTES_MAX) + attrBytes(A.value, w.value.length);
    if (size > MAX_ITEM_BYTES) {
      const room = MAX_ITEM_BYTES - (size - w.value.length);
      throw invalidRequest(`Value of ${w.value.length} bytes is too large for key of ${w.key.length} characters: at most ${room} bytes are supported`);
    }
    return size;
  }

  private keyOf(scope: Scope, key: string): Record<string, AttributeValue> {
    return { [TABLE_LAYOUT.partitionKey.name]: { S: partitionKeyOf(scope) }, [TABLE_LAYOUT.sortKey.name]: { B: sortKeyOf(key) } };
  }

  private async run<T extends { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }>(
    command: DynamoDbRequestEvent['command'],
    send: (ctx: AttemptContext) => Promise<T>,
  ): Promise<T> {
    return withRetries(
      async (ctx) => {
        const out = await send(ctx);
        if (this.onRequest) {
          const cc = out?.ConsumedCapacity;
          this.onRequest({ command, attempt: ctx.attempt, consumedCapacity: cc === undefined ? [] : Array.isArray(cc) ? cc : [cc] });
        }
        return out;
      },
      this.retry,
      this.retryDeps,
      this.onRetry,
    );
  }
}

interface WriteAction {
  TableName: string;
  Key: Record<string, AttributeValue>;
  UpdateExpression?: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
}

function conditionOf(p: Precondition, names: Record<string, string>, values: Record<string, AttributeValue>): string | undefined {
  switch (p.kind) {
    case 'none':
      return undefined;
    case 'absent':
      names['#pk'] = TABLE_LAYOUT.partitionKey.name;
      return 'attribute_not_exists(#pk)';
    case 'exists':
      names['#pk'] = TABLE_LAYOUT.partitionKey.name;
      return 'attribute_exists(#pk)';
    case 'version':
      names['#ver'] = A.version;
      values[':expected'] = { N: p.version.toString() };
      return '#ver = :expected';
  }
}

function isSameRecord(item: Record<string, AttributeValue> | undefined, w: PutWrite): boolean {
  if (!item) return false;
  const ver = item[A.version]?.N;
  const val = item[A.value]?.B;
  return ver === w.version.toString() && val !== undefined && Buffer.from(val).equals(Buffer.from(w.value));
}

function attrBytes(name: string, valueBytes: number): number {
  return Buffer.byteLength(name, 'utf8') + valueBytes;
}

/** Only a failed condition is a conflict (spec §13.6); everything else propagates. */
function mapWriteError(e: unknown): unknown {
  const err = e as { name?: string; CancellationReasons?: { Code?: string }[] };
  if (err?.name === 'ConditionalCheckFailedException') return conflict();
  if (err?.name === 'TransactionCanceledException') {
    const codes = (err.CancellationReasons ?? []).map((r) => r.Code);
    if (codes.includes('ConditionalCheckFailed')) return conflict();
    if (codes.includes('ItemCollectionSizeLimitExceeded')) return itemCollectionFull();
  }
  if (err?.name === 'ItemCollectionSizeLimitExceededException') return itemCollectionFull();
  return e;
}

function itemCollectionFull(): Error {
  return invalidRequest('This store is full: DynamoDB holds at most 10 GB per (user, store_id)');
}
