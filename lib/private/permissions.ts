/**
 * Least-privilege permissions, in one typed place (docs/security.md renders this table).
 *
 * Each VSS function gets exactly the DynamoDB actions that lambda/store/dynamodb-store.ts sends
 * for its operation, on the table and (only for Query) on an index:
 *   getObject        GetItem; BatchGetItem (a large value's chunks)
 *   putObjects       UpdateItem, DeleteItem  (single writes directly; several writes as one
 *                    TransactWriteItems, which IAM authorizes per contained action: the store
 *                    emits only Update and Delete actions, never ConditionCheck or Put);
 *                    PutItem (a large value's chunk-set record) and BatchWriteItem (its chunks,
 *                    and removal of the chunks it replaces); GetItem (the version check of a
 *                    conditioned large put, before its chunks are written)
 *   deleteObject     DeleteItem; BatchWriteItem (removal of a deleted large value's chunks);
 *                    UpdateItem (retiring a deleted value's object record, object-tier.ts)
 *   listKeyVersions  Query on the bySeq index; GetItem on the table (page_size 0 reads the
 *                    global-version item)
 *   sweepChunks      Query on the byGc index; GetItem, UpdateItem, DeleteItem, BatchWriteItem
 * No function may Scan or touch another table. Large values: docs/large-values.md.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Operation } from '../../lambda/contract.js';
import { TABLE_LAYOUT } from '../../lambda/store/table-layout.js';
import type { VssFunction } from '../functions.js';
import type { VssTableResources } from './table.js';

export type DynamoDbAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:Query'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:ConditionCheckItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:BatchWriteItem'
  | 'dynamodb:BatchGetItem';

export interface TableActions {
  /** Actions on the table itself. */
  readonly table: readonly DynamoDbAction[];
  /** Actions on the creation-order index (TABLE_LAYOUT.creationIndex). */
  readonly creationIndex: readonly DynamoDbAction[];
  /** Actions on the sweep index (TABLE_LAYOUT.sweepIndex). */
  readonly sweepIndex: readonly DynamoDbAction[];
  /** Whether the function writes (decides the KMS actions when the table uses a customer-managed key). */
  readonly writes: boolean;
}

export const VSS_TABLE_ACTIONS = {
  getObject: { table: ['dynamodb:GetItem', 'dynamodb:BatchGetItem'], creationIndex: [], sweepIndex: [], writes: false },
  putObjects: {
    table: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:BatchWriteItem', 'dynamodb:GetItem'],
    creationIndex: [],
    sweepIndex: [],
    writes: true,
  },
  deleteObject: {
    table: ['dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:UpdateItem'],
    creationIndex: [],
    sweepIndex: [],
    writes: true,
  },
  listKeyVersions: { table: ['dynamodb:GetItem'], creationIndex: ['dynamodb:Query'], sweepIndex: [], writes: false },
} as const satisfies Record<Operation, TableActions>;

/** The scheduled sweeper of crashed large-value writes (lambda/store/chunk-sweeper.ts). */
export const SWEEPER_TABLE_ACTIONS = {
  table: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'],
  creationIndex: [],
  sweepIndex: ['dynamodb:Query'],
  writes: true,
} as const satisfies TableActions;

/**
 * KMS actions on the table's customer-managed key (only when one is configured), limited to
 * calls made through DynamoDB (kms:ViaService). These are the actions DynamoDB documents for a
 * principal using a table encrypted with a customer-managed key.
 */
export const TABLE_KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'] as const;
export const TABLE_KEY_WRITE_ACTIONS = [
  ...TABLE_KEY_READ_ACTIONS,
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
] as const;

/** The LNURL-auth issuer: its challenge table and its signing key. */
export const LNURL_TABLE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:DeleteItem'] as const satisfies readonly DynamoDbAction[];
/** The issuer only signs (lambda/auth/kms.ts kmsRs256Signer); verification is the authorizer's. */
export const LNURL_SIGNER_KEY_ACTIONS = ['kms:Sign'] as const;
/** The JWT authorizer trusts tokens the LNURL-auth issuer signed. */
export const LNURL_VERIFIER_KEY_ACTIONS = ['kms:GetPublicKey'] as const;

/** X-Ray accepts no resource-level restriction: these two actions need Resource "*". */
export const XRAY_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'] as const;
/** Writing to the function's own log group. */
export const LOG_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'] as const;

/** Grants a function exactly `access` on the table and its indexes, and the KMS actions its key needs. */
export function grantTableAccess(fn: VssFunction, table: VssTableResources, access: TableActions): void {
  const { tableArn } = table.table;
  fn.role.addToPolicy(new iam.PolicyStatement({ actions: [...access.table], resources: [tableArn] }));
  const indexes: Array<[readonly string[], string]> = [
    [access.creationIndex, TABLE_LAYOUT.creationIndex.name],
    [access.sweepIndex, TABLE_LAYOUT.sweepIndex.name],
  ];
  for (const [actions, index] of indexes) {
    if (actions.length > 0)
      fn.role.addToPolicy(new iam.PolicyStatement({ actions: [...actions], resources: [`${tableArn}/index/${index}`] }));
  }
  if (table.key) {
    fn.role.addToPolicy(
      new iam.PolicyStatement({
        actions: [...(access.writes ? TABLE_KEY_WRITE_ACTIONS : TABLE_KEY_READ_ACTIONS)],
        resources: [table.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(fn.role).region}.amazonaws.com` } },
      }),
    );
  }
}
