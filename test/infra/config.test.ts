/**
 * bin/: the only reader of context and environment. Bad config fails synth with a message naming
 * the setting; good config becomes the construct's typed props; `npm run synth` works offline
 * without AWS credentials.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ConfigError, parseConfig, stackEnv, toServiceProps } from '../../bin/config.js';
import { PROJECT_ROOT } from '../../lib/vss-service.js';
import { VssStack } from '../../lib/vss-stack.js';
import { TEST_PUBLIC_KEY_PEM } from './support.js';

const bad = (raw: unknown, env: Record<string, string> = {}) => () => parseConfig(raw, env);

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
    expect(bad({ table: { existingTableArn: 'arn:aws:dynamodb:eu-west-1:111122223333:table/t', customerManagedKey: true } })).toThrow(/cannot be combined/);
    expect(bad({ functions: { putObjects: { reservedConcurrency: 1, provisionedConcurrency: 2 } } })).toThrow(/cannot exceed/);
    expect(bad({ domain: { domainName: 'vss.example.com' } })).toThrow(/needs certificateArn/);
    expect(bad({ alarms: { topicArn: 'arn:aws:sns:eu-west-1:111122223333:t', emails: ['a@b.co'] } })).toThrow(/mutually exclusive/);
    expect(bad({ jwt: { publicKeyPem: TEST_PUBLIC_KEY_PEM } })).toThrow(/vss.jwt is set but vss.authMode is "signature"/);
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
      table: { billingMode: 'PROVISIONED', provisioned: { minReadCapacity: 2, maxReadCapacity: 20, minWriteCapacity: 2, maxWriteCapacity: 20 }, customerManagedKey: true },
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
    t.hasResourceProperties('AWS::Lambda::Function', { Description: 'VSS putObjects', MemorySize: 1536, ReservedConcurrentExecutions: 100 });
    t.hasResourceProperties('AWS::Lambda::Function', { Description: 'VSS getObject', MemorySize: 768 });
    t.hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 30 });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    expect(Stack.of(stack.service).resolve(stack.service.authMode)).toBe('jwt');
  });
});

describe('npm run synth', () => {
  it('npm run synth works offline with no AWS credentials and no account', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'vss-synth-'));
    try {
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(AWS_|CDK_DEFAULT_)/.test(k)) env[k] = v;
      Object.assign(env, { AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true' });
      const r = spawnSync('npm', ['run', 'synth', '--', '--output', out, '--no-notices'], { cwd: PROJECT_ROOT, env, encoding: 'utf8', timeout: 170_000 });
      expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
      const files = readdirSync(out);
      expect(files).toContain('Vss.template.json');
      const template = JSON.parse(readFileSync(path.join(out, 'Vss.template.json'), 'utf8')) as { Outputs: Record<string, unknown> };
      expect(Object.keys(template.Outputs)).toEqual(expect.arrayContaining(['VssBaseUrl', 'TableName']));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 180_000);

  it('a bad config fails synth with the message', () => {
    const r = spawnSync('npx', ['tsx', 'bin/vss.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ vss: { authMode: 'none' } }), CDK_OUTDIR: mkdtempSync(path.join(tmpdir(), 'vss-bad-')) },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Invalid VSS deployment configuration[\s\S]*refused/);
  }, 60_000);
});
