/**
 * Layering.
 *
 * The CDK library loads no request-handling code. Walks the import graph of lib/index.ts
 * (imports that survive compilation; `import type` loads nothing) and checks what it reaches: from
 * lambda/ only the contract and constant modules that import nothing; from npm only the CDK,
 * constructs and the schema library — never the AWS SDK, jose, protobufjs or Powertools.
 *
 * Inside lambda/, lower layers never import higher ones (type imports count: a type is a
 * dependency too):
 *
 *   core ← store ← provider ← request-path ← handlers
 *   core ← auth ─────────────↗
 *
 * auth (who the user is) sits beside store: it needs only the core's errors, and the request path
 * is the first layer that knows both. contract.ts imports nothing and is open to every layer.
 * Nothing outside lambda/handlers/ imports handlers/ (the Lambda entry points and their
 * Powertools observers): not the other lambda/ layers, not local/, cli/, client/, lib/ or bin/.
 * Only the tests and benchmarks drive the deployed entry points directly.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/private/functions.js';

const RUNTIME_IMPORT = /^\s*(?:import|export)\s+(?!type\b)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

/** The modules a file loads at run time: relative files (resolved) and package names. */
function runtimeImports(file: string): { files: string[]; packages: string[] } {
  const source = readFileSync(file, 'utf8');
  const files: string[] = [];
  const packages: string[] = [];
  for (const m of source.matchAll(RUNTIME_IMPORT)) {
    // `import { type A, type B } from` loads the module too (the statement stays), so only a
    // leading `type` keyword marks an erased import.
    const spec = m[1]!;
    if (spec.startsWith('.')) {
      const ts = path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts'));
      files.push(existsSync(ts) ? ts : path.resolve(path.dirname(file), spec)); // generated code is .js
    } else packages.push(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
  }
  return { files, packages };
}

function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    if (!file.endsWith('.ts')) continue; // generated JavaScript: a leaf here
    const found = runtimeImports(file);
    for (const p of found.packages) packages.add(p);
    todo.push(...found.files);
  }
  return { files, packages };
}

const rel = (f: string) => path.relative(PROJECT_ROOT, f);

