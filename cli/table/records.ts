/**
 * Writing and deleting records in bulk (pg-import), with the production store's own encodings and
 * layout: keys.ts for the partition and sort keys, table-layout.ts for attribute names, and the
 * value-placement port for values that do not fit their head (so the service reads back exactly
 * what was written, and decides inline or out of line exactly as the store does).
 *
 * A record is written with one conditional UpdateItem that never replaces a newer version:
 *   attribute_not_exists(pk) OR ver < :ver OR (ver = :ver AND the stored record differs)
 * so re-runs converge and cost nothing for records already in place. (BatchWriteItem cannot
 * carry a condition, and a transaction would double the write cost for no atomicity we need:
 * every record stands on its own.) The creation position (`seq`) is written as given.
 * Throttling and transient faults are retried with backoff (bulk-table.ts).
 */
import { DeleteItemCommand, GetItemCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { GLOBAL_VERSION_KEY } from '../../lambda/core/limits.js';
import { inlineHeadBytes } from '../../lambda/store/item-size.js';
import { partitionKeyOf, sortKeyOf } from '../../lambda/store/keys.js';
import { GLOBAL_VERSION_SEQ } from '../../lambda/store/seq-clock.js';
import { TABLE_LAYOUT } from '../../lambda/store/table-layout.js';
import { sameId, valueRefAttribute, valueRefOf } from '../../lambda/store/value-placement.js';
import type { BulkTable } from './bulk-table.js';

const A = TABLE_LAYOUT.attributes;
const PK = TABLE_LAYOUT.partitionKey.name;
const SK = TABLE_LAYOUT.sortKey.name;

export interface Record_ {
  readonly userToken: string;
  readonly storeId: string;
  readonly key: string;
  readonly version: bigint;
  readonly value: Uint8Array;
}

/** A record as pg-import writes it: with its creation position (the reference's sort_order). */
export interface SeqRecord extends Record_ {
  readonly seq: bigint;
}

export type WriteOutcome = 'written' | 'unchanged' | 'newer';

/** The creation position a record gets: the global-version record always sits on top. */
export function seqFor(key: string, sortOrder: bigint): bigint {
  return key === GLOBAL_VERSION_KEY ? GLOBAL_VERSION_SEQ : sortOrder;
}

const isConditionFailure = (e: unknown): boolean => (e as { name?: string })?.name === 'ConditionalCheckFailedException';

/** Writes one record unless the table holds a newer version (or exactly this record already). */
export async function writeRecord(t: BulkTable, r: SeqRecord): Promise<WriteOutcome> {
  const pk = partitionKeyOf({ userToken: r.userToken, storeId: r.storeId });
  const sk = sortKeyOf(r.key);
  const key = { [PK]: { S: pk }, [SK]: { B: sk } };
  const ver = { N: r.version.toString() };
  const seq = { N: r.seq.toString() };

  if (inlineHeadBytes(pk, sk, r.value.length) <= t.inlineMaxBytes) {
    try {
      const old = await conditionalUpdate(
        t,
        key,
        'SET #ver = :ver, #val = :val, #seq = :seq REMOVE #lv',
        'attribute_not_exists(#pk) OR #ver < :ver OR (#ver = :ver AND (attribute_exists(#lv) OR attribute_not_exists(#val) OR #val <> :val OR #seq <> :seq))',
        { ':ver': ver, ':val': { B: r.value }, ':seq': seq },
      );
      await dropReplaced(t, pk, old, undefined);
      return 'written';
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      return outcomeOfFailure(e, r.version);
    }
  }

  // A large value: compare before staging it, so a re-run does not rewrite megabytes.
  const head = (
    await t.run('GetItem', () =>
      t.client.send(new GetItemCommand({ TableName: t.tableName, Key: key, ConsistentRead: true, ReturnConsumedCapacity: 'TOTAL' })),
    )
  ).Item;
  if (head) {
    const stored = BigInt(head[A.version]!.N!);
    if (stored > r.version) return 'newer';
    const ref = valueRefOf(head);
    if (stored === r.version && head[A.seq]?.N === seq.N && ref && ref.bytes === r.value.length) {
      const value = await t.placement.read(pk, ref);
      if (value && Buffer.from(value).equals(Buffer.from(r.value))) return 'unchanged';
    }
  }
  const ref = await t.placement.stage({ pk, headSk: sk, value: r.value, nowMs: Date.now() });
  try {
    const old = await conditionalUpdate(
      t,
      key,
      'SET #ver = :ver, #lv = :lv, #seq = :seq REMOVE #val',
      'attribute_not_exists(#pk) OR #ver <= :ver',
      {
        ':ver': ver,
        ':lv': valueRefAttribute(ref),
        ':seq': seq,
      },
    );
    await dropReplaced(t, pk, old, ref.id);
    return 'written';
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
    const old = (e as { Item?: Record<string, AttributeValue> }).Item;
    // Our own earlier attempt committed (a retry after a lost response): it is written.
    if (sameId(valueRefOf(old)?.id, ref.id)) return 'written';
    await t.placement.remove(pk, ref).catch(() => undefined); // else the sweeper removes it
    return 'newer';
  }
}

/**
 * Deletes a record if it still holds the version seen (a concurrent write wins), and its large
 * value. Returns whether it was deleted.
 */
export async function deleteRecord(t: BulkTable, r: Record_): Promise<boolean> {
  const pk = partitionKeyOf({ userToken: r.userToken, storeId: r.storeId });
  try {
    const out = await t.run('DeleteItem', () =>
      t.client.send(
        new DeleteItemCommand({
          TableName: t.tableName,
          Key: { [PK]: { S: pk }, [SK]: { B: sortKeyOf(r.key) } },
          ConditionExpression: '#ver = :ver',
          ExpressionAttributeNames: { '#ver': A.version },
          ExpressionAttributeValues: { ':ver': { N: r.version.toString() } },
          ReturnValues: 'ALL_OLD',
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    await dropReplaced(t, pk, out.Attributes, undefined);
    return true;
  } catch (e) {
    if (isConditionFailure(e)) return false;
    throw e;
  }
}

const HEAD_NAMES = { '#pk': PK, '#ver': A.version, '#val': A.value, '#lv': A.largeValue, '#seq': A.seq };

/** One conditional UpdateItem of a head; returns the item it replaced (ALL_OLD). */
async function conditionalUpdate(
  t: BulkTable,
  key: Record<string, AttributeValue>,
  update: string,
  condition: string,
  values: Record<string, AttributeValue>,
): Promise<Record<string, AttributeValue> | undefined> {
  const out = await t.run('UpdateItem', () =>
    t.client.send(
      new UpdateItemCommand({
        TableName: t.tableName,
        Key: key,
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeNames: HEAD_NAMES,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        ReturnConsumedCapacity: 'TOTAL',
      }),
    ),
  );
  return out.Attributes;
}

function outcomeOfFailure(e: unknown, version: bigint): WriteOutcome {
  const old = (e as { Item?: Record<string, AttributeValue> }).Item;
  const stored = old?.[A.version]?.N;
  return stored !== undefined && BigInt(stored) > version ? 'newer' : 'unchanged';
}

/** Removes the large value that a write replaced (what the store does after a commit). */
async function dropReplaced(
  t: BulkTable,
  pk: string,
  old: Record<string, AttributeValue> | undefined,
  keep: Uint8Array | undefined,
): Promise<void> {
  const ref = valueRefOf(old);
  if (!ref || sameId(ref.id, keep)) return;
  // Best effort: what fails here, the tier's sweeping removes later.
  await t.placement.remove(pk, ref).catch(() => undefined);
}
