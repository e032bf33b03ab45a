/** Lambda entry point for POST /vss/deleteObject. */
import { createApiGatewayHandler } from './api-gateway.js';
import { deployedRequestPath } from './runtime.js';

export const handler = createApiGatewayHandler('deleteObject', deployedRequestPath);
