/**
 * Cold start of the VSS operation functions: bundle size and module init over an empty bundle's.
 *
 * The bundles are built by the CDK's own NodejsFunction pipeline with the stack's bundling options
 * (BUNDLING from lib/private/functions.ts, plus an esbuild metafile for the size breakdown), runtime and
 * architecture; the baseline is an empty handler built the same way. Module init is timed in a
 * fresh `node` process per sample, with the stack's NODE_OPTIONS, as Lambda's init phase imports
 * the handler module. Rounds interleave the baseline with every bundle (order rotated each round);
 * each bundle's figure is the per-round difference to the baseline: median and range.
 *
 * The S3 client is not in index.mjs: a function loads it from a file of its own when a request
 * first touches a value above the threshold (LAZY_VALUE_BUCKET_MODULE in lambda/contract.ts). Its
 * load is timed too, in the same rounds: import() of that file in a process that has already
 * imported putObjects' index.mjs, the cost the first large value pays once per environment.
 *
 * BENCH_BASELINE_TREE names another copy of this repository (e.g. `git archive main` unpacked,
 * with node_modules linked): its four operation bundles, built with its own BUNDLING, join the
 * same rounds, so a change is measured against what it replaces under the same load, and each
 * of this tree's bundles is reported as a per-round ratio to that tree's.
 *
 *   npx tsx bench/cold-start.ts            (BENCH_ROUNDS, default 15; BENCH_BASELINE_TREE)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { LAZY_VALUE_BUCKET_MODULE } from '../lambda/contract.js';
import { BUNDLING, HANDLER_ENTRIES, LAMBDA_RUNTIME, PROJECT_ROOT } from '../lib/private/functions.js';
import { API_BUNDLE_BUDGET_BYTES, API_INIT_BUDGET_MS } from './budgets.js';
import { fmt, summarize } from './stats.js';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 15);
const OPERATIONS = ['getObject', 'putObjects', 'deleteObject', 'listKeyVersions'] as const;
const BASELINE = 'empty';
const ENTRIES: Record<string, string> = {
  [BASELINE]: 'bench/fixtures/empty-handler.ts',
  ...Object.fromEntries(OPERATIONS.map((op) => [op, HANDLER_ENTRIES[op]])),
};

/** The parts of lib/private/functions.ts a build needs, from this tree or another. */
interface Bundler {
  readonly root: string;
  readonly bundling: nodejs.BundlingOptions;
}

/** Builds `entries` (paths relative to the tree) through NodejsFunction; returns the asset directory of each. */
function buildBundles(
  outdir: string,
  entries: Record<string, string>,
  tree: Bundler = { root: PROJECT_ROOT, bundling: BUNDLING },
): Record<string, string> {
  const app = new App({ outdir });
  const stack = new Stack(app, 'ColdStartBench');
  for (const [name, entry] of Object.entries(entries)) {
    new nodejs.NodejsFunction(stack, name, {
      entry: path.join(tree.root, entry),
      handler: 'handler',
      projectRoot: tree.root,
      depsLockFilePath: path.join(tree.root, 'package-lock.json'),
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      bundling: { ...tree.bundling, metafile: true },
    });
  }
  app.synth();
  const dirs: Record<string, string> = {};
  for (const d of readdirSync(outdir).filter((d) => d.startsWith('asset.'))) {
    const meta = JSON.parse(readFileSync(path.join(outdir, d, 'index.meta.json'), 'utf8')) as {
      outputs: Record<string, { entryPoint?: string }>;
    };
    const entryPoint = Object.values(meta.outputs).find((o) => o.entryPoint)!.entryPoint!;
    const name = Object.keys(entries).find((n) => entryPoint.endsWith(entries[n]!))!;
    dirs[name] = path.join(outdir, d);
  }
  return dirs;
}

/** Bytes of the bundle per package (or project folder), largest first. */
function breakdown(dir: string): Array<[string, number]> {
  const meta = JSON.parse(readFileSync(path.join(dir, 'index.meta.json'), 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
  };
  const out = Object.entries(meta.outputs).find(([f]) => f.endsWith('.mjs'))![1];
  const byPackage = new Map<string, number>();
  for (const [file, { bytesInOutput }] of Object.entries(out.inputs)) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? file.split('/').slice(0, 2).join('/');
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
  }
  return [...byPackage].sort((a, b) => b[1] - a[1]);
}

/**
 * Module init of one bundle in a fresh process, as Lambda's init phase runs it (ms); with `after`,
 * the time to import `after` (a file beside index.mjs) once index.mjs is loaded.
 */
