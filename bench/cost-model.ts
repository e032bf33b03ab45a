/**
 * The cost per wallet-month, from what one simulated day of a profile measured (bench/cost.ts):
 * pure functions of the measurement, the prices and the fleet size, so a test checks the
 * arithmetic and that docs/cost.md's table is what this model computes.
 *
 * A deployment's monthly bill = its fixed cost (front door) + fleet × the per-wallet cost of the
 * requests, capacity and storage. Costs the front doors share (CloudWatch logs and alarms, the
 * sweeper, KMS) are left out: they do not change which door is cheaper.
 */
import { PROFILES, type ProfileEvent, profileEvents } from './ldk-profiles.js';

/** Prices, us-east-1, USD (the team's list; the ones it lacks are marked and are AWS list prices). */
export const PRICES = {
  dynamodbPerMillionWriteUnits: 0.625,
  dynamodbPerMillionReadUnits: 0.125,
  /** Not in the team's list: DynamoDB standard storage and PITR, per GB-month. */
  dynamodbPerGbMonth: 0.25,
  pitrPerGbMonth: 0.2,
  /** Not in the team's list: provisioned capacity per unit-hour. */
  provisionedWcuHour: 0.00065,
  provisionedRcuHour: 0.00013,
  s3PerThousandPuts: 0.005,
  s3PerThousandGets: 0.0004,
  s3PerGbMonth: 0.023,
  restPerMillion: 3.5,
  wafPerMillion: 0.6,
  /** Not in the team's list: a web ACL and each of its rules per month. */
  wafAclMonth: 5,
  wafRuleMonth: 1,
  httpApiPerMillionUnits: 1.0,
  /** Lambda arm64 (bench/prices.ts). */
  lambdaPerMillion: 0.2,
  lambdaPerGbSecond: 0.0000133334,
  albMonth: 16.4,
  /** Not in the team's list: an ALB LCU-hour. */
  albLcuHour: 0.008,
  fargateQuarterVcpuMonth: 7.2,
  ipv4Month: 3.65,
} as const;

export const HOURS_PER_MONTH = 730;
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;
export const GB = 1e9;
/** HTTP API meters requests in 512 KB units. */
export const HTTP_API_UNIT_BYTES = 512 * 1024;

export const FLEET_SIZES = [1, 100, 1_000, 10_000, 100_000] as const;
/**
 * `container` carries the same requests as the Lambda doors (the like-for-like comparison, and
 * the crossovers); `containerLarge` also carries and stores the values above 4.6 MB (the graph)
 * that the Lambda doors refuse.
 */
export const DOORS = ['rest', 'httpApi', 'container', 'containerLarge'] as const;
export type Door = (typeof DOORS)[number];
export const DOOR_LABELS: Record<Door, string> = {
  rest: 'REST API + WAF (today)',
  httpApi: 'HTTP API',
  container: 'container (ALB + WAF + Fargate)',
  containerLarge: 'container, also storing values > 4.6 MB',
};
const isContainer = (door: Door): boolean => door === 'container' || door === 'containerLarge';
export const BILLINGS = ['onDemand', 'provisioned'] as const;
export type Billing = (typeof BILLINGS)[number];

/** Usage of one request class over one simulated day of one wallet. */
export interface Usage {
  /** Requests answered by the service, per VSS operation. */
  readonly requests: Readonly<Record<string, number>>;
  /** Sum over requests of ceil(max(request, response) / 512 KB): HTTP API's metering. */
  readonly httpApiUnits: number;
  readonly requestBytes: number;
  readonly responseBytes: number;
  readonly dynamodbReadUnits: number;
  readonly dynamodbWriteUnits: number;
  readonly s3Puts: number;
  readonly s3Gets: number;
  readonly s3BytesIn: number;
  /** Lambda GB-seconds these requests would bill (billed duration × memory; bench/cost.ts). */
  readonly lambdaGbSeconds: number;
  /** Bytes held at the end of the day: inline in the table, and current objects in S3. */
  readonly storedDynamodbBytes: number;
  readonly storedS3Bytes: number;
  /** S3 bytes superseded or deleted during the day (kept for the retention, see RETENTION_*). */
  readonly s3SupersededBytes: number;
}

