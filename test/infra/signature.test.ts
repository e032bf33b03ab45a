/**
 * Signature mode's policy in the stack (docs/auth.md, "Enrollment" and "Replay window"): the
 * defaults add nothing; allowlist enrollment gives each VSS function one GetItem confined to the
 * per-user partitions, and nothing more; the settings reach the handlers through their
 * environment and are validated by the one schema, from the deployment config and from props.
 */
import { describe, expect, it } from 'vitest';
import { Duration } from 'aws-cdk-lib';
import { ConfigError, parseConfig, toServiceProps } from '../../bin/config.js';
import { ENV, OPERATIONS } from '../../lambda/contract.js';
import { VssAuth } from '../../lib/auth.js';
import { VssConfigError } from '../../lib/private/schema.js';
import { VssTableEncryption } from '../../lib/options.js';
import { expectControl } from './controls/evaluate.js';
import { actionsOf, functionLogicalId, nagFindings, resourcesOf, statementsOfFunction, synth } from './support.js';

const allowlist = () => VssAuth.signature({ enrollment: 'allowlist', maxClockSkew: Duration.seconds(900) });

function environmentOf(template: ReturnType<typeof synth>['template'], fn: string): Record<string, unknown> {
  const r = resourcesOf(template, 'AWS::Lambda::Function')[functionLogicalId(template, fn)]!;
  return (r.Properties!['Environment'] as { Variables: Record<string, unknown> }).Variables;
}

describe('signature policy in the stack', () => {
  it('open enrollment (the default) adds no environment and no permission', () => {
    const { template } = synth();
    expectControl(template, 'allowlist-read-absent-when-open');
    for (const op of OPERATIONS) {
      expect(environmentOf(template, op)[ENV.signatureEnrollment], op).toBeUndefined();
      expect(environmentOf(template, op)[ENV.signatureMaxSkewSeconds], op).toBeUndefined();
    }
    expect(statementsOfFunction(template, 'deleteObject').flatMap(actionsOf)).not.toContain('dynamodb:GetItem');
  });

  it('allowlist enrollment gives each VSS function one GetItem on the table, confined to per-user partitions by dynamodb:LeadingKeys', () => {
    const { template } = synth({ auth: allowlist() });
    expectControl(template, 'allowlist-read-confined');
    const tableId = Object.keys(resourcesOf(template, 'AWS::DynamoDB::Table'))[0]!;
    for (const op of OPERATIONS) {
      const read = statementsOfFunction(template, op).filter((s) => (s as { Sid?: string }).Sid === 'SignatureAllowlistRead');
      expect(read, op).toEqual([
        {
          Sid: 'SignatureAllowlistRead',
          Effect: 'Allow',
          Action: 'dynamodb:GetItem',
          Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['u:*'] } },
        },
      ]);
    }
    // deleteObject reads nothing else: its only GetItem is the confined one.
    const deleteGets = statementsOfFunction(template, 'deleteObject').filter((s) => actionsOf(s).includes('dynamodb:GetItem'));
    expect(deleteGets.map((s) => (s as { Condition?: unknown }).Condition)).toEqual([
      { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['u:*'] } },
    ]);
    // The sweeper and no other function gets it.
    expect(statementsOfFunction(template, 'sweepChunks').some((s) => (s as { Sid?: string }).Sid === 'SignatureAllowlistRead')).toBe(false);
  });

  it('passes enrollment and window to the four VSS functions only, through their environment', () => {
    const { template } = synth({ auth: allowlist() });
    expectControl(template, 'signature-policy-environment');
    for (const op of OPERATIONS)
      expect(environmentOf(template, op)).toMatchObject({ [ENV.signatureEnrollment]: 'allowlist', [ENV.signatureMaxSkewSeconds]: '900' });
    expect(environmentOf(template, 'sweepChunks')[ENV.signatureEnrollment]).toBeUndefined();
  });

  it('allowlist enrollment with a customer-managed table key passes cdk-nag with no new acknowledgement', () => {
    const { stack } = synth({ auth: allowlist(), tableOptions: { encryption: VssTableEncryption.customerManaged() } });
    expect(nagFindings(stack)).toEqual([]);
  });

  it('props outside the accepted range, or signature options in another mode, are refused at synth naming the prop', () => {
    expect(() => synth({ auth: VssAuth.signature({ maxClockSkew: Duration.seconds(14) }) })).toThrow(
      /auth\.signature\.maxClockSkew must be an integer from 15 to 86400 seconds/,
    );
    expect(() => synth({ auth: VssAuth.signature({ maxClockSkew: Duration.hours(25) }) })).toThrow(VssConfigError);
    expect(() => synth({ auth: VssAuth.signature({ enrollment: 'closed' as 'open' }) })).toThrow(
      /auth\.signature\.enrollment must be one of "open", "allowlist"/,
    );
  });

  it('are read from the vss context object (signature.enrollment, signature.maxClockSkewSeconds) and validated by the one schema', () => {
    const config = parseConfig({ signature: { enrollment: 'allowlist', maxClockSkewSeconds: '900' } });
    expect(config.signature).toEqual({ enrollment: 'allowlist', maxClockSkewSeconds: 900 });
    const props = toServiceProps(synth().stack, config);
    expect(props.auth.signatureOptions?.enrollment).toBe('allowlist');
    expect(props.auth.signatureOptions?.maxClockSkew?.toSeconds()).toBe(900);
    const problems = (raw: unknown): string[] => {
      try {
        parseConfig(raw);
        return [];
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return [...(e as ConfigError).problems];
      }
    };
    expect(problems({ signature: { enrollment: 'invite-only', maxClockSkewSeconds: 5, window: 1 } })).toEqual([
      'vss.signature.enrollment must be one of "open", "allowlist" (got "invite-only")',
      'vss.signature.maxClockSkewSeconds must be an integer from 15 to 86400 seconds (got 5)',
      'vss.signature.window is not a known setting (known: enrollment, maxClockSkewSeconds)',
    ]);
    expect(problems({ authMode: 'jwt', lnurlAuth: {}, signature: { enrollment: 'allowlist' } })).toEqual([
      'vss.signature is set but vss.authMode is "jwt" (signature settings apply only to authMode "signature")',
    ]);
  });
});
