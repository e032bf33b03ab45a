/**
 * The API Gateway door: a thin translation from a REST proxy event to the request path
 * (request-path/request-path.ts) and from its response to the proxy result. Protobuf bodies
 * travel base64-encoded in both directions (the API declares binary media types); the body is
 * decoded here by hand because a text decode would corrupt protobuf.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { RequestHeaders } from '../auth/authenticator.js';
import type { Operation } from '../core/service.js';
import { bodyBytes } from '../core/codec.js';
import type { RequestPath, VssRequest } from '../request-path/request-path.js';

export type ApiGatewayHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** `path` may be a function: the deployed path is built on the first request, not at import. */
export function createApiGatewayHandler(operation: Operation, path: RequestPath | (() => RequestPath)): ApiGatewayHandler {
  return async (event) => {
    const p = typeof path === 'function' ? path() : path;
    const response = await p.handle(requestOf(operation, event));
    // Lambda returns one base64 string: the answer is joined (at most 6 MB: maxResponseBytes).
    const body = bodyBytes(response.body);
    return {
      statusCode: response.status,
      headers: { ...response.headers },
      body: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64'),
      isBase64Encoded: true,
    };
  };
}

export function requestOf(operation: Operation, event: APIGatewayProxyEvent): VssRequest {
  return {
    operation,
    // API Gateway routes only POST here; an event without a method (a direct invoke) is taken as one.
    method: event.httpMethod ?? 'POST',
    headers: headersOf(event),
    body: event.body == null ? new Uint8Array(0) : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8'),
    requestId: event.requestContext?.requestId,
    authorizerContext: event.requestContext?.authorizer as VssRequest['authorizerContext'],
  };
}

/**
 * The event's headers by lowercase name, a repeated header as its last value: `multiValueHeaders`
 * (every value as received) wins over `headers`.
 */
export function headersOf(event: Pick<APIGatewayProxyEvent, 'headers' | 'multiValueHeaders'>): RequestHeaders {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) out[name.toLowerCase()] = value;
  }
  for (const [name, values] of Object.entries(event.multiValueHeaders ?? {})) {
    if (values?.length) out[name.toLowerCase()] = values[values.length - 1];
  }
  return out;
}
