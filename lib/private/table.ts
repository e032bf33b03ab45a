/**
 * The table holding every record, with the layout the store expects (lambda/store/table-layout.ts):
 * point-in-time recovery, deletion protection, retained on stack deletion.
 * Stable construct IDs 'Table' and 'TableKey': see lib/vss-service.ts.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { TABLE_LAYOUT } from '../../lambda/store/table-layout.js';
import type { VssTableOptions } from '../options.js';

export interface VssTableResources {
  readonly table: dynamodb.ITable;
  /** The customer-managed key encrypting the table, if any (its users need KMS permissions). */
  readonly key?: kms.IKey | undefined;
}

/** Target utilization of the auto scaling policies when none is given. */
export const DEFAULT_TARGET_UTILIZATION_PERCENT = 70;

function attributeType(t: 'S' | 'N' | 'B'): dynamodb.AttributeType {
  return t === 'S' ? dynamodb.AttributeType.STRING : t === 'N' ? dynamodb.AttributeType.NUMBER : dynamodb.AttributeType.BINARY;
}

/** The table to use: an existing one, as it is, or a new one built from `options`. */
export function vssTable(scope: Construct, existingTable: dynamodb.ITable | undefined, options: VssTableOptions = {}): VssTableResources {
  if (existingTable) return { table: existingTable, key: existingTable.encryptionKey };
  return createTable(scope, options);
}

function createTable(scope: Construct, options: VssTableOptions): VssTableResources {
  const encryption = options.encryption;
  let key: kms.IKey | undefined;
  if (encryption?.kind === 'customerManaged') {
    key =
      encryption.key ??
      new kms.Key(scope, 'TableKey', {
        description: 'VSS table encryption key',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
  }
  const provisioned = (options.billingMode ?? dynamodb.BillingMode.PAY_PER_REQUEST) === dynamodb.BillingMode.PROVISIONED;
  const cap = options.provisionedCapacity;
  const table = new dynamodb.Table(scope, 'Table', {
    ...(options.tableName ? { tableName: options.tableName } : {}),
    partitionKey: { name: TABLE_LAYOUT.partitionKey.name, type: attributeType(TABLE_LAYOUT.partitionKey.type) },
    sortKey: { name: TABLE_LAYOUT.sortKey.name, type: attributeType(TABLE_LAYOUT.sortKey.type) },
    billingMode: provisioned ? dynamodb.BillingMode.PROVISIONED : dynamodb.BillingMode.PAY_PER_REQUEST,
    ...(provisioned && cap ? { readCapacity: cap.minReadCapacity, writeCapacity: cap.minWriteCapacity } : {}),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
    ...(key
      ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: key }
      : { encryption: dynamodb.TableEncryption.DEFAULT }),
  });
  table.addLocalSecondaryIndex({
    indexName: TABLE_LAYOUT.creationIndex.name,
    sortKey: { name: TABLE_LAYOUT.creationIndex.sortKey.name, type: attributeType(TABLE_LAYOUT.creationIndex.sortKey.type) },
    projectionType: dynamodb.ProjectionType.INCLUDE,
    nonKeyAttributes: [...TABLE_LAYOUT.creationIndex.nonKeyAttributes],
  });
  // Sparse: only chunk-set records of large values carry its keys (docs/large-values.md).
  const sweep = TABLE_LAYOUT.sweepIndex;
  table.addGlobalSecondaryIndex({
    indexName: sweep.name,
    partitionKey: { name: sweep.partitionKey.name, type: attributeType(sweep.partitionKey.type) },
    sortKey: { name: sweep.sortKey.name, type: attributeType(sweep.sortKey.type) },
    projectionType: dynamodb.ProjectionType.INCLUDE,
    nonKeyAttributes: [...sweep.nonKeyAttributes],
    ...(provisioned && cap ? { readCapacity: cap.minReadCapacity, writeCapacity: cap.minWriteCapacity } : {}),
  });
  if (provisioned && cap) {
    const target = cap.targetUtilizationPercent ?? DEFAULT_TARGET_UTILIZATION_PERCENT;
    table
      .autoScaleReadCapacity({ minCapacity: cap.minReadCapacity, maxCapacity: cap.maxReadCapacity })
      .scaleOnUtilization({ targetUtilizationPercent: target });
    table
      .autoScaleWriteCapacity({ minCapacity: cap.minWriteCapacity, maxCapacity: cap.maxWriteCapacity })
      .scaleOnUtilization({ targetUtilizationPercent: target });
    // A throttled GSI throttles the table's writes: the sweep index scales with it.
    table
      .autoScaleGlobalSecondaryIndexWriteCapacity(sweep.name, { minCapacity: cap.minWriteCapacity, maxCapacity: cap.maxWriteCapacity })
      .scaleOnUtilization({ targetUtilizationPercent: target });
  }
  return { table, key };
}
