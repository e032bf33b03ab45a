/**
 * Hostile input, property-based (fast-check, fixed seeds), over HTTP on all four paths in every
 * auth mode on the primary engine: random bytes, mutated and truncated valid requests, wrong wire
 * types, huge and overlong varints, invalid UTF-8, int64 extremes, 100,000-item requests, hostile
 * Authorization values and the raw-socket anomalies. Every answer must be a protocol error
 * (ErrorResponse, `vss-protocol-version: 0`, a 4xx) or a valid success — never a 500, a bare
 * reply or a hang — and canary data written first (one value above 400 KB) stays byte-identical.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '../../lambda/core/errors.js';
import { OPERATIONS, type Operation } from '../../lambda/core/service.js';
import { LOCAL_AUTH_MODES, type LocalAuthMode } from '../../local/auth.js';
import type { LocalVss } from '../../local/app.js';
import { ldkLnurlParent, lnurlLogin, rs256, rsaKeyPair, sigsAuthHeader } from '../auth/clients.js';
import { kv, L, startVssOn, TestClient, vss, primaryEngine } from '../support/local-vss.js';
import { httpAnomalies, rawExchange } from '../support/raw-http.js';

const RUNS = { randomBytes: 25, mutated: 40, wireLevel: 40, extremes: 25, authValues: 15 } as const;
const SEED = 0x5eed;

const INT64_EXTREMES = [
  '-9223372036854775808',
  '-9223372036854775807',
  '-1',
  '0',
  '1',
  '2147483647',
  '2147483648',
  '4294967296',
  '9223372036854775806',
  '9223372036854775807',
];
const INVALID_UTF8 = [
  [0xff],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x28, 0xa1],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0x80],
  [0x61, 0xfe, 0x62],
].map((b) => Buffer.from(b));

/** Statuses a protocol answer may have, with the ErrorCode each carries. */
const ERROR_CODES: Record<number, number[]> = {
  400: [ErrorCode.INVALID_REQUEST_EXCEPTION],
  401: [ErrorCode.AUTH_EXCEPTION],
  404: [ErrorCode.NO_SUCH_KEY_EXCEPTION],
  409: [ErrorCode.CONFLICT_EXCEPTION],
  413: [ErrorCode.INVALID_REQUEST_EXCEPTION],
  417: [ErrorCode.INVALID_REQUEST_EXCEPTION],
  431: [ErrorCode.INVALID_REQUEST_EXCEPTION],
};

const RESPONSE_TYPES: Record<Operation, { decode(b: Uint8Array): unknown }> = {
  getObject: vss.GetObjectResponse,
  putObjects: vss.PutObjectResponse,
  deleteObject: vss.DeleteObjectResponse,
  listKeyVersions: vss.ListKeyVersionsResponse,
};

/** A tally of answers, for the figures in docs/reliability.md. */
const tally = new Map<string, number>();
const count = (what: string): void => void tally.set(what, (tally.get(what) ?? 0) + 1);

function checkAnswer(op: Operation, status: number, version: string | null | undefined, body: Uint8Array): void {
  expect(version, `vss-protocol-version on a ${status}`).toBe('0');
  expect(status, 'never a 5xx').toBeLessThan(500);
  if (status === 200) {
    RESPONSE_TYPES[op].decode(body);
  } else {
    expect(Object.keys(ERROR_CODES), `status ${status}`).toContain(String(status));
    expect(ERROR_CODES[status], `error code of a ${status}`).toContain(vss.ErrorResponse.decode(body).errorCode);
  }
  count(String(status));
}

// --- raw protobuf, for what protobufjs would never encode ---

function varint(v: bigint): number[] {
  const out: number[] = [];
  let x = BigInt.asUintN(64, v);
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x) b |= 0x80;
    out.push(b);
  } while (x);
  return out;
}

const tag = (field: number, wireType: number): number[] => varint((BigInt(field) << 3n) | BigInt(wireType));

