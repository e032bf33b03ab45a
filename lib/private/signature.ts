/**
 * The stack side of signature mode's policy (docs/auth.md, "Enrollment" and "Replay window"): the
 * VSS handlers' environment, and, with enrollment `allowlist`, the one read the allowlist needs.
 *
 * The allowlist read is a strongly consistent `GetItem` of an item in the caller's per-user
 * partition (lambda/provider/enrollment.ts). The statement confines it to those partitions with
 * `dynamodb:LeadingKeys`: a function that gets it only for the allowlist (deleteObject has no
 * other GetItem) cannot read records with it. With enrollment `open` (the default) nothing is added.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { ENV, USER_PARTITION_PREFIX } from '../../lambda/contract.js';
import type { VssAuth } from '../auth.js';
import type { VssTableResources } from './table.js';

/** The allowlist read: one action, on the table, only for per-user partition keys. */
export const ENROLLMENT_READ_ACTIONS = ['dynamodb:GetItem'] as const;
export const ENROLLMENT_LEADING_KEYS = [`${USER_PARTITION_PREFIX}*`] as const;

/** Environment of every VSS handler: only the settings the operator gave (the handler's defaults are the same). */
export function signatureFunctionEnvironment(auth: VssAuth): Record<string, string> {
  const o = auth.mode === 'signature' ? auth.signatureOptions : undefined;
  const env: Record<string, string> = {};
  if (o?.enrollment) env[ENV.signatureEnrollment] = o.enrollment;
  if (o?.maxClockSkew) env[ENV.signatureMaxSkewSeconds] = String(o.maxClockSkew.toSeconds());
  return env;
}

export function allowlistOn(auth: VssAuth): boolean {
  return auth.mode === 'signature' && auth.signatureOptions?.enrollment === 'allowlist';
}

/** Grants a VSS function the allowlist read, when the allowlist is on. */
export function grantEnrollmentRead(fn: { readonly role: iam.IRole }, table: VssTableResources, auth: VssAuth): void {
  if (!allowlistOn(auth)) return;
  fn.role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'SignatureAllowlistRead',
      actions: [...ENROLLMENT_READ_ACTIONS],
      resources: [table.table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...ENROLLMENT_LEADING_KEYS] } },
    }),
  );
}
