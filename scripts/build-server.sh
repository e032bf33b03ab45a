#!/bin/sh
# Builds the server and the `vss` command for production, in place, in a checkout where `npm ci`
# has run: compile to JavaScript (`npm run build`, into dist/), then prune to the production
# dependencies, so nothing at run time needs a TypeScript loader. Arguments go to `npm prune`:
# the Dockerfile passes --omit=optional (the image runs no embedded engine);
# test/cli/vss-serve.test.ts runs it without, on a copy of the checkout, and then runs
# `vss serve` and `npx vss` from the result.
set -eu
cd "$(dirname "$0")/.."
npm run build
npm prune --omit=dev --no-audit --no-fund "$@"
