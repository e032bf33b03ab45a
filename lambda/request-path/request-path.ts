/**
 * The one request path behind every door (API Gateway + Lambda, the local server, any other HTTP
 * server): transport-neutral, request in, response out. In this order, as deployed:
 *
 *   1. method     only POST (400 INVALID_REQUEST otherwise)
 *   2. auth       the Authenticator (lambda/auth/authenticator.ts): the user, or 401
 *   3. admission  per-user request counting and rate limits (docs/provider.md): 429 to refuse
 *   4. body       at most `maxBodyBytes` (413 beyond); a parameter, since only Lambda's invocation
 *                 payload sets today's limit
 *   5. protocol   VssProtocol, which never throws
 *
 * and every answer is observed once. A door hands in the body as bytes (API Gateway delivers it
 * whole) or as a source read only after steps 1–3 passed and only up to the limit (an HTTP
 * server streams it: an unauthenticated request with a huge body is refused without reading it).
 * Errors of a body source are the transport's (the client left, broken framing): they propagate
 * to the door unobserved, because no answer can be or should be shaped for them here.
 */
import type { Authenticator, AuthorizerContext, RequestHeaders } from '../auth/authenticator.js';
import { ErrorCode, internalError, invalidRequest, isVssError, payloadTooLarge, VssError } from '../core/errors.js';
import { MAX_REQUEST_BODY_BYTES } from '../core/limits.js';
import { bodyLength } from '../core/codec.js';
import { errorResponse, type Operation, type OperationOutcome, type VssProtocol, type VssResponse } from '../core/service.js';

/** A body the door reads on demand. */
export interface RequestBodySource {
  /** The length the client declared (Content-Length), when it declared one. */
  readonly declaredBytes?: number;
  /** The whole body, or undefined when it is longer than `limit` bytes (reading stops there). */
  read(limit: number): Promise<Uint8Array | undefined>;
}

export interface VssRequest {
  readonly operation: Operation;
  /** The HTTP method as received. */
  readonly method: string;
  readonly headers: RequestHeaders;
  readonly body: Uint8Array | RequestBodySource;
  /** The door's id of the request, for logs. @default none */
  readonly requestId?: string | undefined;
  /** What an authorizer in front established (API Gateway's authorizer context). @default none */
  readonly authorizerContext?: AuthorizerContext;
}

/** What happened to one request, for logs and metrics (never keys, values or headers). */
export interface RequestOutcome extends OperationOutcome {
  readonly durationMs: number;
  /** The authenticated user, once authentication passed. */
  readonly userToken?: string;
}

export interface VssHttpResponse extends VssResponse {
  readonly outcome: RequestOutcome;
}

export interface RequestPathDeps {
  readonly protocol: VssProtocol;
  readonly authenticator: Authenticator;
  /** Per-user admission after authentication; throws the protocol's 429 to refuse. @default none */
  readonly admit?: (userToken: string) => Promise<void>;
  /** The largest request body accepted. @default MAX_REQUEST_BODY_BYTES (what Lambda carries) */
  readonly maxBodyBytes?: number;
  /**
   * The largest response body the door can carry; a larger answer (a GetObject of a value above
   * it) becomes 413 INVALID_REQUEST_EXCEPTION saying why. @default no limit
   */
  readonly maxResponseBytes?: number;
  /** Sees every answered request; must not throw (a throw is swallowed). @default none */
  readonly observe?: (outcome: RequestOutcome, request: VssRequest) => void;
}

export interface RequestPath {
  readonly maxBodyBytes: number;
  /** The largest response body, when the door has a limit. */
  readonly maxResponseBytes?: number;
  /** Answers one request. Never throws, except the body source's own errors. */
  handle(request: VssRequest): Promise<VssHttpResponse>;
}

/** Carries a body source's error past the path's error mapping, back to the door. */
class TransportFailure {
  constructor(readonly cause: unknown) {}
}

export function createRequestPath(deps: RequestPathDeps): RequestPath {
  const maxBodyBytes = deps.maxBodyBytes ?? MAX_REQUEST_BODY_BYTES;

  return {
    maxBodyBytes,
    ...(deps.maxResponseBytes !== undefined ? { maxResponseBytes: deps.maxResponseBytes } : {}),
    async handle(request) {
      const started = performance.now();
      const { operation } = request;
      let userToken: string | undefined;
      let response: VssResponse;
      let outcome: OperationOutcome | undefined;
      try {
        if (request.method !== 'POST') {
          throw invalidRequest(`Unsupported method ${request.method}: VSS operations are POST requests`);
        }
        userToken = await deps.authenticator.authenticate(request.headers, request.authorizerContext);
        if (deps.admit) await deps.admit(userToken);
        const body = await bodyWithin(request.body, maxBodyBytes);
        response = await deps.protocol.handle(operation, body, userToken, (o) => (outcome = o));
        const responseBytes = bodyLength(response.body);
        if (deps.maxResponseBytes !== undefined && responseBytes > deps.maxResponseBytes) {
          const error = responseTooLarge(responseBytes, deps.maxResponseBytes);
          response = errorResponse(error);
          outcome = { operation, status: error.status, errorCode: error.code };
        }
      } catch (e) {
        if (e instanceof TransportFailure) throw e.cause;
        // Only the steps before the protocol can land here; the protocol never throws.
        const error: VssError = isVssError(e) ? e : internalError();
        response = errorResponse(error);
        outcome = { operation, status: error.status, errorCode: error.code, ...(isVssError(e) ? {} : { fault: e }) };
      }
      const observed: RequestOutcome = {
        ...outcome!,
        durationMs: performance.now() - started,
        ...(userToken !== undefined ? { userToken } : {}),
      };
      try {
        deps.observe?.(observed, request);
      } catch {
        // Observation must never turn a response into a failure.
      }
      return { ...response, outcome: observed };
    },
  };
}

/** Not retryable: the same read through the same door always fails; another door can serve it. */
function responseTooLarge(bytes: number, limit: number): VssError {
  return new VssError(
    ErrorCode.INVALID_REQUEST_EXCEPTION,
    413,
    `The response (${bytes} bytes) is larger than the ${limit} bytes this front door can return; read this value through the container front door`,
  );
}

async function bodyWithin(body: Uint8Array | RequestBodySource, limit: number): Promise<Uint8Array> {
  if (body instanceof Uint8Array) {
    if (body.length > limit) {
      throw payloadTooLarge(`Request body of ${body.length} bytes is larger than the ${limit} bytes this service accepts`);
    }
    return body;
  }
  // A streamed body's length is not known when the limit stops the reading.
  const tooLarge = () => payloadTooLarge(`Request body is larger than the ${limit} bytes this service accepts`);
  if ((body.declaredBytes ?? 0) > limit) throw tooLarge();
  let bytes: Uint8Array | undefined;
  try {
    bytes = await body.read(limit);
  } catch (e) {
    throw new TransportFailure(e);
  }
  if (bytes === undefined) throw tooLarge();
  return bytes;
}
