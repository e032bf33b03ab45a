/**
 * The JWT verifier (docs/protocol.md §5.2 parity, §7.9 options) and the API Gateway TOKEN authorizer,
 * including trust in the LNURL-auth issuer's KMS key (KMS mocked; its public key is a real RSA key,
 * so verification is real). Fixed clock; JWKS served on loopback only.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import { GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { exportJWK } from 'jose';
import type { APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { JwtKeyUnavailableError, createJwtVerifier, parseAlgorithms, parsePublicKeyPem, type JwtKeySource } from '../../lambda/auth/jwt.js';
import { handler as authorizer, jwtSourcesFromEnv, setKmsClientForTesting, wholeApiResource } from '../../lambda/handlers/jwtAuthorizer.js';
import { es256, hs256WithPublicKey, rs256, rsaKeyPair, unsecuredJwt } from './clients.js';
import { authFailureMessage } from './auth-failure.js';

const NOW = 1_800_000_000;
const now = () => NOW;
const rsa = rsaKeyPair();
const verifierFor = (sources: JwtKeySource[]) => createJwtVerifier({ sources, now });
const pemVerifier = verifierFor([{ key: rsa.spkiPem }]);

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return authFailureMessage(e);
  }
  throw new Error('accepted');
}

describe('JWT verifier, reference parity (docs/protocol.md §5.2)', () => {
  it('accepts an RS256 token with sub and exp and returns sub', async () => {
    expect(await pemVerifier(`Bearer ${await rs256(rsa.privateKey, { sub: 'alice', exp: NOW + 3600 })}`)).toBe('alice');
  });

  it('accepts PKCS#1 (BEGIN RSA PUBLIC KEY) as well as SPKI PEM', async () => {
    expect(rsa.pkcs1Pem).toMatch(/BEGIN RSA PUBLIC KEY/);
    const v = verifierFor([{ key: rsa.pkcs1Pem }]);
    expect(await v(`Bearer ${await rs256(rsa.privateKey, { sub: 'alice', exp: NOW + 60 })}`)).toBe('alice');
  });

  it('refuses RSA keys under 2048 bits and non-key PEM at configuration time', () => {
    const small = rsaKeyPair(1024);
    expect(() => verifierFor([{ key: small.spkiPem }])).toThrow(/2048/);
    expect(() => parsePublicKeyPem('-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----')).toThrow(/PEM/);
  });

  it('applies 60 s leeway exactly as the reference: accepted at now = exp + 60, rejected at exp + 61', async () => {
    expect(await pemVerifier(`Bearer ${await rs256(rsa.privateKey, { sub: 'a', exp: NOW - 60 })}`)).toBe('a');
    await rejection(pemVerifier(`Bearer ${await rs256(rsa.privateKey, { sub: 'a', exp: NOW - 61 })}`));
  });

  it('requires exp, as a non-negative integer', async () => {
    await rejection(pemVerifier(`Bearer ${await rs256(rsa.privateKey, { sub: 'a' })}`));
    await rejection(pemVerifier(`Bearer ${await rs256(rsa.privateKey, { sub: 'a', exp: NOW + 10.5 })}`));
    await rejection(pemVerifier(`Bearer ${await rs256(rsa.privateKey, { sub: 'a', exp: String(NOW + 10) })}`));
  });

  it('rejects a token carrying aud when no audience is configured', async () => {
    await rejection(pemVerifier(`Bearer ${await rs256(rsa.privateKey, { sub: 'a', exp: NOW + 10, aud: 'vss' })}`));
  });

  it('ignores iat and other claims, as the reference does', async () => {
    expect(await pemVerifier(`Bearer ${await rs256(rsa.privateKey, { sub: 'a', exp: NOW + 10, iat: NOW + 999, foo: 1 })}`)).toBe('a');
  });

  it('requires the exact "Bearer " prefix', async () => {
    const t = await rs256(rsa.privateKey, { sub: 'a', exp: NOW + 10 });
    for (const h of [t, `bearer ${t}`, `Bearer  ${t}`, `Bearer:${t}`]) await rejection(pemVerifier(h));
    expect(await rejection(pemVerifier(undefined))).toBe('Authorization header not found.');
  });

  it('requires sub non-blank and at most 120 characters', async () => {
    await rejection(pemVerifier(`Bearer ${await rs256(rsa.privateKey, { exp: NOW + 10 })}`));
    await rejection(pemVerifier(`Bearer ${await rs256(rsa.privateKey, { sub: '', exp: NOW + 10 })}`));
    await rejection(pemVerifier(`Bearer ${await rs256(rsa.privateKey, { sub: '   ', exp: NOW + 10 })}`));
    await rejection(pemVerifier(`Bearer ${await rs256(rsa.privateKey, { sub: 'x'.repeat(121), exp: NOW + 10 })}`));
    await rejection(pemVerifier(`Bearer ${await rs256(rsa.privateKey, { sub: 42, exp: NOW + 10 })}`));
    expect(await pemVerifier(`Bearer ${await rs256(rsa.privateKey, { sub: 'x'.repeat(120), exp: NOW + 10 })}`)).toBe('x'.repeat(120));
    // Characters, not UTF-16 units: 120 astral characters are fine.
    expect(await pemVerifier(`Bearer ${await rs256(rsa.privateKey, { sub: '😀'.repeat(120), exp: NOW + 10 })}`)).toBe('😀'.repeat(120));
  });

  it('rejects alg none, HS256 signed with the public key, and algorithms not configured', async () => {
    const claims = { sub: 'mallory', exp: NOW + 10 };
    await rejection(pemVerifier(`Bearer ${unsecuredJwt(claims)}`));
    await rejection(pemVerifier(`Bearer ${hs256WithPublicKey(rsa.spkiPem, claims)}`));
    await rejection(pemVerifier(`Bearer ${hs256WithPublicKey(rsa.pkcs1Pem, claims)}`));
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await rejection(pemVerifier(`Bearer ${await es256(ec.privateKey, claims)}`));
  });

  it('rejects a token signed by another key, and garbage', async () => {
    const other = rsaKeyPair();
    await rejection(pemVerifier(`Bearer ${await rs256(other.privateKey, { sub: 'a', exp: NOW + 10 })}`));
    for (const g of ['Bearer garbage', 'Bearer a.b.c', 'Bearer ..', 'Bearer ']) await rejection(pemVerifier(g));
  });

  it('refuses to configure HMAC or unknown algorithms', () => {
    expect(() => parseAlgorithms('HS256')).toThrow(/not supported/);
    expect(() => parseAlgorithms('none')).toThrow(/not supported/);
    expect(() => parseAlgorithms('RS256,ES256')).not.toThrow();
  });
});

describe('JWT verifier, options for other issuers (docs/protocol.md §7.9)', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ecPem = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();

  it('accepts ES256 when configured', async () => {
    const v = verifierFor([{ key: ecPem, algorithms: ['ES256'] }]);
    expect(await v(`Bearer ${await es256(ec.privateKey, { sub: 'e', exp: NOW + 10 })}`)).toBe('e');
    // … and still nothing else with that key.
    await rejection(v(`Bearer ${hs256WithPublicKey(ecPem, { sub: 'e', exp: NOW + 10 })}`));
  });

  it('enforces a configured issuer and audience', async () => {
    const v = verifierFor([{ key: rsa.spkiPem, issuer: 'https://idp.example', audience: 'vss' }]);
    const ok = { sub: 'a', exp: NOW + 10, iss: 'https://idp.example', aud: 'vss' };
    expect(await v(`Bearer ${await rs256(rsa.privateKey, ok)}`)).toBe('a');
    expect(await v(`Bearer ${await rs256(rsa.privateKey, { ...ok, aud: ['other', 'vss'] })}`)).toBe('a');
    await rejection(v(`Bearer ${await rs256(rsa.privateKey, { ...ok, iss: 'https://evil.example' })}`));
    await rejection(v(`Bearer ${await rs256(rsa.privateKey, { ...ok, aud: 'other' })}`));
    await rejection(v(`Bearer ${await rs256(rsa.privateKey, { sub: 'a', exp: NOW + 10, aud: 'vss' })}`));
  });

  describe('JWKS on loopback', () => {
    let server: Server;
    let url: string;
    let up = true;
    beforeAll(async () => {
      const jwk = { ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
      server = createServer((_req, res) => {
        if (!up) {
          res.writeHead(503).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const a = server.address();
      url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/jwks.json`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('verifies tokens with keys from a JWKS URL', async () => {
      const v = verifierFor([{ jwksUrl: url }]);
      expect(await v(`Bearer ${await rs256(rsa.privateKey, { sub: 'j', exp: NOW + 10 }, { kid: 'k1' })}`)).toBe('j');
      await rejection(v(`Bearer ${await rs256(rsaKeyPair().privateKey, { sub: 'j', exp: NOW + 10 }, { kid: 'k1' })}`));
    });

    it('reports an unreachable JWKS as a fault (500), not as the token being bad', async () => {
      up = false;
      try {
        const v = verifierFor([{ jwksUrl: url }]);
        await expect(v(`Bearer ${await rs256(rsa.privateKey, { sub: 'j', exp: NOW + 10 }, { kid: 'k1' })}`)).rejects.toBeInstanceOf(
          JwtKeyUnavailableError,
        );
      } finally {
        up = true;
      }
    });
  });
});

describe('TOKEN authorizer (lambda/handlers/jwtAuthorizer.ts)', () => {
  const methodArn = 'arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/POST/vss/getObject';
  const event = (authorizationToken: string): APIGatewayTokenAuthorizerEvent => ({ type: 'TOKEN', methodArn, authorizationToken });
  const kmsKey = rsaKeyPair();
  const kms = new KMSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const kmsMock = mockClient(kms);
  const saved = { ...process.env };
  const publicKeyResponse = {
    PublicKey: new Uint8Array(kmsKey.publicKey.export({ type: 'spki', format: 'der' })),
    KeyUsage: 'SIGN_VERIFY' as const,
    KeySpec: 'RSA_2048' as const,
    SigningAlgorithms: ['RSASSA_PKCS1_V1_5_SHA_256' as const],
  };

  beforeEach(() => {
    for (const k of Object.keys(process.env)) if (k.startsWith('VSS_')) delete process.env[k];
    Object.assign(process.env, { VSS_JWT_PUBLIC_KEY_PEM: rsa.spkiPem, VSS_LNURL_KMS_KEY_ID: 'alias/vss-lnurl' });
    kmsMock.reset();
    kmsMock.on(GetPublicKeyCommand, { KeyId: 'alias/vss-lnurl' }).resolves(publicKeyResponse);
    setKmsClientForTesting(kms);
  });
  afterAll(() => {
    process.env = saved;
    setKmsClientForTesting(undefined);
  });

  it('allows the whole API with context.userToken = sub and a hashed principalId', async () => {
    const r = await authorizer(event(`Bearer ${await rs256(rsa.privateKey, { sub: 'alice', exp: Math.floor(Date.now() / 1000) + 600 })}`));
    expect(r.context?.['userToken']).toBe('alice');
    expect(r.principalId).toMatch(/^[0-9a-f]{32}$/);
    expect(r.principalId).not.toContain('alice');
    expect(r.policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/*/*' },
    ]);
  });

  it('answers Unauthorized (API Gateway 401) for a bad token', async () => {
    await expect(authorizer(event('Bearer nope'))).rejects.toThrow(/^Unauthorized$/);
    await expect(authorizer(event(`Bearer ${unsecuredJwt({ sub: 'm', exp: 9e9 })}`))).rejects.toThrow(/^Unauthorized$/);
  });

  it('trusts tokens signed by the LNURL-auth KMS key, fetching its public key once per cold start', async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    for (const sub of ['02aa', '03bb']) {
      const r = await authorizer(event(`Bearer ${await rs256(kmsKey.privateKey, { sub, exp })}`));
      expect(r.context?.['userToken']).toBe(sub);
    }
    expect(kmsMock.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
  });

  it('retries the KMS public key after a failed fetch instead of caching the failure', async () => {
    kmsMock.on(GetPublicKeyCommand).rejectsOnce(new Error('throttled')).resolves(publicKeyResponse);
    const token = `Bearer ${await rs256(kmsKey.privateKey, { sub: '02cc', exp: Math.floor(Date.now() / 1000) + 600 })}`;
    // The failure is a fault (API Gateway 500, retried by clients), not Unauthorized.
    await expect(authorizer(event(token))).rejects.toBeInstanceOf(JwtKeyUnavailableError);
    expect((await authorizer(event(token))).context?.['userToken']).toBe('02cc');
  });

  it('still verifies PEM-key tokens while KMS is down', async () => {
    kmsMock.on(GetPublicKeyCommand).rejects(new Error('down'));
    const r = await authorizer(event(`Bearer ${await rs256(rsa.privateKey, { sub: 'bob', exp: Math.floor(Date.now() / 1000) + 600 })}`));
    expect(r.context?.['userToken']).toBe('bob');
  });

  it('refuses to start with no key source, and maps env to sources', () => {
    expect(() => jwtSourcesFromEnv({})).toThrow(/VSS_JWT_PUBLIC_KEY_PEM/);
    const s = jwtSourcesFromEnv({
      VSS_JWT_JWKS_URL: 'https://idp.example/jwks',
      VSS_JWT_ISSUER: 'i',
      VSS_JWT_AUDIENCE: 'a',
      VSS_JWT_ALGORITHMS: 'ES256',
    });
    expect(s).toEqual([
      { name: 'VSS_JWT_JWKS_URL', jwksUrl: 'https://idp.example/jwks', algorithms: ['ES256'], issuer: 'i', audience: 'a' },
    ]);
    expect(() => jwtSourcesFromEnv({ VSS_JWT_PUBLIC_KEY_PEM: rsa.spkiPem, VSS_JWT_ALGORITHMS: 'HS256' })).toThrow(/not supported/);
  });

  it('builds the whole-API resource from a method ARN', () => {
    expect(wholeApiResource('arn:aws:execute-api:us-east-1:1:api/v1/GET/x/y')).toBe('arn:aws:execute-api:us-east-1:1:api/v1/*/*');
  });
});
