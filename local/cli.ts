/**
 * `vss serve` (and `npm start`, which runs it): a VSS at http://127.0.0.1:8080/vss on a persistent
 * embedded engine, or on any DynamoDB endpoint (the container front door's tasks run it on
 * DynamoDB itself). Every flag has an environment equivalent; flags win. `--help` lists them
 * (cli-options.ts).
 */
import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { parseAlgorithms } from '../lambda/auth/jwt.js';
import { parseEnrollment, parseMaxSkewSeconds } from '../lambda/auth/signature-policy.js';
import { isLoopback } from '../lambda/store/client-settings.js';
import { LNURL_AUTH_PATH, LOCAL_AUTH_MODES, isLocalAuthMode, type LocalAuthOptions } from './auth.js';
import { defaultEngine, startLocalVss, type LocalVss } from './app.js';
import { helpText, parseOptions, UsageError, type OptionSpec, type OptionValues } from './cli-options.js';
import { ENGINES, type EngineName } from './engines.js';
import type { RequestLogEntry } from './server.js';
import { PROVIDER_OPTIONS, providerSettingsFrom } from './provider-options.js';
import { providerSettingsFromEnv, type ProviderSettings } from '../lambda/provider/settings.js';
import { SERVE_OPTIONS, serveSettingsFrom } from './serve-options.js';
import { DEFAULT_BUCKET } from './object-store.js';
import { ENV, LARGE_VALUES } from '../lambda/contract.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'port', type: 'string', metavar: 'N', env: 'VSS_PORT', defaultText: '8080', help: 'port to listen on' },
  { name: 'host', type: 'string', metavar: 'HOST', env: 'VSS_HOST', defaultText: '127.0.0.1', help: 'address to bind' },
  {
    name: 'data-dir',
    type: 'string',
    metavar: 'DIR',
    env: 'VSS_DATA_DIR',
    defaultText: '.data',
    help: 'where the embedded engine keeps data',
  },
  {
    name: 'engine',
    type: 'string',
    metavar: 'NAME',
    env: 'VSS_ENGINE',
    defaultText: defaultEngine(),
    help: `embedded engine: ${ENGINES.join(' | ')}`,
  },
  {
    name: 'dynamodb-endpoint',
    type: 'string',
    metavar: 'URL',
    env: 'VSS_DYNAMODB_ENDPOINT',
    help: ['use this DynamoDB-compatible endpoint instead, real AWS included', 'credentials and region from the AWS SDK chain'],
  },
  { name: 'table', type: 'string', metavar: 'NAME', env: 'VSS_TABLE_NAME', defaultText: 'vss', help: 'table name' },
  {
    name: 's3-endpoint',
    type: 'string',
    metavar: 'URL',
    env: 'VSS_S3_ENDPOINT',
    help: [
      'keep large values in this S3-compatible store (MinIO, real S3)',
      'instead of the embedded one; credentials and region from the AWS SDK chain',
    ],
  },
  { name: 's3-bucket', type: 'string', metavar: 'NAME', env: 'VSS_S3_BUCKET', defaultText: DEFAULT_BUCKET, help: 'bucket of large values' },
  {
    name: 'inline-max-bytes',
    type: 'string',
    metavar: 'N',
    env: 'VSS_INLINE_MAX_BYTES',
    defaultText: String(LARGE_VALUES.defaultInlineMaxBytes),
    help: 'values whose table item would be larger go to the object store',
  },
  {
    name: 'auth',
    type: 'string',
    metavar: 'MODE',
    env: 'VSS_AUTH',
    defaultText: 'none',
    help: [
      LOCAL_AUTH_MODES.join(' | '),
      '  none       everyone is one user; loopback only unless --allow-unauthenticated',
      "  signature  LDK Node main's default: signed Authorization header",
      '  jwt        RS256 JWTs of your issuer (needs --jwt-public-key)',
      '  lnurl      serves an LNURL-auth JWT issuer at /lnurl-auth and accepts its tokens',
      '             (LDK Node 0.4-0.7, ..._and_lnurl_auth)',
    ],
  },
  {
    name: 'allow-unauthenticated',
    type: 'boolean',
    env: 'VSS_ALLOW_UNAUTHENTICATED',
    help: ['allow --auth none on a non-loopback --host: anyone who reaches the port', 'reads and writes every store'],
  },
  {
    name: 'jwt-public-key',
    type: 'string',
    metavar: 'PATH',
    env: 'VSS_JWT_PUBLIC_KEY_FILE',
    help: ["issuer's PEM public key, SPKI or PKCS#1", 'or the PEM text itself in VSS_JWT_PUBLIC_KEY_PEM'],
  },
  { name: 'jwt-jwks-url', type: 'string', metavar: 'URL', env: 'VSS_JWT_JWKS_URL', help: "issuer's JWKS instead of a PEM key" },
  { name: 'jwt-issuer', type: 'string', metavar: 'ISS', env: 'VSS_JWT_ISSUER', help: 'required iss claim' },
  {
    name: 'jwt-audience',
    type: 'string',
    metavar: 'AUD',
    env: 'VSS_JWT_AUDIENCE',
    help: 'required aud claim; without it a token with aud is refused',
  },
  { name: 'jwt-algorithms', type: 'string', metavar: 'LIST', env: 'VSS_JWT_ALGORITHMS', defaultText: 'RS256', help: 'RS256 and/or ES256' },
  {
    name: 'lnurl-public-url',
    type: 'string',
    metavar: 'URL',
    env: 'VSS_LNURL_PUBLIC_URL',
    defaultText: 'http://<Host header>/lnurl-auth',
    help: ['the auth URL wallets use', 'use a host name, not an IP: wallets derive the linking key from the domain'],
  },
  {
    name: 'lnurl-token-ttl',
    type: 'string',
    metavar: 'SECS',
    env: 'VSS_LNURL_TOKEN_TTL_SECONDS',
    defaultText: '86400',
    help: 'lifetime of issued JWTs',
  },
  {
    name: 'signature-enrollment',
    type: 'string',
    metavar: 'POLICY',
    env: 'VSS_SIGNATURE_ENROLLMENT',
    defaultText: 'open',
    help: [
      'with --auth signature: open | allowlist',
      '  open       any key pair is a user',
      '  allowlist  only keys registered with `npx vss admin allow-user` (401 for others)',
    ],
  },
  {
    name: 'signature-max-skew-seconds',
    type: 'string',
    metavar: 'SECS',
    env: 'VSS_SIGNATURE_MAX_SKEW_SECONDS',
    defaultText: '86400',
    help: ['with --auth signature: the replay window, the most a signing time may', 'differ from now (docs/auth.md)'],
  },
  ...PROVIDER_OPTIONS,
  ...SERVE_OPTIONS,
  { name: 'quiet', type: 'boolean', env: 'VSS_QUIET', help: 'no log line per request' },
  { name: 'help', type: 'boolean', short: 'h', help: 'this text' },
];

