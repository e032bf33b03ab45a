/**
 * Storage quotas and usage accounting over HTTP through the local server, on the primary engine,
 * with signature-mode users (docs/provider.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { ErrorCode } from '../../lambda/core/errors.js';
import { UsageLedger } from '../../lambda/provider/usage-ledger.js';
import { TableClient } from '../../lambda/store/table-client.js';
import type { LocalVss } from '../../local/app.js';
import { kv, startVssOn, primaryEngine } from '../support/local-vss.js';
import { census, decodeError, expectStatus, SigUser } from './support.js';

const MAX_KEYS = 6;
const MAX_BYTES = 3000;

describe.each([primaryEngine()])('storage quotas on $name', (engine) => {
  let local: LocalVss;
  let ledger: UsageLedger;

  beforeAll(async () => {
    local = await startVssOn(engine, {
      auth: 'signature',
      provider: { quota: { maxKeys: MAX_KEYS, maxBytes: MAX_BYTES } },
      providerObservers: { onEvent: () => {} },
      sweepIntervalMs: 0,
    });
    ledger = new UsageLedger(new TableClient({ client: local.client, tableName: local.tableName }));
  });
  afterAll(async () => {
    await local?.stop();
  });

  it('refuses writes past the key limit with a non-retried error naming the limit and usage, while another user is unaffected', async () => {
    const a = new SigUser().client(local.url, 'wallet');
    const b = new SigUser().client(local.url, 'wallet');
    for (let i = 0; i < MAX_KEYS; i++) expectStatus(await a.put([kv(`k${i}`, 0, 'v')]), 200);
    const refused = await a.put([kv('one-more', 0, 'v')]);
    expect(refused.status).toBe(400);
    expect(refused.protocolVersion).toBe('0');
    const err = decodeError(refused);
    expect(err.errorCode).toBe(ErrorCode.INVALID_REQUEST_EXCEPTION);
    expect(err.message).toContain(`max_keys limit is ${MAX_KEYS}`);
    expect(err.message).toContain(`now stores ${MAX_KEYS} keys`);
    expect(await a.getValue('one-more')).toBe(404);
    // A second user has its own usage.
    for (let i = 0; i < MAX_KEYS; i++) expectStatus(await b.put([kv(`k${i}`, 0, 'v')]), 200);
  });

  it('accepts, at the limit, in-place overwrites that do not grow usage, deletes, delete_items, and then new writes again', async () => {
    const a = new SigUser().client(local.url, 's');
    for (let i = 0; i < MAX_KEYS; i++) expectStatus(await a.put([kv(`k${i}`, 0, 'abc')]), 200);
    expectStatus(await a.put([kv('k0', 1, 'xyz')]), 200); // same size
    expectStatus(await a.put([kv('k1', -1, 'a')]), 200); // shrinks
    expectStatus(await a.delete('k3', -1), 200);
    expectStatus(await a.put([kv('new', 0, 'v')]), 200); // room for one key again
    expectStatus(await a.put([kv('new2', 0, 'v')]), 400);
    expectStatus(await a.put([], { deletes: [kv('k4', -1)] }), 200);
    // Replace one key by another in one request: keys do not grow.
    expectStatus(await a.put([kv('swap', 0, 'v')], { deletes: [kv('k5', -1)] }), 200);
  });

  it('refuses writes past the byte limit, counting key and value bytes, and accepts them again after a delete', async () => {
    const user = new SigUser();
    const a = user.client(local.url, 'bytes');
    const value = randomBytes(1000 - 2); // key "kN" (2 bytes) + 998 = 1000 bytes per record
    for (let i = 0; i < 3; i++) expectStatus(await a.put([kv(`k${i}`, 0, value)]), 200);
    const refused = await a.put([kv('k3', 0, 'x')]);
    expectStatus(refused, 400);
    expect(decodeError(refused).message).toMatch(
      /max_bytes limit is 3000; the user now stores 3 keys and 3000 bytes, and this write adds 3 bytes/,
    );
    expect((await ledger.readUsage(user.token)).bytes).toBe(3000);
    expectStatus(await a.put([kv('k0', 1, value)]), 200); // same size again
    expectStatus(await a.delete('k1', -1), 200);
    expectStatus(await a.put([kv('k3', 0, 'x')]), 200);
    const usage = await ledger.readUsage(user.token);
    expect({ keys: usage.keys, bytes: usage.bytes }).toEqual(
      await census(local.client, local.tableName, user.token, 'bytes').then((c) => ({ keys: c.keys, bytes: c.bytes })),
    );
  });

  it('holds concurrent writers of one user within the documented bound: at most (writers − 1) requests past the limit', async () => {
    const user = new SigUser();
    const writers = 8;
    const c = user.client(local.url, 'race');
    expectStatus(await c.put([kv('seed', 0, 'v')]), 200);
    // Every writer races for the remaining MAX_KEYS − 1 slots, one new key per request.
    const results = await Promise.all(Array.from({ length: writers * 2 }, (_, i) => c.put([kv(`w${i}`, 0, 'v')])));
    for (const r of results) expect([200, 400]).toContain(r.status);
    const stored = await census(local.client, local.tableName, user.token, 'race');
    expect(stored.keys).toBeGreaterThanOrEqual(MAX_KEYS);
    expect(stored.keys).toBeLessThanOrEqual(MAX_KEYS + writers * 2 - 1);
    const usage = await ledger.readUsage(user.token);
    expect(usage.keys).toBe(stored.keys);
    // Past the limit nothing more gets in.
    expectStatus(await c.put([kv('late', 0, 'v')]), 400);
  });
});
