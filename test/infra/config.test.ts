/**
 * bin/: the only reader of context and environment. Bad config fails synth with a message naming
 * the setting; good config becomes the construct's typed props. That the app synthesizes offline
 * without AWS credentials, as its own process, is synth-command.test.ts (a system test).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ConfigError, parseConfig, stackEnv, toServiceProps, type VssDeployConfig } from '../../bin/config.js';
import { VssStack } from '../../lib/vss-stack.js';
import { configProblems, TEST_PUBLIC_KEY_PEM } from './support.js';

const bad =
  (raw: unknown, env: Record<string, string> = {}) =>
  () =>
    parseConfig(raw, env);
const problemsOf = configProblems;

describe('deployment config (bin/config.ts)', () => {
  it('an empty config means signature auth, env-agnostic stack "Vss"', () => {
    const c = parseConfig(undefined, {});
    expect(c).toMatchObject({ authMode: 'signature', stackName: 'Vss' });
    expect(stackEnv(c)).toBeUndefined();
  });

  it('config may be given as a JSON string (cdk -c vss=...)', () => {
    expect(parseConfig('{"authMode":"cognito"}').authMode).toBe('cognito');
    expect(bad('{not json')).toThrow(/must be a JSON object/);
  });

  it('auth mode none is refused at synth unless forced', () => {
    expect(bad({ authMode: 'none' })).toThrow(/"none" makes every caller the same user and is refused/);
    expect(parseConfig({ authMode: 'none', allowUnauthenticated: true }).authMode).toBe('none');
  });

  it('unknown settings (typos) are refused with the list of known ones', () => {
    expect(bad({ authmode: 'jwt' })).toThrow(/vss.authmode is not a known setting/);
    expect(bad({ table: { billing: 'x' } })).toThrow(/vss.table.billing is not a known setting/);
  });

  it('every problem is reported at once, each naming its setting', () => {
    try {
      parseConfig({ authMode: 'jwt', waf: { perUserLimit: 1 }, functions: { getObject: { memorySize: 64 } }, logRetentionDays: 4 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const m = (e as Error).message;
      expect(m).toMatch(/vss.authMode "jwt" needs a key/);
      expect(m).toMatch(/vss.waf.perUserLimit must be an integer from 10/);
      expect(m).toMatch(/vss.functions.getObject.memorySize must be an integer from 128 to 10240/);
      expect(m).toMatch(/vss.logRetentionDays must be one of CloudWatch's values/);
      expect(m).toMatch(/docs\/configuration.md/);
    }
  });

  it('JWT algorithms are limited to what the authorizer verifies (RS256, ES256)', () => {
    const jwt = (algorithms: string[]) => ({ authMode: 'jwt', jwt: { publicKeyPem: TEST_PUBLIC_KEY_PEM, algorithms } });
    expect(parseConfig(jwt(['RS256', 'ES256'])).jwt?.algorithms).toEqual(['RS256', 'ES256']);
    for (const alg of ['PS256', 'ES384', 'EdDSA', 'HS256', 'none']) expect(bad(jwt([alg]))).toThrow(/vss.jwt.algorithms/);
  });

  it('invalid combinations are refused', () => {
    expect(bad({ authMode: 'signature', lnurlAuth: { enabled: true } })).toThrow(/lnurlAuth issues JWTs and needs vss.authMode "jwt"/);
    expect(bad({ table: { billingMode: 'PROVISIONED' } })).toThrow(/requires vss.table.provisioned/);
    expect(bad({ table: { existingTableArn: 'arn:aws:dynamodb:eu-west-1:111122223333:table/t', customerManagedKey: true } })).toThrow(
      /cannot be combined/,
    );
    expect(bad({ functions: { putObjects: { reservedConcurrency: 1, provisionedConcurrency: 2 } } })).toThrow(/cannot exceed/);
    expect(bad({ domain: { domainName: 'vss.example.com' } })).toThrow(/vss.domain needs vss.domain.certificateArn/);
    expect(bad({ alarms: { topicArn: 'arn:aws:sns:eu-west-1:111122223333:t', emails: ['a@b.co'] } })).toThrow(/mutually exclusive/);
    expect(bad({ jwt: { publicKeyPem: TEST_PUBLIC_KEY_PEM } })).toThrow(/vss.jwt is set but vss.authMode is "signature"/);
  });

  it('concurrency is checked after defaults are merged, naming where each value came from', () => {
    const m = problemsOf({ functions: { defaults: { provisionedConcurrency: 5 }, getObject: { reservedConcurrency: 2 } } });
    expect(m).toContain(
      'vss.functions.getObject: provisionedConcurrency 5 (from vss.functions.defaults) cannot exceed reservedConcurrency 2 (from vss.functions.getObject)',
    );
    // The sweeper runs alone (reserved concurrency 1 built in): provisioned concurrency from the defaults cannot apply to it.
    expect(m).toContain(
      'vss.functions.sweepChunks: provisionedConcurrency 5 (from vss.functions.defaults) cannot exceed reservedConcurrency 1 (from built-in)',
    );
    expect(problemsOf({ functions: { defaults: { reservedConcurrency: 10 }, putObjects: { provisionedConcurrency: 10 } } })).toEqual([]);
  });

  it('every problem comes with its path, nested ones included, in one error', () => {
    const m = problemsOf({
      table: { provisioned: { minReadCapacity: 0, maxReadCapacity: 'many' } },
      throttling: { perOperation: { putObjects: { rateLimit: -1 }, getObjekt: {} } },
      alarms: { emails: ['ops@example.com', 'nope'] },
    });
    for (const expected of [
      /^vss\.table\.provisioned\.minReadCapacity must be an integer from 1 to 40000 \(got 0\)$/,
      /^vss\.table\.provisioned\.maxReadCapacity must be an integer/,
      /^vss\.table\.provisioned\.minWriteCapacity /,
      /^vss\.throttling\.perOperation\.putObjects\.rateLimit must be a number from 0/,
      /^vss\.throttling\.perOperation\.putObjects\.burstLimit /,
      /^vss\.throttling\.perOperation\.getObjekt is not a known setting/,
      /^vss\.alarms\.emails\.1 must be an email address \(got "nope"\)$/,
      /^vss\.table\.provisioned requires vss\.table\.billingMode "PROVISIONED"$/,
    ]) {
      expect(
        m.some((p) => expected.test(p)),
        `${expected} in\n${m.join('\n')}`,
      ).toBe(true);
    }
  });

  it('the deploy-config type is what the schema outputs: defaults filled, strings coerced', () => {
    const c: VssDeployConfig = parseConfig({ lnurlAuth: {}, authMode: 'jwt', waf: { perUserLimit: '500', enabled: 'false' } });
    expect(c).toMatchObject({
      stackName: 'Vss',
      allowUnauthenticated: false,
      lnurlAuth: { enabled: true },
      waf: { perUserLimit: 500, enabled: false },
    });
  });

  it('account and region come only from explicit config or VSS_ACCOUNT / VSS_REGION', () => {
    const c = parseConfig({}, { VSS_ACCOUNT: '111122223333', VSS_REGION: 'eu-west-1', CDK_DEFAULT_ACCOUNT: '999999999999' });
    expect(stackEnv(c)).toEqual({ account: '111122223333', region: 'eu-west-1' });
    expect(bad({ account: '12' })).toThrow(/12-digit/);
  });

  it('a full config becomes typed construct props and synthesizes', () => {
    const config = parseConfig({
      authMode: 'jwt',
      jwt: { publicKeyPem: TEST_PUBLIC_KEY_PEM, cacheTtlSeconds: 30 },
      lnurlAuth: { enabled: true, tokenTtlSeconds: 3600 },
      table: {
        billingMode: 'PROVISIONED',
        provisioned: { minReadCapacity: 2, maxReadCapacity: 20, minWriteCapacity: 2, maxWriteCapacity: 20 },
        customerManagedKey: true,
      },
      functions: { defaults: { memorySize: 768 }, putObjects: { memorySize: 1536, reservedConcurrency: 100, provisionedConcurrency: 2 } },
      throttling: { rateLimit: 100, burstLimit: 200, perOperation: { putObjects: { rateLimit: 20, burstLimit: 40 } } },
      waf: { perUserLimit: 500, perIpLimit: 2000, evaluationWindowSeconds: 120 },
      alarms: { emails: ['ops@example.com'], p99LatencyMs: 1500 },
      logRetentionDays: 30,
      retainLogs: false,
    });
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new VssStack(app, 'Cfg', { service: (scope) => toServiceProps(scope, config) });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'VSS putObjects',
      MemorySize: 1536,
      ReservedConcurrentExecutions: 100,
    });
    t.hasResourceProperties('AWS::Lambda::Function', { Description: 'VSS getObject', MemorySize: 768 });
    t.hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 30 });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    expect(Stack.of(stack.service).resolve(stack.service.authMode)).toBe('jwt');
  });
});

/**
 * The CDK app itself (bin/vss.ts) in this process, as `cdk synth` runs it: the context comes in
 * CDK_CONTEXT_JSON, the output goes to CDK_OUTDIR, a bad config ends in console.error and exit 1.
 * (test/infra/synth-command.test.ts runs it as its own process, offline.)
 */