/** One profile × store variant, as measured: requests a Lambda door carries, and those it refuses. */
export interface Measurement {
  readonly profile: string;
  readonly variant: 'chunks' | 'objects';
  /** Requests whose body fits the Lambda door (≤ 4,620,288 bytes). */
  readonly within: Usage;
  /** Requests above it: refused by the Lambda doors; the container door carries them. */
  readonly beyond: Usage;
  /** How many requests the Lambda doors refuse for size, per day. */
  readonly refusedForSize: number;
  /**
   * Whether the container door can carry `beyond`: 'measured' when the local server accepted the
   * requests, 'estimated' when their usage was derived from the object tier's per-write cost
   * (bench/cost.ts), 'no' when the store cannot hold them (chunks: today's main refuses them).
   */
  readonly beyondCarried: 'measured' | 'estimated' | 'no';
}

/** Container door sizing (the container front door's defaults) and how tasks are counted. */
export interface ContainerModel {
  /** Requests per second one task sustains at the target CPU (measured, scaled: cost.ts). */
  readonly requestsPerSecondPerTask: number;
  /** Task size in vCPU (the door's default 0.5 vCPU / 1 GB costs two 0.25 vCPU / 0.5 GB units). */
  readonly taskVcpu: number;
  readonly minTasks: number;
  /** Peak-to-average request rate the tasks are sized for. */
  readonly peakToAverage: number;
  /** Public IPv4 addresses: the ALB's (one per AZ) and one per task (public subnets, no NAT). */
  readonly albAzs: number;
}

export const DEFAULT_CONTAINER: Omit<ContainerModel, 'requestsPerSecondPerTask'> = {
  taskVcpu: 0.5,
  minTasks: 2,
  peakToAverage: 3,
  albAzs: 2,
};

/** WAF rules of the stack (per-user, per-IP, body-too-large, three managed groups). */
export const WAF_RULES = 6;
/** Provisioned capacity is set so the average consumption runs at the table's target utilisation. */
export const PROVISIONED_TARGET_UTILISATION = 0.7;
/** Retention of superseded objects: the sweeper keeps them retentionDays, then versioning as long again. */
export const RETENTION_DAYS = 35;
export const RETENTION_LAYERS = 2;

const sum = (r: Readonly<Record<string, number>>): number => Object.values(r).reduce((a, b) => a + b, 0);

/** A Usage with nothing counted yet; mutable, for the replay to add to. */
export const emptyUsage = (): { -readonly [K in keyof Usage]: Usage[K] } & { requests: Record<string, number> } => ({
  requests: {},
  httpApiUnits: 0,
  requestBytes: 0,
  responseBytes: 0,
  dynamodbReadUnits: 0,
  dynamodbWriteUnits: 0,
  s3Puts: 0,
  s3Gets: 0,
  s3BytesIn: 0,
  lambdaGbSeconds: 0,
  storedDynamodbBytes: 0,
  storedS3Bytes: 0,
  s3SupersededBytes: 0,
});

export const addUsage = (a: Usage, b: Usage): Usage => ({
  requests: Object.fromEntries(
    [...new Set([...Object.keys(a.requests), ...Object.keys(b.requests)])].map((k) => [k, (a.requests[k] ?? 0) + (b.requests[k] ?? 0)]),
  ),
  httpApiUnits: a.httpApiUnits + b.httpApiUnits,
  requestBytes: a.requestBytes + b.requestBytes,
  responseBytes: a.responseBytes + b.responseBytes,
  dynamodbReadUnits: a.dynamodbReadUnits + b.dynamodbReadUnits,
  dynamodbWriteUnits: a.dynamodbWriteUnits + b.dynamodbWriteUnits,
  s3Puts: a.s3Puts + b.s3Puts,
  s3Gets: a.s3Gets + b.s3Gets,
  s3BytesIn: a.s3BytesIn + b.s3BytesIn,
  lambdaGbSeconds: a.lambdaGbSeconds + b.lambdaGbSeconds,
  storedDynamodbBytes: a.storedDynamodbBytes + b.storedDynamodbBytes,
  storedS3Bytes: a.storedS3Bytes + b.storedS3Bytes,
  s3SupersededBytes: a.s3SupersededBytes + b.s3SupersededBytes,
});

