/**
 * The values bucket of the object tier and every function's access to it (issue 16, point 5):
 * each control the bucket relies on has a named assertion, and each function's S3 permissions
 * are exactly the ones its code needs, on the values prefix only.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { App, Stack } from 'aws-cdk-lib';
import { ENV, LARGE_VALUES, VALUE_OBJECT_PREFIX } from '../../lambda/contract.js';
import { ABORT_INCOMPLETE_UPLOAD_DAYS } from '../../lib/private/values-bucket.js';
import { VssTableEncryption } from '../../lib/options.js';
import { VssService } from '../../lib/vss-service.js';
import { VssAuth } from '../../lib/auth.js';
import { parseConfig, toServiceProps } from '../../bin/config.js';
import { expectControl } from './controls/evaluate.js';
import { actionsOf, functionLogicalId, nagFindings, resourcesOf, statementsOfFunction, synth } from './support.js';

const BUCKET = 'AWS::S3::Bucket';
const only = <T>(r: Record<string, T>): [string, T] => {
  const entries = Object.entries(r);
  expect(entries).toHaveLength(1);
  return entries[0]!;
};

/** The S3 and S3-scoped KMS statements of a function's role. */
function s3Statements(template: Parameters<typeof statementsOfFunction>[0], fn: string) {
  return statementsOfFunction(template, fn).filter(
    (s) => actionsOf(s).some((a) => a.startsWith('s3:')) || JSON.stringify(s.Condition ?? {}).includes('s3.'),
  );
}

