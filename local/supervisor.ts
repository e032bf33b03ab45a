/**
 * Keeps the embedded engine running: when it dies, that is logged at once and it is started
 * again on the same port and the same data, with backoff. Requests in between get 500s (the
 * client retries those) and recover on their own. When it cannot be restarted (every attempt
 * failed, or the data directory is unusable, which no wait mends), `onFatal` is told (the CLI
 * exits non-zero with the reason).
 */
import { DataDirError, startEngine, type EngineName, type RunningEngine } from './engines.js';

export interface SupervisorOptions {
  readonly dataDir?: string;
  /** Waits before each restart attempt after a death. @default [250, 500, 1000, 2000, 4000] */
  readonly restartDelaysMs?: readonly number[];
  /** More deaths than this within a minute is a crash loop: give up. @default 5 */
  readonly maxDeathsPerMinute?: number;
  /** Runs after each restart, before requests are served again (e.g. the table of an in-memory engine). */
  readonly afterRestart?: (engine: RunningEngine) => Promise<void>;
  readonly log: (line: string) => void;
  readonly onStarted?: (engine: RunningEngine) => void;
  readonly onFatal: (e: Error) => void;
}

export interface SupervisedEngine {
  readonly name: EngineName;
  readonly endpoint: string;
  /** The engine process running now. */
  current(): RunningEngine;
  stop(): Promise<void>;
}

export async function superviseEngine(name: EngineName, options: SupervisorOptions): Promise<SupervisedEngine> {
  const delays = options.restartDelaysMs ?? [250, 500, 1000, 2000, 4000];
  const maxDeaths = options.maxDeathsPerMinute ?? 5;
  const dataOptions = options.dataDir ? { dataDir: options.dataDir } : {};
  let engine = await startEngine(name, dataOptions);
  options.onStarted?.(engine);
  let stopping = false;
  const deaths: number[] = [];

  const watch = (running: RunningEngine): void => {
    void running.exited.then(async (how) => {
      if (stopping || running !== engine) return;
      const now = Date.now();
      deaths.push(now);
      while (deaths.length && deaths[0]! < now - 60_000) deaths.shift();
      const where = options.dataDir ? `on the same data in ${options.dataDir}` : 'in memory (its data is lost)';
      options.log(`vss: engine ${name} (pid ${running.pid}) ${how}; restarting it ${where}`);
      if (deaths.length > maxDeaths) {
        return options.onFatal(new Error(`engine ${name} died ${deaths.length} times within a minute; giving up. Its last exit: ${how}`));
      }
      let last: unknown;
      for (const [i, delay] of delays.entries()) {
        await new Promise((r) => setTimeout(r, delay));
        if (stopping) return;
        try {
          const next = await startEngine(name, { ...dataOptions, port: running.port, createDataDir: false });
          if (stopping) return void (await next.stop());
          await options.afterRestart?.(next);
          engine = next;
          options.onStarted?.(next);
          options.log(`vss: engine ${name} restarted (pid ${next.pid}, attempt ${i + 1}); serving again`);
          return watch(next);
        } catch (e) {
          last = e;
          options.log(`vss: restart ${i + 1} of ${delays.length} of engine ${name} failed: ${(e as Error).message}`);
          if (e instanceof DataDirError) break;
        }
      }
      options.onFatal(new Error(`engine ${name} died and could not be restarted: ${(last as Error | undefined)?.message ?? how}`));
    });
  };
  watch(engine);

  return {
    name,
    endpoint: engine.endpoint,
    current: () => engine,
    stop: async () => {
      stopping = true;
      await engine.stop();
    },
  };
}
