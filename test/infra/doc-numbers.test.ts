/**
 * Numbers in the docs are tied to the constants that define them: a changed limit or default
 * fails here until the docs say the same. Every number below is read from code, never retyped.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  LIST_PAGE_SIZE_MAX,
  MAX_ACTIONS_PER_PUT,
  MAX_KEY_BYTES,
  MAX_REQUEST_BODY_BYTES,
  MAX_STORE_ID_CHARS,
} from '../../lambda/core/limits.js';
import { DEFAULT_THROTTLING } from '../../lib/private/api.js';
import { PROJECT_ROOT } from '../../lib/private/functions.js';
import { ALARM_DEFAULTS, alarmCount } from '../../lib/private/monitoring.js';
import { WAF_DEFAULTS } from '../../lib/private/waf.js';
import { resourcesOf, synth } from './support.js';

const read = (file: string) => readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
const grouped = (n: number) => n.toLocaleString('en-US');
/** "~4.6 MB": the body limit in decimal megabytes, one decimal. */
const approxMb = `${(MAX_REQUEST_BODY_BYTES / 1e6).toFixed(1)} MB`;

describe('numbers in the docs', () => {
  it('the request-body limit is the same everywhere it is written', () => {
    for (const file of ['README.md', 'docs/protocol.md', 'docs/architecture.md', 'docs/large-values.md']) {
      expect(read(file), file).toContain(grouped(MAX_REQUEST_BODY_BYTES));
    }
    for (const file of ['README.md', 'docs/protocol.md', 'docs/architecture.md', 'lib/private/waf.ts']) {
      const text = read(file);
      expect(text, file).toContain(approxMb);
      // No other "~N.N MB" size of the body limit survives anywhere (the 4.4 MB drift).
      for (const m of text.matchAll(/~(\d\.\d) MB/g)) expect(`${m[1]} MB`, `${file}: ${m[0]}`).toBe(approxMb);
    }
  });

  it("protocol.md's limits table states the service's limits", () => {
    const limits = read('docs/protocol.md').split('## §4')[1]!.split('\n## ')[0]!;
    expect(limits).toContain(`| key | ${MAX_KEY_BYTES} bytes of UTF-8`);
    expect(limits).toContain(`| \`store_id\` | ${MAX_STORE_ID_CHARS} characters`);
    expect(limits).toContain(`| actions in one PutObjects | ${MAX_ACTIONS_PER_PUT} after folding`);
    expect(limits).toContain(`| \`page_size\` | 0–${LIST_PAGE_SIZE_MAX}`);
    expect(limits).toContain(`| request body | ${grouped(MAX_REQUEST_BODY_BYTES)} bytes`);
  });

  it('configuration.md states the construct defaults', () => {
    const doc = read('docs/configuration.md');
    expect(doc).toContain(`| \`rateLimit\` | number | \`${DEFAULT_THROTTLING.rateLimit}\``);
    expect(doc).toContain(`| \`burstLimit\` | integer | \`${DEFAULT_THROTTLING.burstLimit}\``);
    expect(doc).toContain(`| \`perUserLimit\` | ≥ 10 | \`${WAF_DEFAULTS.perUserLimit}\``);
    expect(doc).toContain(`| \`perIpLimit\` | ≥ 10 | \`${WAF_DEFAULTS.perIpLimit}\``);
    expect(doc).toContain(`| \`serverErrorRate\` | 0–1 | \`${ALARM_DEFAULTS.serverErrorRate}\``);
    expect(doc).toContain(`| \`p99LatencyMs\` | integer | \`${ALARM_DEFAULTS.p99Latency.toMilliseconds()}\``);
  });

  it('the alarm counts in architecture.md are what each auth mode synthesizes', () => {
    // signature, cognito, none: 4 operations + sweeper; jwt adds the authorizer; LNURL-auth its issuer.
    const counts = { plain: alarmCount(5, true), jwt: alarmCount(6, true), lnurl: alarmCount(7, true) };
    const { template } = synth({});
    expect(Object.keys(resourcesOf(template, 'AWS::CloudWatch::Alarm'))).toHaveLength(counts.plain);
    expect(read('docs/architecture.md')).toContain(
      `Alarms: ${counts.plain} in signature, cognito or none mode, ${counts.jwt} in jwt mode, ${counts.lnurl} in jwt mode with the\n    LNURL-auth issuer`,
    );
  });
});
