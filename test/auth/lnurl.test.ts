/**
 * The LNURL-auth JWT issuer (docs/protocol.md §5.3): key-derivation vectors from LUD-05 and vss-client, the
 * issuer's rules (fresh k1, verify-then-consume exactly once, expiry), the DynamoDB challenge store
 * on the real engines, and the AWS code path end to end — lnurlAuth handler (KMS Sign mocked by a
 * real local RSA key) → token → TOKEN authorizer trusting the same KMS key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { constants, createPublicKey, privateEncrypt, randomBytes, randomUUID } from 'node:crypto';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { HDKey } from '@scure/bip32';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { APIGatewayProxyEvent, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { createJwtVerifier } from '../../lambda/auth/jwt.js';
import { DynamoDbK1Store } from '../../lambda/auth/k1-store-dynamodb.js';
import { LnurlAuthIssuer, MemoryK1Store, localRs256Signer, verifyLnurlSignature, type K1Store } from '../../lambda/auth/lnurl.js';
import { handler as lnurlHandler, publicUrlOf, setClientsForTesting } from '../../lambda/handlers/lnurlAuth.js';
import { handler as jwtAuthorizer, setKmsClientForTesting } from '../../lambda/handlers/jwtAuthorizer.js';
import { localClient } from '../../local/engines.js';
import { primaryEngine } from '../support/local-vss.js';
import { ldkLnurlParent, linkingKeyPath, rsaKeyPair, signLnurl } from './clients.js';

describe('LNURL-auth key derivation vectors', () => {
  it('derives the LUD-05 linking-key path for site.com', () => {
    const hashingKey = Buffer.from('7d417a6a5e9a6a4a879aeaba11a11838764c8fa2b959c242d43dea682b3e409b', 'hex');
    expect(linkingKeyPath(hashingKey, 'site.com')).toEqual([1588488367, 2659270754, 38110259, 4136336762]);
  });

  it('signs exactly as vss-client sign_lnurl does (its test vector), and the server verifies it', () => {
    const parent = HDKey.fromMasterSeed(Buffer.from('ab'.repeat(32), 'hex'));
    const k1 = 'e2af6254a8df433264fa23f67eb8188635d15ce883e8fc020989d5f82ae6f11e';
    const { url } = signLnurl(parent, `https://example.com/path?tag=login&k1=${k1}`);
    const sig =
      '3045022100a75df468de452e618edb8030016eb0894204655c7d93ece1be007fcf36843522022048bc2f00a0a5a30601d274b49cfaf9ef4c76176e5401d0dfb195f5d6ab8ab4c4';
    const key = '02d9eb1b467517d685e3b5439082c14bb1a2c9ae672df4d9046d208c193a5846e0';
    expect(url).toBe(`https://example.com/path?tag=login&k1=${k1}&sig=${sig}&key=${key}`);
    expect(verifyLnurlSignature(k1, sig, key)).toBe(true);
    expect(verifyLnurlSignature(k1.replace('e2', 'e3'), sig, key)).toBe(false);
    expect(verifyLnurlSignature(k1, sig, `03${key.slice(2)}`)).toBe(false);
    expect(verifyLnurlSignature(k1, `${sig.slice(0, -2)}00`, key)).toBe(false);
    expect(verifyLnurlSignature(k1, 'zz', key)).toBe(false);
  });
});

describe('LNURL-auth issuer', () => {
  const signing = rsaKeyPair();
  let clock = 1_800_000_000;
  const now = () => clock;
  const issuerWith = (store: K1Store = new MemoryK1Store()) =>
    new LnurlAuthIssuer({ store, sign: localRs256Signer(signing.privateKey), now, tokenTtlSeconds: 3600, k1TtlSeconds: 300 });
  const verify = createJwtVerifier({ sources: [{ key: signing.publicKey }], now });
  const parent = ldkLnurlParent(randomBytes(64));
  const publicUrl = 'https://auth.example.com/lnurl-auth';

  async function challenge(issuer: LnurlAuthIssuer): Promise<string> {
    const r = await issuer.handle({ publicUrl, query: {} });
    expect(r.status).toBe(200);
    expect(r.contentType).toMatch(/^text\/plain/);
    return r.body;
  }
  const queryOf = (url: string) => Object.fromEntries(new URL(url).searchParams);

  it('answers a plain GET with the plain-text URL, tag=login and a fresh 32-byte k1', async () => {
    const issuer = issuerWith();
    const a = await challenge(issuer);
    const b = await challenge(issuer);
    expect(a).toMatch(/^https:\/\/auth\.example\.com\/lnurl-auth\?tag=login&k1=[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
  });

  it('issues an RS256 JWT with sub = linking pubkey, exp = now + ttl, no aud, that the VSS verifier accepts', async () => {
    const issuer = issuerWith();
    const { url, pubkeyHex } = signLnurl(parent, await challenge(issuer));
    const r = await issuer.handle({ publicUrl, query: queryOf(url) });
    expect(r.status).toBe(200);
    const body = JSON.parse(r.body) as { status: string; token: string };
    expect(body.status).toBe('OK');
    expect(decodeProtectedHeader(body.token).alg).toBe('RS256');
    const claims = decodeJwt(body.token);
    expect(claims).toEqual({ sub: pubkeyHex, iat: clock, exp: clock + 3600 });
    expect(await verify(`Bearer ${body.token}`)).toBe(pubkeyHex);
  });

  it('consumes k1 exactly once: a replay of the signed URL is refused', async () => {
    const issuer = issuerWith();
    const { url } = signLnurl(parent, await challenge(issuer));
    expect(JSON.parse((await issuer.handle({ publicUrl, query: queryOf(url) })).body).status).toBe('OK');
    const replay = JSON.parse((await issuer.handle({ publicUrl, query: queryOf(url) })).body);
    expect(replay).toEqual({ status: 'ERROR', reason: expect.stringMatching(/k1/) });
  });

  it('refuses an unknown k1 and an expired one', async () => {
    const issuer = issuerWith();
    const unknown = signLnurl(parent, `${publicUrl}?tag=login&k1=${randomBytes(32).toString('hex')}`);
    expect(JSON.parse((await issuer.handle({ publicUrl, query: queryOf(unknown.url) })).body).status).toBe('ERROR');
    const { url } = signLnurl(parent, await challenge(issuer));
    clock += 301;
    try {
      expect(JSON.parse((await issuer.handle({ publicUrl, query: queryOf(url) })).body)).toEqual({
        status: 'ERROR',
        reason: expect.any(String),
      });
    } finally {
      clock -= 301;
    }
  });

  it('does not consume k1 on a bad signature, so a forger cannot burn a wallet’s challenge', async () => {
    const issuer = issuerWith();
    const lnurl = await challenge(issuer);
    const { url } = signLnurl(parent, lnurl);
    const forged = signLnurl(ldkLnurlParent(randomBytes(64)), lnurl);
    const q = { ...queryOf(url), key: queryOf(forged.url)['key'] };
    expect(JSON.parse((await issuer.handle({ publicUrl, query: q })).body).status).toBe('ERROR');
    expect(JSON.parse((await issuer.handle({ publicUrl, query: queryOf(url) })).body).status).toBe('OK');
  });

  it('refuses incomplete or malformed parameters with a reason', async () => {
    const issuer = issuerWith();
    const k1 = queryOf(await challenge(issuer))['k1']!;
    for (const query of [
      { k1, sig: '30' },
      { k1, key: `02${'11'.repeat(32)}` },
      { k1: 'xyz', sig: '3006020101020101', key: `02${'11'.repeat(32)}` },
    ]) {
      const r = await issuer.handle({ publicUrl, query });
      expect(JSON.parse(r.body)).toEqual({ status: 'ERROR', reason: expect.any(String) });
    }
  });
});

async function createK1Table(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'k1', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'k1', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

describe.each([primaryEngine()])('LNURL-auth on AWS code paths, DynamoDB on $name', (engine) => {
  const client = localClient(engine.endpoint);
  const tableName = `lnurl-k1-${randomUUID()}`;
  const kmsKey = rsaKeyPair();
  const kms = new KMSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const kmsMock = mockClient(kms);
  const saved = { ...process.env };
  const KEY_ID = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';

  beforeAll(async () => {
    await createK1Table(client, tableName);
    // KMS Sign, RSASSA_PKCS1_V1_5_SHA_256 over a SHA-256 digest: DigestInfo ‖ digest, PKCS#1 v1.5
    // padded with the private key — what KMS does, so the verification downstream is real.
    const DIGEST_INFO_SHA256 = Buffer.from('3031300d060960864801650304020105000420', 'hex');
    kmsMock.on(SignCommand).callsFake((input: { KeyId: string; Message: Uint8Array; MessageType: string; SigningAlgorithm: string }) => {
      expect(input).toMatchObject({ KeyId: KEY_ID, MessageType: 'DIGEST', SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' });
      expect(input.Message.length).toBe(32);
      const sig = privateEncrypt(
        { key: kmsKey.privateKey, padding: constants.RSA_PKCS1_PADDING },
        Buffer.concat([DIGEST_INFO_SHA256, input.Message]),
      );
      return { Signature: new Uint8Array(sig), KeyId: KEY_ID, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' };
    });
    kmsMock.on(GetPublicKeyCommand, { KeyId: KEY_ID }).resolves({
      PublicKey: new Uint8Array(createPublicKey(kmsKey.privateKey).export({ type: 'spki', format: 'der' })),
      KeyUsage: 'SIGN_VERIFY',
      SigningAlgorithms: ['RSASSA_PKCS1_V1_5_SHA_256'],
    });
    for (const k of Object.keys(process.env)) if (k.startsWith('VSS_')) delete process.env[k];
    Object.assign(process.env, { VSS_LNURL_TABLE_NAME: tableName, VSS_LNURL_KMS_KEY_ID: KEY_ID, VSS_LNURL_TOKEN_TTL_SECONDS: '7200' });
    setClientsForTesting({ kms, dynamodb: client });
    setKmsClientForTesting(kms);
  });
  afterAll(() => {
    process.env = saved;
    setClientsForTesting({});
    setKmsClientForTesting(undefined);
    client.destroy();
  });

  it('DynamoDbK1Store consumes a challenge exactly once, even when raced', async () => {
    const store = new DynamoDbK1Store(client, tableName);
    const k1 = randomBytes(32).toString('hex');
    await store.create(k1, 2_000_000_000);
    const results = await Promise.all(Array.from({ length: 8 }, () => store.consume(k1, 1_900_000_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.consume(k1, 1_900_000_000)).toBe(false);
  });

  it('DynamoDbK1Store refuses an expired challenge that TTL has not deleted yet, and removes it', async () => {
    const store = new DynamoDbK1Store(client, tableName);
    const k1 = randomBytes(32).toString('hex');
    await store.create(k1, 1_000);
    expect(await store.consume(k1, 2_000)).toBe(false);
    expect(await store.consume(k1, 500)).toBe(false);
  });

  it('DynamoDbK1Store never overwrites an existing challenge', async () => {
    const store = new DynamoDbK1Store(client, tableName);
    const k1 = randomBytes(32).toString('hex');
    await store.create(k1, 2_000_000_000);
    await expect(store.create(k1, 2_000_000_001)).rejects.toThrow();
  });

  const proxyEvent = (query: Record<string, string> | null): APIGatewayProxyEvent =>
    ({
      httpMethod: 'GET',
      path: '/lnurl-auth',
      resource: '/lnurl-auth',
      headers: { Host: 'abc123.execute-api.eu-west-1.amazonaws.com' },
      multiValueHeaders: {},
      queryStringParameters: query,
      requestContext: { path: '/prod/lnurl-auth', stage: 'prod' },
    }) as unknown as APIGatewayProxyEvent;

  it('logs in through the Lambda handler (KMS-signed) and the TOKEN authorizer accepts the token', async () => {
    const first = await lnurlHandler(proxyEvent(null));
    expect(first.statusCode).toBe(200);
    expect(first.body).toMatch(/^https:\/\/abc123\.execute-api\.eu-west-1\.amazonaws\.com\/prod\/lnurl-auth\?tag=login&k1=[0-9a-f]{64}$/);
    const parent = ldkLnurlParent(randomBytes(64));
    const { url, pubkeyHex } = signLnurl(parent, first.body);
    const second = await lnurlHandler(proxyEvent(Object.fromEntries(new URL(url).searchParams)));
    expect(second.statusCode).toBe(200);
    const { status, token } = JSON.parse(second.body) as { status: string; token: string };
    expect(status).toBe('OK');
    const claims = decodeJwt(token);
    expect(claims.sub).toBe(pubkeyHex);
    expect(claims.exp! - claims.iat!).toBe(7200);

    const authorizerEvent: APIGatewayTokenAuthorizerEvent = {
      type: 'TOKEN',
      methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/POST/vss/putObjects',
      authorizationToken: `Bearer ${token}`,
    };
    const policy = await jwtAuthorizer(authorizerEvent);
    expect(policy.context?.['userToken']).toBe(pubkeyHex);

    // Replay of the signed URL: refused, k1 already consumed.
    const replay = await lnurlHandler(proxyEvent(Object.fromEntries(new URL(url).searchParams)));
    expect(JSON.parse(replay.body)).toEqual({ status: 'ERROR', reason: expect.stringMatching(/k1/) });
  });

  it('answers JSON 500 (no details) when KMS fails, and 405 for other methods', async () => {
    kmsMock.on(SignCommand).rejectsOnce(new Error('KMS down'));
    const first = await lnurlHandler(proxyEvent(null));
    const { url } = signLnurl(ldkLnurlParent(randomBytes(64)), first.body);
    const errSpy = console.error;
    console.error = () => {};
    try {
      const r = await lnurlHandler(proxyEvent(Object.fromEntries(new URL(url).searchParams)));
      expect(r.statusCode).toBe(500);
      expect(JSON.parse(r.body)).toEqual({ status: 'ERROR', reason: expect.not.stringMatching(/KMS/) });
    } finally {
      console.error = errSpy;
    }
    expect((await lnurlHandler({ ...proxyEvent(null), httpMethod: 'POST' })).statusCode).toBe(405);
  });

  it('takes the public URL from VSS_LNURL_PUBLIC_URL when set (custom domains, CDNs)', () => {
    expect(publicUrlOf(proxyEvent(null))).toBe('https://abc123.execute-api.eu-west-1.amazonaws.com/prod/lnurl-auth');
    process.env['VSS_LNURL_PUBLIC_URL'] = 'https://auth.wallet.example/lnurl-auth';
    try {
      expect(publicUrlOf(proxyEvent(null))).toBe('https://auth.wallet.example/lnurl-auth');
    } finally {
      delete process.env['VSS_LNURL_PUBLIC_URL'];
    }
  });
});
