/**
 * Per-user rate limits over HTTP through the local server in signature mode, where the
 * Authorization header changes on every request, so only the authenticated user can be the key.
 * And: with every provider feature off, each operation makes exactly the DynamoDB requests it
 * always made.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ErrorCode } from '../../lambda/core/errors.js';
import { windowOf } from '../../lambda/provider/request-gate.js';
import { randomUUID } from 'node:crypto';
import { startLocalVss, type LocalVss } from '../../local/app.js';
import { localClient } from '../../local/engines.js';
import { kv, startVssOn, primaryEngine } from '../support/local-vss.js';
import { decodeError, expectStatus, SigUser } from './support.js';

const RATE = 4;

describe.each([primaryEngine()])('per-user rate limit on $name', (engine) => {
  let local: LocalVss;

  beforeAll(async () => {
    local = await startVssOn(engine, { auth: 'signature', provider: { rateLimit: { perSecond: RATE } }, sweepIntervalMs: 0 });
  });
  afterAll(async () => {
    await local?.stop();
  });

  it('throttles a flood from one signature-mode user with 429 INTERNAL_SERVER_EXCEPTION and the protocol header, while another user passes', async () => {
    const flooder = new SigUser().client(local.url, 's');
    const other = new SigUser().client(local.url, 's');
    const { windowMs, allowance } = windowOf({ perSecond: RATE });
    const startWindow = Math.floor(Date.now() / windowMs);
    const flood = await Promise.all(Array.from({ length: 30 }, (_, i) => flooder.put([kv(`k${i}`, -1, 'v')])));
    const endWindow = Math.floor(Date.now() / windowMs);
    const admitted = flood.filter((r) => r.status === 200).length;
    const throttled = flood.filter((r) => r.status === 429);
    expect(admitted + throttled.length).toBe(30);
    expect(admitted).toBeGreaterThan(0);
    // At most one allowance per window the flood spanned.
    expect(admitted).toBeLessThanOrEqual(allowance * (endWindow - startWindow + 1));
    for (const r of throttled) {
      expect(r.protocolVersion).toBe('0');
      expect(decodeError(r).errorCode).toBe(ErrorCode.INTERNAL_SERVER_EXCEPTION);
    }
    // The other user is not affected by the flood.
    for (let i = 0; i < 3; i++) expectStatus(await other.put([kv(`o${i}`, -1, 'v')]), 200);
    expectStatus(await other.get('o0'), 200);
  });
});

describe.each([primaryEngine()])('with every provider feature off on $name', (engine) => {
  let local: LocalVss;
  let client: DynamoDBClient;
  const commands: string[] = [];

  beforeAll(async () => {
    // Count every request the client sends, whoever sends it.
    client = localClient(engine.endpoint);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push(String(context.commandName).replace(/Command$/, ''));
        return next(args);
      },
      { step: 'initialize' },
    );
    local = await startLocalVss({ client, port: 0, tableName: `vss-${randomUUID()}`, sweepIntervalMs: 0 });
  });
  afterAll(async () => {
    await local?.stop();
    client?.destroy();
  });

  it('makes exactly one DynamoDB request per operation, as before provider features existed', async () => {
    const c = new SigUser().client(local.url, 's'); // auth none: the header is ignored
    const run = async (f: () => Promise<{ status: number }>): Promise<string[]> => {
      commands.length = 0;
      expect((await f()).status).toBeLessThan(500);
      return [...commands];
    };
    expect(await run(() => c.put([kv('a', 0, 'v')]))).toEqual(['UpdateItem']);
    expect(await run(() => c.put([kv('b', 0, 'v'), kv('c', 0, 'v')]))).toEqual(['TransactWriteItems']);
    expect(await run(() => c.get('a'))).toEqual(['GetItem']);
    expect(await run(() => c.list())).toEqual(['Query']);
    expect(await run(() => c.delete('a', -1))).toEqual(['DeleteItem']);
    expect(await run(() => c.put([], { deletes: [kv('b', -1)] }))).toEqual(['DeleteItem']);
  });
});
