/**
 * The local server at the HTTP layer, over raw loopback sockets: every answer is protocol-shaped
 * (ErrorResponse + `vss-protocol-version: 0`) even when Node's parser rejects the request, the
 * path match is exact on the raw target, the last duplicate Authorization wins, an oversized body
 * gets its 413, aborted requests are one log line, and every request is logged and counted.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import { ErrorCode } from '../../lambda/core/errors.js';
import type { LocalVss } from '../../local/app.js';
import type { RequestLogEntry } from '../../local/server.js';
import { sigsAuthHeader } from '../auth/clients.js';
import { kv, startVssOn, TestClient, vss, primaryEngine } from '../support/local-vss.js';
import { expectProtocolError, hostPort, httpAnomalies, rawExchange, rawRequest } from '../support/raw-http.js';
import { connect } from 'node:net';

const engine = primaryEngine();
const get = (key = 'k'): Buffer => Buffer.from(vss.GetObjectRequest.encode({ storeId: 'wallet', key }).finish());

/** Sends part of a request, waits until the server has it, then resets the connection. */
async function sendThenAbort(url: string, bytes: Buffer): Promise<void> {
  const socket = connect(hostPort(url));
  await new Promise<void>((resolve) => socket.on('connect', () => socket.write(bytes, () => resolve())));
  await new Promise((r) => setTimeout(r, 20));
  socket.resetAndDestroy();
}