async function runApp(vss: unknown): Promise<{ exitCode: unknown; stderr: string }> {
  const out = mkdtempSync(path.join(tmpdir(), 'vss-bad-'));
  vi.stubEnv('CDK_CONTEXT_JSON', JSON.stringify({ vss, 'aws:cdk:bundling-stacks': [] }));
  vi.stubEnv('CDK_OUTDIR', out);
  vi.stubEnv('VSS_DEBUG', '');
  const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
  const stderr: string[] = [];
  const error = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void stderr.push(args.join(' ')));
  try {
    vi.resetModules();
    await import('../../bin/vss.js');
    return { exitCode: exit.mock.calls[0]?.[0], stderr: stderr.join('\n') };
  } finally {
    exit.mockRestore();
    error.mockRestore();
    vi.unstubAllEnvs();
    rmSync(out, { recursive: true, force: true });
  }
}

describe('the CDK app on bad config', () => {
  it('a bad config fails synth with the message', async () => {
    const r = await runApp({ authMode: 'none' });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/Invalid VSS deployment configuration[\s\S]*refused/);
  });

  it('a config only the merged view rejects fails synth with the problem list, never a stack trace', async () => {
    const r = await runApp({ functions: { defaults: { provisionedConcurrency: 5 }, getObject: { reservedConcurrency: 2 } } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(
      /vss\.functions\.getObject: provisionedConcurrency 5 \(from vss\.functions\.defaults\) cannot exceed reservedConcurrency 2/,
    );
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