const varintPayload = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(varint),
  fc.constantFrom(...INT64_EXTREMES).map((s) => varint(BigInt(s))),
  fc.integer({ min: 11, max: 40 }).map((n) => [...Array(n - 1).fill(0xff), 0x01]), // longer than any varint
  fc.constant([0x80, 0x80, 0x80]), // never terminated
);
const bytesPayload = fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map((b) => [...varint(BigInt(b.length)), ...b]),
  fc.constantFrom(...INVALID_UTF8).map((b) => [...varint(BigInt(b.length)), ...b]),
  fc.bigInt({ min: 65n, max: (1n << 64n) - 1n }).map((n) => [...varint(n), 0x61]), // declares more than there is
);
const field = fc
  .record({
    field: fc.oneof(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: (1 << 29) - 1 })),
    wireType: fc.integer({ min: 0, max: 7 }),
  })
  .chain(({ field: f, wireType }) => {
    const head = tag(f, wireType);
    switch (wireType) {
      case 0:
        return varintPayload.map((p) => [...head, ...p]);
      case 1:
        return fc.uint8Array({ minLength: 0, maxLength: 8 }).map((p) => [...head, ...p]);
      case 2:
        return bytesPayload.map((p) => [...head, ...p]);
      case 5:
        return fc.uint8Array({ minLength: 0, maxLength: 4 }).map((p) => [...head, ...p]);
      default:
        return fc.constant(head); // groups and the unused wire types 6 and 7
    }
  });
/** A message of raw fields; sometimes nested as a KeyValue inside field 2 or 3 of a put. */
const wireMessage = fc.array(field, { maxLength: 8 }).chain((fields) =>
  fc.oneof(
    fc.constant(fields.flat()),
    fc.constantFrom(2, 3).map((f) => {
      const inner = fields.flat();
      return [...tag(f, 2), ...varint(BigInt(inner.length)), ...inner];
    }),
  ),
);

// --- valid requests, to mutate ---

const validRequest = (op: Operation, storeId: string, n: number): Uint8Array => {
  const key = `key-${n % 5}`;
  switch (op) {
    case 'getObject':
      return vss.GetObjectRequest.encode({ storeId, key }).finish();
    case 'putObjects':
      return vss.PutObjectRequest.encode({
        storeId,
        globalVersion: L(n % 3),
        transactionItems: [kv(key, n % 2, `value-${n}`)],
        deleteItems: [kv(`other-${n % 3}`, 1)],
      }).finish();
    case 'deleteObject':
      return vss.DeleteObjectRequest.encode({ storeId, keyValue: kv(key, n % 3) }).finish();
    case 'listKeyVersions':
      return vss.ListKeyVersionsRequest.encode({
        storeId,
        keyPrefix: 'key',
        pageSize: n % 120,
        pageToken: n % 2 ? 'garbage-token' : '',
      }).finish();
  }
};

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('duplicate' as const) }),
);

interface Mutation {
  readonly kind: 'flip' | 'truncate' | 'insert' | 'duplicate';
  readonly at?: number;
  readonly bit?: number;
  readonly bytes?: Uint8Array;
}

function mutate(body: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let b = Buffer.from(body);
  for (const m of ms) {
    const at = b.length ? (m.at ?? 0) % b.length : 0;
    if (m.kind === 'flip' && b.length) b[at] = b[at]! ^ (1 << m.bit!);
    if (m.kind === 'truncate') b = b.subarray(0, at);
    if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), m.bytes!, b.subarray(at)]);
    if (m.kind === 'duplicate') b = Buffer.concat([b, b]);
  }
  return b;
}

// --- the servers, one per auth mode ---

interface Target {
  readonly vss: LocalVss;
  /** Headers of a valid user other than the canary's owner (in mode none everyone is one user). */
  readonly headers: () => Promise<Record<string, string>>;
  readonly canaryHeaders: Record<string, string>;
  readonly cleanup: () => Promise<void>;
}

