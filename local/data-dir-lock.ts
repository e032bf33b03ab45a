/**
 * One server per data directory: two engines on the same files would corrupt them (SQLite and
 * DynamoDB Local both assume a single writer). The lock is a file holding the owner's process
 * id and its engine's; a lock whose owner is gone (kill -9, a crash) is taken over once the old
 * engine has exited too.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'vss.lock';

interface LockContent {
  readonly pid: number;
  readonly enginePid?: number;
  readonly started: string;
}

export interface DataDirLock {
  /** Records the engine's process id (after each start), so a successor can wait for it. */
  setEnginePid(pid: number): void;
  release(): void;
}

function alive(pid: number | undefined): boolean {
  if (!pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): LockContent | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockContent;
  } catch {
    return undefined;
  }
}

export async function acquireDataDirLock(dir: string, waitForOldEngineMs = 10_000): Promise<DataDirLock> {
  const file = join(dir, LOCK_FILE);
  const content: { pid: number; enginePid?: number; started: string } = { pid: process.pid, started: new Date().toISOString() };
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
    if (held && held.pid !== process.pid && alive(held.pid)) {
      throw new Error(
        `data directory ${dir} is in use by another VSS server (process ${held.pid}, started ${held.started}): stop that one first, or pass another --data-dir`,
      );
    }
    // A stale lock: its server is gone; its engine dies with it (the watchdog) — wait for that.
    const deadline = Date.now() + waitForOldEngineMs;
    while (alive(held?.enginePid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (alive(held?.enginePid)) {
      throw new Error(
        `data directory ${dir} is still used by engine process ${held!.enginePid} of a server that is gone: stop that process, then start again`,
      );
    }
    rmSync(file, { force: true });
  }
  let released = false;
  return {
    setEnginePid(pid) {
      content.enginePid = pid;
      if (!released) write('w');
    },
    release() {
      if (released) return;
      released = true;
      if (readLock(file)?.pid === process.pid) rmSync(file, { force: true });
    },
  };
}