/** The first line of --help, as the user started the server: `npm start` or `vss serve`. */
export const USAGE = {
  npmStart: 'Usage: npm start -- [options]',
  vssServe: 'Usage: vss serve [options]   (npm start -- [options] runs it)',
} as const;

/**
 * The usage line for this process: `npm start` runs `vss serve` as its start script, and npm
 * names the script it runs in npm_lifecycle_event.
 */
export function usageOf(env: NodeJS.ProcessEnv): string {
  return env['npm_lifecycle_event'] === 'start' ? USAGE.npmStart : USAGE.vssServe;
}

/**
 * Where the server writes and what it reads: the process's own (processIo) when it runs as
 * `npm start` or `vss serve` (the `vss` command's, cli/io.ts, which are the process's unless a
 * test runs the command in-process); tests pass captured streams and an environment of their own
 * to run the command line in their process (`run`).
 */
export interface ServeIo {
  /** The ready lines and the request log; --help. */
  readonly stdout: Writable;
  /** Warnings, refusals, operational messages. */
  readonly stderr: Writable;
  /** The variables behind the flags (VSS_PORT, VSS_JWT_PUBLIC_KEY_PEM, ...). */
  readonly env: NodeJS.ProcessEnv;
  /** The first line of --help (USAGE). */
  readonly usage: string;
}