async function startTarget(engine: { endpoint: string }, mode: LocalAuthMode): Promise<Target> {
  const rsa = rsaKeyPair();
  const dataDir = mkdtempSync(join(tmpdir(), 'vss-hostile-'));
  const server = await startVssOn(engine, { auth: mode, authOptions: { jwtPublicKeyPem: rsa.spkiPem, dataDir } });
  const cleanup = async (): Promise<void> => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const jwt = async (sub: string): Promise<Record<string, string>> => ({
    authorization: `Bearer ${await rs256(rsa.privateKey, { sub, exp: Math.floor(Date.now() / 1000) + 3600 })}`,
  });
  switch (mode) {
    case 'none':
      return { vss: server, headers: async () => ({}), canaryHeaders: {}, cleanup };
    case 'signature': {
      const attacker = randomBytes(32);
      const owner = randomBytes(32);
      const now = (): number => Math.floor(Date.now() / 1000);
      return {
        vss: server,
        headers: async () => ({ authorization: sigsAuthHeader(attacker, now()) }),
        canaryHeaders: { authorization: sigsAuthHeader(owner, now()) },
        cleanup,
      };
    }
    case 'jwt':
      return { vss: server, headers: () => jwt('attacker'), canaryHeaders: await jwt('owner'), cleanup };
    case 'lnurl': {
      const authUrl = `${server.url.replace('127.0.0.1', 'localhost').replace(/\/vss$/, '')}/lnurl-auth`;
      const attacker = await lnurlLogin(authUrl, ldkLnurlParent(randomBytes(64)));
      const owner = await lnurlLogin(authUrl, ldkLnurlParent(randomBytes(64)));
      return {
        vss: server,
        headers: async () => ({ authorization: `Bearer ${attacker.token}` }),
        canaryHeaders: { authorization: `Bearer ${owner.token}` },
        cleanup,
      };
    }
  }
}

const CANARY_STORE = 'canary-vault-of-the-owner-0001';
const CANARY = [
  kv('canary-small', 0, 'a small value'),
  kv('canary-large', 0, randomBytes(450_000)),
  kv('canary-utf8', 0, Buffer.from('väärtus ✓ 💡')),
];

