/** Lambda entry point for POST /vss/getObject. */
import { createApiGatewayHandler } from './api-gateway.js';
import { defaultDeps } from './runtime.js';

export const handler = createApiGatewayHandler('getObject', defaultDeps);
