/**
 * Codec benchmark, all comparisons interleaved round by round with their baseline in one run:
 *   static vs reflection – pbjs static-module output (lambda/core/generated/vss.js, what we ship)
 *                          against protobuf.parse() of the .proto text; per message and module init
 *                          (fresh child processes, so module caches do not hide it)
 *   int64 <-> bigint     – codec.ts's bit arithmetic against the decimal-string conversion
 *                          through long.js it replaced
 * Each figure is the median (range) over rounds.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import Long from 'long';
import { toBigInt, toLong } from '../lambda/core/codec.js';
import { fmt, interleave, summarize, type Summary } from './stats.js';

// codec.ts installs its own int64 type process-wide; protobufjs reflection needs long.js.
protobuf.util.Long = Long;
protobuf.configure();

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);
const BATCH = 500;
const us = (s: Summary): Summary => ({ median: s.median * 1000, min: s.min * 1000, max: s.max * 1000 });

async function main(): Promise<void> {
  const { vss: st } = (await import('../lambda/core/generated/vss.js')) as { vss: any };
  const root = protobuf.parse(readFileSync(new URL('../proto/vss.proto', import.meta.url), 'utf8'), { keepCase: true }).root;
  const R = {
    PutObjectRequest: root.lookupType('vss.PutObjectRequest'),
    ListKeyVersionsResponse: root.lookupType('vss.ListKeyVersionsResponse'),
  };
  const value = new Uint8Array(2048).fill(7);
  const putReflect = R.PutObjectRequest.encode({
    store_id: 'wallet',
    transaction_items: [{ key: 'k'.repeat(144), version: Long.fromNumber(-1), value }],
  }).finish();
  const putStatic = st.PutObjectRequest.encode({
    storeId: 'wallet',
    transactionItems: [{ key: 'k'.repeat(144), version: Long.fromNumber(-1), value }],
  }).finish();
  if (Buffer.compare(Buffer.from(putReflect), Buffer.from(putStatic)) !== 0) throw new Error('codecs disagree on the wire');
  const items = Array.from({ length: 100 }, (_, i) => ({ key: `key-${i}-${'x'.repeat(140)}`, version: Long.fromNumber(i + 1) }));

  const messages = await interleave(
    ROUNDS,
    {
      'decode static': () => st.PutObjectRequest.decode(putStatic),
      'decode reflection': () => R.PutObjectRequest.decode(putReflect),
      'encode static': () =>
        st.ListKeyVersionsResponse.encode({ keyVersions: items, nextPageToken: 'abc', globalVersion: Long.fromNumber(3) }).finish(),
      'encode reflection': () =>
        R.ListKeyVersionsResponse.encode({ key_versions: items, next_page_token: 'abc', global_version: Long.fromNumber(3) }).finish(),
    },
    BATCH / 10,
  );
  // Versions as LDK Node sees them: small counters, and -1.
  const versions = Array.from({ length: 1024 }, (_, i) => (i % 8 === 0 ? -1n : BigInt(i * 37)));
  const longs = versions.map((v) => Long.fromString(v.toString()));
  const conversions = await interleave(
    ROUNDS,
    {
      'bigint->Long via string (before)': (i) => Long.fromString(versions[i & 1023]!.toString(), false),
      'bigint->Long by bits (now)': (i) => toLong(versions[i & 1023]!),
      'Long->bigint via string (before)': (i) => BigInt(longs[i & 1023]!.toString()),
      'Long->bigint by bits (now)': (i) => toBigInt(longs[i & 1023]!),
    },
    BATCH,
  );

  // Module init: fresh processes, interleaved.
  const initOf = (code: string): number =>
    Number(execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: process.cwd() }).toString().trim());
  const inits: Record<string, number[]> = { minimal: [], static: [], reflection: [] };
  for (let round = 0; round < 7; round++) {
    inits['minimal']!.push(initOf(`const t=performance.now(); await import('protobufjs/minimal.js'); console.log(performance.now()-t)`));
    inits['static']!.push(
      initOf(`const t=performance.now(); await import('./lambda/core/generated/vss.js'); console.log(performance.now()-t)`),
    );
    inits['reflection']!.push(
      initOf(
        `import {readFileSync} from 'node:fs'; const t=performance.now(); const p=(await import('protobufjs')).default; const r=p.parse(readFileSync('proto/vss.proto','utf8'),{keepCase:true}).root; const T=r.lookupType('vss.PutObjectRequest'); T.decode(new Uint8Array(0)); console.log(performance.now()-t)`,
      ),
    );
  }

  console.log(`codec benchmark (protobufjs), µs per call: median (range) of ${ROUNDS} interleaved rounds; node ${process.version}`);
  const pair = (label: string, a: string, b: string, r: Record<string, Summary>) =>
    console.log(
      `  ${label.padEnd(40)} ${a} ${fmt(us(r[a]!), 3).padEnd(24)} ${b} ${fmt(us(r[b]!), 3).padEnd(24)} ratio ${(r[b]!.median / r[a]!.median).toFixed(2)}`,
    );
  pair('PutObjectRequest, 2 KB value', 'decode static', 'decode reflection', messages);
  pair('ListKeyVersionsResponse, 100 keys', 'encode static', 'encode reflection', messages);
  pair('version bigint -> Long', 'bigint->Long by bits (now)', 'bigint->Long via string (before)', conversions);
  pair('version Long -> bigint', 'Long->bigint by bits (now)', 'Long->bigint via string (before)', conversions);
  const ms = (n: string) => fmt(summarize(inits[n]!));
  console.log(
    `  module init ms (7 fresh processes, interleaved)  static ${ms('static')}  reflection ${ms('reflection')}  protobufjs/minimal alone ${ms('minimal')}`,
  );
}

await main();
