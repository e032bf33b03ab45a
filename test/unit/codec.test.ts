/**
 * The protobuf codec (lambda/core/codec.ts over the static code in lambda/core/generated):
 * golden vectors of docs/protocol.md §1, exact int64, proto3 presence, error mapping of undecodable bodies,
 * and a drift guard that regenerates the static code from proto/vss.proto.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Long from 'long';
import { describe, expect, it } from 'vitest';
import {
  decodeDeleteObjectRequest,
  decodeGetObjectRequest,
  decodeListKeyVersionsRequest,
  decodePutObjectRequest,
  encodeErrorResponse,
  ANSWER_AROUND_VALUE_BYTES,
  bodyBytes,
  bodyLength,
  encodeGetObjectResponse,
  encodeListKeyVersionsResponse,
  toBigInt,
  toLong,
  vss,
} from '../../lambda/core/codec.js';
import { ErrorCode, INTERNAL_ERROR_MESSAGE, isVssError, type VssError } from '../../lambda/core/errors.js';
import { INT64_MAX, INT64_MIN } from '../../lambda/core/limits.js';
import { VssProtocol, type Operation } from '../../lambda/core/service.js';
import type { KeyValueStore } from '../../lambda/core/kv-store.js';
import { prng } from '../support/prng.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

const PUT_GOLDEN = '0A0773746F726549641A150A026B3110FFFFFFFFFFFFFFFFFF011A046B317631';
const GET_GOLDEN = '0A0773746F7265496412026B31';

/** Expects `fn` to throw the protocol's 400 INVALID_REQUEST error. */
function expectInvalidRequest(fn: () => unknown): VssError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(isVssError(caught), `expected a VssError, got ${String(caught)}`).toBe(true);
  const e = caught as VssError;
  expect(e.status).toBe(400);
  expect(e.code).toBe(ErrorCode.INVALID_REQUEST_EXCEPTION);
  return e;
}

describe('golden vectors of docs/protocol.md §1', () => {
  it('decodes the PutObjectRequest vector to store "storeId" with one item k1, version -1, value "k1v1"', () => {
    const m = decodePutObjectRequest(hex(PUT_GOLDEN));
    expect(m.storeId).toBe('storeId');
    expect(m.globalVersion).toBeUndefined();
    expect(m.deleteItems).toEqual([]);
    expect(m.transactionItems).toHaveLength(1);
    const [item] = m.transactionItems;
    expect(item!.key).toBe('k1');
    expect(item!.version).toBe(-1n);
    expect(Buffer.from(item!.value).toString('utf8')).toBe('k1v1');
  });

  it('encodes PutObjectRequest{storeId, [k1 v-1 "k1v1"]} to exactly the golden bytes', () => {
    const bytes = vss.PutObjectRequest.encode({
      storeId: 'storeId',
      transactionItems: [{ key: 'k1', version: toLong(-1n), value: Buffer.from('k1v1') }],
    }).finish();
    expect(toHex(bytes)).toBe(PUT_GOLDEN);
  });

  it('decodes the GetObjectRequest vector to store "storeId", key "k1"', () => {
    expect(decodeGetObjectRequest(hex(GET_GOLDEN))).toEqual({ storeId: 'storeId', key: 'k1' });
  });

  it('encodes GetObjectRequest{storeId, k1} to exactly the golden bytes', () => {
    expect(toHex(vss.GetObjectRequest.encode({ storeId: 'storeId', key: 'k1' }).finish())).toBe(GET_GOLDEN);
  });

  it('decodes the golden vectors from a Node Buffer (what the Lambda adapter passes) exactly like from a Uint8Array', () => {
    const m = decodePutObjectRequest(Buffer.from(PUT_GOLDEN, 'hex'));
    expect(m.transactionItems[0]!.version).toBe(-1n);
    expect(decodeGetObjectRequest(Buffer.from(GET_GOLDEN, 'hex'))).toEqual({ storeId: 'storeId', key: 'k1' });
  });
});

