/**
 * The local VSS server: plain HTTP/1.1 (keep-alive and pipelining, as the clients use) that plays
 * API Gateway's part — route, authorizer, body limit — and then invokes the very Lambda handlers
 * that are deployed, with the same base64 proxy events.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { USER_TOKEN_CONTEXT_KEY } from '../lambda/auth/authorizer-context.js';
import { invalidRequest, isVssError, internalError, payloadTooLarge, type VssError } from '../lambda/core/errors.js';
import { MAX_REQUEST_BODY_BYTES } from '../lambda/core/limits.js';
import { errorResponse, isOperation, type Operation } from '../lambda/core/service.js';

export const BASE_PATH = '/vss';

/** The largest body the deployed service accepts (what fits Lambda's invocation payload). */
export const DEFAULT_MAX_BODY_BYTES = MAX_REQUEST_BODY_BYTES;

/** Headers in, user out; throws the protocol's auth error. */
export type LocalAuthenticator = (headers: Readonly<Record<string, string | undefined>>) => Promise<string> | string;

/** Serves extra non-VSS routes (e.g. an LNURL-auth issuer); returns false when it does not own the path. */
export type ExtraRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean;

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
}

export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

export async function startLocalServer(options: LocalServerOptions): Promise<RunningServer> {
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const onFault = options.onFault ?? ((e: unknown) => console.error('vss: request failed', e));

  // Pipelined requests on one connection run one after another, in order: Node parses them
  // ahead and would run their handlers concurrently, but VSS requests are POSTs (not safe
  // methods), so a pipelined delete must not overtake the listing sent before it (RFC 9112 §9.3.2).
  const queues = new WeakMap<Socket, Promise<void>>();
  const server = createServer((req, res) => {
    const previous = queues.get(req.socket) ?? Promise.resolve();
    const current = previous.then(() => handleUntilSent(req, res));
    queues.set(req.socket, current);
  });

  async function handleUntilSent(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await handle(req, res);
    } catch (e) {
      onFault(e);
      if (!res.headersSent) sendError(res, internalError());
      else res.destroy();
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

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    for (const route of options.extraRoutes ?? []) {
      if (await route(req, res, url)) return;
    }
    // Exact match, query ignored (docs/protocol.md §2.1); anything else is 400 INVALID_REQUEST (docs/protocol.md §7.2).
    const op = url.pathname.startsWith(`${BASE_PATH}/`) ? url.pathname.slice(BASE_PATH.length + 1) : '';
    if (!isOperation(op)) return drainThen(req, res, invalidRequest('Invalid request path.'));
    if (req.method !== 'POST') return drainThen(req, res, invalidRequest(`Unsupported method ${req.method}: VSS operations are POST requests`));

    const headers = headersOf(req);
    let userToken: string;
    try {
      userToken = await options.authenticate(headers);
    } catch (e) {
      return drainThen(req, res, isVssError(e) ? e : internalError(), e);
    }

    const declared = Number(req.headers['content-length'] ?? '0');
    const tooLarge = (): VssError => payloadTooLarge(`Request body is larger than the ${maxBody} bytes this service accepts`);
    if (declared > maxBody) return drainThen(req, res, tooLarge(), undefined, true);
    const body = await readBody(req, maxBody);
    if (body === undefined) return sendError(res, tooLarge(), true);

    const event = proxyEvent(req, url, op, headers, body, userToken);
    const result = await options.handlers[op](event);
    const out = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
    res.writeHead(result.statusCode, { ...(result.headers as Record<string, string>), 'content-length': out.length });
    res.end(out);
  }

  function drainThen(req: IncomingMessage, res: ServerResponse, e: VssError, fault?: unknown, close = false): void {
    if (fault !== undefined && !isVssError(fault)) onFault(fault);
    if (close) return sendError(res, e, true);
    // Read and discard the body so the connection stays usable for the next (pipelined) request.
    req.on('end', () => sendError(res, e));
    req.on('error', () => res.destroy());
    req.resume();
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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

function sendError(res: ServerResponse, e: VssError, close = false): void {
  const r = errorResponse(e);
  const headers: Record<string, string | number> = { ...r.headers, 'content-length': r.body.length };
  if (close) headers['connection'] = 'close';
  res.writeHead(r.status, headers);
  res.end(Buffer.from(r.body));
  if (close) res.on('finish', () => res.socket?.destroy());
}

function headersOf(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    // Duplicate headers: the last one wins, as in the Rust reference (docs/protocol.md §5).
    out[name.toLowerCase()] = Array.isArray(value) ? value[value.length - 1] : value;
  }
  return out;
}

async function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function proxyEvent(
  req: IncomingMessage,
  url: URL,
  op: Operation,
  headers: Record<string, string | undefined>,
  body: Buffer,
  userToken: string,
): APIGatewayProxyEvent {
  const resource = `${BASE_PATH}/${op}`;
  const requestId = randomUUID();
  return {
    resource,
    path: url.pathname,
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
      authorizer: { [USER_TOKEN_CONTEXT_KEY]: userToken },
      protocol: `HTTP/${req.httpVersion}`,
      httpMethod: req.method ?? 'POST',
      identity: { sourceIp: req.socket.remoteAddress ?? '' } as APIGatewayProxyEvent['requestContext']['identity'],
      path: url.pathname,
      stage: 'local',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: op,
      resourcePath: resource,
    },
  };
}
