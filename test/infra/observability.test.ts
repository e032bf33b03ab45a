/**
 * The outcome observer of a deployed function: one structured JSON log line per request with the
 * request id, operation and a SHA-256 prefix of the user (never the raw token, a key or a value),
 * and EMF metrics per operation (count, latency, conflicts, errors).
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { requestOf } from '../../lambda/handlers/api-gateway.js';

const TOKEN = `02${'ab'.repeat(32)}`;
const event = {
  requestContext: { requestId: 'req-123' },
  body: 'c2VjcmV0LXZhbHVl',
  headers: { Authorization: 'secret-header' },
} as unknown as APIGatewayProxyEvent;
/** The request as the path hands it to the observer: headers and body included, none of them logged. */
const request = requestOf('putObjects', event);

describe('observability', () => {
  let lines: string[];
  beforeEach(() => {
    lines = [];
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'VSS-test');
    vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'vss');
    const capture = (chunk: unknown) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture as typeof process.stdout.write);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture as typeof process.stderr.write);
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(' ')));
    vi.spyOn(console, 'info').mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(' ')));
  });
  afterEach(() => vi.restoreAllMocks());

  it('logs request id, operation, status and a hash of the user — never the raw token, header or body', async () => {
    const { observeOutcome, userHash } = await import('../../lambda/request-path/observability.js');
    observeOutcome({ operation: 'putObjects', status: 409, errorCode: 1, durationMs: 12.345, userToken: TOKEN }, request);
    const all = lines.join('\n');
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain('secret-header');
    expect(all).not.toContain('c2VjcmV0LXZhbHVl');
    const log = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['message'] === 'vss request')!;
    expect(log).toMatchObject({
      requestId: 'req-123',
      operation: 'putObjects',
      status: 409,
      errorCode: 1,
      user: userHash(TOKEN),
      level: 'INFO',
    });
    expect(userHash(TOKEN)).toBe(createHash('sha256').update(TOKEN).digest('hex').slice(0, 16));
  });

  it('emits EMF metrics per operation: Requests, Latency, Conflicts, Errors', async () => {
    const { observeOutcome } = await import('../../lambda/request-path/observability.js');
    observeOutcome(
      { operation: 'getObject', status: 500, errorCode: 3, durationMs: 5, userToken: TOKEN, fault: new Error('boom') },
      request,
    );
    const emf = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['_aws'])! as Record<string, unknown> & {
      _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> };
    };
    const directive = emf._aws.CloudWatchMetrics[0]!;
    expect(directive.Namespace).toBe('VSS-test');
    expect(directive.Dimensions[0]).toEqual(expect.arrayContaining(['service', 'operation']));
    expect(directive.Metrics.map((m) => m.Name)).toEqual(
      expect.arrayContaining(['Requests', 'Latency', 'Conflicts', 'Errors', 'ClientErrors', 'AuthFailures']),
    );
    expect(emf).toMatchObject({ operation: 'getObject', Requests: 1, Errors: 1, Conflicts: 0 });
    const error = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['message'] === 'vss request failed')!;
    expect(error).toMatchObject({ level: 'ERROR', fault: { name: 'Error', message: 'boom' } });
  });

  it('counts a 429 as Throttled, and a near-quota write as a log line with the user hash and a NearQuotaWrites metric', async () => {
    const { observeOutcome, observeProviderEvent, userHash } = await import('../../lambda/request-path/observability.js');
    observeOutcome({ operation: 'putObjects', status: 429, errorCode: 3, durationMs: 1, userToken: TOKEN }, request);
    observeProviderEvent({
      type: 'near-quota',
      userToken: TOKEN,
      usage: { keys: 9, bytes: 100 },
      limits: { maxKeys: 10, maxBytes: 0 },
      limit: 'keys',
    });
    expect(lines.join('\n')).not.toContain(TOKEN);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.find((l) => l['_aws'] && l['operation'] === 'putObjects')).toMatchObject({ Throttled: 1 });
    expect(parsed.find((l) => l['_aws'] && l['NearQuotaWrites'] !== undefined)).toMatchObject({ NearQuotaWrites: 1, service: 'vss' });
    expect(parsed.find((l) => String(l['message']).includes('near its keys quota'))).toMatchObject({
      user: userHash(TOKEN),
      keys: 9,
      maxKeys: 10,
    });
  });

  it('an observation failure never breaks the request', async () => {
    const { observeOutcome } = await import('../../lambda/request-path/observability.js');
    vi.spyOn(process.stdout, 'write').mockImplementation(() => {
      throw new Error('stdout broken');
    });
    vi.spyOn(console, 'log').mockImplementation(() => {
      throw new Error('console broken');
    });
    vi.spyOn(console, 'info').mockImplementation(() => {
      throw new Error('console broken');
    });
    expect(() => observeOutcome({ operation: 'getObject', status: 200, durationMs: 1 }, request)).not.toThrow();
  });
});