/** This process's streams and environment. */
export function processIo(usage: string = usageOf(process.env)): ServeIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, usage };
}

/**
 * Runs the server with `argv` (the options after `serve`) as this process's job: it stops on
 * SIGINT, SIGTERM or SIGHUP, or when orphaned, and the process exits then. Resolves once it is
 * listening; a refusal to start rejects (UsageError for the command line).
 */
export async function serve(argv: readonly string[], io: ServeIo = processIo()): Promise<void> {
  // The SDK versions are pinned exactly; its notice that future releases will need Node 22 is
  // noise for a local server (it is read when the first client is created, i.e. after this line).
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  let stopping = false;
  const vss = await startServer(argv, io, (e) => {
    if (stopping) return;
    io.stderr.write(`vss: ${e.message}. The server stops: fix the cause and run npm start again.\n`);
    process.exit(1);
  });
  if (!vss) return;

  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    io.stdout.write(`VSS stopping (${signal})\n`);
    vss.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e); // with its stack, as the process ends here
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGHUP', () => stop('SIGHUP'));
  // A wrapper that dies without passing its signal on (a shell that does not exec) leaves this
  // process orphaned: stop rather than serve on with nobody in charge.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop('parent process exited');
  }, 1000).unref();
}

/**
 * The command line in this process, to the exit code the process would end with when it does
 * not serve: 0 after --help; a refusal to start prints `vss: <why>` on stderr and gives 2 for a
 * bad command line (UsageError), 1 for anything else (the data directory, the engine). A command
 * line that does start a server is stopped again before this resolves (0): nothing is left
 * running, listening or installed on the process.
 */
export async function run(argv: readonly string[], io: ServeIo): Promise<number> {
  try {
    const vss = await startServer(argv, io);
    await vss?.stop();
    return 0;
  } catch (e) {
    return refuse(e, io.stderr);
  }
}

/** Says why the server did not start; returns the exit code for it. */
function refuse(e: unknown, stderr: Writable): number {
  stderr.write(`vss: ${(e as Error).message}\n`);
  return e instanceof UsageError ? 2 : 1;
}

/**
 * Parses and checks `argv`, then starts the server and prints its ready lines; resolves with it
 * once it is listening, or with undefined when --help asked only for the options. Refusals throw
 * (UsageError for the command line). Installs nothing on the process: the caller stops the server.
 */
