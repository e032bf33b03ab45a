/**
 * Runs the `vss` command for the CLI tests: in-process through `main(argv)` (cli/main.ts) with
 * captured output, so coverage measures cli/ and client/ and no Node process starts per run.
 * `spawnVss` runs it as a user does (a child process of cli/vss.mjs), and `runVssProcess` to its
 * exit, for the tests where the process is the point (kill -9 in the middle of an import, the
 * peak memory of a copy); `npx vss` is test/cli/npx-help.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../cli/main.js';

export interface VssRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const BIN = join(process.cwd(), 'cli', 'vss.mjs');

export function spawnVss(args: readonly string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** `vss …args` as a child process, to its exit: for what only a process shows (its peak memory). */
export async function runVssProcess(args: readonly string[], env: Record<string, string> = {}): Promise<VssRun> {
  const child = spawnVss(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  return { code, stdout, stderr };
}

/** A stream that keeps what is written to it. */
function capture(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString() };
}

/**
 * `vss …args` in this process; `env` is what the command reads on top of this process's
 * environment (VSS_SIGNING_KEY, VSS_POSTGRES_URL, ...).
 */
export async function runVss(args: readonly string[], env: Record<string, string> = {}): Promise<VssRun> {
  const stdout = capture();
  const stderr = capture();
  const code = await main(['node', 'vss', ...args], { stdout: stdout.stream, stderr: stderr.stream, env: { ...process.env, ...env } });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** The --json report (the last line of stdout). */
export function reportOf(run: VssRun): Record<string, unknown> {
  const line = run.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`no JSON report (exit ${run.code}): stdout=${run.stdout} stderr=${run.stderr}`);
  }
}
