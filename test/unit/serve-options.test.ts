/**
 * The production flags of `vss serve` and `npm start` (local/serve-options.ts): their defaults,
 * and the combinations refused before a server starts, each with a one-line reason.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../local/cli-options.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_IN_FLIGHT_BYTES, serveSettingsFrom } from '../../local/serve-options.js';
import { SERVER_TIMEOUT_DEFAULTS } from '../../local/server.js';

const refusal = (values: Record<string, string>): string => {
  try {
    serveSettingsFrom(values);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('accepted');
};

describe('vss serve settings', () => {
  it('defaults: a 64 MiB body limit, a 256 MiB memory bound, and the documented timeouts', () => {
    const s = serveSettingsFrom({});
    expect(s.maxBodyBytes).toBe(DEFAULT_MAX_BODY_BYTES);
    expect(s.maxInFlightBytes).toBe(DEFAULT_MAX_IN_FLIGHT_BYTES);
    expect(s.timeouts).toEqual(SERVER_TIMEOUT_DEFAULTS);
  });

  it('raises the memory bound to the body limit when only the body limit is above it', () => {
    const s = serveSettingsFrom({ 'max-body-bytes': String(512 * 1024 * 1024) });
    expect(s.maxInFlightBytes).toBe(512 * 1024 * 1024);
  });

  it('refuses a memory bound below the body limit: a body of the largest size could never be served', () => {
    expect(refusal({ 'max-body-bytes': '2000', 'max-in-flight-bytes': '1000' })).toBe(
      '--max-in-flight-bytes 1000 is below --max-body-bytes 2000: a body of the largest size could never be served',
    );
  });

  it('refuses an idle timeout within a second of the headers timeout, which would cut a slow client before its 408', () => {
    expect(refusal({ 'headers-timeout': '2', 'idle-timeout': '2.5' })).toMatch(
      /^--idle-timeout 2\.5 must be at least 1 s longer than --headers-timeout 2: /,
    );
    expect(refusal({ 'headers-timeout': '69.5' })).toMatch(/^--idle-timeout 70 must be at least 1 s longer than --headers-timeout 69\.5/);
    expect(serveSettingsFrom({ 'headers-timeout': '2', 'idle-timeout': '3' }).timeouts).toMatchObject({ headersMs: 2000, idleMs: 3000 });
  });

  it('refuses malformed numbers with the flag and the accepted range', () => {
    expect(refusal({ 'max-body-bytes': '1.5' })).toMatch(/^invalid --max-body-bytes 1\.5: use a whole number of bytes from 1 to /);
    expect(refusal({ 'idle-timeout': 'soon' })).toBe('invalid --idle-timeout soon: use a number of seconds above 0, at most 86400');
    expect(refusal({ 'drain-timeout': '-1' })).toBe('invalid --drain-timeout -1: use a number of seconds (0 turns it off), at most 86400');
  });
});
