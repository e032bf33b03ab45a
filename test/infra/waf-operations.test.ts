/** WAF, alarms, dashboard, custom domain and outputs. */
import { describe, expect, it } from 'vitest';
import { Capture, Match } from 'aws-cdk-lib/assertions';
import { Duration } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { VssAuth } from '../../lib/auth.js';
import { BODY_TOO_LARGE_MESSAGE, MANAGED_RULE_GROUPS } from '../../lib/private/waf.js';
import { ErrorCode } from '../../lambda/core/errors.js';
import { MAX_REQUEST_BODY_BYTES } from '../../lambda/core/limits.js';
import { vss } from '../../lambda/core/generated/vss.js';
import { resourcesOf, synth } from './support.js';
import { expectControl } from './controls/evaluate.js';

type Rule = {
  Name: string;
  Priority: number;
  Action?: Record<string, unknown>;
  OverrideAction?: Record<string, unknown>;
  Statement: {
    RateBasedStatement?: { Limit: number; AggregateKeyType: string; EvaluationWindowSec: number; CustomKeys?: unknown[] };
    RegexMatchStatement?: { FieldToMatch: { SingleHeader: { Name: string } }; RegexString: string };
    ManagedRuleGroupStatement?: {
      Name: string;
      VendorName: string;
      RuleActionOverrides?: Array<{ Name: string; ActionToUse: Record<string, unknown> }>;
    };
  };
};

