/**
 * The LNURL-auth issuer: a challenge table, an RSA signing key in KMS, and the function behind
 * GET /lnurl-auth that checks a wallet's signature over a single-use k1 and returns a JWT.
 * Stable construct IDs 'LnurlChallenges' and 'LnurlSigningKey': tokens in the field are signed by
 * this key.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { ENV } from '../../lambda/contract.js';
import type { VssFunction } from '../functions.js';
import type { VssLnurlAuthOptions } from '../options.js';
import type { FunctionFactory } from './functions.js';
import { LNURL_SIGNER_KEY_ACTIONS, LNURL_TABLE_ACTIONS } from './permissions.js';

/** Lifetime of issued tokens when none is configured. */
export const DEFAULT_LNURL_TOKEN_TTL = Duration.days(1);

/** The issuer's stateful resources: created before the authorizer, which trusts the key. */
export interface LnurlIssuerResources {
  readonly challenges: dynamodb.Table;
  readonly signingKey: kms.Key;
}

export function createLnurlIssuerResources(scope: Construct): LnurlIssuerResources {
  const challenges = new dynamodb.Table(scope, 'LnurlChallenges', {
    partitionKey: { name: 'k1', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    timeToLiveAttribute: 'expiresAt',
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryption.DEFAULT,
    // Challenges live for minutes; nothing of value is lost with the stack.
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const signingKey = new kms.Key(scope, 'LnurlSigningKey', {
    description: 'VSS LNURL-auth JWT signing key (RS256)',
    keySpec: kms.KeySpec.RSA_2048,
    keyUsage: kms.KeyUsage.SIGN_VERIFY,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  return { challenges, signingKey };
}

export interface LnurlFunctionSettings {
  readonly options: VssLnurlAuthOptions;
  /** The custom domain wallets were configured with, if any. */
  readonly domainName?: string | undefined;
}

export function createLnurlFunction(
  functions: FunctionFactory,
  issuer: LnurlIssuerResources,
  settings: LnurlFunctionSettings,
): VssFunction {
  const fn = functions.create({
    name: 'lnurlAuth',
    environment: {
      [ENV.lnurlTableName]: issuer.challenges.tableName,
      [ENV.lnurlKmsKeyId]: issuer.signingKey.keyArn,
      [ENV.lnurlTokenTtlSeconds]: String((settings.options.tokenTtl ?? DEFAULT_LNURL_TOKEN_TTL).toSeconds()),
      // Linking keys are derived from the host wallets were configured with: pin it when a
      // custom domain fronts the API (without one, the handler uses the request's Host).
      ...(settings.domainName ? { [ENV.lnurlPublicUrl]: `https://${settings.domainName}/lnurl-auth` } : {}),
    },
  });
  fn.role.addToPolicy(new iam.PolicyStatement({ actions: [...LNURL_TABLE_ACTIONS], resources: [issuer.challenges.tableArn] }));
  fn.role.addToPolicy(new iam.PolicyStatement({ actions: [...LNURL_SIGNER_KEY_ACTIONS], resources: [issuer.signingKey.keyArn] }));
  return fn;
}
