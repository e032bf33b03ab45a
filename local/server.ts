/**
 * The local VSS server: plain HTTP/1.1 (keep-alive and pipelining, as the clients use) in front of
 * the request path the deployed handlers use (lambda/request-path/): it routes, frames and streams;
 * the path checks the method, authenticates, admits, limits the body and answers. The body is read
 * only once the path asks for it, and only up to the path's limit.
 *
 * Every answer is protocol-shaped: each response carries `vss-protocol-version: 0`, and every
 * error is a protobuf ErrorResponse with its status — the ones Node's HTTP parser would answer
 * with a bare reply included (see client-errors.ts). Besides the four operations it serves
 * `GET /health` and `/metrics` (Prometheus text), neither under /vss.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { RequestHeaders } from '../lambda/auth/authenticator.js';
import { bodyLength } from '../lambda/core/codec.js';
import { ErrorCode, invalidRequest, internalError, payloadTooLarge, VssError } from '../lambda/core/errors.js';
import {
  errorResponse,
  isOperation,
  PROTOCOL_VERSION,
  PROTOCOL_VERSION_HEADER,
  type Operation,
  type VssResponse,
} from '../lambda/core/service.js';
import { requestLogFields, type RequestLogFields } from '../lambda/request-path/request-log-fields.js';
import type { RequestPath, VssHttpResponse } from '../lambda/request-path/request-path.js';
import { BodyError, type BodyReservation, closeAfterResponse, ClientErrorTracker, readBody, discardBody } from './client-errors.js';
import { MemoryBudget, RequestReservation, serverBusy, withReservation } from './memory-budget.js';
import { LocalMetrics } from './metrics.js';

export const BASE_PATH = '/vss';
export const HEALTH_PATH = '/health';
export const METRICS_PATH = '/metrics';

/** Serves extra non-VSS routes (e.g. an LNURL-auth issuer); returns false when it does not own the path. */
export type ExtraRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean;

/** One line per request: the deployed handlers' fields plus, off-protocol, what was wrong. */
export type RequestLogEntry = RequestLogFields & { readonly aborted?: true; readonly path?: string; readonly parseError?: string };

export interface HealthReport {
  readonly healthy: boolean;
  readonly detail: string;
}

export interface LocalServerOptions {
  readonly host: string;
  readonly port: number;
  /** Answers the four operations; its body limit is the server's. */
  readonly path: RequestPath;
  /** @default none */
  readonly extraRoutes?: readonly ExtraRoute[];
  /** Called with faults that escaped the request path (they are answered 500). @default console.error */
  readonly onFault?: (e: unknown) => void;
  /** Receives one entry per request. @default none (quiet) */
  readonly requestLog?: (entry: RequestLogEntry) => void;
  /** Answers GET /health. @default always healthy */
  readonly health?: () => Promise<HealthReport>;
  /**
   * The most request body bytes held in memory at once over all requests; a body that does not
   * fit is answered 503 without being read (memory-budget.ts). @default no bound
   */
  readonly maxInFlightBytes?: number;
  /** Cuts off slow and idle clients; see SERVER_TIMEOUT_DEFAULTS. @default SERVER_TIMEOUT_DEFAULTS */
  readonly timeouts?: Partial<ServerTimeouts>;
}

/**
 * How long the server waits for a client (vss-server#107: a client that sends its headers slowly,
 * or stops sending, must not hold a connection and its memory forever).
 */
export interface ServerTimeouts {
  /** From the first byte of a request to the end of its headers: 408 after it. */
  readonly headersMs: number;
  /** Silence on a connection while a request is being received or answered: the socket is closed. */
  readonly idleMs: number;
  /**
   * Silence between requests on a kept-alive connection. Longer than a load balancer's idle
   * timeout (60 s on an ALB by default), so the balancer, not the server, ends idle connections:
   * a server that closes first races the balancer's next request and turns it into a 502.
   */
  readonly keepAliveMs: number;
}

export const SERVER_TIMEOUT_DEFAULTS: ServerTimeouts = { headersMs: 20_000, idleMs: 70_000, keepAliveMs: 65_000 };

export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  readonly metrics: LocalMetrics;
  /** The in-flight byte bound, when there is one. */
  readonly memory?: MemoryBudget;
  /**
   * Stops: new connections are refused at once, idle ones closed, requests in flight are answered
   * (with `Connection: close`); after `drainMs` whatever is left is cut. Resolves 'drained' or
   * 'cut'. @default drainMs 30 s
   */
  close(drainMs?: number): Promise<'drained' | 'cut'>;
}

