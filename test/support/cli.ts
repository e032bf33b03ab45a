/**
 * `npm start` as a user runs it, in tests: the CLI as a child process, its output, its exit, and
 * the engine process under it (found in /proc, so the tests do not depend on the server's API).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface StartedCli {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
  /** Resolves when the output matches (checked on every chunk); rejects after `ms`. */
  readonly waitForOutput: (re: RegExp, ms?: number) => Promise<RegExpExecArray>;
  readonly exit: Promise<number | null>;
}

export function spawnCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): { child: ChildProcess; output: () => string; waitForOutput: StartedCli['waitForOutput']; exit: Promise<number | null> } {
  return spawnProgram(process.execPath, ['--import', 'tsx', 'local/cli.ts', ...args], { env });
}

/** Any program (`npm start`, `npx vss serve`, a pruned build's `node cli/vss.mjs`), watched like the CLI. */
export function spawnProgram(
  file: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): { child: ChildProcess; output: () => string; waitForOutput: StartedCli['waitForOutput']; exit: Promise<number | null> } {
  const child = spawn(file, [...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer): void => {
    out += d.toString();
    for (const l of [...listeners]) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitForOutput = (re: RegExp, ms = 90_000): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const m = re.exec(out);
        if (m) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve(m);
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`output never matched ${re}: ${out.slice(-2000)}`));
      }, ms);
      listeners.add(check);
      void exit.then(() =>
        setTimeout(() => {
          if (listeners.has(check)) {
            listeners.delete(check);
            clearTimeout(timer);
            reject(new Error(`CLI exited before ${re}: ${out.slice(-2000)}`));
          }
        }, 50),
      );
      check();
    });
  return { child, output: () => out, waitForOutput, exit };
}

export async function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<StartedCli> {
  const started = spawnCli(args, env);
  const m = await started.waitForOutput(/^VSS listening on (http:\/\/\S+)$/m);
  return { ...started, url: m[1]! };
}

/** Stops the CLI (SIGTERM, then SIGKILL) if it still runs; for `finally` blocks. */
export async function stopCli(cli: { child: ChildProcess; exit: Promise<number | null> } | undefined): Promise<void> {
  if (!cli || cli.child.exitCode !== null || cli.child.signalCode !== null) return;
  cli.child.kill('SIGTERM');
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), 10_000);
  await cli.exit;
  clearTimeout(timer);
}

function processes(): Array<{ pid: number; ppid: number; cmdline: string }> {
  const out: Array<{ pid: number; ppid: number; cmdline: string }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ');
      out.push({ pid: Number(name), ppid, cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The engine process (dynoxide or the DynamoDB Local JVM) among the descendants of `pid`. */
export function enginePidUnder(pid: number): number | undefined {
  const all = processes();
  const descendants = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (!descendants.has(p.pid) && descendants.has(p.ppid)) {
        descendants.add(p.pid);
        grew = true;
      }
    }
  }
  return all.find(
    (p) =>
      descendants.has(p.pid) && p.pid !== pid && /dynoxide serve|DynamoDBLocal\.jar/.test(p.cmdline) && !p.cmdline.startsWith('/bin/sh'),
  )?.pid;
}

/** Every live process whose command line contains `text` (e.g. a unique data directory). */
export function processesMentioning(text: string): number[] {
  return processes()
    .filter((p) => p.cmdline.includes(text) && p.pid !== process.pid)
    .map((p) => p.pid);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