/** Whether a door carries the requests above the Lambda door's limit. */
export const carriesBeyond = (m: Measurement, door: Door): boolean => door === 'containerLarge' && m.beyondCarried !== 'no';

/** What a door carries of a measurement: the Lambda doors only `within`. */
export function carried(m: Measurement, door: Door): Usage {
  return carriesBeyond(m, door) ? addUsage(m.within, m.beyond) : m.within;
}

export interface CostBreakdown {
  /** Per wallet-month, USD. */
  readonly frontDoor: number;
  readonly compute: number;
  readonly dynamodb: number;
  readonly s3: number;
  readonly fixedShare: number;
  readonly total: number;
  /** Container tasks running (container door only). */
  readonly tasks?: number;
}

/** S3 bytes held per wallet: current objects plus superseded ones kept for the retention. */
export function s3StoredBytes(u: Usage): number {
  return u.storedS3Bytes + u.s3SupersededBytes * RETENTION_DAYS * RETENTION_LAYERS;
}

/** Cost per wallet-month for one door × billing × fleet size. */
export function walletMonthCost(m: Measurement, door: Door, billing: Billing, fleet: number, container: ContainerModel): CostBreakdown {
  const u = carried(m, door);
  const month = DAYS_PER_MONTH;
  const requests = sum(u.requests) * month;
  const refused = carriesBeyond(m, door) ? 0 : m.refusedForSize * month;
  let frontDoor = 0;
  let compute = 0;
  let fixed = 0;
  let tasks: number | undefined;
  if (door === 'rest') {
    // WAF inspects refused requests too (its body-too-large rule answers them).
    frontDoor = (requests * PRICES.restPerMillion + (requests + refused) * PRICES.wafPerMillion) / 1e6;
    fixed = PRICES.wafAclMonth + WAF_RULES * PRICES.wafRuleMonth;
  } else if (door === 'httpApi') {
    // HTTP APIs take no WAF: the per-IP rules are lost (docs/cost.md says so).
    frontDoor = (u.httpApiUnits * month * PRICES.httpApiPerMillionUnits) / 1e6;
  }
  if (!isContainer(door)) compute = (requests * PRICES.lambdaPerMillion) / 1e6 + u.lambdaGbSeconds * month * PRICES.lambdaPerGbSecond;
  if (isContainer(door)) {
    const avgRps = (fleet * sum(u.requests)) / 86_400;
    tasks = Math.max(container.minTasks, Math.ceil((avgRps * container.peakToAverage) / container.requestsPerSecondPerTask));
    const taskMonth = (container.taskVcpu / 0.25) * PRICES.fargateQuarterVcpuMonth;
    // LCUs: the largest of processed bytes (1 GB/h per LCU) and new connections (25/s per LCU;
    // a wallet reconnects for each request in the worst case). Active connections and rule
    // evaluations stay far below theirs.
    const bytesPerHour = (fleet * (u.requestBytes + u.responseBytes)) / 24;
    const lcu = Math.max(bytesPerHour / GB, avgRps / 25);
    fixed =
      PRICES.albMonth +
      PRICES.wafAclMonth +
      WAF_RULES * PRICES.wafRuleMonth +
      tasks * taskMonth +
      (container.albAzs + tasks) * PRICES.ipv4Month +
      lcu * HOURS_PER_MONTH * PRICES.albLcuHour;
    frontDoor = (requests * PRICES.wafPerMillion) / 1e6;
  }
  const reads = u.dynamodbReadUnits * month;
  const writes = u.dynamodbWriteUnits * month;
  let dynamodbRequests: number;
  if (billing === 'onDemand') {
    dynamodbRequests = (reads * PRICES.dynamodbPerMillionReadUnits + writes * PRICES.dynamodbPerMillionWriteUnits) / 1e6;
  } else {
    // Fleet-wide units per second at the target utilisation, at least 1 of each (table and index).
    const secondsPerMonth = HOURS_PER_MONTH * 3600;
    const rcu = Math.max(1, (fleet * reads) / secondsPerMonth / PROVISIONED_TARGET_UTILISATION);
    const wcu = Math.max(1, (fleet * writes) / secondsPerMonth / PROVISIONED_TARGET_UTILISATION);
    dynamodbRequests = ((rcu * PRICES.provisionedRcuHour + wcu * PRICES.provisionedWcuHour) * HOURS_PER_MONTH) / fleet;
  }
  const dynamodb = dynamodbRequests + (u.storedDynamodbBytes / GB) * (PRICES.dynamodbPerGbMonth + PRICES.pitrPerGbMonth);
  const s3 =
    ((u.s3Puts * month) / 1000) * PRICES.s3PerThousandPuts +
    ((u.s3Gets * month) / 1000) * PRICES.s3PerThousandGets +
    (s3StoredBytes(u) / GB) * PRICES.s3PerGbMonth;
  const fixedShare = fixed / fleet;
  return {
    frontDoor,
    compute,
    dynamodb,
    s3,
    fixedShare,
    total: frontDoor + compute + dynamodb + s3 + fixedShare,
    ...(tasks !== undefined ? { tasks } : {}),
  };
}

