/** Authentication wiring: one synthesized stack per auth mode (docs/protocol.md §7.9). */
import { describe, expect, it } from 'vitest';
import { Annotations, Capture, Match } from 'aws-cdk-lib/assertions';
import { Duration } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { OPERATIONS } from '../../lambda/core/service.js';
import { VssAuth } from '../../lib/auth.js';
import { VssConfigError } from '../../lib/private/schema.js';
import {
  actionsOf,
  actionsOfFunction,
  functionLogicalId,
  resourcesOf,
  statementsOfFunction,
  synth,
  TEST_PUBLIC_KEY_PEM,
} from './support.js';
import { expectControl } from './controls/evaluate.js';

function vssMethods(template: ReturnType<typeof synth>['template']) {
  return Object.values(resourcesOf(template, 'AWS::ApiGateway::Method')).filter((m) => m.Properties!['HttpMethod'] === 'POST');
}

describe('auth mode jwt', () => {
  const { template } = synth({
    auth: VssAuth.jwt({
      publicKeyPem: TEST_PUBLIC_KEY_PEM,
      issuer: 'https://issuer.example',
      audience: 'vss',
      algorithms: ['RS256', 'ES256'],
      resultsCacheTtl: Duration.seconds(120),
    }),
  });

  it('jwt mode synthesizes a Lambda TOKEN authorizer on the Authorization header with result caching', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 120,
      IdentityValidationExpression: Match.stringLikeRegexp('^\\^Bearer '),
    });
  });

  it('every VSS method requires the JWT authorizer', () => {
    expectControl(template, 'methods-jwt-authorizer');
    const authorizerId = Object.keys(resourcesOf(template, 'AWS::ApiGateway::Authorizer'))[0]!;
    for (const m of vssMethods(template))
      expect(m.Properties).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId } });
  });

  it('the authorizer function is the jwtAuthorizer handler, configured from props', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'VSS jwtAuthorizer',
      Environment: {
        Variables: Match.objectLike({
          VSS_JWT_PUBLIC_KEY_PEM: TEST_PUBLIC_KEY_PEM,
          VSS_JWT_ISSUER: 'https://issuer.example',
          VSS_JWT_AUDIENCE: 'vss',
          VSS_JWT_ALGORITHMS: 'RS256,ES256',
        }),
      },
    });
  });

  it('the JWT authorizer has no data access', () => {
    expect(actionsOfFunction(template, 'jwtAuthorizer').filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:'))).toEqual([]);
  });

  it('handlers are told the auth mode and read the user from the authorizer context', () => {
    for (const op of OPERATIONS) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: `VSS ${op}`,
        Environment: { Variables: Match.objectLike({ VSS_AUTH_MODE: 'jwt' }) },
      });
    }
  });

  it('jwt mode without any key source is refused at synth', () => {
    expect(() => synth({ auth: VssAuth.jwt({}) })).toThrow(/needs a key to verify tokens/);
  });

  it('algorithms the authorizer cannot verify are refused at synth, each named (the same rule as the deployment config)', () => {
    // A JavaScript caller (or a cast) can pass any string; the types allow only SUPPORTED_JWT_ALGORITHMS.
    const algorithms = ['PS256', 'EdDSA'] as never;
    const thrown = (() => {
      try {
        synth({ auth: VssAuth.jwt({ publicKeyPem: TEST_PUBLIC_KEY_PEM, algorithms }) });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(thrown).toBeInstanceOf(VssConfigError);
    expect((thrown as VssConfigError).problems).toEqual([
      'auth.jwt.algorithms.0 must be an algorithm the authorizer verifies: RS256, ES256 (got "PS256")',
      'auth.jwt.algorithms.1 must be an algorithm the authorizer verifies: RS256, ES256 (got "EdDSA")',
    ]);
    expect(() => synth({ auth: VssAuth.jwt({ publicKeyPem: TEST_PUBLIC_KEY_PEM, algorithms: [] }) })).toThrow(
      /auth.jwt.algorithms must list at least one of RS256, ES256/,
    );
  });
});

describe('auth mode jwt with the built-in LNURL-auth issuer', () => {
  const { template } = synth({ auth: VssAuth.jwt(), lnurlAuth: { tokenTtl: Duration.hours(12) } });

  it('LNURL-auth is a GET /lnurl-auth method without an authorizer', () => {
    const resources = Object.entries(resourcesOf(template, 'AWS::ApiGateway::Resource'));
    const lnurl = resources.find(([, r]) => r.Properties!['PathPart'] === 'lnurl-auth');
    expect(lnurl).toBeDefined();
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      ResourceId: { Ref: lnurl![0] },
      AuthorizationType: 'NONE',
    });
  });

  it('LNURL-auth signs with an asymmetric RSA_2048 KMS key that is retained', () => {
    expectControl(template, 'lnurl-signing-key');
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }),
      DeletionPolicy: 'Retain',
    });
  });

  it('LNURL-auth challenges live in their own table keyed by k1 with a TTL', () => {
    expectControl(template, 'lnurl-challenges-expire');
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'k1', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('the LNURL-auth issuer may only PutItem/DeleteItem challenges and Sign with its key', () => {
    const keyId = Object.keys(resourcesOf(template, 'AWS::KMS::Key'))[0]!;
    const tables = Object.entries(resourcesOf(template, 'AWS::DynamoDB::Table'));
    const k1Table = tables.find(([, t]) => JSON.stringify(t.Properties!['KeySchema']).includes('k1'))![0];
    const data = statementsOfFunction(template, 'lnurlAuth')
      .filter((st) => !JSON.stringify(st.Action).match(/logs:|xray:/))
      .map((st) => ({ actions: actionsOf(st).sort(), resource: st.Resource }));
    expect(data).toEqual(
      expect.arrayContaining([
        { actions: ['dynamodb:DeleteItem', 'dynamodb:PutItem'], resource: { 'Fn::GetAtt': [k1Table, 'Arn'] } },
        { actions: ['kms:Sign'], resource: { 'Fn::GetAtt': [keyId, 'Arn'] } },
      ]),
    );
    expect(data).toHaveLength(2);
  });

  it('the JWT authorizer trusts the LNURL-auth key with kms:GetPublicKey only', () => {
    const keyId = Object.keys(resourcesOf(template, 'AWS::KMS::Key'))[0]!;
    const kms = statementsOfFunction(template, 'jwtAuthorizer').filter((s) => JSON.stringify(s.Action).includes('kms:'));
    expect(kms).toEqual([expect.objectContaining({ Action: 'kms:GetPublicKey', Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } })]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'VSS jwtAuthorizer',
      Environment: { Variables: Match.objectLike({ VSS_LNURL_KMS_KEY_ID: { 'Fn::GetAtt': [keyId, 'Arn'] } }) },
    });
  });

  it('the LNURL-auth function gets its table, key and token lifetime', () => {
    const env = new Capture();
    template.hasResourceProperties('AWS::Lambda::Function', { Description: 'VSS lnurlAuth', Environment: { Variables: env } });
    expect(env.asObject()).toMatchObject({
      VSS_LNURL_TOKEN_TTL_SECONDS: '43200',
      VSS_LNURL_TABLE_NAME: { Ref: expect.any(String) },
      VSS_LNURL_KMS_KEY_ID: expect.anything(),
    });
  });

  it('the stack outputs the LNURL-auth URL', () => {
    template.hasOutput('LnurlAuthUrl', { Value: Match.anyValue() });
  });

  it('LNURL-auth with a mode other than jwt is refused at synth', () => {
    expect(() => synth({ auth: VssAuth.signature(), lnurlAuth: {} })).toThrow(/lnurlAuth issues JWTs and needs auth "jwt"/);
  });
});

