/**
 * Usage figures against the stored data, the usage report, and erasing a user, on the primary
 * engine (test/support/local-vss.ts), over HTTP through the local server and with the `vss admin` commands on its engine endpoint.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { Command } from 'commander';
import { ErrorCode } from '../../lambda/core/errors.js';
import { registryKeyOf, userPartitionKey } from '../../lambda/provider/meta-keys.js';
import { defaultAuditLogPath, registerAdminCommands } from '../../cli/commands/admin/index.js';
import { userReport } from '../../cli/admin/usage-report.js';
import { eraseUser } from '../../cli/admin/erase-user.js';
import { DynamoDbStore } from '../../lambda/store/dynamodb-store.js';
import { userObjectPrefix } from '../../lambda/store/object-keys.js';
import { S3ObjectStore } from '../../lambda/store/s3-object-store.js';
import { localClient } from '../../local/engines.js';
import type { LocalVss } from '../../local/app.js';
import { kv, post, startVssOn, primaryEngine } from '../support/local-vss.js';
import { census, decodeError, expectStatus, SigUser } from './support.js';

const KB = 1024;

/** Runs `vss admin …` in-process and returns what it printed. */
async function admin(args: string[]): Promise<{ out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const program = new Command('vss').exitOverride();
  registerAdminCommands(program, { out: (t) => out.push(t), err: (t) => err.push(t), now: () => new Date('2026-01-02T03:04:05Z') });
  await program.parseAsync(['node', 'vss', 'admin', ...args]);
  return { out: out.join(''), err: err.join('') };
}

