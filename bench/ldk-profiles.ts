/**
 * Two LDK Node write profiles for a simulated day (issue 16, "What LDK Node actually writes"),
 * as a deterministic list of requests in simulated-time order. Sizes and rates come from the
 * table in the issue (read in ldk-node and rust-lightning, sizes partly estimated); where the
 * table gives a range the middle is used. Every write is a single-key PutObjects with version -1,
 * as LDK Node's VssStore sends it; values are random bytes (client-side encrypted, incompressible).
 *
 *   busy    always-on node, P2P gossip (50 MB graph hourly and 60 s after start), 2 channels,
 *           10 payments an hour, 100 KB scorer, one start a day
 *   mobile  RGS (13 MB graph), 1 channel, online 4 h a day in two sessions, 2 payments a day,
 *           40 KB scorer, reads everything at each start
 *
 * Pure: the same profile always yields the same events (the cost tests rely on it).
 */

export type ProfileName = 'busy' | 'mobile';

export type ProfileEvent =
  | { readonly at: number; readonly op: 'put'; readonly key: string; readonly size: number; readonly kind: string }
  | { readonly at: number; readonly op: 'get'; readonly key: string; readonly kind: string }
  | { readonly at: number; readonly op: 'delete'; readonly key: string; readonly kind: string }
  | { readonly at: number; readonly op: 'list'; readonly kind: string };

export interface ProfileSpec {
  readonly name: ProfileName;
  readonly description: string;
  /** Online sessions as [start, end] seconds of the day. */
  readonly sessions: ReadonlyArray<readonly [number, number]>;
  readonly channels: number;
  readonly paymentsPerDay: number;
  readonly graphBytes: number;
  readonly scorerBytes: number;
  readonly channelManagerBytes: number;
  readonly monitorBytes: number;
  /** Monitor updates, payment records, events: < 2 KB. */
  readonly smallBytes: number;
  readonly nodeMetricsPerHour: number;
}

const MB = 1_000_000;
const KB = 1_000;
const DAY = 86_400;
const HOUR = 3_600;

export const PROFILES: Readonly<Record<ProfileName, ProfileSpec>> = {
  busy: {
    name: 'busy',
    description: 'busy always-on node: P2P gossip graph (50 MB), 2 channels, 10 payments/h',
    sessions: [[0, DAY]],
    channels: 2,
    paymentsPerDay: 240,
    graphBytes: 50 * MB,
    scorerBytes: 100 * KB,
    channelManagerBytes: 15 * KB,
    monitorBytes: 54 * KB,
    smallBytes: 1_500,
    nodeMetricsPerHour: 170,
  },
  mobile: {
    name: 'mobile',
    description: 'mobile wallet: RGS graph (13 MB), 1 channel, online 4 h/day, 2 payments/day',
    sessions: [
      [8 * HOUR, 10 * HOUR],
      [19 * HOUR, 21 * HOUR],
    ],
    channels: 1,
    paymentsPerDay: 2,
    graphBytes: 13 * MB,
    scorerBytes: 40 * KB,
    channelManagerBytes: 8 * KB,
    monitorBytes: 12 * KB,
    smallBytes: 1_500,
    nodeMetricsPerHour: 170,
  },
};

/** Writes per payment (LDK Node): monitor updates, the payment record, events. */
const SMALL_WRITES_PER_PAYMENT = 5;
/** Channel-manager persists per payment (HTLC added, commitment, fulfil). */
const MANAGER_WRITES_PER_PAYMENT = 3;
/** A block every 10 minutes: the manager persists on each, every monitor on every 5th. */
const BLOCK_INTERVAL = 600;
const MONITOR_BLOCKS = 5;
/** Monitor updates consolidated into a full monitor write after this many. */
const UPDATES_PER_FULL_MONITOR = 100;
const SCORER_INTERVAL = 300;
const GRAPH_AFTER_START = 60;

/** The keys a node has before the day starts (read back at each start). */
function standingKeys(p: ProfileSpec): string[] {
  const keys = ['network_graph', 'scorer', 'channel_manager', 'node_metrics'];
  for (let c = 0; c < p.channels; c++) keys.push(`monitors/${c}`);
  return keys;
}