describe('local server: answers to requests that break HTTP', () => {
  let server: LocalVss;
  const log: RequestLogEntry[] = [];
  beforeAll(async () => {
    server = await startVssOn(engine, { requestLog: (e) => log.push(e) });
  });
  afterAll(() => server?.stop());

  const anomalies = httpAnomalies('/vss/getObject');

  it.each(anomalies)('answers %s with a protocol error, nothing bare', async (_name, bytes, status) => {
    const r = await rawExchange(server.url, [bytes], { expect: 1 });
    expect(r.responses).toHaveLength(1);
    expectProtocolError(r.responses[0], status);
    expect(r.rest.length).toBe(0);
  });

  it('with a Content-Length shorter than the body, answers the request first and then the garbage', async () => {
    const body = get('short-length');
    const bytes = Buffer.concat([
      rawRequest('/vss/getObject', [`Content-Length: ${body.length}`], body),
      Buffer.from('garbage that is not a request\r\n\r\n'),
    ]);
    const r = await rawExchange(server.url, [bytes], { expect: 2 });
    expect(r.responses.map((x) => x.status)).toEqual([404, 400]);
    expect(r.responses[0]!.headers['vss-protocol-version']).toBe('0');
    expect(vss.ErrorResponse.decode(r.responses[0]!.body).errorCode).toBe(ErrorCode.NO_SUCH_KEY_EXCEPTION);
    expectProtocolError(r.responses[1], 400);
  });

  it.each([
    '/vss/../vss/getObject',
    '/vss/./getObject',
    '//vss/getObject',
    '/vss//getObject',
    '/vss/getObject/',
    '/vss/%67etObject',
    'http://evil.example/vss/getObject',
  ])('serves only the exact path: %s is an invalid path', async (target) => {
    const r = await rawExchange(server.url, [rawRequest(target, [], get())], { expect: 1 });
    expect(expectProtocolError(r.responses[0], 400)).toBe('Invalid request path.');
  });

  it('ignores the query string on an exact path', async () => {
    const r = await rawExchange(server.url, [rawRequest('/vss/getObject?x=1', [], get('query'))], { expect: 1 });
    expect(r.responses[0]!.status).toBe(404);
  });

  it('logs one structured line per request, with the fields the deployed handlers log', async () => {
    log.length = 0;
    const c = new TestClient(server.url, 'logged');
    expect((await c.put([kv('a', 0, 'x')])).status).toBe(200);
    expect((await c.get('missing')).status).toBe(404);
    await rawExchange(server.url, [rawRequest('/vss/getObject', [], '', 'FOO')], { expect: 1 });
    expect(log).toHaveLength(3);
    expect(log[0]).toMatchObject({ operation: 'putObjects', status: 200, user: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(log[1]).toMatchObject({ operation: 'getObject', status: 404, errorCode: ErrorCode.NO_SUCH_KEY_EXCEPTION });
    expect(log[2]).toMatchObject({ status: 400, errorCode: ErrorCode.INVALID_REQUEST_EXCEPTION, parseError: 'HPE_INVALID_METHOD' });
    for (const e of log) {
      expect(e.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(typeof e.durationMs).toBe('number');
      expect(JSON.stringify(e)).not.toContain('logged'); // never the store id, keys or values
    }
  });

  it('answers GET /health and /metrics (Prometheus text), neither under /vss', async () => {
    const c = new TestClient(server.url, 'metrics');
    for (let i = 0; i < 3; i++) await c.get('nothing');
    const base = server.url.replace(/\/vss$/, '');
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get('vss-protocol-version')).toBe('0');
    expect(await health.json()).toEqual({ status: 'ok', engine: 'reachable' });
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('vss-protocol-version')).toBe('0');
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    expect(text).toMatch(/^vss_service_up 1$/m);
    expect(Number(/^vss_requests_total\{operation="getObject",status="404"\} (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/^vss_request_duration_seconds_bucket\{le="\+Inf",operation="getObject"\} \d+$/m);
    for (const path of ['/vss/health', '/vss/metrics']) {
      const r = await rawExchange(server.url, [rawRequest(path, [], '', 'GET')], { expect: 1 });
      expectProtocolError(r.responses[0], 400);
    }
  });

  it('logs an aborted request as one line, never a stack trace', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      log.length = 0;
      const aborts = 20;
      for (let i = 0; i < aborts; i++) {
        await sendThenAbort(server.url, rawRequest('/vss/putObjects', ['Content-Length: 100000'], randomBytes(1000)));
      }
      for (let i = 0; i < 500 && log.filter((e) => e.aborted).length < aborts; i++) await new Promise((r) => setTimeout(r, 20));
      expect(log.filter((e) => e.aborted)).toHaveLength(aborts);
      expect(log.filter((e) => e.aborted).every((e) => e.operation === 'putObjects')).toBe(true);
      expect(errors).not.toHaveBeenCalled();
    } finally {
      errors.mockRestore();
    }
  });
});

describe('local server: an oversized body gets its 413', () => {
  let server: LocalVss;
  beforeAll(async () => {
    server = await startVssOn(engine);
  });
  afterAll(() => server?.stop());

  it('refuses a chunked body that grows past the limit with 413', async () => {
    const head = Buffer.from('POST /vss/putObjects HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    const piece = Buffer.concat([Buffer.from('40000\r\n'), Buffer.alloc(0x40000, 2), Buffer.from('\r\n')]);
    const r = await rawExchange(server.url, [head, ...Array.from({ length: 24 }, () => piece)], { expect: 1 });
    expectProtocolError(r.responses[0], 413);
  });

  it('answers Expect: 100-continue with 413 before the body is sent when it is too large', async () => {
    const r = await rawExchange(server.url, [rawRequest('/vss/putObjects', ['Content-Length: 50000000', 'Expect: 100-continue'], '')], {
      expect: 1,
    });
    expect(r.responses).toHaveLength(1);
    expectProtocolError(r.responses[0], 413);
  });
});

describe('local server: duplicate Authorization headers', () => {
  let server: LocalVss;
  beforeAll(async () => {
    server = await startVssOn(engine, { auth: 'signature' });
  });
  afterAll(() => server?.stop());

  const valid = (): string => sigsAuthHeader(randomBytes(32), Math.floor(Date.now() / 1000));

  it('the last one wins (as the Rust reference): a valid one after a bad one is accepted', async () => {
    const r = await rawExchange(
      server.url,
      [rawRequest('/vss/getObject', ['Authorization: garbage', `Authorization: ${valid()}`], get())],
      { expect: 1 },
    );
    expect(r.responses[0]!.status).toBe(404);
  });

  it('the last one wins: a bad one after a valid one is refused', async () => {
    const r = await rawExchange(
      server.url,
      [rawRequest('/vss/getObject', [`Authorization: ${valid()}`, 'Authorization: garbage'], get())],
      { expect: 1 },
    );
    expect(r.responses[0]!.status).toBe(401);
    expect(r.responses[0]!.headers['vss-protocol-version']).toBe('0');
    expect(vss.ErrorResponse.decode(r.responses[0]!.body).errorCode).toBe(ErrorCode.AUTH_EXCEPTION);
  });
});
