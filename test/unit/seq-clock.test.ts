/**
 * Creation positions (lambda/store/seq-clock.ts; docs/protocol.md §7.7): strictly increasing within a
 * process even when the clock goes backwards; one position per new record of a request.
 */
import { describe, expect, it } from 'vitest';
import { GLOBAL_VERSION_SEQ, SeqClock } from '../../lambda/store/seq-clock.js';

/** A clock the test moves by hand (microseconds). */
function manualClock(start: bigint): { now: () => bigint; set: (v: bigint) => void } {
  let t = start;
  return { now: () => t, set: (v) => (t = v) };
}

describe('SeqClock', () => {
  it('positions come from the clock: microseconds × 128 when the clock moves forward', () => {
    const c = manualClock(1_700_000_000_000_000n);
    const clock = new SeqClock(c.now);
    expect(clock.reserve(1)).toBe(1_700_000_000_000_000n * 128n);
    c.set(1_700_000_000_000_001n);
    expect(clock.reserve(1)).toBe(1_700_000_000_000_001n * 128n);
  });

  it('with a frozen clock, consecutive reservations still strictly increase and never overlap', () => {
    const clock = new SeqClock(() => 1_000n);
    const a = clock.reserve(3); // a, a+1, a+2
    const b = clock.reserve(2);
    const c = clock.reserve(1);
    expect(b).toBe(a + 3n);
    expect(c).toBe(b + 2n);
  });

  it('when the clock goes backwards, the next position is still above every earlier one', () => {
    const c = manualClock(2_000_000n);
    const clock = new SeqClock(c.now);
    const first = clock.reserve(100); // occupies first .. first+99
    c.set(1_000_000n); // one second back
    const second = clock.reserve(1);
    expect(second).toBe(first + 100n);
    c.set(0n);
    expect(clock.reserve(1)).toBe(second + 1n);
  });

  it('reserve(0) still reserves one position (never hands out the same position twice)', () => {
    const clock = new SeqClock(() => 5n);
    const a = clock.reserve(0);
    const b = clock.reserve(0);
    expect(b).toBeGreaterThan(a);
  });

  it('fuzz: under random forward and backward clock steps and request sizes 1..100, reserved ranges are strictly increasing and disjoint', () => {
    let seed = 12345;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const c = manualClock(1_700_000_000_000_000n);
    const clock = new SeqClock(c.now);
    let lastEnd = -1n;
    for (let i = 0; i < 10_000; i++) {
      const step = BigInt(Math.floor(rand() * 2_000_000)) - 1_000_000n; // ±1 s
      c.set(c.now() + step);
      const count = 1 + Math.floor(rand() * 100);
      const first = clock.reserve(count);
      expect(first).toBeGreaterThan(lastEnd);
      lastEnd = first + BigInt(count) - 1n;
    }
  });

  it('the default (wall) clock gives strictly increasing positions in a tight loop', () => {
    const clock = new SeqClock();
    let last = clock.reserve(1);
    for (let i = 0; i < 10_000; i++) {
      const next = clock.reserve(1 + (i % 3));
      expect(next).toBeGreaterThan(last);
      last = next + BigInt(i % 3);
    }
  });

  it('positions from any clock until year 9999 stay below the global-version record’s position', () => {
    const year9999Micros = 253_402_300_799_000_000n;
    const clock = new SeqClock(() => year9999Micros);
    expect(clock.reserve(100) + 99n).toBeLessThan(GLOBAL_VERSION_SEQ);
  });
});
