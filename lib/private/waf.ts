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
export const bodyTooLargeMessage = (bytes: number): string => `Request body is larger than the ${bytes} bytes this service accepts`;
export const BODY_TOO_LARGE_MESSAGE = bodyTooLargeMessage(MAX_REQUEST_BODY_BYTES);

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

/** What the web ACL protects: the REST API's stage, or the container door's load balancer. */
export interface WafTarget {
  /** ARN of the stage or load balancer. */
  readonly resourceArn: string;
  /** Largest body the service behind accepts. */
  readonly maxBodyBytes: number;
  /**
   * Whether the WAF's own blocks reach clients directly (a load balancer has no gateway response
   * to rewrite them): the rate rules then answer a protocol 429 themselves.
   */
  readonly answersClients: boolean;
}

/** The edge target of the REST API: its stage, Lambda's body limit, blocks rewritten by API Gateway. */
export function apiWafTarget(api: apigw.RestApi): WafTarget {
  return { resourceArn: api.deploymentStage.stageArn, maxBodyBytes: MAX_REQUEST_BODY_BYTES, answersClients: false };
}

const RATE_LIMITED_KEY = 'vss-rate-limited';
export const RATE_LIMITED_MESSAGE = 'Too many requests: slow down and retry';

export function createWaf(scope: Construct, target: WafTarget, options: VssWafOptions): wafv2.CfnWebACL {
  const windowSec = (options.evaluationWindow ?? WAF_DEFAULTS.evaluationWindow).toSeconds();
  const visibility = (name: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
    cloudWatchMetricsEnabled: true,
    sampledRequestsEnabled: true,
    metricName: `vss-${name}`,
  });
  // Behind API Gateway a plain block becomes the WAF_FILTERED gateway response (a protocol 429);
  // in front of a load balancer the rule must answer that itself.
  const rateBlock: wafv2.CfnWebACL.RuleActionProperty = target.answersClients
    ? {
        block: {
          customResponse: {
            responseCode: 429,
            customResponseBodyKey: RATE_LIMITED_KEY,
            responseHeaders: [{ name: PROTOCOL_VERSION_HEADER, value: PROTOCOL_VERSION }],
          },
        },
      }
    : { block: {} };
  const rules: wafv2.CfnWebACL.RuleProperty[] = [
    {
      name: 'per-user-rate',
      priority: 0,
      action: rateBlock,
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
      action: rateBlock,
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
        regexString: decimalGreaterThanPattern(target.maxBodyBytes),
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
        content: protocolErrorBody(
          WIRE_ERROR_CODES.INVALID_REQUEST_EXCEPTION,
          target.maxBodyBytes === MAX_REQUEST_BODY_BYTES ? BODY_TOO_LARGE_MESSAGE : bodyTooLargeMessage(target.maxBodyBytes),
        ),
      },
      ...(target.answersClients
        ? {
            [RATE_LIMITED_KEY]: {
              contentType: 'TEXT_PLAIN',
              content: protocolErrorBody(WIRE_ERROR_CODES.INTERNAL_SERVER_EXCEPTION, RATE_LIMITED_MESSAGE),
            },
          }
        : {}),
    },
    rules,
  });
  new wafv2.CfnWebACLAssociation(scope, 'WebAclAssociation', {
    resourceArn: target.resourceArn,
    webAclArn: acl.attrArn,
  });
  return acl;
}
