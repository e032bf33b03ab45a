/**
 * Where to verify `signature` auth on AWS (issue: "choose between verifying in the handler and a
 * REQUEST authorizer by measuring invocations and latency"). One run measures:
 *
 *   A  in-process verification of a signature header (lambda/auth/signature.ts, node:crypto):
 *      warm µs per verification over distinct headers, and cold (fresh process: first
 *      verification, which parses the key), median of several processes
 *   B  a REQUEST authorizer handler invoked locally (the same verification plus building the IAM
 *      policy and JSON-serialising event and result, as the Lambda runtime does): warm and cold
 *   C  the extra hop such an authorizer adds, as a lower bound measured here: one loopback HTTP
 *      round trip to a server running B
 *   baselines, same run: the VSS getObject handler in-process on a stub store that holds the key
 *      (pure CPU of one successful invocation, not the 404 path), and one getObject through the
 *      local server on the embedded engine (HTTP + handler + DynamoDB-compatible store), with auth
 *      none and with in-handler signature auth
 *
 * A, B and the handler baselines run interleaved round by round; figures are median (range).
 *
 * and then models, per 1M VSS requests, invocations and added latency. What API Gateway adds to
 * invoke an authorizer Lambda is NOT measurable locally; the figures used for it are assumptions
 * (overridable: BENCH_AUTHORIZER_INVOKE_MS, BENCH_AUTHORIZER_COLD_MS) and printed as such.
 *
 *   npx tsx bench/auth-placement.ts            (BENCH_ROUNDS=600, BENCH_HTTP_ROUNDS=150)
 */
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { request } from 'node:http';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { ARM64_LAMBDA } from './prices.js';
import { fmt, interleave } from './stats.js';
import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { SIGNING_CONSTANT, headerValue, verifySignatureHeader } from '../lambda/auth/signature.js';
import { createSignatureHeader } from '../lambda/auth/signature-signer.js';
import { createAuthenticator } from '../lambda/auth/authenticator.js';
import { VssProtocol } from '../lambda/core/service.js';
import { vss } from '../lambda/core/generated/vss.js';
import { createApiGatewayHandler } from '../lambda/handlers/api-gateway.js';
import { createRequestPath } from '../lambda/request-path/request-path.js';
import type { KeyValueStore } from '../lambda/core/kv-store.js';
import { startLocalVss } from '../local/app.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 600);
const HTTP_ROUNDS = Number(process.env['BENCH_HTTP_ROUNDS'] ?? 150);
const COLD_PROCESSES = Number(process.env['BENCH_COLD_PROCESSES'] ?? 7);
/** Assumed, not measured: API Gateway → warm authorizer Lambda invoke, added to the request. */
const ASSUMED_INVOKE_MS = Number(process.env['BENCH_AUTHORIZER_INVOKE_MS'] ?? 10);
/** Assumed, not measured: cold start of a small Node.js 20 authorizer function (init phase). */
const ASSUMED_COLD_MS = Number(process.env['BENCH_AUTHORIZER_COLD_MS'] ?? 250);
/** AWS Lambda list price, us-east-1 arm64 as the stack deploys (bench/prices.ts). */
const PRICE_PER_MILLION_REQUESTS = ARM64_LAMBDA.perMillionRequests;
const PRICE_PER_GB_SECOND = ARM64_LAMBDA.perGbSecond;
const AUTHORIZER_MEMORY_GB = 0.25;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p99 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)]!;

/** Latencies (ms) of `rounds` sequential calls. */
async function latencies(rounds: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 20; i++) await fn(i);
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  return out;
}

