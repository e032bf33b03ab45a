/**
 * A production build of this checkout, made the way the container image makes it: a copy of the
 * tracked files, the installed node_modules (hard links: `npm prune` only unlinks, so the
 * checkout's own tree is untouched), then scripts/build-server.sh — the very script the Dockerfile
 * runs — which compiles (`npm run build`) and prunes to production dependencies. Tests then run
 * `npx vss`, `npm start` and `vss serve` from it, with no TypeScript loader left to lean on.
 */
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PrunedBuild {
  readonly dir: string;
  remove(): void;
}

export async function prunedBuild(root = process.cwd()): Promise<PrunedBuild> {
  const dir = mkdtempSync(join(tmpdir(), 'vss-build-'));
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    try {
      copyFileSync(join(root, f), join(dir, f));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; // deleted but not yet committed
    }
  }
  await run('cp', ['-al', join(root, 'node_modules'), join(dir, 'node_modules')]);
  // npm rewrites its hidden lockfile: give the copy its own, so the checkout's stays as it is.
  rmSync(join(dir, 'node_modules', '.package-lock.json'), { force: true });
  copyFileSync(join(root, 'node_modules', '.package-lock.json'), join(dir, 'node_modules', '.package-lock.json'));
  await run('sh', ['scripts/build-server.sh'], { cwd: dir, maxBuffer: 64 * 1024 * 1024, timeout: 900_000 });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
