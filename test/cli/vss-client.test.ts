/**
 * The VSS client's retry policy and error mapping against a scripted HTTP server: 500, 429 and
 * network faults are retried with backoff; other errors are final and carry the protocol's code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { verifySignatureHeader } from '../../lambda/auth/signature.js';
import { vss } from '../../lambda/core/generated/vss.js';
import { VssClient, VssRequestError } from '../../client/vss-client.js';

type Step = { status: number; code?: vss.ErrorCode; body?: Uint8Array } | 'drop';
let script: Step[] = [];
const seen: Array<{ path: string; headers: Record<string, string | string[] | undefined> }> = [];
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers });
      const step = script.shift() ?? {
        status: 200,
        body: vss.GetObjectResponse.encode({ value: { key: 'k', value: Buffer.from('v') } }).finish(),
      };
      if (step === 'drop') {
        req.socket.destroy();
        return;
      }
      const body =
        step.body ??
        vss.ErrorResponse.encode({
          errorCode: step.code ?? vss.ErrorCode.INTERNAL_SERVER_EXCEPTION,
          message: `scripted ${step.status}`,
        }).finish();
      res.writeHead(step.status, { 'content-type': 'application/octet-stream' }).end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/vss`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const fast = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 };

describe('VssClient', () => {
  it('retries 500, 429 and a dropped connection, then succeeds', async () => {
    script = [{ status: 500 }, { status: 429 }, 'drop'];
    seen.length = 0;
    const retries: string[] = [];
    const c = new VssClient({ baseUrl: url, retry: fast, onRetry: (op, reason) => retries.push(`${op}: ${reason}`) });
    const kv = await c.getObject('s', 'k');
    expect(Buffer.from(kv!.value).toString()).toBe('v');
    expect(seen).toHaveLength(4);
    expect(retries).toHaveLength(3);
  });

  it('gives up after maxAttempts with the last error', async () => {
    script = [{ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 }];
    const err = await new VssClient({ baseUrl: url, retry: fast }).getObject('s', 'k').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VssRequestError);
    expect((err as VssRequestError).status).toBe(500);
  });

  it('does not retry 400, 401 or 409, and maps NO_SUCH_KEY to undefined', async () => {
    for (const [status, code] of [
      [400, vss.ErrorCode.INVALID_REQUEST_EXCEPTION],
      [401, vss.ErrorCode.AUTH_EXCEPTION],
      [409, vss.ErrorCode.CONFLICT_EXCEPTION],
    ] as const) {
      script = [{ status, code }];
      seen.length = 0;
      const err = (await new VssClient({ baseUrl: url, retry: fast })
        .putObjects('s', { items: [] })
        .catch((e: unknown) => e)) as VssRequestError;
      expect(err.errorCode).toBe(code);
      expect(seen).toHaveLength(1);
    }
    script = [{ status: 404, code: vss.ErrorCode.NO_SUCH_KEY_EXCEPTION }];
    expect(await new VssClient({ baseUrl: url, retry: fast }).getObject('s', 'gone')).toBeUndefined();
  });

  it('signs a fresh Authorization header per request that the server verifier accepts, and sends fixed headers', async () => {
    const key = secp256k1.utils.randomSecretKey();
    let now = 1_800_000_000;
    const c = new VssClient({ baseUrl: url, signingKey: key, headers: { 'X-Tenant': 'acme' }, nowSeconds: () => now++ });
    seen.length = 0;
    script = [];
    await c.getObject('s', 'k');
    await c.getObject('s', 'k');
    const [a, b] = seen.map((s) => s.headers['authorization'] as string);
    expect(a).not.toBe(b);
    expect(verifySignatureHeader(a, { nowSeconds: 1_800_000_000 })).toBe(Buffer.from(secp256k1.getPublicKey(key, true)).toString('hex'));
    expect(seen[0]!.headers['x-tenant']).toBe('acme');
    expect(seen[0]!.path).toBe('/vss/getObject');
  });
});
