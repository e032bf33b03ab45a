/** API controls: REST API, binary passthrough, throttling, protocol-correct gateway responses, logs. */
import { describe, expect, it } from 'vitest';
import { Capture, Match } from 'aws-cdk-lib/assertions';
import { vss } from '../../lambda/core/generated/vss.js';
import { ErrorCode } from '../../lambda/core/errors.js';
import { OPERATIONS } from '../../lambda/core/service.js';
import { WIRE_ERROR_CODES } from '../../lambda/contract.js';
import { encodeErrorResponse } from '../../lambda/core/codec.js';
import { GATEWAY_RESPONSES, encodeGatewayErrorResponse, protocolErrorBody } from '../../lib/private/gateway-responses.js';
import { BODY_TOO_LARGE_MESSAGE } from '../../lib/private/waf.js';
import { resourcesOf, synth } from './support.js';
import { expectControl } from './controls/evaluate.js';

/** Every response type the issue names, plus the rest API Gateway can generate. */
const REQUIRED_RESPONSE_TYPES: Record<string, { status?: string; code: ErrorCode }> = {
  DEFAULT_4XX: { code: ErrorCode.INVALID_REQUEST_EXCEPTION },
  DEFAULT_5XX: { code: ErrorCode.INTERNAL_SERVER_EXCEPTION },
  UNAUTHORIZED: { status: '401', code: ErrorCode.AUTH_EXCEPTION },
  ACCESS_DENIED: { status: '401', code: ErrorCode.AUTH_EXCEPTION },
  MISSING_AUTHENTICATION_TOKEN: { status: '400', code: ErrorCode.INVALID_REQUEST_EXCEPTION },
  THROTTLED: { status: '429', code: ErrorCode.INTERNAL_SERVER_EXCEPTION },
  QUOTA_EXCEEDED: { status: '429', code: ErrorCode.INTERNAL_SERVER_EXCEPTION },
  REQUEST_TOO_LARGE: { status: '413', code: ErrorCode.INVALID_REQUEST_EXCEPTION },
  WAF_FILTERED: { status: '429', code: ErrorCode.INTERNAL_SERVER_EXCEPTION },
  INTEGRATION_FAILURE: { status: '502', code: ErrorCode.INTERNAL_SERVER_EXCEPTION },
  INTEGRATION_TIMEOUT: { status: '504', code: ErrorCode.INTERNAL_SERVER_EXCEPTION },
  AUTHORIZER_FAILURE: { status: '500', code: ErrorCode.INTERNAL_SERVER_EXCEPTION },
  AUTHORIZER_CONFIGURATION_ERROR: { status: '500', code: ErrorCode.INTERNAL_SERVER_EXCEPTION },
  API_CONFIGURATION_ERROR: { status: '500', code: ErrorCode.INTERNAL_SERVER_EXCEPTION },
  BAD_REQUEST_BODY: { status: '400', code: ErrorCode.INVALID_REQUEST_EXCEPTION },
  BAD_REQUEST_PARAMETERS: { status: '400', code: ErrorCode.INVALID_REQUEST_EXCEPTION },
  RESOURCE_NOT_FOUND: { status: '400', code: ErrorCode.INVALID_REQUEST_EXCEPTION },
  UNSUPPORTED_MEDIA_TYPE: { status: '400', code: ErrorCode.INVALID_REQUEST_EXCEPTION },
  INVALID_API_KEY: { status: '401', code: ErrorCode.AUTH_EXCEPTION },
  INVALID_SIGNATURE: { status: '401', code: ErrorCode.AUTH_EXCEPTION },
  EXPIRED_TOKEN: { status: '401', code: ErrorCode.AUTH_EXCEPTION },
};

