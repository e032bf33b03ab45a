import { defineConfig } from 'vitest/config';

/**
 * What the whole suite reached when these were set (2026-12-01, all five issues merged: lines
 * 82.11%, statements 80.16%, functions 81.62%, branches 71.67%), less one point of slack for paths
 * only some runs take (retries, timing). V8 coverage sees only the test processes: code that the
 * tests run as a real child process (`npm start`, the `vss` command) counts only where it is also
 * imported in-process, which is why cli/ and client/ are not measured here (with them the figures
 * read about 67%). Raise the thresholds as tests grow; never lower them.
 */
const COVERAGE_THRESHOLDS = { lines: 81, statements: 79, functions: 80, branches: 70 };

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Starts DynamoDB Local and Dynoxide once for the whole run (test/support/global-setup.ts).
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: keep engine-heavy files from starving each other.
    maxWorkers: 2,
    // SDK versions are pinned exactly; its notice about future releases needing Node 22 is noise here.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // `npm run test:coverage` (what CI runs): V8 coverage of the shipped code, failing below what
    // the suite reached when the thresholds were set. Raise them as tests grow; never lower them.
    coverage: {
      provider: 'v8',
      include: ['lib/**/*.ts', 'bin/**/*.ts', 'lambda/**/*.ts', 'local/**/*.ts'],
      exclude: ['lambda/core/generated/**'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: COVERAGE_THRESHOLDS,
    },
  },
});
