/**
 * Contention through the local server, on both engines: compare-and-set increments by many
 * writers lose no update; atomic multi-key puts (one value above 400 KB) are never seen
 * half-applied by concurrent readers; paginated walks during churn never return a key twice and
 * never miss a key that stayed. Loops are bounded; the figures are printed for the docs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalVss } from '../../local/app.js';
import { engines, kv, startVssOn, TestClient } from '../support/local-vss.js';

const CAS_WRITERS = 12;
const CAS_INCREMENTS = 5;
const GENERATIONS = 12;
const GROUP = ['group-a', 'group-b', 'group-c', 'group-d'];
const LARGE_BYTES = 420_000;
const STABLE_KEYS = 120;
const CHURNERS = 4;
const WALKERS = 4;
const WALKS_EACH = 3;

describe.each(engines().map((e) => [e.name, e] as const))('contention on %s', (name, engine) => {
  let server: LocalVss;
  beforeAll(async () => {
    server = await startVssOn(engine);
  });
  afterAll(() => server?.stop());

  it(`compare-and-set increments by ${CAS_WRITERS} writers lose no update`, async () => {
    const c = new TestClient(server.url, 'cas');
    let conflicts = 0;
    const writer = async (): Promise<void> => {
      for (let done = 0, attempts = 0; done < CAS_INCREMENTS; attempts++) {
        expect(attempts, 'bounded retries').toBeLessThan(2000);
        const cur = await c.getValue('counter');
        const [version, n] = typeof cur === 'number' ? (expect(cur).toBe(404), [0n, 0]) : [cur.version, Number(cur.value.toString())];
        const r = await c.put([kv('counter', version, String(n + 1))]);
        if (r.status === 200) done++;
        else {
          expect(r.status).toBe(409);
          conflicts++;
        }
      }
    };
    await Promise.all(Array.from({ length: CAS_WRITERS }, writer));
    const total = CAS_WRITERS * CAS_INCREMENTS;
    expect(await c.getValue('counter')).toEqual({ version: BigInt(total), value: Buffer.from(String(total)) });
    console.log(
      `contention on ${name}: ${total} CAS increments by ${CAS_WRITERS} writers, ${conflicts} conflicts retried, final value ${total}`,
    );
  });

  it('atomic multi-key puts are never seen half-applied by concurrent readers', async () => {
    const c = new TestClient(server.url, 'atomic');
    const value = (g: number, i: number): Buffer => {
      const head = Buffer.from(`gen-${String(g).padStart(4, '0')}:`);
      return i === 0 ? Buffer.concat([head, Buffer.alloc(LARGE_BYTES, g % 251)]) : head;
    };
    const generationOf = (v: Buffer): number => Number(v.subarray(4, 8).toString());
    expect((await c.put(GROUP.map((k, i) => kv(k, 0, value(0, i))))).status).toBe(200);
    let writing = true;
    let reads = 0;
    const writer = async (): Promise<void> => {
      for (let g = 1; g <= GENERATIONS; g++) {
        expect((await c.put(GROUP.map((k, i) => kv(k, g, value(g, i))))).status).toBe(200);
      }
      writing = false;
    };
    // Reading the keys one after another: a later read can only see the same or a newer
    // generation than an earlier one, unless a put was applied in part.
    const reader = async (order: readonly string[]): Promise<void> => {
      while (writing) {
        let previous = -1;
        for (const key of order) {
          const v = await c.getValue(key);
          expect(typeof v).not.toBe('number');
          const { version, value: bytes } = v as { version: bigint; value: Buffer };
          const g = generationOf(bytes);
          expect(version).toBe(BigInt(g + 1));
          if (key === GROUP[0]) expect(bytes.equals(value(g, 0)), 'large value byte-exact').toBe(true);
          expect(g, `${key} after ${order.join(',')}`).toBeGreaterThanOrEqual(previous);
          previous = g;
          reads++;
        }
      }
    };
    await Promise.all([writer(), reader(GROUP), reader([...GROUP].reverse()), reader([GROUP[2]!, GROUP[0]!, GROUP[3]!, GROUP[1]!])]);
    console.log(
      `contention on ${name}: ${GENERATIONS} atomic 4-key puts (one value of ${LARGE_BYTES} bytes) beside 3 readers, ${reads} reads, none half-applied`,
    );
  });

  it('paginated walks during churn return no key twice and miss no key that stayed', async () => {
    const c = new TestClient(server.url, 'walk');
    const stable = Array.from({ length: STABLE_KEYS }, (_, i) => `k-${String(i).padStart(4, '0')}-stable`);
    for (let i = 0; i < stable.length; i += 50)
      expect((await c.put(stable.slice(i, i + 50).map((k) => kv(k, 0, 'stays')))).status).toBe(200);
    let churning = true;
    let churnOps = 0;
    const churner = async (w: number): Promise<void> => {
      for (let round = 0; churning; round++) {
        const key = `k-${String((round * CHURNERS + w) % STABLE_KEYS).padStart(4, '0')}-churn-${w}`;
        expect((await c.put([kv(key, 0, 'comes and goes')])).status).toBe(200);
        expect((await c.delete(key, 1)).status).toBe(200);
        churnOps += 2;
      }
    };
    let walks = 0;
    let pages = 0;
    const walker = async (): Promise<void> => {
      for (let i = 0; i < WALKS_EACH; i++) {
        const r = await c.listAll({ pageSize: 7 });
        expect(new Set(r.keys).size, 'no key twice').toBe(r.keys.length);
        const seen = new Set(r.keys);
        expect(
          stable.filter((k) => !seen.has(k)),
          'no stable key missing',
        ).toEqual([]);
        expect(r.keys.every((k) => k.endsWith('-stable') || /-churn-\d$/.test(k))).toBe(true);
        walks++;
        pages += r.pages;
      }
    };
    const churning$ = Array.from({ length: CHURNERS }, (_, w) => churner(w));
    await Promise.all(Array.from({ length: WALKERS }, walker));
    churning = false;
    await Promise.all(churning$);
    console.log(
      `contention on ${name}: ${walks} paginated walks (${pages} pages of 7) over ${STABLE_KEYS} stable keys during ${churnOps} churn writes: no key twice, none missing`,
    );
  });
});
