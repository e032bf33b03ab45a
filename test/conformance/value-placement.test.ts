/**
 * The value-placement port (lambda/store/value-placement.ts): descriptors, the upgrade promise
 * (a head written by the release before tiers existed reads back, and is removed, as chunks), and
 * a second tier plugged into the store beside the chunks, as the object tier will be.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes, randomUUID } from 'node:crypto';
import { PutItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ErrorCode, isVssError } from '../../lambda/core/errors.js';
import { DynamoDbStore, type DynamoDbRequestEvent } from '../../lambda/store/dynamodb-store.js';
import { partitionKeyOf, sortKeyOf } from '../../lambda/store/keys.js';
import { CHUNK_BYTES, ChunkTier, chunkSortKey } from '../../lambda/store/large-values.js';
import {
  CHUNKS_TIER,
  ValuePlacement,
  valueBytesOf,
  valueRefAttribute,
  valueRefOf,
  type StageRequest,
  type ValueRef,
  type ValueTier,
} from '../../lambda/store/value-placement.js';
import { localClient } from '../../local/engines.js';
import { ensureTable } from '../../local/table.js';
import { engines } from '../support/local-vss.js';

const id = Uint8Array.from({ length: 16 }, (_, i) => i + 1);

describe('descriptors', () => {
  it('a descriptor without a tier tag (every one written before tiers existed) is a chunk descriptor', () => {
    const ref = valueRefOf({ lv: { M: { id: { B: id }, n: { N: '3' }, len: { N: '1000000' } } } });
    expect(ref).toEqual({ tier: CHUNKS_TIER, id, bytes: 1_000_000, fields: { n: { N: '3' } } });
  });

  it('a chunk descriptor is written exactly as before: {id, n, len}, no tag', () => {
    const attr = valueRefAttribute({ tier: CHUNKS_TIER, id, bytes: 5, fields: { n: { N: '1' } } });
    expect(attr).toEqual({ M: { id: { B: id }, n: { N: '1' }, len: { N: '5' } } });
  });

  it("another tier's descriptor carries its tag and its own fields, and reads back the same", () => {
    const ref: ValueRef = { tier: 'object', id, bytes: 42, fields: { key: { S: 'u/abc' }, sha: { B: new Uint8Array(32) } } };
    const attr = valueRefAttribute(ref);
    expect(attr.M?.['t']).toEqual({ S: 'object' });
    expect(valueRefOf({ lv: attr })).toEqual(ref);
  });

  it('a value length comes from the descriptor, or from the inline value', () => {
    expect(valueBytesOf({ val: { B: new Uint8Array(7) } })).toBe(7);
    expect(valueBytesOf({ lv: valueRefAttribute({ tier: 'object', id, bytes: 9_000_000, fields: {} }) })).toBe(9_000_000);
    expect(valueBytesOf({})).toBe(0);
  });

  it('a descriptor of a tier this release does not know is an internal error, never a guess', async () => {
    const memory = new MemoryTier();
    const p = new ValuePlacement([memory], 'memory');
    const e = await p.read('pk', { tier: 'future', id, bytes: 1, fields: {} }).catch((x: unknown) => x);
    expect(isVssError(e) && e.code).toBe(ErrorCode.INTERNAL_SERVER_EXCEPTION);
    expect(() => new ValuePlacement([memory], 'chunks')).toThrow(/no value tier named "chunks"/);
  });

  it('a chunk descriptor that does not name its chunks is refused, not read or removed by guess', async () => {
    const e = await new ChunkTier(undefined as never)
      .remove('pk', { tier: CHUNKS_TIER, id, bytes: 1, fields: {} })
      .catch((x: unknown) => x);
    expect(isVssError(e) && e.code).toBe(ErrorCode.INTERNAL_SERVER_EXCEPTION);
  });
});

/** A tier in memory: stands in for any second tier (the object tier will be one). */
class MemoryTier implements ValueTier {
  readonly name = 'memory';
  readonly descriptorBytes = 64;
  readonly objects = new Map<string, Uint8Array>();
  async stage(r: StageRequest): Promise<ValueRef> {
    const ref = { tier: this.name, id: randomBytes(16), bytes: r.value.length, fields: {} };
    this.objects.set(Buffer.from(ref.id).toString('hex'), Uint8Array.from(r.value));
    return ref;
  }
  async read(_pk: string, ref: ValueRef): Promise<Uint8Array | undefined> {
    return this.objects.get(Buffer.from(ref.id).toString('hex'));
  }
  async remove(_pk: string, ref: ValueRef): Promise<void> {
    this.objects.delete(Buffer.from(ref.id).toString('hex'));
  }
}

