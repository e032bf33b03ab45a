/**
 * `npm run bench`: runs every benchmark in bench/ one after another, each in its own process so
 * that module caches and JIT state do not leak between them. Each prints ratios against a
 * baseline it measures in the same run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const runs: Array<[string, string[]]> = [
  ['codec.ts', []],
  ['operations.ts', ['dynamodb-local']],
  ['operations.ts', ['dynoxide']],
];
for (const file of readdirSync(new URL('.', import.meta.url)).sort()) {
  if (file.endsWith('.ts') && file !== 'run-all.ts' && !runs.some(([f]) => f === file)) runs.push([file, []]);
}
for (const [file, args] of runs) {
  const path = new URL(file, import.meta.url).pathname;
  if (!existsSync(path)) continue;
  console.log(`\n=== bench/${file} ${args.join(' ')}`);
  execFileSync(process.execPath, ['--import', 'tsx', path, ...args], {
    stdio: 'inherit',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
}
