/**
 * `vss export`, `vss import` and `vss copy` between two local servers (the real server, store and
 * engines) in different auth modes, run in-process through the command's `main` (test/cli/run-vss.ts),
 * and the memory budget of a large copy in a process of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { VssClient, type KeyValue } from '../../client/vss-client.js';
import type { LocalVss } from '../../local/app.js';
import { rs256, rsaKeyPair } from '../auth/clients.js';
import { startVssOn, primaryEngine } from '../support/local-vss.js';
import { reportOf, runVss, runVssProcess } from './run-vss.js';

const dir = mkdtempSync(join(tmpdir(), 'vss-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A store covering the edge cases: empty, 600-character and non-ASCII keys, 0 B to 3 MB values. */
function sampleItems(): KeyValue[] {
  const items: KeyValue[] = [
    { key: '', version: 0n, value: Buffer.from('value of the empty key') },
    { key: 'k'.repeat(600), version: 0n, value: randomBytes(1000) },
    { key: 'clé/ünïcödé/鍵/🔑', version: 0n, value: new Uint8Array(0) },
    { key: 'large/500k', version: 0n, value: randomBytes(500_000) },
    { key: 'large/3m', version: 0n, value: randomBytes(3_000_000) },
  ];
  for (let i = 0; i < 120; i++)
    items.push({ key: `channel/${String(i).padStart(4, '0')}`, version: 0n, value: randomBytes(1 + (i % 7) * 150) });
  return items;
}

/** Writes items in order, one creation per request for the first ones, then in batches. */
async function fill(client: VssClient, storeId: string, items: readonly KeyValue[]): Promise<void> {
  for (let i = 0; i < items.length; ) {
    const n = i < 10 ? 1 : 50;
    await client.putObjects(storeId, { items: items.slice(i, i + n).map((kv) => ({ ...kv, version: -1n })) });
    i += n;
  }
}

async function contents(
  client: VssClient,
  storeId: string,
): Promise<{ order: string[]; values: Map<string, { version: bigint; value: Buffer }>; globalVersion: bigint }> {
  const { keyVersions, globalVersion } = await client.listAll(storeId);
  const values = new Map<string, { version: bigint; value: Buffer }>();
  for (const k of keyVersions) {
    const kv = (await client.getObject(storeId, k.key))!;
    values.set(k.key, { version: kv.version, value: Buffer.from(kv.value) });
  }
  return { order: keyVersions.map((k) => k.key), values, globalVersion };
}

