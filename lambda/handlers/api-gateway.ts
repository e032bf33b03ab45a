/**
 * Thin adapter from API Gateway REST proxy events to the service core. Protobuf bodies travel
 * base64-encoded in both directions (the API declares binary media types); the body is decoded
 * here by hand because a text decode would corrupt protobuf.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { internalError, invalidRequest, isVssError, payloadTooLarge, type VssError } from '../core/errors.js';
import { MAX_REQUEST_BODY_BYTES } from '../core/limits.js';
import { errorResponse, type Operation, type OperationOutcome, type VssResponse, type VssService } from '../core/service.js';

export interface ApiHandlerDeps {
  readonly service: VssService;
  /** Returns the authenticated user or throws the protocol's auth error. */
  readonly resolveUser: (event: APIGatewayProxyEvent) => string | Promise<string>;
  /**
   * Per-user admission after authentication (request counting, rate limits): throws the
   * protocol's 429 to refuse. @default none (no extra step)
   */
  readonly admit?: (userToken: string) => Promise<void>;
  /** Sees every outcome (for logs and metrics); must not throw. @default none */
  readonly observe?: (
    outcome: OperationOutcome & { readonly durationMs: number; readonly userToken?: string },
    event: APIGatewayProxyEvent,
  ) => void;
}

export type ApiGatewayHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

export function createApiGatewayHandler(operation: Operation, deps: ApiHandlerDeps | (() => ApiHandlerDeps)): ApiGatewayHandler {
  return async (event) => {
    const d = typeof deps === 'function' ? deps() : deps;
    const started = performance.now();
    let userToken: string | undefined;
    let response: VssResponse;
    let outcome: OperationOutcome | undefined;
    try {
      if (event.httpMethod !== undefined && event.httpMethod !== 'POST') {
        throw invalidRequest(`Unsupported method ${event.httpMethod}: VSS operations are POST requests`);
      }
      userToken = await d.resolveUser(event);
      if (d.admit) await d.admit(userToken);
      const body = event.body == null ? new Uint8Array(0) : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
      if (body.length > MAX_REQUEST_BODY_BYTES) {
        throw payloadTooLarge(
          `Request body of ${body.length} bytes is larger than the ${MAX_REQUEST_BODY_BYTES} bytes this service accepts`,
        );
      }
      response = await d.service.handle(operation, body, userToken, (o) => (outcome = o));
    } catch (e) {
      // Only the steps before the service (method, auth, admission) can land here; the service never throws.
      const error: VssError = isVssError(e) ? e : internalError();
      response = errorResponse(error);
      outcome = { operation, status: error.status, errorCode: error.code, ...(isVssError(e) ? {} : { fault: e }) };
    }
    d.observe?.({ ...outcome!, durationMs: performance.now() - started, ...(userToken !== undefined ? { userToken } : {}) }, event);
    return {
      statusCode: response.status,
      headers: { ...response.headers },
      body: Buffer.from(response.body.buffer, response.body.byteOffset, response.body.byteLength).toString('base64'),
      isBase64Encoded: true,
    };
  };
}
