import { expect } from 'vitest';
import { ErrorCode, isVssError } from '../../lambda/core/errors.js';

/** Asserts that `e` is the protocol's auth rejection (401 AUTH_EXCEPTION) and returns its message. */
export function authFailureMessage(e: unknown): string {
  expect(isVssError(e)).toBe(true);
  if (!isVssError(e)) throw e;
  expect(e.status).toBe(401);
  expect(e.code).toBe(ErrorCode.AUTH_EXCEPTION);
  return e.message;
}
