/**
 * Raw HTTP/1.1 over a loopback socket, for requests no HTTP client would send (parser anomalies,
 * duplicate headers, pipelining, aborts) and a strict reader of what comes back.
 */
import { connect, type Socket } from 'node:net';
import { expect } from 'vitest';
import { ErrorCode } from '../../lambda/core/errors.js';
import { vss } from '../../lambda/core/generated/vss.js';

export interface RawResponse {
  readonly status: number;
  /** Header names lower-cased; repeated headers joined with ', '. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface RawExchange {
  readonly responses: RawResponse[];
  /** Bytes after the last complete response (a bare or truncated reply shows up here). */
  readonly rest: Buffer;
  /** How the connection ended: 'closed' (FIN), 'reset', or 'open' when we stopped waiting. */
  readonly ended: 'closed' | 'reset' | 'open';
}

export function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
}

/**
 * Sends `chunks` (written in order) and collects the answers until the server closes, `expect`
 * responses arrived (then waits `settleMs` for anything extra), or `maxWaitMs` passed.
 */
export async function rawExchange(
  url: string,
  chunks: readonly (string | Buffer)[],
  opts: { expect?: number; settleMs?: number; maxWaitMs?: number; onSocket?: (s: Socket) => void } = {},
): Promise<RawExchange> {
  const { host, port } = hostPort(url);
  const socket = connect({ host, port });
  opts.onSocket?.(socket);
  let data = Buffer.alloc(0);
  let ended: RawExchange['ended'] = 'open';
  await new Promise<void>((resolve) => {
    let settle: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearTimeout(guard);
      clearTimeout(settle);
      resolve();
    };
    const guard = setTimeout(finish, opts.maxWaitMs ?? 10_000);
    socket.on('data', (d: Buffer) => {
      data = Buffer.concat([data, d]);
      if (opts.expect !== undefined && parseResponses(data).responses.length >= opts.expect && !settle) {
        settle = setTimeout(finish, opts.settleMs ?? 100);
      }
    });
    socket.on('end', () => {
      ended = 'closed';
      finish();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      ended = e.code === 'ECONNRESET' ? 'reset' : 'closed';
      finish();
    });
    socket.on('connect', () => {
      (async () => {
        for (const c of chunks) {
          if (socket.destroyed) return;
          if (!socket.write(c)) await new Promise((r) => socket.once('drain', r));
        }
      })().catch(() => undefined);
    });
  });
  socket.destroy();
  return { ...parseResponses(data), ended };
}

/** Splits a byte stream into HTTP/1.1 responses with Content-Length bodies. */
export function parseResponses(data: Buffer): { responses: RawResponse[]; rest: Buffer } {
  const responses: RawResponse[] = [];
  let offset = 0;
  for (;;) {
    const headEnd = data.indexOf('\r\n\r\n', offset);
    if (headEnd < 0) break;
    const lines = data.subarray(offset, headEnd).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
    if (!m) break;
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const i = line.indexOf(':');
      const name = line.slice(0, i).trim().toLowerCase();
      const value = line.slice(i + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    const status = Number(m[1]);
    const length = status === 100 ? 0 : Number(headers['content-length'] ?? NaN);
    if (!Number.isFinite(length) || headEnd + 4 + length > data.length) break;
    if (status !== 100) responses.push({ status, headers, body: data.subarray(headEnd + 4, headEnd + 4 + length) });
    offset = headEnd + 4 + length;
  }
  return { responses, rest: data.subarray(offset) };
}

/** A request head with CRLF line ends; `body` is appended and, unless given, Content-Length set. */
export function rawRequest(target: string, headers: readonly string[], body: Buffer | string = '', method = 'POST'): Buffer {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const hasLength = headers.some((h) => /^(content-length|transfer-encoding):/i.test(h));
  const all = ['Host: localhost', ...headers, ...(hasLength ? [] : [`Content-Length: ${b.length}`])];
  return Buffer.concat([Buffer.from(`${method} ${target} HTTP/1.1\r\n${all.join('\r\n')}\r\n\r\n`, 'latin1'), b]);
}

/**
 * Requests Node's HTTP parser rejects (or that need the server's own answer), each with the
 * status the server must give, as a protocol error. `headers` (e.g. a valid Authorization) go
 * into every request that has headers.
 */
export function httpAnomalies(target: string, headers: readonly string[] = []): Array<[string, Buffer, number]> {
  const h = headers.map((x) => `${x}\r\n`).join('');
  return [
    ['an unknown method', rawRequest(target, headers, '', 'FOO'), 400],
    ['Content-Length abc', rawRequest(target, [...headers, 'Content-Length: abc']), 400],
    ['Content-Length -1', rawRequest(target, [...headers, 'Content-Length: -1']), 400],
    ['a 20-digit Content-Length beyond 2^64', rawRequest(target, [...headers, 'Content-Length: 99999999999999999999']), 400],
    ['a 20-digit Content-Length within 2^64 (too large)', rawRequest(target, [...headers, 'Content-Length: 12345678901234567890']), 413],
    ['two different Content-Lengths', rawRequest(target, [...headers, 'Content-Length: 1', 'Content-Length: 2'], 'ab'), 400],
    [
      'chunked plus a Content-Length',
      rawRequest(target, [...headers, 'Transfer-Encoding: chunked', 'Content-Length: 5'], '0\r\n\r\n'),
      400,
    ],
    ['a bad chunk size', rawRequest(target, [...headers, 'Transfer-Encoding: chunked'], 'zz\r\nab\r\n0\r\n\r\n'), 400],
    ['no Host', Buffer.from(`POST ${target} HTTP/1.1\r\n${h}Content-Length: 0\r\n\r\n`), 400],
    ['bare LF line endings', Buffer.from(`POST ${target} HTTP/1.1\nHost: x\n${h.replace(/\r\n/g, '\n')}Content-Length: 0\n\n`), 400],
    ['a folded header', Buffer.from(`POST ${target} HTTP/1.1\r\nHost: x\r\n${h}X-A: a\r\n  folded\r\nContent-Length: 0\r\n\r\n`), 400],
    ['a 100 KB Authorization header', rawRequest(target, [`Authorization: Bearer ${'a'.repeat(100_000)}`]), 431],
    ['Expect: foo', rawRequest(target, [...headers, 'Expect: foo']), 417],
  ];
}

/** Asserts a protocol error answer (INVALID_REQUEST) with the status; returns its message. */
export function expectProtocolError(r: RawResponse | undefined, status: number): string {
  expect(r, 'a response').toBeDefined();
  expect(r!.status).toBe(status);
  expect(r!.headers['vss-protocol-version']).toBe('0');
  const e = vss.ErrorResponse.decode(r!.body);
  expect(e.errorCode).toBe(ErrorCode.INVALID_REQUEST_EXCEPTION);
  expect(e.message.length).toBeGreaterThan(0);
  return e.message;
}