// --- the candidate REQUEST authorizer (what we would deploy if we chose it) -------------------
function requestAuthorizer(event: APIGatewayRequestAuthorizerEvent) {
  const user = verifySignatureHeader(headerValue(event.headers as Record<string, string>, 'authorization'));
  const [prefix, stage] = event.methodArn.split('/');
  return {
    principalId: user.slice(0, 16),
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${prefix}/${stage}/*/*` }],
    },
    context: { userToken: user },
  };
}
/** As the Lambda runtime sees it: JSON in, JSON out. */
const invokeAuthorizer = (eventJson: string): string =>
  JSON.stringify(requestAuthorizer(JSON.parse(eventJson) as APIGatewayRequestAuthorizerEvent));

function authorizerEventJson(header: string): string {
  return JSON.stringify({
    type: 'REQUEST',
    methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/POST/vss/getObject',
    resource: '/vss/getObject',
    path: '/vss/getObject',
    httpMethod: 'POST',
    headers: { Authorization: header, 'Content-Type': 'application/octet-stream', Host: 'abcdef1234.execute-api.eu-west-1.amazonaws.com' },
    requestContext: { stage: 'prod', requestId: 'r' },
  });
}

// --- cold measurements in fresh processes ---------------------------------------------------
/**
 * Plain node (no tsx, as in the bundled Lambda): time the first verification of a fresh process
 * (parses the key into a KeyObject) and the second (same key), with node:crypto as the handler
 * does. Median per column over fresh processes.
 */
function coldVerification(header: string): { firstMs: number; secondMs: number } {
  const code = `
    import { createPublicKey, verify } from 'node:crypto';
    const h = ${JSON.stringify(header)};
    const prefix = Buffer.from('3036301006072a8648ce3d020106052b8104000a032200', 'hex');
    const check = (hdr) => {
      const pk = Buffer.from(hdr.slice(0, 66), 'hex'), sig = Buffer.from(hdr.slice(66, 194), 'hex');
      const key = createPublicKey({ key: Buffer.concat([prefix, pk]), format: 'der', type: 'spki' });
      const msg = Buffer.concat([Buffer.from(${JSON.stringify(SIGNING_CONSTANT)}, 'ascii'), pk, Buffer.from(hdr.slice(194), 'ascii')]);
      if (!verify('sha256', msg, { key, dsaEncoding: 'ieee-p1363' }, sig)) throw new Error('bad');
    };
    const t0 = performance.now();
    check(h);
    const t1 = performance.now();
    check(h);
    const t2 = performance.now();
    console.log(JSON.stringify([t1 - t0, t2 - t1]));`;
  const rows: number[][] = [];
  for (let i = 0; i < COLD_PROCESSES; i++) {
    rows.push(
      JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: process.cwd() }).toString().trim()) as number[],
    );
  }
  return { firstMs: median(rows.map((r) => r[0]!)), secondMs: median(rows.map((r) => r[1]!)) };
}