describe('int64 is exact (bigint)', () => {
  const cases: [string, bigint, string][] = [
    ['-1', -1n, 'FFFFFFFFFFFFFFFFFF01'],
    ['i64::MAX', INT64_MAX, 'FFFFFFFFFFFFFFFF7F'],
    ['i64::MIN', INT64_MIN, '80808080808080808001'],
    ['2^53 + 1 (beyond double precision)', 2n ** 53n + 1n, '8180808080808010'],
  ];

  for (const [name, value, varint] of cases) {
    it(`KeyValue.version ${name} decodes from its varint and round-trips exactly`, () => {
      const body = vss.PutObjectRequest.encode({ transactionItems: [{ key: 'k', version: toLong(value) }] }).finish();
      // field 3 (len) { field 1 "k", field 2 varint }
      expect(toHex(body)).toBe(`1A${(4 + varint.length / 2).toString(16).padStart(2, '0').toUpperCase()}0A016B10${varint}`);
      expect(decodePutObjectRequest(body).transactionItems[0]!.version).toBe(value);
    });

    it(`global_version ${name} decodes exactly and is encoded exactly in a ListKeyVersionsResponse`, () => {
      const body = vss.PutObjectRequest.encode({ globalVersion: toLong(value) }).finish();
      expect(toHex(body)).toBe(`10${varint}`);
      expect(decodePutObjectRequest(body).globalVersion).toBe(value);
      const out = encodeListKeyVersionsResponse({ keyVersions: [], nextPageToken: '', globalVersion: value });
      expect(toHex(out)).toBe(`120018${varint}`);
      expect(toBigInt(vss.ListKeyVersionsResponse.decode(out).globalVersion as never)).toBe(value);
    });
  }

  describe('Long <-> bigint by bit arithmetic', () => {
    const edges: bigint[] = [
      0n,
      1n,
      -1n,
      2n ** 53n,
      -(2n ** 53n),
      2n ** 53n - 1n,
      -(2n ** 53n) + 1n,
      2n ** 53n + 1n,
      -(2n ** 53n) - 1n,
      2n ** 31n,
      -(2n ** 31n),
      2n ** 32n,
      -(2n ** 32n),
      2n ** 32n - 1n,
      2n ** 52n + 12345n,
      INT64_MAX,
      INT64_MIN,
      INT64_MIN + 1n,
      INT64_MAX - 1n,
    ];

    for (const v of edges) {
      it(`${v} has the halves long.js gives it and converts back exactly`, () => {
        const long = Long.fromString(v.toString());
        const mine = toLong(v);
        expect([mine.low, mine.high]).toEqual([long.low, long.high]);
        expect(toBigInt(mine)).toBe(v);
        expect(toBigInt(long)).toBe(v);
        // The varint on the wire is the one long.js produces.
        expect(toHex(vss.PutObjectRequest.encode({ globalVersion: mine }).finish())).toBe(
          toHex(vss.PutObjectRequest.encode({ globalVersion: long }).finish()),
        );
      });
    }

    it('agrees with long.js on 2,000 random 64-bit values, small and large', () => {
      const rand = prng(64);
      const u32 = () => BigInt(Math.floor(rand() * 2 ** 32));
      for (let i = 0; i < 2000; i++) {
        const wide = BigInt.asIntN(64, (u32() << 32n) | u32());
        const v = i % 2 === 0 ? wide : wide >> BigInt(11 + (i % 53)); // many within ±2^53 too
        const long = Long.fromString(v.toString());
        expect([toLong(v).low, toLong(v).high, toBigInt(long)]).toEqual([long.low, long.high, v]);
      }
    });

    it('decoded int64 fields read as their decimal value (toString, Number) for tools and tests', () => {
      const m = vss.PutObjectRequest.decode(vss.PutObjectRequest.encode({ globalVersion: toLong(INT64_MIN) }).finish());
      expect(m.globalVersion!.toString()).toBe(INT64_MIN.toString());
      expect(Number(vss.PutObjectRequest.decode(vss.PutObjectRequest.encode({ globalVersion: toLong(-42n) }).finish()).globalVersion)).toBe(
        -42,
      );
    });
  });

  it('a listed version i64::MAX and a GetObject version i64::MIN are encoded exactly', () => {
    const list = vss.ListKeyVersionsResponse.decode(
      encodeListKeyVersionsResponse({ keyVersions: [{ key: 'a', version: INT64_MAX }], nextPageToken: '' }),
    );
    expect(toBigInt(list.keyVersions[0]!.version as never)).toBe(INT64_MAX);
    const get = vss.GetObjectResponse.decode(bodyBytes(encodeGetObjectResponse({ key: 'a', version: INT64_MIN, value: new Uint8Array() })));
    expect(toBigInt(get.value!.version as never)).toBe(INT64_MIN);
  });
});

