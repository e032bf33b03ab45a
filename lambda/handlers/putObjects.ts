/** Lambda entry point for POST /vss/putObjects. */
import { createApiGatewayHandler } from './api-gateway.js';
import { defaultDeps } from './runtime.js';

export const handler = createApiGatewayHandler('putObjects', defaultDeps);
