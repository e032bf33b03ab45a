/** Public API of the VSS CDK library. */
export * from './auth.js';
export * from './vss-service.js';
export * from './vss-stack.js';
export * from './gateway-responses.js';
export * from './permissions.js';
