/**
 * The DynamoDB client settings shared by the deployed handlers and the local server: a DynamoDB
 * endpoint that accepts the connection and never answers fails the call within the request
 * timeout (the SDK's handler only warns unless told to throw), so the store can answer 500.
 */
import { describe, expect, it } from 'vitest';
import { createServer, type Socket } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { dynamoDbClientSettings } from '../../lambda/store/client-settings.js';

describe('DynamoDB client settings', () => {
  it('a call to an endpoint that never answers fails with a TimeoutError instead of waiting', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => void sockets.push(s)); // reads nothing, answers nothing
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as { port: number }).port;
    const client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      ...dynamoDbClientSettings(),
    });
    try {
      // Only a hang trips the guard; the timeout itself is 3 s.
      const guard = new Promise((_, reject) => setTimeout(() => reject(new Error('the call hung')), 20_000).unref());
      const error = await Promise.race([
        client.send(new ListTablesCommand({})).then(
          () => undefined,
          (e: unknown) => e,
        ),
        guard,
      ]);
      expect((error as Error).name).toBe('TimeoutError');
      expect(sockets.length).toBe(1); // one attempt: retries are the store's
    } finally {
      client.destroy();
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});
