/**
 * `npm start -- --auth …` as a user runs it: jwt with --jwt-public-key PATH, lnurl serving its
 * issuer (login with an LDK Node-derived key, token works on VSS), and signature. Its refusals
 * (jwt without a key) run in the test's process: test/conformance/local-server-refusals.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { ErrorCode } from '../../lambda/core/errors.js';
import { decodeError, kv, TestClient, primaryEngine } from '../support/local-vss.js';
import { ldkLnurlParent, lnurlLogin, rs256, rsaKeyPair, sigsAuthHeader } from './clients.js';

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/cli.ts', ...args], {
    cwd: process.cwd(),
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return child;
}

async function startCli(args: string[], env: Record<string, string> = {}): Promise<Started> {
  const endpoint = primaryEngine().endpoint;
  // The embedded object store keeps its data under --data-dir: a fresh one, not the checkout's .data.
  const dataDir = args.includes('--data-dir') ? [] : ['--data-dir', tmp()];
  const child = run(['--port', '0', '--dynamodb-endpoint', endpoint, '--table', `vss-${randomUUID()}`, ...dataDir, ...args], env);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`CLI not ready: ${out}`)), 90_000);
    child.stdout!.on('data', () => {
      const m = /^VSS listening on (http:\/\/\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`CLI exited with ${code}: ${out}`)));
  });
  return { child, url, output: () => out };
}

async function stop(s: Started): Promise<void> {
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  await exited;
}

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'vss-auth-cli-'));
  dirs.push(d);
  return d;
}

describe('npm start --auth', () => {
  it('jwt: --jwt-public-key PATH (PKCS#1) accepts the issuer’s tokens and refuses requests without one', async () => {
    const rsa = rsaKeyPair();
    const pemFile = join(tmp(), 'issuer.pem');
    writeFileSync(pemFile, rsa.pkcs1Pem);
    const s = await startCli(['--auth', 'jwt', '--jwt-public-key', pemFile]);
    try {
      const token = await rs256(rsa.privateKey, { sub: 'dave', exp: Math.floor(Date.now() / 1000) + 3600 });
      const c = new TestClient(s.url, 'w', { authorization: `Bearer ${token}` });
      expect((await c.put([kv('k', -1, 'v')])).status).toBe(200);
      const r = await new TestClient(s.url, 'w').get('k');
      expect(r.status).toBe(401);
      expect(r.protocolVersion).toBe('0');
      expect(decodeError(r).errorCode).toBe(ErrorCode.AUTH_EXCEPTION);
    } finally {
      await stop(s);
    }
  });

  it('jwt: the key can come from the environment as PEM text (VSS_AUTH, VSS_JWT_PUBLIC_KEY_PEM)', async () => {
    const rsa = rsaKeyPair();
    const s = await startCli([], { VSS_AUTH: 'jwt', VSS_JWT_PUBLIC_KEY_PEM: rsa.spkiPem });
    try {
      const token = await rs256(rsa.privateKey, { sub: 'erin', exp: Math.floor(Date.now() / 1000) + 3600 });
      expect((await new TestClient(s.url, 'w', { authorization: `Bearer ${token}` }).get('k')).status).toBe(404);
    } finally {
      await stop(s);
    }
  });

  it('lnurl: serves the issuer, an LDK Node wallet logs in, and its JWT works on VSS', async () => {
    const s = await startCli(['--auth', 'lnurl', '--data-dir', tmp()]);
    try {
      const m = /^LNURL-auth issuer at (http:\/\/\S+)$/m.exec(s.output());
      expect(m).not.toBeNull();
      const authUrl = m![1]!.replace('127.0.0.1', 'localhost');
      const { token } = await lnurlLogin(authUrl, ldkLnurlParent(randomBytes(64)));
      const c = new TestClient(s.url, 'w', { authorization: `Bearer ${token}` });
      expect((await c.put([kv('k', -1, 'v')])).status).toBe(200);
      expect(await c.getValue('k')).toEqual({ version: 1n, value: Buffer.from('v') });
    } finally {
      await stop(s);
    }
  });

  it('signature: accepts a vss-client-ng header', async () => {
    const s = await startCli(['--auth', 'signature']);
    try {
      const h = sigsAuthHeader(secp256k1.utils.randomSecretKey(), Math.floor(Date.now() / 1000));
      expect((await new TestClient(s.url, 'w', { authorization: h }).get('k')).status).toBe(404);
      expect((await new TestClient(s.url, 'w').get('k')).status).toBe(401);
    } finally {
      await stop(s);
    }
  });
});
