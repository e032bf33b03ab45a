/**
 * The bundling's second esbuild run (lib/private/functions.ts valueBucketModuleCommands): it
 * builds the S3 client's file beside index.mjs only when index.mjs imports it, with the bundle
 * settings of index.mjs, using the project's esbuild locally and the image's in Docker. The local
 * command is run for real here; the whole pipeline is test/infra/bundles.test.ts's subject.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AssetStaging } from 'aws-cdk-lib';
import { afterEach, describe, expect, it } from 'vitest';
import { LAZY_VALUE_BUCKET_MODULE } from '../../lambda/contract.js';
import { BUNDLING, ESM_REQUIRE_SHIM, PROJECT_ROOT, valueBucketModuleCommands } from '../../lib/private/functions.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** An output directory holding an index.mjs with `code`. */
function outputDir(code: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'vss-value-bucket-module-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'index.mjs'), code);
  return dir;
}

const run = (commands: string[]) => {
  for (const c of commands) execFileSync('bash', ['-c', c], { cwd: PROJECT_ROOT, stdio: 'pipe' });
};

describe('the value-bucket module of a bundle', () => {
  it('index.mjs names it as the file beside it, and does not bundle it', () => {
    const file = `./${LAZY_VALUE_BUCKET_MODULE.file}`;
    expect(BUNDLING.define).toEqual({ [LAZY_VALUE_BUCKET_MODULE.constant]: JSON.stringify(file) });
    expect(BUNDLING.externalModules).toEqual([file]);
    expect(BUNDLING.commandHooks?.afterBundling('in', 'out')).toEqual(valueBucketModuleCommands('in', 'out'));
  });

  it('is built beside an index.mjs that imports it: minified ESM with the require shim, the S3 client inside', () => {
    const dir = outputDir(`const m = () => import("./${LAZY_VALUE_BUCKET_MODULE.file}");`);
    run(valueBucketModuleCommands(PROJECT_ROOT, dir));
    const code = readFileSync(path.join(dir, LAZY_VALUE_BUCKET_MODULE.file), 'utf8');
    expect(code.startsWith(ESM_REQUIRE_SHIM)).toBe(true);
    expect(code.split('\n').length).toBeLessThan(200);
    const sources = (JSON.parse(readFileSync(path.join(dir, `${LAZY_VALUE_BUCKET_MODULE.file}.map`), 'utf8')) as { sources: string[] })
      .sources;
    expect(sources.some((s) => s.includes('node_modules/@aws-sdk/client-s3/'))).toBe(true);
    // The stand-ins of index.mjs apply here too (lambda/bundle-aliases).
    expect(sources.some((s) => s.includes('node_modules/@aws-sdk/credential-provider-node/'))).toBe(false);
    expect(sources.some((s) => s.endsWith('lambda/bundle-aliases/credential-provider-node.ts'))).toBe(true);
  }, 120_000);

  it('is not built beside an index.mjs that does not import it (the authorizers)', () => {
    const dir = outputDir('export const handler = async () => ({});');
    run(valueBucketModuleCommands(PROJECT_ROOT, dir));
    expect(existsSync(path.join(dir, LAZY_VALUE_BUCKET_MODULE.file))).toBe(false);
  });

  it("in Docker bundling, the image's esbuild builds it from the mounted project", () => {
    const [command] = valueBucketModuleCommands(AssetStaging.BUNDLING_INPUT_DIR, AssetStaging.BUNDLING_OUTPUT_DIR);
    expect(command).toContain(`then esbuild '--bundle' '${AssetStaging.BUNDLING_INPUT_DIR}/${LAZY_VALUE_BUCKET_MODULE.entry}'`);
    expect(command).toContain(`'--outfile=${AssetStaging.BUNDLING_OUTPUT_DIR}/${LAZY_VALUE_BUCKET_MODULE.file}'`);
    expect(command).not.toContain('npx');
  });
});
