/**
 * Domain errors of the VSS protocol and the one place that maps them to HTTP statuses and
 * protobuf ErrorCodes (docs/protocol.md §2.3, §7.2). Anything that is not a VssError is our fault: 500.
 */
import { vss } from './generated/vss.js';

export const ErrorCode = vss.ErrorCode;
export type ErrorCode = vss.ErrorCode;

/** The fixed text every 500 carries (docs/protocol.md §2.3): internal details never reach the client. */
export const INTERNAL_ERROR_MESSAGE = 'Unknown Server Error occurred.';
export const CONFLICT_MESSAGE = 'Transaction could not be completed due to a possible conflict';
export const NO_SUCH_KEY_MESSAGE = 'Requested key not found.';

export class VssError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'VssError';
  }
}

export const invalidRequest = (message: string): VssError => new VssError(ErrorCode.INVALID_REQUEST_EXCEPTION, 400, message);

export const payloadTooLarge = (message: string): VssError => new VssError(ErrorCode.INVALID_REQUEST_EXCEPTION, 413, message);

export const conflict = (message: string = CONFLICT_MESSAGE): VssError => new VssError(ErrorCode.CONFLICT_EXCEPTION, 409, message);

export const noSuchKey = (): VssError => new VssError(ErrorCode.NO_SUCH_KEY_EXCEPTION, 404, NO_SUCH_KEY_MESSAGE);

export const authFailure = (message: string): VssError => new VssError(ErrorCode.AUTH_EXCEPTION, 401, message);

export const throttled = (message = 'Too many requests; retry with backoff.'): VssError =>
  new VssError(ErrorCode.INTERNAL_SERVER_EXCEPTION, 429, message);

/** A fault on our side after retries were exhausted; the client retries 500s (docs/protocol.md §6.2). */
export const internalError = (): VssError => new VssError(ErrorCode.INTERNAL_SERVER_EXCEPTION, 500, INTERNAL_ERROR_MESSAGE);

export function isVssError(e: unknown): e is VssError {
  return e instanceof VssError;
}

/**
 * A write refused by a storage quota. INVALID_REQUEST_EXCEPTION because clients never retry it
 * (retrying cannot help until the user deletes data or the provider raises the limit).
 */
export const quotaExceeded = (message: string): VssError => new VssError(ErrorCode.INVALID_REQUEST_EXCEPTION, 400, message);
