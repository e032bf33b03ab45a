/**
 * One server per data directory: two engines on the same files would corrupt them (SQLite and
 * DynamoDB Local both assume a single writer). The lock is a file holding the owner's process
 * identity and its engine's (process-identity.ts: pid, boot id, start time); a lock whose owner is
 * gone (kill -9, a crash, a reboot) is taken over once the old engine has exited too. A zombie
 * (killed but not yet reaped) and a process that merely got the same pid count as gone.
 *
 * Only a server that runs an embedded engine on a data directory takes the lock (local/app.ts):
 * with a remote endpoint there are no files to protect.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { identify, isRunning, type ProcessIdentity } from './process-identity.js';

export const LOCK_FILE = 'vss.lock';

/** The lock file. Locks written before boot ids and start times were recorded have only the pids. */
interface LockContent {
  readonly pid: number;
  readonly bootId?: string;
  readonly startTicks?: number;
  readonly enginePid?: number;
  readonly engineStartTicks?: number;
  readonly started: string;
}

export interface DataDirLock {
  /** Records the engine's process id (after each start), so a successor can wait for it. */
  setEnginePid(pid: number): void;
  release(): void;
}

const owner = (l: LockContent): ProcessIdentity => ({
  pid: l.pid,
  ...(l.bootId !== undefined ? { bootId: l.bootId } : {}),
  ...(l.startTicks !== undefined ? { startTicks: l.startTicks } : {}),
});
const engine = (l: LockContent | undefined): ProcessIdentity | undefined =>
  l?.enginePid === undefined
    ? undefined
    : {
        pid: l.enginePid,
        ...(l.bootId !== undefined ? { bootId: l.bootId } : {}),
        ...(l.engineStartTicks !== undefined ? { startTicks: l.engineStartTicks } : {}),
      };

function readLock(file: string): LockContent | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockContent;
  } catch {
    return undefined;
  }
}

export async function acquireDataDirLock(dir: string, waitForOldEngineMs = 10_000): Promise<DataDirLock> {
  const file = join(dir, LOCK_FILE);
  const self = identify(process.pid);
  const content: { -readonly [K in keyof LockContent]: LockContent[K] } = { ...self, started: new Date().toISOString() };
  const write = (flag: 'wx' | 'w'): void => writeFileSync(file, `${JSON.stringify(content)}\n`, { flag, mode: 0o644 });
  for (let attempt = 0; ; attempt++) {
    try {
      write('wx');
      break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' || attempt > 0) {
        throw new Error(
          `cannot create the lock file in data directory ${dir} (${code ?? (e as Error).message}): make it writable by this user, or pass another --data-dir`,
        );
      }
    }
    const held = readLock(file);
    if (held && held.pid !== process.pid && isRunning(owner(held))) {
      throw new Error(
        `data directory ${dir} is in use by another VSS server (process ${held.pid}, started ${held.started}): stop that one first, or pass another --data-dir`,
      );
    }
    // A stale lock: its server is gone; its engine dies with it (the watchdog) — wait for that.
    const deadline = Date.now() + waitForOldEngineMs;
    while (isRunning(engine(held)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (isRunning(engine(held))) {
      throw new Error(
        `data directory ${dir} is still used by engine process ${held!.enginePid} of a server that is gone: stop that process, then start again`,
      );
    }
    rmSync(file, { force: true });
  }
  let released = false;
  return {
    setEnginePid(pid) {
      const who = identify(pid);
      content.enginePid = pid;
      if (who.startTicks !== undefined) content.engineStartTicks = who.startTicks;
      else delete content.engineStartTicks;
      if (!released) write('w');
    },
    release() {
      if (released) return;
      released = true;
      if (readLock(file)?.pid === process.pid) rmSync(file, { force: true });
    },
  };
}