export const DEFAULT_DRAIN_MS = 30_000;

/** How often Node checks the headers timeout: it fires up to this much later than set. */
export const HEADERS_CHECK_INTERVAL_MS = 1000;

/** What the log line and the metrics need to know about one request as it is answered. */
interface RequestContext {
  readonly requestId: string;
  readonly started: number;
  operation?: Operation;
  userToken?: string;
  errorCode?: number;
}

export async function startLocalServer(options: LocalServerOptions): Promise<RunningServer> {
  const maxBody = options.path.maxBodyBytes;
  const onFault = options.onFault ?? ((e: unknown) => console.error('vss: request failed', e));
  const metrics = new LocalMetrics();
  const tooLarge = (): VssError => payloadTooLarge(`Request body is larger than the ${maxBody} bytes this service accepts`);
  const memory = options.maxInFlightBytes !== undefined ? new MemoryBudget(options.maxInFlightBytes) : undefined;
  if (memory) metrics.watchMemory(memory);
  const timeouts = { ...SERVER_TIMEOUT_DEFAULTS, ...options.timeouts };
  let draining = false;

  // Pipelined requests on one connection run one after another, in order: Node parses them
  // ahead and would run their handlers concurrently, but VSS requests are POSTs (not safe
  // methods), so a pipelined delete must not overtake the listing sent before it (RFC 9112 §9.3.2).
  const queues = new WeakMap<Socket, Promise<void>>();
  const clientErrors = new ClientErrorTracker({
    // A parse error after complete requests is answered once those are: in order, on the wire.
    settled: (socket) => queues.get(socket) ?? Promise.resolve(),
    answered: (status, e, parseError) => {
      metrics.record('other', status, 0);
      options.requestLog?.({ ...requestLogFields({ requestId: randomUUID(), status, errorCode: e.code, durationMs: 0 }), parseError });
    },
  });

  // Responses not yet sent: a drain makes each close its connection once it is.
  const pending = new Set<ServerResponse>();
  const enqueue = (req: IncomingMessage, res: ServerResponse, early?: VssError): void => {
    clientErrors.track(req);
    if (draining) res.shouldKeepAlive = false;
    pending.add(res);
    res.once('close', () => pending.delete(res));
    const previous = queues.get(req.socket) ?? Promise.resolve();
    const current = previous.then(() => handleUntilSent(req, res, early));
    queues.set(req.socket, current);
  };

  const server = createServer(
    {
      // A request without Host is answered by us (protocol-shaped), not by Node's bare 400.
      requireHostHeader: false,
      // Strict parsing stays on: lenient parsing of bare LF, folded headers or conflicting
      // lengths is how requests get smuggled. Those are 400s (client-errors.ts).
      insecureHTTPParser: false,
      headersTimeout: timeouts.headersMs,
      // No limit on a whole request: a 1 GiB body on a slow link takes long, and is fine while
      // bytes keep coming; silence is what the idle timeout cuts.
      requestTimeout: 0,
      keepAliveTimeout: timeouts.keepAliveMs,
      // How often Node checks the headers timeout (its default, 30 s, would triple a short one).
      connectionsCheckingInterval: Math.min(HEADERS_CHECK_INTERVAL_MS, timeouts.headersMs),
    },
    (req, res) => enqueue(req, res),
  );
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => clientErrors.onClientError(err, socket));
  // `Expect: 100-continue`: a body that is too large is refused before the client sends it.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (declaredLength(req) > maxBody) return enqueue(req, res, tooLarge());
    res.writeContinue();
    enqueue(req, res);
  });
  // Any other expectation cannot be met (RFC 9110 §10.1.1): 417, protocol-shaped.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) =>
    enqueue(req, res, new VssError(ErrorCode.INVALID_REQUEST_EXCEPTION, 417, 'Unsupported Expect header: only 100-continue is supported')),
  );

  async function handleUntilSent(req: IncomingMessage, res: ServerResponse, early?: VssError): Promise<void> {
    const ctx: RequestContext = { requestId: randomUUID(), started: performance.now() };
    observe(req, res, ctx);
    res.setHeader(PROTOCOL_VERSION_HEADER, PROTOCOL_VERSION);
    try {
      if (clientErrors.closing(req.socket)) return void res.destroy();
      if (early) return await refuse(req, res, ctx, early);
      // A declared length over the limit is answered at once, as the deployed edge (WAF) does before
      // authentication: the sooner the 413 leaves, the likelier a client still sending reads it.
      if (declaredLength(req) > maxBody) return await refuse(req, res, ctx, tooLarge());
      await handle(req, res, ctx);
    } catch (e) {
      if (e instanceof BodyError && e.aborted) {
        res.destroy();
      } else if (e instanceof BodyError) {
        await refuse(req, res, ctx, e.vssError);
      } else {
        onFault(e);
        if (!res.headersSent) sendError(res, ctx, internalError());
        else res.destroy();
      }
    }
    if (!res.writableFinished && !res.destroyed) {
      await new Promise<void>((resolve) => {
        res.once('finish', () => resolve());
        res.once('close', () => resolve());
      });
    }
  }
  // A connection silent in the middle of a request is closed (no answer can reach a client that
  // stopped sending; its memory is given back).
  server.timeout = timeouts.idleMs;

  /** Records the request in the metrics and the log once it is answered or abandoned. */
  function observe(req: IncomingMessage, res: ServerResponse, ctx: RequestContext): void {
    const done = (status: number | 'aborted'): void => {
      const durationMs = performance.now() - ctx.started;
      metrics.record(ctx.operation ?? routeLabel(req.url), status, durationMs);
      if (!options.requestLog) return;
      const fields = requestLogFields({
        requestId: ctx.requestId,
        operation: ctx.operation,
        status: status === 'aborted' ? 0 : status,
        errorCode: ctx.errorCode,
        durationMs,
        userToken: ctx.userToken,
      });
      options.requestLog({
        ...fields,
        ...(status === 'aborted' ? { aborted: true as const } : {}),
        ...(ctx.operation === undefined ? { path: (req.url ?? '').slice(0, 200) } : {}),
      });
    };
    res.once('finish', () => done(res.statusCode));
    res.once('close', () => {
      if (!res.writableFinished) done('aborted');
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse, ctx: RequestContext): Promise<void> {
    const path = exactPath(req.url);
    if (path === METRICS_PATH) {
      await discardBody(req, maxBody);
      const text = await metrics.text();
      res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text) });
      return void res.end(text);
    }
    if (path === HEALTH_PATH) {
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return refuse(req, res, ctx, invalidRequest(`Unsupported method ${req.method}: ${HEALTH_PATH} answers GET`));
      await discardBody(req, maxBody);
      const report = options.health ? await options.health() : { healthy: true, detail: 'ok' };
      const body = JSON.stringify({ status: report.healthy ? 'ok' : 'unavailable', engine: report.detail });
      res.writeHead(report.healthy ? 200 : 503, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        'content-length': Buffer.byteLength(body),
      });
      return void res.end(req.method === 'HEAD' ? undefined : body);
    }
    if (req.httpVersion === '1.1' && req.headers.host === undefined)
      return refuse(req, res, ctx, invalidRequest('Missing Host header (required in HTTP/1.1)'));
    // Extra routes see a URL only when the raw target needed no normalisation.
    if (path !== undefined && options.extraRoutes?.length) {
      const url = new URL(req.url!, 'http://localhost');
      if (url.pathname === path) {
        for (const route of options.extraRoutes) {
          if (await route(req, res, url)) return;
        }
      }
    }
    // Exact match on the raw request target, query ignored (docs/protocol.md §2.1): no dot segments, no
    // absolute form. Anything else is 400 INVALID_REQUEST (docs/protocol.md §7.2).
    const op = path?.startsWith(`${BASE_PATH}/`) ? path.slice(BASE_PATH.length + 1) : '';
    if (!isOperation(op)) return refuse(req, res, ctx, invalidRequest('Invalid request path.'));
    ctx.operation = op;

    // Method, authentication, admission, the body limit and the protocol: the request path, once.
    // Under a memory bound, the request's body and the large values it reads are held against it
    // (memory-budget.ts) until both its response has closed and the path is done: a client that
    // leaves does not end a read still fetching its value.
    let bodyRead = false;
    const reservation = memory ? new RequestReservation(memory, 2) : undefined;
    if (reservation) res.once('close', () => reservation.done());
    const answer = (): Promise<VssHttpResponse> =>
      options.path.handle({
        operation: op,
        method: req.method ?? '',
        headers: headersOf(req),
        requestId: ctx.requestId,
        body: {
          declaredBytes: declaredLength(req),
          read: async (limit) => {
            const body = await readBody(req, limit, reservation ? reserveBody(reservation, req) : undefined);
            bodyRead = body !== undefined;
            return body;
          },
        },
      });
    let response: VssHttpResponse;
    try {
      response = reservation ? await withReservation(reservation, answer) : await answer();
    } finally {
      reservation?.done();
    }
    ctx.userToken = response.outcome.userToken;
    ctx.errorCode = response.outcome.errorCode;
    if (bodyRead) return send(res, response);
    // Refused before the body was read (method, auth, admission, size): as any refusal.
    const keep = (response.status < 413 || response.status === 429) && (await drained(req));
    if (!keep) closeAfterResponse(req, res, clientErrors);
    send(res, response);
  }

  /**
   * Answers an error. The connection stays usable when the body can be read and discarded within
   * the limit; otherwise (too large, unreadable) the answer is sent and the connection closed
   * gracefully, so the client still receives it (closeAfterResponse).
   */
  async function refuse(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, e: VssError): Promise<void> {
    const keep = e.status < 413 && e.status !== 408 && (await drained(req));
    if (!keep) closeAfterResponse(req, res, clientErrors);
    sendError(res, ctx, e);
  }

  /** Reads and drops the rest of a body within the limit: true when the connection stays usable. */
  function drained(req: IncomingMessage): Promise<boolean> {
    if (declaredLength(req) > maxBody) return Promise.resolve(false);
    return discardBody(req, maxBody).then(
      () => true,
      () => false,
    );
  }

  /**
   * Memory for one request's body: a declared length is taken whole before anything is read (a
   * body that cannot fit is never read), a chunked body chunk by chunk.
   */
  function reserveBody(reservation: RequestReservation, req: IncomingMessage): BodyReservation | undefined {
    const declared = declaredLength(req);
    if (req.headers['content-length'] !== undefined && Number.isSafeInteger(declared)) {
      if (!reservation.take(declared)) throw new BodyError(false, serverBusy());
      return undefined;
    }
    return reservation;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : options.port;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${hostForUrl}:${port}${BASE_PATH}`,
    server,
    metrics,
    ...(memory ? { memory } : {}),
    close: async (drainMs = DEFAULT_DRAIN_MS) => {
      draining = true;
      for (const res of pending) if (!res.headersSent) res.shouldKeepAlive = false;
      const closed = new Promise<'drained'>((resolve) => server.close(() => resolve('drained')));
      // Connections that finish their last request become idle: close them as they do.
      server.closeIdleConnections();
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      let timer: NodeJS.Timeout | undefined;
      const cut = new Promise<'cut'>((resolve) => {
        timer = setTimeout(() => resolve('cut'), drainMs);
      });
      const result = await Promise.race([closed, cut]);
      clearInterval(sweep);
      clearTimeout(timer);
      if (result === 'cut') {
        server.closeAllConnections();
        await closed;
      }
      return result;
    },
  };
}

function sendError(res: ServerResponse, ctx: RequestContext, e: VssError): void {
  ctx.errorCode = e.code;
  send(res, errorResponse(e));
}

function send(res: ServerResponse, r: VssResponse): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(r.status, { ...r.headers, 'content-length': bodyLength(r.body) });
  // A large value's answer is written around it (codec.ts ResponseBody), never copied into one buffer.
  if (r.body instanceof Uint8Array) return void res.end(r.body);
  for (const part of r.body.slice(0, -1)) res.write(part);
  res.end(r.body.at(-1));
}

/** The path of an origin-form target, verbatim; undefined for absolute or asterisk form. */
function exactPath(target: string | undefined): string | undefined {
  if (!target?.startsWith('/')) return undefined;
  const q = target.indexOf('?');
  return q < 0 ? target : target.slice(0, q);
}

/** A bounded metrics label for requests that named no operation. */
function routeLabel(target: string | undefined): string {
  const path = exactPath(target);
  return path === HEALTH_PATH ? 'health' : path === METRICS_PATH ? 'metrics' : 'other';
}

function declaredLength(req: IncomingMessage): number {
  const v = req.headers['content-length'];
  return v === undefined ? 0 : Number(v);
}

/** Duplicate headers: the last one wins, as in the Rust reference (docs/protocol.md §5); Node keeps the first. */
function headersOf(req: IncomingMessage): RequestHeaders {
  const out: Record<string, string | undefined> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    out[name.toLowerCase()] = values?.[values.length - 1];
  }
  return out;
}
