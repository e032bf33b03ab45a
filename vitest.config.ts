import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Where a test goes: three projects, by what the test needs to run. `npm test` (and CI) runs all
 * three; `npm run test:unit`, `test:integration` and `test:system` run one each.
 *
 * - unit: nothing to start: no engine, server, database or product process (mocked DynamoDB, the
 *   CDK synthesized in-process, pure functions). The inner loop: no engines start. Files are
 *   listed by name outside test/unit/ and test/faults/: add one only if it starts nothing.
 * - integration (the default: a test file matched by neither list lands here): the real engines,
 *   local servers, S3 and PostgreSQL, all driven in-process, including the `vss` command through
 *   `main(argv)` (test/cli/run-vss.ts). Above the store, on `primaryEngine()`; `engines()` only
 *   where the engine is the subject (test/support/local-vss.ts says which).
 * - system: the product as a process, where the process is the point: `npm start` (signals, data
 *   directory locks, kill -9, crash restarts), `npx vss`, the CDK app run as `cdk synth` runs it,
 *   bundling and the package build. Add a file here only when it starts such a process.
 */
const UNIT = [
  'test/unit/**/*.test.ts',
  'test/faults/**/*.test.ts',
  'test/infra/{api,auth,backup,backup-config,comment-citations,config,container,controls,doc-numbers,docs,functions,layering,logical-ids,nag,observability,provider,signature,storage,values-bucket,waf-operations}.test.ts',
  'test/auth/{jwt,signature,signature-differential}.test.ts',
  'test/cli/{archive,docs,main,progress,vss-client}.test.ts',
];
const SYSTEM = [
  'test/conformance/local-server-cli.test.ts',
  'test/auth/cli.test.ts',
  'test/auth/signature-cli.test.ts',
  'test/provider/local-cli.test.ts',
  'test/reliability/{engine-faults,crash-consistency,data-dir-lock}.test.ts',
  'test/cli/{npx-help,vss-serve}.test.ts',
  'test/infra/{bundles,example,synth-command}.test.ts',
];

/**
 * What the whole suite reached when these were set (2026-12-02, the refusals of `npm start` and
 * `vss serve` in-process: lines 90.94%, statements 88.42%, functions 89.79%, branches 78.66%),
 * less one point and a half of slack for paths only some runs take (retries, timing). V8 coverage
 * sees only the test processes; since the `vss` command runs in-process (test/cli/run-vss.ts), cli/
 * and client/ are measured too. Code that runs only in a child process (`npm start` in the system
 * tests) counts where it is also imported in-process. Raise the thresholds as tests grow; never
 * lower them.
 */
const COVERAGE_THRESHOLDS = { lines: 89, statements: 87, functions: 88, branches: 77 };

/** Settings every project shares. */
const COMMON = {
  testTimeout: 60_000,
  // Variables set with vi.stubEnv are restored after each test, so none reaches the next file.
  unstubEnvs: true,
  hookTimeout: 120_000,
  // SDK versions are pinned exactly; its notice about future releases needing Node 22 is noise here.
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
} as const;

/**
 * Test files of one worker share its module graph instead of each importing aws-cdk-lib, the AWS
 * SDK and the product afresh: measured on this 2-core machine, the unit project went from 290 s
 * to 75 s of CPU, all tests passing either way. So a test file must leave nothing behind that
 * the next file in the worker would see: environment variables it sets are restored (or set
 * through the project's `env`), servers and engines it starts are stopped in `afterAll`, and
 * module state it changes (mocks, clocks) is reset. The system project keeps isolation: its files
 * are about processes, and their import time is small beside the processes they start.
 */
const SHARED_MODULES = { isolate: false } as const;

/**
 * DynamoDB Local and Dynoxide, started once for the whole run by the first project that needs
 * them (test/support/global-setup.ts); a run of unit tests alone starts none.
 */
const ENGINES = { globalSetup: ['test/support/global-setup.ts'] };

/**
 * The files that take longest, longest first (measured on this 2-core machine: each runs most of
 * a minute of processes, engines and waits). They start before everything else, whatever their
 * project, so the two workers end together instead of one running the longest file alone at the
 * end; vitest's own order runs the projects one after another, and on a fresh clone (no timing
 * cache) it goes by file size.
 */
const LONGEST_FIRST = [
  'test/cli/vss-serve.test.ts',
  'test/reliability/crash-consistency.test.ts',
  'test/conformance/local-server-cli.test.ts',
  'test/reliability/engine-faults.test.ts',
];

/**
 * Then the rest of the system project, then integration, then unit: each project's files stay
 * together, so a worker keeps its shared module graph (SHARED_MODULES) from one file to the next,
 * and a worker changes project twice in a run, not three times.
 */
const PROJECT_ORDER = ['system', 'integration', 'unit'];

class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (spec: TestSpecification): number => {
      const at = LONGEST_FIRST.indexOf(relative(spec.project.config.root, spec.moduleId));
      return at !== -1 ? at : LONGEST_FIRST.length + PROJECT_ORDER.indexOf(spec.project.name);
    };
    const sorted = await super.sort(files);
    return sorted
      .map((spec, i) => ({ spec, i }))
      .sort((a, b) => rank(a.spec) - rank(b.spec) || a.i - b.i)
      .map(({ spec }) => spec);
  }
}

export default defineConfig({
  test: {
    sequence: { sequencer: LongestFirstSequencer },
    // Two cores: keep engine-heavy files from starving each other.
    maxWorkers: 2,
    projects: [
      { test: { ...COMMON, ...SHARED_MODULES, name: 'unit', include: UNIT, exclude: SYSTEM } },
      {
        test: {
          ...COMMON,
          ...SHARED_MODULES,
          ...ENGINES,
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [...UNIT, ...SYSTEM],
        },
      },
      { test: { ...COMMON, ...ENGINES, name: 'system', include: SYSTEM } },
    ],
    // `npm run test:coverage` (what CI runs): V8 coverage of the shipped code, failing below what
    // the suite reached when the thresholds were set. Raise them as tests grow; never lower them.
    coverage: {
      provider: 'v8',
      include: ['lib/**/*.ts', 'bin/**/*.ts', 'lambda/**/*.ts', 'local/**/*.ts', 'cli/**/*.ts', 'client/**/*.ts'],
      exclude: ['lambda/core/generated/**'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: COVERAGE_THRESHOLDS,
    },
  },
});
