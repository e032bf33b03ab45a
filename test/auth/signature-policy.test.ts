/**
 * Signature mode's policy end to end through the real local server, on each engine
 * (docs/auth.md, "Enrollment" and "Replay window"): the allowlist with `vss admin allow-user` and
 * `deny-user` on the engine's endpoint, what a refusal costs (requests and read units counted, no
 * clock), and the replay window's boundaries with headers signed by the client helper. A fixed,
 * movable clock stands in for time: nothing waits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { Command } from 'commander';
import { registerAdminCommands } from '../../cli/commands/admin/index.js';
import { ENROLLMENT_CACHE_SECONDS } from '../../lambda/auth/enrollment-cache.js';
import { ErrorCode } from '../../lambda/core/errors.js';
import type { ProviderRequestEvent } from '../../lambda/provider/usage-ledger.js';
import type { LocalVss } from '../../local/app.js';
import { decodeError, engines, kv, startVssOn, TestClient, type HttpResult } from '../support/local-vss.js';
import { flipHex, sigsAuthHeader } from './clients.js';

const NOW = 1_800_000_000;
const DAY = 86_400;

function expectAuthFailure(r: HttpResult): void {
  expect(r.status).toBe(401);
  expect(r.protocolVersion).toBe('0');
  expect(decodeError(r).errorCode).toBe(ErrorCode.AUTH_EXCEPTION);
}

/** A wallet's key pair; its requests carry a header signed at the time the test's clock says. */
class Wallet {
  readonly secret = randomBytes(32);
  readonly pubkey = Buffer.from(secp256k1.getPublicKey(this.secret, true)).toString('hex');
  constructor(private readonly clock: () => number) {}
  client(url: string, time: number | string = this.clock()): TestClient {
    return new TestClient(url, 'store', { authorization: sigsAuthHeader(this.secret, time) });
  }
}

/** Runs `vss admin …` in-process; returns what it printed. */
async function admin(args: string[]): Promise<string> {
  const out: string[] = [];
  const program = new Command('vss').exitOverride().configureOutput({ writeErr: (t) => out.push(t) });
  registerAdminCommands(program, { out: (t) => out.push(t), err: (t) => out.push(t), now: () => new Date(NOW * 1000) });
  await program.parseAsync(['node', 'vss', 'admin', ...args]);
  return out.join('');
}

/** Items of the table other than the allowlist's own (pk `u:…`, sk 0x03). */
async function dataItems(v: LocalVss): Promise<number> {
  const out = await v.client.send(new ScanCommand({ TableName: v.tableName }));
  return (out.Items ?? []).filter((i) => !(i['pk']?.S?.startsWith('u:') && Buffer.from(i['sk']!.B!).equals(Buffer.of(3)))).length;
}

