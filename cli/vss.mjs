#!/usr/bin/env node
// The `vss` command's executable (package.json "bin"). The CLI is TypeScript like the rest of
// the repository; tsx (a dev dependency, installed by `npm ci`) loads it without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv);
