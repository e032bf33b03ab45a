/**
 * Waiting in a test for a state that arrives on its own (a process becomes a zombie, a server gives
 * bytes back): polls every 10 ms, up to a deadline generous enough for a loaded machine, then
 * asserts the state, so a wait that runs out fails with the condition, not with a timeout.
 */
import { expect } from 'vitest';

export async function until(condition: () => boolean, deadlineMs = 10_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}
