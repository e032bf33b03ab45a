/**
 * Layering: the CDK library loads no request-handling code. Walks the import graph of lib/index.ts
 * (imports that survive compilation; `import type` loads nothing) and checks what it reaches: from
 * lambda/ only the contract and constant modules that import nothing; from npm only the CDK,
 * constructs and the schema library — never the AWS SDK, jose, protobufjs or Powertools.
 */
import { existsSync, readFileSync } from 'node:fs';
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

  it('lib/index.ts exports the public API by name, never with export *', () => {
    const index = readFileSync(path.join(PROJECT_ROOT, 'lib', 'index.ts'), 'utf8');
    expect(index).not.toMatch(/export\s+\*/);
    expect(index).not.toMatch(/from '\.\.\/lambda|from '\.\/private\/(?!schema)/);
  });
});
