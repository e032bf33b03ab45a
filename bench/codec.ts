/**
 * Codec choice benchmark (issue: "choose static code or reflection by measuring").
 * Compares, in one run, three ways of getting a protobufjs codec for proto/vss.proto:
 *   static      – pbjs static-module output (lambda/core/generated/vss.js, scripts/gen-proto.sh)
 *   reflection  – protobuf.parse() of the .proto text at module init (what we ship)
 * and prints per-operation costs as ratios against the static baseline. Init time is measured in
 * fresh child processes so module caches do not hide it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import Long from 'long';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20000);

function timeIt(fn: () => void, rounds: number): number {
  for (let i = 0; i < Math.min(rounds, 2000); i++) fn(); // warm-up / JIT
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) fn();
  return Number(process.hrtime.bigint() - t0) / rounds; // ns per op
}

async function main(): Promise<void> {
  const { vss: st } = (await import('../lambda/core/generated/vss.js')) as { vss: any };
  const root = protobuf.parse(readFileSync(new URL('../proto/vss.proto', import.meta.url), 'utf8'), { keepCase: true }).root;
  const R = {
    PutObjectRequest: root.lookupType('vss.PutObjectRequest'),
    ListKeyVersionsResponse: root.lookupType('vss.ListKeyVersionsResponse'),
  };
  const value = new Uint8Array(2048).fill(7);
  const putReflect = R.PutObjectRequest.encode({ store_id: 'wallet', transaction_items: [{ key: 'k'.repeat(144), version: Long.fromNumber(-1), value }] }).finish();
  const putStatic = st.PutObjectRequest.encode({ storeId: 'wallet', transactionItems: [{ key: 'k'.repeat(144), version: Long.fromNumber(-1), value }] }).finish();
  if (Buffer.compare(Buffer.from(putReflect), Buffer.from(putStatic)) !== 0) throw new Error('codecs disagree on the wire');
  const items = Array.from({ length: 100 }, (_, i) => ({ key: `key-${i}-${'x'.repeat(140)}`, version: Long.fromNumber(i + 1) }));

  const rows: Array<[string, number, number]> = [];
  rows.push(['decode PutObjectRequest (2 KB value)',
    timeIt(() => st.PutObjectRequest.decode(putStatic), ROUNDS),
    timeIt(() => R.PutObjectRequest.decode(putReflect), ROUNDS)]);
  rows.push(['encode ListKeyVersionsResponse (100 keys)',
    timeIt(() => st.ListKeyVersionsResponse.encode({ keyVersions: items, nextPageToken: 'abc', globalVersion: Long.fromNumber(3) }).finish(), ROUNDS / 10),
    timeIt(() => R.ListKeyVersionsResponse.encode({ key_versions: items, next_page_token: 'abc', global_version: Long.fromNumber(3) }).finish(), ROUNDS / 10)]);

  // Module init: fresh processes, median of 7.
  const initOf = (code: string): number => {
    const samples: number[] = [];
    for (let i = 0; i < 7; i++) {
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: process.cwd() }).toString();
      samples.push(Number(out.trim()));
    }
    return samples.sort((a, b) => a - b)[3]!;
  };
  const baseInit = initOf(`const t=performance.now(); await import('protobufjs/minimal.js'); console.log(performance.now()-t)`);
  const staticInit = initOf(`const t=performance.now(); await import('./lambda/core/generated/vss.js'); console.log(performance.now()-t)`);
  const reflInit = initOf(`import {readFileSync} from 'node:fs'; const t=performance.now(); const p=(await import('protobufjs')).default; const r=p.parse(readFileSync('proto/vss.proto','utf8'),{keepCase:true}).root; const T=r.lookupType('vss.PutObjectRequest'); T.decode(new Uint8Array(0)); console.log(performance.now()-t)`);

  console.log('codec benchmark (protobufjs), ratio = reflection / static; lower is better for reflection');
  for (const [name, s, r] of rows) console.log(`${name.padEnd(44)} static ${(s / 1000).toFixed(2)} µs  reflection ${(r / 1000).toFixed(2)} µs  ratio ${(r / s).toFixed(2)}`);
  console.log(`${'module init (fresh process, median of 7)'.padEnd(44)} static ${staticInit.toFixed(1)} ms  reflection ${reflInit.toFixed(1)} ms  ratio ${(reflInit / staticInit).toFixed(2)}  (protobufjs/minimal alone ${baseInit.toFixed(1)} ms)`);
}

await main();
