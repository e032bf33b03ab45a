/** Lambda entry point for POST /vss/listKeyVersions. */
import { createApiGatewayHandler } from './api-gateway.js';
import { deployedRequestPath } from './runtime.js';

export const handler = createApiGatewayHandler('listKeyVersions', deployedRequestPath);
