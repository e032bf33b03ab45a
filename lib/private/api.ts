/**
 * The REST API: a regional endpoint that passes binary protobuf through untouched, a stage with
 * throttling, X-Ray and a JSON access log, and a protocol error for every response API Gateway
 * generates by itself (gateway-responses.ts). Stable construct ID 'Api': the URL every wallet
 * holds derives from it.
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { VssAuthMode } from '../auth.js';
import type { VssThrottlingOptions } from '../options.js';
import { GATEWAY_RESPONSE_CONTENT_TYPES, GATEWAY_RESPONSE_HEADERS, GATEWAY_RESPONSES, protocolErrorBody } from './gateway-responses.js';

/** Access log fields: who/what/when/outcome. No bodies, no headers, no authorizer principal. */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTimeEpoch',
  ip: '$context.identity.sourceIp',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integration.latency',
  integrationStatus: '$context.integration.status',
  errorType: '$context.error.responseType',
  authorizerError: '$context.authorizer.error',
  authorizerLatency: '$context.authorizer.latency',
  wafStatus: '$context.waf.status',
  xrayTraceId: '$context.xrayTraceId',
} as const;

/** Stage-wide throttling when none is configured. */
export const DEFAULT_THROTTLING = { rateLimit: 1000, burstLimit: 2000 } as const;
export const DEFAULT_STAGE_NAME = 'prod';

export interface VssApiSettings {
  readonly authMode: VssAuthMode;
  readonly throttling?: VssThrottlingOptions | undefined;
  readonly stageName?: string | undefined;
  readonly executionLogLevel: apigw.MethodLoggingLevel;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

export function createApi(scope: Construct, settings: VssApiSettings): apigw.RestApi {
  const accessLogs = new logs.LogGroup(scope, 'ApiAccessLogs', {
    retention: settings.logRetention,
    removalPolicy: settings.logRemovalPolicy,
  });
  const throttling = settings.throttling ?? {};
  const methodOptions: Record<string, apigw.MethodDeploymentOptions> = {};
  for (const [op, limits] of Object.entries(throttling.perOperation ?? {})) {
    if (limits) methodOptions[`/vss/${op}/POST`] = { throttlingRateLimit: limits.rateLimit, throttlingBurstLimit: limits.burstLimit };
  }
  const api = new apigw.RestApi(scope, 'Api', {
    description: `Versioned Storage Service (auth: ${settings.authMode})`,
    endpointTypes: [apigw.EndpointType.REGIONAL],
    // Protobuf travels untouched in both directions: every body is binary to API Gateway.
    binaryMediaTypes: ['*/*'],
    cloudWatchRole: false,
    deployOptions: {
      stageName: settings.stageName ?? DEFAULT_STAGE_NAME,
      tracingEnabled: true,
      dataTraceEnabled: false,
      loggingLevel: settings.executionLogLevel,
      metricsEnabled: false,
      throttlingRateLimit: throttling.rateLimit ?? DEFAULT_THROTTLING.rateLimit,
      throttlingBurstLimit: throttling.burstLimit ?? DEFAULT_THROTTLING.burstLimit,
      methodOptions,
      accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
      accessLogFormat: apigw.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
    },
  });
  for (const mapping of GATEWAY_RESPONSES) {
    const body = protocolErrorBody(mapping.code, mapping.message);
    api.addGatewayResponse(`GatewayResponse${mapping.type.responseType}`, {
      type: mapping.type,
      ...(mapping.status !== undefined ? { statusCode: String(mapping.status) } : {}),
      responseHeaders: { ...GATEWAY_RESPONSE_HEADERS },
      templates: Object.fromEntries(GATEWAY_RESPONSE_CONTENT_TYPES.map((t) => [t, body])),
    });
  }
  return api;
}
