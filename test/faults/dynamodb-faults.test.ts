/**
 * Fault injection with aws-sdk-client-mock against the real DynamoDbStore + VssProtocol (and the
 * API Gateway adapter): how DynamoDB faults become protocol answers (docs/protocol.md §2.3, §7.6), and the
 * exact DynamoDB requests each operation sends. No engine and no network: the client is stubbed.
 */
import {
  DeleteItemCommand,
  DynamoDBServiceException,
  GetItemCommand,
  InternalServerError,
  ProvisionedThroughputExceededException,
  QueryCommand,
  ThrottlingException,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { bodyBytes, vss } from '../../lambda/core/codec.js';
import { CONFLICT_MESSAGE, ErrorCode, INTERNAL_ERROR_MESSAGE } from '../../lambda/core/errors.js';
import { VssProtocol, type Operation, type OperationOutcome, type VssResponse } from '../../lambda/core/service.js';
import { createApiGatewayHandler } from '../../lambda/handlers/api-gateway.js';
import { createAuthenticator } from '../../lambda/auth/authenticator.js';
import { createRequestPath } from '../../lambda/request-path/request-path.js';
import { sortKeyOf } from '../../lambda/store/keys.js';
import { conditionFailed, ddb, L, meta, PK, RETRY, STORE, storeWithVirtualClock, TABLE, timeout, USER } from '../support/dynamodb-mock.js';

let sleeps: number[];
let outcomes: OperationOutcome[];
let service: VssProtocol;

beforeEach(() => {
  ddb.reset();
  sleeps = [];
  outcomes = [];
  service = new VssProtocol(storeWithVirtualClock(sleeps));
});

// ---- helpers ------------------------------------------------------------------------------------

const throttled = (): ThrottlingException => new ThrottlingException({ message: 'Rate exceeded', $metadata: meta });
const provisioned = (): ProvisionedThroughputExceededException =>
  new ProvisionedThroughputExceededException({
    message: 'The level of configured provisioned throughput for the table was exceeded',
    $metadata: meta,
  });
const canceled = (...codes: string[]): TransactionCanceledException =>
  new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
    $metadata: meta,
    CancellationReasons: codes.map((Code) => ({ Code, ...(Code === 'None' ? {} : { Message: Code }) })),
  });
const validation = (): DynamoDBServiceException =>
  new DynamoDBServiceException({
    name: 'ValidationException',
    $fault: 'client',
    $metadata: meta,
    message: 'One or more parameter values were invalid: secret-internal-detail pk=1:x:y',
  });

const kv = (key: string, version: bigint | number, value = ''): vss.KeyValue.$Properties => ({
  key,
  version: L(version),
  value: Buffer.from(value),
});

function putBody(
  items: vss.KeyValue.$Properties[],
  opts: { globalVersion?: bigint; deletes?: vss.KeyValue.$Properties[] } = {},
): Uint8Array {
  const m: vss.PutObjectRequest.$Properties = { storeId: STORE, transactionItems: items, deleteItems: opts.deletes ?? [] };
  if (opts.globalVersion !== undefined) m.globalVersion = L(opts.globalVersion);
  return vss.PutObjectRequest.encode(m).finish();
}
const getBody = (key: string): Uint8Array => vss.GetObjectRequest.encode({ storeId: STORE, key }).finish();
const deleteBody = (key: string, version: bigint | number): Uint8Array =>
  vss.DeleteObjectRequest.encode({ storeId: STORE, keyValue: kv(key, version) }).finish();
const listBody = (m: Omit<vss.ListKeyVersionsRequest.$Properties, 'storeId'> = {}): Uint8Array =>
  vss.ListKeyVersionsRequest.encode({ storeId: STORE, ...m }).finish();

function call(op: Operation, body: Uint8Array): Promise<VssResponse> {
  return service.handle(op, body, USER, (o) => outcomes.push(o));
}

function expectProtocolHeader(r: { headers: Readonly<Record<string, string>> }): void {
  expect(r.headers['vss-protocol-version']).toBe('0');
}

function expectOk(r: VssResponse): void {
  expectProtocolHeader(r);
  expect(r.status, r.status !== 200 ? JSON.stringify(vss.ErrorResponse.decode(bodyBytes(r.body))) : '').toBe(200);
}

function expectError(r: VssResponse, status: number, code: ErrorCode, message?: string): void {
  expectProtocolHeader(r);
  expect(r.status).toBe(status);
  const e = vss.ErrorResponse.decode(bodyBytes(r.body));
  expect(e.errorCode).toBe(code);
  if (message !== undefined) expect(e.message).toBe(message);
}

/** 500 with exactly the fixed message: no DynamoDB detail reaches the client. */
function expectInternal(r: VssResponse): void {
  expectError(r, 500, ErrorCode.INTERNAL_SERVER_EXCEPTION, INTERNAL_ERROR_MESSAGE);
  const text = Buffer.from(bodyBytes(r.body)).toString('latin1');
  for (const leak of ['Exception', 'secret', 'pk=', TABLE, 'Rate exceeded', 'timed out', 'cancel']) expect(text).not.toContain(leak);
}

