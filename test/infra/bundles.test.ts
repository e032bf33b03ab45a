/**
 * Every function's bundle builds through the real NodejsFunction pipeline (local esbuild, no
 * Docker) and exports `handler`; the bundles are ESM, minified, with source maps, and carry the
 * AWS SDK inside instead of relying on the runtime's copy. The four operation functions stay
 * within the cold-start budget of docs/performance.md: at most API_BUNDLE_BUDGET_BYTES, and none of
 * the packages they were cut loose from (X-Ray SDK, credential chain, @noble/curves, long.js, and
 * the S3 client, which sits in a file of its own beside index.mjs and is loaded on the first large
 * value); and with those stand-ins they serve real requests on a local engine and object store,
 * small values without the S3 client's file, large ones through it.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { API_BUNDLE_BUDGET_BYTES, NOT_IN_API_BUNDLES, VALUE_BUCKET_MODULE_BUDGET_BYTES } from '../../bench/budgets.js';
import { VssAuth } from '../../lib/auth.js';
import type { VssFunctionName } from '../../lib/functions.js';
import { ESM_REQUIRE_SHIM, HANDLER_ENTRIES, PROJECT_ROOT } from '../../lib/private/functions.js';
import { LAZY_VALUE_BUCKET_MODULE } from '../../lambda/contract.js';
import { ErrorCode } from '../../lambda/core/errors.js';
import { localClient } from '../../local/engines.js';
import { ensureTable } from '../../local/table.js';
import { kv, vss, primaryEngine } from '../support/local-vss.js';
import { startTestObjectStore, type TestObjectStore } from '../support/s3.js';
import { functionLogicalId, resourcesOf, synth, type Synthesized } from './support.js';

const OPERATIONS: readonly VssFunctionName[] = ['getObject', 'putObjects', 'deleteObject', 'listKeyVersions'];
const present = (Object.keys(HANDLER_ENTRIES) as VssFunctionName[]).filter((n) => existsSync(path.join(PROJECT_ROOT, HANDLER_ENTRIES[n])));

describe('function bundles', () => {
  let s: Synthesized;
  const bundleDir: Partial<Record<VssFunctionName, string>> = {};

  beforeAll(() => {
    // jwt + LNURL-auth + backup deploys every function there is: one bundling pass covers all of them.
    s = synth({ auth: VssAuth.jwt(), lnurlAuth: {}, backup: {} }, { bundle: true });
    const outdir = s.app.outdir;
    for (const name of present) {
      const fn = resourcesOf(s.template, 'AWS::Lambda::Function')[functionLogicalId(s.template, name)]!;
      const key = (fn.Properties!['Code'] as { S3Key: string }).S3Key;
      bundleDir[name] = path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
    }
  }, 180_000);

  afterAll(() => {
    if (s) rmSync(s.app.outdir, { recursive: true, force: true });
  });

  it('the four VSS operation handlers exist', () => {
    for (const op of OPERATIONS) expect(present).toContain(op);
  });

  for (const name of Object.keys(HANDLER_ENTRIES) as VssFunctionName[]) {
    it.runIf(present.includes(name))(`${name}: bundle builds as minified ESM with a source map and the require shim`, () => {
      const dir = bundleDir[name]!;
      const code = readFileSync(path.join(dir, 'index.mjs'), 'utf8');
      expect(code.startsWith(ESM_REQUIRE_SHIM)).toBe(true);
      expect(existsSync(path.join(dir, 'index.mjs.map'))).toBe(true);
      expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
      // Minified: very long lines, few of them.
      expect(code.split('\n').length).toBeLessThan(200);
      // The AWS SDK is bundled, not imported from the runtime: no static import of it remains, and
      // the only require() left are the SDK's own optional CRT/SigV4a probes (inside try/catch).
      expect(/(?:^|[;\s])import[^;]*?from\s*["']@aws-sdk\//.test(code), 'static @aws-sdk import').toBe(false);
      const requires = [...code.matchAll(/require\(["'](@aws-sdk\/[^"']+)["']/g)].map((m) => m[1]);
      expect(requires.filter((r) => !/^@aws-sdk\/(signature-v4-crt|signature-v4a)$/.test(r!))).toEqual([]);
      if (name !== 'jwtAuthorizer') expect(code.includes('DynamoDB_20120810'), 'DynamoDB client bundled').toBe(true);
      expect(statSync(path.join(dir, 'index.mjs')).size).toBeLessThan(5 * 1024 * 1024);
    });

    if (OPERATIONS.includes(name)) {
      it(`${name}: bundle is within the ${API_BUNDLE_BUDGET_BYTES / 1024} KiB budget and carries none of the cut packages`, () => {
        const dir = bundleDir[name]!;
        expect(statSync(path.join(dir, 'index.mjs')).size).toBeLessThanOrEqual(API_BUNDLE_BUDGET_BYTES);
        const sources = (JSON.parse(readFileSync(path.join(dir, 'index.mjs.map'), 'utf8')) as { sources: string[] }).sources;
        expect(
          sources.some((s) => s.includes('node_modules/@aws-sdk/client-dynamodb/')),
          'source map lists the bundled packages',
        ).toBe(true);
        expect(sources.filter((s) => NOT_IN_API_BUNDLES.some((p) => s.includes(p)))).toEqual([]);
      });
    }

    it.runIf(present.includes(name))(
      `${name}: the S3 client is in ${LAZY_VALUE_BUCKET_MODULE.file} beside index.mjs when index.mjs imports it, never in index.mjs`,
      () => {
        const dir = bundleDir[name]!;
        const code = readFileSync(path.join(dir, 'index.mjs'), 'utf8');
        const imports = code.includes(`import("./${LAZY_VALUE_BUCKET_MODULE.file}")`);
        // Everything that serves values or sweeps them can reach the value bucket; the authorizers cannot.
        expect(imports).toBe(!['jwtAuthorizer', 'lnurlAuth'].includes(name));
        const indexSources = (JSON.parse(readFileSync(path.join(dir, 'index.mjs.map'), 'utf8')) as { sources: string[] }).sources;
        expect(indexSources.filter((s) => s.includes('node_modules/@aws-sdk/client-s3/'))).toEqual([]);
        const lazy = path.join(dir, LAZY_VALUE_BUCKET_MODULE.file);
        expect(existsSync(lazy)).toBe(imports);
        if (!imports) return;
        const lazyCode = readFileSync(lazy, 'utf8');
        expect(lazyCode.startsWith(ESM_REQUIRE_SHIM)).toBe(true);
        expect(lazyCode.split('\n').length).toBeLessThan(200);
        expect(/(?:^|[;\s])import[^;]*?from\s*["']@aws-sdk\//.test(lazyCode), 'static @aws-sdk import').toBe(false);
        const lazySources = (JSON.parse(readFileSync(`${lazy}.map`, 'utf8')) as { sources: string[] }).sources;
        expect(lazySources.some((s) => s.includes('node_modules/@aws-sdk/client-s3/'))).toBe(true);
        expect(lazySources.some((s) => s.endsWith(LAZY_VALUE_BUCKET_MODULE.entry))).toBe(true);
        // The same stand-ins as index.mjs.
        expect(lazySources.filter((s) => NOT_IN_API_BUNDLES.some((p) => !p.includes('client-s3') && s.includes(p)))).toEqual([]);
        expect(statSync(lazy).size).toBeLessThanOrEqual(VALUE_BUCKET_MODULE_BUDGET_BYTES);
      },
    );

    it.runIf(present.includes(name))(`${name}: bundle exports handler`, async () => {
      const mod = (await import(pathToFileURL(path.join(bundleDir[name]!, 'index.mjs')).href)) as { handler?: unknown };
      expect(typeof mod.handler).toBe('function');
    });
  }

  describe('operation bundles against a real engine and object store', () => {
    // The bundles run with their stand-ins (bundle-aliases: env credentials, codec's Int64) and the
    // AWS SDK inside them, as on Lambda: only the endpoints differ (AWS_ENDPOINT_URL_DYNAMODB,
    // AWS_ENDPOINT_URL_S3). Values above the threshold go to the value bucket through the S3
    // client's own file, which small values never need.
    const handlers: Partial<Record<VssFunctionName, (event: unknown) => Promise<{ statusCode: number; body: string }>>> = {};
    const saved = { ...process.env };
    let objects: TestObjectStore;

    beforeAll(async () => {
      const engine = primaryEngine();
      const tableName = `bundles-${Date.now()}`;
      await ensureTable(localClient(engine.endpoint), tableName);
      objects = await startTestObjectStore();
      Object.assign(process.env, {
        AWS_ENDPOINT_URL_DYNAMODB: engine.endpoint,
        AWS_ENDPOINT_URL_S3: objects.endpoint,
        AWS_REGION: 'us-east-1',
        // The embedded object store knows one access key, its own name; the engines take any.
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
        AWS_SESSION_TOKEN: 'local-session',
        VSS_TABLE_NAME: tableName,
        VSS_S3_BUCKET: objects.bucket,
        VSS_AUTH_MODE: 'jwt', // the user comes from the authorizer context
      });
      // The handlers log a line and an EMF blob per request: not this test's subject.
      vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      for (const name of OPERATIONS) {
        handlers[name] = (
          (await import(pathToFileURL(path.join(bundleDir[name]!, 'index.mjs')).href)) as { handler: (typeof handlers)[VssFunctionName] }
        ).handler;
      }
    });

    afterAll(async () => {
      process.env = saved;
      vi.restoreAllMocks();
      await objects?.stop();
    });

    const call = async (op: VssFunctionName, body: Uint8Array) => {
      const r = await handlers[op]!({
        httpMethod: 'POST',
        headers: {},
        body: Buffer.from(body).toString('base64'),
        isBase64Encoded: true,
        requestContext: { requestId: 'r', authorizer: { userToken: 'bundle-user' } },
      });
      return { status: r.statusCode, body: Buffer.from(r.body, 'base64') };
    };

    /** Put, get, list and delete of one value through the four bundles. */
    const roundTrip = async (key: string, value: Buffer) => {
      const put = await call('putObjects', vss.PutObjectRequest.encode({ storeId: 's', transactionItems: [kv(key, 0, value)] }).finish());
      expect(put.status, put.status === 200 ? '' : JSON.stringify(vss.ErrorResponse.decode(put.body))).toBe(200);
      const got = vss.GetObjectResponse.decode((await call('getObject', vss.GetObjectRequest.encode({ storeId: 's', key }).finish())).body);
      expect(got.value!.version!.toString()).toBe('1');
      expect(Buffer.from(got.value!.value!).equals(value)).toBe(true);
      const list = vss.ListKeyVersionsResponse.decode(
        (await call('listKeyVersions', vss.ListKeyVersionsRequest.encode({ storeId: 's' }).finish())).body,
      );
      expect(list.keyVersions.map((k) => [k.key, k.version!.toString()])).toEqual([[key, '1']]);
      expect((await call('deleteObject', vss.DeleteObjectRequest.encode({ storeId: 's', keyValue: kv(key, 1) }).finish())).status).toBe(
        200,
      );
      const gone = await call('getObject', vss.GetObjectRequest.encode({ storeId: 's', key }).finish());
      expect(gone.status).toBe(404);
      expect(vss.ErrorResponse.decode(gone.body).errorCode).toBe(ErrorCode.NO_SUCH_KEY_EXCEPTION);
    };

    it('a small value: put, get, list and delete through the four bundles with no S3 client file and no S3 request', async () => {
      // Without the file, any import of it would fail the request: none of these may need it.
      const files = OPERATIONS.map((op) => path.join(bundleDir[op]!, LAZY_VALUE_BUCKET_MODULE.file));
      for (const f of files) renameSync(f, `${f}.away`);
      try {
        objects.requests.clear();
        await roundTrip('small', Buffer.alloc(1024, 3));
        expect([...objects.requests.values()].reduce((a, b) => a + b, 0)).toBe(0);
      } finally {
        for (const f of files) renameSync(`${f}.away`, f);
      }
    }, 60_000);

    it('a 500 KB value: put, get, list and delete through the four bundles, its bytes in the value bucket', async () => {
      objects.requests.clear();
      await roundTrip('large', Buffer.alloc(500 * 1024, 7));
      expect(objects.requests.get('PUT')).toBe(1);
      expect(objects.requests.get('GET')).toBe(1);
    }, 60_000);
  });
});

/** Every Lambda entry point in lambda/handlers is deployed (and so bundle-tested above): no dead handlers. */
const HANDLERS_DIR = path.join(PROJECT_ROOT, 'lambda', 'handlers');
const wired = new Set(Object.values(HANDLER_ENTRIES).map((e) => path.basename(e)));

describe('handler files', () => {
  it('every file in lambda/handlers that exports a handler is deployed by the construct', () => {
    const entryPoints = readdirSync(HANDLERS_DIR).filter((f) =>
      /export\s+(const|async function|function)\s+handler\b/.test(readFileSync(path.join(HANDLERS_DIR, f), 'utf8')),
    );
    expect(entryPoints.length).toBeGreaterThanOrEqual(7);
    expect(entryPoints.filter((f) => !wired.has(f))).toEqual([]);
  });
});
