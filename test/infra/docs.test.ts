/** The IAM table in docs/security.md matches the synthesized template; the docs the issue requires exist. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VssAuth } from '../../lib/auth.js';
import type { VssFunctionName } from '../../lib/functions.js';
import { PROJECT_ROOT } from '../../lib/private/functions.js';
import { DEPLOY_CONFIG_SCHEMA } from '../../lib/private/schema.js';
import { actionsOf, statementsOfFunction, synth } from './support.js';

const doc = (name: string) => readFileSync(path.join(PROJECT_ROOT, 'docs', name), 'utf8');

describe('docs', () => {
  it('the IAM table in docs/security.md matches the template', () => {
    const { template } = synth({ auth: VssAuth.jwt(), lnurlAuth: {} });
    const section = doc('security.md').split('## IAM permissions')[1]!.split('\n## ')[0]!;
    const documented = new Map<string, Set<string>>();
    for (const line of section.split('\n')) {
      const m = /^\| (\w+) \| ([a-z0-9:, A-Za-z]+) \| [^|]+ \|$/.exec(line);
      if (!m || m[1] === 'function') continue;
      const set = documented.get(m[1]!) ?? new Set<string>();
      for (const a of m[2]!.split(',').map((s) => s.trim())) set.add(a);
      documented.set(m[1]!, set);
    }
    expect([...documented.keys()].sort()).toEqual([
      'deleteObject',
      'getObject',
      'jwtAuthorizer',
      'listKeyVersions',
      'lnurlAuth',
      'putObjects',
      'sweepChunks',
    ]);
    for (const [fn, actions] of documented) {
      const synthesized = statementsOfFunction(template, fn as VssFunctionName)
        .flatMap(actionsOf)
        .filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:'));
      expect(new Set(synthesized), fn).toEqual(actions);
    }
  });

  it('the deploy, architecture, security and configuration docs have the required sections', () => {
    const deploy = doc('deploy.md');
    for (const s of [
      '## Prerequisites',
      '## Bootstrap',
      '## Configure and deploy',
      '### Outputs',
      '## Pointing LDK Node at it',
      '## Teardown',
    ])
      expect(deploy).toContain(s);
    for (const mode of ['`signature`', '`jwt` with the built-in LNURL-auth issuer', '`jwt` with your own issuer', '`cognito`', '`none`'])
      expect(deploy).toContain(mode);
    const arch = doc('architecture.md');
    for (const s of ['## Request flow', '## Data layout', 'docs/data-model.md', '## Limits and quotas', '## Cost per million operations'])
      expect(arch).toContain(s);
    const sec = doc('security.md');
    for (const s of ['## Threat model', '## IAM permissions', '## Where each control lives']) expect(sec).toContain(s);
  });

  it('docs/configuration.md documents every setting of the deployment-config schema, at every level', () => {
    const configDoc = doc('configuration.md');
    const keys = settingKeys(DEPLOY_CONFIG_SCHEMA);
    expect(keys.length).toBeGreaterThan(50);
    for (const key of keys) expect(configDoc, key).toContain(`\`${key.split('.').pop()}\``);
  });
});

/** Dotted paths of every key of a (nested, possibly optional) valibot object schema. */
function settingKeys(schema: unknown, prefix = ''): string[] {
  let s = schema as { entries?: Record<string, unknown>; wrapped?: unknown };
  while (s.wrapped) s = s.wrapped as typeof s;
  if (!s.entries) return [];
  return Object.entries(s.entries).flatMap(([k, child]) => [`${prefix}${k}`, ...settingKeys(child, `${prefix}${k}.`)]);
}
