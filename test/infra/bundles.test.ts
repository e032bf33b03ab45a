/**
 * Every function's bundle builds through the real NodejsFunction pipeline (local esbuild, no
 * Docker) and exports `handler`; the bundles are ESM, minified, with source maps, and carry the
 * AWS SDK inside instead of relying on the runtime's copy.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VssAuth } from '../../lib/auth.js';
import type { VssFunctionName } from '../../lib/functions.js';
import { ESM_REQUIRE_SHIM, HANDLER_ENTRIES, PROJECT_ROOT } from '../../lib/private/functions.js';
import { functionLogicalId, resourcesOf, synth, type Synthesized } from './support.js';

const present = (Object.keys(HANDLER_ENTRIES) as VssFunctionName[]).filter((n) => existsSync(path.join(PROJECT_ROOT, HANDLER_ENTRIES[n])));

describe('function bundles', () => {
  let s: Synthesized;
  const bundleDir: Partial<Record<VssFunctionName, string>> = {};

  beforeAll(() => {
    // jwt + LNURL-auth deploys every function there is: one bundling pass covers all of them.
    s = synth({ auth: VssAuth.jwt(), lnurlAuth: {} }, { bundle: true });
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
    for (const op of ['getObject', 'putObjects', 'deleteObject', 'listKeyVersions'] as const) expect(present).toContain(op);
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

    it.runIf(present.includes(name))(`${name}: bundle exports handler`, async () => {
      const mod = (await import(pathToFileURL(path.join(bundleDir[name]!, 'index.mjs')).href)) as { handler?: unknown };
      expect(typeof mod.handler).toBe('function');
    });
  }
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
