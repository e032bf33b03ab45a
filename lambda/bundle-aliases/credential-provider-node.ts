/**
 * What the Lambda bundles get in place of @aws-sdk/credential-provider-node (the construct's
 * bundling options alias one to the other): Lambda hands every function its role's credentials in
 * the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), so the default
 * chain's other sources (SSO, shared INI files, web identity, processes, container and instance
 * metadata, with the STS and SSO clients they need) are about 100 KB of bundle and module init that
 * a function never uses. Same export as the package it replaces; the local server, which may talk
 * to a real account, keeps the full chain. Not for SnapStart or other runtimes that hand out
 * credentials through a container endpoint instead.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider: typeof fromEnv = (init) => fromEnv(init);
