/**
 * The construct as others consume it: the example app in examples/ imports `vss-aws` by its
 * package name, which resolves through package.json `exports` to the built output in dist/ — so
 * this builds the library first, then synthesizes the example in its own process (bundling
 * skipped: bundles.test.ts proves those).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/private/functions.js';

describe('examples/basic (the construct from its built package)', () => {
  it('npm run build:lib emits JS and declarations, and the example app synthesizes from them', () => {
    const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0);
    const pkg = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      exports: { '.': { import: string; types: string } };
    };
    for (const file of [pkg.exports['.'].import, pkg.exports['.'].types])
      expect(() => readFileSync(path.join(PROJECT_ROOT, file))).not.toThrow();

    const out = mkdtempSync(path.join(tmpdir(), 'vss-example-'));
    try {
      const r = spawnSync('npx', ['tsx', 'examples/basic/app.ts'], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, CDK_OUTDIR: out, CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [] }) },
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
      const template = JSON.parse(readFileSync(path.join(out, 'WalletBackend.template.json'), 'utf8')) as {
        Resources: Record<string, { Type: string }>;
      };
      const types = Object.values(template.Resources).map((res) => res.Type);
      for (const type of [
        'AWS::DynamoDB::Table',
        'AWS::KMS::Key',
        'AWS::ApiGateway::RestApi',
        'AWS::Lambda::Function',
        'AWS::WAFv2::WebACL',
        'AWS::SNS::Topic',
      ]) {
        expect(types, type).toContain(type);
      }
      // The handlers' entries were found from the built package (dist/ → the package root).
      const metadata = readFileSync(path.join(out, 'WalletBackend.template.json'), 'utf8');
      expect(metadata).not.toMatch(/dist\/lambda\/handlers/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 240_000);
});
