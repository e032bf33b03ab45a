/** Runs the `vss` command as a user does (a child process), for the CLI tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

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

export async function runVss(args: readonly string[], env: Record<string, string> = {}): Promise<VssRun> {
  const child = spawnVss(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  return { code, stdout, stderr };
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