const conflictMessage = CONFLICT_MESSAGE;

/** The item DynamoDB would hold after a put of (key, version, value). */
function storedItem(key: string, version: bigint, value: string): Record<string, AttributeValue> {
  return {
    pk: { S: PK },
    sk: { B: sortKeyOf(key) },
    ver: { N: version.toString() },
    val: { B: Buffer.from(value) },
    seq: { N: '128000000' },
  };
}

/**
 * The clauses of a condition expression ("(a) AND (b)" or "a"). The store may add clauses of its
 * own (e.g. about large values); these tests check the protocol's clauses are there and no others
 * on the version or existence of the record.
 */
function clauses(expr: string | undefined): string[] {
  if (expr === undefined) return [];
  const parts = expr.startsWith('(') ? expr.slice(1, -1).split(') AND (') : [expr];
  return parts;
}
/** Clauses about the record's existence or version (the protocol's preconditions). */
const protocolClauses = (expr: string | undefined): string[] => clauses(expr).filter((c) => /#pk\b|#ver\b/.test(c));

const counts = (): Record<string, number> => ({
  GetItem: ddb.commandCalls(GetItemCommand).length,
  UpdateItem: ddb.commandCalls(UpdateItemCommand).length,
  DeleteItem: ddb.commandCalls(DeleteItemCommand).length,
  TransactWriteItems: ddb.commandCalls(TransactWriteItemsCommand).length,
  Query: ddb.commandCalls(QueryCommand).length,
});
const only = (c: Partial<Record<string, number>>): Record<string, number> => ({
  GetItem: 0,
  UpdateItem: 0,
  DeleteItem: 0,
  TransactWriteItems: 0,
  Query: 0,
  ...c,
});

// ---- throttling -----------------------------------------------------------------------------------

describe('throttling is retried, then answered 500', () => {
  it('a throttled single-key write (ProvisionedThroughputExceeded) is retried and then answered 500 INTERNAL_SERVER_EXCEPTION', async () => {
    ddb.on(UpdateItemCommand).rejects(provisioned());
    const r = await call('putObjects', putBody([kv('k', 0, 'v')]));
    expectInternal(r);
    expect(counts()).toEqual(only({ UpdateItem: RETRY.maxAttempts }));
    expect(sleeps).toHaveLength(RETRY.maxAttempts - 1);
    // The cause is kept for logs only.
    expect(outcomes).toHaveLength(1);
    expect((outcomes[0]!.fault as Error).name).toBe('ProvisionedThroughputExceededException');
  });

  it('a throttled read (ThrottlingException) is retried and then answered 500 INTERNAL_SERVER_EXCEPTION', async () => {
    ddb.on(GetItemCommand).rejects(throttled());
    const r = await call('getObject', getBody('k'));
    expectInternal(r);
    expect(counts()).toEqual(only({ GetItem: RETRY.maxAttempts }));
  });

  it('a throttled read succeeds once the throttling clears', async () => {
    ddb
      .on(GetItemCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(provisioned())
      .resolves({ Item: { ver: { N: '7' }, val: { B: Buffer.from('hello') } } });
    const r = await call('getObject', getBody('k'));
    expectOk(r);
    const v = vss.GetObjectResponse.decode(bodyBytes(r.body)).value!;
    expect(v.key).toBe('k');
    expect(String(v.version)).toBe('7');
    expect(Buffer.from(v.value ?? []).toString()).toBe('hello');
    expect(counts()).toEqual(only({ GetItem: 3 }));
    expect(sleeps).toHaveLength(2);
  });

  it('a read that timed out is retried (reads are idempotent) and succeeds', async () => {
    ddb
      .on(GetItemCommand)
      .rejectsOnce(timeout())
      .resolves({ Item: { ver: { N: '2' }, val: { B: Buffer.from('x') } } });
    const r = await call('getObject', getBody('k'));
    expectOk(r);
    expect(String(vss.GetObjectResponse.decode(bodyBytes(r.body)).value!.version)).toBe('2');
    expect(counts()).toEqual(only({ GetItem: 2 }));
  });

  it('a throttled single-key write succeeds once the throttling clears', async () => {
    ddb.on(UpdateItemCommand).rejectsOnce(throttled()).resolves({});
    expectOk(await call('putObjects', putBody([kv('k', -1, 'v')])));
    expect(counts()).toEqual(only({ UpdateItem: 2 }));
  });

  it('a throttled transaction succeeds once the throttling clears', async () => {
    ddb.on(TransactWriteItemsCommand).rejectsOnce(provisioned()).rejectsOnce(throttled()).resolves({});
    expectOk(await call('putObjects', putBody([kv('a', -1, '1'), kv('b', -1, '2')])));
    expect(counts()).toEqual(only({ TransactWriteItems: 3 }));
  });

  it('a throttled listing is retried and then answered 500', async () => {
    ddb.on(QueryCommand).rejects(throttled());
    expectInternal(await call('listKeyVersions', listBody()));
    expect(counts()).toEqual(only({ Query: RETRY.maxAttempts }));
  });

  it('a throttled DeleteObject is retried and then answered 500 (not 200: nothing was deleted)', async () => {
    ddb.on(DeleteItemCommand).rejects(provisioned());
    expectInternal(await call('deleteObject', deleteBody('k', -1)));
    expect(counts()).toEqual(only({ DeleteItem: RETRY.maxAttempts }));
  });
});

// ---- conflicts ------------------------------------------------------------------------------------

describe('only a failed condition is a conflict (409)', () => {
  it('ConditionalCheckFailedException on a single-key write → 409 CONFLICT_EXCEPTION, not retried', async () => {
    ddb.on(UpdateItemCommand).rejects(conditionFailed(storedItem('k', 3n, 'theirs')));
    const r = await call('putObjects', putBody([kv('k', 2, 'mine')]));
    expectError(r, 409, ErrorCode.CONFLICT_EXCEPTION, conflictMessage);
    expect(counts()).toEqual(only({ UpdateItem: 1 }));
    expect(sleeps).toEqual([]);
  });

  it('ConditionalCheckFailedException on a single delete_item → 409 CONFLICT_EXCEPTION', async () => {
    ddb.on(DeleteItemCommand).rejects(conditionFailed());
    const r = await call('putObjects', putBody([], { deletes: [kv('k', -1)] }));
    expectError(r, 409, ErrorCode.CONFLICT_EXCEPTION, conflictMessage);
    expect(counts()).toEqual(only({ DeleteItem: 1 }));
  });

  it('TransactionCanceledException with a ConditionalCheckFailed reason → 409 CONFLICT_EXCEPTION, not retried', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(canceled('None', 'ConditionalCheckFailed'));
    const r = await call('putObjects', putBody([kv('a', -1, '1'), kv('b', 5, '2')]));
    expectError(r, 409, ErrorCode.CONFLICT_EXCEPTION, conflictMessage);
    expect(counts()).toEqual(only({ TransactWriteItems: 1 }));
  });

  it('TransactionCanceledException with ConditionalCheckFailed and TransactionConflict reasons → 409 (the condition failed)', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(canceled('TransactionConflict', 'ConditionalCheckFailed'));
    expectError(await call('putObjects', putBody([kv('a', -1, '1'), kv('b', 5, '2')])), 409, ErrorCode.CONFLICT_EXCEPTION);
    expect(counts()).toEqual(only({ TransactWriteItems: 1 }));
  });

  it('a failed global-version condition in a transaction → 409', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(canceled('None', 'ConditionalCheckFailed'));
    expectError(await call('putObjects', putBody([kv('a', -1, '1')], { globalVersion: 3n })), 409, ErrorCode.CONFLICT_EXCEPTION);
  });

  it('a statically impossible request (duplicate create-only) is 409 without any DynamoDB request', async () => {
    expectError(await call('putObjects', putBody([kv('k', 0, 'a'), kv('k', 0, 'b')])), 409, ErrorCode.CONFLICT_EXCEPTION);
    expect(counts()).toEqual(only({}));
  });
});

