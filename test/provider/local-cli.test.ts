/**
 * The local server's provider flags as a user runs them (`npm start -- --quota-max-keys N`,
 * environment variables too), and the admin commands against the engine endpoint it prints. A
 * malformed flag is refused in the test's process: test/conformance/local-server-refusals.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerAdminCommands } from '../../cli/commands/admin/index.js';
import { kv, TestClient, primaryEngine } from '../support/local-vss.js';

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

function startCli(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; ready: Promise<{ url: string; engine: string }>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/cli.ts', ...args], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const ready = new Promise<{ url: string; engine: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready: ${out}`)), 90_000);
    child.stdout!.on('data', () => {
      const url = /^VSS listening on (\S+)$/m.exec(out)?.[1];
      const engine = /^DynamoDB engine at (\S+), table vss$/m.exec(out)?.[1];
      if (url && engine) {
        clearTimeout(timer);
        resolve({ url, engine });
      }
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
  });
  return { child, ready, output: () => out };
}

describe('npm start provider flags', () => {
  it('enforces --quota-max-keys and the rate limit from VSS_RATE_LIMIT_PER_USER, and serves the admin commands its engine endpoint', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'vss-provider-cli-'));
    const started = startCli(['--port', '0', '--engine', primaryEngine().name, '--data-dir', dataDir, '--quota-max-keys', '2'], {
      VSS_RATE_LIMIT_PER_USER: '3',
    });
    try {
      const { url, engine } = await started.ready;
      const c = new TestClient(url, 'wallet');
      // As clients do: back off and retry on 429 (3 requests per second are allowed).
      const retrying = async (f: () => Promise<{ status: number }>): Promise<number> => {
        for (;;) {
          const { status } = await f();
          if (status !== 429) return status;
          await new Promise((r) => setTimeout(r, 200));
        }
      };
      expect(await retrying(() => c.put([kv('a', 0, 'v')]))).toBe(200);
      expect(await retrying(() => c.put([kv('b', 0, 'v')]))).toBe(200);
      expect(await retrying(() => c.put([kv('c', 0, 'v')]))).toBe(400);
      expect(await retrying(() => c.put([kv('a', 1, 'w')]))).toBe(200);
      const flood = await Promise.all(Array.from({ length: 20 }, () => c.get('a')));
      expect(flood.filter((r) => r.status === 429).length).toBeGreaterThan(0);
      const printed: string[] = [];
      const program = new Command('vss').exitOverride();
      registerAdminCommands(program, { out: (t) => printed.push(t), err: () => {}, now: () => new Date() });
      await program.parseAsync([
        'node',
        'vss',
        'admin',
        'usage',
        '--dynamodb-endpoint',
        engine,
        '--table',
        'vss',
        '--user',
        'unauth-user',
        '--json',
      ]);
      const total = (JSON.parse(printed.join('')) as Array<Record<string, unknown>>).find((r) => r['kind'] === 'total')!;
      expect(total).toMatchObject({ keys: 2, bytes: 4 });
      expect(total['requests']).toBeGreaterThanOrEqual(4);
      expect(started.output()).toMatch(/write refused by quota: 2\/2 keys/);
    } finally {
      const exit = exitOf(started.child);
      started.child.kill('SIGTERM');
      await exit;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
