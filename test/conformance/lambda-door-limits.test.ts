/**
 * What the Lambda door can carry, on the real store: a request body above 4.6 MB is answered 413
 * (as before the container door existed), and a GetObject of a value above 4.6 MB (written through
 * the container door, whose path takes 64 MiB) is refused with a protocol error that says why,
 * rather than failing inside Lambda and reaching the client as a 502 it would retry forever.
 */
import { randomUUID } from 'node:crypto';
import { apiGatewayEvent } from '../support/api-gateway-event.js';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lambda/core/errors.js';
import { MAX_REQUEST_BODY_BYTES, MAX_RESPONSE_BODY_BYTES } from '../../lambda/core/limits.js';
import type { Operation } from '../../lambda/core/service.js';
import { createApiGatewayHandler } from '../../lambda/handlers/api-gateway.js';
import { deployedRequestPath } from '../../lambda/handlers/runtime.js';
import { composeRequestPath } from '../../lambda/request-path/compose.js';
import { localClient } from '../../local/engines.js';
import { ensureTable } from '../../local/table.js';
import { primaryEngine, kv, vss } from '../support/local-vss.js';
import { bodyBytes } from '../../lambda/core/codec.js';

const MiB = 1024 * 1024;

const event = (op: Operation, body: Uint8Array): APIGatewayProxyEvent => apiGatewayEvent(op, body, { userToken: 'wallet-1' });

describe('the Lambda door and values above 4.6 MB', () => {
  const engine = primaryEngine();
  const client = localClient(engine.endpoint);
  const tableName = `vss-${randomUUID()}`;
  const auth = { mode: 'authorizer-context' } as const;
  // The Lambda door's path as deployed (runtime.ts), and the container door's on the same table.
  const lambdaPath = composeRequestPath({ client, tableName, auth, maxResponseBytes: MAX_RESPONSE_BODY_BYTES });
  const containerPath = composeRequestPath({ client, tableName, auth, maxBodyBytes: 64 * MiB });
  const bigValue = Buffer.alloc(6 * MiB, 9);
  // The response limit is a parameter of the path (the deployed value, MAX_RESPONSE_BODY_BYTES, is
  // checked above): a small one here keeps the stored value to one item, so this machine's load
  // cannot turn the write into a timeout.
  const readLimit = 100_000;
  const readPath = composeRequestPath({ client, tableName, auth, maxResponseBytes: readLimit });
  const overLimit = Buffer.alloc(200_000, 9);

  beforeAll(async () => {
    await ensureTable(client, tableName);
  });
  afterAll(() => client.destroy());

  it('the deployed path limits both directions to what Lambda carries', () => {
    const saved = { ...process.env };
    Object.assign(process.env, { VSS_TABLE_NAME: tableName, VSS_AUTH_MODE: 'jwt' });
    try {
      const path = deployedRequestPath();
      expect(path.maxBodyBytes).toBe(MAX_REQUEST_BODY_BYTES);
      expect(path.maxResponseBytes).toBe(MAX_RESPONSE_BODY_BYTES);
    } finally {
      process.env = saved;
    }
  });

  it('still answers a put above 4.6 MB with 413 and the protocol body', async () => {
    const put = createApiGatewayHandler('putObjects', lambdaPath);
    const body = vss.PutObjectRequest.encode({ storeId: 's', transactionItems: [kv('graph', 0, bigValue)] }).finish();
    const r = await put(event('putObjects', body));
    expect(r.statusCode).toBe(413);
    expect(r.headers?.['vss-protocol-version']).toBe('0');
    expect(vss.ErrorResponse.decode(Buffer.from(r.body, 'base64')).errorCode).toBe(ErrorCode.INVALID_REQUEST_EXCEPTION);
  });

  it("refuses a read of a value above the door's response limit with 413 INVALID_REQUEST_EXCEPTION naming the container door; smaller reads are untouched", async () => {
    const write = await containerPath.handle({
      operation: 'putObjects',
      method: 'POST',
      headers: {},
      authorizerContext: { userToken: 'wallet-1' },
      body: vss.PutObjectRequest.encode({ storeId: 's', transactionItems: [kv('graph', 0, overLimit), kv('small', 0, 'x')] }).finish(),
    });
    expect(write.status).toBe(200);
    const get = createApiGatewayHandler('getObject', readPath);
    const r = await get(event('getObject', vss.GetObjectRequest.encode({ storeId: 's', key: 'graph' }).finish()));
    expect(r.statusCode).toBe(413);
    expect(r.headers?.['vss-protocol-version']).toBe('0');
    const e = vss.ErrorResponse.decode(Buffer.from(r.body, 'base64'));
    expect(e.errorCode).toBe(ErrorCode.INVALID_REQUEST_EXCEPTION);
    expect(e.message).toMatch(
      new RegExp(`larger than the ${readLimit} bytes this front door can return; read this value through the container front door`),
    );
    const small = await get(event('getObject', vss.GetObjectRequest.encode({ storeId: 's', key: 'small' }).finish()));
    expect(small.statusCode).toBe(200);
    // The container door's path (no response limit) reads it.
    const read = await containerPath.handle({
      operation: 'getObject',
      method: 'POST',
      headers: {},
      authorizerContext: { userToken: 'wallet-1' },
      body: vss.GetObjectRequest.encode({ storeId: 's', key: 'graph' }).finish(),
    });
    expect(read.status).toBe(200);
    expect(Buffer.from(vss.GetObjectResponse.decode(bodyBytes(read.body)).value!.value!).equals(overLimit)).toBe(true);
  }, 120_000);
});
