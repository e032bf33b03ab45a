/**
 * The DynamoDB client settings shared by the deployed handlers and the local server: a DynamoDB
 * endpoint that accepts the connection and never answers fails the call within the request
 * timeout (the SDK's handler only warns unless told to throw), so the store can answer 500.
 */
import { describe, expect, it } from 'vitest';
import { createServer, type Socket } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { dynamoDbClient, dynamoDbClientSettings, isLoopback } from '../../lambda/store/client-settings.js';

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

  it('one isLoopback for endpoints and hosts: 127/8, localhost and ::1 (bracketed or not), nothing else', () => {
    for (const yes of ['http://127.0.0.1:8000', 'http://localhost:1', 'http://[::1]:8000', '127.1.2.3', 'localhost', '::1', '[::1]'])
      expect(isLoopback(yes), yes).toBe(true);
    for (const no of [
      'https://dynamodb.us-east-1.amazonaws.com',
      'http://10.0.0.1:8000',
      '0.0.0.0',
      '::',
      'http://127.example.com',
      'not a url://x',
    ])
      expect(isLoopback(no), no).toBe(false);
  });

  it('the client factory gives a loopback endpoint local credentials and every client the shared settings', async () => {
    const local = dynamoDbClient({ endpoint: 'http://127.0.0.1:8000' });
    const aws = dynamoDbClient({ region: 'eu-west-1' });
    try {
      if (!process.env['AWS_ACCESS_KEY_ID']) expect((await local.config.credentials()).accessKeyId).toBe('local');
      expect(await local.config.region()).toBe('us-east-1');
      expect(await aws.config.region()).toBe('eu-west-1');
      expect(await aws.config.maxAttempts()).toBe(1); // retries are the table client's
      expect(await local.config.maxAttempts()).toBe(1);
    } finally {
      local.destroy();
      aws.destroy();
    }
  });
});
