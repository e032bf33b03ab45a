/**
 * docs/cost.md and its plot (docs/cost-per-wallet-month.svg), rendered from the cost bench's
 * results (bench/results/cost.json) by the model (bench/cost-model.ts). The text around the
 * figures lives here too, so a re-run rewrites the whole page consistently. The plot is drawn by
 * vega-lite (compiled to a vega spec, rendered to SVG headless), not by hand.
 *
 *   npx tsx bench/cost-doc.ts        re-render from the committed results, without measuring
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_REQUEST_BODY_BYTES } from '../lambda/core/limits.js';
import type { CostResults } from './cost.js';
import {
  BILLINGS,
  type ContainerModel,
  costTable,
  crossover,
  crossoverTable,
  DEFAULT_CONTAINER,
  DOOR_LABELS,
  DOORS,
  FLEET_SIZES,
  GB,
  type Measurement,
  PRICES,
  PROVISIONED_TARGET_UTILISATION,
  RETENTION_DAYS,
  RETENTION_LAYERS,
  thresholdCost,
  thresholdTable,
  usd,
  type Usage,
  walletMonthCost,
  WAF_RULES,
} from './cost-model.js';
import { PROFILES, profileEvents, SAMPLE } from './ldk-profiles.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const RESULTS_PATH = path.join(ROOT, 'bench/results/cost.json');
export const DOC_PATH = path.join(ROOT, 'docs/cost.md');
export const PLOT_PATH = path.join(ROOT, 'docs/cost-per-wallet-month.svg');
/** CPU share the container door's autoscaling keeps (its default target, 60 %). */
export const TARGET_CPU = 0.6;

export function loadResults(): CostResults {
  return JSON.parse(readFileSync(RESULTS_PATH, 'utf8')) as CostResults;
}

/** The measurements the doc reports on: the object tier's when measured, else the chunk store's. */
const afterVariant = (r: CostResults) => (r.measurements.some((m) => m.variant === 'objects') ? 'objects' : 'chunks');

/** The container model of these results: requests per CPU-second scaled to the door's task size at its CPU target. */
export function containerModel(r: CostResults): ContainerModel {
  const t = r.throughput.find((x) => x.variant === afterVariant(r)) ?? r.throughput[0]!;
  return { ...DEFAULT_CONTAINER, requestsPerSecondPerTask: t.requestsPerCpuSecond * DEFAULT_CONTAINER.taskVcpu * TARGET_CPU };
}

const sum = (o: Readonly<Record<string, number>>) => Object.values(o).reduce((a, b) => a + b, 0);
const n0 = (x: number) => Math.round(x).toLocaleString('en-US');
const mb = (x: number) => `${(x / 1e6).toFixed(1)} MB`;

function measuredTable(ms: readonly Measurement[]): string {
  const rows = [
    '| profile | store | requests/day (≤ 4.6 MB) | refused for size (Lambda doors) | DynamoDB read units | DynamoDB write units | S3 PUT | S3 GET | S3 bytes in | request bytes |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const m of ms) {
    const u = m.within;
    rows.push(
      `| ${m.profile} | ${m.variant} | ${n0(sum(u.requests))} | ${n0(m.refusedForSize)} | ${u.dynamodbReadUnits.toFixed(1)} | ${u.dynamodbWriteUnits.toFixed(1)} | ${n0(u.s3Puts)} | ${n0(u.s3Gets)} | ${mb(u.s3BytesIn)} | ${mb(u.requestBytes)} |`,
    );
  }
  return rows.join('\n');
}

function at10k(ms: readonly Measurement[], c: ContainerModel): string {
  const rows = ['| profile | front door | billing | before (chunks) | after (object tier) |', '|---|---|---|---:|---:|'];
  for (const profile of ['busy', 'mobile']) {
    const before = ms.find((m) => m.profile === profile && m.variant === 'chunks');
    const after = ms.find((m) => m.profile === profile && m.variant === 'objects');
    for (const door of DOORS) {
      for (const billing of BILLINGS) {
        const cost = (m: Measurement | undefined) => (m ? usd(walletMonthCost(m, door, billing, 10_000, c).total) : 'not measured');
        rows.push(
          `| ${profile} | ${DOOR_LABELS[door]} | ${billing === 'onDemand' ? 'on-demand' : 'provisioned'} | ${cost(before)} | ${cost(after)} |`,
        );
      }
    }
  }
  return rows.join('\n');
}

