/** Lambda entry point for POST /vss/listKeyVersions. */
import { createApiGatewayHandler } from './api-gateway.js';
import { defaultDeps } from './runtime.js';

export const handler = createApiGatewayHandler('listKeyVersions', defaultDeps);
