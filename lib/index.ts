/**
 * Public API of the VSS CDK library, by name. Everything else (lib/private/, lambda/) is
 * implementation and may change without notice.
 */
export {
  VssAuth,
  SUPPORTED_JWT_ALGORITHMS,
  SUPPORTED_SIGNATURE_ENROLLMENTS,
  type CognitoAuthOptions,
  type JwtAlgorithm,
  type JwtAuthOptions,
  type NoAuthOptions,
  type SignatureAuthOptions,
  type SignatureEnrollment,
  type VssAuthMode,
} from './auth.js';
export { VssFrontDoor, type VssContainerOptions, type VssFrontDoorKind } from './front-door.js';
export { VssBackupCopyVault, type VssBackupCopyVaultProps } from './backup-copy-vault.js';
export type { VssFunction, VssFunctionName, VssFunctionOptions } from './functions.js';
export {
  VssTableEncryption,
  type VssAlarmOptions,
  type VssBackupOptions,
  type VssDomainOptions,
  type VssLnurlAuthOptions,
  type VssProviderOptions,
  type VssLargeValuesOptions,
  type VssProvisionedCapacity,
  type VssRestoreDrillOptions,
  type VssTableOptions,
  type VssThrottlingOptions,
  type VssVaultLockOptions,
  type VssWafOptions,
} from './options.js';
export { VssConfigError } from './private/schema.js';
export { VssService, type VssServiceProps } from './vss-service.js';
export { VssStack, type VssStackProps } from './vss-stack.js';