function initMs(dir: string, after?: string): number {
  const url = pathToFileURL(path.join(dir, 'index.mjs')).href;
  const script = after
    ? `await import(${JSON.stringify(url)}); const t = performance.now(); await import(${JSON.stringify(pathToFileURL(path.join(dir, after)).href)}); process.stdout.write(String(performance.now() - t));`
    : `const t = performance.now(); await import(${JSON.stringify(url)}); process.stdout.write(String(performance.now() - t));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: {
      PATH: process.env['PATH'] ?? '',
      // What the construct sets on every function, and what Lambda itself provides.
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'vss',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: 'bench',
      VSS_TABLE_NAME: 'bench',
      VSS_AUTH_MODE: 'signature',
    },
    encoding: 'utf8',
  });
  return Number(out);
}

/** Suffix of the baseline tree's bundles (BENCH_BASELINE_TREE). */
const BEFORE = ' (baseline)';

/** The four operation bundles of another tree, built with that tree's own bundling settings. */
async function baselineBundles(tree: string, outdir: string): Promise<Record<string, string>> {
  const root = path.resolve(tree);
  const mod = (await import(pathToFileURL(path.join(root, 'lib/private/functions.ts')).href)) as {
    BUNDLING: nodejs.BundlingOptions;
    HANDLER_ENTRIES: Record<string, string>;
  };
  const entries = Object.fromEntries(OPERATIONS.map((op) => [op, mod.HANDLER_ENTRIES[op]!]));
  return buildBundles(outdir, entries, { root, bundling: mod.BUNDLING });
}

/** The S3 client's file, loaded by the first large value (absent from a tree without one). */
const LAZY = 'value-bucket module';

const outdir = mkdtempSync(path.join(tmpdir(), 'vss-cold-start-'));
try {
  const dirs = buildBundles(outdir, ENTRIES);
  const baselineTree = process.env['BENCH_BASELINE_TREE'];
  const other = baselineTree ? await baselineBundles(baselineTree, path.join(outdir, 'baseline')) : {};
  for (const [op, dir] of Object.entries(other)) dirs[`${op}${BEFORE}`] = dir;
  const lazyFile = existsSync(path.join(dirs['putObjects']!, LAZY_VALUE_BUCKET_MODULE.file)) ? LAZY_VALUE_BUCKET_MODULE.file : undefined;
  const names = [...Object.keys(ENTRIES), ...Object.keys(other).map((op) => `${op}${BEFORE}`)];
  const timed = lazyFile ? [...names, LAZY] : names;
  const samples: Record<string, number[]> = Object.fromEntries(timed.map((n) => [n, []]));
  const deltas: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  initMs(dirs[BASELINE]!); // warm the file cache
  for (let round = 0; round < ROUNDS; round++) {
    const order = timed.map((_, i) => timed[(i + round) % timed.length]!);
    const t: Record<string, number> = {};
    for (const n of order) t[n] = n === LAZY ? initMs(dirs['putObjects']!, lazyFile) : initMs(dirs[n]!);
    for (const n of timed) samples[n]!.push(t[n]!);
    for (const n of names) deltas[n]!.push(t[n]! - t[BASELINE]!);
  }

  console.log(
    `Cold start of the operation functions (NodejsFunction with the stack's BUNDLING; ${ROUNDS} interleaved rounds, node ${process.version}, median (range))`,
  );
  console.log(`  budget: bundle ≤ ${API_BUNDLE_BUDGET_BYTES / 1024} KiB, module init ≤ ${API_INIT_BUDGET_MS} ms over the empty bundle's`);
  console.log('  function                    bundle KiB   module init ms        over empty ms        within budget');
  for (const n of names) {
    const size = statSync(path.join(dirs[n]!, 'index.mjs')).size;
    const over = summarize(deltas[n]!);
    const ok =
      n === BASELINE || n.endsWith(BEFORE) ? '' : size <= API_BUNDLE_BUDGET_BYTES && over.median <= API_INIT_BUDGET_MS ? 'yes' : 'NO';
    console.log(
      `  ${n.padEnd(26)}  ${(size / 1024).toFixed(1).padStart(10)}   ${fmt(summarize(samples[n]!)).padEnd(20)}  ${(n === BASELINE ? '—' : fmt(over)).padEnd(20)} ${ok}`,
    );
  }
  if (lazyFile)
    console.log(
      `  ${LAZY} (${lazyFile}, ${(statSync(path.join(dirs['putObjects']!, lazyFile)).size / 1024).toFixed(1)} KiB): import ${fmt(summarize(samples[LAZY]!))} ms once index.mjs is loaded, paid by the first request that touches a large value`,
    );
  for (const op of Object.keys(other)) {
    const ratios = deltas[op]!.map((d, i) => d / deltas[`${op}${BEFORE}`]![i]!);
    console.log(`  ${op}: over empty, per-round ratio to the baseline tree's: ${fmt(summarize(ratios), 2)}`);
  }
  console.log('  largest parts of the putObjects bundle (KiB, from the esbuild metafile):');
  console.log(
    '    ' +
      breakdown(dirs['putObjects']!)
        .slice(0, 12)
        .map(([p, b]) => `${p} ${(b / 1024).toFixed(1)}`)
        .join(', '),
  );
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
