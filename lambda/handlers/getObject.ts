/** Lambda entry point for POST /vss/getObject. */
import { createApiGatewayHandler } from './api-gateway.js';
import { deployedRequestPath } from './runtime.js';

export const handler = createApiGatewayHandler('getObject', deployedRequestPath);
