/**
 * The web ACL on the stage: per-user and per-IP rate rules, a protocol 413 for bodies the
 * handlers could never receive, and AWS managed rule groups with every body-inspecting rule in
 * count mode. Its blocks reach clients as protocol errors through the WAF_FILTERED gateway
 * response (gateway-responses.ts) or, for the 413, its own protobuf body.
 */
import { Duration, Names } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import { PROTOCOL_VERSION, PROTOCOL_VERSION_HEADER, WIRE_ERROR_CODES } from '../../lambda/contract.js';
import { MAX_REQUEST_BODY_BYTES } from '../../lambda/core/limits.js';
import type { VssWafOptions } from '../options.js';
import { decimalGreaterThanPattern } from './decimal-pattern.js';
import { protocolErrorBody } from './gateway-responses.js';

/** Limits when none are configured. */
export const WAF_DEFAULTS = { perUserLimit: 3000, perIpLimit: 6000, evaluationWindow: Duration.minutes(5) } as const;

/** The WAF's answer to a body larger than the service accepts (lambda/core/limits.ts). */
const BODY_TOO_LARGE_KEY = 'vss-body-too-large';
export const BODY_TOO_LARGE_MESSAGE = `Request body is larger than the ${MAX_REQUEST_BODY_BYTES} bytes this service accepts`;

/** The names of the rate rules, for the alarm on what they block. */
export const WAF_RATE_RULES = ['per-user-rate', 'per-ip-rate'] as const;

/**
 * Managed rule groups and the rules set to count-only: every rule that inspects the body (VSS
 * bodies are binary protobuf — random ciphertext and up to ~4.6 MB, far beyond WAF's inspection
 * window) and the no-User-Agent rule (LDK Node's HTTP client sends none).
 */
export const MANAGED_RULE_GROUPS: ReadonlyArray<{ readonly name: string; readonly countOnly: readonly string[] }> = [
  { name: 'AWSManagedRulesAmazonIpReputationList', countOnly: [] },
  {
    name: 'AWSManagedRulesKnownBadInputsRuleSet',
    countOnly: ['JavaDeserializationRCE_BODY', 'Log4JRCE_BODY'],
  },
  {
    name: 'AWSManagedRulesCommonRuleSet',
    countOnly: [
      'NoUserAgent_HEADER',
      'SizeRestrictions_BODY',
      'CrossSiteScripting_BODY',
      'GenericLFI_BODY',
      'GenericRFI_BODY',
      'EC2MetaDataSSRF_BODY',
    ],
  },
];

export function createWaf(scope: Construct, api: apigw.RestApi, options: VssWafOptions): wafv2.CfnWebACL {
  const windowSec = (options.evaluationWindow ?? WAF_DEFAULTS.evaluationWindow).toSeconds();
  const visibility = (name: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
    cloudWatchMetricsEnabled: true,
    sampledRequestsEnabled: true,
    metricName: `vss-${name}`,
  });
  const rules: wafv2.CfnWebACL.RuleProperty[] = [
    {
      name: 'per-user-rate',
      priority: 0,
      action: { block: {} },
      statement: {
        rateBasedStatement: {
          limit: options.perUserLimit ?? WAF_DEFAULTS.perUserLimit,
          evaluationWindowSec: windowSec,
          aggregateKeyType: 'CUSTOM_KEYS',
          customKeys: [{ header: { name: 'authorization', textTransformations: [{ priority: 0, type: 'NONE' }] } }],
        },
      },
      visibilityConfig: visibility('per-user-rate'),
    },
    {
      // Requests without an Authorization header are not counted by the per-user rule.
      name: 'per-ip-rate',
      priority: 1,
      action: { block: {} },
      statement: {
        rateBasedStatement: {
          limit: options.perIpLimit ?? WAF_DEFAULTS.perIpLimit,
          evaluationWindowSec: windowSec,
          aggregateKeyType: 'IP',
        },
      },
      visibilityConfig: visibility('per-ip-rate'),
    },
  ];
  if (options.managedRules ?? true) {
    MANAGED_RULE_GROUPS.forEach((group, i) => {
      rules.push({
        name: group.name,
        priority: 10 + i,
        overrideAction: { none: {} },
        statement: {
          managedRuleGroupStatement: {
            vendorName: 'AWS',
            name: group.name,
            ruleActionOverrides: group.countOnly.map((name) => ({ name, actionToUse: { count: {} } })),
          },
        },
        visibilityConfig: visibility(group.name),
      });
    });
  }
  // A body the handlers cannot receive (it would not fit Lambda's invocation payload) gets the
  // service's protobuf 413 here, before API Gateway tries to invoke Lambda with it: otherwise
  // the client would see the integration-failure 5xx and retry a request that cannot succeed.
  rules.push({
    name: 'body-too-large',
    // After the two rate rules (0, 1), before the managed groups (10+).
    priority: 2,
    action: {
      block: {
        customResponse: {
          responseCode: 413,
          customResponseBodyKey: BODY_TOO_LARGE_KEY,
          responseHeaders: [{ name: PROTOCOL_VERSION_HEADER, value: PROTOCOL_VERSION }],
        },
      },
    },
    statement: {
      regexMatchStatement: {
        fieldToMatch: { singleHeader: { Name: 'content-length' } },
        regexString: decimalGreaterThanPattern(MAX_REQUEST_BODY_BYTES),
        textTransformations: [{ priority: 0, type: 'NONE' }],
      },
    },
    visibilityConfig: visibility('body-too-large'),
  });
  const acl = new wafv2.CfnWebACL(scope, 'WebAcl', {
    name: Names.uniqueResourceName(scope, { maxLength: 128, separator: '-' }),
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: visibility('web-acl'),
    customResponseBodies: {
      [BODY_TOO_LARGE_KEY]: {
        contentType: 'TEXT_PLAIN',
        content: protocolErrorBody(WIRE_ERROR_CODES.INVALID_REQUEST_EXCEPTION, BODY_TOO_LARGE_MESSAGE),
      },
    },
    rules,
  });
  new wafv2.CfnWebACLAssociation(scope, 'WebAclAssociation', {
    resourceArn: api.deploymentStage.stageArn,
    webAclArn: acl.attrArn,
  });
  return acl;
}