describe('TransactionConflict is transient: retried with the same ClientRequestToken', () => {
  it('TransactionCanceledException with only TransactionConflict reasons is retried and then succeeds', async () => {
    ddb
      .on(TransactWriteItemsCommand)
      .rejectsOnce(canceled('TransactionConflict', 'None'))
      .rejectsOnce(canceled('None', 'TransactionConflict'))
      .resolves({});
    expectOk(await call('putObjects', putBody([kv('a', 0, '1'), kv('b', 0, '2')])));
    const calls = ddb.commandCalls(TransactWriteItemsCommand);
    expect(calls).toHaveLength(3);
    const tokens = calls.map((c) => c.args[0].input.ClientRequestToken);
    expect(tokens[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(tokens).size).toBe(1);
    // The retried request is the same request (else DynamoDB answers IdempotentParameterMismatch).
    const inputs = calls.map((c) =>
      JSON.stringify(c.args[0].input, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v)),
    );
    expect(new Set(inputs).size).toBe(1);
  });

  it('persistent TransactionConflict is answered 500 (retryable), never 409', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(canceled('TransactionConflict', 'TransactionConflict'));
    expectInternal(await call('putObjects', putBody([kv('a', 0, '1'), kv('b', 0, '2')])));
    const calls = ddb.commandCalls(TransactWriteItemsCommand);
    expect(calls).toHaveLength(RETRY.maxAttempts);
    expect(new Set(calls.map((c) => c.args[0].input.ClientRequestToken)).size).toBe(1);
  });

  it('a transaction that timed out (ambiguous) is retried with the same ClientRequestToken and succeeds', async () => {
    ddb.on(TransactWriteItemsCommand).rejectsOnce(timeout()).resolves({});
    expectOk(await call('putObjects', putBody([kv('a', 1, '1'), kv('b', 1, '2')])));
    const calls = ddb.commandCalls(TransactWriteItemsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.args[0].input.ClientRequestToken).toBe(calls[1]!.args[0].input.ClientRequestToken);
  });

  it('two different PutObjects requests use different ClientRequestTokens', async () => {
    ddb.on(TransactWriteItemsCommand).resolves({});
    expectOk(await call('putObjects', putBody([kv('a', -1, '1'), kv('b', -1, '2')])));
    expectOk(await call('putObjects', putBody([kv('a', -1, '1'), kv('b', -1, '2')])));
    const tokens = ddb.commandCalls(TransactWriteItemsCommand).map((c) => c.args[0].input.ClientRequestToken);
    expect(tokens[0]).not.toBe(tokens[1]);
  });

  it('a plain TransactionConflictException on a single UpdateItem is retried', async () => {
    ddb
      .on(UpdateItemCommand)
      .rejectsOnce(Object.assign(new Error('Transaction is ongoing for the item'), { name: 'TransactionConflictException' }))
      .resolves({});
    expectOk(await call('putObjects', putBody([kv('k', 4, 'v')])));
    expect(counts()).toEqual(only({ UpdateItem: 2 }));
  });
});

