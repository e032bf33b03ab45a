/**
 * Large reads under the server's memory bound (`--max-in-flight-bytes`, local/memory-budget.ts):
 * a GetObject of a value in the object tier holds the value twice (as fetched, and encoded), so
 * before fetching it the request takes twice its length from the bound, or is answered 503
 * INTERNAL_SERVER_EXCEPTION (retryable) without fetching anything. Values in the table are not
 * held against it, and what a read took is given back when its answer is done. Above the store,
 * on the primary engine; a stalled object store keeps the first read in flight while the others
 * arrive.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lambda/core/errors.js';
import type { LocalVss } from '../../local/app.js';
import { BUSY_READ_MESSAGE } from '../../local/memory-budget.js';
import { connect } from 'node:net';
import { decodeError, kv, primaryEngine, startVssOn, TestClient, vss } from '../support/local-vss.js';
import { hostPort } from '../support/raw-http.js';
import { PATIENT_OBJECT_STORE, startTestObjectStore, type TestObjectStore } from '../support/s3.js';
import { until } from '../support/until.js';

const MiB = 1024 * 1024;
/** Room for one read of VALUE (twice its length) and small requests, not for two reads. */
const BOUND = 8 * MiB;
const VALUE = 3 * MiB;

let s3: TestObjectStore;
let server: LocalVss;
let s3Gets = 0;
const logs: string[] = [];

beforeAll(async () => {
  s3 = await startTestObjectStore();
  server = await startVssOn(primaryEngine(), {
    s3Client: s3.client,
    s3Bucket: s3.bucket,
    sweepIntervalMs: 0,
    log: (line) => logs.push(line),
    maxInFlightBytes: BOUND,
    maxBodyBytes: BOUND,
    objectStoreOptions: {
      ...PATIENT_OBJECT_STORE,
      onRequest: (e) => {
        if (e.command === 'GetObject') s3Gets++;
      },
    },
  });
});
afterEach(async () => {
  await s3.fault('none');
});
afterAll(async () => {
  await server?.stop();
  await s3?.stop();
});

const held = (): number => server.server.memory!.inFlight;

describe('large reads under --max-in-flight-bytes', () => {
  it('holds a large read against the bound while it is answered, refuses a read that does not fit with a retryable 503 before fetching it, and gives the bytes back', async () => {
    const c = new TestClient(server.url, 'wallet');
    const big = randomBytes(VALUE);
    expect((await c.put([kv('big', 0, big), kv('small', 0, 'in the table')])).status).toBe(200);
    expect(held()).toBe(0);

    // The first read stalls in the object store, so it holds twice the value meanwhile.
    await s3.fault('stall');
    const first = c.getValue('big');
    // Twice the value, besides the few bytes of the request's own body.
    await until(() => held() >= 2 * VALUE);
    const heldByFirst = held();
    expect(heldByFirst).toBeLessThan(2 * VALUE + 100);
    const getsBefore = s3Gets;

    const refused = await c.get('big');
    expect(refused.status).toBe(503);
    expect(refused.protocolVersion).toBe('0');
    const error = decodeError(refused);
    expect(error.errorCode).toBe(ErrorCode.INTERNAL_SERVER_EXCEPTION);
    expect(error.message).toBe(BUSY_READ_MESSAGE);
    // Refused before anything was fetched, and nothing more held.
    expect(s3Gets).toBe(getsBefore);
    expect(held()).toBe(heldByFirst);
    // The bound's gauges on /metrics say the same.
    const text = await (await fetch(server.url.replace(/\/vss$/, '/metrics'))).text();
    expect(text).toMatch(new RegExp(`^vss_in_flight_bytes ${heldByFirst}$`, 'm'));
    expect(text).toMatch(new RegExp(`^vss_in_flight_bytes_limit ${BOUND}$`, 'm'));
    expect(Number(/^vss_in_flight_bytes_peak (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(heldByFirst);
    // Declining for load is not a fault: nothing is logged as one.
    expect(logs.filter((l) => l.includes('answered 503'))).toEqual([]);

    // Values in the table and small writes are not held against it.
    expect(await c.getValue('small')).toEqual({ version: 1n, value: Buffer.from('in the table') });
    expect((await c.put([kv('other', 0, 'x')])).status).toBe(200);

    await s3.fault('none');
    const answered = await first;
    expect(typeof answered !== 'number' && answered.version === 1n && answered.value.equals(big)).toBe(true);
    await until(() => held() === 0);

    // With the bytes given back, the read is admitted again.
    const again = await c.getValue('big');
    expect(typeof again !== 'number' && again.value.equals(big)).toBe(true);
    await until(() => held() === 0);
    expect(server.server.memory!.highWater).toBeLessThanOrEqual(BOUND);
  });

  it('answers a value whose read alone needs more than the bound when nothing else is held: it takes the whole bound, so what was written stays readable', async () => {
    const c = new TestClient(server.url, 'wallet-large');
    // Its body fits the bound; twice it does not.
    const large = randomBytes(BOUND / 2 + MiB);
    expect((await c.put([kv('k', 0, large)])).status).toBe(200);
    await s3.fault('stall');
    const first = c.getValue('k');
    await until(() => held() === BOUND);
    // Meanwhile the bound is full: another request is answered 503 until the read is done.
    expect(held()).toBe(BOUND);
    expect((await c.get('k')).status).toBe(503);
    await s3.fault('none');
    const answered = await first;
    expect(typeof answered !== 'number' && answered.value.equals(large)).toBe(true);
    await until(() => held() === 0);
  });

  it('keeps a read counted while it still fetches its value after its client left, and gives the bytes back when the fetch is done', async () => {
    const c = new TestClient(server.url, 'wallet-gone');
    const big = randomBytes(VALUE);
    expect((await c.put([kv('big', 0, big)])).status).toBe(200);
    await s3.fault('stall');
    // A client that sends its read and leaves: its connection is closed before any answer.
    const body = vss.GetObjectRequest.encode({ storeId: 'wallet-gone', key: 'big' }).finish();
    const { host, port } = hostPort(server.url);
    const socket = connect({ host, port });
    socket.on('error', () => undefined);
    socket.write(`POST /vss/getObject HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`);
    socket.write(body);
    await until(() => held() >= 2 * VALUE);
    const heldByRead = held();
    socket.destroy();
    // The connection is gone, the fetch is not: its bytes are still counted.
    await new Promise((r) => setTimeout(r, 200));
    expect(held()).toBe(heldByRead);
    expect((await c.get('big')).status).toBe(503);
    await s3.fault('none');
    await until(() => held() === 0);
  });
});
