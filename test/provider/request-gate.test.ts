/**
 * The per-user rate limiter on the engines with an injected clock: the allowance is shared by
 * instances, windows roll over, a refused user costs no more DynamoDB requests until its window
 * ends, counts equal admitted requests, and a DynamoDB fault never refuses a request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ErrorCode, isVssError } from '../../lambda/core/errors.js';
import { daySortKey, dayOf, userPartitionKey } from '../../lambda/provider/meta-keys.js';
import { providerSettingsFromEnv } from '../../lambda/provider/provider.js';
import { RequestGate, windowOf } from '../../lambda/provider/request-gate.js';
import { TableClient } from '../../lambda/store/table-client.js';
import { localClient } from '../../local/engines.js';
import { ensureTable } from '../../local/table.js';
import { primaryEngine } from '../support/local-vss.js';

const T0 = Date.UTC(2026, 0, 2, 12, 0, 0);

async function outcome(p: Promise<void>): Promise<'ok' | 429> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (isVssError(e) && e.status === 429 && e.code === ErrorCode.INTERNAL_SERVER_EXCEPTION) return 429;
    throw e;
  }
}

describe.each([primaryEngine()])('request gate on $name', (engine) => {
  let client: DynamoDBClient;
  const tableName = `gate-${randomUUID()}`;
  let requests = 0;
  let table: TableClient;

  beforeAll(async () => {
    client = localClient(engine.endpoint);
    await ensureTable(client, tableName);
    table = new TableClient({ client, tableName, onRequest: () => void requests++ });
  });
  afterAll(() => client?.destroy());

  it('shares one allowance per window between instances, then admits again in the next window', async () => {
    let now = T0;
    const settings = { perSecond: 2, burst: 4 };
    const { windowMs, allowance } = windowOf(settings);
    expect({ windowMs, allowance }).toEqual({ windowMs: 2000, allowance: 4 });
    const a = new RequestGate({ table, rateLimit: settings, now: () => now });
    const b = new RequestGate({ table, rateLimit: settings, now: () => now });
    const user = `u-${randomUUID()}`;
    const first = [];
    for (let i = 0; i < 6; i++) first.push(await outcome((i % 2 ? a : b).admit(user)));
    expect(first.filter((o) => o === 'ok')).toHaveLength(4);
    expect(first.slice(4)).toEqual([429, 429]);
    now += windowMs;
    expect(await outcome(a.admit(user))).toBe('ok');
    expect(await outcome(b.admit(user))).toBe('ok');
    // Another user has its own allowance.
    expect(await outcome(a.admit(`other-${randomUUID()}`))).toBe('ok');
  });

  it('counts a request computed in an older window against the newer stored one', async () => {
    const settings = { perSecond: 2 };
    const { windowMs } = windowOf(settings);
    const ahead = new RequestGate({ table, rateLimit: settings, now: () => T0 + 5 * windowMs });
    const behind = new RequestGate({ table, rateLimit: settings, now: () => T0 + 4 * windowMs + windowMs - 1 });
    const user = `u-${randomUUID()}`;
    expect(await outcome(ahead.admit(user))).toBe('ok');
    expect(await outcome(behind.admit(user))).toBe('ok'); // the second of the newer window's two
    expect(await outcome(ahead.admit(user))).toBe(429);
    expect(await outcome(behind.admit(user))).toBe(429);
  });

  it('refuses a flooding user locally until its window ends, and counts only admitted requests', async () => {
    const now = T0 + 10 * 60_000;
    const gate = new RequestGate({ table, rateLimit: { perSecond: 3 }, now: () => now });
    const user = `u-${randomUUID()}`;
    for (let i = 0; i < 3; i++) expect(await outcome(gate.admit(user))).toBe('ok');
    expect(await outcome(gate.admit(user))).toBe(429);
    const before = requests;
    for (let i = 0; i < 20; i++) expect(await outcome(gate.admit(user))).toBe(429);
    expect(requests).toBe(before); // no DynamoDB request while refused locally
    const item = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: userPartitionKey(user) }, sk: { B: daySortKey(dayOf(now)) } },
        ConsistentRead: true,
      }),
    );
    expect(item.Item?.['n']?.N).toBe('3');
  });

  it('lets requests through and reports the fault when DynamoDB fails (fail open)', async () => {
    const broken = new TableClient({
      client,
      tableName: `missing-${randomUUID()}`,
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 1 },
    });
    const errors: unknown[] = [];
    const gate = new RequestGate({ table: broken, rateLimit: { perSecond: 1 }, onError: (_u, e) => errors.push(e) });
    expect(await outcome(gate.admit('someone'))).toBe('ok');
    expect(await outcome(gate.admit('someone'))).toBe('ok');
    expect(errors).toHaveLength(2);
  });
});

describe('provider settings from the environment', () => {
  it('reads every variable and rejects malformed values naming the variable', () => {
    expect(providerSettingsFromEnv({})).toEqual({});
    expect(
      providerSettingsFromEnv({
        VSS_QUOTA_MAX_KEYS: '10',
        VSS_QUOTA_SOFT_PERCENT: '90',
        VSS_RATE_LIMIT_PER_USER: '2.5',
        VSS_RATE_LIMIT_BURST: '5',
        VSS_USAGE_METERING: 'true',
      }),
    ).toEqual({
      usageMetering: true,
      quota: { maxKeys: 10, maxBytes: 0, softThresholdPercent: 90 },
      rateLimit: { perSecond: 2.5, burst: 5 },
    });
    expect(() => providerSettingsFromEnv({ VSS_QUOTA_MAX_BYTES: '1.5' })).toThrow(/VSS_QUOTA_MAX_BYTES/);
    expect(() => providerSettingsFromEnv({ VSS_RATE_LIMIT_PER_USER: '-1' })).toThrow(/VSS_RATE_LIMIT_PER_USER/);
  });
});
