/**
 * Concurrent unconditional puts (version -1) on one key, as a wallet's parallel writes or several
 * devices would send them: the share answered 500 and the latency, for 500 KB values (chunked)
 * interleaved round by round with the baseline of 2 KB values (one item), over HTTP through the
 * local server on Dynoxide. A 500 here is a false fault: every such write may succeed.
 *
 *   npx tsx bench/contention.ts            (BENCH_ROUNDS, default 5 rounds of 20 writers)
 */
import { randomBytes } from 'node:crypto';
import { toLong } from '../lambda/core/codec.js';
import { vss } from '../lambda/core/generated/vss.js';
import { startLocalVss } from '../local/app.js';
import { fmt, summarize } from './stats.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const WRITERS = 20;

const app = await startLocalVss({ port: 0, engine: 'dynoxide', auth: 'none' });
const put = async (key: string, value: Uint8Array): Promise<{ status: number; ms: number }> => {
  const body = vss.PutObjectRequest.encode({ storeId: 'bench', transactionItems: [{ key, version: toLong(-1n), value }] }).finish();
  const t0 = performance.now();
  const r = await fetch(`${app.url}/putObjects`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body });
  await r.arrayBuffer();
  return { status: r.status, ms: performance.now() - t0 };
};
const cases = { '500 KB values': 500 * 1024, '2 KB values (baseline)': 2048 } as const;
const results: Record<string, { statuses: number[]; ms: number[] }> = Object.fromEntries(
  Object.keys(cases).map((k) => [k, { statuses: [], ms: [] }]),
);
for (let round = 0; round < ROUNDS; round++) {
  const names = Object.keys(cases) as Array<keyof typeof cases>;
  for (const name of round % 2 ? names.reverse() : names) {
    const values = Array.from({ length: WRITERS }, () => randomBytes(cases[name]));
    const out = await Promise.all(values.map((v) => put(`hot-${cases[name]}`, v)));
    results[name]!.statuses.push(...out.map((o) => o.status));
    results[name]!.ms.push(...out.map((o) => o.ms));
  }
}
console.log(`${WRITERS} concurrent unconditional puts on one key, ${ROUNDS} interleaved rounds, over HTTP on Dynoxide`);
for (const [name, r] of Object.entries(results)) {
  const errors = r.statuses.filter((s) => s >= 500).length;
  console.log(
    `  ${name.padEnd(24)} 500s ${errors}/${r.statuses.length} (${((100 * errors) / r.statuses.length).toFixed(1)} %)   latency ms ${fmt(summarize(r.ms))}`,
  );
}
await app.stop();
