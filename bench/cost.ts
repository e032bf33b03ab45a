/**
 * `npm run bench:cost`: the cost per wallet-month of two LDK Node profiles (bench/ldk-profiles.ts),
 * replayed for a simulated day over HTTP through the local server, time-compressed (each request
 * is sent as soon as the previous one is answered), with random (incompressible) values.
 *
 * Two servers run side by side, each on its own table of one Dynoxide engine, each behind counting
 * proxies (bench/counting-proxy.ts):
 *   chunks   today's main before the object tier (BASELINE_COMMIT, exported with `git archive`)
 *   objects  this tree: values above the inline threshold in S3 (an in-process s3rver)
 * Before the object tier is merged this tree IS the chunk store, and only `chunks` runs.
 *
 * It measures, per request: DynamoDB requests and capacity units as the engine reports them
 * (ReturnConsumedCapacity; Dynoxide counts as AWS does), S3 requests and bytes, and refusals for
 * size (413). Then put/get latency at 16 KB, 100 KB, 1 MB and 4 MB, the two servers interleaved
 * round by round (each the other's same-run baseline), and the requests per CPU-second one server
 * process sustains for the mobile mix. Results go to bench/results/cost.json; docs/cost.md and
 * its plot are rendered from them (bench/cost-doc.ts), so the doc is what the model computes.
 *
 *   npm run bench:cost [-- --quick]        (--quick: fewer latency rounds, a shorter load test)
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { toLong } from '../lambda/core/codec.js';
import { vss } from '../lambda/core/generated/vss.js';
import { MAX_REQUEST_BODY_BYTES } from '../lambda/core/limits.js';
import { startEngine } from '../local/engines.js';
import { type CountingProxy, startCountingProxy } from './counting-proxy.js';
import type { Measurement, Usage } from './cost-model.js';
import { emptyUsage, HTTP_API_UNIT_BYTES } from './cost-model.js';
import { compressDay, PROFILES, type ProfileEvent, type ProfileName, profileEvents } from './ldk-profiles.js';
import { summarize } from './stats.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Today's main before the object tier: the chunk store (DynamoDB only). */
export const BASELINE_COMMIT = '8686943';
const QUICK = process.argv.includes('--quick');
const RESULTS = path.join(ROOT, 'bench/results/cost.json');
const INLINE_MAX_BYTES = Number(process.env['BENCH_INLINE_MAX_BYTES'] ?? 32_768);
const BUCKET = 'vss-values';

/**
 * Lambda billed duration per request, for the Lambda doors' compute (the local server's time is
 * not Lambda's): the durations of docs/architecture.md, plus 10 ms per MB of body, plus one S3
 * round trip (30 ms) when the value is an object. Memory as deployed (lib/private/functions.ts).
 */
function lambdaGbSeconds(op: ProfileEvent['op'], bytes: number, s3: boolean): number {
  const base = op === 'put' ? 40 : op === 'list' ? 40 : 25;
  const memoryGb = op === 'put' ? 1 : 0.5;
  return ((base + (10 * bytes) / 1e6 + (s3 ? 30 : 0)) / 1000) * memoryGb;
}

// ---------------------------------------------------------------- servers

interface Server {
  readonly variant: 'chunks' | 'objects';
  readonly url: string;
  readonly child: ChildProcess;
  readonly dynamodb: CountingProxy;
  readonly s3?: CountingProxy | undefined;
}

function supportsObjectTier(dir: string): boolean {
  return readFileSync(path.join(dir, 'local/cli.ts'), 'utf8').includes("'s3-endpoint'");
}

/** Starts `node --import tsx local/cli.ts` in `dir` and waits for its "VSS listening on" line. */
async function spawnServer(dir: string, args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/cli.ts', '--port', '0', '--quiet', ...args], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VSS_AUTH: 'none' },
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server in ${dir} did not start:\n${out}`)), 120_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /VSS listening on (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited ${code}:\n${out}`)));
  });
  child.stdout!.resume();
  child.stderr!.resume();
  return { child, url };
}