describe.each(engines())('signature enrollment over HTTP on $name', (engine) => {
  describe('enrollment allowlist', () => {
    let clock = NOW;
    let v: LocalVss;
    const requests: ProviderRequestEvent[] = [];
    const reads = () => requests.filter((r) => r.command === 'GetItem');
    const readUnits = (from: number) =>
      reads()
        .slice(from)
        .flatMap((r) => r.consumedCapacity)
        .reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
    const table = () => ['--dynamodb-endpoint', engine.endpoint, '--table', v.tableName];

    beforeAll(async () => {
      v = await startVssOn(engine, {
        auth: 'signature',
        authOptions: { signatureEnrollment: 'allowlist', now: () => clock },
        // Request counting and a rate limit on: they come after authentication, so a refused
        // key must not reach them (no UpdateItem of its day item).
        provider: { usageMetering: true, rateLimit: { perSecond: 1000 } },
        providerObservers: { onRequest: (e) => requests.push(e) },
        sweepIntervalMs: 0,
      });
    });
    afterAll(() => v.stop());

    it('refuses an unregistered key with 401 and the protocol body, and writes nothing', async () => {
      const stranger = new Wallet(() => clock);
      const before = requests.length;
      expectAuthFailure(await stranger.client(v.url).put([kv('channel', 0, 'state')]));
      expectAuthFailure(await stranger.client(v.url).get('channel'));
      // One strongly consistent read of the allowlist, then the refusal is remembered; no write,
      // not even the request count of the provider features.
      expect(requests.slice(before).map((r) => r.command)).toEqual(['GetItem']);
      expect(readUnits(reads().length - 1)).toBe(1);
      expect(await dataItems(v)).toBe(0);
    });

    it('accepts a key once allow-user registered it', async () => {
      const wallet = new Wallet(() => clock);
      expect(await admin(['allow-user', '--user', wallet.pubkey, ...table()])).toBe(`allowed ${wallet.pubkey}\n`);
      expect((await wallet.client(v.url).put([kv('channel', 0, 'state')])).status).toBe(200);
      const got = await wallet.client(v.url).getValue('channel');
      expect(got).toEqual({ version: 1n, value: Buffer.from('state') });
    });

    it('accepts a key that was refused before allow-user at most one cache period later', async () => {
      const late = new Wallet(() => clock);
      expectAuthFailure(await late.client(v.url).get('k'));
      await admin(['allow-user', '--user', late.pubkey, ...table()]);
      clock += ENROLLMENT_CACHE_SECONDS;
      expect((await late.client(v.url).get('k')).status).toBe(404);
    });

    it('registers several keys at once (--user A B, or --user repeated)', async () => {
      const [a, b, c] = [new Wallet(() => clock), new Wallet(() => clock), new Wallet(() => clock)];
      await admin(['allow-user', '--user', a.pubkey, b.pubkey, '--user', c.pubkey, ...table()]);
      for (const w of [a, b, c]) expect((await w.client(v.url).get('k')).status).toBe(404);
    });

    it('refuses a key within the documented bound after deny-user, and the refused write changes nothing', async () => {
      const wallet = new Wallet(() => clock);
      await admin(['allow-user', '--user', wallet.pubkey, ...table()]);
      expect((await wallet.client(v.url).put([kv('channel', 0, 'v1')])).status).toBe(200);
      const itemsBefore = await dataItems(v);
      expect(await admin(['deny-user', '--user', wallet.pubkey, ...table()])).toBe(
        `denied ${wallet.pubkey}: running instances refuse it within ${ENROLLMENT_CACHE_SECONDS} s\n`,
      );
      clock += ENROLLMENT_CACHE_SECONDS;
      expectAuthFailure(await wallet.client(v.url).put([kv('channel', 1, 'v2')]));
      expectAuthFailure(await wallet.client(v.url).get('channel'));
      expect(await dataItems(v)).toBe(itemsBefore);
      // Registered again, the data it wrote before is there, untouched.
      await admin(['allow-user', '--user', wallet.pubkey, ...table()]);
      clock += ENROLLMENT_CACHE_SECONDS;
      expect(await wallet.client(v.url).getValue('channel')).toEqual({ version: 1n, value: Buffer.from('v1') });
    });

    it('deny-user says so when the key was not registered', async () => {
      const wallet = new Wallet(() => clock);
      expect(await admin(['deny-user', '--user', wallet.pubkey, ...table()])).toBe(`denied ${wallet.pubkey}: it was not registered\n`);
    });

    it('allow-user refuses what is not a compressed secp256k1 public key', async () => {
      for (const bad of [`02${'00'.repeat(32)}`, 'abc', `04${'11'.repeat(32)}`, `02${'zz'.repeat(32)}`])
        await expect(admin(['allow-user', '--user', bad, ...table()])).rejects.toThrow(/not a compressed secp256k1 public key/);
    });

    it('costs at most one consistent read (1 read unit) per key per instance per cache period, concurrent requests included', async () => {
      const wallet = new Wallet(() => clock);
      const stranger = new Wallet(() => clock);
      await admin(['allow-user', '--user', wallet.pubkey, ...table()]);
      clock += ENROLLMENT_CACHE_SECONDS;
      const from = reads().length;
      // 20 requests of a registered key and 20 of an unknown one, 10 of each at once.
      await Promise.all([...Array(10)].map(() => wallet.client(v.url).get('k')));
      await Promise.all([...Array(10)].map(() => stranger.client(v.url).get('k')));
      for (let i = 0; i < 10; i++) {
        expect((await wallet.client(v.url).get('k')).status).toBe(404);
        expectAuthFailure(await stranger.client(v.url).get('k'));
      }
      expect(reads().length - from).toBe(2);
      expect(readUnits(from)).toBe(2);
      // The next period asks again, once per key.
      clock += ENROLLMENT_CACHE_SECONDS;
      await wallet.client(v.url).get('k');
      await stranger.client(v.url).get('k');
      await wallet.client(v.url).get('k');
      expect(reads().length - from).toBe(4);
    });

    it('a header that does not verify, or is outside the window, costs no read', async () => {
      const wallet = new Wallet(() => clock);
      const from = requests.length;
      const header = sigsAuthHeader(wallet.secret, clock);
      expectAuthFailure(await new TestClient(v.url, 's', { authorization: flipHex(header, 70) }).get('k'));
      expectAuthFailure(await wallet.client(v.url, clock - DAY - 1).get('k'));
      expectAuthFailure(await new TestClient(v.url, 's').get('k'));
      expect(requests.length).toBe(from);
    });
  });

  describe('enrollment open (the default)', () => {
    let v: LocalVss;
    const requests: ProviderRequestEvent[] = [];
    beforeAll(async () => {
      v = await startVssOn(engine, {
        auth: 'signature',
        authOptions: { now: () => NOW },
        providerObservers: { onRequest: (e) => requests.push(e) },
        sweepIntervalMs: 0,
      });
    });
    afterAll(() => v.stop());

    it('accepts any key pair, with no allowlist read, as before', async () => {
      const wallet = new Wallet(() => NOW);
      expect((await wallet.client(v.url).put([kv('k', 0, 'v')])).status).toBe(200);
      expect(await wallet.client(v.url).getValue('k')).toEqual({ version: 1n, value: Buffer.from('v') });
      expect(requests).toEqual([]);
    });
  });
});