async function startServer(argv: readonly string[], io: ServeIo, onFatal?: (e: Error) => void): Promise<LocalVss | undefined> {
  const env = io.env;
  const values = parseOptions(argv, OPTIONS, env);
  if (values['help']) {
    io.stdout.write(helpText(io.usage, OPTIONS));
    return undefined;
  }
  const str = (name: string): string | undefined => values[name] as string | undefined;
  const port = Number(str('port') ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`invalid --port ${str('port')}: use a number from 0 to 65535`);
  const engine = (str('engine') ?? defaultEngine()) as EngineName;
  if (!ENGINES.includes(engine)) throw new UsageError(`invalid --engine ${engine}: use ${ENGINES.join(' or ')}`);
  const auth = str('auth') ?? 'none';
  if (!isLocalAuthMode(auth)) throw new UsageError(`invalid --auth ${auth}: use ${LOCAL_AUTH_MODES.join(', ')}`);
  const host = str('host') ?? '127.0.0.1';
  const endpoint = str('dynamodb-endpoint');
  const s3Endpoint = str('s3-endpoint');
  const inlineMaxBytes = parseInlineMaxBytes(str('inline-max-bytes'));
  const retentionDays = parseRetentionDays(env[ENV.retentionDays]);
  const line = (stream: Writable, text: string): void => void stream.write(`${text}\n`);
  if (auth === 'none' && !isLoopback(host)) {
    if (!values['allow-unauthenticated']) {
      throw new UsageError(
        `--auth none on --host ${host} would let anyone who reaches this port read and write every store: choose an --auth mode (signature, jwt, lnurl), bind a loopback --host, or pass --allow-unauthenticated if that is really meant`,
      );
    }
    line(
      io.stderr,
      `WARNING: --auth none on ${host} with --allow-unauthenticated: anyone who reaches this port reads and writes every store.`,
    );
  }

  const serving = serveSettingsFrom(values);
  const authOptions = { ...(await authOptionsFrom(values, env)), ...signatureOptionsFrom(values, auth) };
  if (auth === 'none') {
    line(io.stderr, 'WARNING: --auth none: every request is the same user ("unauth-user"). For local development only.');
  }
  const vss = await startLocalVss({
    host,
    port,
    engine,
    dataDir: str('data-dir') ?? '.data',
    ...(endpoint ? { dynamodbEndpoint: endpoint } : {}),
    tableName: str('table') ?? 'vss',
    ...(s3Endpoint ? { s3Endpoint } : {}),
    s3Bucket: str('s3-bucket') ?? DEFAULT_BUCKET,
    inlineMaxBytes,
    ...(retentionDays !== undefined ? { retentionDays } : {}),
    auth,
    authOptions,
    provider: mergeProviderSettings(providerSettingsFromEnv(env), providerSettingsFrom(values)),
    maxBodyBytes: serving.maxBodyBytes,
    maxInFlightBytes: serving.maxInFlightBytes,
    timeouts: serving.timeouts,
    drainMs: serving.drainMs,
    sweepIntervalMs: serving.sweepIntervalMs,
    logFormat: serving.logFormat,
    // Lambda-shaped logs come from the request path's observers, not the local request log.
    ...(values['quiet'] || serving.logFormat === 'lambda' ? {} : { requestLog: (entry) => printRequest(io.stdout, entry) }),
    log: (text) => line(io.stderr, text),
    ...(onFatal ? { onFatal } : {}),
  }).catch((e: unknown) => {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new UsageError(`port ${port} on ${host} is in use (another VSS server?): stop it or pass another --port`);
    }
    throw e;
  });
  if (auth === 'lnurl') {
    // Before the ready line, which scripts wait for.
    line(io.stdout, `LNURL-auth issuer at ${authOptions.lnurlPublicUrl ?? vss.url.replace(/\/vss$/, '') + LNURL_AUTH_PATH}`);
  }
  // The admin commands (`vss admin … --dynamodb-endpoint`) work on the embedded engine too.
  if (vss.engine) line(io.stdout, `DynamoDB engine at ${vss.engine.endpoint}, table ${vss.tableName}`);
  line(io.stdout, `Object store at ${vss.objectStore.endpoint}, bucket ${vss.objectStore.bucket}`);
  line(io.stdout, `VSS listening on ${vss.url}`);
  return vss;
}

/** The provider settings of the environment the container door sets, with the flags (and their variables) winning. */
function mergeProviderSettings(fromEnv: ProviderSettings, fromFlags: ProviderSettings): ProviderSettings {
  const quota = fromFlags.quota ? { ...fromEnv.quota, ...fromFlags.quota } : fromEnv.quota;
  const rateLimit = fromFlags.rateLimit ? { ...fromEnv.rateLimit, ...fromFlags.rateLimit } : fromEnv.rateLimit;
  const usageMetering = fromFlags.usageMetering ?? fromEnv.usageMetering;
  return {
    ...(usageMetering !== undefined ? { usageMetering } : {}),
    ...(quota ? { quota } : {}),
    ...(rateLimit ? { rateLimit } : {}),
  };
}

/** One JSON line per request on stdout, shaped like the deployed handlers' log lines. */
function printRequest(stdout: Writable, entry: RequestLogEntry): void {
  const level = entry.status >= 500 ? 'ERROR' : entry.aborted ? 'WARN' : 'INFO';
  const message = entry.aborted ? 'vss request aborted by the client' : 'vss request';
  stdout.write(`${JSON.stringify({ level, message, timestamp: new Date().toISOString(), service: 'vss', ...entry })}\n`);
}