describe('values bucket (defaults)', () => {
  const { template } = synth();
  const [bucketId, bucket] = only(resourcesOf(template, BUCKET));
  const p = bucket.Properties!;

  it('blocks every kind of public access', () => {
    expectControl(template, 'values-bucket-public-access-blocked');
    expect(p['PublicAccessBlockConfiguration']).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });

  it('enforces bucket-owner object ownership (ACLs disabled)', () => {
    expectControl(template, 'values-bucket-owner-enforced');
    expect(p['OwnershipControls']).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
  });

  it('denies every request that is not TLS 1.2 or later in its bucket policy', () => {
    expectControl(template, 'values-bucket-tls-only');
    const [, policy] = only(resourcesOf(template, 'AWS::S3::BucketPolicy'));
    expect(policy.Properties!['Bucket']).toEqual({ Ref: bucketId });
    const statements = (policy.Properties!['PolicyDocument'] as { Statement: Array<Record<string, unknown>> }).Statement;
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
      ]),
    );
  });

  it('encrypts with SSE-S3 when the table has no customer-managed key', () => {
    expectControl(template, 'values-bucket-encryption');
    expect(p['BucketEncryption']).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
  });

  it('is versioned, keeps noncurrent versions for the 35-day retention and aborts incomplete uploads after a day', () => {
    expectControl(template, 'values-bucket-versioned-lifecycle');
    expect(p['VersioningConfiguration']).toEqual({ Status: 'Enabled' });
    const rules = (p['LifecycleConfiguration'] as { Rules: Array<Record<string, unknown>> }).Rules;
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Status: 'Enabled',
          Prefix: VALUE_OBJECT_PREFIX,
          NoncurrentVersionExpiration: { NoncurrentDays: 35 },
          ExpiredObjectDeleteMarker: true,
        }),
        expect.objectContaining({ Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
      ]),
    );
    // Nothing expires a current object: only the application decides when a value is gone.
    for (const r of rules) expect(r).not.toHaveProperty('ExpirationInDays');
  });

  it('is retained on stack deletion and on replacement', () => {
    expectControl(template, 'values-bucket-retained');
    expect(bucket['DeletionPolicy']).toBe('Retain');
    expect(bucket['UpdateReplacePolicy']).toBe('Retain');
  });

  it('has no server access logs by default, with a written cdk-nag reason', () => {
    expect(p['LoggingConfiguration']).toBeUndefined();
    expect(nagFindings(synth().stack).filter((f) => f.rule.startsWith('AwsSolutions-S'))).toEqual([]);
  });

  it('gives every function that touches values the bucket name, the threshold and the retention', () => {
    for (const fn of ['getObject', 'putObjects', 'deleteObject', 'listKeyVersions', 'sweepChunks']) {
      const env = (
        resourcesOf(template, 'AWS::Lambda::Function')[functionLogicalId(template, fn)]!.Properties!['Environment'] as {
          Variables: Record<string, unknown>;
        }
      ).Variables;
      expect(env[ENV.valueBucket], fn).toEqual({ Ref: bucketId });
      expect(env[ENV.inlineMaxBytes], fn).toBe(String(LARGE_VALUES.defaultInlineMaxBytes));
      expect(env[ENV.retentionDays], fn).toBe('35');
    }
  });

  const objects = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${VALUE_OBJECT_PREFIX}*`]] };

  it('getObject may only read objects under the values prefix', () => {
    expect(s3Statements(template, 'getObject')).toEqual([{ Effect: 'Allow', Action: 's3:GetObject', Resource: objects }]);
  });

  it('putObjects may only write objects under the values prefix, and delete those of writes that did not commit (it cannot read or list)', () => {
    expect(s3Statements(template, 'putObjects')).toEqual([
      { Effect: 'Allow', Action: ['s3:DeleteObject', 's3:PutObject'], Resource: objects },
    ]);
  });

  it('deleteObject and listKeyVersions have no S3 permission at all', () => {
    expect(s3Statements(template, 'deleteObject')).toEqual([]);
    expect(s3Statements(template, 'listKeyVersions')).toEqual([]);
  });

  it('the sweeper may only delete objects under the values prefix (it works from the table, never lists)', () => {
    expect(s3Statements(template, 'sweepChunks')).toEqual([{ Effect: 'Allow', Action: 's3:DeleteObject', Resource: objects }]);
  });

  it('no function may delete an object version, change the bucket or use an S3 wildcard action', () => {
    expectControl(template, 'values-s3-permissions-scoped');
    for (const fn of ['getObject', 'putObjects', 'deleteObject', 'listKeyVersions', 'sweepChunks']) {
      const actions = statementsOfFunction(template, fn).flatMap(actionsOf);
      expect(
        actions.filter(
          (a) => a.startsWith('s3:') && (a.includes('*') || a.includes('Version') || (a.includes('Bucket') && a !== 's3:ListBucket')),
        ),
        fn,
      ).toEqual([]);
    }
  });
});

describe("values bucket with the table's customer-managed key", () => {
  const { template } = synth({ tableOptions: { encryption: VssTableEncryption.customerManaged() } });
  const [bucketId, bucket] = only(resourcesOf(template, BUCKET));
  const [keyId] = only(resourcesOf(template, 'AWS::KMS::Key'));
  const keyArn = { 'Fn::GetAtt': [keyId, 'Arn'] };
  const viaS3 = { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } };

  it('uses SSE-KMS with the table key and an S3 bucket key', () => {
    expectControl(template, 'values-bucket-encryption');
    expect(bucket.Properties!['BucketEncryption']).toEqual({
      ServerSideEncryptionConfiguration: [
        { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn } },
      ],
    });
    expect(bucketId).toBeTruthy();
  });

  it('readers may decrypt and writers generate data keys, only through S3; the sweeper needs no key', () => {
    expectControl(template, 'values-s3-permissions-scoped');
    const kmsViaS3 = (fn: string) => statementsOfFunction(template, fn).filter((s) => JSON.stringify(s.Condition ?? {}).includes('"s3.'));
    expect(kmsViaS3('getObject')).toEqual([{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn, Condition: viaS3 }]);
    expect(kmsViaS3('putObjects')).toEqual([
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: keyArn, Condition: viaS3 },
    ]);
    expect(kmsViaS3('sweepChunks')).toEqual([]);
    expect(kmsViaS3('deleteObject')).toEqual([]);
  });
});

describe('values bucket options', () => {
  it("retentionDays sets the noncurrent-version expiry and the functions' retention", () => {
    const { template } = synth({ largeValues: { retentionDays: 90, inlineMaxBytes: 65_536 } });
    template.hasResourceProperties(BUCKET, {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 90 } })]) },
    });
    const env = (
      resourcesOf(template, 'AWS::Lambda::Function')[functionLogicalId(template, 'putObjects')]!.Properties!['Environment'] as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(env[ENV.retentionDays]).toBe('90');
    expect(env[ENV.inlineMaxBytes]).toBe('65536');
  });

  it('accessLogsBucket turns on server access logs under vss-values/', () => {
    const { template, stack } = synth((scope) => ({
      auth: VssAuth.signature(),
      largeValues: { accessLogsBucket: s3.Bucket.fromBucketName(scope, 'Logs', 'my-access-logs') },
    }));
    template.hasResourceProperties(BUCKET, {
      LoggingConfiguration: { DestinationBucketName: 'my-access-logs', LogFilePrefix: 'vss-values/' },
    });
    expectControl(template, 'values-bucket-access-logs');
    expect(nagFindings(stack)).toEqual([]);
  });

  it('an existing bucket is used as it is: nothing created, access granted on its values prefix', () => {
    const { template, stack } = synth((scope) => ({
      auth: VssAuth.signature(),
      largeValues: { existingBucket: s3.Bucket.fromBucketArn(scope, 'Values', 'arn:aws:s3:::wallet-values') },
    }));
    expect(resourcesOf(template, BUCKET)).toEqual({});
    expect(s3Statements(template, 'getObject')).toEqual([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::wallet-values/${VALUE_OBJECT_PREFIX}*` },
    ]);
    expect(nagFindings(stack)).toEqual([]);
  });

  it('refuses invalid settings at synth, naming each', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'S');
    const existing = s3.Bucket.fromBucketArn(stack, 'B', 'arn:aws:s3:::b-b-b');
    expect(
      () =>
        new VssService(stack, 'Vss', {
          auth: VssAuth.signature(),
          largeValues: { inlineMaxBytes: 500_000, retentionDays: 0, existingBucket: existing, bucketProps: { bucketName: 'x-y-z' } },
        }),
    ).toThrow(
      /largeValues\.inlineMaxBytes must be an integer from 1024 to 409600[\s\S]*largeValues\.retentionDays must be an integer from 1 to 3650[\s\S]*largeValues\.existingBucket cannot be combined with largeValues\.bucketProps\.bucketName/,
    );
  });

  it('the deployment config maps largeValues to the construct (existing buckets by ARN) and rejects unknown keys', () => {
    const config = parseConfig({
      largeValues: { inlineMaxBytes: '16384', retentionDays: 35, existingBucketArn: 'arn:aws:s3:::wallet-values' },
    });
    const props = toServiceProps(new Stack(new App(), 'S'), config);
    expect(props.largeValues?.inlineMaxBytes).toBe(16_384);
    expect(props.largeValues?.existingBucket?.bucketName).toBe('wallet-values');
    expect(() => parseConfig({ largeValues: { threshold: 1 } })).toThrow(/vss\.largeValues\.threshold is not a known setting/);
    expect(() => parseConfig({ largeValues: { existingBucketArn: 'arn:aws:s3:::a-b-c', bucketName: 'd-e-f' } })).toThrow(
      /vss\.largeValues\.existingBucketArn cannot be combined with vss\.largeValues\.bucketName/,
    );
  });

  it('an imported customer-managed table key encrypts the bucket too', () => {
    const { template } = synth((scope) => ({
      auth: VssAuth.signature(),
      tableOptions: {
        encryption: VssTableEncryption.customerManaged({
          key: kms.Key.fromKeyArn(scope, 'K', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
        }),
      },
    }));
    template.hasResourceProperties(BUCKET, {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
            },
          },
        ],
      },
    });
  });
});

describe('docs/configuration.md', () => {
  it('states the object tier defaults and bounds the schema enforces', () => {
    const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    expect(doc).toContain(
      `| \`inlineMaxBytes\` | integer ${LARGE_VALUES.minInlineMaxBytes}–${LARGE_VALUES.maxInlineMaxBytes} | \`${LARGE_VALUES.defaultInlineMaxBytes}\` |`,
    );
    expect(doc).toContain(
      `| \`retentionDays\` | integer ${LARGE_VALUES.minRetentionDays}–3650 | \`${LARGE_VALUES.defaultRetentionDays}\` |`,
    );
    expect(doc).toContain(`incomplete multipart\nuploads aborted after ${ABORT_INCOMPLETE_UPLOAD_DAYS} day`);
  });
});
