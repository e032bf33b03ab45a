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
 *   deleteObject     DeleteItem; BatchWriteItem (removal of a deleted large value's chunks)
 *   listKeyVersions  Query on the bySeq index; GetItem on the table (page_size 0 reads the
 *                    global-version item)
 *   sweepChunks      Query on the byGc index; GetItem, UpdateItem, DeleteItem, BatchWriteItem
 * No function may Scan or touch another table. Large values: docs/large-values.md.
 *
 * In the values bucket (S3, always on the `values/` prefix only; ValuesBucket.grant):
 *   getObject        GetObject (the value's object)
 *   putObjects       PutObject (a new object under a new key for every large write);
 *                    DeleteObject (the object of a write that definitely did not commit)
 *   deleteObject     nothing: the object of a deleted value is kept for the retention period
 *                    (its record is retired with UpdateItem)
 *   listKeyVersions  nothing
 *   sweepChunks      DeleteObject (objects of interrupted writes after the grace period,
 *                    replaced and deleted ones once the retention period has passed)
 * Nothing may delete an object version: only the lifecycle rule and the operator's
 * `vss admin erase-user` (docs/security.md) remove versions.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Operation } from '../../lambda/contract.js';
import { TABLE_LAYOUT } from '../../lambda/store/table-layout.js';
import type { VssFunction } from '../functions.js';
import type { VssTableResources } from './table.js';
import type { ValuesAccess } from './values-bucket.js';

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
  // UpdateItem: a deleted large value's object record is retired (kept for the retention period).
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

const NO_VALUES: ValuesAccess = { read: false, write: false, delete: false, list: false };

/** Each VSS function's access to the values bucket (see the header). */
export const VSS_VALUES_ACCESS = {
  getObject: { ...NO_VALUES, read: true },
  // Delete: the object of a write that definitely did not commit goes at once (object-tier.ts discard).
  putObjects: { ...NO_VALUES, write: true, delete: true },
  deleteObject: NO_VALUES,
  listKeyVersions: NO_VALUES,
} as const satisfies Record<Operation, ValuesAccess>;

/**
 * The sweeper works from the table's object records (the sweep index), never from a listing:
 * it deletes the objects of interrupted writes after the grace period and replaced ones after
 * the retention period.
 */
export const SWEEPER_VALUES_ACCESS = { ...NO_VALUES, delete: true } as const satisfies ValuesAccess;

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

/** Everything the operations in `accesses` need, as one TableActions (the container task serves all four). */
export function unionOfAccess(accesses: readonly TableActions[]): TableActions {
  const union = (pick: (a: TableActions) => readonly DynamoDbAction[]): DynamoDbAction[] => [...new Set(accesses.flatMap(pick))];
  return {
    table: union((a) => a.table),
    creationIndex: union((a) => a.creationIndex),
    sweepIndex: union((a) => a.sweepIndex),
    writes: accesses.some((a) => a.writes),
  };
}

/**
 * Grants a function (or the container's task role) exactly `access` on the table and its
 * indexes, and the KMS actions its key needs.
 */
export function grantTableAccess(
  fn: Pick<VssFunction, 'role'> | { readonly role: iam.IRole },
  table: VssTableResources,
  access: TableActions,
): void {
  const { tableArn } = table.table;
  fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...access.table], resources: [tableArn] }));
  const indexes: Array<[readonly string[], string]> = [
    [access.creationIndex, TABLE_LAYOUT.creationIndex.name],
    [access.sweepIndex, TABLE_LAYOUT.sweepIndex.name],
  ];
  for (const [actions, index] of indexes) {
    if (actions.length > 0)
      fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...actions], resources: [`${tableArn}/index/${index}`] }));
  }
  if (table.key) {
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...(access.writes ? TABLE_KEY_WRITE_ACTIONS : TABLE_KEY_READ_ACTIONS)],
        resources: [table.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(fn.role).region}.amazonaws.com` } },
      }),
    );
  }
}
