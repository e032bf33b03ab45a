/**
 * The one request path (lambda/request-path/) behind every door: its order (method, auth,
 * admission, body, protocol), a body read only once the request is admitted and only up to the
 * limit, the limit as a parameter, one observation per answer; and the deployed door and the
 * local server running the very same path, signature verification included, against one table.
 * On the real store and one engine (the engine plays no part in what is tested here).
 */
import { randomUUID } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createJwtVerifier } from '../../lambda/auth/jwt.js';
import { ErrorCode } from '../../lambda/core/errors.js';
import { composeRequestPath, type RequestPathSettings } from '../../lambda/request-path/compose.js';
import type { RequestBodySource, RequestOutcome, VssRequest } from '../../lambda/request-path/request-path.js';
import { localClient } from '../../local/engines.js';
import { ensureTable } from '../../local/table.js';
import { sigsAuthHeader } from '../auth/clients.js';
import { kv, primaryEngine, startVssOn, TestClient, vss } from '../support/local-vss.js';
import { bodyBytes } from '../../lambda/core/codec.js';

const engine = primaryEngine();
const client = localClient(engine.endpoint);
const tableName = `vss-path-${randomUUID()}`;
beforeAll(() => ensureTable(client, tableName));
afterAll(() => client.destroy());

const putBody = (storeId: string, key: string, value: string | Uint8Array = 'v', version = -1) =>
  vss.PutObjectRequest.encode({ storeId, transactionItems: [kv(key, version, value)] }).finish();
const errorCodeOf = (body: Uint8Array) => vss.ErrorResponse.decode(body).errorCode;

/** A body the door would stream: counts how often the path asked for it. */
function bodySource(bytes: Uint8Array, declaredBytes: number | null = bytes.length): RequestBodySource & { reads: number } {
  const source = {
    reads: 0,
    ...(declaredBytes !== null ? { declaredBytes } : {}),
    read: async (limit: number) => {
      source.reads++;
      return bytes.length > limit ? undefined : bytes;
    },
  };
  return source;
}

function pathWith(settings: Partial<RequestPathSettings> = {}) {
  const outcomes: RequestOutcome[] = [];
  const path = composeRequestPath({
    client,
    tableName,
    auth: { mode: 'signature' },
    ...settings,
    observers: { onOutcome: (o) => outcomes.push(o) },
  });
  return { path, outcomes };
}

const sk = secp256k1.utils.randomSecretKey();
const user = Buffer.from(secp256k1.getPublicKey(sk, true)).toString('hex');
const signed = (): Record<string, string> => ({ authorization: sigsAuthHeader(sk, Math.floor(Date.now() / 1000)) });
const request = (over: Partial<VssRequest>): VssRequest => ({
  operation: 'putObjects',
  method: 'POST',
  headers: signed(),
  body: putBody('s', 'k'),
  requestId: randomUUID(),
  ...over,
});

