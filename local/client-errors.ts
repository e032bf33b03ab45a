/**
 * The parts of the local server that deal with clients which break HTTP or leave early:
 *
 *   - parse errors (Node's `clientError`): answered with a protobuf ErrorResponse and
 *     `vss-protocol-version: 0` (431 for oversized headers, 408 for a request that never
 *     completes, 400 for everything else) instead of Node's bare reply — after the answers to the
 *     complete requests before it on the same connection, so those are not lost;
 *   - a parse error inside a request's body (a bad chunk size): that request is answered 400;
 *   - bodies: read within the limit; a client that aborts is a BodyError, not a fault;
 *   - closing after an error whose body was not read (413): the answer is sent, then the write
 *     side is half-closed and what the client still sends is read and dropped for a bounded time,
 *     so the client receives the answer instead of a reset (closing with unread data sends RST).
 */
import { serverBusy } from './memory-budget.js';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ErrorCode, invalidRequest, VssError } from '../lambda/core/errors.js';
import { errorResponse } from '../lambda/core/service.js';

/** How long a closing connection keeps reading (and dropping) what the client still sends. */
export const LINGER_MS = 3000;

/** A body that could not be read: the client left (aborted) or broke the framing (vssError). */
export class BodyError extends Error {
  constructor(
    readonly aborted: boolean,
    readonly vssError: VssError,
  ) {
    super(vssError.message);
    this.name = 'BodyError';
  }
}

const PARSE_FAILED = Symbol('vss-parse-failed');
const parseFailures = new WeakMap<IncomingMessage, VssError>();
const aborted = (): BodyError => new BodyError(true, invalidRequest('Client closed the connection before the request was complete'));

/** The protocol error for a parse error of Node's HTTP parser, or undefined when the client is simply gone. */
export function errorForClientError(err: NodeJS.ErrnoException): VssError | undefined {
  const code = err.code ?? '';
  if (code === 'HPE_HEADER_OVERFLOW') {
    return new VssError(ErrorCode.INVALID_REQUEST_EXCEPTION, 431, 'Request header fields too large');
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new VssError(ErrorCode.INVALID_REQUEST_EXCEPTION, 408, 'Request not completed in time');
  }
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') {
    return new VssError(ErrorCode.INVALID_REQUEST_EXCEPTION, 413, 'Chunk extensions too large');
  }
  if (!code.startsWith('HPE_')) return undefined;
  const what: Record<string, string> = {
    HPE_INVALID_METHOD: 'unsupported HTTP method',
    HPE_INVALID_CONTENT_LENGTH: 'invalid Content-Length',
    HPE_UNEXPECTED_CONTENT_LENGTH: 'Content-Length together with Transfer-Encoding, or two of them',
    HPE_INVALID_TRANSFER_ENCODING: 'invalid Transfer-Encoding',
    HPE_INVALID_CHUNK_SIZE: 'invalid chunk size',
    HPE_LF_EXPECTED: 'lines must end in CRLF',
    HPE_CR_EXPECTED: 'lines must end in CRLF',
    HPE_INVALID_HEADER_TOKEN: 'invalid header',
    HPE_INVALID_VERSION: 'unsupported HTTP version',
  };
  return invalidRequest(`Malformed HTTP request: ${what[code] ?? code}`);
}

