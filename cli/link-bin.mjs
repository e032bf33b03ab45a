// `npm ci` / `npm install` run this (package.json "prepare"): npm links the bins of dependencies
// into node_modules/.bin but never the root package's own. Older npm versions find `npx vss` only
// there, so the link is made here; it is a no-op when it is already right.
import { mkdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binDir = join(root, 'node_modules', '.bin');
const link = join(binDir, 'vss');
const target = relative(binDir, join(root, 'cli', 'vss.mjs'));
try {
  if (readlinkSync(link) === target) process.exit(0);
  rmSync(link, { force: true });
} catch {
  // no link yet
}
mkdirSync(binDir, { recursive: true });
symlinkSync(target, link);
