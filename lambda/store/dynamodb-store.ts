/**
 * KeyValueStore on DynamoDB (layout: table-layout.ts, docs/data-model.md).
 *
 * With values that fit one item, every operation is exactly one DynamoDB request (plus retries
 * of transient faults):
 *   get                 GetItem, ConsistentRead
 *   write, one key      UpdateItem / DeleteItem with a condition expression (no transaction)
 *   write, several keys TransactWriteItems, one Update/Delete per key, idempotency token
 *   deleteIfVersion     DeleteItem with `ver = :v` (or none); a failed condition is swallowed
 *   list                Query on the `bySeq` LSI, ConsistentRead, descending
 *                       (page size 0 on a first page: GetItem of the global-version record)
 * Large values (large-values.ts) add: a GetItem of the heads a conditioned write names (so a
 * write that cannot succeed fails before its chunks are written), chunk writes before the commit
 * (PutItem + BatchWriteItem), chunk reads after the head (BatchGetItem), and removal of replaced
 * chunks after the commit (the replaced set comes back with a one-key commit).
 */
import {
  type ConditionalCheckFailedException,
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
import { conflict, ErrorCode, internalError, invalidRequest, isVssError } from '../core/errors.js';
import { GLOBAL_VERSION_KEY } from '../core/limits.js';
import { keyOfSortKey, partitionKeyOf, sortKeyOf } from './keys.js';
import type {
  KeyValueStore,
  KeyVersion,
  KeyWrite,
  ListPage,
  ListQuery,
  Precondition,
  PutWrite,
  Scope,
  StoredValue,
} from '../core/kv-store.js';
import { deleteChunkSet, largeRefAttribute, readChunkSet, sameId, type TableAccess } from './large-values.js';
import {
  descriptorIdOf,
  discardObject,
  isObjectRef,
  newObjectRef,
  OBJECT_REF_BYTES,
  objectRefAttribute,
  readObject,
  retentionMsOf,
  retireObject,
  stageObject,
  storedRefOf,
  type ObjectRef,
  type ObjectTable,
  type ObjectTierOptions,
  type StoredRef,
} from './object-tier.js';
import type { ObjectStore } from '../core/object-store.js';
import { LARGE_VALUES } from '../contract.js';
import { decodePageToken, encodePageToken, type IndexPosition } from './page-token.js';
import {
  backoffDelayMs,
  DEFAULT_RETRY,
  DEFAULT_RETRY_DEPS,
  withRetries,
  type AttemptContext,
  type RetryDeps,
  type RetryOptions,
} from './retry.js';
import { GLOBAL_VERSION_SEQ, SeqClock } from './seq-clock.js';
import { TABLE_LAYOUT } from './table-layout.js';

/** DynamoDB's item size limit, attribute names included. */
export const MAX_ITEM_BYTES = 400 * 1024;
/** DynamoDB's aggregate item size limit for one transaction (4 MB, taken as decimal to be safe). */
export const MAX_TRANSACTION_BYTES = 4_000_000;
/** Upper bound of the stored size of a DynamoDB number (38 significant digits). */
const NUMBER_BYTES_MAX = 21;
/** How often GetObject re-reads a head whose chunks were replaced while it read them. */
const MAX_LARGE_READ_ROUNDS = 4;

/** One DynamoDB request as seen by an observer: for metrics, logs and the cost benchmarks. */
export interface DynamoDbRequestEvent {
  readonly command:
    | 'GetItem'
    | 'UpdateItem'
    | 'DeleteItem'
    | 'TransactWriteItems'
    | 'Query'
    | 'PutItem'
    | 'BatchWriteItem'
    | 'BatchGetItem';
  readonly consumedCapacity: readonly ConsumedCapacity[];
  readonly attempt: number;
  /** The request failed (a failed condition still costs a round trip and write capacity). */
  readonly failed: boolean;
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
  /** Called when removing replaced chunks failed (the sweeper will finish it). @default none */
  readonly onCleanupFailure?: (error: unknown) => void;
  /**
   * Where values larger than the threshold go (object-tier.ts). Without it a value must fit one
   * table item (400 KB with its key). @default none
   */
  readonly objectTier?: ObjectTierOptions;
}

const A = TABLE_LAYOUT.attributes;
const NAMES = { '#pk': TABLE_LAYOUT.partitionKey.name, '#sk': TABLE_LAYOUT.sortKey.name };
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
  private readonly onCleanupFailure: ((error: unknown) => void) | undefined;
  private readonly table: TableAccess;
  private readonly objectTable: ObjectTable;
  private readonly objects: ObjectStore | undefined;
  /** Largest head item kept inline. */
  private readonly inlineMaxBytes: number;
  private readonly retentionMs: number;

  constructor(options: DynamoDbStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.retryDeps = options.retryDeps;
    this.clock = options.seqClock ?? sharedClock;
    this.prefixScanLimit = options.prefixScanLimit ?? 500;
    this.onRequest = options.onRequest;
    this.onRetry = options.onRetry;
    this.onCleanupFailure = options.onCleanupFailure;
    this.objects = options.objectTier?.objects;
    this.inlineMaxBytes = options.objectTier ? (options.objectTier.inlineMaxBytes ?? LARGE_VALUES.defaultInlineMaxBytes) : MAX_ITEM_BYTES;
    this.retentionMs = options.objectTier?.retentionMs ?? retentionMsOf();
    this.objectTable = { client: this.client, tableName: this.tableName, run: (command, send) => this.run(command, send) };
    this.table = {
      client: this.client,
      tableName: this.tableName,
      run: (command, send) => this.run(command, send),
      pause: (round) => {
        const deps = this.retryDeps ?? DEFAULT_RETRY_DEPS;
        return deps.sleep(backoffDelayMs(round + 1, this.retry, deps.random));
      },
    };
  }

  async get(scope: Scope, key: string): Promise<StoredValue | undefined> {
    const pk = partitionKeyOf(scope);
    for (let round = 0; round < MAX_LARGE_READ_ROUNDS; round++) {
      const out = await this.run('GetItem', () =>
        this.client.send(
          new GetItemCommand({
            TableName: this.tableName,
            Key: this.keyOf(scope, key),
            ConsistentRead: true,
            ProjectionExpression: '#ver, #val, #lv',
            ExpressionAttributeNames: { '#ver': A.version, '#val': A.value, '#lv': A.largeValue },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        ),
      );
      const item = out.Item;
      if (!item) return undefined;
      const version = BigInt(item[A.version]?.N ?? '0');
      const large = storedRefOf(item);
      if (!large) return { version, value: item[A.value]?.B ?? new Uint8Array(0) };
      // An object outlives every head that pointed at it by the retention period: no re-read.
      if (isObjectRef(large)) return { version, value: await readObject(this.requireObjects(), large) };
      // Chunks (written by the previous release) are immutable and deleted only after no head points at them, so a missing chunk
      // means the value was replaced meanwhile: read the head again and return the newer value.
      const value = await readChunkSet(this.table, pk, large);
      if (value) return { version, value };
    }
    throw internalError();
  }

  async write(scope: Scope, writes: readonly KeyWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const pk = partitionKeyOf(scope);
    const firstSeq = this.clock.reserve(writes.length);
    const planned = this.plan(scope, pk, writes, firstSeq);
    // Large values: objects first (invisible until a head points at them), then the commit.
    const staged = planned.flatMap((p) => (p.large && isObjectRef(p.large) ? [p.large] : []));
    // Staging costs an S3 PUT and a record: a conditioned write that cannot succeed fails on a read first.
    if (staged.length > 0) await this.checkPreconditions(pk, planned);
    const nowMs = Date.now();
    const staging = await Promise.allSettled(
      planned.flatMap((p) =>
        p.large && isObjectRef(p.large)
          ? [stageObject(this.objectTable, this.requireObjects(), pk, sortKeyOf(p.write.key), p.large, (p.write as PutWrite).value, nowMs)]
          : [],
      ),
    );
    const stagingFailure = staging.find((r) => r.status === 'rejected');
    if (stagingFailure) {
      // Nothing was committed: what was staged can go now.
      await this.discard(pk, staged);
      throw stagingFailure.reason;
    }
    try {
      await this.commit(pk, planned, 'conflict');
    } catch (e) {
      // A definite conflict wrote nothing: our objects can go now. After any other failure the
      // commit may have happened (ambiguous), so they are left to the sweeper, which checks.
      if (isVssError(e) && e.code === ErrorCode.CONFLICT_EXCEPTION) await this.discard(pk, staged);
      throw e;
    }
    await this.cleanUp(
      pk,
      planned.flatMap((p) => (p.replaces ? [p.replaces] : [])),
    );
  }

  async deleteIfVersion(scope: Scope, key: string, version: bigint | 'any'): Promise<void> {
    const pk = partitionKeyOf(scope);
    const write: KeyWrite = { kind: 'delete', key, precondition: version === 'any' ? { kind: 'none' } : { kind: 'version', version } };
    const planned: PlannedWrite = { write, seq: 0n, large: undefined, expectLarge: null, replaces: undefined };
    // DeleteObject never conflicts (docs/protocol.md §3.3): a failed precondition deletes nothing.
    const done = await this.commit(pk, [planned], 'silent');
    if (done) await this.cleanUp(pk, planned.replaces ? [planned.replaces] : []);
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
          ...(start
            ? {
                ExclusiveStartKey: {
                  [TABLE_LAYOUT.partitionKey.name]: { S: pk },
                  [TABLE_LAYOUT.sortKey.name]: { B: start.sk },
                  [A.seq]: { N: start.seq },
                },
              }
            : {}),
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
        // Never listed (docs/protocol.md §3.4); its version is the store's global version.
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

  /**
   * Decides where each value goes: inline when the head item stays within the threshold,
   * otherwise in the object tier. For a transaction, the largest inline values also move to the
   * object tier until the heads fit in the 4 MB a transaction may carry; objects are written
   * outside it, so any mix fits.
   */
  private plan(scope: Scope, pk: string, writes: readonly KeyWrite[], firstSeq: bigint): PlannedWrite[] {
    const planned: PlannedWrite[] = writes.map((write, i) => ({
      write,
      seq: firstSeq + BigInt(i),
      large: undefined,
      expectLarge: null,
      replaces: undefined,
    }));
    const keyBytes = (w: KeyWrite): number =>
      attrBytes(TABLE_LAYOUT.partitionKey.name, Buffer.byteLength(pk, 'utf8')) +
      attrBytes(TABLE_LAYOUT.sortKey.name, sortKeyOf(w.key).length);
    const headBytes = (p: PlannedWrite): number => {
      const w = p.write;
      if (w.kind === 'delete') return keyBytes(w);
      const fixed = keyBytes(w) + attrBytes(A.version, NUMBER_BYTES_MAX) + attrBytes(A.seq, NUMBER_BYTES_MAX);
      return fixed + (p.large ? attrBytes(A.largeValue, OBJECT_REF_BYTES) : attrBytes(A.value, w.value.length));
    };
    const toObject = (p: PlannedWrite): ObjectRef => {
      if (!this.objects) throw invalidRequest('Value too large: this store keeps values of up to 400 KB with their key');
      return newObjectRef(scope.userToken, (p.write as PutWrite).value);
    };
    for (const p of planned) {
      if (p.write.kind === 'put' && headBytes(p) > this.inlineMaxBytes) p.large = toObject(p);
    }
    if (planned.length > 1) {
      let total = planned.reduce((sum, p) => sum + headBytes(p), 0);
      const inlineBySize = planned
        .filter((p) => p.write.kind === 'put' && !p.large)
        .sort((a, b) => (b.write as PutWrite).value.length - (a.write as PutWrite).value.length);
      for (const p of inlineBySize) {
        if (total <= MAX_TRANSACTION_BYTES) break;
        const before = headBytes(p);
        p.large = toObject(p);
        total += headBytes(p) - before;
      }
    }
    return planned;
  }

  /**
   * Commits the heads, so that replaced chunks are always known and cleaned up.
   *
   * One key: one UpdateItem/DeleteItem conditioned on the precondition only; the item it replaced
   * comes back with the write (ALL_OLD), so a replaced large value is learnt from
   * the commit itself, and concurrent writers of one key never make each other retry.
   *
   * Several keys: one transaction, which returns nothing of the old items. Every head write states
   * which large value it expects to replace (none, on the first try); when a head holds a
   * different one, ALL_OLD on the failed condition shows it, and the expectation is corrected and
   * the commit retried, for as long as the retry budget lasts.
   *
   * Returns false when a precondition failed in 'silent' mode (DeleteObject).
   */
  private async commit(pk: string, planned: PlannedWrite[], onPreconditionFailure: 'conflict' | 'silent'): Promise<boolean> {
    const started = (this.retryDeps ?? DEFAULT_RETRY_DEPS).now();
    for (let round = 0; ; round++) {
      const failures = planned.length === 1 ? await this.commitOne(pk, planned[0]!) : await this.commitMany(pk, planned);
      if (failures === undefined) return true;
      let corrected = false;
      for (const { index, old } of failures) {
        const p = planned[index]!;
        if (!preconditionHolds(p.write.precondition, old)) {
          if (onPreconditionFailure === 'silent') return false;
          throw conflict();
        }
        const current = storedRefOf(old);
        if (!sameId(current?.id, p.expectLarge)) {
          p.expectLarge = current?.id ?? null;
          p.replaces = current;
          corrected = true;
        }
      }
      // Every legitimate failure is explained by ALL_OLD (a failed precondition, or a different
      // large value than expected). One that is not is a fault; retrying cannot help.
      if (!corrected) throw internalError();
      // Heads kept changing under concurrent transactions: transient, so the client retries (500).
      if ((this.retryDeps ?? DEFAULT_RETRY_DEPS).now() - started > this.retry.budgetMs) throw internalError();
      // The first correction is the expected case (a large value was there); later ones mean
      // contention, so back off as for any transient conflict.
      if (round > 0) await this.table.pause(round - 1);
    }
  }

  /** Returns the failed write with the item as it was, or undefined on success. */
  private async commitOne(pk: string, p: PlannedWrite): Promise<Failure[] | undefined> {
    const action = this.actionOf(pk, p, false);
    try {
      const out = await this.run(p.write.kind === 'put' ? 'UpdateItem' : 'DeleteItem', (ctx) => this.sendSingle(p, action, ctx));
      const replaced = storedRefOf(out.Attributes);
      // After an ambiguous fault the item may already be our own write: its chunks stay. (What
      // our first attempt replaced is then unknown here; the sweeper removes it.)
      if (replaced && !sameId(replaced.id, p.large?.id)) p.replaces = replaced;
      return undefined;
    } catch (e) {
      if ((e as Error).name === 'ConditionalCheckFailedException') return [{ index: 0, old: (e as ConditionalCheckFailedException).Item }];
      throw mapWriteError(e);
    }
  }

  private async commitMany(pk: string, planned: PlannedWrite[]): Promise<Failure[] | undefined> {
    const items: TransactWriteItem[] = planned.map((p) => {
      const action = { ...this.actionOf(pk, p), ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const };
      return p.write.kind === 'put' ? { Update: { ...action, UpdateExpression: action.UpdateExpression! } } : { Delete: action };
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
      return undefined;
    } catch (e) {
      const err = e as { name?: string; CancellationReasons?: { Code?: string; Item?: Record<string, AttributeValue> }[] };
      if (err.name === 'TransactionCanceledException' && err.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')) {
        return err.CancellationReasons.flatMap((r, index) => (r.Code === 'ConditionalCheckFailed' ? [{ index, old: r.Item }] : []));
      }
      throw mapWriteError(e);
    }
  }

  /**
   * Sends one conditional write. After an ambiguous fault a failed condition may mean that our
   * own earlier attempt committed; ALL_OLD shows the item as it is, and if it is exactly what we
   * wrote (or, for a delete, the item is gone) the write is reported as done.
   */
  private async sendSingle(
    p: PlannedWrite,
    action: WriteAction,
    ctx: AttemptContext,
  ): Promise<{ ConsumedCapacity?: ConsumedCapacity; Attributes?: Record<string, AttributeValue> }> {
    try {
      // The replaced item comes back at no capacity cost (ALL_OLD: whatever was there, `lv` included).
      if (p.write.kind === 'put') {
        return await this.client.send(
          new UpdateItemCommand({
            ...action,
            UpdateExpression: action.UpdateExpression!,
            ReturnValues: 'ALL_OLD',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
      }
      return await this.client.send(
        new DeleteItemCommand({
          ...action,
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      );
    } catch (e) {
      if (ctx.afterAmbiguousFault && (e as Error).name === 'ConditionalCheckFailedException') {
        const old = (e as ConditionalCheckFailedException).Item;
        if (p.write.kind === 'delete' ? old === undefined : isOurWrite(old, p)) return {};
      }
      throw e;
    }
  }

  private actionOf(pk: string, p: PlannedWrite, expectLarge = true): WriteAction {
    const w = p.write;
    const names: Record<string, string> = {};
    const values: Record<string, AttributeValue> = {};
    const conditions: string[] = [];
    const pre = conditionOf(w.precondition, names, values);
    if (pre) conditions.push(pre);
    // In a transaction, say which large value we replace (`absent` already excludes any).
    if (expectLarge && w.precondition.kind !== 'absent') {
      names['#lv'] = A.largeValue;
      if (p.expectLarge === null) {
        conditions.push('attribute_not_exists(#lv)');
      } else {
        names['#lvid'] = 'id';
        values[':lvid'] = { B: p.expectLarge };
        conditions.push('#lv.#lvid = :lvid');
      }
    }
    const base: WriteAction = {
      TableName: this.tableName,
      Key: { [TABLE_LAYOUT.partitionKey.name]: { S: pk }, [TABLE_LAYOUT.sortKey.name]: { B: sortKeyOf(w.key) } },
    };
    if (w.kind === 'put') {
      names['#ver'] = A.version;
      names['#val'] = A.value;
      names['#lv'] = A.largeValue;
      names['#seq'] = A.seq;
      values[':ver'] = { N: w.version.toString() };
      // Creation position: kept across updates; the global-version record always sits on top.
      const isGlobal = w.key === GLOBAL_VERSION_KEY;
      values[':seq'] = { N: (isGlobal ? GLOBAL_VERSION_SEQ : p.seq).toString() };
      const seqExpr = isGlobal || w.recreated ? '#seq = :seq' : '#seq = if_not_exists(#seq, :seq)';
      if (p.large) {
        values[':lvref'] = isObjectRef(p.large) ? objectRefAttribute(p.large) : largeRefAttribute(p.large);
        base.UpdateExpression = `SET #ver = :ver, #lv = :lvref, ${seqExpr} REMOVE #val`;
      } else {
        values[':val'] = { B: w.value };
        base.UpdateExpression = `SET #ver = :ver, #val = :val, ${seqExpr} REMOVE #lv`;
      }
    }
    if (conditions.length > 0)
      base.ConditionExpression = conditions.length === 1 ? conditions[0]! : conditions.map((c) => `(${c})`).join(' AND ');
    if (Object.keys(names).length > 0) base.ExpressionAttributeNames = names;
    if (Object.keys(values).length > 0) base.ExpressionAttributeValues = values;
    return base;
  }

  /**
   * Fails a write whose preconditions do not hold now, with one consistent read of the heads (only
   * the version is projected; the read costs by item size, 1 RCU for a large value's head). A
   * pass proves nothing: the commit checks again, atomically.
   */
  private async checkPreconditions(pk: string, planned: readonly PlannedWrite[]): Promise<void> {
    const conditioned = planned.filter((p) => p.write.precondition.kind !== 'none');
    await Promise.all(
      conditioned.map(async (p) => {
        const out = await this.run('GetItem', () =>
          this.client.send(
            new GetItemCommand({
              TableName: this.tableName,
              Key: { [TABLE_LAYOUT.partitionKey.name]: { S: pk }, [TABLE_LAYOUT.sortKey.name]: { B: sortKeyOf(p.write.key) } },
              ConsistentRead: true,
              ProjectionExpression: '#ver',
              ExpressionAttributeNames: { '#ver': A.version },
              ReturnConsumedCapacity: 'TOTAL',
            }),
          ),
        );
        if (!preconditionHolds(p.write.precondition, out.Item)) throw conflict();
      }),
    );
  }

  /**
   * Best effort, after a commit, for the values it replaced or deleted: chunk sets of the previous
   * release go now (they are table items, so a restored table has its own); objects are kept for
   * the retention period (object-tier.ts). What fails here the sweeper finishes.
   */
  private async cleanUp(pk: string, refs: readonly StoredRef[]): Promise<void> {
    const deleteAt = Date.now() + this.retentionMs;
    await Promise.all(
      refs.map((ref) =>
        (isObjectRef(ref) ? retireObject(this.objectTable, pk, ref, deleteAt) : deleteChunkSet(this.table, pk, ref)).catch((e: unknown) => {
          this.onCleanupFailure?.(e);
        }),
      ),
    );
  }

  /** Best effort, for objects of a write that definitely did not commit (object-tier.ts). */
  private async discard(pk: string, refs: readonly ObjectRef[]): Promise<void> {
    await Promise.all(
      refs.map((ref) =>
        discardObject(this.objectTable, this.requireObjects(), pk, ref).catch((e: unknown) => {
          this.onCleanupFailure?.(e);
        }),
      ),
    );
  }

  private requireObjects(): ObjectStore {
    // A head pointing into the object tier on a store configured without one: a deployment fault.
    if (!this.objects) throw new Error('a value is in the object store, but this store has none configured');
    return this.objects;
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
        let out: T;
        try {
          out = await send(ctx);
        } catch (e) {
          this.onRequest?.({ command, attempt: ctx.attempt, consumedCapacity: [], failed: true });
          throw e;
        }
        if (this.onRequest) {
          const cc = out?.ConsumedCapacity;
          this.onRequest({
            command,
            attempt: ctx.attempt,
            consumedCapacity: cc === undefined ? [] : Array.isArray(cc) ? cc : [cc],
            failed: false,
          });
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

/** A write being committed: its head's creation position and large-value placement. */
interface PlannedWrite {
  readonly write: KeyWrite;
  readonly seq: bigint;
  /** Set when the value goes to the object tier (staged before the commit). */
  large: StoredRef | undefined;
  /** The large value the head is expected to hold now (null: none); corrected from ALL_OLD. */
  expectLarge: Uint8Array | null;
  /** The large value this write replaces, to clean up after the commit. */
  replaces: StoredRef | undefined;
}

/** A write whose condition failed, with the item as DynamoDB saw it (undefined: no item). */
interface Failure {
  readonly index: number;
  readonly old: Record<string, AttributeValue> | undefined;
}

function preconditionHolds(p: Precondition, old: Record<string, AttributeValue> | undefined): boolean {
  switch (p.kind) {
    case 'none':
      return true;
    case 'absent':
      return old === undefined;
    case 'exists':
      return old !== undefined;
    case 'version':
      return old !== undefined && old[A.version]?.N === p.version.toString();
  }
}

/** Is the stored item exactly the record this write produces? */
function isOurWrite(item: Record<string, AttributeValue> | undefined, p: PlannedWrite): boolean {
  const w = p.write;
  if (!item || w.kind !== 'put' || item[A.version]?.N !== w.version.toString()) return false;
  if (p.large) return sameId(descriptorIdOf(item), p.large.id);
  const val = item[A.value]?.B;
  return val !== undefined && Buffer.from(val).equals(Buffer.from(w.value));
}

function attrBytes(name: string, valueBytes: number): number {
  return Buffer.byteLength(name, 'utf8') + valueBytes;
}

/** Only a failed condition is a conflict (docs/protocol.md §7.6); everything else propagates. */
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