describe('the request path', () => {
  it('refuses another method first: 400 before authentication, and the body is never read', async () => {
    const { path, outcomes } = pathWith();
    const body = bodySource(putBody('s', 'm'));
    const r = await path.handle(request({ method: 'PUT', headers: {}, body }));
    expect(r.status).toBe(400);
    expect(vss.ErrorResponse.decode(bodyBytes(r.body)).message).toBe('Unsupported method PUT: VSS operations are POST requests');
    expect(r.headers['vss-protocol-version']).toBe('0');
    expect(body.reads).toBe(0);
    expect(outcomes).toEqual([
      expect.objectContaining({ operation: 'putObjects', status: 400, errorCode: ErrorCode.INVALID_REQUEST_EXCEPTION }),
    ]);
    expect(outcomes[0]!.userToken).toBeUndefined();
  });

  it('refuses an unauthenticated request 401 without reading its body, even one declared over the limit', async () => {
    const { path } = pathWith();
    const body = bodySource(putBody('s', 'a'), 1e9);
    const r = await path.handle(request({ headers: { authorization: 'nonsense' }, body }));
    expect(r.status).toBe(401);
    expect(errorCodeOf(bodyBytes(r.body))).toBe(ErrorCode.AUTH_EXCEPTION);
    expect(body.reads).toBe(0);
  });

  it('admits after authentication and before the body: a user over its rate limit gets 429 and its body stays unread', async () => {
    const { path, outcomes } = pathWith({ provider: { rateLimit: { perSecond: 0.001, burst: 1 } } });
    const first = await path.handle(request({ body: bodySource(putBody('rl', 'a')) }));
    expect(first.status).toBe(200);
    const body = bodySource(putBody('rl', 'b'));
    const second = await path.handle(request({ body }));
    expect(second.status).toBe(429);
    expect(body.reads).toBe(0);
    expect(outcomes.map((o) => [o.status, o.userToken])).toEqual([
      [200, user],
      [429, user],
    ]);
  });

  it('answers 413 from a declared length over the limit without reading, and from a streamed body that outgrows it', async () => {
    const { path } = pathWith({ maxBodyBytes: 100 });
    const declared = bodySource(putBody('s', 'x'), 101);
    const r1 = await path.handle(request({ body: declared }));
    expect([r1.status, declared.reads]).toEqual([413, 0]);
    expect(vss.ErrorResponse.decode(bodyBytes(r1.body)).message).toBe('Request body is larger than the 100 bytes this service accepts');
    const undeclared = bodySource(putBody('s', 'x', 'v'.repeat(200)), null);
    const r2 = await path.handle(request({ body: undeclared }));
    expect([r2.status, undeclared.reads]).toEqual([413, 1]);
  });

  it('takes the body limit as a parameter: the same 2,000-byte put is refused under a 1,000-byte limit and stored under the default', async () => {
    const body = putBody('limit', 'big', 'x'.repeat(2000));
    const small = await pathWith({ maxBodyBytes: 1000 }).path.handle(request({ body }));
    expect(small.status).toBe(413);
    expect(vss.ErrorResponse.decode(bodyBytes(small.body)).message).toBe(
      `Request body of ${body.length} bytes is larger than the 1000 bytes this service accepts`,
    );
    const roomy = pathWith();
    expect(roomy.path.maxBodyBytes).toBe(4_620_288);
    expect((await roomy.path.handle(request({ body }))).status).toBe(200);
  });

  it("lets a body source's own failure (the client left) reach the door, unobserved", async () => {
    const { path, outcomes } = pathWith();
    const gone = new Error('client left');
    const body: RequestBodySource = { read: () => Promise.reject(gone) };
    await expect(path.handle(request({ body }))).rejects.toBe(gone);
    expect(outcomes).toEqual([]);
  });

  it('observes every answer once, a fault behind a 500 included, and never lets an observer break the answer', async () => {
    const outcomes: RequestOutcome[] = [];
    const path = composeRequestPath({
      client,
      tableName,
      // Nothing listens there: the key is unavailable.
      auth: { mode: 'jwt', verify: createJwtVerifier({ sources: [{ jwksUrl: 'http://127.0.0.1:9/jwks.json' }] }) },
      observers: {
        onOutcome: (o) => {
          outcomes.push(o);
          throw new Error('observer broken');
        },
      },
    });
    // A well-formed RS256 token whose key cannot be fetched: a fault of ours, not the token's.
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const token = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ sub: 'u', exp: 2e9 })}.${Buffer.alloc(256).toString('base64url')}`;
    const r = await path.handle(request({ headers: { authorization: `Bearer ${token}` } }));
    expect(r.status).toBe(500);
    expect(vss.ErrorResponse.decode(bodyBytes(r.body)).message).toBe('Unknown Server Error occurred.');
    expect(outcomes[0]).toMatchObject({ status: 500, errorCode: ErrorCode.INTERNAL_SERVER_EXCEPTION, fault: expect.any(Error) });
    expect(outcomes).toHaveLength(1);
  });
});

describe('the deployed door and the local server run the same path', () => {
  const saved = { ...process.env };
  let deployed: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

  beforeAll(async () => {
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: engine.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      VSS_TABLE_NAME: tableName,
      VSS_AUTH_MODE: 'signature',
    });
    // The deployed observers log a line and an EMF blob per request: not this test's subject.
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    // The handler composes its runtime from the environment when its module is first evaluated;
    // test files share their worker's modules (vitest.config.ts), so evaluate it afresh here.
    vi.resetModules();
    deployed = (await import('../../lambda/handlers/putObjects.js')).handler;
  });
  afterAll(() => {
    process.env = saved;
    vi.restoreAllMocks();
  });

  it('signature auth: the deployed handler verifies the header itself, the local server with the same code, on one table', async () => {
    const local = await startVssOn(engine, { tableName, auth: 'signature' });
    try {
      const event = (headers: Record<string, string>, body: Uint8Array) =>
        ({
          httpMethod: 'POST',
          headers,
          multiValueHeaders: {},
          body: Buffer.from(body).toString('base64'),
          isBase64Encoded: true,
          requestContext: { requestId: randomUUID(), authorizer: null },
        }) as unknown as APIGatewayProxyEvent;
      const viaLambda = await deployed(event({ Authorization: signed()['authorization']! }, putBody('both', 'from-lambda', 'L')));
      expect(viaLambda.statusCode).toBe(200);
      expect((await deployed(event({}, putBody('both', 'x')))).statusCode).toBe(401);

      const wallet = new TestClient(local.url, 'both', signed());
      expect((await wallet.put([kv('from-local', -1, 'H')])).status).toBe(200);
      // Same user, same table: each door sees what the other wrote.
      expect(await wallet.getValue('from-lambda')).toEqual({ version: 1n, value: Buffer.from('L') });
      // Version 0 creates a key that must not exist: it does, written through the local door.
      const again = await deployed(event({ authorization: signed()['authorization']! }, putBody('both', 'from-local', 'H2', 0)));
      expect(again.statusCode).toBe(409);
      expect((await new TestClient(local.url, 'both', {}).get('from-local')).status).toBe(401);
    } finally {
      await local.stop();
    }
  });
});
