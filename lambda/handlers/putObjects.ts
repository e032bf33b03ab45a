/** Lambda entry point for POST /vss/putObjects. */
import { createApiGatewayHandler } from './api-gateway.js';
import { deployedRequestPath } from './runtime.js';

export const handler = createApiGatewayHandler('putObjects', deployedRequestPath);
