/**
 * Who a process id names, precisely enough to tell "that process is still running" from "that
 * number now belongs to someone else". A bare `kill(pid, 0)` is not enough for the data-dir lock:
 * it succeeds for a zombie (killed, not yet reaped by its parent) and for an unrelated process that
 * was given the same id after a reboot or a wrap-around.
 *
 * On Linux the identity is the boot id plus the process's start time in clock ticks since boot
 * (`/proc/<pid>/stat`, field 22): together they never repeat. Elsewhere only the pid is known and
 * liveness falls back to `kill(pid, 0)`.
 */
import { readFileSync } from 'node:fs';

export interface ProcessIdentity {
  readonly pid: number;
  /** `/proc/sys/kernel/random/boot_id` when the process was recorded (Linux). */
  readonly bootId?: string;
  /** Start time in clock ticks since boot (Linux). */
  readonly startTicks?: number;
}

interface ProcStat {
  /** R, S, D, Z (zombie), X (dead), T, ... */
  readonly state: string;
  readonly startTicks: number;
}

function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself hold spaces or ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const startTicks = Number(fields[19]); // field 22 of the whole line; fields[0] is field 3
  return { state: fields[0] ?? '', startTicks };
}

let cachedBootId: string | null | undefined;
function bootId(): string | undefined {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      cachedBootId = null;
    }
  }
  return cachedBootId ?? undefined;
}

/** The identity of a running process, to record in a lock. */
export function identify(pid: number): ProcessIdentity {
  const stat = procStat(pid);
  const boot = bootId();
  return { pid, ...(boot ? { bootId: boot } : {}), ...(stat && Number.isFinite(stat.startTicks) ? { startTicks: stat.startTicks } : {}) };
}

/**
 * Whether the recorded process is still running: not a zombie, and, where the record has them,
 * the same boot and the same start time (otherwise its id was reused by another process).
 */
export function isRunning(who: ProcessIdentity | undefined): boolean {
  const pid = who?.pid;
  if (!who || typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return false;
  const boot = bootId();
  if (boot !== undefined) {
    if (who.bootId !== undefined && who.bootId !== boot) return false; // recorded before a reboot
    const stat = procStat(pid);
    if (!stat) return false;
    if (stat.state === 'Z' || stat.state === 'X') return false;
    if (who.startTicks !== undefined && stat.startTicks !== who.startTicks) return false; // a reused id
    return true;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