describe('presence (proto3 optional) is preserved on the wire', () => {
  it('an explicitly empty next_page_token is on the wire as bytes 12 00', () => {
    expect(toHex(encodeListKeyVersionsResponse({ keyVersions: [], nextPageToken: '' }))).toBe('1200');
  });

  it('an absent global_version is not on the wire and decodes as absent', () => {
    const out = encodeListKeyVersionsResponse({ keyVersions: [], nextPageToken: 'tok' });
    expect(toHex(out)).toBe(`1203${toHex(Buffer.from('tok'))}`);
    const m = vss.ListKeyVersionsResponse.decode(out);
    expect(m.globalVersion == null).toBe(true);
  });

  it('a present global_version 0 is on the wire (bytes 18 00) and decodes as present 0', () => {
    const out = encodeListKeyVersionsResponse({ keyVersions: [], nextPageToken: '', globalVersion: 0n });
    expect(toHex(out)).toBe('12001800');
    const m = vss.ListKeyVersionsResponse.decode(out);
    expect(m.globalVersion == null).toBe(false);
    expect(toBigInt(m.globalVersion as never)).toBe(0n);
  });

  it('listed key versions carry key and version but never a value', () => {
    const out = encodeListKeyVersionsResponse({ keyVersions: [{ key: 'k1', version: 3n }], nextPageToken: '' });
    expect(toHex(out)).toBe('0A060A026B3110031200');
  });

  it('PutObjectRequest: global_version absent decodes as undefined, present 0 decodes as 0n', () => {
    expect(decodePutObjectRequest(vss.PutObjectRequest.encode({ storeId: 's' }).finish()).globalVersion).toBeUndefined();
    const withZero = vss.PutObjectRequest.encode({ storeId: 's', globalVersion: toLong(0n) }).finish();
    expect(toHex(withZero)).toBe('0A01731000');
    expect(decodePutObjectRequest(withZero).globalVersion).toBe(0n);
  });

  it('ListKeyVersionsRequest: absent page_token/prefix/page_size decode as undefined, explicitly empty/zero as present', () => {
    expect(decodeListKeyVersionsRequest(hex('0A0173'))).toEqual({
      storeId: 's',
      keyPrefix: undefined,
      pageSize: undefined,
      pageToken: undefined,
    });
    // key_prefix "" (12 00), page_size 0 (18 00), page_token "" (22 00)
    expect(decodeListKeyVersionsRequest(hex('0A01731200180022 00'.replace(/ /g, '')))).toEqual({
      storeId: 's',
      keyPrefix: '',
      pageSize: 0,
      pageToken: '',
    });
  });

  it('DeleteObjectRequest: absent key_value decodes as undefined, an empty key_value as key "" version 0', () => {
    expect(decodeDeleteObjectRequest(hex('0A0173')).keyValue).toBeUndefined();
    const m = decodeDeleteObjectRequest(hex('0A01731200'));
    expect(m.keyValue).toBeDefined();
    expect(m.keyValue!.key).toBe('');
    expect(m.keyValue!.version).toBe(0n);
  });
});