async function main(): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const keys = Array.from({ length: 64 }, () => secp256k1.utils.randomSecretKey());
  // Distinct headers (different keys and times), as a fleet of wallets would send.
  const headers = Array.from({ length: 512 }, (_, i) => createSignatureHeader(keys[i % keys.length]!, now - (i % 600)));
  const authorizerEvents = headers.map(authorizerEventJson);

  const cold = coldVerification(headers[0]!);

  // C: lower bound of the extra hop: loopback HTTP round trip to a server running B.
  const authServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const out = invokeAuthorizer(Buffer.concat(chunks).toString());
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) }).end(out);
    });
  });
  await new Promise<void>((r) => authServer.listen(0, '127.0.0.1', r));
  const authPort = (authServer.address() as { port: number }).port;
  const agent = new (await import('node:http')).Agent({ keepAlive: true, maxSockets: 1 });
  const hop = (body: string) =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: authPort,
          method: 'POST',
          path: '/invoke',
          agent,
          headers: { 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve());
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const hopMs = await latencies(HTTP_ROUNDS, (i) => hop(authorizerEvents[i % authorizerEvents.length]!));
  authServer.close();
  agent.destroy();

  // Baseline 1: getObject handler in-process on a stub store that holds the key (200, not 404).
  const stored = { version: 7n, value: new Uint8Array(2048).fill(1) };
  const stub: KeyValueStore = {
    get: async () => stored,
    write: async () => {},
    deleteIfVersion: async () => {},
    list: async () => ({ keyVersions: [], nextPageToken: '' }),
  } as unknown as KeyValueStore;
  const body = Buffer.from(vss.GetObjectRequest.encode({ storeId: 'wallet', key: 'k'.repeat(144) }).finish()).toString('base64');
  const mkEvent = (auth: Record<string, unknown> | null, hdrs: Record<string, string>): APIGatewayProxyEvent =>
    ({
      httpMethod: 'POST',
      headers: hdrs,
      multiValueHeaders: {},
      body,
      isBase64Encoded: true,
      requestContext: { authorizer: auth },
    }) as unknown as APIGatewayProxyEvent;
  const pathWith = (mode: 'authorizer-context' | 'signature') =>
    createRequestPath({ protocol: new VssProtocol(stub), authenticator: createAuthenticator({ mode }) });
  const viaContext = createApiGatewayHandler('getObject', pathWith('authorizer-context'));
  const viaSignature = createApiGatewayHandler('getObject', pathWith('signature'));
  const ctxEvent = mkEvent({ userToken: 'u' }, {});
  const sigEvents = headers.map((h) => mkEvent(null, { Authorization: h }));
  if ((await viaContext(ctxEvent)).statusCode !== 200) throw new Error('baseline must be a successful GetObject');
  // A, B and the baselines, interleaved: µs per call.
  const BATCH = 20;
  const t = await interleave(
    Math.max(5, Math.round(ROUNDS / BATCH)),
    {
      verify: (i) => verifySignatureHeader(headers[i % headers.length]!, { nowSeconds: now }),
      authorizer: (i) => invokeAuthorizer(authorizerEvents[i % authorizerEvents.length]!),
      handlerCtx: () => viaContext(ctxEvent),
      handlerSig: (i) => viaSignature(sigEvents[i % sigEvents.length]!),
    },
    BATCH,
  );
  const usOf = (n: string) => ({ median: t[n]!.median * 1000, min: t[n]!.min * 1000, max: t[n]!.max * 1000 });
  const verifyUs = usOf('verify').median;
  const authorizerUs = usOf('authorizer').median;
  const handlerCtxUs = usOf('handlerCtx').median;
  const handlerSigUs = usOf('handlerSig').median;

  // Baseline 2: getObject through the local server on the embedded engine, auth none vs signature.
  let httpNone: number[] | undefined;
  let httpSig: number[] | undefined;
  let httpNote = '';
  try {
    const engineName = process.env['BENCH_ENGINE'] === 'dynamodb-local' ? 'dynamodb-local' : 'dynoxide';
    const none = await startLocalVss({ port: 0, engine: engineName, auth: 'none' });
    const sig = await startLocalVss({ port: 0, dynamodbEndpoint: none.engine!.endpoint, tableName: 'vss', auth: 'signature' });
    const get = (url: string, h: Record<string, string>) =>
      fetch(`${url}/getObject`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', ...h },
        body: Buffer.from(body, 'base64'),
      }).then((r) => r.arrayBuffer());
    httpNone = await latencies(HTTP_ROUNDS, () => get(none.url, {}));
    httpSig = await latencies(HTTP_ROUNDS, (i) => get(sig.url, { authorization: headers[i % headers.length]! }));
    await sig.stop();
    await none.stop();
    httpNote = engineName;
  } catch (e) {
    httpNote = `skipped: ${(e as Error).message}`;
  }

  // --- report ---------------------------------------------------------------------------------
  const f = (x: number, d = 1) => x.toFixed(d);
  const ratio = (x: number, base: number) => `${f(x / base, 2)}×`;
  console.log('auth placement benchmark — signature auth (docs/protocol.md §5.1)');
  console.log(`node ${process.version}, ${ROUNDS} rounds, ${HTTP_ROUNDS} HTTP rounds, cold = median of ${COLD_PROCESSES} fresh processes`);
  console.log('');
  console.log('MEASURED in this run');
  console.log(`  A  verify in-process, warm                          ${fmt(usOf('verify'))} µs/verification`);
  console.log(
    `  A  verify in-process, cold start (fresh process)     first verify ${f(cold.firstMs, 2)} ms (parses the key), second ${f(cold.secondMs, 2)} ms`,
  );
  console.log(`  B  REQUEST authorizer handler, warm (JSON in/out)    ${fmt(usOf('authorizer'))} µs/invocation`);
  console.log(`  C  loopback HTTP hop to that authorizer (lower bound) p50 ${f(median(hopMs), 3)} ms  p99 ${f(p99(hopMs), 3)} ms`);
  console.log(`  baseline: getObject handler (200, 2 KB), stub store, user from context      ${fmt(usOf('handlerCtx'))} µs/invocation`);
  console.log(
    `            getObject handler (200, 2 KB), stub store, signature in handler   ${fmt(usOf('handlerSig'))} µs/invocation  (${ratio(handlerSigUs, handlerCtxUs)} baseline)`,
  );
  if (httpNone && httpSig) {
    console.log(`  baseline: getObject over the local server (${httpNote}), auth none       p50 ${f(median(httpNone), 3)} ms`);
    console.log(
      `            getObject over the local server (${httpNote}), auth signature  p50 ${f(median(httpSig), 3)} ms  (${ratio(median(httpSig), median(httpNone))} baseline)`,
    );
  } else {
    console.log(`  baseline over HTTP ${httpNote}`);
  }
  console.log(
    `  ratios: verification / handler invocation = ${ratio(verifyUs, handlerCtxUs)}; loopback hop / verification = ${ratio(median(hopMs) * 1000, verifyUs)}`,
  );
  console.log('');
  console.log('MODEL per 1,000,000 VSS requests (signature headers are fresh per request, so an authorizer cache cannot hit;');
  console.log('the verification itself costs the same wherever it runs — an authorizer can only add to it)');
  const verifyMs = verifyUs / 1000;
  const hopLowMs = median(hopMs);
  console.log(`  in handler          invocations 1,000,000 (VSS handler only)`);
  console.log(
    `                      auth latency per request ${f(verifyMs, 2)} ms (measured); CPU ${f(verifyUs)} s per 1M requests, billed inside the VSS handler`,
  );
  const billedMs = Math.max(1, Math.ceil(authorizerUs / 1000));
  const authCost = PRICE_PER_MILLION_REQUESTS + (billedMs / 1000) * AUTHORIZER_MEMORY_GB * 1e6 * PRICE_PER_GB_SECOND;
  console.log(`  REQUEST authorizer  invocations 2,000,000 (+1,000,000 authorizer invocations, each ≥ ${billedMs} ms billed)`);
  console.log(
    `                      auth latency per request ${f(verifyMs + hopLowMs, 2)} ms lower bound (measured verify + measured loopback hop)`,
  );
  console.log(
    `                                               ${f(verifyMs + ASSUMED_INVOKE_MS, 2)} ms with the ASSUMED ${f(ASSUMED_INVOKE_MS)} ms API Gateway→Lambda invoke, + ${f(ASSUMED_COLD_MS)} ms on authorizer cold starts (ASSUMED)`,
  );
  console.log(
    `                      added cost ≈ $${f(authCost, 2)} per 1M requests (list price arm64 $${PRICE_PER_MILLION_REQUESTS}/1M requests + $${PRICE_PER_GB_SECOND}/GB-s at ${AUTHORIZER_MEMORY_GB * 1024} MB)`,
  );
  console.log(
    `  ratio authorizer / in handler: invocations 2.00×; auth latency ≥ ${f((verifyMs + hopLowMs) / verifyMs, 2)}× (measured lower bound), ≈ ${f((verifyMs + ASSUMED_INVOKE_MS) / verifyMs, 1)}× (assumed invoke)`,
  );
  console.log('');
  console.log('Rejections cost one invocation either way (the authorizer, or the handler before any DynamoDB call).');
}

await main();