function breakdown(ms: readonly Measurement[], c: ContainerModel): string {
  const rows = [
    '| profile | store | front door | front door + WAF | Lambda | DynamoDB | S3 | fixed share | total | tasks |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const m of ms) {
    for (const door of DOORS) {
      const b = walletMonthCost(m, door, 'onDemand', 10_000, c);
      rows.push(
        `| ${m.profile} | ${m.variant} | ${DOOR_LABELS[door]} | ${usd(b.frontDoor)} | ${usd(b.compute)} | ${usd(b.dynamodb)} | ${usd(b.s3)} | ${usd(b.fixedShare)} | ${usd(b.total)} | ${b.tasks ?? ''} |`,
      );
    }
  }
  return rows.join('\n');
}

function latencyTable(r: CostResults): string {
  const rows = ['| size | op | chunks p50 | chunks p99 | object tier p50 | object tier p99 |', '|---|---|---:|---:|---:|---:|'];
  const sizes = [...new Set(r.latency.map((x) => x.size))];
  for (const size of sizes) {
    for (const op of ['put', 'get'] as const) {
      const f = (variant: string, k: 'p50' | 'p99') => {
        const row = r.latency.find((x) => x.size === size && x.op === op && x.variant === variant);
        return row ? `${row[k].toFixed(1)} ms` : 'not measured';
      };
      const label = size >= 1_048_576 ? `${size / 1_048_576} MiB` : `${size / 1024} KiB`;
      rows.push(`| ${label} | ${op} | ${f('chunks', 'p50')} | ${f('chunks', 'p99')} | ${f('objects', 'p50')} | ${f('objects', 'p99')} |`);
    }
  }
  return rows.join('\n');
}

