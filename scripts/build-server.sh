#!/bin/sh
# Builds the server and the `vss` command for production, in place, in a checkout where `npm ci`
# has run: compile what runs to JavaScript (`npm run build:server`, into dist/: the request path,
# the server, the `vss` command, the client and the construct library the package exports), then
# prune to the production dependencies, so nothing at run time needs a TypeScript loader. The
# type check of the tests, benchmarks and examples (`npm run build`) is CI's job, not the image's.
# Arguments go to `npm prune`:
# the Dockerfile passes --omit=optional (the image runs no embedded engine);
# test/cli/vss-serve.test.ts runs it without, on a copy of the checkout, and then runs
# `vss serve` and `npx vss` from the result.
set -eu
cd "$(dirname "$0")/.."
npm run build:server
npm prune --omit=dev --no-audit --no-fund "$@"