/**
 * The smallest fleet from which the container door is cheaper per wallet than `other` (and stays
 * so up to 1,000,000 wallets), or undefined when it never is in that range.
 */
export function crossover(m: Measurement, other: Door, billing: Billing, container: ContainerModel): number | undefined {
  const cheaper = (n: number) =>
    walletMonthCost(m, 'container', billing, n, container).total < walletMonthCost(m, other, billing, n, container).total;
  // Scan a log grid, then bisect the last change of sign.
  const grid: number[] = [];
  for (let n = 1; n <= 1_000_000; n = Math.max(n + 1, Math.round(n * 1.05))) grid.push(n);
  let from: number | undefined;
  for (const n of grid) {
    if (cheaper(n)) from ??= n;
    else from = undefined;
  }
  if (from === undefined) return undefined;
  let lo = grid[grid.indexOf(from) - 1] ?? 0;
  let hi = from;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (cheaper(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** USD with two significant decimals for cents, more below a cent. */
export function usd(x: number): string {
  if (x >= 100) return `$${x.toFixed(0)}`;
  if (x >= 0.1) return `$${x.toFixed(2)}`;
  if (x >= 0.001) return `$${x.toFixed(3)}`;
  return `$${x.toFixed(5)}`;
}

/** The cost table of docs/cost.md: one row per profile × variant × door × billing, a column per fleet size. */
export function costTable(measurements: readonly Measurement[], container: ContainerModel): string {
  const head = `| profile | store | front door | billing | ${FLEET_SIZES.map((n) => `${n.toLocaleString('en-US')} ${n === 1 ? 'wallet' : 'wallets'}`).join(' | ')} |`;
  const rule = `|---|---|---|---|${FLEET_SIZES.map(() => '---:').join('|')}|`;
  const rows = [head, rule];
  for (const m of measurements) {
    for (const door of DOORS) {
      for (const billing of BILLINGS) {
        const cells = FLEET_SIZES.map((n) => usd(walletMonthCost(m, door, billing, n, container).total));
        rows.push(
          `| ${m.profile} | ${m.variant} | ${DOOR_LABELS[door]} | ${billing === 'onDemand' ? 'on-demand' : 'provisioned'} | ${cells.join(' | ')} |`,
        );
      }
    }
  }
  return rows.join('\n');
}

/** The crossover table: from how many wallets the container door is the cheaper one. */
export function crossoverTable(measurements: readonly Measurement[], container: ContainerModel): string {
  const rows = [
    '| profile | store | billing | container cheaper than REST + WAF from | container cheaper than HTTP API from |',
    '|---|---|---|---:|---:|',
  ];
  const fmt = (n: number | undefined) => (n === undefined ? 'never (≤ 1,000,000)' : `${n.toLocaleString('en-US')} wallets`);
  for (const m of measurements) {
    for (const billing of BILLINGS) {
      rows.push(
        `| ${m.profile} | ${m.variant} | ${billing === 'onDemand' ? 'on-demand' : 'provisioned'} | ${fmt(crossover(m, 'rest', billing, container))} | ${fmt(crossover(m, 'httpApi', billing, container))} |`,
      );
    }
  }
  return rows.join('\n');
}

/** Thresholds compared in docs/cost.md ("Threshold"). */
export const THRESHOLDS = [8_192, 16_384, 32_768, 65_536, 131_072] as const;
/** Bytes of an item besides its value (key, version, sequence, digest, object key). */
export const ITEM_OVERHEAD_BYTES = 200;

/**
 * The storage-side cost per wallet-month of one profile's writes and reads below the Lambda
 * door's limit with values above `threshold` in S3 (undefined: all inline): DynamoDB units
 * (1 write unit per KB, 1 strongly consistent read unit per 4 KB), S3 requests, and storage
 * including superseded objects kept for the retention. From the profile's sizes, not measured.
 */
export function thresholdCost(events: readonly ProfileEvent[], threshold: number | undefined, limit = 4_620_288): number {
  const inline = (size: number) => threshold === undefined || size <= threshold;
  const current = new Map<string, number>();
  let wu = 0;
  let ru = 0;
  let puts = 0;
  let gets = 0;
  let superseded = 0;
  for (const e of events) {
    if (e.op === 'put') {
      if (e.size > limit) continue;
      const prev = current.get(e.key);
      if (prev !== undefined && !inline(prev)) superseded += prev;
      if (inline(e.size)) wu += Math.ceil((e.size + ITEM_OVERHEAD_BYTES) / 1024);
      else {
        wu += 1;
        puts += 1;
      }
      current.set(e.key, e.size);
    } else if (e.op === 'get') {
      const size = current.get(e.key) ?? 0;
      if (inline(size)) ru += Math.ceil((size + ITEM_OVERHEAD_BYTES) / 4096);
      else {
        ru += 1;
        gets += 1;
      }
    } else if (e.op === 'delete') {
      const prev = current.get(e.key);
      if (prev !== undefined && !inline(prev)) superseded += prev;
      current.delete(e.key);
      wu += 1;
    } else ru += 1;
  }
  let dynamodbBytes = 0;
  let s3Bytes = 0;
  for (const size of current.values()) {
    if (inline(size)) dynamodbBytes += size + ITEM_OVERHEAD_BYTES;
    else {
      dynamodbBytes += ITEM_OVERHEAD_BYTES;
      s3Bytes += size;
    }
  }
  s3Bytes += superseded * RETENTION_DAYS * RETENTION_LAYERS;
  const m = DAYS_PER_MONTH;
  return (
    ((wu * m) / 1e6) * PRICES.dynamodbPerMillionWriteUnits +
    ((ru * m) / 1e6) * PRICES.dynamodbPerMillionReadUnits +
    ((puts * m) / 1000) * PRICES.s3PerThousandPuts +
    ((gets * m) / 1000) * PRICES.s3PerThousandGets +
    (dynamodbBytes / GB) * (PRICES.dynamodbPerGbMonth + PRICES.pitrPerGbMonth) +
    (s3Bytes / GB) * PRICES.s3PerGbMonth
  );
}

/** docs/cost.md's threshold table: storage-side cost per wallet-month by threshold and profile. */
export function thresholdTable(): string {
  const cols: Array<number | undefined> = [undefined, ...THRESHOLDS];
  const label = (t: number | undefined) => (t === undefined ? 'all in DynamoDB' : `${t / 1024} KiB`);
  const rows = [`| profile | ${cols.map(label).join(' | ')} |`, `|---|${cols.map(() => '---:').join('|')}|`];
  for (const p of Object.values(PROFILES)) {
    const events = profileEvents(p);
    rows.push(`| ${p.name} | ${cols.map((t) => usd(thresholdCost(events, t))).join(' | ')} |`);
  }
  return rows.join('\n');
}
