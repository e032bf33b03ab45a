/**
 * Assembles a complete local VSS: a DynamoDB-compatible engine (embedded, or any endpoint), the
 * table, the request path the deployed handlers use (built by the same composition root,
 * lambda/request-path/compose.ts), and the HTTP server in front of it.
 */
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDbStoreOptions } from '../lambda/store/dynamodb-store.js';
import { SWEEP_RETRY, sweepChunkSets } from '../lambda/store/chunk-sweeper.js';
import { TableClient } from '../lambda/store/table-client.js';
import { dynamoDbClient, isLoopback } from '../lambda/store/client-settings.js';
import type { ProviderDeps, ProviderSettings } from '../lambda/provider/provider.js';
import { logLineOf } from '../lambda/provider/events.js';
import { composeRequestPath } from '../lambda/request-path/compose.js';
import { observeOutcome, observeProviderEvent } from '../lambda/request-path/observability.js';
import type { RequestOutcome } from '../lambda/request-path/request-path.js';
import { createLocalAuth, type LocalAuth, type LocalAuthMode, type LocalAuthOptions } from './auth.js';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';
import { dynoxideBinary, localClient, prepareDataDir, type EngineName } from './engines.js';
import {
  startLocalServer,
  type ExtraRoute,
  type HealthReport,
  type RequestLogEntry,
  type RunningServer,
  type ServerTimeouts,
} from './server.js';
import { superviseEngine, type SupervisedEngine } from './supervisor.js';
import { DEFAULT_BUCKET, localS3Client, OBJECT_STORE_DIR, startEmbeddedObjectStore, type EmbeddedObjectStore } from './object-store.js';
import type { S3Client } from '@aws-sdk/client-s3';
import { s3Client } from '../lambda/store/s3-client-settings.js';
import { S3ObjectStore, type S3ObjectStoreOptions } from '../lambda/store/s3-object-store.js';
import { objectPlacement, retentionMsOf } from '../lambda/store/object-tier.js';
import { admitReadWithinRequest } from './memory-budget.js';
import { LARGE_VALUES } from '../lambda/contract.js';
import { join } from 'node:path';
import { ensureTable } from './table.js';

