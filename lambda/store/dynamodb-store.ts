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
 * Large values go through the value-placement port (value-placement.ts; today's tier: chunks,
 * large-values.ts) and add: a GetItem of the heads a conditioned write names (so a write that
 * cannot succeed fails before its value is staged), staging before the commit (chunks: PutItem +
 * BatchWriteItem), reads after the head (chunks: BatchGetItem), and removal of replaced values
 * after the commit (the replaced descriptor comes back with a one-key commit).
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
import { inlineHeadBytes, keyBytes, MAX_ITEM_BYTES, MAX_TRANSACTION_BYTES, outOfLineHeadBytes } from './item-size.js';
import { batchGetConsistent, ChunkTier } from './large-values.js';
import { decodePageToken, encodePageToken, type IndexPosition } from './page-token.js';
import type { AttemptContext, RetryDeps, RetryOptions } from './retry.js';
import { GLOBAL_VERSION_SEQ, SeqClock } from './seq-clock.js';
import { TableClient, type TableCommand, type TableRequestEvent } from './table-client.js';
import { TABLE_LAYOUT } from './table-layout.js';
import {
  sameId,
  VALUE_REF_ID_NAME,
  ValuePlacement,
  valueBytesOf,
  valueRefAttribute,
  valueRefOf,
  type ValueRef,
} from './value-placement.js';

export { MAX_ITEM_BYTES, MAX_TRANSACTION_BYTES } from './item-size.js';

/** How often GetObject re-reads a head whose value was replaced while it read it. */
const MAX_LARGE_READ_ROUNDS = 4;

/** One DynamoDB request as seen by an observer (table-client.ts). */
export type DynamoDbRequestEvent = TableRequestEvent;

/** What metering needs to know of an existing record, without its value. */
export interface RecordHead {
  readonly version: bigint;
  /** The value's length, wherever it lives. */
  readonly valueBytes: number;
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
  /** Called when removing a replaced value failed (the sweeper will finish it). @default none */
  readonly onCleanupFailure?: (error: unknown) => void;
  /**
   * Head items larger than this keep their value out of line (in the placement's write tier).
   * @default MAX_ITEM_BYTES (only what cannot fit one item goes out of line)
   */
  readonly inlineMaxBytes?: number;
  /** Where out-of-line values live. @default chunks only (ChunkTier) */
  readonly placement?: (table: TableClient) => ValuePlacement;
}

const A = TABLE_LAYOUT.attributes;
const NAMES = { '#pk': TABLE_LAYOUT.partitionKey.name, '#sk': TABLE_LAYOUT.sortKey.name };
const sharedClock = new SeqClock();

