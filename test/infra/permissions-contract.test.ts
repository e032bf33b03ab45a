/**
 * The permissions contract: every DynamoDB action a function's code actually sends is one its
 * IAM role grants, on the resource it is sent to (the table or an index). The grants are those of
 * lib/private/permissions.ts (and withProviderActions for the provider features), which
 * functions.test.ts and provider.test.ts hold equal to the synthesized template; the actions are
 * recorded here from the SDK client while each operation runs against a real engine, small and
 * large values alike. A missing permission fails this test, not a deploy.
 *
 * TransactWriteItems is authorized per contained action (Update → UpdateItem, …), so it is
 * recorded as those.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes, randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { VssProviderOptions } from '../../lib/options.js';
import { SWEEPER_TABLE_ACTIONS, VSS_TABLE_ACTIONS, type TableActions } from '../../lib/private/permissions.js';
import { withProviderActions } from '../../lib/private/provider.js';
import { OPERATIONS, type Operation } from '../../lambda/contract.js';
import { SWEEP_RETRY, sweepChunkSets } from '../../lambda/store/chunk-sweeper.js';
import { TableClient } from '../../lambda/store/table-client.js';
import { TABLE_LAYOUT } from '../../lambda/store/table-layout.js';
import { startLocalVss, type LocalVss } from '../../local/app.js';
import { localClient } from '../../local/engines.js';
import { primaryEngine, kv, TestClient } from '../support/local-vss.js';

/** One authorization IAM makes: an action on the table or on one of its indexes. */
interface Sent {
  readonly action: string;
  readonly index: string | undefined;
}

const TRANSACT_ACTIONS: Record<string, string> = {
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  Put: 'dynamodb:PutItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

/** Records every command the client sends, as IAM sees it. */
function recordCommands(client: DynamoDBClient): Sent[] {
  const sent: Sent[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { IndexName?: string; TransactItems?: Record<string, unknown>[] };
      const name = (context.commandName ?? '').replace(/Command$/, '');
      if (name === 'TransactWriteItems') {
        for (const item of input.TransactItems ?? [])
          for (const kind of Object.keys(item)) sent.push({ action: TRANSACT_ACTIONS[kind] ?? `dynamodb:${kind}?`, index: undefined });
      } else sent.push({ action: `dynamodb:${name}`, index: input.IndexName });
      return next(args);
    },
    { step: 'initialize', name: 'recordCommandsForIamContract' },
  );
  return sent;
}

/** What `sent` needs that `grants` does not give, as readable strings (empty: covered). */
function notGranted(sent: readonly Sent[], grants: TableActions): string[] {
  const missing = new Set<string>();
  for (const s of sent) {
    const allowed: readonly string[] =
      s.index === undefined
        ? grants.table
        : s.index === TABLE_LAYOUT.creationIndex.name
          ? grants.creationIndex
          : s.index === TABLE_LAYOUT.sweepIndex.name
            ? grants.sweepIndex
            : [];
    if (!allowed.includes(s.action)) missing.add(`${s.action} on ${s.index ?? 'the table'}`);
  }
  return [...missing].sort();
}

const KB = 1024;
const PROVIDER: VssProviderOptions = {
  usageMetering: true,
  quota: { maxKeys: 100_000, maxBytes: 10_000_000_000 },
  rateLimit: { perSecond: 10_000 },
};

/** Every path of each operation through the store: small and large values, one key and several. */
async function exercise(c: TestClient, run: (op: Operation, call: () => Promise<{ status: number }>) => Promise<void>): Promise<void> {
  const large = randomBytes(450 * KB);
  await run('putObjects', () => c.put([kv('small', 0, 'v')]));
  await run('putObjects', () => c.put([kv('a', 0, 'x'), kv('b', 0, 'y')], { globalVersion: 0 }));
  await run('putObjects', () => c.put([kv('big', 0, large)]));
  await run('putObjects', () => c.put([kv('big', 1, randomBytes(500 * KB))])); // conditioned, replaces a large value
  await run('putObjects', () => c.put([kv('big', -1, randomBytes(420 * KB)), kv('a', 1, 'x2')], { deletes: [kv('b', 1)] }));
  await run('putObjects', () => c.put([kv('c', 0, randomBytes(100)), kv('d', 0, randomBytes(200))]));
  await run('getObject', () => c.get('small'));
  await run('getObject', () => c.get('big'));
  await run('getObject', () => c.get('missing'));
  await run('listKeyVersions', () => c.list({}));
  await run('listKeyVersions', () => c.list({ prefix: 'b', pageSize: 1 }));
  await run('listKeyVersions', () => c.list({ pageSize: 0 }));
  await run('deleteObject', () => c.delete('big', -1));
  await run('deleteObject', () => c.delete('small', -1));
  await run('deleteObject', () => c.delete('missing', 5));
}