describe.each(engines())('signature replay window over HTTP on $name', (engine) => {
  for (const window of [DAY, 900]) {
    describe(`window ${window} s${window === DAY ? ' (the default)' : ' (--signature-max-skew-seconds)'}`, () => {
      let v: LocalVss;
      beforeAll(async () => {
        v = await startVssOn(engine, {
          auth: 'signature',
          authOptions: { now: () => NOW, ...(window === DAY ? {} : { signatureMaxSkewSeconds: window }) },
          sweepIntervalMs: 0,
        });
      });
      afterAll(() => v.stop());
      const wallet = new Wallet(() => NOW);
      const write = (time: number | string) => wallet.client(v.url, time).put([kv(`k${time}`, 0, 'v')]);

      it('accepts signing times exactly at the window and one second inside it, in the past and in the future', async () => {
        for (const t of [NOW - window, NOW - window + 1, NOW + window - 1, NOW + window, NOW])
          expect((await write(t)).status, String(t - NOW)).toBe(200);
      });

      it('refuses signing times one second outside the window, in the past and in the future, and writes nothing', async () => {
        for (const t of [NOW - window - 1, NOW + window + 1, NOW - 2 * window, NOW + 2 * window]) expectAuthFailure(await write(t));
        const keys = await wallet.client(v.url).listAll();
        expect(keys.keys.filter((k) => [NOW - window - 1, NOW + window + 1].some((t) => k === `k${t}`))).toEqual([]);
      });
    });
  }

  describe('signing times that are not times', () => {
    let v: LocalVss;
    beforeAll(async () => {
      v = await startVssOn(engine, { auth: 'signature', authOptions: { now: () => NOW }, sweepIntervalMs: 0 });
    });
    afterAll(() => v.stop());

    it('refuses non-numeric, negative and 64-bit overflow times, each correctly signed, and writes nothing', async () => {
      const wallet = new Wallet(() => NOW);
      const times = [
        'abc',
        `${NOW}a`,
        `${NOW}.0`,
        `1e9`,
        `0x${NOW.toString(16)}`,
        ` ${NOW}`,
        '-1',
        `-${NOW}`,
        '-0',
        '18446744073709551615', // u64::MAX: parses, 584 billion years from now
        '18446744073709551616', // 2^64
        `${2n ** 64n + BigInt(NOW)}`, // wraps to NOW modulo 2^64: must not be read as NOW
        '9'.repeat(40),
      ];
      for (const t of times) expectAuthFailure(await wallet.client(v.url, t).put([kv('k', 0, 'v')]));
      expect(await dataItems(v)).toBe(0);
    });

    it('accepts the time as the reference parses it: a leading + or zeros, signed as sent', async () => {
      const wallet = new Wallet(() => NOW);
      for (const t of [`+${NOW}`, `000${NOW}`]) expect((await wallet.client(v.url, t).get('k')).status, t).toBe(404);
    });
  });
});
