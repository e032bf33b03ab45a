/**
 * An API Gateway (REST, proxy integration) event for one VSS operation, as the Lambda door
 * receives it: the body base64-encoded, the authorizer's context in requestContext.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { Operation } from '../../lambda/core/service.js';

export function apiGatewayEvent(
  op: Operation,
  body: Uint8Array,
  authorizer: Record<string, unknown> | null,
  method = 'POST',
): APIGatewayProxyEvent {
  return {
    resource: `/vss/${op}`,
    path: `/vss/${op}`,
    httpMethod: method,
    headers: { 'content-type': 'application/octet-stream' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
    requestContext: { authorizer, requestId: randomUUID() } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}