describe('responses', () => {
  it('GetObjectResponse puts the KeyValue in field 2 (tag 0x12), byte-exact', () => {
    const out = bodyBytes(encodeGetObjectResponse({ key: 'k1', version: 1n, value: Buffer.from('v') }));
    // 12 09 { 0A 02 "k1" 10 01 1A 01 "v" }
    expect(toHex(out)).toBe('12090A026B3110011A0176');
  });

  it('GetObjectResponse of the unset global version (version 0, empty value) still carries field 2', () => {
    const out = bodyBytes(encodeGetObjectResponse({ key: 'global_version', version: 0n, value: new Uint8Array() }));
    expect(out[0]).toBe(0x12);
    const m = vss.GetObjectResponse.decode(out);
    expect(m.value).toBeTruthy();
    expect(m.value!.key).toBe('global_version');
  });

  it('GetObjectResponse of a large value is written around it, and the parts join into exactly what protobufjs encodes', () => {
    const lengths = [
      ANSWER_AROUND_VALUE_BYTES - 1,
      ANSWER_AROUND_VALUE_BYTES,
      ANSWER_AROUND_VALUE_BYTES + 1,
      127 * 1024,
      2 ** 21 + 3,
      5 * 1024 * 1024,
    ];
    const keys = ['', 'k', 'x'.repeat(127), 'y'.repeat(128), 'ü'.repeat(300)];
    const versions = [0n, 1n, 127n, 128n, -1n, INT64_MIN, INT64_MAX];
    let i = 0;
    for (const length of lengths) {
      for (const key of keys) {
        const version = versions[i++ % versions.length]!;
        const value = Buffer.alloc(length, i);
        const body = encodeGetObjectResponse({ key, version, value });
        const reference = vss.GetObjectResponse.encode({ value: { key, version: toLong(version), value } }).finish();
        expect(bodyLength(body)).toBe(reference.length);
        expect(
          Buffer.from(bodyBytes(body)).equals(Buffer.from(reference)),
          `${length} bytes, key of ${key.length}, version ${version}`,
        ).toBe(true);
        if (length >= ANSWER_AROUND_VALUE_BYTES) {
          // The value itself is the last part: not a copy.
          expect(Array.isArray(body)).toBe(true);
          expect((body as readonly Uint8Array[]).at(-1)).toBe(value);
        } else {
          expect(body).toBeInstanceOf(Uint8Array);
        }
      }
    }
  });

  it('GetObjectResponse of an all-default KeyValue (key "", version 0, empty value) is still bytes 12 00, never an empty body', () => {
    expect(toHex(bodyBytes(encodeGetObjectResponse({ key: '', version: 0n, value: new Uint8Array() })))).toBe('1200');
  });

  it('ErrorResponse{INTERNAL_SERVER_EXCEPTION, fixed message} is byte-exact and all bytes are below 0x80', () => {
    const out = encodeErrorResponse(ErrorCode.INTERNAL_SERVER_EXCEPTION, INTERNAL_ERROR_MESSAGE);
    expect(toHex(out)).toBe(`0803121E${toHex(Buffer.from('Unknown Server Error occurred.'))}`);
    expect([...out].every((b) => b < 0x80)).toBe(true);
  });
});