function parseInlineMaxBytes(text: string | undefined): number {
  if (text === undefined) return LARGE_VALUES.defaultInlineMaxBytes;
  const n = Number(text);
  const { minInlineMaxBytes: min, maxInlineMaxBytes: max } = LARGE_VALUES;
  if (!/^[0-9]+$/.test(text) || n < min || n > max)
    throw new UsageError(`invalid --inline-max-bytes ${text}: use a whole number of bytes from ${min} to ${max}`);
  return n;
}

/**
 * How long replaced objects are kept, from the variable the container front door sets beside
 * VSS_S3_BUCKET (`largeValues.retentionDays`); no flag, as the deployed sweeper owns the rest.
 */
function parseRetentionDays(text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n < LARGE_VALUES.minRetentionDays)
    throw new UsageError(`invalid ${ENV.retentionDays} ${text}: use a whole number of days, at least ${LARGE_VALUES.minRetentionDays}`);
  return n;
}

/** Signature mode's policy from flags and environment (flags win); refused with another mode. */
function signatureOptionsFrom(
  values: OptionValues,
  auth: string,
): Pick<LocalAuthOptions, 'signatureEnrollment' | 'signatureMaxSkewSeconds'> {
  const enrollment = values['signature-enrollment'] as string | undefined;
  const skew = values['signature-max-skew-seconds'] as string | undefined;
  if ((enrollment !== undefined || skew !== undefined) && auth !== 'signature')
    throw new UsageError(
      `--${enrollment !== undefined ? 'signature-enrollment' : 'signature-max-skew-seconds'} applies to --auth signature only (got --auth ${auth})`,
    );
  try {
    return {
      ...(enrollment !== undefined ? { signatureEnrollment: parseEnrollment(enrollment, '--signature-enrollment') } : {}),
      ...(skew !== undefined ? { signatureMaxSkewSeconds: parseMaxSkewSeconds(skew, '--signature-max-skew-seconds') } : {}),
    };
  } catch (e) {
    throw new UsageError(`invalid ${(e as Error).message}`);
  }
}

/** Auth settings from flags and environment (flags win). */
async function authOptionsFrom(values: OptionValues, env: NodeJS.ProcessEnv): Promise<Omit<LocalAuthOptions, 'mode'>> {
  const str = (name: string): string | undefined => values[name] as string | undefined;
  const keyFile = str('jwt-public-key');
  const pem = keyFile ? await readFile(keyFile, 'utf8') : env['VSS_JWT_PUBLIC_KEY_PEM'] || undefined;
  const jwks = str('jwt-jwks-url');
  const issuer = str('jwt-issuer');
  const audience = str('jwt-audience');
  const algorithms = str('jwt-algorithms');
  const publicUrl = str('lnurl-public-url');
  const ttl = str('lnurl-token-ttl');
  const ttlSeconds = ttl === undefined ? undefined : Number(ttl);
  if (ttlSeconds !== undefined && (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0))
    throw new UsageError(`invalid --lnurl-token-ttl ${ttl}: use a positive number of seconds`);
  return {
    ...(pem ? { jwtPublicKeyPem: pem } : {}),
    ...(jwks ? { jwtJwksUrl: jwks } : {}),
    ...(issuer ? { jwtIssuer: issuer } : {}),
    ...(audience ? { jwtAudience: audience } : {}),
    ...(algorithms ? { jwtAlgorithms: parseAlgorithms(algorithms) } : {}),
    ...(publicUrl ? { lnurlPublicUrl: publicUrl } : {}),
    ...(ttlSeconds !== undefined ? { lnurlTokenTtlSeconds: ttlSeconds } : {}),
  };
}

// Run directly (`node --import tsx local/cli.ts`), as `npm start` did before `vss serve` existed.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  serve(process.argv.slice(2), processIo(USAGE.npmStart)).catch((e: unknown) => process.exit(refuse(e, process.stderr)));
}
