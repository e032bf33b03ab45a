/**
 * `npm run bench`: runs every benchmark in bench/ one after another, each in its own process so
 * that module caches and JIT state do not leak between them. Each interleaves its rounds with a
 * baseline measured in the same run and prints median and range. Engines are started by the
 * benchmarks that need them (Dynoxide, whose capacity counts follow AWS's rules); nothing needs
 * an AWS account or the network. docs/performance.md collects the figures.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

/** Not benchmarks: helpers and fixtures. */
const HELPERS = new Set([
  'run-all.ts',
  'stats.ts',
  'prices.ts',
  'budgets.ts',
  'cost-model.ts',
  'cost-doc.ts',
  'counting-proxy.ts',
  'ldk-profiles.ts',
]);
const runs: Array<[string, string[]]> = [
  ['cold-start.ts', []],
  ['signature.ts', []],
  ['codec.ts', []],
  ['operations.ts', ['dynoxide']],
];
for (const file of readdirSync(new URL('.', import.meta.url)).sort()) {
  if (file.endsWith('.ts') && !HELPERS.has(file) && !runs.some(([f]) => f === file)) runs.push([file, []]);
}
const started = performance.now();
for (const [file, args] of runs) {
  const path = new URL(file, import.meta.url).pathname;
  if (!existsSync(path)) continue;
  console.log(`\n=== bench/${file} ${args.join(' ')}`);
  execFileSync(process.execPath, ['--import', 'tsx', path, ...args], {
    stdio: 'inherit',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // The cost bench replays two simulated days and times large values: give it longer.
    timeout: (file === 'cost.ts' ? 45 : 10) * 60_000,
  });
}
console.log(`\nall benchmarks: ${((performance.now() - started) / 1000).toFixed(0)} s`);