/** A commit exported to a temporary directory, sharing this node_modules. */
function exportTree(ref: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'vss-cost-tree-'));
  execFileSync('sh', ['-c', `git -C "${ROOT}" archive ${ref} | tar -x -C "${dir}"`]);
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

// ---------------------------------------------------------------- client

const L = (n: number) => toLong(BigInt(n));
/** Random bytes, drawn once: each value is a slice at a new offset, so no two writes are alike. */
const POOL = randomBytes(64 * 1024 * 1024);
let poolOffset = 0;
function randomValue(size: number): Uint8Array {
  const start = (poolOffset = (poolOffset + 7919) % Math.max(1, POOL.length - size));
  return POOL.subarray(start, start + size);
}

interface Answer {
  readonly status: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/**
 * One VSS request over HTTP. A body above 1 MB is offered with `Expect: 100-continue`, so a server
 * that refuses its size answers 413 before the body is sent (as the local server does).
 */
function call(url: string, op: string, body: Uint8Array): Promise<Answer> {
  return new Promise((resolve) => {
    const u = new URL(`${url}/${op}`);
    const offer = body.length > 1_000_000;
    let settled = false;
    const done = (a: Answer) => {
      if (!settled) {
        settled = true;
        resolve(a);
      }
    };
    const req = request({
      host: u.hostname,
      port: u.port,
      path: u.pathname,
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/octet-stream', 'content-length': body.length, ...(offer ? { expect: '100-continue' } : {}) },
    });
    let sent = !offer;
    req.on('response', (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => {
        n += c.length;
      });
      res.on('end', () => {
        done({ status: res.statusCode ?? 599, requestBytes: body.length, responseBytes: n });
        // A refused offer leaves the request unfinished: its socket cannot be reused.
        if (!sent) req.destroy();
      });
      res.on('error', () => done({ status: 599, requestBytes: body.length, responseBytes: 0 }));
    });
    req.on('error', () => done({ status: body.length > MAX_REQUEST_BODY_BYTES ? 413 : 599, requestBytes: body.length, responseBytes: 0 }));
    if (offer)
      req.on('continue', () => {
        sent = true;
        req.end(body);
      });
    else req.end(body);
  });
}

/** `call`, retrying a 5xx a few times as clients do (for requests that are set-up, not measured). */
async function callOk(url: string, op: string, body: Uint8Array): Promise<Answer> {
  let a = await call(url, op, body);
  for (let attempt = 1; a.status >= 500 && attempt < 6; attempt++) {
    await new Promise((r) => setTimeout(r, 200 * attempt));
    a = await call(url, op, body);
  }
  return a;
}

function encode(storeId: string, e: ProfileEvent): [string, Uint8Array] {
  switch (e.op) {
    case 'put':
      return [
        'putObjects',
        vss.PutObjectRequest.encode({ storeId, transactionItems: [{ key: e.key, version: L(-1), value: randomValue(e.size) }] }).finish(),
      ];
    case 'get':
      return ['getObject', vss.GetObjectRequest.encode({ storeId, key: e.key }).finish()];
    case 'delete':
      return ['deleteObject', vss.DeleteObjectRequest.encode({ storeId, keyValue: { key: e.key, version: L(-1) } }).finish()];
    case 'list':
      return ['listKeyVersions', vss.ListKeyVersionsRequest.encode({ storeId }).finish()];
  }
}

// ---------------------------------------------------------------- replay

/** Per-item overhead of a head or inline item besides the value (key, version, sequence, digest). */
const ITEM_OVERHEAD_BYTES = 200;

