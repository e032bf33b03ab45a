/**
 * Every `KeyValueStore` implementation runs the one contract suite (kv-store-contract.ts):
 * DynamoDbStore on every engine the global setup started (their differences are the point here),
 * and the metering decorator over it on the primary engine (a decorator must keep the contract
 * of what it wraps). Add an implementation or an engine with one more line below.
 */
import { randomUUID } from 'node:crypto';
import type { KeyValueStore } from '../../lambda/core/kv-store.js';
import { MeteringStore } from '../../lambda/provider/metering-store.js';
import { UsageLedger } from '../../lambda/provider/usage-ledger.js';
import { DynamoDbStore } from '../../lambda/store/dynamodb-store.js';
import { TableClient } from '../../lambda/store/table-client.js';
import { localClient } from '../../local/engines.js';
import { ensureTable } from '../../local/table.js';
import { engines, primaryEngine } from '../support/local-vss.js';
import { describeKeyValueStoreContract } from './kv-store-contract.js';

async function dynamoDbStoreOn(endpoint: string): Promise<DynamoDbStore> {
  const client = localClient(endpoint);
  const tableName = `contract-${randomUUID()}`;
  await ensureTable(client, tableName);
  return new DynamoDbStore({ client, tableName });
}

for (const engine of engines()) {
  describeKeyValueStoreContract(`DynamoDbStore on ${engine.name}`, () => dynamoDbStoreOn(engine.endpoint));
}

describeKeyValueStoreContract(`MeteringStore over DynamoDbStore on ${primaryEngine().name}`, async (): Promise<KeyValueStore> => {
  const endpoint = primaryEngine().endpoint;
  const client = localClient(endpoint);
  const tableName = `contract-${randomUUID()}`;
  await ensureTable(client, tableName);
  return new MeteringStore({
    inner: new DynamoDbStore({ client, tableName }),
    ledger: new UsageLedger(new TableClient({ client, tableName })),
    quota: { maxKeys: 1_000_000 },
  });
});