function throughputTable(r: CostResults): string {
  const rows = [
    '| server | clients | requests | wall time | requests/s (wall) | server CPU | requests per CPU-second | peak RSS |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const t of r.throughput)
    rows.push(
      `| ${t.variant} | ${t.concurrency} | ${n0(t.requests)} | ${t.seconds.toFixed(1)} s | ${t.wallRequestsPerSecond.toFixed(0)} | ${t.serverCpuSeconds.toFixed(1)} s | ${t.requestsPerCpuSecond.toFixed(0)} | ${(t.peakRssBytes / 2 ** 20).toFixed(0)} MiB |`,
    );
  return rows.join('\n');
}

function profileTable(): string {
  const rows = ['| profile | object | size | writes/day |', '|---|---|---:|---:|'];
  for (const p of Object.values(PROFILES)) {
    const counts = new Map<string, number>();
    for (const e of profileEvents(p)) if (e.op === 'put') counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
    const sizes: Record<string, number> = {
      graph: p.graphBytes,
      scorer: p.scorerBytes,
      manager: p.channelManagerBytes,
      monitor: p.monitorBytes,
      small: p.smallBytes,
      metrics: p.smallBytes,
    };
    for (const [kind, n] of counts) rows.push(`| ${p.name} | ${kind} | ${(sizes[kind]! / 1000).toLocaleString('en-US')} KB | ${n0(n)} |`);
  }
  return rows.join('\n');
}

/** Storage-side cost per wallet-month of a profile at a threshold (docs' "Threshold" section). */
const th = (profile: 'busy' | 'mobile', threshold: number) => usd(thresholdCost(profileEvents(PROFILES[profile]), threshold));

/** The whole of docs/cost.md. */
/** Per wallet-month: what one retention layer of the day's superseded objects costs in S3 storage. */
function retentionLayerCost(u: Usage): number {
  return ((u.s3SupersededBytes * RETENTION_DAYS) / GB) * PRICES.s3PerGbMonth;
}

/** The "Retention" section: why superseded objects are kept twice, and what the second layer costs. */
function retentionSection(r: CostResults): string {
  const objects = r.measurements.filter((m) => m.variant === 'objects');
  if (objects.length === 0) return '';
  const rows = objects.map((m) => {
    const lambda = retentionLayerCost(m.within);
    const large = lambda + retentionLayerCost(m.beyond);
    return `| ${m.profile} | ${(m.within.s3SupersededBytes / 1e6).toFixed(1)} MB | ${usd(lambda)} | ${((m.within.s3SupersededBytes + m.beyond.s3SupersededBytes) / 1e6).toFixed(1)} MB | ${usd(large)} |`;
  });
  return `## Retention: why superseded objects are kept twice

A replaced or deleted value's object is kept by two layers, one after the other
(docs/architecture.md, "Retention of large values"):

1. **The application** (the sweeper) deletes it only ${RETENTION_DAYS} days (\`largeValues.retentionDays\`)
   after it stopped being current. This alone is what the guarantee needs: a table restored to
   any point of the ${RETENTION_DAYS}-day PITR window finds every object its heads point at. It is the
   only layer on an S3-compatible store without versioning (the local server's).
2. **The bucket** keeps each deleted object as a noncurrent version ${RETENTION_DAYS} days more. It is
   not needed for the guarantee, nor for \`vss admin erase-user\` (which deletes every version
   explicitly and at once). It stays because it is the only layer that also protects **current**
   values: \`putObjects\`, an internet-facing function, may delete objects (those of its own failed
   writes), and no function may delete a version, so a stolen function credential, a sweeper
   defect, a sweeper still running against the old table after a restore, or an operator's
   mistaken delete cannot destroy a value that a wallet or a restore still needs: its bytes stay
   recoverable for ${RETENTION_DAYS} days.

What the second layer costs (S3 storage at $${PRICES.s3PerGbMonth}/GB-month; one day's superseded bytes kept ${RETENTION_DAYS} days more),
per wallet-month; it is included in every cost above:

| profile | superseded a day (Lambda doors) | second layer, Lambda doors | superseded a day, also values > 4.6 MB (container) | second layer, container also storing values > 4.6 MB |
|---|---:|---:|---:|---:|
${rows.join('\n')}

On a busy node whose graph goes to S3 (only the container door carries it) the second layer is
about half of the S3 bill. Made cheaper without giving up the protection, it could be: the
noncurrent versions moved to a colder storage class, or the sweeper (not an internet-facing
function) allowed to delete the versions of the objects it retires, so that only deletes by the
request path or by hand are kept the extra ${RETENTION_DAYS} days; both are left for when the graph
is stored in production.

`;
}

export function renderCostDoc(r: CostResults): string {
  const c = containerModel(r);
  const after = afterVariant(r);
  const ms = r.measurements;
  const rpsTask = c.requestsPerSecondPerTask;
  const tAfter = r.throughput.find((x) => x.variant === after) ?? r.throughput[0]!;
  const quarter = tAfter.requestsPerCpuSecond * 0.25;
  const cross = (profile: string, other: 'rest' | 'httpApi') => {
    const m = ms.find((x) => x.profile === profile && x.variant === after);
    const n = m ? crossover(m, other, 'onDemand', c) : undefined;
    return n === undefined ? 'never (up to 1,000,000 wallets)' : `${n.toLocaleString('en-US')} wallets`;
  };
  return `# Cost per wallet-month

What one wallet costs a month on AWS, by front door, billing mode and fleet size, measured by
replaying what LDK Node writes. Produced by \`npm run bench:cost\` (also part of \`npm run bench\`):
it writes \`bench/results/cost.json\`, and this page and its plot are rendered from that file by
\`bench/cost-doc.ts\`. \`test/unit/cost-model.test.ts\` checks the arithmetic and that the tables
below are what the model computes from the committed results.

Measured ${r.measuredAt.slice(0, 16).replace('T', ' ')} UTC on ${r.machine}. **Benchmarks on a shared
machine are noisy**: the counts (requests, capacity units, S3 requests and bytes) are exact and
repeatable; times and requests per CPU-second are not, and say so beside them.
"chunks" is today's main before the object tier (commit \`${r.baselineCommit}\`: every byte in
DynamoDB, values above 400 KB in chunks); "objects" is the object tier (values above
\`largeValues.inlineMaxBytes\` = ${r.inlineMaxBytes.toLocaleString('en-US')} bytes in S3)${r.objectsCommit ? `, measured at its commit \`${r.objectsCommit}\`` : ''}.${after === 'chunks' ? '\n\n**Only the chunk store has been measured so far: the object-tier rows appear when the bench runs on a tree that has it.**' : ''}

![Cost per wallet-month against fleet size](cost-per-wallet-month.svg)

## How it is measured

- **Profiles** (\`bench/ldk-profiles.ts\`), one simulated day each, from the sizes and rates LDK
  Node writes (issue 16's table; ranges at their middle). Every write is a single-key
  \`PutObjects\` with version −1, values are random bytes (client-side encrypted data does not
  compress). A busy node lists and reads its state once a day; the mobile wallet at each of its
  two 2-hour sessions.
  - **busy**: ${PROFILES.busy.description}.
  - **mobile**: ${PROFILES.mobile.description}.

${profileTable()}

- **Replay**: over HTTP through the local server (\`local/cli.ts\`, \`--auth none\`), one request
  after another as fast as answered (a busy day takes minutes). Writes that repeat identically
  (node metrics, monitor updates, channel manager, scorer: the same key and size each time) are
  sent one in ${Object.values(SAMPLE).join('/')} (\`SAMPLE\` in bench/ldk-profiles.ts) and counted that many times, since each
  costs exactly what the others do; graphs, monitors and reads are all sent. Each server talks to Dynoxide
  and to s3rver through counting proxies (\`bench/counting-proxy.ts\`): DynamoDB requests and the
  capacity the engine reports (\`ReturnConsumedCapacity: TOTAL\`, counted the way AWS counts),
  S3 requests and bytes. Requests above the Lambda door's limit (${MAX_REQUEST_BODY_BYTES.toLocaleString('en-US')} bytes: the
  network graph) are counted as **refused for size** on the Lambda doors.
- **Storage**: what is held at the end of the day (inline items and head items in DynamoDB,
  current objects in S3), plus superseded and deleted objects, which are kept
  ${RETENTION_DAYS} days by the sweeper and ${RETENTION_DAYS} more as noncurrent versions (${RETENTION_LAYERS} × ${RETENTION_DAYS} days of each day's superseded bytes).
- **Month** = 30.4 simulated days.

## Measured per wallet and day

${measuredTable(ms)}

${ms.some((m) => m.variant === 'objects' && m.beyondCarried === 'estimated') ? 'Only the container door can carry the graph writes the Lambda doors refuse (row "container, also storing values > 4.6 MB"). The local server bounds bodies like the Lambda door, so their usage is **estimated** from the object tier\'s per-write cost: one S3 PUT and one head-item write unit each, each superseded graph kept for the retention (2 × 35 days: about 84 GB held per busy node, 3.6 GB per mobile wallet). Like-for-like comparisons (the crossovers) use the container door carrying the same requests as the others.\n' : ''}
## Cost per wallet-month

Per-wallet cost = (the deployment's fixed monthly cost) / wallets + the wallet's requests,
capacity and storage. Columns: fleet size.

${costTable(ms, c)}

### At 10,000 wallets, before and after

${at10k(ms, c)}

Where the money goes at 10,000 wallets, on-demand:

${breakdown(ms, c)}

### Which front door is cheaper

${crossoverTable(ms, c)}

With the ${after === 'objects' ? 'object tier' : 'chunk store (the object tier is not measured yet)'}, on-demand: the container door is cheaper than REST + WAF from
**${cross('busy', 'rest')}** for busy nodes and **${cross('mobile', 'rest')}** for mobile wallets, and cheaper
than the HTTP API from **${cross('busy', 'httpApi')}** (busy) and **${cross('mobile', 'httpApi')}** (mobile).

## Requests per second per task (issue 17, point 4)

${throughputTable(r)}

Method: 8 concurrent clients replay the mobile day (without the graph, which only the container
door carries) against one server process for 20 s. The server's own CPU time (user + system from
\`/proc\`, its engines excluded: on AWS they are DynamoDB and S3) gives requests per CPU-second:
**${tAfter.requestsPerCpuSecond.toFixed(0)}** for the ${after === 'objects' ? 'object tier' : 'chunk store'}. A Fargate 0.25 vCPU task has a quarter of a vCPU:
**${quarter.toFixed(0)} requests/s** at full use. The container door's default task is 0.5 vCPU / 1 GB
(two 0.25 vCPU / 0.5 GB units of price) and autoscales at ${TARGET_CPU * 100} % CPU, so the model counts
**${rpsTask.toFixed(0)} requests/s per task**, and runs max(${c.minTasks}, ⌈peak / that⌉) tasks with a
peak of ${c.peakToAverage}× the day's average. This machine's cores stand in for Graviton's (assumed equal);
the shared machine makes the figure a lower bound rather than a precise one.

## Front doors and fixed costs

| front door | per request | fixed per month |
|---|---|---|
| ${DOOR_LABELS.rest} | REST $${PRICES.restPerMillion}/M + WAF $${PRICES.wafPerMillion}/M + Lambda $${PRICES.lambdaPerMillion}/M and GB-s | web ACL $${PRICES.wafAclMonth} + ${WAF_RULES} rules × $${PRICES.wafRuleMonth} |
| ${DOOR_LABELS.httpApi} | $${PRICES.httpApiPerMillionUnits}/M 512 KB units + Lambda | none. HTTP APIs cannot take a WAF web ACL, so the per-IP and per-user rules are lost (throttling only). |
| ${DOOR_LABELS.container} | WAF $${PRICES.wafPerMillion}/M | ALB $${PRICES.albMonth} + LCUs ($${PRICES.albLcuHour}/LCU-hour) + web ACL and rules + tasks ($${(PRICES.fargateQuarterVcpuMonth * 2).toFixed(1)} each, 0.5 vCPU / 1 GB ARM) + public IPv4 $${PRICES.ipv4Month} per ALB AZ (${c.albAzs}) and per task (public subnets, no NAT gateway) |

Lambda compute assumes the billed durations of docs/architecture.md (get 25 ms at 512 MB, put
40 ms at 1,024 MB, list 40 ms) plus 10 ms per MB of body and 30 ms for an S3 round trip.
Provisioned billing sets read and write capacity so that the measured average runs at
${PROVISIONED_TARGET_UTILISATION * 100} % utilisation (the table's default auto-scaling target), at least 1 unit each,
at $${PRICES.provisionedRcuHour} per RCU-hour and $${PRICES.provisionedWcuHour} per WCU-hour. DynamoDB storage is
$${PRICES.dynamodbPerGbMonth}/GB-month plus PITR $${PRICES.pitrPerGbMonth}/GB-month; S3 $${PRICES.s3PerGbMonth}/GB-month. Prices are us-east-1 list
prices; those the team's list lacks (provisioned capacity, storage, PITR, WAF monthly fees, LCUs)
are AWS's published ones. Costs every door shares (logs, alarms, the sweeper) are left out.

## Threshold

\`largeValues.inlineMaxBytes\` defaults to **32,768 bytes**. What each threshold would cost for
the two profiles' writes (per wallet-month, on-demand DynamoDB + S3 requests + storage, from the
profile's sizes, no front door):

${thresholdTable()}

- **Cost.** A DynamoDB write costs 1 unit per KB ($0.625 per million), an S3 PUT $0.005 per
  thousand, the same at any size, plus the head item's 1 write unit. A write breaks even at about
  8 KB; a strongly consistent read (1 unit per 4 KB, $0.125 per million, against S3's $0.0004 per
  thousand plus the head read) at about 13 KB; storage favours S3 ($0.023 against $0.45 per
  GB-month with PITR), though superseded objects are kept ${RETENTION_LAYERS} × ${RETENTION_DAYS} days.
- **16 and 32 KiB cost the same** for both profiles (${th('busy', 16_384)} and ${th('busy', 32_768)} a month for the
  busy node, ${th('mobile', 16_384)} and ${th('mobile', 32_768)} for the mobile wallet): nothing LDK Node writes sits
  between them. 32 KiB leaves room for channel managers (5–20 KB, larger with more channels)
  and young channel monitors to stay inline.
- **8 KiB** would save ${usd(thresholdCost(profileEvents(PROFILES.busy), 32_768) - thresholdCost(profileEvents(PROFILES.busy), 8_192))} a month on a busy node, by moving the channel
  manager to S3. But the channel manager is written on every channel state change, on the
  payment's path: each write would wait for an S3 PUT (tens of milliseconds, with a longer tail)
  besides the DynamoDB transaction.
- **64 KiB** costs ${usd(thresholdCost(profileEvents(PROFILES.busy), 65_536) - thresholdCost(profileEvents(PROFILES.busy), 32_768))} more a month on a busy node (54 KB channel monitors pay
  54 write units each), and 128 KiB keeps the 100 KB scorer inline: ${th('busy', 131_072)}, as expensive as
  no object tier at all.
- **Latency.** Below 32 KB sit every write LDK Node makes per payment (monitor updates, payment
  records, events, node metrics: < 2 KB) and the channel manager, so a payment's writes keep one
  DynamoDB request each. The scorer, large channel monitors and the graph go to S3, where they
  cost the most in DynamoDB.

${retentionSection(r)}## Latency

Local stack (Node server, Dynoxide, s3rver, all on loopback), ${r.latency[0]?.samples ?? 0}+ samples per cell, the two
servers interleaved round by round; milliseconds, on a shared, loaded machine${r.latencyLoad ? ` (load average over 1/5/15 minutes ${r.latencyLoad.start.join(' / ')} when the rounds started and ${r.latencyLoad.end.join(' / ')} when they ended, on 2 cores)` : ''}:

${latencyTable(r)}

Locally both stores are file-backed processes on one machine, so these figures compare code
paths, not AWS. On AWS, S3's performance guidance (the whitepaper "Best Practices Design
Patterns: Optimizing Amazon S3 Performance", section on timeouts and retries) says that small
requests (under 512 KB) usually see a median latency of a few tens of milliseconds, and advises
retrying a small GET or PUT that has not answered within 2 seconds; the tail is longer than
DynamoDB's, which answers a single-item read or write in single-digit milliseconds. S3 Express
One Zone is documented at single-digit milliseconds, at a higher request price and in one zone.
For a value above the threshold, a put adds one S3 PUT before the DynamoDB transaction and a get
one S3 GET after the head read.
`;
}

/** The plot's vega-lite spec: cost per wallet-month against fleet size, on-demand, per door. */
export function plotSpec(r: CostResults): Record<string, unknown> {
  const c = containerModel(r);
  const values: Array<Record<string, unknown>> = [];
  const grid: number[] = [];
  for (let e = 0; e <= 5; e += 0.1) grid.push(Math.round(10 ** e));
  for (const m of r.measurements) {
    for (const door of DOORS) {
      for (const n of [...new Set(grid)]) {
        values.push({
          wallets: n,
          cost: walletMonthCost(m, door, 'onDemand', n, c).total,
          profile: m.profile === 'busy' ? 'busy always-on node' : 'mobile wallet',
          series: `${DOOR_LABELS[door]}, ${m.variant === 'objects' ? 'object tier' : 'chunks'}`,
          door: DOOR_LABELS[door],
          store: m.variant === 'objects' ? 'object tier' : 'chunks',
        });
      }
    }
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Cost per wallet-month (USD, on-demand DynamoDB) against fleet size',
    data: { values },
    facet: { column: { field: 'profile', type: 'nominal', title: null } },
    spec: {
      width: 320,
      height: 260,
      mark: { type: 'line', strokeWidth: 2 },
      encoding: {
        x: { field: 'wallets', type: 'quantitative', scale: { type: 'log' }, title: 'wallets', axis: { tickCount: 6, format: '~s' } },
        y: { field: 'cost', type: 'quantitative', scale: { type: 'log' }, title: 'USD per wallet-month' },
        color: { field: 'door', type: 'nominal', title: 'front door' },
        strokeDash: { field: 'store', type: 'nominal', title: 'store' },
        detail: { field: 'series', type: 'nominal' },
      },
    },
    resolve: { scale: { y: 'independent' } },
    config: { font: 'sans-serif', legend: { orient: 'bottom', direction: 'vertical' } },
  };
}

export async function renderPlot(r: CostResults): Promise<string> {
  const vegaLite = await import('vega-lite');
  const vega = await import('vega');
  const compiled = vegaLite.compile(plotSpec(r) as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return `${svg}\n`;
}

export async function writeCostDoc(r: CostResults): Promise<string[]> {
  writeFileSync(DOC_PATH, renderCostDoc(r));
  writeFileSync(PLOT_PATH, await renderPlot(r));
  return [path.relative(ROOT, DOC_PATH), path.relative(ROOT, PLOT_PATH)];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`wrote ${(await writeCostDoc(loadResults())).join(', ')}`);
}

export { FLEET_SIZES };