describe('waf (default on)', () => {
  const { template } = synth({ waf: { perUserLimit: 1000, perIpLimit: 5000, evaluationWindow: Duration.minutes(1) } });
  const rulesCapture = new Capture();
  template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'REGIONAL', DefaultAction: { Allow: {} }, Rules: rulesCapture });
  const rules = rulesCapture.asArray() as Rule[];

  it('a web ACL is associated with the API stage', () => {
    expectControl(template, 'waf-associated');
    const stageId = Object.keys(resourcesOf(template, 'AWS::ApiGateway::Stage'))[0]!;
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([{ Ref: stageId }])] }),
      WebACLArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^VssWebAcl'), 'Arn'] },
    });
  });

  it('a per-user rate rule blocks by the Authorization header', () => {
    const rule = rules.find((r) => r.Name === 'per-user-rate')!;
    expect(rule.Action).toEqual({ Block: {} });
    expect(rule.Statement.RateBasedStatement).toEqual({
      Limit: 1000,
      EvaluationWindowSec: 60,
      AggregateKeyType: 'CUSTOM_KEYS',
      CustomKeys: [{ Header: { Name: 'authorization', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } }],
    });
  });

  it('a per-IP rate rule also counts requests without the Authorization header', () => {
    const rule = rules.find((r) => r.Name === 'per-ip-rate')!;
    expect(rule.Action).toEqual({ Block: {} });
    expect(rule.Statement.RateBasedStatement).toEqual({ Limit: 5000, EvaluationWindowSec: 60, AggregateKeyType: 'IP' });
  });

  it('no managed rule may block a legitimate multi-MB protobuf body (body and User-Agent rules count only)', () => {
    const managed = rules.filter((r) => r.Statement.ManagedRuleGroupStatement);
    expect(managed.map((r) => r.Statement.ManagedRuleGroupStatement!.Name).sort()).toEqual(MANAGED_RULE_GROUPS.map((g) => g.name).sort());
    const common = managed.find((r) => r.Statement.ManagedRuleGroupStatement!.Name === 'AWSManagedRulesCommonRuleSet')!;
    const counted = (common.Statement.ManagedRuleGroupStatement!.RuleActionOverrides ?? [])
      .filter((o) => 'Count' in o.ActionToUse)
      .map((o) => o.Name);
    expect(counted).toEqual(
      expect.arrayContaining([
        'SizeRestrictions_BODY',
        'NoUserAgent_HEADER',
        'CrossSiteScripting_BODY',
        'GenericLFI_BODY',
        'GenericRFI_BODY',
        'EC2MetaDataSSRF_BODY',
      ]),
    );
    const badInputs = managed.find((r) => r.Statement.ManagedRuleGroupStatement!.Name === 'AWSManagedRulesKnownBadInputsRuleSet')!;
    const countedBad = (badInputs.Statement.ManagedRuleGroupStatement!.RuleActionOverrides ?? []).map((o) => o.Name);
    expect(countedBad).toEqual(expect.arrayContaining(['Log4JRCE_BODY', 'JavaDeserializationRCE_BODY']));
    for (const r of managed) expect(r.OverrideAction).toEqual({ None: {} });
    // Every overridden rule is set to count, never block.
    for (const r of managed)
      for (const o of r.Statement.ManagedRuleGroupStatement!.RuleActionOverrides ?? []) expect(o.ActionToUse).toEqual({ Count: {} });
  });

  it('a body larger than the service accepts is refused by WAF with a protobuf 413 before Lambda is invoked', () => {
    expectControl(template, 'waf-body-too-large');
    const rule = rules.find((r) => r.Name === 'body-too-large')!;
    expect(rule.Action).toEqual({
      Block: {
        CustomResponse: {
          ResponseCode: 413,
          CustomResponseBodyKey: 'vss-body-too-large',
          ResponseHeaders: [{ Name: 'vss-protocol-version', Value: '0' }],
        },
      },
    });
    const match = rule.Statement.RegexMatchStatement!;
    expect(match.FieldToMatch).toEqual({ SingleHeader: { Name: 'content-length' } });
    const re = new RegExp(match.RegexString);
    for (const n of [0, 1, 400 * 1024, MAX_REQUEST_BODY_BYTES - 1, MAX_REQUEST_BODY_BYTES])
      expect(re.test(String(n)), String(n)).toBe(false);
    for (const n of [MAX_REQUEST_BODY_BYTES + 1, 4_700_000, 6_291_456, 10_485_760, 99_999_999])
      expect(re.test(String(n)), String(n)).toBe(true);
    const bodies = new Capture();
    template.hasResourceProperties('AWS::WAFv2::WebACL', { CustomResponseBodies: bodies });
    const body = (bodies.asObject() as Record<string, { ContentType: string; Content: string }>)['vss-body-too-large']!;
    const decoded = vss.ErrorResponse.decode(Buffer.from(body.Content, 'latin1'));
    expect(decoded.errorCode).toBe(ErrorCode.INVALID_REQUEST_EXCEPTION);
    expect(decoded.message).toBe(BODY_TOO_LARGE_MESSAGE);
  });

  it('WAF-blocked requests get the protocol error (WAF_FILTERED gateway response)', () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'WAF_FILTERED',
      StatusCode: '429',
      ResponseParameters: Match.objectLike({ 'gatewayresponse.header.vss-protocol-version': "'0'" }),
    });
  });

  it('every WAF rule emits CloudWatch metrics', () => {
    for (const r of rules as Array<Rule & { VisibilityConfig: { CloudWatchMetricsEnabled: boolean } }>)
      expect(r.VisibilityConfig.CloudWatchMetricsEnabled).toBe(true);
  });
});

describe('waf (turned off)', () => {
  it('WAF can be turned off', () => {
    const { template } = synth({ waf: { enabled: false } });
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
  });
});

