/** Storage controls: the DynamoDB table an auditor expects. */
import { describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { TABLE_LAYOUT } from '../../lambda/store/table-layout.js';
import { VssAuth } from '../../lib/auth.js';
import { resourcesOf, synth } from './support.js';
import { VssTableEncryption } from '../../lib/options.js';
import { expectControl } from './controls/evaluate.js';

describe('storage (defaults)', () => {
  const { template } = synth();

  it('exactly one VSS data table is created', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
  });

  it('table keys and creation-order index are built from TABLE_LAYOUT', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: TABLE_LAYOUT.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: TABLE_LAYOUT.sortKey.name, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: TABLE_LAYOUT.partitionKey.name, AttributeType: TABLE_LAYOUT.partitionKey.type },
        { AttributeName: TABLE_LAYOUT.sortKey.name, AttributeType: TABLE_LAYOUT.sortKey.type },
        { AttributeName: TABLE_LAYOUT.creationIndex.sortKey.name, AttributeType: TABLE_LAYOUT.creationIndex.sortKey.type },
      ]),
      LocalSecondaryIndexes: [
        {
          IndexName: TABLE_LAYOUT.creationIndex.name,
          KeySchema: [
            { AttributeName: TABLE_LAYOUT.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: TABLE_LAYOUT.creationIndex.sortKey.name, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...TABLE_LAYOUT.creationIndex.nonKeyAttributes] },
        },
      ],
    });
  });

  it('table has a sparse sweep index (built from TABLE_LAYOUT) to find leftovers of crashed large-value writes without a Scan', () => {
    const sweep = TABLE_LAYOUT.sweepIndex;
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: sweep.partitionKey.name, AttributeType: sweep.partitionKey.type },
        { AttributeName: sweep.sortKey.name, AttributeType: sweep.sortKey.type },
      ]),
      GlobalSecondaryIndexes: [
        {
          IndexName: sweep.name,
          KeySchema: [
            { AttributeName: sweep.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: sweep.sortKey.name, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...sweep.nonKeyAttributes] },
        },
      ],
    });
  });

  it('the creation-order index is a local secondary index (strongly consistent listing, docs/protocol.md §7.12)', () => {
    const table = Object.values(resourcesOf(template, 'AWS::DynamoDB::Table'))[0]!;
    const gsis = (table.Properties!['GlobalSecondaryIndexes'] as Array<{ IndexName: string }> | undefined) ?? [];
    expect(gsis.map((g) => g.IndexName)).not.toContain(TABLE_LAYOUT.creationIndex.name);
  });

  it('table is billed on demand by default', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { BillingMode: 'PAY_PER_REQUEST', ProvisionedThroughput: Match.absent() });
  });

  it('table has point-in-time recovery', () => {
    expectControl(template, 'table-pitr');
    template.hasResourceProperties('AWS::DynamoDB::Table', { PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
  });

  it('table has deletion protection', () => {
    expectControl(template, 'table-deletion-protection');
    template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
  });

  it('table is retained when the stack is deleted or the resource replaced', () => {
    expectControl(template, 'table-retained');
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('table is encrypted with an AWS-owned key by default (no KMS key, no SSE override)', () => {
    // SSEEnabled false is DynamoDB's "AWS owned key"; true without a key would be the AWS managed key.
    const table = Object.values(resourcesOf(template, 'AWS::DynamoDB::Table'))[0]!;
    const sse = table.Properties!['SSESpecification'] as { SSEEnabled?: boolean } | undefined;
    expect(sse === undefined || sse.SSEEnabled === false).toBe(true);
    template.resourceCountIs('AWS::KMS::Key', 0);
  });

  it('table logical ID derives from the stable construct path Vss/Table', () => {
    const ids = Object.keys(resourcesOf(template, 'AWS::DynamoDB::Table'));
    expect(ids).toHaveLength(1);
    expect(ids[0]).toMatch(/^VssTable[0-9A-F]{8}$/);
  });
});

describe('storage (options)', () => {
  it('table can use provisioned capacity with auto scaling on reads and writes', () => {
    const { template } = synth({
      tableOptions: {
        billingMode: dynamodb.BillingMode.PROVISIONED,
        provisionedCapacity: {
          minReadCapacity: 5,
          maxReadCapacity: 50,
          minWriteCapacity: 3,
          maxWriteCapacity: 30,
          targetUtilizationPercent: 60,
        },
      },
    });
    // CloudFormation's default BillingMode is PROVISIONED (CDK omits it).
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: Match.absent(),
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 3 },
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScalableDimension: 'dynamodb:table:ReadCapacityUnits',
      MinCapacity: 5,
      MaxCapacity: 50,
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScalableDimension: 'dynamodb:table:WriteCapacityUnits',
      MinCapacity: 3,
      MaxCapacity: 30,
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 60 }),
    });
  });

  it('table can be encrypted with a new customer-managed KMS key that rotates and is retained', () => {
    const { template } = synth({ tableOptions: { encryption: VssTableEncryption.customerManaged() } });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
    });
    template.hasResource('AWS::KMS::Key', { Properties: Match.objectLike({ EnableKeyRotation: true }), DeletionPolicy: 'Retain' });
  });

  it('an existing customer-managed key can be used', () => {
    const { template } = synth((scope) => ({
      auth: VssAuth.signature(),
      tableOptions: {
        encryption: VssTableEncryption.customerManaged({
          key: kms.Key.fromKeyArn(scope, 'K', 'arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555'),
        }),
      },
    }));
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555',
      },
    });
  });

  it('an existing table is used instead of creating one', () => {
    const { template } = synth((scope) => ({
      auth: VssAuth.signature(),
      existingTable: dynamodb.Table.fromTableArn(scope, 'T', 'arn:aws:dynamodb:eu-west-1:111122223333:table/wallets'),
    }));
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
  });

  it('existingTable with tableOptions is refused at synth', () => {
    expect(() =>
      synth((scope) => ({
        auth: VssAuth.signature(),
        existingTable: dynamodb.Table.fromTableArn(scope, 'T', 'arn:aws:dynamodb:eu-west-1:111122223333:table/wallets'),
        tableOptions: { encryption: VssTableEncryption.customerManaged() },
      })),
    ).toThrow(/existingTable cannot be combined with other tableOptions settings/);
  });

  it('provisioned billing without capacity is refused at synth', () => {
    expect(() => synth({ tableOptions: { billingMode: dynamodb.BillingMode.PROVISIONED } })).toThrow(
      /requires tableOptions.provisionedCapacity/,
    );
  });
});
