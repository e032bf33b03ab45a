/**
 * `npm start`: a local VSS at http://127.0.0.1:8080/vss on a persistent embedded engine.
 * Every flag has an environment equivalent; flags win. `--help` lists them.
 */
import { parseArgs } from 'node:util';
import { AUTH_MODES, isAuthMode } from './auth.js';
import { defaultEngine, startLocalVss } from './app.js';
import { ENGINES, type EngineName } from './engines.js';

const HELP = `Usage: npm start -- [options]

  --port N                 port to listen on               (VSS_PORT, default 8080)
  --host HOST              address to bind                 (VSS_HOST, default 127.0.0.1)
  --data-dir DIR           where the embedded engine keeps data (VSS_DATA_DIR, default .data)
  --engine NAME            embedded engine: ${ENGINES.join(' | ')} (VSS_ENGINE, default ${defaultEngine()})
  --dynamodb-endpoint URL  use this DynamoDB-compatible endpoint instead, real AWS included
                           (VSS_DYNAMODB_ENDPOINT; credentials and region from the AWS SDK chain)
  --table NAME             table name                      (VSS_TABLE_NAME, default vss)
  --auth MODE              ${AUTH_MODES.join(' | ')}                    (VSS_AUTH, default none)
  --help                   this text
`;

async function main(): Promise<void> {
  // The SDK versions are pinned exactly; its notice that future releases will need Node 22 is
  // noise for a local server (it is read when the first client is created, i.e. after this line).
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      engine: { type: 'string' },
      'dynamodb-endpoint': { type: 'string' },
      table: { type: 'string' },
      auth: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const env = process.env;
  const port = Number(values.port ?? env['VSS_PORT'] ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${values.port ?? env['VSS_PORT']}`);
  const engine = (values.engine ?? env['VSS_ENGINE'] ?? defaultEngine()) as EngineName;
  if (!ENGINES.includes(engine)) throw new Error(`invalid --engine ${engine}: use ${ENGINES.join(' or ')}`);
  const auth = values.auth ?? env['VSS_AUTH'] ?? 'none';
  if (!isAuthMode(auth)) throw new Error(`invalid --auth ${auth}: use ${AUTH_MODES.join(', ')}`);
  const endpoint = values['dynamodb-endpoint'] ?? env['VSS_DYNAMODB_ENDPOINT'];

  if (auth === 'none') {
    console.warn('WARNING: --auth none: every request is the same user ("unauth-user"). For local development only.');
  }
  const vss = await startLocalVss({
    host: values.host ?? env['VSS_HOST'] ?? '127.0.0.1',
    port,
    engine,
    dataDir: values['data-dir'] ?? env['VSS_DATA_DIR'] ?? '.data',
    ...(endpoint ? { dynamodbEndpoint: endpoint } : {}),
    tableName: values.table ?? env['VSS_TABLE_NAME'] ?? 'vss',
    auth,
  });
  console.log(`VSS listening on ${vss.url}`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`VSS stopping (${signal})`);
    vss.stop().then(
      () => process.exit(0),
      (e) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e) => {
  console.error(`vss: ${(e as Error).message}`);
  process.exit(1);
});