/** The day's requests, in simulated-time order. */
export function profileEvents(p: ProfileSpec): ProfileEvent[] {
  const events: ProfileEvent[] = [];
  const put = (at: number, key: string, size: number, kind: string) => events.push({ at, op: 'put', key, size, kind });
  const onlineSeconds = p.sessions.reduce((s, [a, b]) => s + (b - a), 0);
  // Payments spread evenly over the online time.
  const paymentTimes: number[] = [];
  for (let i = 0; i < p.paymentsPerDay; i++) {
    let offset = ((i + 0.5) * onlineSeconds) / p.paymentsPerDay;
    for (const [a, b] of p.sessions) {
      if (offset < b - a) {
        paymentTimes.push(a + offset);
        break;
      }
      offset -= b - a;
    }
  }
  const updates = Array.from({ length: p.channels }, () => 0);
  let payment = 0;
  for (const [start, end] of p.sessions) {
    // Start: list every key and read each (the node loads its state).
    events.push({ at: start, op: 'list', kind: 'startup' });
    for (const key of standingKeys(p)) events.push({ at: start, op: 'get', key, kind: 'startup' });
    for (let t = start + GRAPH_AFTER_START; t < end; t += HOUR) put(t, 'network_graph', p.graphBytes, 'graph');
    for (let t = start + SCORER_INTERVAL; t < end; t += SCORER_INTERVAL) put(t, 'scorer', p.scorerBytes, 'scorer');
    for (let t = start + HOUR / 6; t < end; t += HOUR / p.nodeMetricsPerHour) put(t, 'node_metrics', p.smallBytes, 'metrics');
    let block = 0;
    for (let t = start + BLOCK_INTERVAL; t < end; t += BLOCK_INTERVAL) {
      put(t, 'channel_manager', p.channelManagerBytes, 'manager');
      if (++block % MONITOR_BLOCKS === 0) for (let c = 0; c < p.channels; c++) put(t, `monitors/${c}`, p.monitorBytes, 'monitor');
    }
    for (const t of paymentTimes.filter((x) => x >= start && x < end)) {
      const c = payment % p.channels;
      for (let w = 0; w < SMALL_WRITES_PER_PAYMENT; w++) {
        // Monitor updates are new keys; they are deleted once a full monitor supersedes them.
        const n = ++updates[c]!;
        put(t, `monitor_updates/${c}/${n - 1}`, p.smallBytes, 'small');
        if (n % UPDATES_PER_FULL_MONITOR === 0) {
          put(t, `monitors/${c}`, p.monitorBytes, 'monitor');
          for (let u = n - UPDATES_PER_FULL_MONITOR; u < n; u++)
            events.push({ at: t, op: 'delete', key: `monitor_updates/${c}/${u}`, kind: 'small' });
        }
      }
      for (let w = 0; w < MANAGER_WRITES_PER_PAYMENT; w++) put(t, 'channel_manager', p.channelManagerBytes, 'manager');
      put(t, 'scorer', p.scorerBytes, 'scorer');
      payment++;
    }
  }
  // Stable order: by time, then by insertion (deletes after the monitor that supersedes them).
  return events
    .map((e, i) => [e, i] as const)
    .sort((a, b) => a[0].at - b[0].at || a[1] - b[1])
    .map(([e]) => e);
}

/** Counts per kind and operation (docs/cost.md prints them). */
export function profileSummary(events: readonly ProfileEvent[]): Record<string, { count: number; bytes: number }> {
  const out: Record<string, { count: number; bytes: number }> = {};
  for (const e of events) {
    const k = `${e.op} ${e.kind}`;
    const row = (out[k] ??= { count: 0, bytes: 0 });
    row.count++;
    if (e.op === 'put') row.bytes += e.size;
  }
  return out;
}

/**
 * Writes that repeat identically (the same key overwritten with a value of the same size, or a new
 * small key) cost exactly the same each time, so a kind is replayed one in SAMPLE[kind] and
 * counted SAMPLE[kind] times (bench/cost.ts): the counts stay exact and a busy day replays in minutes on a shared
 * machine. Monitor updates are deleted only if they were replayed. Graphs, monitors and reads are
 * all replayed.
 */
export const SAMPLE: Readonly<Record<string, number>> = { metrics: 20, small: 10, manager: 8, scorer: 8 };

export function compressDay(events: readonly ProfileEvent[]): Array<{ event: ProfileEvent; weight: number }> {
  const plan: Array<{ event: ProfileEvent; weight: number }> = [];
  const seen = new Map<string, number>();
  const last = new Map<string, { event: ProfileEvent; weight: number }>();
  const replayedKeys = new Set<string>();
  for (const event of events) {
    const rate = SAMPLE[event.kind] ?? 1;
    if (event.op === 'delete') {
      if (replayedKeys.has(event.key)) plan.push({ event, weight: rate });
      continue;
    }
    const k = `${event.op} ${event.kind}`;
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    if (n % rate !== 0) continue;
    const entry = { event, weight: rate };
    plan.push(entry);
    last.set(k, entry);
    if (event.op === 'put') replayedKeys.add(event.key);
  }
  // The last replayed event of a kind stands only for the ones left after it.
  for (const [k, entry] of last) {
    const rate = entry.weight;
    const leftover = (seen.get(k) ?? 0) % rate;
    if (leftover !== 0) entry.weight = leftover;
  }
  return plan;
}