async function send(t: Target, op: Operation, body: Uint8Array, extra: Record<string, string> | undefined = undefined): Promise<void> {
  const headers = extra ?? (await t.headers());
  const r = await fetch(`${t.vss.url}/${op}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/octet-stream', ...headers },
  });
  checkAnswer(op, r.status, r.headers.get('vss-protocol-version'), new Uint8Array(await r.arrayBuffer()));
}

describe.each([primaryEngine()].map((e) => [e.name, e] as const))('hostile input on %s', (_name, engine) => {
  describe.each(LOCAL_AUTH_MODES.map((m) => [m]))('auth %s', (mode: LocalAuthMode) => {
    let t: Target;
    let canary: TestClient;
    beforeAll(async () => {
      t = await startTarget(engine, mode);
      canary = new TestClient(t.vss.url, CANARY_STORE, t.canaryHeaders);
      const r = await canary.put(CANARY);
      expect(r.status).toBe(200);
    });
    afterAll(async () => {
      // The canary is byte-identical after everything below.
      for (const item of CANARY) {
        expect(await canary.getValue(item.key!)).toEqual({ version: 1n, value: Buffer.from(item.value!) });
      }
      await t?.cleanup();
    });

    it('random bytes on every path get protocol answers', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...OPERATIONS), fc.uint8Array({ maxLength: 2048 }), (op, body) => send(t, op, body)),
        { seed: SEED, numRuns: RUNS.randomBytes * OPERATIONS.length },
      );
    });

    it('mutated and truncated valid requests get protocol answers', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...OPERATIONS), fc.nat(1000), fc.array(mutation, { minLength: 1, maxLength: 3 }), (op, n, ms) =>
          send(t, op, mutate(validRequest(op, `hostile-${n % 4}`, n), ms)),
        ),
        { seed: SEED + 1, numRuns: RUNS.mutated * OPERATIONS.length },
      );
    });

    it('wrong wire types, huge and overlong varints and invalid UTF-8 get protocol answers', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...OPERATIONS), wireMessage, (op, bytes) => send(t, op, Uint8Array.from(bytes))),
        { seed: SEED + 2, numRuns: RUNS.wireLevel * OPERATIONS.length },
      );
    });

    it('int64 extremes and hostile strings in well-formed requests get protocol answers', async () => {
      const big = fc.constantFrom(...INT64_EXTREMES).map((s) => L(BigInt(s)));
      const text = fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.string({ unit: 'grapheme', maxLength: 20 }),
        fc.constant(''),
        fc.constant('x'.repeat(2000)),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...OPERATIONS),
          text,
          text,
          big,
          big,
          fc.integer({ min: -2147483648, max: 2147483647 }),
          async (op, storeId, key, version, globalVersion, pageSize) => {
            const store = `hostile-${storeId}`;
            const bodies: Record<Operation, Uint8Array> = {
              getObject: vss.GetObjectRequest.encode({ storeId: store, key }).finish(),
              putObjects: vss.PutObjectRequest.encode({
                storeId: store,
                globalVersion,
                transactionItems: [{ key, version, value: Buffer.from(key) }],
              }).finish(),
              deleteObject: vss.DeleteObjectRequest.encode({ storeId: store, keyValue: { key, version } }).finish(),
              listKeyVersions: vss.ListKeyVersionsRequest.encode({ storeId: store, keyPrefix: key, pageSize, pageToken: key }).finish(),
            };
            await send(t, op, bodies[op]);
          },
        ),
        { seed: SEED + 3, numRuns: RUNS.extremes * OPERATIONS.length },
      );
    });

    it('hostile Authorization values get protocol answers', async () => {
      const value = fc.oneof(
        fc.string({ maxLength: 300 }),
        fc.string({ maxLength: 200 }).map((s) => `Bearer ${s}`),
        fc.constant(''),
        fc.constant('Bearer '),
        fc.constant(`Bearer ${'a'.repeat(8000)}`),
      );
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...OPERATIONS), value, async (op, v) => {
          // fetch refuses header values with control characters; those are the raw-socket cases.
          const printable = v.replace(/[^\x20-\x7e]/g, '');
          await send(t, op, validRequest(op, 'hostile-auth', 1), { authorization: printable });
        }),
        { seed: SEED + 4, numRuns: RUNS.authValues * OPERATIONS.length },
      );
    });

    it('100,000-item requests are refused as protocol errors', async () => {
      const items = Array.from({ length: 100_000 }, (_, i) => ({ key: `k${i}`, version: L(0) }));
      await send(t, 'putObjects', vss.PutObjectRequest.encode({ storeId: 'hostile-many', transactionItems: items }).finish());
      await send(t, 'putObjects', vss.PutObjectRequest.encode({ storeId: 'hostile-many', deleteItems: items }).finish());
      const repeated = Buffer.concat(
        Array.from({ length: 100_000 }, () => Buffer.from(vss.GetObjectRequest.encode({ key: 'k' }).finish())),
      );
      await send(t, 'getObject', repeated);
    });

    it('the raw-socket anomalies get protocol errors with the fitting status on every path', async () => {
      const auth = Object.entries(await t.headers()).map(([k, v]) => `${k}: ${v}`);
      for (const op of OPERATIONS) {
        for (const [name, bytes, status] of httpAnomalies(`/vss/${op}`, auth)) {
          const r = await rawExchange(t.vss.url, [bytes], { expect: 1 });
          expect(r.responses.length, `${op}: ${name}`).toBe(1);
          expect(r.rest.length, `${op}: ${name}: nothing after the answer`).toBe(0);
          expect(r.responses[0]!.status, `${op}: ${name}`).toBe(status);
          checkAnswer(op, r.responses[0]!.status, r.responses[0]!.headers['vss-protocol-version'], r.responses[0]!.body);
        }
      }
    });
  });
});

afterAll(() => {
  const total = [...tally.values()].reduce((a, b) => a + b, 0);
  console.log(`hostile input: ${total} answers checked, by status: ${JSON.stringify(Object.fromEntries([...tally].sort()))}`);
});
