/** Lambda entry point for POST /vss/deleteObject. */
import { createApiGatewayHandler } from './api-gateway.js';
import { defaultDeps } from './runtime.js';

export const handler = createApiGatewayHandler('deleteObject', defaultDeps);