describe('auth mode cognito', () => {
  it('cognito mode with a new user pool synthesizes a user-pool authorizer on every VSS method', () => {
    const { template } = synth({ auth: VssAuth.cognito() });
    expectControl(template, 'methods-cognito-authorizer');
    expectControl(template, 'user-pool-admin-only');
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      IdentitySource: 'method.request.header.Authorization',
      ProviderARNs: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^VssUserPool'), 'Arn'] }],
    });
    for (const m of vssMethods(template)) expect(m.Properties!['AuthorizationType']).toBe('COGNITO_USER_POOLS');
    template.hasResource('AWS::Cognito::UserPool', {
      Properties: Match.objectLike({ AdminCreateUserConfig: { AllowAdminCreateUserOnly: true }, DeletionProtection: 'ACTIVE' }),
      DeletionPolicy: 'Retain',
    });
    template.hasOutput('UserPoolId', {});
  });

  it('cognito mode accepts an existing user pool and creates none', () => {
    const arn = 'arn:aws:cognito-idp:eu-west-1:111122223333:userpool/eu-west-1_AbCdEf123';
    const { template } = synth((scope) => ({ auth: VssAuth.cognito({ userPool: cognito.UserPool.fromUserPoolArn(scope, 'Pool', arn) }) }));
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'COGNITO_USER_POOLS', ProviderARNs: [arn] });
  });
});

describe('auth mode signature', () => {
  const { template } = synth({ auth: VssAuth.signature() });

  it('signature mode synthesizes without an API Gateway authorizer (verified in each handler)', () => {
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 0);
    for (const m of vssMethods(template)) expect(m.Properties!['AuthorizationType']).toBe('NONE');
    expect(() => functionLogicalId(template, 'jwtAuthorizer')).toThrow();
  });

  it('signature mode tells every handler to verify the signature itself', () => {
    expectControl(template, 'functions-verify-signature');
    for (const op of OPERATIONS) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: `VSS ${op}`,
        Environment: { Variables: Match.objectLike({ VSS_AUTH_MODE: 'signature' }) },
      });
    }
  });

  it('signature mode keeps the WAF per-user and per-IP rate rules', () => {
    expectControl(template, 'waf-rate-rules');
    const rules = new Capture();
    template.hasResourceProperties('AWS::WAFv2::WebACL', { Rules: rules });
    const names = (rules.asArray() as Array<{ Name: string }>).map((r) => r.Name);
    expect(names).toEqual(expect.arrayContaining(['per-user-rate', 'per-ip-rate']));
  });
});

describe('auth mode none', () => {
  it('mode none is refused unless explicitly forced', () => {
    expect(() => VssAuth.none({ dangerouslyAllowUnauthenticated: false })).toThrow(/refused/);
    expect(() => VssAuth.none(undefined as never)).toThrow(/refused/);
  });

  it('mode none, when forced, synthesizes with a warning', () => {
    const { stack, template } = synth({ auth: VssAuth.none({ dangerouslyAllowUnauthenticated: true }) });
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 0);
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp("Auth mode 'none'"));
    for (const op of OPERATIONS) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: `VSS ${op}`,
        Environment: { Variables: Match.objectLike({ VSS_AUTH_MODE: 'none' }) },
      });
    }
  });
});
