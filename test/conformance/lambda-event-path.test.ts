/**
 * The deployed code path: API Gateway REST proxy events with base64 bodies into the Lambda
 * handlers, on the real store and engines. Checks tenant isolation (docs/protocol.md §7.10) and that the user
 * comes only from the authorizer context (docs/protocol.md §7.9).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ErrorCode } from '../../lambda/core/errors.js';
import type { Operation } from '../../lambda/core/service.js';
import { createApiGatewayHandler } from '../../lambda/handlers/api-gateway.js';
import { composeRequestPath } from '../../lambda/request-path/compose.js';
import { localClient } from '../../local/engines.js';
import { ensureTable } from '../../local/table.js';
import { apiGatewayEvent } from '../support/api-gateway-event.js';
import { kv, vss, primaryEngine } from '../support/local-vss.js';

type Authorizer = Record<string, unknown> | null;

const event = apiGatewayEvent;

function bodyOf(r: APIGatewayProxyResult): Buffer {
  expect(r.isBase64Encoded).toBe(true);
  expect(r.headers?.['vss-protocol-version']).toBe('0');
  return Buffer.from(r.body, 'base64');
}

describe.each([primaryEngine()])('Lambda event path on $name', (engine) => {
  const client = localClient(engine.endpoint);
  const tableName = `vss-${randomUUID()}`;
  let handlers: Record<Operation, (e: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>>;

  beforeAll(async () => {
    await ensureTable(client, tableName);
    // As deployed with a JWT or Cognito authorizer in front: the user comes from its context.
    const deps = composeRequestPath({ client, tableName, auth: { mode: 'authorizer-context' } });
    handlers = {
      getObject: createApiGatewayHandler('getObject', deps),
      putObjects: createApiGatewayHandler('putObjects', deps),
      deleteObject: createApiGatewayHandler('deleteObject', deps),
      listKeyVersions: createApiGatewayHandler('listKeyVersions', deps),
    };
  });
  afterAll(() => client.destroy());

  const as = (user: string) => ({ userToken: user });
  const put = (auth: Authorizer, storeId: string, key: string, value: string) =>
    handlers.putObjects(
      event('putObjects', vss.PutObjectRequest.encode({ storeId, transactionItems: [kv(key, -1, value)] }).finish(), auth),
    );
  const get = (auth: Authorizer, storeId: string, key: string) =>
    handlers.getObject(event('getObject', vss.GetObjectRequest.encode({ storeId, key }).finish(), auth));
  const list = (auth: Authorizer, storeId: string, pageToken?: string) =>
    handlers.listKeyVersions(
      event(
        'listKeyVersions',
        vss.ListKeyVersionsRequest.encode({ storeId, pageSize: 1, ...(pageToken ? { pageToken } : {}) }).finish(),
        auth,
      ),
    );

  it('round-trips a binary value byte for byte through base64 events', async () => {
    const value = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const r = await handlers.putObjects(
      event('putObjects', vss.PutObjectRequest.encode({ storeId: 's', transactionItems: [kv('bin', -1, value)] }).finish(), as('u1')),
    );
    expect(r.statusCode).toBe(200);
    expect(bodyOf(r).length).toBe(0);
    const g = await get(as('u1'), 's', 'bin');
    expect(g.statusCode).toBe(200);
    expect(Buffer.from(vss.GetObjectResponse.decode(bodyOf(g)).value!.value!).equals(value)).toBe(true);
  });

  it('keeps user "a#b" with store "c" apart from user "a" with store "b#c"', async () => {
    expect((await put(as('a#b'), 'c', 'k', 'first-tenant')).statusCode).toBe(200);
    expect((await put(as('a'), 'b#c', 'k', 'second-tenant')).statusCode).toBe(200);
    expect(Buffer.from(vss.GetObjectResponse.decode(bodyOf(await get(as('a#b'), 'c', 'k'))).value!.value!).toString()).toBe('first-tenant');
    expect(Buffer.from(vss.GetObjectResponse.decode(bodyOf(await get(as('a'), 'b#c', 'k'))).value!.value!).toString()).toBe(
      'second-tenant',
    );
    for (const [user, store] of [
      ['a', 'b'],
      ['a#', 'bc'],
      ['a', 'b#'],
      ['a#b:', 'c'],
      ['3:a#b', 'c'],
    ] as const) {
      expect((await get(as(user), store, 'k')).statusCode).toBe(404);
    }
  });

  it("never shows one user another user's keys, even with the same store_id", async () => {
    const store = `shared-${randomUUID()}`;
    for (let i = 0; i < 3; i++) expect((await put(as('alice'), store, `alice-${i}`, 'x')).statusCode).toBe(200);
    expect((await put(as('bob'), store, 'bob-0', 'x')).statusCode).toBe(200);
    const bobPage = vss.ListKeyVersionsResponse.decode(bodyOf(await list(as('bob'), store)));
    expect(bobPage.keyVersions.map((k) => k.key)).toEqual(['bob-0']);
    expect((await get(as('bob'), store, 'alice-0')).statusCode).toBe(404);
    // Alice's page token does not let Bob read her listing.
    const alicePage = vss.ListKeyVersionsResponse.decode(bodyOf(await list(as('alice'), store)));
    expect(alicePage.nextPageToken).not.toBe('');
    const stolen = await list(as('bob'), store, alicePage.nextPageToken!);
    expect(stolen.statusCode).toBe(400);
    expect(vss.ErrorResponse.decode(bodyOf(stolen)).errorCode).toBe(ErrorCode.INVALID_REQUEST_EXCEPTION);
  });

  it('answers 401 AUTH_EXCEPTION when the authorizer context carries no user, without touching data', async () => {
    for (const auth of [null, {}, { userToken: '' }, { claims: {} }, { principalId: 'someone' }]) {
      const r = await put(auth, 's', 'unauth', 'x');
      expect(r.statusCode).toBe(401);
      expect(vss.ErrorResponse.decode(bodyOf(r)).errorCode).toBe(ErrorCode.AUTH_EXCEPTION);
    }
    expect((await get(as('unauth-user'), 's', 'unauth')).statusCode).toBe(404);
  });

  it("takes the Cognito authorizer's claims.sub as the user", async () => {
    expect((await put({ claims: { sub: 'cognito-user-1' } }, 's', 'c', 'v')).statusCode).toBe(200);
    expect((await get(as('cognito-user-1'), 's', 'c')).statusCode).toBe(200);
  });

  it('answers a non-POST method with 400 INVALID_REQUEST_EXCEPTION', async () => {
    const r = await handlers.getObject(event('getObject', new Uint8Array(0), as('u1'), 'GET'));
    expect(r.statusCode).toBe(400);
    expect(vss.ErrorResponse.decode(bodyOf(r)).errorCode).toBe(ErrorCode.INVALID_REQUEST_EXCEPTION);
  });
});
