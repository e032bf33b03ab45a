/**
 * `npm start`: a local VSS at http://127.0.0.1:8080/vss on a persistent embedded engine.
 * Every flag has an environment equivalent; flags win. `--help` lists them.
 */
import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { parseAlgorithms } from '../lambda/auth/jwt.js';
import { AUTH_MODES, LNURL_AUTH_PATH, isAuthMode, type LocalAuthOptions } from './auth.js';
import { defaultEngine, startLocalVss } from './app.js';
import { ENGINES, type EngineName } from './engines.js';
import { PROVIDER_HELP, PROVIDER_OPTIONS, providerSettingsFrom } from './provider-options.js';

const HELP = `Usage: npm start -- [options]

  --port N                 port to listen on               (VSS_PORT, default 8080)
  --host HOST              address to bind                 (VSS_HOST, default 127.0.0.1)
  --data-dir DIR           where the embedded engine keeps data (VSS_DATA_DIR, default .data)
  --engine NAME            embedded engine: ${ENGINES.join(' | ')} (VSS_ENGINE, default ${defaultEngine()})
  --dynamodb-endpoint URL  use this DynamoDB-compatible endpoint instead, real AWS included
                           (VSS_DYNAMODB_ENDPOINT; credentials and region from the AWS SDK chain)
  --table NAME             table name                      (VSS_TABLE_NAME, default vss)
  --auth MODE              ${AUTH_MODES.join(' | ')}  (VSS_AUTH, default none)
                             none       everyone is one user; local development only
                             signature  LDK Node main's default: signed Authorization header
                             jwt        RS256 JWTs of your issuer (needs --jwt-public-key)
                             lnurl      serves an LNURL-auth JWT issuer at /lnurl-auth and
                                        accepts its tokens (LDK Node 0.4-0.7, ..._and_lnurl_auth)
  --jwt-public-key PATH    issuer's PEM public key, SPKI or PKCS#1 (VSS_JWT_PUBLIC_KEY_FILE,
                           or the PEM text itself in VSS_JWT_PUBLIC_KEY_PEM)
  --jwt-jwks-url URL       issuer's JWKS instead of a PEM key (VSS_JWT_JWKS_URL)
  --jwt-issuer ISS         required iss claim              (VSS_JWT_ISSUER)
  --jwt-audience AUD       required aud claim; without it a token with aud is refused (VSS_JWT_AUDIENCE)
  --jwt-algorithms LIST    RS256 and/or ES256              (VSS_JWT_ALGORITHMS, default RS256)
  --lnurl-public-url URL   the auth URL wallets use        (VSS_LNURL_PUBLIC_URL,
                           default http://<Host header>/lnurl-auth; use a host name, not an IP:
                           wallets derive the linking key from the domain)
  --lnurl-token-ttl SECS   lifetime of issued JWTs          (VSS_LNURL_TOKEN_TTL_SECONDS, default 86400)
${PROVIDER_HELP}  --help                   this text
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
      'jwt-public-key': { type: 'string' },
      'jwt-jwks-url': { type: 'string' },
      'jwt-issuer': { type: 'string' },
      'jwt-audience': { type: 'string' },
      'jwt-algorithms': { type: 'string' },
      'lnurl-public-url': { type: 'string' },
      'lnurl-token-ttl': { type: 'string' },
      help: { type: 'boolean' },
      ...PROVIDER_OPTIONS,
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

  const authOptions = await authOptionsFrom(values, env);
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
    authOptions,
    provider: providerSettingsFrom(values, env),
  });
  if (auth === 'lnurl') {
    // Before the ready line, which scripts wait for.
    console.log(`LNURL-auth issuer at ${authOptions.lnurlPublicUrl ?? vss.url.replace(/\/vss$/, '') + LNURL_AUTH_PATH}`);
  }
  // The admin commands (`vss admin … --dynamodb-endpoint`) work on the embedded engine too.
  if (vss.engine) console.log(`DynamoDB engine at ${vss.engine.endpoint}, table ${vss.tableName}`);
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

/** Auth settings from flags and environment (flags win). */
async function authOptionsFrom(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): Promise<Omit<LocalAuthOptions, 'mode'>> {
  const str = (flag: string, name: string): string | undefined => {
    const v = values[flag];
    return typeof v === 'string' ? v : env[name] || undefined;
  };
  const keyFile = str('jwt-public-key', 'VSS_JWT_PUBLIC_KEY_FILE');
  const pem = keyFile ? await readFile(keyFile, 'utf8') : env['VSS_JWT_PUBLIC_KEY_PEM'] || undefined;
  const jwks = str('jwt-jwks-url', 'VSS_JWT_JWKS_URL');
  const issuer = str('jwt-issuer', 'VSS_JWT_ISSUER');
  const audience = str('jwt-audience', 'VSS_JWT_AUDIENCE');
  const algorithms = str('jwt-algorithms', 'VSS_JWT_ALGORITHMS');
  const publicUrl = str('lnurl-public-url', 'VSS_LNURL_PUBLIC_URL');
  const ttl = str('lnurl-token-ttl', 'VSS_LNURL_TOKEN_TTL_SECONDS');
  const ttlSeconds = ttl === undefined ? undefined : Number(ttl);
  if (ttlSeconds !== undefined && (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0)) throw new Error(`invalid --lnurl-token-ttl ${ttl}`);
  return {
    ...(pem ? { jwtPublicKeyPem: pem } : {}),
    ...(jwks ? { jwtJwksUrl: jwks } : {}),
    ...(issuer ? { jwtIssuer: issuer } : {}),
    ...(audience ? { jwtAudience: audience } : {}),
    ...(algorithms ? { jwtAlgorithms: parseAlgorithms(algorithms) } : {}),
    ...(publicUrl ? { lnurlPublicUrl: publicUrl } : {}),
    ...(ttlSeconds !== undefined ? { lnurlTokenTtlSeconds: ttlSeconds } : {}),
  };
}

main().catch((e) => {
  console.error(`vss: ${(e as Error).message}`);
  process.exit(1);
});
