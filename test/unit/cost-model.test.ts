/**
 * The cost model of docs/cost.md (bench/cost-model.ts): its arithmetic on hand-made usage, and
 * that the committed page's tables are exactly what the model computes from the committed
 * results (bench/results/cost.json). Pure functions only: nothing here starts a server.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { containerModel, DOC_PATH, loadResults } from '../../bench/cost-doc.js';
import {
  type ContainerModel,
  costTable,
  crossover,
  crossoverTable,
  DAYS_PER_MONTH,
  type Measurement,
  PRICES,
  RETENTION_DAYS,
  RETENTION_LAYERS,
  thresholdCost,
  thresholdTable,
  emptyUsage,
  type Usage,
  WAF_RULES,
  walletMonthCost,
} from '../../bench/cost-model.js';
import { PROFILES, profileEvents } from '../../bench/ldk-profiles.js';

const none: Usage = emptyUsage();
const container: ContainerModel = { requestsPerSecondPerTask: 100, taskVcpu: 0.5, minTasks: 2, peakToAverage: 3, albAzs: 2 };

/** One million requests a month: 1e6 / 30.4 a day. */
const perDay = 1e6 / DAYS_PER_MONTH;
function measurement(within: Partial<Usage>, extra: Partial<Measurement> = {}): Measurement {
  return {
    profile: 'p',
    variant: 'objects',
    within: { ...none, ...within },
    beyond: none,
    refusedForSize: 0,
    beyondCarried: 'no',
    ...extra,
  };
}

describe('cost model arithmetic', () => {
  it('REST + WAF charges $3.50 + $0.60 per million requests plus Lambda, and the web ACL once per fleet', () => {
    const m = measurement({ requests: { getObject: perDay } });
    const one = walletMonthCost(m, 'rest', 'onDemand', 1, container);
    expect(one.frontDoor).toBeCloseTo(3.5 + 0.6, 9);
    expect(one.compute).toBeCloseTo(0.2, 9);
    expect(one.fixedShare).toBeCloseTo(PRICES.wafAclMonth + WAF_RULES * PRICES.wafRuleMonth, 9);
    expect(walletMonthCost(m, 'rest', 'onDemand', 100, container).fixedShare).toBeCloseTo(0.11, 9);
  });

  it('HTTP API charges per 512 KB unit and has no fixed cost', () => {
    const m = measurement({ requests: { putObjects: perDay }, httpApiUnits: 3 * perDay });
    const c = walletMonthCost(m, 'httpApi', 'onDemand', 1, container);
    expect(c.frontDoor).toBeCloseTo(3, 9);
    expect(c.fixedShare).toBe(0);
  });

  it('on-demand DynamoDB: $0.625 per million write units and $0.125 per million read units', () => {
    const m = measurement({ dynamodbWriteUnits: perDay, dynamodbReadUnits: 2 * perDay });
    expect(walletMonthCost(m, 'httpApi', 'onDemand', 1, container).dynamodb).toBeCloseTo(0.625 + 0.25, 9);
  });

  it('provisioned capacity is at least one unit of each, shared by the fleet', () => {
    const m = measurement({ dynamodbWriteUnits: 1 });
    const one = walletMonthCost(m, 'httpApi', 'provisioned', 1, container).dynamodb;
    expect(one).toBeCloseTo((PRICES.provisionedRcuHour + PRICES.provisionedWcuHour) * 730, 9);
    expect(walletMonthCost(m, 'httpApi', 'provisioned', 10, container).dynamodb).toBeCloseTo(one / 10, 9);
  });

  it('S3: PUTs, GETs, and storage with superseded objects kept twice the retention', () => {
    const m = measurement({ s3Puts: 1000 / DAYS_PER_MONTH, s3Gets: 1000 / DAYS_PER_MONTH, storedS3Bytes: 1e9, s3SupersededBytes: 1e9 });
    const s3 = walletMonthCost(m, 'httpApi', 'onDemand', 1, container).s3;
    expect(s3).toBeCloseTo(0.005 + 0.0004 + 0.023 * (1 + RETENTION_DAYS * RETENTION_LAYERS), 9);
  });

  it('the container door runs at least two tasks, and more once the peak exceeds what they carry', () => {
    const m = measurement({ requests: { getObject: 86_400 } }); // 1 request/s per wallet
    expect(walletMonthCost(m, 'container', 'onDemand', 1, container).tasks).toBe(2);
    // 100 wallets × 1 rps × peak 3 = 300 rps; 100 rps per task.
    expect(walletMonthCost(m, 'container', 'onDemand', 100, container).tasks).toBe(3);
    const fixed = walletMonthCost(m, 'container', 'onDemand', 1, { ...container, requestsPerSecondPerTask: 1e9 }).fixedShare;
    const lcu = (86_400 / 86_400 / 25) * 730 * PRICES.albLcuHour;
    expect(fixed).toBeCloseTo(PRICES.albMonth + PRICES.wafAclMonth + WAF_RULES + 2 * 14.4 + 4 * PRICES.ipv4Month + lcu, 6);
  });

  it('only the container door carries requests above the Lambda limit, and only when the store can hold them', () => {
    const beyond = { ...none, requests: { putObjects: 1 }, s3Puts: 1 };
    const m = measurement({}, { beyond, refusedForSize: 1, beyondCarried: 'estimated' });
    expect(walletMonthCost(m, 'containerLarge', 'onDemand', 1, container).s3).toBeGreaterThan(0);
    expect(walletMonthCost(m, 'container', 'onDemand', 1, container).s3).toBe(0);
    expect(walletMonthCost(m, 'rest', 'onDemand', 1, container).s3).toBe(0);
    expect(walletMonthCost({ ...m, beyondCarried: 'no' }, 'containerLarge', 'onDemand', 1, container).s3).toBe(0);
  });

  it('the crossover is the first fleet size from which the container door stays cheaper', () => {
    const m = measurement({ requests: { getObject: 100 }, httpApiUnits: 100 });
    const n = crossover(m, 'rest', 'onDemand', container)!;
    expect(n).toBeGreaterThan(1);
    const total = (door: 'rest' | 'container', k: number) => walletMonthCost(m, door, 'onDemand', k, container).total;
    expect(total('container', n)).toBeLessThan(total('rest', n));
    expect(total('container', n - 1)).toBeGreaterThanOrEqual(total('rest', n - 1));
  });

  it('a threshold moves large writes from write units to one S3 PUT each', () => {
    const events = profileEvents(PROFILES.busy);
    const allInline = thresholdCost(events, undefined);
    const at32k = thresholdCost(events, 32_768);
    expect(at32k).toBeLessThan(allInline);
  });
});

describe('docs/cost.md', () => {
  const results = loadResults();
  const doc = readFileSync(DOC_PATH, 'utf8');
  const c = containerModel(results);

  it('holds the cost table the model computes from the committed results', () => {
    expect(doc).toContain(costTable(results.measurements, c));
  });

  it('holds the crossover and threshold tables the model computes', () => {
    expect(doc).toContain(crossoverTable(results.measurements, c));
    expect(doc).toContain(thresholdTable());
  });

  it('embeds the rendered plot', () => {
    expect(doc).toContain('![Cost per wallet-month against fleet size](cost-per-wallet-month.svg)');
    expect(readFileSync(new URL('../../docs/cost-per-wallet-month.svg', import.meta.url), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  });
});