async function replay(server: Server, profile: ProfileName): Promise<Measurement> {
  const spec = PROFILES[profile];
  const events = profileEvents(spec);
  const plan = compressDay(events);
  const storeId = `cost-${profile}-${Date.now()}`;
  const objects = server.variant === 'objects';
  const isObject = (size: number) => objects && size > INLINE_MAX_BYTES;
  // The node's standing state before the day starts (not counted).
  const current = new Map<string, number>();
  for (const e of events) {
    if (e.op === 'get' && !current.has(e.key) && e.key !== 'network_graph') {
      const size =
        e.key === 'scorer'
          ? spec.scorerBytes
          : e.key === 'channel_manager'
            ? spec.channelManagerBytes
            : e.key.startsWith('monitors/')
              ? spec.monitorBytes
              : spec.smallBytes;
      await callOk(server.url, ...encode(storeId, { at: 0, op: 'put', key: e.key, size, kind: 'setup' }));
      current.set(e.key, size);
    }
  }
  const within = emptyUsage();
  const beyond = emptyUsage();
  let refusedForSize = 0;
  let beyondAccepted = 0;
  let beyondSeen = 0;
  const started = performance.now();
  let done = 0;
  let retries = 0;
  for (const { event: e, weight: w } of plan) {
    if (++done % 500 === 0) console.log(`    ${server.variant} ${profile}: ${done}/${plan.length}`);
    const [op, body] = encode(storeId, e);
    // A 5xx is retried as clients do (the shared machine can starve a request past its budget);
    // only the attempt that succeeded is counted, the retries are reported.
    let before = snapshot(server);
    let answer = await call(server.url, op, body);
    for (let attempt = 1; answer.status >= 500 && answer.status !== 599 && attempt < 6; attempt++) {
      retries++;
      await new Promise((r) => setTimeout(r, 200 * attempt));
      before = snapshot(server);
      answer = await call(server.url, op, body);
    }
    const after = snapshot(server);
    const large = body.length > MAX_REQUEST_BODY_BYTES;
    const u = large ? beyond : within;
    if (large) beyondSeen += w;
    if (answer.status === 413) {
      refusedForSize += w;
      continue;
    }
    if (answer.status !== 200 && !(answer.status === 404 && e.op === 'get')) throw new Error(`${op} ${e.kind}: HTTP ${answer.status}`);
    if (large) beyondAccepted += w;
    u.requests[op] = (u.requests[op] ?? 0) + w;
    u.requestBytes += answer.requestBytes * w;
    u.responseBytes += answer.responseBytes * w;
    u.httpApiUnits += w * Math.max(1, Math.ceil(Math.max(answer.requestBytes, answer.responseBytes) / HTTP_API_UNIT_BYTES));
    u.dynamodbReadUnits += (after.readUnits - before.readUnits) * w;
    u.dynamodbWriteUnits += (after.writeUnits - before.writeUnits) * w;
    u.s3Puts += (after.s3Put - before.s3Put) * w;
    u.s3Gets += (after.s3Get - before.s3Get) * w;
    u.s3BytesIn += (after.s3BytesIn - before.s3BytesIn) * w;
    const valueBytes = e.op === 'put' ? e.size : e.op === 'get' ? (current.get(e.key) ?? 0) : 0;
    u.lambdaGbSeconds += w * lambdaGbSeconds(e.op, Math.max(valueBytes, answer.responseBytes), isObject(valueBytes));
    // Superseded or deleted objects are kept for the retention period.
    if (e.op === 'put' || e.op === 'delete') {
      const previous = current.get(e.key);
      if (previous !== undefined && isObject(previous)) u.s3SupersededBytes += previous * w;
      if (e.op === 'put') current.set(e.key, e.size);
      else current.delete(e.key);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  // What is held at the end of the day, from the sizes written (inline items, current objects).
  for (const [key, size] of current) {
    const u = size > MAX_REQUEST_BODY_BYTES ? beyond : within;
    if (isObject(size)) {
      u.storedS3Bytes += size;
      u.storedDynamodbBytes += ITEM_OVERHEAD_BYTES + key.length;
    } else u.storedDynamodbBytes += size + ITEM_OVERHEAD_BYTES + key.length;
  }
  const total = `${events.length} (${plan.length} sent)`;
  console.log(
    `  ${server.variant.padEnd(7)} ${profile.padEnd(6)} ${total} requests in ${seconds.toFixed(1)} s (${retries} retried after a 5xx); refused for size ${refusedForSize}; ` +
      `DynamoDB RU ${(within.dynamodbReadUnits + beyond.dynamodbReadUnits).toFixed(1)} WU ${(within.dynamodbWriteUnits + beyond.dynamodbWriteUnits).toFixed(1)}; ` +
      `S3 PUT ${within.s3Puts + beyond.s3Puts} GET ${within.s3Gets + beyond.s3Gets} in ${((within.s3BytesIn + beyond.s3BytesIn) / 1e6).toFixed(1)} MB`,
  );
  return {
    profile,
    variant: server.variant,
    within,
    beyond: beyondAccepted > 0 ? beyond : estimateBeyond(events, objects),
    refusedForSize: beyondSeen,
    beyondCarried: !objects ? 'no' : beyondAccepted > 0 ? 'measured' : 'estimated',
  };
}

/**
 * The object tier's usage for writes the local server refused for size (when it bounds bodies to
 * the Lambda door's limit): one S3 PUT of the value and one head-item write (1 write unit) each,
 * the superseded object kept for the retention, as the measured object writes below the limit do.
 */
function estimateBeyond(events: readonly ProfileEvent[], objects: boolean): Usage {
  const u = emptyUsage();
  if (!objects) return u;
  let last: number | undefined;
  for (const e of events) {
    if (e.op !== 'put' || e.size <= MAX_REQUEST_BODY_BYTES) continue;
    u.requests['putObjects'] = (u.requests['putObjects'] ?? 0) + 1;
    u.requestBytes += e.size;
    u.responseBytes += 8;
    u.httpApiUnits += Math.ceil(e.size / HTTP_API_UNIT_BYTES);
    u.dynamodbWriteUnits += 1;
    u.s3Puts += 1;
    u.s3BytesIn += e.size;
    if (last !== undefined) u.s3SupersededBytes += last;
    last = e.size;
  }
  if (last !== undefined) {
    u.storedS3Bytes += last;
    u.storedDynamodbBytes += ITEM_OVERHEAD_BYTES;
  }
  return u;
}

function snapshot(server: Server) {
  return {
    readUnits: server.dynamodb.dynamodb.readUnits,
    writeUnits: server.dynamodb.dynamodb.writeUnits,
    s3Put: server.s3?.s3.put ?? 0,
    s3Get: server.s3?.s3.get ?? 0,
    s3BytesIn: server.s3?.s3.bytesIn ?? 0,
  };
}

// ---------------------------------------------------------------- latency

export const LATENCY_SIZES = [16_384, 102_400, 1_048_576, 4_194_304] as const;

interface LatencyRow {
  readonly variant: string;
  readonly size: number;
  readonly op: 'put' | 'get';
  readonly p50: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
  readonly samples: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function latency(servers: readonly Server[]): Promise<LatencyRow[]> {
  const rows: LatencyRow[] = [];
  for (const size of LATENCY_SIZES) {
    const rounds = QUICK ? 10 : size >= 1_000_000 ? 15 : 30;
    const samples = new Map<string, number[]>();
    let failures = 0;
    const storeId = `latency-${size}-${Date.now()}`;
    const key = 'k'.repeat(144);
    // Warm-up, not measured.
    for (const s of servers) await callOk(s.url, ...encode(storeId, { at: 0, op: 'put', key, size, kind: 'latency' }));
    for (let round = 0; round < rounds; round++) {
      for (let j = 0; j < servers.length; j++) {
        const s = servers[(j + round) % servers.length]!;
        for (const op of ['put', 'get'] as const) {
          const e: ProfileEvent = op === 'put' ? { at: 0, op, key, size, kind: 'latency' } : { at: 0, op, key, kind: 'latency' };
          const [name, body] = encode(storeId, e);
          const t0 = performance.now();
          const a = await call(s.url, name, body);
          const ms = performance.now() - t0;
          // A 5xx (a request starved past its budget on the shared machine) is reported, not timed.
          if (a.status !== 200) {
            failures++;
            continue;
          }
          const k = `${s.variant} ${op}`;
          samples.set(k, [...(samples.get(k) ?? []), ms]);
        }
      }
    }
    if (failures > 0) console.log(`  ${failures} requests of ${size} bytes answered 5xx and were not timed`);
    for (const [k, v] of samples) {
      const [variant, op] = k.split(' ') as [string, 'put' | 'get'];
      const sorted = [...v].sort((a, b) => a - b);
      const s = summarize(v);
      rows.push({ variant, size, op, p50: percentile(sorted, 50), p99: percentile(sorted, 99), min: s.min, max: s.max, samples: v.length });
    }
  }
  return rows;
}

// ---------------------------------------------------------------- throughput

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
}

function rssBytes(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

interface Throughput {
  readonly variant: string;
  readonly concurrency: number;
  readonly seconds: number;
  readonly requests: number;
  /** Requests answered with an error (not counted in `requests`). */
  readonly failed: number;
  readonly wallRequestsPerSecond: number;
  readonly serverCpuSeconds: number;
  readonly requestsPerCpuSecond: number;
  readonly peakRssBytes: number;
}

/**
 * Many mobile wallets at once against one server process: `concurrency` clients, each replaying
 * the mobile day (without the graph, which no Lambda door carries) on its own store, for a fixed
 * time. Requests per CPU-second of the server process (its engines excluded: on AWS they are
 * DynamoDB and S3) is what scales to a task's vCPU share.
 */
async function throughput(server: Server, concurrency: number, seconds: number): Promise<Throughput> {
  const events = profileEvents(PROFILES.mobile).filter((e) => e.op !== 'put' || e.size <= MAX_REQUEST_BODY_BYTES);
  const pid = server.child.pid!;
  let requests = 0;
  let failed = 0;
  const until = performance.now() + seconds * 1000;
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, c) => {
      const storeId = `load-${c}-${Date.now()}`;
      for (let i = 0; performance.now() < until; i = (i + 1) % events.length) {
        const a = await call(server.url, ...encode(storeId, events[i]!));
        if (a.status === 200 || a.status === 404) requests++;
        else failed++;
      }
    }),
  );
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  return {
    variant: server.variant,
    concurrency,
    seconds: wall,
    requests,
    failed,
    wallRequestsPerSecond: requests / wall,
    serverCpuSeconds: cpu,
    requestsPerCpuSecond: requests / cpu,
    peakRssBytes: rssBytes(pid),
  };
}