/** Every module a file names: static imports and re-exports (type-only included), dynamic import(). */
const ANY_IMPORT = /(?:^\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?|\bimport\(\s*)['"]([^'"]+)['"]/gm;

/** The project files (relative paths) a file depends on, type-only imports included. */
function dependencies(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of source.matchAll(ANY_IMPORT)) {
    const spec = m[1]!;
    if (!spec.startsWith('.')) continue;
    out.push(rel(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts'))));
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  const abs = path.join(PROJECT_ROOT, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => rel(path.join(e.parentPath, e.name)));
}

/** The layer of a lambda/ module: its directory under lambda/, or `contract` for lambda/contract.ts. */
function layerOf(file: string): string | undefined {
  if (file === 'lambda/contract.ts') return 'contract';
  const m = /^lambda\/([^/]+)\//.exec(file);
  return m?.[1];
}

/** What each layer may import besides itself and the contract. */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  core: [],
  store: ['core'],
  auth: ['core'],
  provider: ['core', 'store'],
  'request-path': ['core', 'store', 'auth', 'provider'],
  handlers: ['core', 'store', 'auth', 'provider', 'request-path'],
  // esbuild stand-ins for npm packages (lambda/bundle-aliases/README.md): they import no project code.
  'bundle-aliases': [],
};

/** The imports that break the layering, as `from → to`. */
function layeringViolations(edges: ReadonlyArray<readonly [from: string, to: string]>): string[] {
  const bad: string[] = [];
  for (const [from, to] of edges) {
    const toLayer = layerOf(to);
    if (toLayer === 'handlers' && layerOf(from) !== 'handlers') {
      bad.push(`${from} → ${to}`);
      continue;
    }
    const fromLayer = layerOf(from);
    if (fromLayer === undefined || toLayer === undefined) continue; // outside lambda/: only the handlers rule
    const allowed = MAY_IMPORT[fromLayer];
    if (allowed === undefined) bad.push(`${from}: lambda/${fromLayer}/ is not a known layer`);
    else if (toLayer !== fromLayer && toLayer !== 'contract' && !allowed.includes(toLayer)) bad.push(`${from} → ${to}`);
  }
  return bad;
}

/** The production code: lambda/, local/, cli/, client/, lib/, bin/. */
const productionFiles = (): string[] => ['lambda', 'local', 'cli', 'client', 'lib', 'bin'].flatMap(sourceFiles);

/** Every import edge among the given files. */
const edgesOf = (files: readonly string[]): Array<readonly [string, string]> =>
  files.flatMap((f) => dependencies(path.join(PROJECT_ROOT, f)).map((to) => [f, to] as const));

describe('layering', () => {
  const graph = importGraph(path.join(PROJECT_ROOT, 'lib', 'index.ts'));

  it('lib/ loads from lambda/ only the contract and constant modules that import nothing', () => {
    const lambdaModules = [...graph.files]
      .map(rel)
      .filter((f) => f.startsWith('lambda/'))
      .sort();
    expect(lambdaModules).toEqual(['lambda/contract.ts', 'lambda/core/limits.ts', 'lambda/store/table-layout.ts']);
    for (const f of lambdaModules) expect(runtimeImports(path.join(PROJECT_ROOT, f)), f).toEqual({ files: [], packages: [] });
  });

  it('lib/ loads no SDK, jose, protobuf or Powertools code: only the CDK, constructs, valibot and Node built-ins', () => {
    const external = [...graph.packages].filter((p) => !p.startsWith('node:')).sort();
    expect(external).toEqual(['aws-cdk-lib', 'constructs', 'valibot']);
  });

  it('the walk sees through re-exports and skips erased type imports (the check is live)', () => {
    const handler = importGraph(path.join(PROJECT_ROOT, 'lambda', 'handlers', 'getObject.ts'));
    expect([...handler.packages]).toEqual(expect.arrayContaining(['@aws-sdk/client-dynamodb', 'protobufjs']));
    expect(runtimeImports(path.join(PROJECT_ROOT, 'lib', 'functions.ts')).files).toEqual([]);
  });

  it('inside lambda/, lower layers never import higher ones, and nothing outside lambda/handlers/ imports handlers/', () => {
    const files = productionFiles();
    const edges = edgesOf(files);
    // The walk sees the code: every layer and the top-level doors (local/, cli/) are in it.
    for (const layer of Object.keys(MAY_IMPORT))
      expect(
        files.some((f) => layerOf(f) === layer),
        layer,
      ).toBe(true);
    expect(edges.some(([from, to]) => from.startsWith('local/') && to.startsWith('lambda/request-path/'))).toBe(true);
    expect(layeringViolations(edges)).toEqual([]);
  });

  it('the layering check flags an import upwards, an import of handlers/ from anywhere else, and an unknown layer', () => {
    expect(
      layeringViolations([
        ['lambda/core/service.ts', 'lambda/store/keys.ts'],
        ['lambda/store/keys.ts', 'lambda/auth/jwt.ts'],
        ['lambda/provider/events.ts', 'lambda/handlers/request-log-fields.ts'],
        ['cli/commands/admin/index.ts', 'lambda/handlers/request-log-fields.ts'],
        ['local/app.ts', 'lambda/handlers/api-gateway.ts'],
        ['lambda/elsewhere/x.ts', 'lambda/core/errors.ts'],
        ['lambda/request-path/compose.ts', 'lambda/provider/provider.ts'],
        ['lambda/handlers/runtime.ts', 'lambda/handlers/observability.ts'],
        ['lambda/auth/jwt.ts', 'lambda/contract.ts'],
      ]),
    ).toEqual([
      'lambda/core/service.ts → lambda/store/keys.ts',
      'lambda/store/keys.ts → lambda/auth/jwt.ts',
      'lambda/provider/events.ts → lambda/handlers/request-log-fields.ts',
      'cli/commands/admin/index.ts → lambda/handlers/request-log-fields.ts',
      'local/app.ts → lambda/handlers/api-gateway.ts',
      'lambda/elsewhere/x.ts: lambda/elsewhere/ is not a known layer',
    ]);
  });

  it('the protocol core knows nothing of AWS: no SDK, Lambda types or Powertools, even as types', () => {
    const aws = /['"](@aws-sdk\/[^'"]+|@smithy\/[^'"]+|aws-lambda|@aws-lambda-powertools\/[^'"]+)['"]/;
    const offenders = sourceFiles('lambda/core').filter((f) => aws.test(readFileSync(path.join(PROJECT_ROOT, f), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('lib/index.ts exports the public API by name, never with export *', () => {
    const index = readFileSync(path.join(PROJECT_ROOT, 'lib', 'index.ts'), 'utf8');
    expect(index).not.toMatch(/export\s+\*/);
    expect(index).not.toMatch(/from '\.\.\/lambda|from '\.\/private\/(?!schema)/);
  });
});
