/**
 * The local VSS server: plain HTTP/1.1 (keep-alive and pipelining, as the clients use) that plays
 * API Gateway's part — route, authorizer, body limit — and then invokes the very Lambda handlers
 * that are deployed, with the same base64 proxy events.
 *
 * Every answer is protocol-shaped: each response carries `vss-protocol-version: 0`, and every
 * error is a protobuf ErrorResponse with its status — the ones Node's HTTP parser would answer
 * with a bare reply included (see client-errors.ts). Besides the four operations it serves
 * `GET /health` and `/metrics` (Prometheus text), neither under /vss.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { USER_TOKEN_CONTEXT_KEY } from '../lambda/auth/authorizer-context.js';
import { ErrorCode, invalidRequest, isVssError, internalError, payloadTooLarge, VssError } from '../lambda/core/errors.js';
import { vss } from '../lambda/core/generated/vss.js';
import { MAX_REQUEST_BODY_BYTES } from '../lambda/core/limits.js';
import { errorResponse, isOperation, PROTOCOL_VERSION, PROTOCOL_VERSION_HEADER, type Operation } from '../lambda/core/service.js';
import { BodyError, closeAfterResponse, ClientErrorTracker, readBody, discardBody } from './client-errors.js';
import { LocalMetrics } from './metrics.js';
import { requestLogFields, type RequestLogFields } from '../lambda/handlers/request-log-fields.js';

export const BASE_PATH = '/vss';
export const HEALTH_PATH = '/health';
export const METRICS_PATH = '/metrics';

/** The largest body the deployed service accepts (what fits Lambda's invocation payload). */
export const DEFAULT_MAX_BODY_BYTES = MAX_REQUEST_BODY_BYTES;

/** Headers in, user out; throws the protocol's auth error. */
export type LocalAuthenticator = (headers: Readonly<Record<string, string | undefined>>) => Promise<string> | string;

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
  readonly handlers: Readonly<Record<Operation, (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>>>;
  readonly authenticate: LocalAuthenticator;
  /** @default DEFAULT_MAX_BODY_BYTES */
  readonly maxBodyBytes?: number;
  /** @default none */
  readonly extraRoutes?: readonly ExtraRoute[];
  /** Called with faults that escaped a handler (they are answered 500). @default console.error */
  readonly onFault?: (e: unknown) => void;
  /** Receives one entry per request. @default none (quiet) */
  readonly requestLog?: (entry: RequestLogEntry) => void;
  /** Answers GET /health. @default always healthy */
  readonly health?: () => Promise<HealthReport>;
}

export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  readonly metrics: LocalMetrics;
  close(): Promise<void>;
}

/** What the log line and the metrics need to know about one request as it is answered. */
interface RequestContext {
  readonly requestId: string;
  readonly started: number;
  operation?: Operation;
  userToken?: string;
  errorCode?: number;
}

export async function startLocalServer(options: LocalServerOptions): Promise<RunningServer> {
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const onFault = options.onFault ?? ((e: unknown) => console.error('vss: request failed', e));
  const metrics = new LocalMetrics();
  const tooLarge = (): VssError => payloadTooLarge(`Request body is larger than the ${maxBody} bytes this service accepts`);

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

  const enqueue = (req: IncomingMessage, res: ServerResponse, early?: VssError): void => {
    clientErrors.track(req);
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
  // Real clients keep connections open between requests; outlive their idle periods.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 120_000;

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
    if (req.method !== 'POST')
      return refuse(req, res, ctx, invalidRequest(`Unsupported method ${req.method}: VSS operations are POST requests`));

    const headers = headersOf(req);
    try {
      ctx.userToken = await options.authenticate(headers);
    } catch (e) {
      if (!isVssError(e)) onFault(e);
      return refuse(req, res, ctx, isVssError(e) ? e : internalError());
    }

    if (declaredLength(req) > maxBody) return refuse(req, res, ctx, tooLarge());
    const body = await readBody(req, maxBody);
    if (body === undefined) return refuse(req, res, ctx, tooLarge());

    const event = proxyEvent(req, path!, op, headers, body, ctx);
    const result = await options.handlers[op](event);
    const out = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
    if (result.statusCode !== 200) ctx.errorCode = errorCodeOf(out);
    res.writeHead(result.statusCode, { ...(result.headers as Record<string, string>), 'content-length': out.length });
    res.end(out);
  }

  /**
   * Answers an error. The connection stays usable when the body can be read and discarded within
   * the limit; otherwise (too large, unreadable) the answer is sent and the connection closed
   * gracefully, so the client still receives it (closeAfterResponse).
   */
  async function refuse(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, e: VssError): Promise<void> {
    const keep =
      e.status < 413 &&
      e.status !== 408 &&
      declaredLength(req) <= maxBody &&
      (await discardBody(req, maxBody).then(
        () => true,
        () => false,
      ));
    sendError(res, ctx, e);
    if (!keep) closeAfterResponse(req, res, clientErrors);
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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

function sendError(res: ServerResponse, ctx: RequestContext, e: VssError): void {
  if (res.headersSent) return void res.destroy();
  const r = errorResponse(e);
  ctx.errorCode = e.code;
  res.writeHead(r.status, { ...r.headers, 'content-length': r.body.length });
  res.end(Buffer.from(r.body));
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

function errorCodeOf(body: Uint8Array): number | undefined {
  try {
    return vss.ErrorResponse.decode(body).errorCode;
  } catch {
    return undefined;
  }
}

/** Duplicate headers: the last one wins, as in the Rust reference (docs/protocol.md §5); Node keeps the first. */
function headersOf(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    out[name.toLowerCase()] = values?.[values.length - 1];
  }
  return out;
}

function proxyEvent(
  req: IncomingMessage,
  path: string,
  op: Operation,
  headers: Record<string, string | undefined>,
  body: Buffer,
  ctx: RequestContext,
): APIGatewayProxyEvent {
  const resource = `${BASE_PATH}/${op}`;
  return {
    resource,
    path,
    httpMethod: req.method ?? 'POST',
    headers,
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: body.toString('base64'),
    isBase64Encoded: true,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      authorizer: { [USER_TOKEN_CONTEXT_KEY]: ctx.userToken },
      protocol: `HTTP/${req.httpVersion}`,
      httpMethod: req.method ?? 'POST',
      identity: { sourceIp: req.socket.remoteAddress ?? '' } as APIGatewayProxyEvent['requestContext']['identity'],
      path,
      stage: 'local',
      requestId: ctx.requestId,
      requestTimeEpoch: Date.now(),
      resourceId: op,
      resourcePath: resource,
    },
  };
}
