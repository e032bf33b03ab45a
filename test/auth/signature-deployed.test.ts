/**
 * Signature mode's policy on the deployed door: the real Lambda handler, configured only by the
 * environment the construct sets (VSS_SIGNATURE_ENROLLMENT, VSS_SIGNATURE_MAX_SKEW_SECONDS),
 * reading the allowlist that `vss admin allow-user` writes, on one engine (the engine plays no part
 * in what is tested; the allowlist over HTTP on both engines is signature-policy.test.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ENV } from '../../lambda/contract.js';
import { ErrorCode } from '../../lambda/core/errors.js';
import { allowUser } from '../../cli/admin/enrollment.js';
import { TableClient } from '../../lambda/store/table-client.js';
import { localClient } from '../../local/engines.js';
import { ensureTable } from '../../local/table.js';
import { primaryEngine, vss } from '../support/local-vss.js';
import { sigsAuthHeader } from './clients.js';

const engine = primaryEngine();
const client = localClient(engine.endpoint);
const tableName = `vss-sig-deployed-${randomUUID()}`;
const saved = { ...process.env };
let getObject: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

beforeAll(async () => {
  await ensureTable(client, tableName);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: engine.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    [ENV.tableName]: tableName,
    [ENV.authMode]: 'signature',
    [ENV.signatureEnrollment]: 'allowlist',
    [ENV.signatureMaxSkewSeconds]: '900',
  });
  // The deployed observers log a line and an EMF blob per request: not this test's subject.
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  // The handler composes its runtime from the environment when its module is first evaluated;
  // test files share their worker's modules (vitest.config.ts), so evaluate it afresh here.
  vi.resetModules();
  getObject = (await import('../../lambda/handlers/getObject.js')).handler;
});
afterAll(() => {
  process.env = saved;
  vi.restoreAllMocks();
  client.destroy();
});

function wallet() {
  const secret = randomBytes(32);
  const pubkey = Buffer.from(secp256k1.getPublicKey(secret, true)).toString('hex');
  const get = async (offsetSeconds = 0) => {
    const r = await getObject({
      httpMethod: 'POST',
      headers: { Authorization: sigsAuthHeader(secret, Math.floor(Date.now() / 1000) + offsetSeconds) },
      multiValueHeaders: {},
      body: Buffer.from(vss.GetObjectRequest.encode({ storeId: 's', key: 'k' }).finish()).toString('base64'),
      isBase64Encoded: true,
      requestContext: { requestId: randomUUID(), authorizer: null },
    } as unknown as APIGatewayProxyEvent);
    return {
      status: r.statusCode,
      code: vss.ErrorResponse.decode(Buffer.from(r.body, 'base64')).errorCode,
      header: r.headers?.['vss-protocol-version'],
    };
  };
  return { pubkey, get };
}

describe('signature policy on the deployed door (environment-configured Lambda handler)', () => {
  it('refuses an unregistered key with the protocol 401, and serves it once allow-user registered it', async () => {
    const stranger = wallet();
    expect(await stranger.get()).toEqual({ status: 401, code: ErrorCode.AUTH_EXCEPTION, header: '0' });
    const member = wallet();
    await allowUser(new TableClient({ client, tableName }), member.pubkey, Date.now());
    expect(await member.get()).toMatchObject({ status: 404, code: ErrorCode.NO_SUCH_KEY_EXCEPTION });
  });

  it('applies the replay window from VSS_SIGNATURE_MAX_SKEW_SECONDS (900 s; a margin for the clock ticking meanwhile)', async () => {
    const member = wallet();
    await allowUser(new TableClient({ client, tableName }), member.pubkey, Date.now());
    expect((await member.get(-850)).status).toBe(404);
    expect((await member.get(850)).status).toBe(404);
    expect(await member.get(-1000)).toMatchObject({ status: 401, code: ErrorCode.AUTH_EXCEPTION });
    expect(await member.get(1000)).toMatchObject({ status: 401, code: ErrorCode.AUTH_EXCEPTION });
  });
});
