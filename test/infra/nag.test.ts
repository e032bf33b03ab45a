/**
 * cdk-nag: the AwsSolutions and Serverless packs report zero unacknowledged findings on every
 * variant, and every acknowledgement carries a written reason.
 */
import { describe, expect, it } from 'vitest';
import { Duration, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type { IConstruct } from 'constructs';
import { VssAuth } from '../../lib/auth.js';
import type { VssServiceProps } from '../../lib/vss-service.js';
import { nagFindings, synth, TEST_PUBLIC_KEY_PEM } from './support.js';
import { VssTableEncryption } from '../../lib/options.js';
import type { Construct } from 'constructs';

const VARIANTS: Record<string, Partial<VssServiceProps> | ((scope: Construct) => VssServiceProps)> = {
  'signature (defaults)': {},
  'jwt with a static key': { auth: VssAuth.jwt({ publicKeyPem: TEST_PUBLIC_KEY_PEM }) },
  'jwt with the LNURL-auth issuer': { auth: VssAuth.jwt(), lnurlAuth: {} },
  'cognito with a new user pool': { auth: VssAuth.cognito() },
  'none (forced)': { auth: VssAuth.none({ dangerouslyAllowUnauthenticated: true }) },
  'provisioned table with a customer-managed key, alarm emails, WAF off, execution logs on': {
    tableOptions: {
      billingMode: dynamodb.BillingMode.PROVISIONED,
      provisionedCapacity: { minReadCapacity: 1, maxReadCapacity: 10, minWriteCapacity: 1, maxWriteCapacity: 10 },
      encryption: VssTableEncryption.customerManaged(),
    },
    alarms: { emails: ['ops@example.com'] },
    waf: { enabled: false },
    executionLogLevel: apigw.MethodLoggingLevel.ERROR,
    functionDefaults: { reservedConcurrency: 10, provisionedConcurrency: 1, timeout: Duration.seconds(8) },
  },
  'provider features on (metering, quotas, rate limit) with a customer-managed key': {
    tableOptions: { encryption: VssTableEncryption.customerManaged() },
    provider: { quota: { maxKeys: 10_000, maxBytes: 1_000_000_000 }, rateLimit: { perSecond: 20, burst: 100 } },
  },
  'backup with a copy to another region and account, vault lock and the restore drill, customer-managed table key': {
    tableOptions: { encryption: VssTableEncryption.customerManaged() },
    backup: { copyToRegion: 'eu-central-1', copyToAccount: '444455556666', vaultLock: { minRetention: Duration.days(7) } },
    alarms: { emails: ['ops@example.com'] },
  },
  'custom domain': (scope) => ({
    auth: VssAuth.signature(),
    domain: {
      domainName: 'vss.example.com',
      certificate: acm.Certificate.fromCertificateArn(scope, 'C', 'arn:aws:acm:eu-west-1:111122223333:certificate/abc'),
    },
  }),
};

describe('cdk-nag', () => {
  for (const [name, props] of Object.entries(VARIANTS)) {
    it(`AwsSolutions and Serverless packs have zero unacknowledged findings: ${name}`, () => {
      const { stack } = synth(props);
      const findings = nagFindings(stack);
      expect(findings, JSON.stringify(findings, null, 1)).toEqual([]);
    });
  }

  it('every acknowledgement has a written reason of at least one sentence', () => {
    const { stack } = synth({ auth: VssAuth.jwt(), lnurlAuth: {}, alarms: { emails: ['ops@example.com'] } });
    const acks: Array<{ id: string; reason: string; path: string }> = [];
    const visit = (c: IConstruct) => {
      for (const m of c.node.metadata) {
        if (m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) {
          // Recorded as { [qualifiedRuleId]: reason }.
          for (const [id, reason] of Object.entries(m.data as Record<string, string>))
            acks.push({ id, reason: String(reason ?? ''), path: c.node.path });
        }
      }
      c.node.children.forEach(visit);
    };
    visit(stack);
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) expect(a.reason.length, `${a.id} at ${a.path}`).toBeGreaterThan(40);
  });

  it('nag actually fails an unacknowledged finding (the check is live)', () => {
    const { stack } = synth((scope) => {
      // An extra table without PITR inside the stack must be reported.
      new dynamodb.Table(scope, 'Unprotected', { partitionKey: { name: 'p', type: dynamodb.AttributeType.STRING } });
      return { auth: VssAuth.signature() };
    });
    expect(nagFindings(stack).map((f) => f.rule)).toEqual(expect.arrayContaining(['AwsSolutions-DDB3']));
  });
});