// ---- ambiguous single writes ----------------------------------------------------------------------

describe('a single conditional write that timed out: the retry tells our own write from someone else’s', () => {
  it('timeout, then the retry fails its condition and ALL_OLD shows exactly our write → 200', async () => {
    ddb
      .on(UpdateItemCommand)
      .rejectsOnce(timeout())
      .rejectsOnce(conditionFailed(storedItem('k', 6n, 'mine')));
    expectOk(await call('putObjects', putBody([kv('k', 5, 'mine')])));
    const calls = ddb.commandCalls(UpdateItemCommand);
    expect(calls).toHaveLength(2);
    for (const c of calls) expect(c.args[0].input.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
  });

  it('timeout, then a create-only retry fails and ALL_OLD shows version 1 with our value → 200', async () => {
    ddb
      .on(UpdateItemCommand)
      .rejectsOnce(timeout())
      .rejectsOnce(conditionFailed(storedItem('k', 1n, 'mine')));
    expectOk(await call('putObjects', putBody([kv('k', 0, 'mine')])));
  });

  it('timeout, then the retry fails and ALL_OLD shows someone else’s value → 409', async () => {
    ddb
      .on(UpdateItemCommand)
      .rejectsOnce(timeout())
      .rejectsOnce(conditionFailed(storedItem('k', 6n, 'theirs')));
    expectError(await call('putObjects', putBody([kv('k', 5, 'mine')])), 409, ErrorCode.CONFLICT_EXCEPTION, conflictMessage);
  });

  it('timeout, then the retry fails and ALL_OLD shows our value at another version → 409', async () => {
    ddb
      .on(UpdateItemCommand)
      .rejectsOnce(timeout())
      .rejectsOnce(conditionFailed(storedItem('k', 7n, 'mine')));
    expectError(await call('putObjects', putBody([kv('k', 5, 'mine')])), 409, ErrorCode.CONFLICT_EXCEPTION);
  });

  it('timeout, then the retry fails and ALL_OLD is empty (the record is gone) → 409 for a put', async () => {
    ddb.on(UpdateItemCommand).rejectsOnce(timeout()).rejectsOnce(conditionFailed());
    expectError(await call('putObjects', putBody([kv('k', 5, 'mine')])), 409, ErrorCode.CONFLICT_EXCEPTION);
  });

  it('a 5xx (InternalServerError) is ambiguous too: retry whose ALL_OLD is exactly our write → 200', async () => {
    ddb
      .on(UpdateItemCommand)
      .rejectsOnce(new InternalServerError({ message: 'Internal server error', $metadata: { ...meta, httpStatusCode: 500 } }))
      .rejectsOnce(conditionFailed(storedItem('k', 1n, 'mine')));
    expectOk(await call('putObjects', putBody([kv('k', 0, 'mine')])));
  });

  it('without an earlier ambiguous fault, ALL_OLD equal to our write is still a conflict (throttling proves nothing was written)', async () => {
    ddb
      .on(UpdateItemCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(conditionFailed(storedItem('k', 1n, 'mine')));
    expectError(await call('putObjects', putBody([kv('k', 0, 'mine')])), 409, ErrorCode.CONFLICT_EXCEPTION);
  });

  it('on the first attempt, ALL_OLD equal to our write is a conflict', async () => {
    ddb.on(UpdateItemCommand).rejects(conditionFailed(storedItem('k', 1n, 'mine')));
    expectError(await call('putObjects', putBody([kv('k', 0, 'mine')])), 409, ErrorCode.CONFLICT_EXCEPTION);
    expect(counts()).toEqual(only({ UpdateItem: 1 }));
  });

  it('a single delete_item that timed out, whose retry fails with no ALL_OLD item (already deleted) → 200', async () => {
    ddb.on(DeleteItemCommand).rejectsOnce(timeout()).rejectsOnce(conditionFailed());
    expectOk(await call('putObjects', putBody([], { deletes: [kv('k', 3)] })));
    expect(counts()).toEqual(only({ DeleteItem: 2 }));
  });

  it('a single delete_item that timed out, whose retry fails because the record has another version → 409', async () => {
    ddb
      .on(DeleteItemCommand)
      .rejectsOnce(timeout())
      .rejectsOnce(conditionFailed(storedItem('k', 4n, 'x')));
    expectError(await call('putObjects', putBody([], { deletes: [kv('k', 3)] })), 409, ErrorCode.CONFLICT_EXCEPTION);
  });

  it('persistent timeouts are answered 500', async () => {
    ddb.on(UpdateItemCommand).rejects(timeout());
    expectInternal(await call('putObjects', putBody([kv('k', 5, 'mine')])));
    expect(counts()).toEqual(only({ UpdateItem: RETRY.maxAttempts }));
  });
});

// ---- DeleteObject ---------------------------------------------------------------------------------

describe('DeleteObject never conflicts', () => {
  it('DeleteObject whose version condition fails → 200 (nothing deleted), not retried', async () => {
    ddb.on(DeleteItemCommand).rejects(conditionFailed(storedItem('k', 9n, 'x')));
    const r = await call('deleteObject', deleteBody('k', 3));
    expectOk(r);
    expect(r.body).toHaveLength(0);
    expect(counts()).toEqual(only({ DeleteItem: 1 }));
    const input = ddb.commandCalls(DeleteItemCommand)[0]!.args[0].input;
    expect(protocolClauses(input.ConditionExpression)).toEqual(['#ver = :expected']);
    expect(input.ExpressionAttributeValues![':expected']).toEqual({ N: '3' });
  });

  it('DeleteObject version -1 sends an unconditional DeleteItem', async () => {
    ddb.on(DeleteItemCommand).resolves({});
    expectOk(await call('deleteObject', deleteBody('k', -1)));
    const input = ddb.commandCalls(DeleteItemCommand)[0]!.args[0].input;
    expect(protocolClauses(input.ConditionExpression)).toEqual([]);
    expect(input.TableName).toBe(TABLE);
    expect(input.Key).toEqual({ pk: { S: PK }, sk: { B: sortKeyOf('k') } });
  });

  it('DeleteObject that timed out and whose retry finds the record already gone → 200', async () => {
    ddb.on(DeleteItemCommand).rejectsOnce(timeout()).rejectsOnce(conditionFailed());
    expectOk(await call('deleteObject', deleteBody('k', 3)));
    expect(counts()).toEqual(only({ DeleteItem: 2 }));
  });

  it('DeleteObject with a version below -1 → 200 without touching DynamoDB', async () => {
    expectOk(await call('deleteObject', deleteBody('k', -5)));
    expect(counts()).toEqual(only({}));
  });
});

// ---- permanent faults -----------------------------------------------------------------------------

describe('permanent faults are 500 with the fixed message and no internal detail', () => {
  it('ValidationException on a write → 500 with the fixed message, not retried, nothing leaked', async () => {
    ddb.on(UpdateItemCommand).rejects(validation());
    expectInternal(await call('putObjects', putBody([kv('k', -1, 'v')])));
    expect(counts()).toEqual(only({ UpdateItem: 1 }));
  });

  it('ValidationException on a transaction → 500, not retried', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(validation());
    expectInternal(await call('putObjects', putBody([kv('a', -1, '1'), kv('b', -1, '2')])));
    expect(counts()).toEqual(only({ TransactWriteItems: 1 }));
  });

  it('a TransactionCanceledException with a ValidationError reason → 500', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(canceled('None', 'ValidationError'));
    expectInternal(await call('putObjects', putBody([kv('a', -1, '1'), kv('b', -1, '2')])));
  });

  it('an unknown error (a bug, a missing table) on a read → 500 with the fixed message, nothing leaked', async () => {
    ddb.on(GetItemCommand).rejects(new Error('secret-internal-detail: Requested resource not found: Table: vss-test-table'));
    expectInternal(await call('getObject', getBody('k')));
  });

  it('an unknown error on a listing → 500 with the fixed message', async () => {
    ddb.on(QueryCommand).rejects(Object.assign(new Error('secret-internal-detail'), { name: 'ResourceNotFoundException' }));
    expectInternal(await call('listKeyVersions', listBody()));
  });

  it('an unknown error on DeleteObject → 500 (not swallowed like a failed condition)', async () => {
    ddb.on(DeleteItemCommand).rejects(validation());
    expectInternal(await call('deleteObject', deleteBody('k', 3)));
  });

  it('ItemCollectionSizeLimitExceeded in a transaction → 400 INVALID_REQUEST_EXCEPTION (the store is full), not 500 or 409', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(canceled('ItemCollectionSizeLimitExceeded', 'None'));
    expectError(await call('putObjects', putBody([kv('a', -1, '1'), kv('b', -1, '2')])), 400, ErrorCode.INVALID_REQUEST_EXCEPTION);
  });
});

