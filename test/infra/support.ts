/**
 * Shared helpers of the infrastructure tests: synthesize a VssStack (asset bundling skipped —
 * bundles are proved by bundles.test.ts), read its template, run the cdk-nag packs.
 */
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { ConfigError, parseConfig } from '../../bin/config.js';
import { VssAuth } from '../../lib/auth.js';
import { VssStack } from '../../lib/vss-stack.js';
import type { VssServiceProps } from '../../lib/vss-service.js';
import type { Construct } from 'constructs';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The feature flags of cdk.json, so tests synthesize what `cdk synth` synthesizes. */
export const CDK_JSON_CONTEXT: Record<string, unknown> =
  JSON.parse(readFileSync(fileURLToPath(new URL('../../cdk.json', import.meta.url)), 'utf8')).context ?? {};

export const TEST_PUBLIC_KEY_PEM = [
  '-----BEGIN PUBLIC KEY-----',
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo',
  '-----END PUBLIC KEY-----',
].join('\n');

export interface Synthesized {
  readonly app: App;
  readonly stack: VssStack;
  readonly template: Template;
}

/** Synthesizes a stack without bundling (fast); `service` defaults to signature auth. */
export function synth(
  service: Partial<VssServiceProps> | ((scope: Construct) => VssServiceProps) = {},
  options: { bundle?: boolean; env?: { account: string; region: string } } = {},
): Synthesized {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) } });
  const stack = new VssStack(app, 'VssTest', {
    ...(options.env ? { env: options.env } : {}),
    service: typeof service === 'function' ? service : () => ({ auth: VssAuth.signature(), ...service }),
  });
  const template = Template.fromStack(stack);
  return { app, stack, template };
}

/** The problems parseConfig reports for a raw config, one per line ([] when it is valid). */
export function configProblems(raw: unknown): string[] {
  try {
    parseConfig(raw, {});
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return [...e.problems];
  }
}

export interface NagFinding {
  readonly pack: string;
  readonly rule: string;
  readonly resources: readonly string[];
}

/** Unacknowledged findings of the AwsSolutions and Serverless packs on a synthesized stack. */
export function nagFindings(stack: Stack): NagFinding[] {
  const findings: NagFinding[] = [];
  for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
    const report = pack.validateScope(stack);
    for (const v of report.violations) {
      findings.push({
        pack: pack.name,
        rule: v.ruleName,
        resources: v.violatingResources.map((r) => `${r.resourceLogicalId ?? '?'} ${(r.locations ?? []).join(',')}`),
      });
    }
  }
  return findings;
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; [k: string]: unknown }>;

/** Resources of one type, by logical ID. */
export function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

/** The logical ID of the Lambda function whose description names `fn` (e.g. 'VSS getObject'). */
export function functionLogicalId(template: Template, fn: string): string {
  const found = Object.entries(resourcesOf(template, 'AWS::Lambda::Function')).filter(
    ([, r]) => r.Properties?.['Description'] === `VSS ${fn}`,
  );
  if (found.length !== 1) throw new Error(`expected exactly one function described "VSS ${fn}", found ${found.length}`);
  return found[0]![0];
}

/** All IAM statements attached to the role of function `fn`. */
export function statementsOfFunction(
  template: Template,
  fn: string,
): Array<{ Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown }> {
  const fnId = functionLogicalId(template, fn);
  const role = (resourcesOf(template, 'AWS::Lambda::Function')[fnId]!.Properties!['Role'] as { 'Fn::GetAtt': [string, string] })[
    'Fn::GetAtt'
  ][0];
  const statements: Array<{ Action: string | string[]; Resource: unknown; Effect: string }> = [];
  for (const policy of Object.values(resourcesOf(template, 'AWS::IAM::Policy'))) {
    const roles = policy.Properties!['Roles'] as Array<{ Ref: string }>;
    if (roles.some((r) => r.Ref === role)) {
      statements.push(...(policy.Properties!['PolicyDocument'] as { Statement: typeof statements }).Statement);
    }
  }
  const roleResource = resourcesOf(template, 'AWS::IAM::Role')[role]!;
  for (const p of (roleResource.Properties?.['Policies'] as Array<{ PolicyDocument: { Statement: typeof statements } }> | undefined) ??
    []) {
    statements.push(...p.PolicyDocument.Statement);
  }
  return statements;
}

export const actionsOf = (s: { Action: string | string[] }): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** Every action granted to a function's role. */
export function actionsOfFunction(template: Template, fn: string): string[] {
  return statementsOfFunction(template, fn).flatMap(actionsOf).sort();
}
