/**
 * Where the `vss` command writes and which environment it reads. The executable (cli/vss.mjs)
 * runs `main` with the process's own; the tests run `main` in-process with captured streams and
 * their own variables (test/cli/run-vss.ts), several at once, so the streams belong to the
 * call, not to the module: `main` binds them for everything it calls (AsyncLocalStorage).
 * Modules of the command write through `cliIo()`, never to `process.stdout` directly.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Writable } from 'node:stream';

export interface CliIo {
  /** Reports and data (`export --out -`). */
  readonly stdout: Writable;
  /** Progress, retries, errors. */
  readonly stderr: Writable;
  /** Secrets and defaults that the options name (VSS_SIGNING_KEY, VSS_POSTGRES_URL, ...). */
  readonly env: NodeJS.ProcessEnv;
}

const bound = new AsyncLocalStorage<CliIo>();

/** The streams and environment of the running command: the process's own outside `withCliIo`. */
export function cliIo(): CliIo {
  return bound.getStore() ?? { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Runs `body` with `io` as what every `cliIo()` under it returns. */
export function withCliIo<T>(io: CliIo, body: () => Promise<T>): Promise<T> {
  return bound.run(io, body);
}