describe.each(engines())('value placement on $name', (engine) => {
  let client: DynamoDBClient;
  const tableName = `placement-${randomUUID()}`;

  beforeAll(async () => {
    client = localClient(engine.endpoint);
    await ensureTable(client, tableName);
  });
  afterAll(() => client?.destroy());

  const partition = async (pk: string) =>
    (
      await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': 'pk' },
          ExpressionAttributeValues: { ':pk': { S: pk } },
          ConsistentRead: true,
        }),
      )
    ).Items ?? [];

  it('a large value written by the previous release (untagged chunk descriptor) reads back, is sized, and is removed when replaced', async () => {
    const scope = { userToken: 'u', storeId: `s-${randomUUID()}` };
    const pk = partitionKeyOf(scope);
    const value = randomBytes(CHUNK_BYTES + 1234);
    // The previous release's items, written raw: two chunks and a head {ver, seq, lv: {id, n, len}}.
    for (let i = 0; i < 2; i++) {
      const part = value.subarray(i * CHUNK_BYTES, Math.min(value.length, (i + 1) * CHUNK_BYTES));
      await client.send(
        new PutItemCommand({ TableName: tableName, Item: { pk: { S: pk }, sk: { B: chunkSortKey(id, i) }, val: { B: part } } }),
      );
    }
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: pk },
          sk: { B: sortKeyOf('old') },
          ver: { N: '4' },
          seq: { N: '1' },
          lv: { M: { id: { B: id }, n: { N: '2' }, len: { N: String(value.length) } } },
        },
      }),
    );
    const store = new DynamoDbStore({ client, tableName });
    const got = await store.get(scope, 'old');
    expect(got?.version).toBe(4n);
    expect(Buffer.from(got!.value).equals(value)).toBe(true);
    expect(await store.heads(scope, ['old', 'missing'])).toEqual(new Map([['old', { version: 4n, valueBytes: value.length }]]));

    await store.write(scope, [
      {
        kind: 'put',
        key: 'old',
        version: 5n,
        value: Buffer.from('small'),
        precondition: { kind: 'version', version: 4n },
        recreated: false,
      },
    ]);
    expect((await partition(pk)).map((item) => Buffer.from(item['sk']!.B!).toString())).toEqual(['old']);
  });

  it('a second tier plugs into the store: large values go there (tagged), small values stay inline at one request, replaced values are removed', async () => {
    const memory = new MemoryTier();
    const requests: DynamoDbRequestEvent[] = [];
    const store = new DynamoDbStore({
      client,
      tableName,
      inlineMaxBytes: 4096,
      placement: (table) => new ValuePlacement([new ChunkTier(table), memory], memory.name),
      onRequest: (e) => requests.push(e),
    });
    const scope = { userToken: 'u', storeId: `s-${randomUUID()}` };
    const pk = partitionKeyOf(scope);

    await store.write(scope, [
      { kind: 'put', key: 'small', version: 0n, value: randomBytes(100), precondition: { kind: 'none' }, recreated: false },
    ]);
    expect(requests.map((r) => r.command)).toEqual(['UpdateItem']);

    const big = randomBytes(10_000);
    await store.write(scope, [{ kind: 'put', key: 'big', version: 0n, value: big, precondition: { kind: 'none' }, recreated: false }]);
    expect(memory.objects.size).toBe(1);
    const head = (await partition(pk)).find((item) => Buffer.from(item['sk']!.B!).toString() === 'big')!;
    expect(head['lv']?.M?.['t']).toEqual({ S: 'memory' });
    expect(head['val']).toBeUndefined();
    expect(Buffer.from((await store.get(scope, 'big'))!.value).equals(big)).toBe(true);
    expect((await store.heads(scope, ['big'])).get('big')?.valueBytes).toBe(10_000);

    await store.write(scope, [
      { kind: 'put', key: 'big', version: 0n, value: randomBytes(20_000), precondition: { kind: 'none' }, recreated: false },
    ]);
    expect(memory.objects.size).toBe(1); // the replaced value is gone, the new one is there
    await store.deleteIfVersion(scope, 'big', 'any');
    expect(memory.objects.size).toBe(0);
    // No chunk items were ever written: only the small record's head is left.
    expect((await partition(pk)).map((item) => Buffer.from(item['sk']!.B!).toString())).toEqual(['small']);
  });
});