/** Every item of the table, keyed and sorted, for byte-wise comparison. */
async function allItems(local: LocalVss): Promise<Map<string, string>> {
  const items = new Map<string, string>();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await local.client.send(new ScanCommand({ TableName: local.tableName, ...(start ? { ExclusiveStartKey: start } : {}) }));
    for (const item of out.Items ?? []) {
      const id = `${item['pk']!.S}|${Buffer.from(item['sk']!.B!).toString('hex')}`;
      items.set(id, canonical(item));
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Attribute order is not stable across Scans: serialize with sorted names, bytes as hex. */
function canonical(v: unknown): string {
  if (v instanceof Uint8Array) return JSON.stringify(Buffer.from(v).toString('hex'));
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

function isUsersItem(id: string, user: string): boolean {
  const reg = registryKeyOf(user);
  return (
    id.startsWith(`${user.length}:${user}:`) ||
    id.startsWith(`${userPartitionKey(user)}|`) ||
    id === `${reg.pk}|${Buffer.from(reg.sk).toString('hex')}`
  );
}

describe.each([primaryEngine()])('usage and erasing users on $name', (engine) => {
  let local: LocalVss;
  let endpoint: string;
  let auditDir: string;

  beforeAll(async () => {
    local = await startVssOn(engine, { auth: 'signature', provider: { usageMetering: true }, sweepIntervalMs: 0 });
    endpoint = engine.endpoint;
    auditDir = await mkdtemp(join(tmpdir(), 'vss-audit-'));
  });
  afterAll(async () => {
    await local?.stop();
  });

  /** A workload of small and large values, overwrites that grow and shrink, deletes and delete_items. */
  async function mixedWorkload(user: SigUser, storeId: string): Promise<void> {
    const c = user.client(local.url, storeId);
    expectStatus(await c.put([kv('a', 0, 'small'), kv('b', 0, randomBytes(900 * KB)), kv('', 0, 'empty key')]), 200);
    expectStatus(await c.put([kv('c', -1, randomBytes(450 * KB))], { globalVersion: 0 }), 200);
    expectStatus(await c.put([kv('b', 1, 'now small')]), 200); // a large value replaced by a small one
    expectStatus(await c.put([kv('a', 1, randomBytes(500 * KB))]), 200); // a small value replaced by a large one
    expectStatus(await c.delete('c', -1), 200); // a large value deleted
    expectStatus(await c.put([kv('d', 0, 'x'), kv('e', 0, 'y')], { deletes: [kv('', -1)] }), 200);
    expectStatus(await c.put([kv('d', 1, 'xx')], { deletes: [kv('e', 1)] }), 200);
    expectStatus(await c.delete('never-existed', -1), 200);
    expectStatus(await c.delete('d', 7), 200); // wrong version: nothing deleted
    expect((await c.put([kv('d', 0, 'conflict')])).status).toBe(409); // a conflict changes nothing
  }

  it('keeps usage equal to the stored data after a mixed workload with large values, deletes and delete_items', async () => {
    const user = new SigUser();
    await mixedWorkload(user, 'one');
    await mixedWorkload(user, 'two');
    const report = await userReport({ client: local.client, tableName: local.tableName }, user.token);
    let keys = 0;
    let bytes = 0;
    for (const storeId of ['one', 'two']) {
      const stored = await census(local.client, local.tableName, user.token, storeId);
      const counted = report.stores.find((s) => s.storeId === storeId)!;
      expect({ keys: counted.keys, bytes: counted.bytes }).toEqual({ keys: stored.keys, bytes: stored.bytes });
      keys += stored.keys;
      bytes += stored.bytes;
    }
    expect(keys).toBe(8); // a, b, d and the global-version record, in each store
    expect({ keys: report.keys, bytes: report.bytes }).toEqual({ keys, bytes });
    // Every request was counted (the 409 included: it was admitted).
    expect(report.requests).toBe(2 * 10);
  });

  it('reports top users and one user per store, as a table, JSON and CSV', async () => {
    const big = new SigUser();
    const small = new SigUser();
    expectStatus(await big.client(local.url, 's').put([kv('k', 0, randomBytes(5000))]), 200);
    expectStatus(await small.client(local.url, 's').put([kv('k', 0, 'v')]), 200);
    const args = ['usage', '--dynamodb-endpoint', endpoint, '--table', local.tableName];
    const json = JSON.parse((await admin([...args, '--json'])).out) as Record<string, { user: string; bytes: number }[]>;
    const users = json['bytes']!.map((u) => u.user);
    expect(users.indexOf(big.token)).toBeLessThan(users.indexOf(small.token));
    expect(json['bytes']!.find((u) => u.user === big.token)!.bytes).toBe(1 + 5000);
    const csv = (await admin([...args, '--csv'])).out.split('\n');
    expect(csv[0]).toBe('ranking,rank,user,keys,bytes,requests,stores');
    const detail = (await admin([...args, '--user', small.token, '--csv'])).out;
    expect(detail).toContain(`${small.token},store,s,1,2,`);
    expect(detail).toContain(`${small.token},total,,1,2,1`);
  });

  it('erases a user in every store, objects in the values bucket included, leaves every other user byte-identical, and is idempotent', async () => {
    const victim = new SigUser();
    const bystander = new SigUser();
    await mixedWorkload(victim, 'w1');
    await mixedWorkload(victim, '');
    await mixedWorkload(bystander, 'w1');
    const before = await allItems(local);
    const victimItems = [...before.keys()].filter((id) => isUsersItem(id, victim.token));
    expect(victimItems.some((id) => id.includes('|fd'))).toBe(true); // object records of large values exist
    const objects = new S3ObjectStore({ client: local.s3Client, bucket: local.objectStore.bucket });
    const victimObjects = async () => (await objects.list(userObjectPrefix(victim.token))).objects.length;
    const bystanderObjects = (await objects.list(userObjectPrefix(bystander.token))).objects;
    expect(await victimObjects()).toBeGreaterThan(0);
    expect(bystanderObjects.length).toBeGreaterThan(0);
    const auditLog = join(auditDir, 'audit.log');
    const args = [
      'erase-user',
      '--dynamodb-endpoint',
      endpoint,
      '--table',
      local.tableName,
      '--user',
      victim.token,
      '--audit-log',
      auditLog,
      '--s3-endpoint',
      local.objectStore.endpoint,
      '--s3-bucket',
      local.objectStore.bucket,
    ];

    const dry = await admin(args);
    expect(dry.out).toContain('Nothing was deleted');
    expect(await allItems(local)).toEqual(before);

    const first = await admin([...args, '--yes']);
    expect(first.out).toMatch(/deleted store "w1": 4 records, \d+ large-value chunk items/);
    expect(first.out).toMatch(/[1-9]\d* objects \(\d+ bytes\) in the values bucket/);
    expect(await victimObjects()).toBe(0);
    expect((await objects.list(userObjectPrefix(bystander.token))).objects).toEqual(bystanderObjects);
    expect(first.out).toMatch(/deleted store "": 4 records/);
    const after = await allItems(local);
    expect([...after.keys()].filter((id) => isUsersItem(id, victim.token))).toEqual([]);
    const others = new Map([...before].filter(([id]) => !isUsersItem(id, victim.token)));
    expect(after).toEqual(others);
    expect(others.size).toBeGreaterThan(0);

    const second = await admin([...args, '--yes']);
    expect(second.out).toContain(
      'deleted: 0 stores, 0 records, 0 large-value chunk items, 0 objects (0 bytes) in the values bucket, 0 usage and registry items',
    );
    expect(await allItems(local)).toEqual(after);

    const audit = (await readFile(auditLog, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(audit.map((a) => a['applied'])).toEqual([false, true, true]);
    expect(audit[1]).toMatchObject({
      event: 'vss.admin.erase-user',
      at: '2026-01-02T03:04:05.000Z',
      table: local.tableName,
      stores: 2,
      records: 8,
    });
    expect(JSON.stringify(audit)).not.toContain(victim.token); // the audit names a hash, not the token
    // The erased user's wallet still works, starting from nothing.
    const again = victim.client(local.url, 'w1');
    expect(await again.getValue('a')).toBe(404);
  });

  it('finishes an interrupted erase when run again', async () => {
    const victim = new SigUser();
    await mixedWorkload(victim, 'a');
    await mixedWorkload(victim, 'b');
    // A client whose second BatchWriteItem fails for good: the erase stops half-way.
    const flaky = localClient(endpoint);
    let batches = 0;
    flaky.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'BatchWriteItemCommand' && ++batches === 2)
          throw Object.assign(new Error('cut'), { name: 'ValidationException' });
        return next(args);
      },
      { step: 'initialize' },
    );
    await expect(eraseUser({ client: flaky, tableName: local.tableName, userToken: victim.token, apply: true })).rejects.toThrow('cut');
    flaky.destroy();
    expect([...(await allItems(local)).keys()].filter((id) => isUsersItem(id, victim.token)).length).toBeGreaterThan(0);
    const again = await eraseUser({ client: local.client, tableName: local.tableName, userToken: victim.token, apply: true });
    expect(again.stores.map((st) => st.storeId)).toEqual(['a', 'b']);
    expect([...(await allItems(local)).keys()].filter((id) => isUsersItem(id, victim.token))).toEqual([]);
  });

  it('finds stores written before metering was on only with --scan', async () => {
    const user = `pre-metering-${randomBytes(4).toString('hex')}`;
    const plain = new DynamoDbStore({ client: local.client, tableName: local.tableName });
    await plain.write({ userToken: user, storeId: 'old' }, [
      { kind: 'put', key: 'k', precondition: { kind: 'none' }, version: 1n, value: new Uint8Array(3), recreated: false },
    ]);
    const args = [
      'erase-user',
      '--dynamodb-endpoint',
      endpoint,
      '--table',
      local.tableName,
      '--user',
      user,
      '--audit-log',
      join(auditDir, 'scan.log'),
      '--yes',
    ];
    expect((await admin(args)).out).toContain('deleted: 0 stores');
    expect((await admin([...args, '--scan'])).out).toMatch(/deleted store "old": 1 records/);
    expect([...(await allItems(local)).keys()].filter((id) => isUsersItem(id, user))).toEqual([]);
  });

  it('without --audit-log the audit line goes to the state directory ($XDG_STATE_HOME/vss), never the working directory', async () => {
    const state = await mkdtemp(join(tmpdir(), 'vss-state-'));
    vi.stubEnv('XDG_STATE_HOME', state);
    try {
      const user = `audited-${randomBytes(4).toString('hex')}`;
      await admin(['erase-user', '--dynamodb-endpoint', endpoint, '--table', local.tableName, '--user', user]);
      const lines = (await readFile(join(state, 'vss', 'vss-audit.log'), 'utf8')).trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({ event: 'vss.admin.erase-user', applied: false });
    } finally {
      vi.unstubAllEnvs();
    }
    expect(defaultAuditLogPath({}, '/home/op')).toBe('/home/op/.local/state/vss/vss-audit.log');
    expect(defaultAuditLogPath({ XDG_STATE_HOME: 'relative' }, '/home/op')).toBe('/home/op/.local/state/vss/vss-audit.log');
  });

  it('offers no way to erase or report through the VSS API', async () => {
    for (const path of ['admin/erase-user', 'admin', 'eraseUser', 'usage']) {
      const r = await post(local.url, path, new Uint8Array(0), { authorization: 'x' });
      expect(r.status).toBe(400);
      expect(decodeError(r).errorCode).toBe(ErrorCode.INVALID_REQUEST_EXCEPTION);
    }
  });
});