// ---------------------------------------------------------------- main

export interface CostResults {
  readonly measuredAt: string;
  readonly machine: string;
  readonly inlineMaxBytes: number;
  readonly baselineCommit: string;
  /** The object tier's commit when it was measured before being merged here. */
  readonly objectsCommit?: string;
  readonly measurements: Measurement[];
  readonly latency: LatencyRow[];
  /** The machine's load average (1, 5, 15 min) when the latency rounds started and ended. */
  readonly latencyLoad?: { readonly start: readonly number[]; readonly end: readonly number[] };
  readonly throughput: Throughput[];
}

let objectsCommit: string | undefined;

const round2 = (x: number): number => Math.round(x * 100) / 100;

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'vss-cost-'));
  const engine = await startEngine('dynoxide');
  const servers: Server[] = [];
  const cleanups: Array<() => Promise<void> | void> = [() => engine.stop(), () => rmSync(work, { recursive: true, force: true })];
  try {
    // The object tier: this tree once it has it, or (before the merge) the commit BENCH_OBJECTS_REF names.
    const objectsRef = supportsObjectTier(ROOT) ? undefined : process.env['BENCH_OBJECTS_REF'];
    const objectsTree = objectsRef ? exportTree(objectsRef) : ROOT;
    if (objectsRef) cleanups.push(() => rmSync(objectsTree, { recursive: true, force: true }));
    objectsCommit = objectsRef
      ? execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', objectsRef], { encoding: 'utf8' }).trim()
      : undefined;
    const objectTier = supportsObjectTier(objectsTree);
    const variants: Array<['chunks' | 'objects', string]> = objectTier
      ? [
          ['chunks', exportTree(BASELINE_COMMIT)],
          ['objects', objectsTree],
        ]
      : [['chunks', ROOT]];
    if (objectTier) cleanups.push(() => rmSync(variants[0]![1], { recursive: true, force: true }));
    let s3Proxy: CountingProxy | undefined;
    if (objectTier) {
      // Loaded by name: the bench types only what it uses of s3rver.
      const s3rverModule = 's3rver';
      const { default: S3rver } = (await import(s3rverModule)) as {
        default: new (o: object) => { run(): Promise<{ port: number }>; close(): Promise<void> };
      };
      const s3 = new S3rver({
        port: 0,
        address: '127.0.0.1',
        silent: true,
        directory: path.join(work, 's3'),
        configureBuckets: [{ name: BUCKET }],
      });
      const { port } = await s3.run();
      cleanups.push(() => s3.close());
      s3Proxy = await startCountingProxy(`http://127.0.0.1:${port}`, 's3');
      cleanups.push(() => s3Proxy!.close());
    }
    for (const [variant, dir] of variants) {
      const dynamodb = await startCountingProxy(engine.endpoint, 'dynamodb');
      cleanups.push(() => dynamodb.close());
      const dataDir = path.join(work, variant);
      mkdirSync(dataDir, { recursive: true });
      const args = ['--dynamodb-endpoint', dynamodb.endpoint, '--table', `cost-${variant}`, '--data-dir', dataDir];
      if (variant === 'objects' && s3Proxy)
        args.push('--s3-endpoint', s3Proxy.endpoint, '--s3-bucket', BUCKET, '--inline-max-bytes', String(INLINE_MAX_BYTES));
      const { child, url } = await spawnServer(dir, args);
      cleanups.push(
        () =>
          new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      );
      servers.push({ variant, url, child, dynamodb, s3: variant === 'objects' ? s3Proxy : undefined });
      console.log(`${variant}: ${url}${variant === 'chunks' && objectTier ? ` (commit ${BASELINE_COMMIT})` : ''}`);
    }

    console.log('\nReplaying a simulated day per profile (time-compressed, sequential):');
    const measurements: Measurement[] = [];
    for (const profile of ['busy', 'mobile'] as const) for (const s of servers) measurements.push(await replay(s, profile));

    console.log('\nLatency (ms, local stack; the servers interleaved round by round):');
    const loadAtStart = loadavg();
    const lat = await latency(servers);
    const latencyLoad = { start: loadAtStart.map(round2), end: loadavg().map(round2) };
    console.log(`  load average (1/5/15 min): ${latencyLoad.start.join(', ')} at the start, ${latencyLoad.end.join(', ')} at the end`);
    for (const r of lat)
      console.log(
        `  ${r.variant.padEnd(7)} ${r.op} ${(r.size / 1024).toFixed(0).padStart(5)} KiB  p50 ${r.p50.toFixed(1)}  p99 ${r.p99.toFixed(1)}  range ${r.min.toFixed(1)}–${r.max.toFixed(1)}  (n=${r.samples})`,
      );

    console.log('\nThroughput, mobile mix, one server process:');
    const tp: Throughput[] = [];
    for (const s of servers) {
      const t = await throughput(s, 8, QUICK ? 5 : 20);
      tp.push(t);
      console.log(
        `  ${t.variant.padEnd(7)} ${t.requests} requests in ${t.seconds.toFixed(1)} s = ${t.wallRequestsPerSecond.toFixed(0)}/s wall; server CPU ${t.serverCpuSeconds.toFixed(1)} s = ${t.requestsPerCpuSecond.toFixed(0)} requests per CPU-second; peak RSS ${(t.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
      );
    }
    const results: CostResults = {
      measuredAt: new Date().toISOString(),
      machine: `${process.platform} ${process.arch}, Node ${process.version}, shared 2-core machine under load from other jobs`,
      inlineMaxBytes: INLINE_MAX_BYTES,
      baselineCommit: BASELINE_COMMIT,
      ...(objectsCommit ? { objectsCommit } : {}),
      measurements,
      latency: lat,
      latencyLoad,
      throughput: tp,
    };
    mkdirSync(path.dirname(RESULTS), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(results, null, 1)}\n`);
    console.log(`\nwrote ${path.relative(ROOT, RESULTS)}`);
    const { writeCostDoc } = await import('./cost-doc.js');
    const written = await writeCostDoc(results);
    console.log(`wrote ${written.join(', ')}`);
  } finally {
    for (const c of cleanups.reverse()) await c();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!existsSync(path.join(ROOT, 'node_modules'))) throw new Error('run npm ci first');
  await main();
}
