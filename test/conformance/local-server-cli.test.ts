/**
 * `npm start` as a user runs it: the CLI prints one ready line, serves VSS, keeps its data across
 * a restart (persistent embedded engine), and stops cleanly on SIGINT and SIGTERM.
 */
import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineName } from '../../local/engines.js';
import { engines, kv, TestClient } from '../support/local-vss.js';

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
}

async function startCli(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/cli.ts', ...args], {
    cwd: process.cwd(),
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`CLI not ready: ${out}`)), 90_000);
    const check = (): void => {
      const m = /^VSS listening on (http:\/\/\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => reject(new Error(`CLI exited with ${code}: ${out}`)));
  });
  return { child, url, output: () => out };
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe.each(engines().map((e) => e.name))('npm start on %s', (engine: EngineName) => {
  it('serves VSS, keeps data across a restart and exits 0 on SIGTERM and SIGINT', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vss-cli-'));
    try {
      const first = await startCli(['--port', '0', '--engine', engine, '--data-dir', dataDir]);
      expect(first.output()).toMatch(/WARNING: --auth none/);
      const c1 = new TestClient(first.url, 'wallet');
      expect((await c1.put([kv('channel-monitor', 0, 'state-1')])).status).toBe(200);
      const exit1 = exitOf(first.child);
      first.child.kill('SIGTERM');
      expect(await exit1).toBe(0);

      const second = await startCli(['--port', '0', '--engine', engine, '--data-dir', dataDir]);
      const c2 = new TestClient(second.url, 'wallet');
      expect(await c2.getValue('channel-monitor')).toEqual({ version: 1n, value: Buffer.from('state-1') });
      expect((await c2.put([kv('channel-monitor', 1, 'state-2')])).status).toBe(200);
      const exit2 = exitOf(second.child);
      second.child.kill('SIGINT');
      expect(await exit2).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('npm start options', () => {
  it('rejects an unknown --auth mode with a clear message and a non-zero exit', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/cli.ts', '--auth', 'bogus', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const code = await exitOf(child);
    expect(code).not.toBe(0);
    expect(out).toMatch(/invalid --auth bogus/);
  });
});