export interface LocalVssOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. @default 8080 */
  readonly port?: number;
  /** Embedded engine to start when no endpoint is given. @default dynoxide where it has a binary, else dynamodb-local */
  readonly engine?: EngineName;
  /** Where the embedded engine keeps its data; in-memory when absent. @default in-memory */
  readonly dataDir?: string;
  /** Use this DynamoDB-compatible endpoint instead of an embedded engine (real AWS included). @default none */
  readonly dynamodbEndpoint?: string;
  /** A ready client to use instead (tests). @default none */
  readonly client?: DynamoDBClient;
  /** @default 'vss' */
  readonly tableName?: string;
  /** Create the table when it is missing. @default true for embedded engines and loopback endpoints */
  readonly createTable?: boolean;
  /** @default 'none' */
  readonly auth?: LocalAuthMode;
  /** Settings of the auth mode (keys, issuer, clock); the data dir is passed on. @default none */
  readonly authOptions?: Omit<LocalAuthOptions, 'mode'>;
  /** Extra store options (observers, retry policy) for tests and benchmarks. @default none */
  readonly store?: Partial<Omit<DynamoDbStoreOptions, 'client' | 'tableName'>>;
  /** @default none */
  readonly extraRoutes?: readonly ExtraRoute[];
  /** The largest request body. @default MAX_REQUEST_BODY_BYTES (the Lambda door's); `vss serve` passes 64 MiB */
  readonly maxBodyBytes?: number;
  /** The most request body and large-read bytes held at once; beyond it 503 (memory-budget.ts). @default no bound */
  readonly maxInFlightBytes?: number;
  /** Header, idle and keep-alive timeouts. @default SERVER_TIMEOUT_DEFAULTS (local/server.ts) */
  readonly timeouts?: Partial<ServerTimeouts>;
  /** How long `stop()` lets requests in flight finish. @default 30 s */
  readonly drainMs?: number;
  /**
   * `lambda`: every answered request and provider event is logged and counted exactly as the Lambda
   * door does (Powertools JSON lines and EMF metrics on stdout), for the container door.
   * @default 'local' (requestLog, if given)
   */
  readonly logFormat?: 'local' | 'lambda';
  /** Per-user usage, quotas and rate limits (docs/provider.md). @default all off */
  readonly provider?: ProviderSettings;
  /** Observers of the provider features and of the enrollment allowlist's reads (tests, benchmarks). @default near-quota and refusals logged to stderr */
  readonly providerObservers?: Pick<ProviderDeps, 'onEvent' | 'onRequest'>;
  /** How often to sweep leftovers of crashed large-value writes; 0 disables. @default 10 minutes */
  readonly sweepIntervalMs?: number;
  /** Receives one entry per request (the CLI prints them as JSON lines unless --quiet). @default none */
  readonly requestLog?: (entry: RequestLogEntry) => void;
  /** Operational messages: engine deaths and restarts, faults behind 500s. @default console.error */
  readonly log?: (line: string) => void;
  /** The embedded engine died and could not be restarted; the server cannot serve. @default log it */
  readonly onFatal?: (e: Error) => void;
  /** Waits before each engine restart attempt. @default see supervisor.ts */
  readonly engineRestartDelaysMs?: readonly number[];
  /**
   * Use this S3-compatible endpoint (real S3, MinIO) for large values instead of the embedded
   * store, which otherwise starts whatever `dynamodbEndpoint` says. @default the embedded store
   */
  readonly s3Endpoint?: string;
  /** The value bucket. @default DEFAULT_BUCKET */
  readonly s3Bucket?: string;
  /** A ready S3 client to use instead (tests); `s3Bucket` names its bucket. @default none */
  readonly s3Client?: S3Client;
  /** Values whose table item would be larger go to the object store. @default LARGE_VALUES.defaultInlineMaxBytes */
  readonly inlineMaxBytes?: number;
  /** Days a replaced or deleted value object is kept. @default LARGE_VALUES.defaultRetentionDays */
  readonly retentionDays?: number;
  /** Observers and timeouts of the object store's requests (tests, benchmarks). @default none */
  readonly objectStoreOptions?: Pick<S3ObjectStoreOptions, 'onRequest' | 'onRetry' | 'transferTimeoutMs' | 'retry'>;
}

/** Where large values live: the endpoint and bucket `npm start` prints. */
export interface ObjectStoreInfo {
  readonly endpoint: string;
  readonly bucket: string;
  /** Set when this server started the embedded store. */
  readonly embedded?: EmbeddedObjectStore;
}

export interface LocalVss {
  readonly url: string;
  readonly tableName: string;
  readonly client: DynamoDBClient;
  readonly engine?: SupervisedEngine;
  readonly objectStore: ObjectStoreInfo;
  readonly s3Client: S3Client;
  readonly server: RunningServer;
  stop(): Promise<void>;
}

export function defaultEngine(): EngineName {
  return dynoxideBinary() ? 'dynoxide' : 'dynamodb-local';
}