// The tool only speaks the protocol, so one engine under the servers is enough here (the store on
// every engine is proven by the contract suite, test/store/).
describe.each([primaryEngine()])('vss export / import / copy on $name', (engine) => {
  const rsa = rsaKeyPair();
  const signingKey = secp256k1.utils.randomSecretKey();
  const signingHex = Buffer.from(signingKey).toString('hex');
  let open: LocalVss;
  let signed: LocalVss;
  let jwt: LocalVss;
  let token: string;
  let items: KeyValue[];
  const storeId = `wallet-${randomUUID()}`;

  beforeAll(async () => {
    [open, signed, jwt] = await Promise.all([
      startVssOn(engine, { auth: 'none', sweepIntervalMs: 0 }),
      startVssOn(engine, { auth: 'signature', sweepIntervalMs: 0 }),
      startVssOn(engine, { auth: 'jwt', authOptions: { jwtPublicKeyPem: rsa.spkiPem }, sweepIntervalMs: 0 }),
    ]);
    token = await rs256(rsa.privateKey, { sub: 'wallet-user', exp: Math.floor(Date.now() / 1000) + 3600 });
    items = sampleItems();
    await fill(new VssClient({ baseUrl: open.url }), storeId, items);
    // A global version, so the archive has one to carry.
    const c = new VssClient({ baseUrl: open.url });
    await c.putObjects(storeId, { items: [], globalVersion: 0n });
    await c.putObjects(storeId, { items: [], globalVersion: 1n });
  });
  afterAll(async () => {
    await Promise.all([open?.stop(), signed?.stop(), jwt?.stop()]);
  });

  it('exports a none-auth store and imports it into a signature-auth server: same keys, values and listing order', async () => {
    const archive = join(dir, `${engine.name}-a.vssa`);
    const exported = await runVss(['export', '--url', open.url, '--store-id', storeId, '--out', archive, '--json']);
    expect(exported.code, exported.stderr).toBe(0);
    const ex = reportOf(exported);
    expect(ex).toMatchObject({ command: 'export', keys: items.length, globalVersion: '2' });
    expect(ex['bytes']).toBe(items.reduce((n, kv) => n + kv.value.length, 0));

    const imported = await runVss(['import', '--url', signed.url, '--store-id', storeId, '--in', archive, '--json', '--verify'], {
      VSS_SIGNING_KEY: signingHex,
    });
    expect(imported.code, imported.stderr).toBe(0);
    expect(reportOf(imported)).toMatchObject({
      command: 'import',
      keys: items.length,
      written: items.length,
      unchanged: 0,
      verified: true,
      sourceGlobalVersion: '2',
    });

    const source = await contents(new VssClient({ baseUrl: open.url }), storeId);
    const target = await contents(new VssClient({ baseUrl: signed.url, signingKey }), storeId);
    expect(target.order).toEqual(source.order);
    for (const kv of items) expect(target.values.get(kv.key)!.value.equals(Buffer.from(kv.value)), kv.key).toBe(true);
    // The protocol cannot set versions: every imported key starts at version 1 (docs/migration.md).
    expect([...target.values.values()].every((v) => v.version === 1n)).toBe(true);

    // A re-run converges: nothing is written again.
    const again = await runVss([
      'import',
      '--url',
      signed.url,
      '--store-id',
      storeId,
      '--in',
      archive,
      '--json',
      '--signing-key',
      signingHex,
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(reportOf(again)).toMatchObject({ written: 0, unchanged: items.length });
  });

  it('copies from a jwt server to a none server into another store id, verified, without echoing the token', async () => {
    const jwtClient = new VssClient({ baseUrl: jwt.url, headers: { Authorization: `Bearer ${token}` } });
    await fill(jwtClient, storeId, items);
    const run = await runVss([
      'copy',
      '--from',
      jwt.url,
      '--to',
      open.url,
      '--store-id',
      storeId,
      '--to-store-id',
      `${storeId}-copy`,
      '--from-header',
      `Authorization: Bearer ${token}`,
      '--verify',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(reportOf(run)).toMatchObject({
      command: 'copy',
      keys: items.length,
      written: items.length,
      verified: true,
      verifiedKeys: items.length,
    });
    expect(run.stdout + run.stderr).not.toContain(token);
    const source = await contents(jwtClient, storeId);
    const target = await contents(new VssClient({ baseUrl: open.url }), `${storeId}-copy`);
    expect(target.order).toEqual(source.order);
    for (const [k, v] of source.values) expect(target.values.get(k)!.value.equals(v.value), k).toBe(true);
  });

  it('refuses a corrupted or truncated archive before writing anything', async () => {
    const archive = join(dir, `${engine.name}-b.vssa`);
    expect((await runVss(['export', '--url', open.url, '--store-id', storeId, '--out', archive, '--quiet'])).code).toBe(0);
    const bytes = readFileSync(archive);
    const flipped = Buffer.from(bytes);
    flipped[Math.floor(bytes.length * 0.9)]! ^= 0x01; // inside the 3 MB value, the last item written
    const truncated = bytes.subarray(0, bytes.length - 40);
    const cases: Array<[string, Buffer, RegExp]> = [
      ['flipped', flipped, /SHA-256 mismatch/],
      ['truncated', truncated, /truncated/],
      ['garbage', Buffer.from('not an archive at all'), /not a VSS archive/],
    ];
    for (const [name, content, message] of cases) {
      const file = join(dir, `${engine.name}-${name}.vssa`);
      writeFileSync(file, content);
      const target = `bad-${name}-${randomUUID()}`;
      const run = await runVss(['import', '--url', open.url, '--store-id', target, '--in', file, '--quiet']);
      expect(run.code, name).toBe(3);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toMatch(/nothing was written/);
      expect((await new VssClient({ baseUrl: open.url }).listAll(target)).keyVersions, name).toEqual([]);
    }
  });

  it('--on-conflict: fail writes nothing, skip keeps the target value, overwrite replaces it', async () => {
    const archive = join(dir, `${engine.name}-c.vssa`);
    expect((await runVss(['export', '--url', open.url, '--store-id', storeId, '--out', archive, '--quiet'])).code).toBe(0);
    const target = `conflict-${randomUUID()}`;
    const c = new VssClient({ baseUrl: open.url });
    await c.putObjects(target, { items: [{ key: 'channel/0007', version: 0n, value: Buffer.from('the target has its own') }] });

    const failed = await runVss(['import', '--url', open.url, '--store-id', target, '--in', archive, '--quiet']);
    expect(failed.code).toBe(5);
    expect(failed.stderr).toContain('"channel/0007"');
    expect((await c.listAll(target)).keyVersions.map((k) => k.key)).toEqual(['channel/0007']);

    const skipped = await runVss([
      'import',
      '--url',
      open.url,
      '--store-id',
      target,
      '--in',
      archive,
      '--on-conflict',
      'skip',
      '--json',
      '--quiet',
    ]);
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(reportOf(skipped)).toMatchObject({ skipped: 1, written: items.length - 1 });
    expect(Buffer.from((await c.getObject(target, 'channel/0007'))!.value).toString()).toBe('the target has its own');

    const overwritten = await runVss([
      'import',
      '--url',
      open.url,
      '--store-id',
      target,
      '--in',
      archive,
      '--on-conflict',
      'overwrite',
      '--json',
      '--quiet',
    ]);
    expect(overwritten.code, overwritten.stderr).toBe(0);
    expect(reportOf(overwritten)).toMatchObject({ overwritten: 1, unchanged: items.length - 1 });
    const want = items.find((kv) => kv.key === 'channel/0007')!;
    expect(Buffer.from((await c.getObject(target, 'channel/0007'))!.value).equals(Buffer.from(want.value))).toBe(true);
  });

  it('fails with exit 4 and an auth hint when the credentials are wrong, without echoing them', async () => {
    const wrong = Buffer.from(secp256k1.utils.randomSecretKey()).toString('hex');
    const archive = join(dir, `${engine.name}-d.vssa`);
    const run = await runVss([
      'export',
      '--url',
      jwt.url,
      '--store-id',
      storeId,
      '--out',
      archive,
      '--header',
      'Authorization: Bearer not-a-valid-jwt-secret',
    ]);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/AUTH_EXCEPTION.*auth options/s);
    expect(run.stderr).not.toContain('not-a-valid-jwt-secret');
    const bad = await runVss([
      'export',
      '--url',
      signed.url,
      '--store-id',
      storeId,
      '--out',
      archive,
      '--signing-key',
      `zz${wrong.slice(2)}`,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--signing-key');
    expect(bad.stderr).not.toContain(wrong.slice(2));
  });
});

// 1,000 keys: ten full 100-key PutObjects and one GetObject per key. 10,000 took most of a
// minute on the 2-core test machine (2,000 took 16 s) and proved nothing more about order,
// batching or memory.
describe('vss copy of a 1,000-key store', () => {
  const engine = primaryEngine();
  let from: LocalVss;
  let to: LocalVss;
  beforeAll(async () => {
    [from, to] = await Promise.all([startVssOn(engine, { sweepIntervalMs: 0 }), startVssOn(engine, { sweepIntervalMs: 0 })]);
  });
  afterAll(async () => {
    await Promise.all([from?.stop(), to?.stop()]);
  });

  it('copies every key in creation order, in 100-key PutObjects, within a memory budget', { timeout: 300_000 }, async () => {
    const source = new VssClient({ baseUrl: from.url });
    const keys = Array.from({ length: 1_000 }, (_, i) => `monitor/${(i * 7919) % 1_000}`);
    for (let i = 0; i < keys.length; i += 100) {
      await source.putObjects('big', {
        items: keys.slice(i, i + 100).map((key) => ({ key, version: -1n, value: Buffer.from(key.repeat(8)) })),
      });
    }
    // A process of its own: its peak memory is the copy's alone.
    const run = await runVssProcess(['copy', '--from', from.url, '--to', to.url, '--store-id', 'big', '--json', '--quiet']);
    expect(run.code, run.stderr).toBe(0);
    const report = reportOf(run);
    expect(report).toMatchObject({ keys: 1_000, written: 1_000, requests: 10 });
    // Streaming: values are never all in memory (a generous budget for Node, the SDK and 1,000 keys).
    expect(report['peakRssMb'] as number).toBeLessThan(300);
    const target = new VssClient({ baseUrl: to.url });
    const [a, b] = await Promise.all([source.listAll('big'), target.listAll('big')]);
    expect(b.keyVersions.map((k) => k.key)).toEqual(a.keyVersions.map((k) => k.key));
    for (const key of [keys[0]!, keys[617]!, keys[999]!])
      expect(Buffer.from((await target.getObject('big', key))!.value).toString()).toBe(key.repeat(8));
  });
});
