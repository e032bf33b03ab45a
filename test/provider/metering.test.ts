/**
 * The metering decorator's rules on their own: how a folded write changes usage, the quota
 * decision and its message, and that a failed counter update never fails an acknowledged write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ErrorCode, isVssError } from '../../lambda/core/errors.js';
import { deltaOf, MeteringStore } from '../../lambda/provider/metering-store.js';
import type { ProviderEvent } from '../../lambda/provider/events.js';
import { checkQuota, limitsFor, nearQuota } from '../../lambda/provider/quota.js';
import { UsageLedger, type UsageDelta } from '../../lambda/provider/usage-ledger.js';
import { TableClient } from '../../lambda/store/table-client.js';
import { DynamoDbStore } from '../../lambda/store/dynamodb-store.js';
import { localClient } from '../../local/engines.js';
import { ensureTable } from '../../local/table.js';
import { primaryEngine } from '../support/local-vss.js';

const put = (key: string, bytes: number) => ({
  kind: 'put' as const,
  key,
  precondition: { kind: 'none' as const },
  version: 1n,
  value: new Uint8Array(bytes),
  recreated: false,
});
const del = (key: string) => ({ kind: 'delete' as const, key, precondition: { kind: 'none' as const } });

describe('usage deltas and quota decisions', () => {
  it('counts a new key, an overwrite by its size difference, a delete of what existed, and nothing for a missing key', () => {
    const heads = new Map([
      ['old', { version: 1n, bytes: 3 + 10 }],
      ['gone', { version: 1n, bytes: 4 + 7 }],
    ]);
    expect(deltaOf([put('new', 5)], heads)).toEqual({ keys: 1, bytes: 3 + 5 });
    expect(deltaOf([put('old', 4)], heads)).toEqual({ keys: 0, bytes: -6 });
    expect(deltaOf([del('gone'), del('missing')], heads)).toEqual({ keys: -1, bytes: -11 });
    expect(deltaOf([put('', 2)], new Map())).toEqual({ keys: 1, bytes: 1 + 2 }); // the empty key is stored as one byte
  });

  it('refuses only growth past a limit, naming the limit and the usage; per-user overrides win over the default', () => {
    const usage = { keys: 10, bytes: 1000, stores: [] };
    const limits = limitsFor({ maxKeys: 10, maxBytes: 5000 }, usage);
    const refusal = (d: UsageDelta): string | undefined => {
      try {
        checkQuota(limits, usage, d);
        return undefined;
      } catch (e) {
        expect(isVssError(e) && e.code === ErrorCode.INVALID_REQUEST_EXCEPTION && e.status === 400).toBe(true);
        return (e as Error).message;
      }
    };
    expect(refusal({ keys: 1, bytes: 1 })).toBe(
      'Storage quota exceeded: max_keys limit is 10; the user now stores 10 keys and 1000 bytes, and this write adds 1. Deletes and writes that do not grow usage are still accepted.',
    );
    expect(refusal({ keys: 0, bytes: 4000 })).toBeUndefined();
    expect(refusal({ keys: 0, bytes: 4001 })).toMatch(/max_bytes limit is 5000/);
    expect(refusal({ keys: -1, bytes: 4100 })).toMatch(/max_bytes/);
    expect(refusal({ keys: 0, bytes: -10 })).toBeUndefined();
    expect(limitsFor({ maxKeys: 10 }, { ...usage, maxKeys: 0, maxBytes: 7 })).toEqual({ maxKeys: 0, maxBytes: 7 });
    expect(nearQuota({ maxKeys: 10, maxBytes: 0 }, 8, 1_000_000)).toBe('keys');
    expect(nearQuota({ maxKeys: 10, maxBytes: 0 }, 7, 1_000_000)).toBeUndefined();
    expect(nearQuota({ maxKeys: 0, maxBytes: 100 }, 0, 90, 90)).toBe('bytes');
  });
});

describe.each([primaryEngine()])('metering faults on $name', (engine) => {
  let client: DynamoDBClient;
  const tableName = `metering-${randomUUID()}`;

  beforeAll(async () => {
    client = localClient(engine.endpoint);
    await ensureTable(client, tableName);
  });
  afterAll(() => client?.destroy());

  it('acknowledges a committed write whose usage update failed, and reports the failure', async () => {
    class FailingLedger extends UsageLedger {
      override add(): Promise<void> {
        return Promise.reject(Object.assign(new Error('boom'), { name: 'InternalServerError' }));
      }
    }
    const events: ProviderEvent[] = [];
    const inner = new DynamoDbStore({ client, tableName });
    const store = new MeteringStore({
      inner,
      ledger: new FailingLedger(new TableClient({ client, tableName })),
      quota: { maxKeys: 100 },
      onEvent: (e) => events.push(e),
    });
    const scope = { userToken: 'u', storeId: 's' };
    await store.write(scope, [put('k', 3)]);
    expect((await inner.get(scope, 'k'))?.value.length).toBe(3);
    await store.deleteIfVersion(scope, 'k', 'any');
    expect(await inner.get(scope, 'k')).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(['usage-update-failed', 'usage-update-failed']);
  });

  it('refuses a user id that is not valid Unicode before registering anything', async () => {
    let requests = 0;
    const table = new TableClient({ client, tableName, onRequest: () => void requests++ });
    const store = new MeteringStore({ inner: new DynamoDbStore({ client, tableName }), ledger: new UsageLedger(table) });
    await expect(store.write({ userToken: '\ud800', storeId: 's' }, [put('k', 1)])).rejects.toMatchObject({
      code: ErrorCode.AUTH_EXCEPTION,
    });
    expect(requests).toBe(0);
  });
});