export async function startLocalVss(options: LocalVssOptions = {}): Promise<LocalVss> {
  const tableName = options.tableName ?? 'vss';
  const log = options.log ?? ((line: string) => console.error(line));
  let engine: SupervisedEngine | undefined;
  let lock: DataDirLock | undefined;
  let client: DynamoDBClient;
  let ownsClient = true;
  const embeddedEngine = !options.client && !options.dynamodbEndpoint;
  const embeddedObjects = !options.s3Client && !options.s3Endpoint;
  // The data directory holds the embedded engine's data and the embedded object store's: one
  // server at a time (a test's injected client keeps its objects in a temporary directory).
  if (options.dataDir && (embeddedEngine || (embeddedObjects && !options.client))) {
    prepareDataDir(options.dataDir, true);
    lock = await acquireDataDirLock(options.dataDir);
  }
  // Auth before any engine or object store starts: a setting it refuses (jwt without a key) is
  // refused at once, leaving nothing behind in the data directory.
  let auth: LocalAuth;
  try {
    auth = await createLocalAuth({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...options.authOptions,
      mode: options.auth ?? 'none',
    });
  } catch (e) {
    lock?.release();
    throw e;
  }
  if (options.client) {
    client = options.client;
    ownsClient = false;
  } else if (options.dynamodbEndpoint) {
    client = dynamoDbClient({ endpoint: options.dynamodbEndpoint });
  } else {
    try {
      engine = await superviseEngine(options.engine ?? defaultEngine(), {
        ...(options.dataDir ? { dataDir: options.dataDir } : {}),
        ...(options.engineRestartDelaysMs ? { restartDelaysMs: options.engineRestartDelaysMs } : {}),
        // An in-memory engine comes back empty: give it its table again.
        afterRestart: (e) => ensureTable(localClient(e.endpoint), tableName),
        onStarted: (e) => lock?.setEnginePid(e.pid),
        log,
        onFatal: options.onFatal ?? ((e) => log(`vss: ${e.message}`)),
      });
    } catch (e) {
      lock?.release();
      throw e;
    }
    client = localClient(engine.endpoint);
  }
  let objects: { info: ObjectStoreInfo; client: S3Client; owned: boolean } | undefined;
  try {
    objects = await openObjectStore(options, lock !== undefined);
    const createTable =
      options.createTable ?? (engine !== undefined || options.client !== undefined || isLoopback(options.dynamodbEndpoint ?? ''));
    if (createTable) await ensureTable(client, tableName);

    // Large values: in the value bucket (docs/large-values.md), through the one composition root.
    const valueObjects = new S3ObjectStore({ client: objects.client, bucket: objects.info.bucket, ...options.objectStoreOptions });
    const retentionMs = retentionMsOf(options.retentionDays);
    const valueStore: Partial<DynamoDbStoreOptions> = {
      inlineMaxBytes: options.inlineMaxBytes ?? LARGE_VALUES.defaultInlineMaxBytes,
      // Under a memory bound, a large read is held against the request like a body (memory-budget.ts).
      placement: objectPlacement(valueObjects, {
        retentionMs,
        ...(options.maxInFlightBytes !== undefined ? { admitRead: admitReadWithinRequest } : {}),
      }),
      ...options.store,
    };
    const onProviderEvent =
      options.providerObservers?.onEvent ??
      ((e: Parameters<NonNullable<ProviderDeps['onEvent']>>[0]) => {
        const line = logLineOf(e);
        if (line) log(line);
      });
    const lambdaLogs = options.logFormat === 'lambda';
    const path = composeRequestPath({
      client,
      tableName,
      auth: auth.settings,
      ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
      ...(options.provider ? { provider: options.provider } : {}),
      store: valueStore,
      observers: {
        // The Lambda door's observers log faults themselves (with the stack, as deployed).
        onOutcome: lambdaLogs ? observeOutcome : (o, request) => logFault(log, o, request.requestId),
        onProviderEvent: lambdaLogs ? observeProviderEvent : onProviderEvent,
        ...(options.providerObservers?.onRequest ? { onProviderRequest: options.providerObservers.onRequest } : {}),
      },
    });
    // An embedded engine or one on this machine is part of this server: /health asks it. A remote
    // endpoint (DynamoDB itself, behind the container door's load balancer) is not: a DynamoDB blip
    // must not fail every task's health check at once and have them all replaced.
    const checksEngine = engine !== undefined || options.client !== undefined || isLoopback(options.dynamodbEndpoint ?? '');
    const server = await startLocalServer({
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 8080,
      path,
      extraRoutes: [...auth.extraRoutes, ...(options.extraRoutes ?? [])],
      ...(options.requestLog ? { requestLog: options.requestLog } : {}),
      ...(options.maxInFlightBytes !== undefined ? { maxInFlightBytes: options.maxInFlightBytes } : {}),
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
      onFault: (e) => log(`vss: request failed: ${describeFault(e)}`),
      health: checksEngine
        ? () => engineHealth(client, tableName)
        : async () => ({ healthy: true, detail: 'not checked (remote endpoint)' }),
    });
    // The deployed stack runs the sweeper on a schedule; locally it runs in-process.
    const sweepEvery = options.sweepIntervalMs ?? 10 * 60 * 1000;
    const sweepTable = new TableClient({ client, tableName, retry: SWEEP_RETRY });
    const sweeper =
      sweepEvery > 0
        ? setInterval(() => {
            sweepChunkSets(sweepTable, { objects: valueObjects, retentionMs }).catch((e: unknown) =>
              log(`vss: chunk sweep failed: ${describeFault(e)}`),
            );
          }, sweepEvery).unref()
        : undefined;
    return {
      url: server.url,
      tableName,
      client,
      server,
      ...(engine ? { engine } : {}),
      objectStore: objects.info,
      s3Client: objects.client,
      stop: async () => {
        if (sweeper) clearInterval(sweeper);
        await server.close(options.drainMs);
        if (ownsClient) client.destroy();
        await closeObjectStore(objects);
        await engine?.stop();
        lock?.release();
      },
    };
  } catch (e) {
    if (ownsClient) client.destroy();
    await closeObjectStore(objects);
    await engine?.stop();
    lock?.release();
    throw e;
  }
}

