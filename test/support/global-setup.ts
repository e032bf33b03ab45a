/**
 * Starts every DynamoDB engine once per test run and hands their endpoints to the tests of the
 * projects that need engines (integration and system, vitest.config.ts); a run of unit tests
 * alone starts none. An engine that cannot start fails the run (it is never skipped): CI must
 * prove the store on both. Set VSS_TEST_ENGINES=dynoxide (or dynamodb-local) to run on one
 * while developing.
 *
 * Each project runs this file in its own module scope, so the engines are kept on `globalThis`
 * (one test-runner process): the first project to set up starts them, the last to tear down
 * stops them.
 */
import type { TestProject } from 'vitest/node';
import { ENGINES, startEngine, type EngineName, type RunningEngine } from '../../local/engines.js';

declare module 'vitest' {
  export interface ProvidedContext {
    engines: Array<{ name: EngineName; endpoint: string }>;
  }
}

interface Shared {
  users: number;
  engines: Promise<RunningEngine[]>;
}

const KEY = Symbol.for('vss-aws.test-engines');
const holder = globalThis as { [KEY]?: Shared };

function wantedEngines(): EngineName[] {
  const wanted = (process.env['VSS_TEST_ENGINES']?.split(',').filter(Boolean) as EngineName[] | undefined) ?? [...ENGINES];
  for (const name of wanted) {
    if (!ENGINES.includes(name)) throw new Error(`unknown engine ${name} in VSS_TEST_ENGINES`);
  }
  return wanted;
}

/** Starts every wanted engine; when one cannot start, stops the others (they would keep the run alive) and fails. */
async function startAll(): Promise<RunningEngine[]> {
  const started = await Promise.allSettled(wantedEngines().map((name) => startEngine(name)));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
    throw failed.reason;
  }
  return started.map((r) => (r as PromiseFulfilledResult<RunningEngine>).value);
}

export async function setup(project: TestProject): Promise<void> {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  holder[KEY] ??= { users: 0, engines: startAll() };
  const shared = holder[KEY];
  shared.users++;
  const running = await shared.engines;
  project.provide(
    'engines',
    running.map((e) => ({ name: e.name, endpoint: e.endpoint })),
  );
}

export async function teardown(): Promise<void> {
  const shared = holder[KEY];
  if (!shared || --shared.users > 0) return;
  delete holder[KEY];
  const running = await shared.engines.catch(() => []);
  await Promise.all(running.map((e) => e.stop()));
}