export class DynamoDbStore implements KeyValueStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly clock: SeqClock;
  private readonly prefixScanLimit: number;
  private readonly onCleanupFailure: ((error: unknown) => void) | undefined;
  private readonly inlineMaxBytes: number;
  private readonly table: TableClient;
  private readonly placement: ValuePlacement;

  constructor(options: DynamoDbStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.clock = options.seqClock ?? sharedClock;
    this.prefixScanLimit = options.prefixScanLimit ?? 500;
    this.onCleanupFailure = options.onCleanupFailure;
    this.inlineMaxBytes = Math.min(options.inlineMaxBytes ?? MAX_ITEM_BYTES, MAX_ITEM_BYTES);
    this.table = new TableClient({
      client: options.client,
      tableName: options.tableName,
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.retryDeps ? { retryDeps: options.retryDeps } : {}),
      ...(options.onRequest ? { onRequest: options.onRequest } : {}),
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
    });
    this.placement = options.placement ? options.placement(this.table) : new ValuePlacement([new ChunkTier(this.table)]);
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
      const large = valueRefOf(item);
      if (!large) return { version, value: item[A.value]?.B ?? new Uint8Array(0) };
      // Staged values are immutable and removed only after no head points at them, so a missing
      // one means the value was replaced meanwhile: read the head again and return the newer value.
      const value = await this.placement.read(pk, large);
      if (value) return { version, value };
    }
    throw internalError();
  }

  async write(scope: Scope, writes: readonly KeyWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const pk = partitionKeyOf(scope);
    const firstSeq = this.clock.reserve(writes.length);
    const planned = this.plan(pk, writes, firstSeq);
    // Large values: staged first (invisible until a head points at them), then the commit.
    const staged = planned.filter((p) => p.outOfLine);
    // Staging chunks costs about 2 WCU per KB: a conditioned write that cannot succeed fails on a read first.
    if (staged.length > 0) await this.checkPreconditions(pk, planned);
    const nowMs = Date.now();
    const staging = await Promise.allSettled(
      staged.map(async (p) => {
        p.large = await this.placement.stage({ pk, headSk: sortKeyOf(p.write.key), value: (p.write as PutWrite).value, nowMs });
      }),
    );
    const failedStage = staging.find((r) => r.status === 'rejected');
    if (failedStage) {
      // Nothing was committed: the values that did stage can go now (a failed stage cleans up after itself).
      await this.discard(
        pk,
        staged.flatMap((p) => (p.large ? [p.large] : [])),
      );
      throw failedStage.reason;
    }
    try {
      await this.commit(pk, planned, 'conflict');
    } catch (e) {
      // A definite conflict wrote nothing: our staged values can go now. After any other failure
      // the commit may have happened (ambiguous), so they are left to the sweeper, which checks.
      if (isVssError(e) && e.code === ErrorCode.CONFLICT_EXCEPTION)
        await this.discard(
          pk,
          staged.map((p) => p.large!),
        );
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
    const planned: PlannedWrite = { write, seq: 0n, outOfLine: false, large: undefined, expectLarge: null, replaces: undefined };
    // DeleteObject never conflicts (docs/protocol.md §3.3): a failed precondition deletes nothing.
    const done = await this.commit(pk, [planned], 'silent');
    if (done) await this.cleanUp(pk, planned.replaces ? [planned.replaces] : []);
  }

  /**
   * Version and value length of the records that exist now among `keys`, without their values
   * (for usage metering): one strongly consistent BatchGetItem per 100 keys.
   */
  async heads(scope: Scope, keys: readonly string[]): Promise<Map<string, RecordHead>> {
    const pk = partitionKeyOf(scope);
    const found = new Map<string, RecordHead>();
    const byHex = new Map(keys.map((k) => [Buffer.from(sortKeyOf(k)).toString('hex'), k]));
    const items = [...byHex.keys()].map((hex) => ({ [NAMES['#pk']]: { S: pk }, [NAMES['#sk']]: { B: Buffer.from(hex, 'hex') } }));
    const projection = {
      expression: '#sk, #ver, #val, #lv',
      names: { '#sk': NAMES['#sk'], '#ver': A.version, '#val': A.value, '#lv': A.largeValue },
    };
    await batchGetConsistent(this.table, items, projection, (item) => {
      const key = byHex.get(Buffer.from(item[NAMES['#sk']]!.B!).toString('hex'))!;
      found.set(key, { version: BigInt(item[A.version]?.N ?? '0'), valueBytes: valueBytesOf(item) });
    });
    return found;
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
   * Decides where each value goes: inline when the head item fits (inlineMaxBytes, at most
   * 400 KB), otherwise out of line in the placement's write tier. For a transaction, the largest
   * inline values also go out of line until the heads fit in the 4 MB a transaction may carry;
   * staging happens outside it, so any mix fits.
   */
  private plan(pk: string, writes: readonly KeyWrite[], firstSeq: bigint): PlannedWrite[] {
    const planned: PlannedWrite[] = writes.map((write, i) => ({
      write,
      seq: firstSeq + BigInt(i),
      outOfLine: false,
      large: undefined,
      expectLarge: null,
      replaces: undefined,
    }));
    const descriptorBytes = this.placement.writeTier.descriptorBytes;
    const headBytes = (p: PlannedWrite): number => {
      const w = p.write;
      const sk = sortKeyOf(w.key);
      if (w.kind === 'delete') return keyBytes(pk, sk);
      return p.outOfLine ? outOfLineHeadBytes(pk, sk, descriptorBytes) : inlineHeadBytes(pk, sk, w.value.length);
    };
    for (const p of planned) {
      if (p.write.kind === 'put' && headBytes(p) > this.inlineMaxBytes) p.outOfLine = true;
    }
    if (planned.length > 1) {
      let total = planned.reduce((sum, p) => sum + headBytes(p), 0);
      const inlineBySize = planned
        .filter((p) => p.write.kind === 'put' && !p.outOfLine)
        .sort((a, b) => (b.write as PutWrite).value.length - (a.write as PutWrite).value.length);
      for (const p of inlineBySize) {
        if (total <= MAX_TRANSACTION_BYTES) break;
        const before = headBytes(p);
        p.outOfLine = true;
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
    const started = this.table.now();
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
        const current = valueRefOf(old);
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
      if (this.table.now() - started > this.table.retry.budgetMs) throw internalError();
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
      const replaced = valueRefOf(out.Attributes);
      // After an ambiguous fault the item may already be our own write: its value stays. (What
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
        names['#lvid'] = VALUE_REF_ID_NAME;
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
        values[':lvref'] = valueRefAttribute(p.large);
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

  /** Best-effort removal of staged values nobody points at; what fails here the sweeper finishes. */
  private async cleanUp(pk: string, refs: readonly ValueRef[]): Promise<void> {
    await Promise.all(
      refs.map((ref) =>
        this.placement.remove(pk, ref).catch((e: unknown) => {
          this.onCleanupFailure?.(e);
        }),
      ),
    );
  }

  /** Best effort, for staged values of a write that definitely did not commit. */
  private async discard(pk: string, refs: readonly ValueRef[]): Promise<void> {
    await Promise.all(
      refs.map((ref) =>
        this.placement.discard(pk, ref).catch((e: unknown) => {
          this.onCleanupFailure?.(e);
        }),
      ),
    );
  }

  private keyOf(scope: Scope, key: string): Record<string, AttributeValue> {
    return { [TABLE_LAYOUT.partitionKey.name]: { S: partitionKeyOf(scope) }, [TABLE_LAYOUT.sortKey.name]: { B: sortKeyOf(key) } };
  }

  private run<T extends { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }>(
    command: TableCommand,
    send: (ctx: AttemptContext) => Promise<T>,
  ): Promise<T> {
    return this.table.run(command, send);
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

/** A write being committed: its head's creation position and value placement. */
interface PlannedWrite {
  readonly write: KeyWrite;
  readonly seq: bigint;
  /** The value goes out of line (staged before the commit). */
  outOfLine: boolean;
  /** Its descriptor, once staged. */
  large: ValueRef | undefined;
  /** The large value the head is expected to hold now (null: none); corrected from ALL_OLD. */
  expectLarge: Uint8Array | null;
  /** The large value this write replaces, to clean up after the commit. */
  replaces: ValueRef | undefined;
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
  if (p.large) return sameId(valueRefOf(item)?.id, p.large.id);
  const val = item[A.value]?.B;
  return val !== undefined && Buffer.from(val).equals(Buffer.from(w.value));
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
