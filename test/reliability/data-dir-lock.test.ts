/**
 * The data-dir lock against the process table as it really is: a zombie left by `kill -9` (its
 * parent has not reaped it yet), a pid that now names an unrelated process, and a lock written
 * before a reboot. Real processes (sleep), no mocks: the kernel's view is the point.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireDataDirLock, LOCK_FILE } from '../../local/data-dir-lock.js';
import { identify, isRunning } from '../../local/process-identity.js';
import { until } from '../support/until.js';

const linux = process.platform === 'linux';
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vss-lock-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A shell that starts `sleep` in the background and then becomes a process that never reaps it. */
async function parentThatNeverReaps(): Promise<{ parent: ChildProcess; orphanPid: number }> {
  const parent = spawn('sh', ['-c', 'sleep 300 & echo $!; exec sleep 300'], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(() => parent.kill('SIGKILL'));
  const orphanPid = await new Promise<number>((resolve, reject) => {
    parent.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    parent.once('error', reject);
  });
  // The shell prints the pid before it execs: until it has, it is a shell that would reap a killed
  // child, and the zombie the tests wait for would never appear.
  await until(() => commOf(parent.pid!) === 'sleep');
  cleanups.push(() => {
    try {
      process.kill(orphanPid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  return { parent, orphanPid };
}

function commOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function procState(pid: number): string | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

const writeLock = (dir: string, content: object): void => writeFileSync(join(dir, LOCK_FILE), `${JSON.stringify(content)}\n`);

describe.skipIf(!linux)('data-dir lock: who holds it', () => {
  it('takes over a lock whose server was killed with kill -9 and is still an unreaped zombie', async () => {
    const dir = tempDir();
    const { orphanPid } = await parentThatNeverReaps();
    writeLock(dir, { ...identify(orphanPid), started: new Date().toISOString() });
    process.kill(orphanPid, 'SIGKILL');
    await until(() => procState(orphanPid) === 'Z');
    // kill(pid, 0) still succeeds for a zombie: the old check would have refused here.
    expect(() => process.kill(orphanPid, 0)).not.toThrow();
    const lock = await acquireDataDirLock(dir, 1000);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('does not wait for an old engine that is a zombie', async () => {
    const dir = tempDir();
    const { parent, orphanPid } = await parentThatNeverReaps();
    // The old server is gone (pid of an exited process); its engine is a zombie.
    writeLock(dir, {
      pid: 2 ** 22 + 1,
      enginePid: orphanPid,
      engineStartTicks: identify(orphanPid).startTicks,
      bootId: identify(process.pid).bootId,
      started: new Date().toISOString(),
    });
    process.kill(orphanPid, 'SIGKILL');
    await until(() => procState(orphanPid) === 'Z');
    const lock = await acquireDataDirLock(dir, 60_000);
    lock.release();
    expect(parent.exitCode).toBeNull();
  });

  it('takes over a lock naming a live process whose id was reused (another start time)', async () => {
    const dir = tempDir();
    const { orphanPid } = await parentThatNeverReaps();
    const live = identify(orphanPid);
    writeLock(dir, { ...live, startTicks: (live.startTicks ?? 0) + 12345, started: '2026-01-01T00:00:00.000Z' });
    expect(isRunning({ ...live, startTicks: (live.startTicks ?? 0) + 12345 })).toBe(false);
    const lock = await acquireDataDirLock(dir, 1000);
    lock.release();
  });

  it('takes over a lock written before a reboot, even though its pid names a live process now', async () => {
    const dir = tempDir();
    const { orphanPid } = await parentThatNeverReaps();
    writeLock(dir, { ...identify(orphanPid), bootId: '00000000-0000-4000-8000-000000000000', started: '2026-01-01T00:00:00.000Z' });
    const lock = await acquireDataDirLock(dir, 1000);
    lock.release();
  });

  it('still refuses a lock held by the live process it names', async () => {
    const dir = tempDir();
    const { orphanPid } = await parentThatNeverReaps();
    writeLock(dir, { ...identify(orphanPid), started: '2026-01-01T00:00:00.000Z' });
    await expect(acquireDataDirLock(dir, 1000)).rejects.toThrow(
      `data directory ${dir} is in use by another VSS server (process ${orphanPid}, started 2026-01-01T00:00:00.000Z)`,
    );
  });

  it('reads a lock of the previous release (pids only): a live holder still blocks, a zombie does not', async () => {
    const dir = tempDir();
    const { orphanPid } = await parentThatNeverReaps();
    writeLock(dir, { pid: orphanPid, started: '2026-01-01T00:00:00.000Z' });
    await expect(acquireDataDirLock(dir, 1000)).rejects.toThrow(/is in use by another VSS server/);
    process.kill(orphanPid, 'SIGKILL');
    await until(() => procState(orphanPid) === 'Z');
    const lock = await acquireDataDirLock(dir, 1000);
    lock.release();
  });

  it('records its own boot id and start time, and its engine start time', async () => {
    const dir = tempDir();
    const { orphanPid } = await parentThatNeverReaps();
    const lock = await acquireDataDirLock(dir);
    lock.setEnginePid(orphanPid);
    const content = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'));
    expect(content).toMatchObject({
      pid: process.pid,
      bootId: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
      startTicks: identify(process.pid).startTicks,
      enginePid: orphanPid,
      engineStartTicks: identify(orphanPid).startTicks,
    });
    lock.release();
  });
});
