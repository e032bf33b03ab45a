/**
 * Every auth mode end to end through the real local server (the same handlers and store that are
 * deployed), on the primary engine: the negative matrix, tenant isolation between real identities, and a
 * full LNURL-auth login with an LDK Node-derived linking key whose JWT then works on VSS.
 * Verifiers use a fixed clock where time matters; no wall-clock assertions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { decodeJwt } from 'jose';
import type { LocalVss } from '../../local/app.js';
import { LNURL_KEY_FILE } from '../../local/auth.js';
import { ErrorCode } from '../../lambda/core/errors.js';
import { decodeError, kv, startVssOn, TestClient, vss, type HttpResult, primaryEngine } from '../support/local-vss.js';
import {
  flipHex,
  hs256WithPublicKey,
  ldkLnurlParent,
  lnurlLogin,
  rs256,
  rsaKeyPair,
  sigsAuthHeader,
  unsecuredJwt,
  withHighS,
} from './clients.js';

const NOW = 1_800_000_000;
const OPS = ['getObject', 'putObjects', 'deleteObject', 'listKeyVersions'] as const;

function expectAuthFailure(r: HttpResult): void {
  expect(r.status).toBe(401);
  expect(r.protocolVersion).toBe('0');
  expect(decodeError(r).errorCode).toBe(ErrorCode.AUTH_EXCEPTION);
}

const getWith = (url: string, headers: Record<string, string>) => new TestClient(url, 'store', headers).get('k');
const authz = (value: string) => ({ authorization: value });

describe.each([primaryEngine()])('auth over HTTP on $name', (engine) => {
  describe('mode jwt: the negative matrix', () => {
    const rsa = rsaKeyPair();
    let v: LocalVss;
    beforeAll(async () => {
      v = await startVssOn(engine, { auth: 'jwt', authOptions: { jwtPublicKeyPem: rsa.spkiPem, now: () => NOW } });
    });
    afterAll(() => v.stop());
    const bearer = async (claims: Record<string, unknown>) => authz(`Bearer ${await rs256(rsa.privateKey, claims)}`);

    it('accepts a valid token (404 for a missing key proves the request got past auth)', async () => {
      const r = await getWith(v.url, await bearer({ sub: 'alice', exp: NOW + 600 }));
      expect(r.status).toBe(404);
      expect(decodeError(r).errorCode).toBe(ErrorCode.NO_SUCH_KEY_EXCEPTION);
    });

    it('rejects a missing Authorization header on all four operations', async () => {
      for (const op of OPS) expectAuthFailure(await new TestClient(v.url, 's').raw(op, new Uint8Array()));
    });

    it('rejects garbage', async () => {
      for (const h of ['garbage', 'Bearer garbage', 'Bearer a.b.c', 'Basic dXNlcjpwYXNz'])
        expectAuthFailure(await getWith(v.url, authz(h)));
    });

    it('rejects a token signed with the wrong key', async () => {
      const other = rsaKeyPair();
      expectAuthFailure(await getWith(v.url, authz(`Bearer ${await rs256(other.privateKey, { sub: 'alice', exp: NOW + 600 })}`)));
    });

    it('rejects a token expired past the 60 s leeway', async () => {
      expectAuthFailure(await getWith(v.url, await bearer({ sub: 'alice', exp: NOW - 61 })));
    });

    it('accepts a token expired within the 60 s leeway', async () => {
      expect((await getWith(v.url, await bearer({ sub: 'alice', exp: NOW - 60 }))).status).toBe(404);
      expect((await getWith(v.url, await bearer({ sub: 'alice', exp: NOW - 1 }))).status).toBe(404);
    });

    it('rejects a token without exp', async () => {
      expectAuthFailure(await getWith(v.url, await bearer({ sub: 'alice' })));
    });

    it('rejects a token with aud (no audience configured)', async () => {
      expectAuthFailure(await getWith(v.url, await bearer({ sub: 'alice', exp: NOW + 600, aud: 'vss' })));
    });

    it('rejects alg: none', async () => {
      expectAuthFailure(await getWith(v.url, authz(`Bearer ${unsecuredJwt({ sub: 'alice', exp: NOW + 600 })}`)));
    });

    it('rejects HS256 signed with the server’s public key', async () => {
      expectAuthFailure(await getWith(v.url, authz(`Bearer ${hs256WithPublicKey(rsa.spkiPem, { sub: 'alice', exp: NOW + 600 })}`)));
    });

    it('rejects a blank sub and an over-long sub', async () => {
      expectAuthFailure(await getWith(v.url, await bearer({ sub: '', exp: NOW + 600 })));
      expectAuthFailure(await getWith(v.url, await bearer({ sub: ' ', exp: NOW + 600 })));
      expectAuthFailure(await getWith(v.url, await bearer({ sub: 'x'.repeat(121), exp: NOW + 600 })));
      expect((await getWith(v.url, await bearer({ sub: 'x'.repeat(120), exp: NOW + 600 }))).status).toBe(404);
    });

    it('keeps two JWT subjects apart', async () => {
      const alice = new TestClient(v.url, 'wallet', await bearer({ sub: 'alice', exp: NOW + 600 }));
      const bob = new TestClient(v.url, 'wallet', await bearer({ sub: 'bob', exp: NOW + 600 }));
      expect((await alice.put([kv('k', -1, 'alice-value')])).status).toBe(200);
      expect(await bob.getValue('k')).toBe(404);
    });
  });

  describe('mode signature: the negative matrix and tenant isolation', () => {
    let v: LocalVss;
    const sk = secp256k1.utils.randomSecretKey();
    beforeAll(async () => {
      v = await startVssOn(engine, { auth: 'signature', authOptions: { now: () => NOW } });
    });
    afterAll(() => v.stop());

    it('accepts a fresh vss-client-ng header', async () => {
      expect((await getWith(v.url, authz(sigsAuthHeader(sk, NOW)))).status).toBe(404);
    });

    it('rejects a missing header on all four operations, and garbage', async () => {
      for (const op of OPS) expectAuthFailure(await new TestClient(v.url, 's').raw(op, new Uint8Array()));
      for (const h of ['garbage', `Bearer ${sigsAuthHeader(sk, NOW)}`, 'a'.repeat(300)]) expectAuthFailure(await getWith(v.url, authz(h)));
    });

    it('rejects signing times just outside ±24 h and accepts them at the edge', async () => {
      expectAuthFailure(await getWith(v.url, authz(sigsAuthHeader(sk, NOW - 86_401))));
      expectAuthFailure(await getWith(v.url, authz(sigsAuthHeader(sk, NOW + 86_401))));
      expect((await getWith(v.url, authz(sigsAuthHeader(sk, NOW - 86_400)))).status).toBe(404);
      expect((await getWith(v.url, authz(sigsAuthHeader(sk, NOW + 86_400)))).status).toBe(404);
    });

    it('rejects a corrupted signature', async () => {
      expectAuthFailure(await getWith(v.url, authz(flipHex(sigsAuthHeader(sk, NOW), 66 + 7))));
      expectAuthFailure(await getWith(v.url, authz(flipHex(sigsAuthHeader(sk, NOW), 66 + 100))));
    });

    it('rejects a corrupted public key', async () => {
      expectAuthFailure(await getWith(v.url, authz(flipHex(sigsAuthHeader(sk, NOW), 30))));
      expectAuthFailure(await getWith(v.url, authz(`05${sigsAuthHeader(sk, NOW).slice(2)}`)));
    });

    it('rejects a high-S signature', async () => {
      expectAuthFailure(await getWith(v.url, authz(withHighS(sigsAuthHeader(sk, NOW)))));
    });

    it('isolates two real key identities writing the same store and key', async () => {
      const other = secp256k1.utils.randomSecretKey();
      const a = new TestClient(v.url, 'wallet', authz(sigsAuthHeader(sk, NOW)));
      const b = new TestClient(v.url, 'wallet', authz(sigsAuthHeader(other, NOW - 5)));
      expect((await a.put([kv('monitor', -1, 'a-state')])).status).toBe(200);
      expect(await b.getValue('monitor')).toBe(404);
      expect((await b.put([kv('monitor', -1, 'b-state')])).status).toBe(200);
      expect(await a.getValue('monitor')).toEqual({ version: 1n, value: Buffer.from('a-state') });
      expect(await b.getValue('monitor')).toEqual({ version: 1n, value: Buffer.from('b-state') });
      expect((await a.delete('monitor', -1)).status).toBe(200);
      expect(await b.getValue('monitor')).toEqual({ version: 1n, value: Buffer.from('b-state') });
      expect((await b.listAll()).keys).toEqual(['monitor']);
      expect((await a.listAll()).keys).toEqual([]);
    });
  });

  describe('mode none', () => {
    it('serves everyone as one user', async () => {
      const v = await startVssOn(engine, { auth: 'none' });
      try {
        expect((await new TestClient(v.url, 'w', { authorization: 'anything' }).put([kv('k', -1, 'v')])).status).toBe(200);
        expect(await new TestClient(v.url, 'w').getValue('k')).toEqual({ version: 1n, value: Buffer.from('v') });
      } finally {
        await v.stop();
      }
    });
  });

  describe('mode lnurl: built-in LNURL-auth issuer', () => {
    let v: LocalVss;
    let dataDir: string;
    let authUrl: string;
    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'vss-lnurl-'));
      v = await startVssOn(engine, { auth: 'lnurl', authOptions: { dataDir } });
      // Wallets derive the linking key from the domain; url::Url::domain() refuses IP hosts.
      authUrl = `${v.url.replace('127.0.0.1', 'localhost').replace(/\/vss$/, '')}/lnurl-auth`;
    });
    afterAll(async () => {
      await v.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('logs in an LDK Node linking key (m/877’/138’, per-domain path) and the JWT works on VSS', async () => {
      const parent = ldkLnurlParent(randomBytes(64));
      const { token, pubkeyHex } = await lnurlLogin(authUrl, parent);
      const claims = decodeJwt(token);
      expect(claims.sub).toBe(pubkeyHex);
      expect(claims.exp! - claims.iat!).toBe(86_400);
      const c = new TestClient(v.url, 'wallet', { authorization: `Bearer ${token}` });
      expect((await c.put([kv('node_metrics', -1, 'x')])).status).toBe(200);
      expect(await c.getValue('node_metrics')).toEqual({ version: 1n, value: Buffer.from('x') });
      // Same seed, new login: same identity, same data.
      const again = await lnurlLogin(authUrl, parent);
      expect(again.pubkeyHex).toBe(pubkeyHex);
      expect(await new TestClient(v.url, 'wallet', { authorization: `Bearer ${again.token}` }).getValue('node_metrics')).toEqual({
        version: 1n,
        value: Buffer.from('x'),
      });
    });

    it('rejects a replayed k1 with a JSON reason', async () => {
      const { signedUrl } = await lnurlLogin(authUrl, ldkLnurlParent(randomBytes(64)));
      const r = await fetch(signedUrl);
      expect(await r.json()).toEqual({ status: 'ERROR', reason: expect.stringMatching(/k1/) });
    });

    it('isolates two wallets (two seeds) and refuses tokens of other issuers and no token', async () => {
      const a = await lnurlLogin(authUrl, ldkLnurlParent(randomBytes(64)));
      const b = await lnurlLogin(authUrl, ldkLnurlParent(randomBytes(64)));
      expect(a.pubkeyHex).not.toBe(b.pubkeyHex);
      const ca = new TestClient(v.url, 'wallet', { authorization: `Bearer ${a.token}` });
      const cb = new TestClient(v.url, 'wallet', { authorization: `Bearer ${b.token}` });
      expect((await ca.put([kv('k', -1, 'a')])).status).toBe(200);
      expect(await cb.getValue('k')).toBe(404);
      const foreign = rsaKeyPair();
      expectAuthFailure(await getWith(v.url, authz(`Bearer ${await rs256(foreign.privateKey, { sub: a.pubkeyHex, exp: 9_999_999_999 })}`)));
      expectAuthFailure(await getWith(v.url, {}));
    });

    it('keeps its signing key in a 0600 file under the data dir, so tokens survive a restart', async () => {
      const file = join(dataDir, LNURL_KEY_FILE);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const { token } = await lnurlLogin(authUrl, ldkLnurlParent(randomBytes(64)));
      const restarted = await startVssOn(engine, { auth: 'lnurl', authOptions: { dataDir }, tableName: v.tableName });
      try {
        expect((await getWith(restarted.url, authz(`Bearer ${token}`))).status).toBe(404);
      } finally {
        await restarted.stop();
      }
    });

    it('answers the issuer’s JSON errors for incomplete requests and 405 for other methods', async () => {
      const r = await fetch(`${authUrl}?tag=login&k1=${'00'.repeat(32)}&sig=3006020101020101`);
      expect(await r.json()).toEqual({ status: 'ERROR', reason: expect.any(String) });
      expect((await fetch(authUrl, { method: 'POST' })).status).toBe(405);
    });
  });

  describe('mode jwt with a PKCS#1 key', () => {
    it('accepts tokens of the configured issuer key given as PKCS#1 PEM', async () => {
      const rsa = rsaKeyPair();
      const v = await startVssOn(engine, { auth: 'jwt', authOptions: { jwtPublicKeyPem: rsa.pkcs1Pem } });
      try {
        const token = await rs256(rsa.privateKey, { sub: 'carol', exp: Math.floor(Date.now() / 1000) + 3600 });
        const r = await new TestClient(v.url, 'w', authz(`Bearer ${token}`)).list();
        expect(r.status).toBe(200);
        expect(vss.ListKeyVersionsResponse.decode(r.body).keyVersions).toEqual([]);
      } finally {
        await v.stop();
      }
    });
  });
});
