/**
 * Helpers for the provider tests: signature-mode users (a fresh header per request, as
 * vss-client-ng sends), and an independent census of what a user stores, read from the engine.
 */
import { randomBytes } from 'node:crypto';
import { QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sigsAuthHeader } from '../auth/clients.js';
import { decodeError, post, TestClient, vss, type HttpResult } from '../support/local-vss.js';

/** A signature-mode user: its token is the compressed public key in hex. */
export class SigUser {
  readonly secret = randomBytes(32);
  readonly token = Buffer.from(secp256k1.getPublicKey(this.secret, true)).toString('hex');

  client(baseUrl: string, storeId: string): TestClient {
    const user = this;
    // A fresh Authorization header on every request, exactly like LDK Node main.
    return new (class extends TestClient {
      override raw(path: string, body: Uint8Array): Promise<HttpResult> {
        return post(baseUrl, path, body, { authorization: sigsAuthHeader(user.secret, Math.floor(Date.now() / 1000)) });
      }
    })(baseUrl, storeId);
  }
}

export function expectStatus(r: HttpResult, status: number): void {
  if (r.status !== status) {
    const detail = r.status === 200 ? '' : JSON.stringify(decodeError(r));
    throw new Error(`expected ${status}, got ${r.status} ${detail}`);
  }
}

export { decodeError, vss };

export interface Census {
  readonly keys: number;
  readonly bytes: number;
  /** Items of any kind (records, chunks, chunk-set records). */
  readonly items: number;
}

/**
 * What a user's store holds, counted item by item on the engine: a record is an item whose sort
 * key does not start with 0xFD/0xFE (large-value chunks and their records); its size is its key's
 * bytes as stored plus its value's (the descriptor's length for a large value).
 */
export async function census(client: DynamoDBClient, tableName: string, userToken: string, storeId: string): Promise<Census> {
  let keys = 0;
  let bytes = 0;
  let items = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `${userToken.length}:${userToken}:${storeId}` } },
        ConsistentRead: true,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of out.Items ?? []) {
      items++;
      const sk = item['sk']!.B!;
      if (sk[0] === 0xfd || sk[0] === 0xfe) continue;
      keys++;
      const large = item['lv']?.M?.['len']?.N;
      bytes += sk.length + (large !== undefined ? Number(large) : (item['val']?.B?.length ?? 0));
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return { keys, bytes, items };
}