describe('IAM permissions contract', () => {
  const engine = primaryEngine();
  let client: DynamoDBClient;
  let sent: Sent[];
  const apps: LocalVss[] = [];

  beforeAll(() => {
    client = localClient(engine.endpoint);
    sent = recordCommands(client);
  });
  afterAll(async () => {
    for (const app of apps) await app.stop();
    client?.destroy();
  });

  const start = async (provider: VssProviderOptions | undefined): Promise<LocalVss> => {
    const app = await startLocalVss({
      client,
      port: 0,
      tableName: `iam-${randomUUID()}`,
      sweepIntervalMs: 0,
      ...(provider ? { provider } : {}),
      providerObservers: { onEvent: () => {} },
    });
    apps.push(app);
    return app;
  };

  for (const [label, provider] of [
    ['plain', undefined],
    ['with usage metering, quotas and rate limits', PROVIDER],
  ] as const) {
    it(`each operation sends only actions its function may (${label})`, async () => {
      const app = await start(provider);
      const c = new TestClient(app.url, `store-${randomUUID()}`);
      const byOp = new Map<Operation, Sent[]>(OPERATIONS.map((op) => [op, []]));
      await exercise(c, async (op, call) => {
        sent.length = 0;
        const r = await call();
        expect(r.status, op).toBeLessThan(500);
        byOp.get(op)!.push(...sent);
      });
      for (const op of OPERATIONS) {
        const grants = withProviderActions(VSS_TABLE_ACTIONS[op], op, provider);
        expect(byOp.get(op)!.length, `${op} sent requests`).toBeGreaterThan(0);
        expect(notGranted(byOp.get(op)!, grants), `${op} (${label})`).toEqual([]);
      }
      // The paths that need the most were taken (else a subset check proves little).
      const actions = (op: Operation) => new Set(byOp.get(op)!.map((s) => s.action));
      // Large values are in the object tier: a record, the head, the version check; a delete retires the record.
      expect([...actions('putObjects')]).toEqual(expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:GetItem']));
      expect([...actions('getObject')]).toContain('dynamodb:GetItem');
      expect([...actions('deleteObject')]).toContain('dynamodb:UpdateItem');
    });
  }

  it('the sweeper sends only what its function may: Query on the sweep index, item actions on the table', async () => {
    const app = await start(undefined);
    const c = new TestClient(app.url, `store-${randomUUID()}`);
    expect((await c.put([kv('k', 0, randomBytes(450 * KB))])).status).toBe(200);
    expect((await c.put([kv('k', 1, randomBytes(450 * KB))])).status).toBe(200);
    sent.length = 0;
    const result = await sweepChunkSets(new TableClient({ client, tableName: app.tableName, retry: SWEEP_RETRY }), { graceMs: -60_000 });
    expect(result.examined).toBeGreaterThan(0);
    expect(notGranted(sent, SWEEPER_TABLE_ACTIONS)).toEqual([]);
  });

  it('the check is live: an action a function lacks is reported, with where it was sent', () => {
    const sentByGet: Sent[] = [
      { action: 'dynamodb:GetItem', index: undefined },
      { action: 'dynamodb:BatchGetItem', index: undefined },
      { action: 'dynamodb:Query', index: TABLE_LAYOUT.creationIndex.name },
    ];
    expect(notGranted(sentByGet, VSS_TABLE_ACTIONS.getObject)).toEqual(['dynamodb:Query on bySeq']);
    expect(notGranted(sentByGet, { ...VSS_TABLE_ACTIONS.getObject, table: ['dynamodb:GetItem'] })).toEqual([
      'dynamodb:BatchGetItem on the table',
      'dynamodb:Query on bySeq',
    ]);
  });
});
