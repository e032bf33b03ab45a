/**
 * Starts every DynamoDB engine once per test run and hands their endpoints to the tests of every
 * project (vitest.config.ts). An engine that cannot start fails the run (it is never skipped):
 * CI must prove the store on both. Set VSS_TEST_ENGINES=dynoxide (or dynamodb-local) to run on
 * one while developing. A run of the unit project alone (`npm run test:unit`) starts none: its
 * tests need none.
 */
import type { TestProject } from 'vitest/node';
import { ENGINES, startEngine, type EngineName, type RunningEngine } from '../../local/engines.js';

declare module 'vitest' {
  export interface ProvidedContext {
    engines: Array<{ name: EngineName; endpoint: string }>;
  }
}

let running: RunningEngine[] = [];

export async function setup(project: TestProject): Promise<void> {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  if (project.vitest.projects.every((p) => p.name === 'unit')) {
    project.provide('engines', []);
    return;
  }
  const wanted = (process.env['VSS_TEST_ENGINES']?.split(',').filter(Boolean) as EngineName[] | undefined) ?? [...ENGINES];
  for (const name of wanted) {
    if (!ENGINES.includes(name)) throw new Error(`unknown engine ${name} in VSS_TEST_ENGINES`);
  }
  running = await Promise.all(wanted.map((name) => startEngine(name)));
  project.provide(
    'engines',
    running.map((e) => ({ name: e.name, endpoint: e.endpoint })),
  );
}

export async function teardown(): Promise<void> {
  await Promise.all(running.map((e) => e.stop()));
}