// ---- request shapes -------------------------------------------------------------------------------

describe('the DynamoDB requests each operation sends', () => {
  it('a single-key put sends exactly one conditional UpdateItem and no transaction', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    expectOk(await call('putObjects', putBody([kv('k', 0, 'v')])));
    expect(counts()).toEqual(only({ UpdateItem: 1 }));
    const input = ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(input.TableName).toBe(TABLE);
    expect(input.Key).toEqual({ pk: { S: PK }, sk: { B: sortKeyOf('k') } });
    expect(protocolClauses(input.ConditionExpression)).toEqual(['attribute_not_exists(#pk)']);
    expect(input.UpdateExpression).toMatch(/^SET #ver = :ver, #val = :val, #seq = if_not_exists\(#seq, :seq\)( |$)/);
    expect(input.ExpressionAttributeNames).toMatchObject({ '#pk': 'pk', '#ver': 'ver', '#val': 'val', '#seq': 'seq' });
    expect(input.ExpressionAttributeValues![':ver']).toEqual({ N: '1' });
    expect(Buffer.from(input.ExpressionAttributeValues![':val']!.B!).toString()).toBe('v');
  });

  it('a CAS put is conditioned on the expected version and stores n+1', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    expectOk(await call('putObjects', putBody([kv('k', 41, 'v')])));
    const input = ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(protocolClauses(input.ConditionExpression)).toEqual(['#ver = :expected']);
    expect(input.ExpressionAttributeValues![':expected']).toEqual({ N: '41' });
    expect(input.ExpressionAttributeValues![':ver']).toEqual({ N: '42' });
  });

  it('an unconditional put (-1) has no condition and stores version 1', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    expectOk(await call('putObjects', putBody([kv('k', -1, 'v')])));
    const input = ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(protocolClauses(input.ConditionExpression)).toEqual([]);
    expect(input.ExpressionAttributeValues![':ver']).toEqual({ N: '1' });
  });

  it('duplicate keys are folded: [k v0, k v1] sends one UpdateItem (absent → version 2), no transaction', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    expectOk(await call('putObjects', putBody([kv('k', 0, 'a'), kv('k', 1, 'b')])));
    expect(counts()).toEqual(only({ UpdateItem: 1 }));
    const input = ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(protocolClauses(input.ConditionExpression)).toEqual(['attribute_not_exists(#pk)']);
    expect(input.ExpressionAttributeValues![':ver']).toEqual({ N: '2' });
  });

  it('a multi-key put sends exactly one TransactWriteItems with one action per key (items, global version, deletes) and no single writes', async () => {
    ddb.on(TransactWriteItemsCommand).resolves({});
    expectOk(await call('putObjects', putBody([kv('a', 0, '1'), kv('b', 2, '2')], { globalVersion: 7n, deletes: [kv('c', -1)] })));
    expect(counts()).toEqual(only({ TransactWriteItems: 1 }));
    const items = ddb.commandCalls(TransactWriteItemsCommand)[0]!.args[0].input.TransactItems!;
    expect(items).toHaveLength(4);
    expect(items.map((i) => Buffer.from((i.Update ?? i.Delete)!.Key!['sk']!.B!).toString())).toEqual(['a', 'b', 'global_version', 'c']);
    expect(items.map((i) => (i.Update ? 'Update' : i.Delete ? 'Delete' : '?'))).toEqual(['Update', 'Update', 'Update', 'Delete']);
    for (const i of items) {
      const a = (i.Update ?? i.Delete)!;
      expect(a.TableName).toBe(TABLE);
      expect(a.Key!['pk']).toEqual({ S: PK });
    }
    expect(protocolClauses(items[0]!.Update!.ConditionExpression)).toEqual(['attribute_not_exists(#pk)']);
    expect(protocolClauses(items[1]!.Update!.ConditionExpression)).toEqual(['#ver = :expected']);
    expect(items[1]!.Update!.ExpressionAttributeValues![':expected']).toEqual({ N: '2' });
    expect(items[1]!.Update!.ExpressionAttributeValues![':ver']).toEqual({ N: '3' });
    expect(protocolClauses(items[2]!.Update!.ConditionExpression)).toEqual(['#ver = :expected']);
    expect(items[2]!.Update!.ExpressionAttributeValues![':expected']).toEqual({ N: '7' });
    expect(items[2]!.Update!.ExpressionAttributeValues![':ver']).toEqual({ N: '8' });
    expect(protocolClauses(items[3]!.Delete!.ConditionExpression)).toEqual(['attribute_exists(#pk)']);
    // New records get increasing creation positions in request order.
    const seqs = items.slice(0, 2).map((i) => BigInt(i.Update!.ExpressionAttributeValues![':seq']!.N!));
    expect(seqs[1]!).toBeGreaterThan(seqs[0]!);
  });

  it('a put of only a global version sends one UpdateItem on the global-version record', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    expectOk(await call('putObjects', putBody([], { globalVersion: 0n })));
    expect(counts()).toEqual(only({ UpdateItem: 1 }));
    const input = ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(Buffer.from(input.Key!['sk']!.B!).toString()).toBe('global_version');
    expect(protocolClauses(input.ConditionExpression)).toEqual(['attribute_not_exists(#pk)']);
  });

  it('an empty PutObjects sends nothing and answers 200', async () => {
    expectOk(await call('putObjects', putBody([])));
    expect(counts()).toEqual(only({}));
  });

  it('GetObject sends one GetItem with ConsistentRead on the caller’s partition', async () => {
    ddb.on(GetItemCommand).resolves({});
    expectError(await call('getObject', getBody('k')), 404, ErrorCode.NO_SUCH_KEY_EXCEPTION);
    expect(counts()).toEqual(only({ GetItem: 1 }));
    const input = ddb.commandCalls(GetItemCommand)[0]!.args[0].input;
    expect(input.ConsistentRead).toBe(true);
    expect(input.TableName).toBe(TABLE);
    expect(input.Key).toEqual({ pk: { S: PK }, sk: { B: sortKeyOf('k') } });
  });

  it('GetObject of the unset global version reads consistently and answers version 0', async () => {
    ddb.on(GetItemCommand).resolves({});
    const r = await call('getObject', getBody('global_version'));
    expectOk(r);
    expect(String(vss.GetObjectResponse.decode(bodyBytes(r.body)).value!.version ?? 0)).toBe('0');
    expect(ddb.commandCalls(GetItemCommand)[0]!.args[0].input.ConsistentRead).toBe(true);
  });

  it('ListKeyVersions sends one Query on the bySeq index with ConsistentRead, descending', async () => {
    ddb.on(QueryCommand).resolves({
      Items: [
        { pk: { S: PK }, sk: { B: sortKeyOf('global_version') }, ver: { N: '5' }, seq: { N: '1000000000000000000000000000000' } },
        { pk: { S: PK }, sk: { B: sortKeyOf('b') }, ver: { N: '2' }, seq: { N: '300' } },
        { pk: { S: PK }, sk: { B: sortKeyOf('a') }, ver: { N: '1' }, seq: { N: '200' } },
      ],
    });
    const r = await call('listKeyVersions', listBody());
    expectOk(r);
    expect(counts()).toEqual(only({ Query: 1 }));
    const input = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input.IndexName).toBe('bySeq');
    expect(input.ConsistentRead).toBe(true);
    expect(input.ScanIndexForward).toBe(false);
    expect(input.ExpressionAttributeValues![':pk']).toEqual({ S: PK });
    const page = vss.ListKeyVersionsResponse.decode(bodyBytes(r.body));
    expect(page.keyVersions.map((k) => [k.key, String(k.version)])).toEqual([
      ['b', '2'],
      ['a', '1'],
    ]);
    expect(page.globalVersion!.toString()).toBe('5');
    expect(page.nextPageToken).toBe('');
  });

  it('a prefixed listing with a page token also queries bySeq consistently, descending, from the token’s position', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({
        Items: [
          { pk: { S: PK }, sk: { B: sortKeyOf('p/2') }, ver: { N: '1' }, seq: { N: '300' } },
          { pk: { S: PK }, sk: { B: sortKeyOf('p/1') }, ver: { N: '1' }, seq: { N: '200' } },
        ],
      })
      .resolves({ Items: [] });
    const first = vss.ListKeyVersionsResponse.decode(
      bodyBytes((await call('listKeyVersions', listBody({ keyPrefix: 'p/', pageSize: 1 }))).body),
    );
    expect(first.keyVersions.map((k) => k.key)).toEqual(['p/2']);
    expect(first.nextPageToken).not.toBe('');
    expectOk(await call('listKeyVersions', listBody({ keyPrefix: 'p/', pageSize: 1, pageToken: first.nextPageToken! })));
    const second = ddb.commandCalls(QueryCommand)[1]!.args[0].input;
    expect(second.IndexName).toBe('bySeq');
    expect(second.ConsistentRead).toBe(true);
    expect(second.ScanIndexForward).toBe(false);
    expect(second.ExclusiveStartKey).toEqual({ pk: { S: PK }, sk: { B: Buffer.from(sortKeyOf('p/2')) }, seq: { N: '300' } });
  });

  it('a page token of another store is 400 Invalid page token without any Query', async () => {
    ddb.on(QueryCommand).resolves({
      Items: [
        { pk: { S: PK }, sk: { B: sortKeyOf('b') }, ver: { N: '1' }, seq: { N: '300' } },
        { pk: { S: PK }, sk: { B: sortKeyOf('a') }, ver: { N: '1' }, seq: { N: '200' } },
      ],
    });
    const token = vss.ListKeyVersionsResponse.decode(bodyBytes((await call('listKeyVersions', listBody({ pageSize: 1 }))).body))
      .nextPageToken!;
    expect(token).not.toBe('');
    const other = vss.ListKeyVersionsRequest.encode({ storeId: 'other-store', pageSize: 1, pageToken: token }).finish();
    const r = await service.handle('listKeyVersions', other, USER);
    expectError(r, 400, ErrorCode.INVALID_REQUEST_EXCEPTION, 'Invalid page token');
    expect(counts()).toEqual(only({ Query: 1 }));
  });
});