describe('undecodable bodies are 400 INVALID_REQUEST', () => {
  // GetObjectRequest{store_id: "s", key: <bytes>}
  const getWithKeyBytes = (b: number[]): Uint8Array => Uint8Array.from([0x0a, 0x01, 0x73, 0x12, b.length, ...b]);

  const invalidUtf8: [string, number[]][] = [
    ['a lone continuation byte', [0x80]],
    ['a truncated 2-byte sequence', [0x61, 0xc3]],
    ['an overlong encoding of "/"', [0xc0, 0xaf]],
    ['an encoded UTF-16 surrogate (CESU-8)', [0xed, 0xa0, 0x80]],
    ['byte 0xFF (the empty-key sort-key marker)', [0xff]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ];
  for (const [name, bytes] of invalidUtf8) {
    it(`a key containing ${name} is a decode error (400), not a mangled key`, () => {
      expectInvalidRequest(() => decodeGetObjectRequest(getWithKeyBytes(bytes)));
      expectInvalidRequest(() => decodeGetObjectRequest(Buffer.from(getWithKeyBytes(bytes))));
    });
  }

  it('invalid UTF-8 that is longer than 64 bytes (TextDecoder path) is a decode error too', () => {
    const bytes = [...Buffer.from('x'.repeat(70)), 0xed, 0xa0, 0x80];
    expectInvalidRequest(() => decodeGetObjectRequest(getWithKeyBytes(bytes)));
  });

  it('invalid UTF-8 in store_id, in a KeyValue key, in key_prefix and in page_token is a decode error', () => {
    expectInvalidRequest(() => decodeGetObjectRequest(hex('0A01FF')));
    expectInvalidRequest(() => decodePutObjectRequest(hex('1A030A01FF')));
    expectInvalidRequest(() => decodePutObjectRequest(hex('22030A01FF')));
    expectInvalidRequest(() => decodeDeleteObjectRequest(hex('12030A01FF')));
    expectInvalidRequest(() => decodeListKeyVersionsRequest(hex('1201FF')));
    expectInvalidRequest(() => decodeListKeyVersionsRequest(hex('2201FF')));
  });

  it('valid multi-byte UTF-8 (including a 4-byte emoji) decodes to the same string', () => {
    const key = 'ключ-😀-鍵';
    expect(decodeGetObjectRequest(vss.GetObjectRequest.encode({ key }).finish()).key).toBe(key);
  });

  it('a value with arbitrary non-UTF-8 bytes is fine (bytes field)', () => {
    const value = Uint8Array.from([0xff, 0x00, 0xed, 0xa0, 0x80]);
    const m = decodePutObjectRequest(vss.PutObjectRequest.encode({ transactionItems: [{ key: 'k', value }] }).finish());
    expect([...m.transactionItems[0]!.value]).toEqual([...value]);
  });

  const garbage: [string, string][] = [
    ['a golden vector truncated in the middle of a value', PUT_GOLDEN.slice(0, PUT_GOLDEN.length - 4)],
    ['a golden vector truncated inside the -1 varint', PUT_GOLDEN.slice(0, 30)],
    ['a length prefix larger than the body', '0A7F73'],
    ['a lone tag byte', '0A'],
    ['an unterminated varint', '10FFFFFF'],
    ['wire type 7 (invalid)', '0F'],
    ['field number 0', '0000'],
    ['an end-group tag without a start', '0C'],
  ];
  for (const [name, body] of garbage) {
    it(`${name} is a decode error (400) for every request type`, () => {
      const b = hex(body);
      expectInvalidRequest(() => decodePutObjectRequest(b));
      expectInvalidRequest(() => decodeGetObjectRequest(b));
      expectInvalidRequest(() => decodeDeleteObjectRequest(b));
      expectInvalidRequest(() => decodeListKeyVersionsRequest(b));
    });
  }

  it('an int64 or int32 varint longer than 10 bytes is a decode error', () => {
    expectInvalidRequest(() => decodePutObjectRequest(hex('10FFFFFFFFFFFFFFFFFFFF01'))); // global_version
    expectInvalidRequest(() => decodePutObjectRequest(hex('1A0D10FFFFFFFFFFFFFFFFFFFF01'))); // KeyValue.version
    expectInvalidRequest(() => decodeListKeyVersionsRequest(hex('18FFFFFFFFFFFFFFFFFFFF01'))); // page_size
  });

  it('an empty body decodes to all defaults', () => {
    const empty = new Uint8Array(0);
    expect(decodeGetObjectRequest(empty)).toEqual({ storeId: '', key: '' });
    expect(decodePutObjectRequest(empty)).toEqual({ storeId: '', globalVersion: undefined, transactionItems: [], deleteItems: [] });
    expect(decodeDeleteObjectRequest(empty)).toEqual({ storeId: '', keyValue: undefined });
    expect(decodeListKeyVersionsRequest(empty)).toEqual({ storeId: '', keyPrefix: undefined, pageSize: undefined, pageToken: undefined });
  });

  it('unknown fields are skipped (forward compatibility), not an error', () => {
    // GetObjectRequest golden + field 9 varint 1 + field 10 "x"
    expect(decodeGetObjectRequest(hex(`${GET_GOLDEN}4801520178`))).toEqual({ storeId: 'storeId', key: 'k1' });
  });
});

describe('through the service: undecodable bodies are answered 400 INVALID_REQUEST_EXCEPTION', () => {
  const untouchable: KeyValueStore = {
    get: () => Promise.reject(new Error('store must not be called')),
    write: () => Promise.reject(new Error('store must not be called')),
    deleteIfVersion: () => Promise.reject(new Error('store must not be called')),
    list: () => Promise.reject(new Error('store must not be called')),
  };
  const service = new VssProtocol(untouchable);
  const ops: Operation[] = ['getObject', 'putObjects', 'deleteObject', 'listKeyVersions'];

  for (const op of ops) {
    it(`${op}: invalid UTF-8 in store_id → 400 INVALID_REQUEST_EXCEPTION with vss-protocol-version 0, store untouched`, async () => {
      const r = await service.handle(op, hex('0A02C328'), 'user');
      expect(r.status).toBe(400);
      expect(r.headers['vss-protocol-version']).toBe('0');
      const e = vss.ErrorResponse.decode(bodyBytes(r.body));
      expect(e.errorCode).toBe(ErrorCode.INVALID_REQUEST_EXCEPTION);
      expect(e.message).toMatch(/parsing request/i);
    });

    it(`${op}: a truncated body → 400 INVALID_REQUEST_EXCEPTION, store untouched`, async () => {
      const r = await service.handle(op, hex('0A0773746F72'), 'user');
      expect(r.status).toBe(400);
      expect(vss.ErrorResponse.decode(bodyBytes(r.body)).errorCode).toBe(ErrorCode.INVALID_REQUEST_EXCEPTION);
    });
  }

  it('getObject with an empty body is processed as key "" in store "" (404 from the store, not 400)', async () => {
    const seen: unknown[] = [];
    const store: KeyValueStore = {
      ...untouchable,
      get: (scope, key) => {
        seen.push({ scope, key });
        return Promise.resolve(undefined);
      },
    };
    const r = await new VssProtocol(store).handle('getObject', new Uint8Array(0), 'user');
    expect(r.status).toBe(404);
    expect(vss.ErrorResponse.decode(bodyBytes(r.body)).errorCode).toBe(ErrorCode.NO_SUCH_KEY_EXCEPTION);
    expect(seen).toEqual([{ scope: { userToken: 'user', storeId: '' }, key: '' }]);
  });
});

describe('the committed static codec matches proto/vss.proto (drift guard)', () => {
  it('regenerating with the command of scripts/gen-proto.sh gives byte-identical vss.js and vss.d.ts', () => {
    const root = resolve(import.meta.dirname, '../..');
    const script = readFileSync(join(root, 'scripts/gen-proto.sh'), 'utf8');
    // Keep this test honest: it must run the same pbjs flags as the script.
    const flags = '-t static-module -w es6 --force-long --no-create --no-verify --no-convert --no-delimited --no-typeurl';
    expect(script.replace(/\\\n\s*/g, '')).toContain(`npx pbjs ${flags} proto/vss.proto -o "$out/vss.js"`);
    expect(script).toContain('npx pbts "$out/vss.js" -o "$out/vss.d.ts"');

    const dir = mkdtempSync(join(tmpdir(), 'vss-gen-'));
    try {
      const bin = (name: string): string => join(root, 'node_modules/.bin', name);
      execFileSync(bin('pbjs'), [...flags.split(' '), 'proto/vss.proto', '-o', join(dir, 'vss.js')], { cwd: root, stdio: 'pipe' });
      execFileSync(bin('pbts'), [join(dir, 'vss.js'), '-o', join(dir, 'vss.d.ts')], { cwd: root, stdio: 'pipe' });
      const fresh = readFileSync(join(dir, 'vss.js'), 'utf8');
      expect(fresh.length).toBeGreaterThan(1000);
      expect(
        fresh === readFileSync(join(root, 'lambda/core/generated/vss.js'), 'utf8'),
        'lambda/core/generated/vss.js drifted: run scripts/gen-proto.sh',
      ).toBe(true);
      expect(
        readFileSync(join(dir, 'vss.d.ts'), 'utf8') === readFileSync(join(root, 'lambda/core/generated/vss.d.ts'), 'utf8'),
        'lambda/core/generated/vss.d.ts drifted: run scripts/gen-proto.sh',
      ).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
