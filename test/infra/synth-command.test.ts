/**
 * The CDK app as `cdk synth` (`npm run synth`) runs it: the command in cdk.json's "app", as its
 * own process, with the context cdk.json gives it, offline: no AWS credentials, no account, no
 * metadata service. Bundling is skipped (`aws:cdk:bundling-stacks`: []), as the CDK CLI lets no
 * synth do: the bundles are bundles.test.ts's subject, here they would only add minutes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/private/functions.js';
import { CDK_JSON_CONTEXT } from './support.js';

describe('the CDK app as cdk synth runs it', () => {
  it('synthesizes offline with no AWS credentials and no account', () => {
    const app = (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { app: string }).app;
    const out = mkdtempSync(path.join(tmpdir(), 'vss-synth-'));
    try {
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(AWS_|CDK_DEFAULT_)/.test(k)) env[k] = v;
      Object.assign(env, {
        AWS_CONFIG_FILE: '/nonexistent',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
        AWS_EC2_METADATA_DISABLED: 'true',
        CDK_OUTDIR: out,
        CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] }),
      });
      const r = spawnSync(app, { cwd: PROJECT_ROOT, env, encoding: 'utf8', shell: true, timeout: 300_000 });
      expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(readdirSync(out)).toContain('Vss.template.json');
      const template = JSON.parse(readFileSync(path.join(out, 'Vss.template.json'), 'utf8')) as { Outputs: Record<string, unknown> };
      expect(Object.keys(template.Outputs)).toEqual(expect.arrayContaining(['VssBaseUrl', 'TableName']));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 330_000);
});