describe('api', () => {
  const { template } = synth({
    throttling: { rateLimit: 300, burstLimit: 600, perOperation: { putObjects: { rateLimit: 50, burstLimit: 100 } } },
  });

  it('the API is a REST API (gateway responses, WAF and per-method throttling need it)', () => {
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 0);
  });

  it('every body is a binary media type, so protobuf passes untouched in both directions', () => {
    expectControl(template, 'api-binary-passthrough');
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { BinaryMediaTypes: ['*/*'] });
  });

  it('the four VSS operations are POST methods under /vss with Lambda proxy integrations', () => {
    const resources = resourcesOf(template, 'AWS::ApiGateway::Resource');
    const parts = Object.values(resources).map((r) => r.Properties!['PathPart']);
    expect(parts.sort()).toEqual(['vss', ...OPERATIONS].sort());
    const methods = Object.values(resourcesOf(template, 'AWS::ApiGateway::Method'));
    expect(methods).toHaveLength(OPERATIONS.length);
    for (const m of methods)
      expect(m.Properties).toMatchObject({ HttpMethod: 'POST', Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' } });
  });

  it('stage throttling comes from config', () => {
    expectControl(template, 'stage-throttling');
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 300, ThrottlingBurstLimit: 600 }),
      ]),
    });
  });

  it('per-method throttling comes from config', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({ HttpMethod: 'POST', ResourcePath: '/~1vss~1putObjects', ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }),
      ]),
    });
  });

  it('execution data tracing is off (request and response bodies are never logged)', () => {
    expectControl(template, 'stage-no-data-trace');
    const settings = new Capture();
    template.hasResourceProperties('AWS::ApiGateway::Stage', { MethodSettings: settings });
    for (const s of settings.asArray() as Array<Record<string, unknown>>) expect(s['DataTraceEnabled']).toBe(false);
  });

  it('stage has X-Ray tracing', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: true });
  });

  it('access logs are JSON without bodies, auth headers or the authorizer principal', () => {
    expectControl(template, 'stage-access-logs');
    const format = new Capture();
    template.hasResourceProperties('AWS::ApiGateway::Stage', { AccessLogSetting: { DestinationArn: Match.anyValue(), Format: format } });
    const fields = JSON.parse(format.asString()) as Record<string, string>;
    expect(fields).toMatchObject({ requestId: '$context.requestId', status: '$context.status', ip: '$context.identity.sourceIp' });
    const all = Object.values(fields).join(' ');
    expect(all).not.toMatch(/body|header|authorization|principalId|claims|\$input|apiKey/i);
  });

  it('access log group has a retention period', () => {
    const dest = new Capture();
    template.hasResourceProperties('AWS::ApiGateway::Stage', { AccessLogSetting: { DestinationArn: dest } });
    // The ARN is built from the group's name (no `:*` suffix, cdk.json's
    // @aws-cdk/aws-apigateway:logGroupDestinationArnWithoutWildcard): find the group it references.
    const groupId = /"Ref":"(\w+)"/.exec(JSON.stringify(dest.asObject()).replace(/"Ref":"AWS::\w+"/g, ''))![1]!;
    expect(resourcesOf(template, 'AWS::Logs::LogGroup')[groupId]!.Properties!['RetentionInDays']).toBe(90);
  });

  it('API Gateway keeps its default 10 MB payload limit (no request-size override)', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { MinimumCompressionSize: Match.absent(), Body: Match.absent() });
  });

  it('a gateway response exists for every error API Gateway or WAF produces by itself', () => {
    expectControl(template, 'gateway-responses-protocol');
    const types = Object.values(resourcesOf(template, 'AWS::ApiGateway::GatewayResponse')).map((r) => r.Properties!['ResponseType']);
    for (const t of Object.keys(REQUIRED_RESPONSE_TYPES)) expect(types, t).toContain(t);
  });

  for (const [type, expected] of Object.entries(REQUIRED_RESPONSE_TYPES)) {
    it(`gateway response ${type} has status ${expected.status ?? "(API Gateway's)"}, vss-protocol-version: 0 and a protobuf ErrorResponse code ${ErrorCode[expected.code]}`, () => {
      const templates = new Capture();
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        StatusCode: expected.status ?? Match.absent(),
        ResponseParameters: {
          'gatewayresponse.header.vss-protocol-version': "'0'",
          'gatewayresponse.header.Content-Type': "'application/octet-stream'",
        },
        ResponseTemplates: templates,
      });
      const bodies = templates.asObject() as Record<string, string>;
      expect(Object.keys(bodies)).toContain('application/json');
      for (const body of Object.values(bodies)) {
        const decoded = vss.ErrorResponse.decode(Buffer.from(body, 'latin1'));
        expect(decoded.errorCode).toBe(expected.code);
        expect(decoded.message.length).toBeGreaterThan(0);
        // VTL must not interpret anything in the template.
        expect(body).not.toMatch(/[$#\\]/);
      }
    });
  }

  it('every mapped gateway response body is VTL-safe ASCII (the builder rejects anything else)', () => {
    for (const m of GATEWAY_RESPONSES) expect(() => protocolErrorBody(m.code, m.message)).not.toThrow();
    expect(() => protocolErrorBody(ErrorCode.INVALID_REQUEST_EXCEPTION, 'costs $5')).toThrow(/cannot be a gateway response template/);
    expect(() => protocolErrorBody(ErrorCode.INVALID_REQUEST_EXCEPTION, 'é')).toThrow(/cannot be a gateway response template/);
  });

  it("the construct's protobuf-free ErrorResponse encoder writes exactly the handlers' codec bytes, with the proto's error codes", () => {
    expect(WIRE_ERROR_CODES).toEqual(Object.fromEntries(Object.entries(vss.ErrorCode).filter(([, n]) => typeof n === 'number')));
    const messages = [
      ...GATEWAY_RESPONSES.map((m) => [m.code, m.message] as const),
      [WIRE_ERROR_CODES.INVALID_REQUEST_EXCEPTION, BODY_TOO_LARGE_MESSAGE] as const,
    ];
    for (const [code, message] of messages)
      expect(Buffer.from(encodeGatewayErrorResponse(code, message))).toEqual(Buffer.from(encodeErrorResponse(code, message)));
    expect(() => encodeGatewayErrorResponse(WIRE_ERROR_CODES.INTERNAL_SERVER_EXCEPTION, 'x'.repeat(128))).toThrow(/too long/);
  });
});