describe('operations', () => {
  const { template } = synth({ alarms: { emails: ['ops@example.com'], serverErrorRate: 0.02, p99Latency: Duration.seconds(2) } });
  const alarms = Object.values(resourcesOf(template, 'AWS::CloudWatch::Alarm'));
  const find = (pred: (p: Record<string, unknown>) => boolean) => alarms.filter((a) => pred(a.Properties!));

  it('alarm on the API 5xx rate', () => {
    expect(
      find(
        (p) =>
          p['MetricName'] === '5XXError' && p['Namespace'] === 'AWS/ApiGateway' && p['Statistic'] === 'Average' && p['Threshold'] === 0.02,
      ),
    ).toHaveLength(1);
  });

  it('alarm on the API p99 latency', () => {
    expect(find((p) => p['MetricName'] === 'Latency' && p['ExtendedStatistic'] === 'p99' && p['Threshold'] === 2000)).toHaveLength(1);
  });

  it('alarm on throttling by the WAF rate rules', () => {
    expect(find((p) => JSON.stringify(p['Metrics'] ?? '').includes('BlockedRequests'))).toHaveLength(1);
  });

  it('alarms on Lambda errors and throttles for every function', () => {
    const fnCount = Object.keys(resourcesOf(template, 'AWS::Lambda::Function')).length;
    expect(find((p) => p['Namespace'] === 'AWS/Lambda' && p['MetricName'] === 'Errors')).toHaveLength(fnCount);
    expect(find((p) => p['Namespace'] === 'AWS/Lambda' && p['MetricName'] === 'Throttles')).toHaveLength(fnCount);
  });

  it('alarms on DynamoDB throttled requests and system errors', () => {
    expect(find((p) => JSON.stringify(p['Metrics'] ?? '').includes('ThrottledRequests'))).toHaveLength(1);
    expect(find((p) => JSON.stringify(p['Metrics'] ?? '').includes('SystemErrors'))).toHaveLength(1);
  });

  it('every alarm notifies the SNS topic, which enforces TLS and has the email subscription', () => {
    const topicId = Object.keys(resourcesOf(template, 'AWS::SNS::Topic'))[0]!;
    for (const a of alarms) expect(a.Properties!['AlarmActions']).toEqual([{ Ref: topicId }]);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: topicId },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  it('alarms can notify an existing topic instead', () => {
    const { template: t } = synth((scope) => ({
      auth: VssAuth.signature(),
      alarms: { topic: sns.Topic.fromTopicArn(scope, 'Topic', 'arn:aws:sns:eu-west-1:111122223333:ops') },
    }));
    t.resourceCountIs('AWS::SNS::Topic', 0);
    for (const a of Object.values(resourcesOf(t, 'AWS::CloudWatch::Alarm')))
      expect(a.Properties!['AlarmActions']).toEqual(['arn:aws:sns:eu-west-1:111122223333:ops']);
  });

  it('a dashboard shows per-operation EMF metrics, API, Lambda and DynamoDB', () => {
    const body = new Capture();
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardBody: body });
    const text = JSON.stringify(body.asObject());
    for (const s of ['Requests', 'Latency', 'Conflicts', 'Errors', 'AWS/ApiGateway', 'AWS/Lambda', 'AWS/DynamoDB', 'operation'])
      expect(text).toContain(s);
  });

  it('stack outputs the VSS base URL (ending in /vss) and the table name', () => {
    const url = new Capture();
    template.hasOutput('VssBaseUrl', { Value: url });
    expect(JSON.stringify(url.asObject())).toMatch(/\/vss"\]\]\}$/);
    const tableId = Object.keys(resourcesOf(template, 'AWS::DynamoDB::Table'))[0]!;
    template.hasOutput('TableName', { Value: { Ref: tableId } });
  });
});

describe('custom domain', () => {
  it('custom domain with an existing ACM certificate serves the API at https://<domain>/vss with TLS 1.2', () => {
    const { template } = synth((scope) => ({
      auth: VssAuth.signature(),
      domain: {
        domainName: 'vss.example.com',
        certificate: acm.Certificate.fromCertificateArn(scope, 'C', 'arn:aws:acm:eu-west-1:111122223333:certificate/abc'),
      },
    }));
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'vss.example.com',
      RegionalCertificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/abc',
      SecurityPolicy: 'TLS_1_2',
    });
    template.resourceCountIs('AWS::ApiGateway::BasePathMapping', 1);
    template.hasOutput('VssBaseUrl', { Value: 'https://vss.example.com/vss' });
  });

  it('custom domain with a hosted zone gets a DNS-validated certificate and an alias record', () => {
    const { template } = synth((scope) => ({
      auth: VssAuth.signature(),
      domain: {
        domainName: 'vss.example.com',
        hostedZone: route53.HostedZone.fromHostedZoneAttributes(scope, 'Z', { hostedZoneId: 'Z123456', zoneName: 'example.com' }),
      },
    }));
    template.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: 'vss.example.com', ValidationMethod: 'DNS' });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'vss.example.com.', Type: 'A', HostedZoneId: 'Z123456' });
  });

  it('custom domain without a certificate or hosted zone is refused at synth', () => {
    expect(() => synth({ domain: { domainName: 'vss.example.com' } })).toThrow(/domain needs domain.certificate, or domain.hostedZone/);
  });
});
