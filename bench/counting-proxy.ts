/**
 * Counting HTTP proxies for the cost bench: put one between the local server and its DynamoDB
 * engine, another between it and its S3-compatible store, and read what the service asked of
 * each, without touching the service's code (so the same bench measures any version of it).
 *
 * DynamoDB: requests per API (X-Amz-Target), and capacity units as the engine reports them in
 * ConsumedCapacity (the store always asks for TOTAL; Dynoxide counts as AWS does). Reads and
 * writes are told apart by the API, since TOTAL carries only CapacityUnits.
 * S3: requests per billing class (PUT/COPY/POST/LIST at the PUT price, GET/HEAD at the GET price,
 * DELETE free) and the body bytes each way.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DynamoDbCounts {
  requests: Record<string, number>;
  readUnits: number;
  writeUnits: number;
}

export interface S3Counts {
  put: number;
  get: number;
  list: number;
  delete: number;
  other: number;
  bytesIn: number;
  bytesOut: number;
}

export const emptyDynamoDb = (): DynamoDbCounts => ({ requests: {}, readUnits: 0, writeUnits: 0 });
export const emptyS3 = (): S3Counts => ({ put: 0, get: 0, list: 0, delete: 0, other: 0, bytesIn: 0, bytesOut: 0 });

const READ_APIS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);

/** Capacity units of one DynamoDB response body (TOTAL: a single object or a list of them). */
export function capacityOf(body: string): number {
  try {
    const parsed = JSON.parse(body) as { ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> };
    const cc = parsed.ConsumedCapacity;
    if (!cc) return 0;
    return (Array.isArray(cc) ? cc : [cc]).reduce((s, c) => s + (c.CapacityUnits ?? 0), 0);
  } catch {
    return 0;
  }
}

/** The S3 billing class of a request (path-style addressing: /bucket/key?query). */
export function s3Class(method: string, url: string): keyof Omit<S3Counts, 'bytesIn' | 'bytesOut'> {
  const u = new URL(url, 'http://x');
  const isObject = u.pathname.split('/').filter(Boolean).length > 1;
  if (method === 'DELETE') return 'delete';
  if (method === 'PUT') return 'put';
  if (method === 'POST') return u.searchParams.has('delete') ? 'delete' : 'put';
  if (method === 'GET' || method === 'HEAD') return isObject ? 'get' : 'list';
  return 'other';
}

export interface CountingProxy {
  readonly endpoint: string;
  readonly dynamodb: DynamoDbCounts;
  readonly s3: S3Counts;
  close(): Promise<void>;
}

/** A proxy to `target` (http://host:port) counting as DynamoDB or as S3. */
export async function startCountingProxy(target: string, kind: 'dynamodb' | 's3'): Promise<CountingProxy> {
  const upstream = new URL(target);
  const dynamodb = emptyDynamoDb();
  const s3 = emptyS3();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let inBytes = 0;
    req.on('data', (c: Buffer) => {
      inBytes += c.length;
      if (kind === 'dynamodb') chunks.push(c);
    });
    const up = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (upRes: IncomingMessage) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        const body: Buffer[] = [];
        let outBytes = 0;
        upRes.on('data', (c: Buffer) => {
          outBytes += c.length;
          if (kind === 'dynamodb') body.push(c);
          res.write(c);
        });
        upRes.on('end', () => {
          if (kind === 'dynamodb') {
            const api =
              String(req.headers['x-amz-target'] ?? '')
                .split('.')
                .pop() ?? '?';
            dynamodb.requests[api] = (dynamodb.requests[api] ?? 0) + 1;
            const units = capacityOf(Buffer.concat(body).toString('utf8'));
            if (READ_APIS.has(api)) dynamodb.readUnits += units;
            else dynamodb.writeUnits += units;
          } else {
            s3[s3Class(req.method ?? 'GET', req.url ?? '/')]++;
            s3.bytesIn += inBytes;
            s3.bytesOut += outBytes;
          }
          res.end();
        });
        upRes.on('error', () => res.destroy());
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    dynamodb,
    s3,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