// ---- through the API Gateway adapter ----------------------------------------------------------

describe('through the API Gateway handler: status, headers and base64 protobuf body', () => {
  function event(body: Uint8Array, userToken = USER): APIGatewayProxyEvent {
    return {
      httpMethod: 'POST',
      path: '/vss/op',
      body: Buffer.from(body).toString('base64'),
      isBase64Encoded: true,
      headers: {},
      requestContext: { authorizer: { userToken } },
    } as unknown as APIGatewayProxyEvent;
  }
  const handlerFor = (op: Operation) =>
    createApiGatewayHandler(
      op,
      createRequestPath({ protocol: service, authenticator: createAuthenticator({ mode: 'authorizer-context' }) }),
    );

  it('a persistently throttled put is answered 500 with vss-protocol-version 0 and a base64 ErrorResponse with the fixed message', async () => {
    ddb.on(UpdateItemCommand).rejects(throttled());
    const res = await handlerFor('putObjects')(event(putBody([kv('k', 0, 'v')])));
    expect(res.statusCode).toBe(500);
    expect(res.headers?.['vss-protocol-version']).toBe('0');
    expect(res.isBase64Encoded).toBe(true);
    const e = vss.ErrorResponse.decode(Buffer.from(res.body, 'base64'));
    expect(e.errorCode).toBe(ErrorCode.INTERNAL_SERVER_EXCEPTION);
    expect(e.message).toBe(INTERNAL_ERROR_MESSAGE);
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(RETRY.maxAttempts);
  });

  it('a transaction cancelled by a failed condition is answered 409 with vss-protocol-version 0 and a base64 ErrorResponse', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(canceled('ConditionalCheckFailed', 'None'));
    const res = await handlerFor('putObjects')(event(putBody([kv('a', 1, '1'), kv('b', 1, '2')])));
    expect(res.statusCode).toBe(409);
    expect(res.headers?.['vss-protocol-version']).toBe('0');
    expect(res.isBase64Encoded).toBe(true);
    const e = vss.ErrorResponse.decode(Buffer.from(res.body, 'base64'));
    expect(e.errorCode).toBe(ErrorCode.CONFLICT_EXCEPTION);
    expect(e.message).toBe(CONFLICT_MESSAGE);
  });

  it('a read that succeeds after throttling is answered 200 with a base64 GetObjectResponse', async () => {
    ddb
      .on(GetItemCommand)
      .rejectsOnce(provisioned())
      .resolves({ Item: { ver: { N: '3' }, val: { B: Uint8Array.of(0x00, 0xff, 0x80) } } });
    const res = await handlerFor('getObject')(event(getBody('k')));
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['vss-protocol-version']).toBe('0');
    expect(res.isBase64Encoded).toBe(true);
    const v = vss.GetObjectResponse.decode(Buffer.from(res.body, 'base64')).value!;
    expect(String(v.version)).toBe('3');
    expect([...(v.value ?? [])]).toEqual([0x00, 0xff, 0x80]);
  });

  it('a DeleteObject whose condition fails is answered 200 with an empty body', async () => {
    ddb.on(DeleteItemCommand).rejects(conditionFailed());
    const res = await handlerFor('deleteObject')(event(deleteBody('k', 2)));
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['vss-protocol-version']).toBe('0');
    expect(res.body).toBe('');
  });

  it('a ValidationException is answered 500 with the fixed message and no internal detail in the body', async () => {
    ddb.on(UpdateItemCommand).rejects(validation());
    const res = await handlerFor('putObjects')(event(putBody([kv('k', -1, 'v')])));
    expect(res.statusCode).toBe(500);
    expect(res.headers?.['vss-protocol-version']).toBe('0');
    const raw = Buffer.from(res.body, 'base64');
    expect(vss.ErrorResponse.decode(raw).message).toBe(INTERNAL_ERROR_MESSAGE);
    expect(raw.toString('latin1')).not.toContain('secret');
    expect(JSON.stringify(res)).not.toContain('secret');
  });
});
