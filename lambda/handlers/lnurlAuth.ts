/**
 * `GET /lnurl-auth` (no authorizer): the built-in LNURL-auth JWT issuer on AWS (docs/protocol.md §5.3).
 * Logic in ../auth/lnurl.ts; here: challenges in DynamoDB (PutItem/DeleteItem only), RS256 through
 * KMS Sign (the private key never leaves KMS), and the proxy-event adaptation.
 *
 * Environment:
 *   VSS_LNURL_TABLE_NAME          challenge table (pk `k1` S, TTL `expiresAt` N)     required
 *   VSS_LNURL_KMS_KEY_ID          RSA_2048 SIGN_VERIFY key                           required
 *   VSS_LNURL_TOKEN_TTL_SECONDS   token lifetime                                     default 86400
 *   VSS_LNURL_PUBLIC_URL          the auth URL wallets are configured with; its host is
 *                                 what linking keys are derived from, so pin it behind
 *                                 custom domains/CDNs                                 default from Host + path
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { DynamoDbK1Store } from '../auth/k1-store-dynamodb.js';
import { kmsRs256Signer } from '../auth/kms.js';
import { DEFAULT_TOKEN_TTL_SECONDS, LnurlAuthIssuer, type LnurlResponse } from '../auth/lnurl.js';
import { headerValue } from '../auth/signature.js';
import { ENV } from '../contract.js';

let kms: KMSClient | undefined;
let dynamodb: DynamoDBClient | undefined;
let issuer: LnurlAuthIssuer | undefined;

/** Replaces the module's clients (tests); the issuer is rebuilt on the next request. */
export function setClientsForTesting(clients: { kms?: KMSClient; dynamodb?: DynamoDBClient }): void {
  kms = clients.kms;
  dynamodb = clients.dynamodb;
  issuer = undefined;
}

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

function issuerFromEnv(): LnurlAuthIssuer {
  const ttlText = process.env[ENV.lnurlTokenTtlSeconds];
  const tokenTtlSeconds = ttlText ? Number(ttlText) : DEFAULT_TOKEN_TTL_SECONDS;
  kms ??= new KMSClient({});
  dynamodb ??= new DynamoDBClient({ maxAttempts: 3 });
  return new LnurlAuthIssuer({
    store: new DynamoDbK1Store(dynamodb, required(ENV.lnurlTableName)),
    sign: kmsRs256Signer(kms, required(ENV.lnurlKmsKeyId)),
    tokenTtlSeconds,
  });
}

/** The URL wallets fetched: env override, else https://<Host><path as the client sent it>. */
export function publicUrlOf(event: APIGatewayProxyEvent): string {
  const configured = process.env[ENV.lnurlPublicUrl];
  if (configured) return configured;
  const host = headerValue(event.headers, 'host', event.multiValueHeaders) ?? event.requestContext?.domainName;
  if (!host) throw new Error('cannot tell the public URL: no Host header and VSS_LNURL_PUBLIC_URL unset');
  // requestContext.path is the path as requested (with the stage on execute-api hostnames, with
  // the base path on custom domains); event.path lacks the stage.
  const path = event.requestContext?.path ?? event.path;
  return `https://${host}${path}`;
}

function result(r: LnurlResponse): APIGatewayProxyResult {
  return { statusCode: r.status, headers: { 'content-type': r.contentType, 'cache-control': 'no-store' }, body: r.body };
}

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  if (event.httpMethod !== 'GET') {
    return result({ status: 405, contentType: 'application/json', body: JSON.stringify({ status: 'ERROR', reason: 'Use GET.' }) });
  }
  try {
    issuer ??= issuerFromEnv();
    const query: Record<string, string | undefined> = { ...(event.queryStringParameters ?? {}) };
    return result(await issuer.handle({ publicUrl: publicUrlOf(event), query }));
  } catch (e) {
    console.error('lnurl-auth: request failed', e);
    return result({
      status: 500,
      contentType: 'application/json',
      body: JSON.stringify({ status: 'ERROR', reason: 'Internal error; try again.' }),
    });
  }
}
