/**
 * The server's production flags (`vss serve`, and `npm start`, which runs it): the body limit, the
 * bound on body and large-read bytes held at once, the timeouts against slow clients, the drain
 * on SIGTERM, the log format and the in-process sweep. Their environment variables are the ones
 * the container front door sets on its tasks (lambda/contract.ts SERVER_ENV).
 */
import { SERVER_ENV } from '../lambda/contract.js';
import { UsageError, type OptionSpec, type OptionValues } from './cli-options.js';
import type { ServerTimeouts } from './server.js';
import { SERVER_TIMEOUT_DEFAULTS, DEFAULT_DRAIN_MS, HEADERS_CHECK_INTERVAL_MS } from './server.js';

const MiB = 1024 * 1024;
/** `--max-body-bytes` when absent: enough for LDK Node's network graph (45-55 MB). */
export const DEFAULT_MAX_BODY_BYTES = 64 * MiB;
/** The largest `--max-body-bytes` (the reference server's limit). */
export const MAX_BODY_BYTES_LIMIT = 1024 * MiB;
/** `--max-in-flight-bytes` when absent (at least the body limit). */
export const DEFAULT_MAX_IN_FLIGHT_BYTES = 256 * MiB;
/** `--sweep-interval` when absent. */
export const DEFAULT_SWEEP_INTERVAL_SECONDS = 600;

const seconds = (ms: number): string => String(ms / 1000);

export const SERVE_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'max-body-bytes',
    type: 'string',
    metavar: 'N',
    env: SERVER_ENV.maxBodyBytes,
    defaultText: `${DEFAULT_MAX_BODY_BYTES} (64 MiB)`,
    help: [`largest request body, at most ${MAX_BODY_BYTES_LIMIT} (1 GiB); 413 beyond`, 'the Lambda door carries 4.6 MB at most'],
  },
  {
    name: 'max-in-flight-bytes',
    type: 'string',
    metavar: 'N',
    env: SERVER_ENV.maxInFlightBytes,
    defaultText: `${DEFAULT_MAX_IN_FLIGHT_BYTES} (256 MiB) or --max-body-bytes if larger`,
    help: [
      'request body and large-read bytes held in memory at once over all requests;',
      '503 (clients retry) for a body or a read that does not fit',
    ],
  },
  {
    name: 'headers-timeout',
    type: 'string',
    metavar: 'SECS',
    env: 'VSS_HEADERS_TIMEOUT_SECONDS',
    defaultText: seconds(SERVER_TIMEOUT_DEFAULTS.headersMs),
    help: 'time for a request to send its headers; 408 after it',
  },
  {
    name: 'idle-timeout',
    type: 'string',
    metavar: 'SECS',
    env: 'VSS_IDLE_TIMEOUT_SECONDS',
    defaultText: seconds(SERVER_TIMEOUT_DEFAULTS.idleMs),
    help: 'silence in the middle of a request after which the connection is closed',
  },
  {
    name: 'keep-alive-timeout',
    type: 'string',
    metavar: 'SECS',
    env: SERVER_ENV.keepAliveTimeoutSeconds,
    defaultText: seconds(SERVER_TIMEOUT_DEFAULTS.keepAliveMs),
    help: "idle time of a kept-alive connection; keep it above a load balancer's (ALB: 60)",
  },
  {
    name: 'drain-timeout',
    type: 'string',
    metavar: 'SECS',
    env: SERVER_ENV.drainTimeoutSeconds,
    defaultText: seconds(DEFAULT_DRAIN_MS),
    help: 'on SIGTERM: new connections are refused, requests in flight get this long to finish',
  },
  {
    name: 'log-format',
    type: 'string',
    metavar: 'FORMAT',
    env: SERVER_ENV.logFormat,
    defaultText: 'local',
    help: [
      'local   one JSON line per request (--quiet: none)',
      "lambda  the Lambda door's JSON log lines and EMF metrics (the container door)",
    ],
  },
  {
    name: 'sweep-interval',
    type: 'string',
    metavar: 'SECS',
    env: SERVER_ENV.sweepIntervalSeconds,
    defaultText: String(DEFAULT_SWEEP_INTERVAL_SECONDS),
    help: 'how often to sweep leftovers of crashed large writes; 0: never (a deployment sweeps on a schedule)',
  },
];

export interface ServeSettings {
  readonly maxBodyBytes: number;
  readonly maxInFlightBytes: number;
  readonly timeouts: ServerTimeouts;
  readonly drainMs: number;
  readonly sweepIntervalMs: number;
  readonly logFormat: 'local' | 'lambda';
}

export function serveSettingsFrom(values: OptionValues): ServeSettings {
  const integer = (flag: string, min: number, max: number, fallback: number): number => {
    const raw = values[flag];
    if (typeof raw !== 'string') return fallback;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isSafeInteger(n) || n < min || n > max)
      throw new UsageError(`invalid --${flag} ${raw}: use a whole number of bytes from ${min} to ${max}`);
    return n;
  };
  const secs = (flag: string, fallbackMs: number, allowZero = false): number => {
    const raw = values[flag];
    if (typeof raw !== 'string') return fallbackMs;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || (n === 0 && !allowZero) || n > 86_400)
      throw new UsageError(
        `invalid --${flag} ${raw}: use a number of seconds${allowZero ? ' (0 turns it off)' : ' above 0'}, at most 86400`,
      );
    return Math.round(n * 1000);
  };
  const maxBodyBytes = integer('max-body-bytes', 1, MAX_BODY_BYTES_LIMIT, DEFAULT_MAX_BODY_BYTES);
  const maxInFlightBytes = integer('max-in-flight-bytes', 1, Number.MAX_SAFE_INTEGER, Math.max(DEFAULT_MAX_IN_FLIGHT_BYTES, maxBodyBytes));
  if (maxInFlightBytes < maxBodyBytes)
    throw new UsageError(
      `--max-in-flight-bytes ${maxInFlightBytes} is below --max-body-bytes ${maxBodyBytes}: a body of the largest size could never be served`,
    );
  const timeouts = {
    headersMs: secs('headers-timeout', SERVER_TIMEOUT_DEFAULTS.headersMs),
    idleMs: secs('idle-timeout', SERVER_TIMEOUT_DEFAULTS.idleMs),
    keepAliveMs: secs('keep-alive-timeout', SERVER_TIMEOUT_DEFAULTS.keepAliveMs),
  };
  // Node checks the headers timeout once a second, so it fires up to a second late;
  // an idle timeout that close would cut a client sending its headers too slowly without its 408.
  if (timeouts.idleMs < timeouts.headersMs + HEADERS_CHECK_INTERVAL_MS)
    throw new UsageError(
      `--idle-timeout ${timeouts.idleMs / 1000} must be at least ${HEADERS_CHECK_INTERVAL_MS / 1000} s longer than --headers-timeout ${timeouts.headersMs / 1000}: the headers timeout is checked once a second, and a slow client would be cut off without its 408`,
    );
  const logFormat = values['log-format'] ?? 'local';
  if (logFormat !== 'local' && logFormat !== 'lambda') throw new UsageError(`invalid --log-format ${logFormat}: use local or lambda`);
  return {
    maxBodyBytes,
    maxInFlightBytes,
    timeouts,
    drainMs: secs('drain-timeout', DEFAULT_DRAIN_MS, true),
    sweepIntervalMs: secs('sweep-interval', DEFAULT_SWEEP_INTERVAL_SECONDS * 1000, true),
    logFormat,
  };
}
