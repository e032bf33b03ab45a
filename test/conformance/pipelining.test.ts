/**
 * HTTP/1.1 as the real clients use it (docs/protocol.md §2.1, §6.1): vss-client-ng 0.5+ keeps connections
 * open and pipelines getObject/deleteObject/listKeyVersions. Several requests written at once on
 * one socket must each get their own complete response, in order, error responses included, and
 * the connection must stay usable afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { ErrorCode } from '../../lambda/core/errors.js';
import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { startLocalVss, type LocalVss } from '../../local/app.js';
import { localClient } from '../../local/engines.js';
import { kv, TestClient, vss, primaryEngine } from '../support/local-vss.js';

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

function request(path: string, body: Uint8Array, host: string): Buffer {
  const head = `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body)]);
}

/** Reads exactly `count` responses (Content-Length framed) from the socket. */
function readResponses(socket: Socket, count: number): Promise<RawResponse[]> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const out: RawResponse[] = [];
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
        const status = Number(lines[0]!.split(' ')[1]);
        const headers: Record<string, string> = {};
        for (const line of lines.slice(1)) {
          const i = line.indexOf(':');
          headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
        }
        const length = Number(headers['content-length']);
        if (!Number.isInteger(length)) return reject(new Error(`response without content-length: ${lines[0]}`));
        if (buf.length < end + 4 + length) return;
        out.push({ status, headers, body: buf.subarray(end + 4, end + 4 + length) });
        buf = buf.subarray(end + 4 + length);
        if (out.length === count) {
          socket.off('data', onData);
          resolve(out);
          return;
        }
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.once('close', () => reject(new Error(`connection closed after ${out.length} of ${count} responses`)));
  });
}

describe.each([primaryEngine()])('HTTP/1.1 pipelining on $name', (engine) => {
  let app: LocalVss;
  beforeAll(async () => {
    // Listings answer slowly (injected latency), so a delete pipelined behind one would overtake
    // it if the server ran pipelined requests concurrently.
    const client = localClient(engine.endpoint);
    const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
    (client as unknown as { send: (command: unknown) => Promise<unknown> }).send = async (command) => {
      if (command instanceof QueryCommand) await new Promise((r) => setTimeout(r, 150));
      return send(command);
    };
    app = await startLocalVss({ client, port: 0, tableName: `vss-${randomUUID()}`, sweepIntervalMs: 0 });
  });
  afterAll(async () => {
    await app?.stop();
    app?.client.destroy();
  });

  it('answers pipelined get, list, delete and a bad request on one connection, in order, and keeps it open', async () => {
    const c = new TestClient(app.url, 'pipelined');
    for (let i = 0; i < 3; i++) expect((await c.put([kv(`k${i}`, -1, `value-${i}`)])).status).toBe(200);
    const url = new URL(app.url);
    const socket = connect(Number(url.port), url.hostname);
    await new Promise<void>((r) => socket.once('connect', () => r()));
    try {
      const requests = [
        request('/vss/getObject', vss.GetObjectRequest.encode({ storeId: 'pipelined', key: 'k0' }).finish(), url.host),
        request('/vss/getObject', vss.GetObjectRequest.encode({ storeId: 'pipelined', key: 'missing' }).finish(), url.host),
        request('/vss/listKeyVersions', vss.ListKeyVersionsRequest.encode({ storeId: 'pipelined' }).finish(), url.host),
        request('/vss/unknownPath', new Uint8Array([1, 2, 3]), url.host),
        request('/vss/deleteObject', vss.DeleteObjectRequest.encode({ storeId: 'pipelined', keyValue: kv('k1', -1) }).finish(), url.host),
        request('/vss/getObject', vss.GetObjectRequest.encode({ storeId: 'pipelined', key: 'k2' }).finish(), url.host),
      ];
      const responses = readResponses(socket, requests.length);
      socket.write(Buffer.concat(requests)); // all at once: pipelined
      const r = await responses;
      for (const x of r) expect(x.headers['vss-protocol-version']).toBe('0');
      expect(r.map((x) => x.status)).toEqual([200, 404, 200, 400, 200, 200]);
      expect(Buffer.from(vss.GetObjectResponse.decode(r[0]!.body).value!.value!).toString()).toBe('value-0');
      expect(vss.ErrorResponse.decode(r[1]!.body).errorCode).toBe(ErrorCode.NO_SUCH_KEY_EXCEPTION);
      expect(vss.ListKeyVersionsResponse.decode(r[2]!.body).keyVersions.map((k) => k.key)).toEqual(['k2', 'k1', 'k0']);
      expect(vss.ErrorResponse.decode(r[3]!.body).errorCode).toBe(ErrorCode.INVALID_REQUEST_EXCEPTION);
      expect(r[4]!.body.length).toBe(0);
      expect(Buffer.from(vss.GetObjectResponse.decode(r[5]!.body).value!.value!).toString()).toBe('value-2');

      // The same connection still serves the next request.
      const again = readResponses(socket, 1);
      socket.write(request('/vss/getObject', vss.GetObjectRequest.encode({ storeId: 'pipelined', key: 'k1' }).finish(), url.host));
      expect((await again)[0]!.status).toBe(404);
    } finally {
      socket.destroy();
    }
  });
});