/**
 * The object store of large values: the one named by `s3Endpoint`, else the embedded one, kept
 * under the data directory when there is one (a temporary directory otherwise).
 */
async function openObjectStore(
  options: LocalVssOptions,
  persistent: boolean,
): Promise<{ info: ObjectStoreInfo; client: S3Client; owned: boolean }> {
  const bucket = options.s3Bucket ?? DEFAULT_BUCKET;
  if (options.s3Client)
    return { info: { endpoint: options.s3Endpoint ?? '(injected client)', bucket }, client: options.s3Client, owned: false };
  if (options.s3Endpoint)
    return { info: { endpoint: options.s3Endpoint, bucket }, client: s3Client({ endpoint: options.s3Endpoint }), owned: true };
  const embedded = await startEmbeddedObjectStore({
    bucket,
    ...(persistent && options.dataDir ? { directory: join(options.dataDir, OBJECT_STORE_DIR) } : {}),
  });
  return { info: { endpoint: embedded.endpoint, bucket, embedded }, client: localS3Client(embedded.endpoint), owned: true };
}

async function closeObjectStore(objects: { info: ObjectStoreInfo; client: S3Client; owned: boolean } | undefined): Promise<void> {
  if (!objects?.owned) return;
  objects.client.destroy();
  await objects.info.embedded?.stop();
}

/** GET /health: the engine (or endpoint) answers for the table. */
async function engineHealth(client: DynamoDBClient, tableName: string): Promise<HealthReport> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return { healthy: true, detail: 'reachable' };
  } catch (e) {
    return { healthy: false, detail: `unreachable: ${(e as Error).name}` };
  }
}

/** The cause behind a 500, in one line: name and message, the stack only for our own bugs. */
function logFault(log: (line: string) => void, outcome: RequestOutcome, requestId: string | undefined): void {
  if (outcome.status < 500 || outcome.fault === undefined) return;
  log(`vss: request ${requestId ?? ''} (${outcome.operation}) answered ${outcome.status}: ${describeFault(outcome.fault)}`);
}

function describeFault(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const fromEngine = (e as { $metadata?: unknown }).$metadata !== undefined || /Timeout|ECONN|EPIPE|socket/i.test(`${e.name} ${e.message}`);
  return fromEngine ? `${e.name}: ${e.message}` : (e.stack ?? `${e.name}: ${e.message}`);
}