/** The bytes of a protocol error answer written straight to a socket (no request object exists). */
export function rawErrorResponse(e: VssError): Buffer {
  const r = errorResponse(e);
  const head = [
    `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? 'Error'}`,
    ...Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`),
    `content-length: ${r.body.length}`,
    'connection: close',
    '',
    '',
  ].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'latin1'), r.body]);
}

/** Half-closes a socket and drops what the peer still sends, for at most LINGER_MS. */
export function linger(socket: Socket): void {
  if (socket.destroyed) return;
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.end();
  socket.resume();
}

export interface ClientErrorHooks {
  /** Resolves when every request received on the socket so far has been answered. */
  readonly settled: (socket: Socket) => Promise<void>;
  /** Called once per parse error answered directly on the socket. */
  readonly answered: (status: number, e: VssError, parseError: string) => void;
}

/** Per-connection state for parse errors and connections being closed. */
export class ClientErrorTracker {
  private readonly failed = new WeakSet<Socket>();
  private readonly closingSockets = new WeakSet<Socket>();
  private readonly lastRequest = new WeakMap<Socket, IncomingMessage>();

  constructor(private readonly hooks: ClientErrorHooks) {}

  track(req: IncomingMessage): void {
    this.lastRequest.set(req.socket, req);
  }

  /** True once the connection is being closed: later pipelined requests cannot be answered. */
  closing(socket: Socket): boolean {
    return this.closingSockets.has(socket);
  }

  markClosing(socket: Socket): void {
    this.closingSockets.add(socket);
  }

  onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
    // The parser stays failed: every later chunk raises the error again.
    if (this.failed.has(socket)) return;
    this.failed.add(socket);
    const e = errorForClientError(err);
    if (!e || !socket.writable) return void socket.destroy();
    const req = this.lastRequest.get(socket);
    if (req && !req.complete) {
      // The error is inside this request's body: the request answers it (readBody rejects).
      parseFailures.set(req, e);
      req.emit(PARSE_FAILED);
      return;
    }
    void this.hooks.settled(socket).then(() => {
      if (!socket.writable) return void socket.destroy();
      this.hooks.answered(e.status, e, err.code ?? 'unknown');
      socket.write(rawErrorResponse(e));
      linger(socket);
    });
  }
}

/**
 * Closes the connection once the answer is sent, without losing the answer. Called before the
 * answer is written, so that it carries `Connection: close`: a client that reuses connections
 * (node:http's global agent does) must not send its next request on this one.
 */
export function closeAfterResponse(req: IncomingMessage, res: ServerResponse, tracker: ClientErrorTracker): void {
  const socket = req.socket;
  tracker.markClosing(socket);
  if (!res.headersSent) res.setHeader('connection', 'close');
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    linger(socket);
  };
  // node:http ends a `Connection: close` response with socket.destroySoon(): FIN, then destroy as
  // soon as it is flushed. Body bytes the client is still sending then meet a closed socket, the
  // kernel answers them with a reset, and the reset discards the answer unread (EPIPE on the
  // client's side). Lingering reads and drops them instead, for at most LINGER_MS.
  socket.destroySoon = close;
  if (res.writableFinished) close();
  else res.once('finish', close);
}

/** Takes memory for body bytes as they arrive (memory-budget.ts); false refuses the rest. */
export interface BodyReservation {
  take(bytes: number): boolean;
}

/**
 * Reads the body, at most `max` bytes. Resolves with the body (or, with keep false, an empty
 * buffer), undefined when it is larger than `max`; rejects with a BodyError when the client
 * leaves or breaks the framing.
 */
function consume(req: IncomingMessage, max: number, keep: boolean, reservation?: BodyReservation): Promise<Buffer | undefined> {
  const failure = parseFailures.get(req);
  if (failure) return Promise.reject(new BodyError(false, failure));
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  if (req.destroyed) return Promise.reject(aborted());
  // A declared length within the limit is read straight into one buffer of that size, so a body
  // is held once (not as chunks plus their concatenation); the parser enforces the framing.
  const declared = Number(req.headers['content-length']);
  const whole = keep && Number.isSafeInteger(declared) && declared > 0 && declared <= max ? Buffer.allocUnsafe(declared) : undefined;
  return new Promise<Buffer | undefined>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onClose);
      req.off(PARSE_FAILED, onParseFailed);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > max) {
        cleanup();
        req.pause();
        resolve(undefined);
      } else if (keep) {
        if (reservation && !reservation.take(chunk.length)) {
          cleanup();
          req.pause();
          reject(new BodyError(false, serverBusy()));
        } else if (whole && size <= whole.length) {
          chunk.copy(whole, size - chunk.length);
        } else {
          chunks.push(chunk);
        }
      }
    };
    const onEnd = (): void => {
      cleanup();
      resolve(whole ? (size === whole.length ? whole : whole.subarray(0, size)) : Buffer.concat(chunks));
    };
    const onAbort = (): void => {
      cleanup();
      reject(aborted());
    };
    const onClose = (): void => {
      if (!req.complete) onAbort();
    };
    const onParseFailed = (): void => {
      cleanup();
      reject(new BodyError(false, parseFailures.get(req)!));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onClose);
    req.on(PARSE_FAILED, onParseFailed);
    req.resume();
  });
}

export function readBody(req: IncomingMessage, max: number, reservation?: BodyReservation): Promise<Buffer | undefined> {
  return consume(req, max, true, reservation);
}

/** Reads and drops the body so the connection stays usable; rejects when it is over `max`. */
export async function discardBody(req: IncomingMessage, max: number): Promise<void> {
  const r = await consume(req, max, false);
  if (r === undefined) throw new BodyError(false, new VssError(ErrorCode.INVALID_REQUEST_EXCEPTION, 413, 'Request body too large'));
}
