#!/usr/bin/env node
// The `vss` command's executable (package.json "bin"). In a checkout with the development
// dependencies (`npm ci`), tsx loads the TypeScript sources, so no build step is needed. Without
// them (an installed package, or a build pruned with `npm prune --omit=dev`, as in the container
// image) it runs the compiled JavaScript of `npm run build` (dist/), with no TypeScript loader.
import { existsSync } from 'node:fs';

async function loadMain() {
  if (existsSync(new URL('./main.ts', import.meta.url))) {
    const tsx = await import('tsx/esm/api').catch(() => undefined);
    if (tsx) {
      tsx.register();
      return (await import('./main.ts')).main;
    }
  }
  const built = new URL('../dist/cli/main.js', import.meta.url);
  if (!existsSync(built)) {
    process.stderr.write(
      'vss: the compiled command is missing (dist/cli/main.js): run npm run build, or npm ci for the TypeScript sources\n',
    );
    process.exit(1);
  }
  return (await import(built.href)).main;
}

const main = await loadMain();
process.exitCode = await main(process.argv);
