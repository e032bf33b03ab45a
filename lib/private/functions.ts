/**
 * Functions and bundling: one Lambda function per handler, each with its own role (no managed
 * policy), log group and `live` alias (what API Gateway and EventBridge invoke). The factory holds
 * only settings; every function it makes is returned to the caller, never remembered.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetStaging, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { DEFAULT_METRICS_NAMESPACE, ENV, LAZY_VALUE_BUCKET_MODULE, METRICS_SERVICE_NAME } from '../../lambda/contract.js';
import type { VssFunction, VssFunctionName, VssFunctionOptions } from '../functions.js';
import { LOG_ACTIONS } from './permissions.js';

/**
 * Root of the package: handler entries and the lockfile are resolved from here, not from the cwd.
 * Two levels up from lib/private/ (and from dist/lib/private/ in the built package, whose root
 * holds lambda/ and package-lock.json as well: see docs/construct.md).
 */
export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/dist\/$/, '');

/**
 * The lockfile esbuild resolves dependency versions from: this repository's, or — when the built
 * package is installed in another app, which npm ships without a lockfile — the app's own, found
 * by the CDK from the working directory.
 */
const LOCK_FILE = existsSync(path.join(PROJECT_ROOT, 'package-lock.json')) ? path.join(PROJECT_ROOT, 'package-lock.json') : undefined;

/** Handler entry of each function (each file exports `handler`). */
export const HANDLER_ENTRIES: Readonly<Record<VssFunctionName, string>> = {
  getObject: 'lambda/handlers/getObject.ts',
  putObjects: 'lambda/handlers/putObjects.ts',
  deleteObject: 'lambda/handlers/deleteObject.ts',
  listKeyVersions: 'lambda/handlers/listKeyVersions.ts',
  jwtAuthorizer: 'lambda/handlers/jwtAuthorizer.ts',
  lnurlAuth: 'lambda/handlers/lnurlAuth.ts',
  sweepChunks: 'lambda/handlers/sweepChunks.ts',
  restoreDrill: 'lambda/handlers/restoreDrill.ts',
};

/** The names of every function, in a stable order. */
export const FUNCTION_NAMES = Object.keys(HANDLER_ENTRIES) as VssFunctionName[];

/** ESM bundles that contain CommonJS dependencies (protobufjs/minimal, long) need `require`. */
export const ESM_REQUIRE_SHIM = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** The current Node.js LTS runtime on Lambda. */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** Packages that the bundles replace with the small stand-ins of lambda/bundle-aliases/. */
const BUNDLE_ALIASES = ['@aws-sdk/credential-provider-node', 'long', '@smithy/core/event-streams'] as const;

/** esbuild arguments every bundle shares: index.mjs and the lazily loaded value-bucket module. */
const SHARED_ESBUILD = {
  mainFields: ['module', 'main'],
  aliases: BUNDLE_ALIASES.map((pkg) => `${pkg}=${path.join(PROJECT_ROOT, 'lambda/bundle-aliases', `${pkg.split('/').pop()}.ts`)}`),
} as const;

/** How index.mjs names the value-bucket module: a file beside it. */
const VALUE_BUCKET_IMPORT = `./${LAZY_VALUE_BUCKET_MODULE.file}`;

/** A word for a POSIX shell, quoted. */
function shellWord(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Builds the value-bucket module (LAZY_VALUE_BUCKET_MODULE, the S3 client of the object tier) into
 * a file of its own beside index.mjs, with index.mjs's settings, when index.mjs imports it (the
 * authorizers never do). esbuild's code splitting cannot run under NodejsFunction, which writes
 * one --outfile, so this is a second esbuild run after the CDK's; it uses the esbuild the CDK
 * uses: the project's (`npx --no-install esbuild`) when bundling locally, the image's in Docker.
 */
export function valueBucketModuleCommands(inputDir: string, outputDir: string): string[] {
  const docker = inputDir === AssetStaging.BUNDLING_INPUT_DIR;
  const entry = docker
    ? path.posix.join(inputDir, LAZY_VALUE_BUCKET_MODULE.entry)
    : path.join(PROJECT_ROOT, LAZY_VALUE_BUCKET_MODULE.entry);
  const args = [
    '--bundle',
    entry,
    `--target=node${/\d+/.exec(LAMBDA_RUNTIME.name)![0]}`,
    '--platform=node',
    '--format=esm',
    `--outfile=${path.join(outputDir, LAZY_VALUE_BUCKET_MODULE.file)}`,
    '--minify',
    '--sourcemap',
    '--sources-content=false',
    '--log-level=warning',
    `--banner:js=${ESM_REQUIRE_SHIM}`,
    `--main-fields=${SHARED_ESBUILD.mainFields.join(',')}`,
    ...SHARED_ESBUILD.aliases.map((a) => `--alias:${a}`),
  ];
  const esbuild = docker ? 'esbuild' : 'npx --no-install esbuild';
  const index = shellWord(path.join(outputDir, 'index.mjs'));
  return [`if grep -qF ${shellWord(VALUE_BUCKET_IMPORT)} ${index}; then ${esbuild} ${args.map(shellWord).join(' ')}; fi`];
}

/**
 * esbuild settings of every function: ESM, minified, source maps, AWS SDK bundled (tree-shaken
 * via the `module` entry points) so the code that runs is the code that was tested. The S3 client
 * is not in index.mjs: it is loaded from a file of its own when a large value is first touched
 * (valueBucketModuleCommands).
 */
export const BUNDLING: nodejs.BundlingOptions = {
  format: nodejs.OutputFormat.ESM,
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  bundleAwsSDK: true,
  // Not bundled into index.mjs: imported from beside it, on first use.
  externalModules: [VALUE_BUCKET_IMPORT],
  define: { [LAZY_VALUE_BUCKET_MODULE.constant]: JSON.stringify(VALUE_BUCKET_IMPORT) },
  mainFields: [...SHARED_ESBUILD.mainFields],
  banner: ESM_REQUIRE_SHIM,
  forceDockerBundling: false,
  logLevel: nodejs.LogLevel.WARNING,
  // Packages a function never runs, replaced by stand-ins (lambda/bundle-aliases/README.md).
  esbuildArgs: { '--alias': [...SHARED_ESBUILD.aliases] },
  commandHooks: {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: valueBucketModuleCommands,
  },
};

/** Memory when neither the defaults nor the function's options set it: large bodies need more. */
export const DEFAULT_MEMORY: Readonly<Record<VssFunctionName, number>> = {
  getObject: 512,
  putObjects: 1024,
  deleteObject: 512,
  listKeyVersions: 512,
  jwtAuthorizer: 512,
  lnurlAuth: 512,
  sweepChunks: 512,
  restoreDrill: 1024,
};

/** Construct IDs of the functions (stable: they name the log groups, roles and alarms). */
export const FUNCTION_IDS: Readonly<Record<VssFunctionName, string>> = {
  getObject: 'GetObject',
  putObjects: 'PutObjects',
  deleteObject: 'DeleteObject',
  listKeyVersions: 'ListKeyVersions',
  jwtAuthorizer: 'JwtAuthorizer',
  lnurlAuth: 'LnurlAuth',
  sweepChunks: 'SweepChunks',
  restoreDrill: 'RestoreDrill',
};

/** Timeout when nothing sets one: clients give up after 10 s. */
export const DEFAULT_TIMEOUT = Duration.seconds(10);

export interface FunctionFactorySettings {
  readonly functionDefaults?: VssFunctionOptions | undefined;
  readonly functions?: Partial<Record<VssFunctionName, VssFunctionOptions>> | undefined;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
  readonly metricsNamespace?: string | undefined;
}

/** What a function's own code needs beyond the settings: its environment and built-in defaults. */
export interface FunctionSpec {
  readonly name: VssFunctionName;
  readonly environment: Readonly<Record<string, string>>;
  /** Defaults of this function that the operator's options override (e.g. the sweeper's timeout). */
  readonly defaults?: Pick<VssFunctionOptions, 'timeout' | 'reservedConcurrency'>;
}

/** The operator's options for one function, after defaults are merged (what the validator checks too). */
export function effectiveFunctionOptions(
  settings: Pick<FunctionFactorySettings, 'functionDefaults' | 'functions'>,
  spec: Pick<FunctionSpec, 'name' | 'defaults'>,
): VssFunctionOptions {
  return { ...spec.defaults, ...settings.functionDefaults, ...settings.functions?.[spec.name] };
}

export class FunctionFactory {
  constructor(
    private readonly scope: Construct,
    private readonly settings: FunctionFactorySettings,
  ) {}

  create(spec: FunctionSpec): VssFunction {
    const { scope, settings } = this;
    const { name } = spec;
    const id = FUNCTION_IDS[name];
    const options = effectiveFunctionOptions(settings, spec);
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: settings.logRetention, removalPolicy: settings.logRemovalPolicy });
    // An explicit role per function: no AWS managed policy, only its own log group.
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `VSS ${name} function`,
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: [...LOG_ACTIONS], resources: [logGroup.logGroupArn] }));
    const fn = new nodejs.NodejsFunction(scope, `${id}Function`, {
      entry: path.join(PROJECT_ROOT, HANDLER_ENTRIES[name]),
      handler: 'handler',
      ...(LOCK_FILE ? { projectRoot: PROJECT_ROOT } : {}),
      ...(LOCK_FILE ? { depsLockFilePath: LOCK_FILE } : {}),
      runtime: LAMBDA_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: options.memorySize ?? DEFAULT_MEMORY[name],
      timeout: options.timeout ?? DEFAULT_TIMEOUT,
      ...(options.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: options.reservedConcurrency } : {}),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      role,
      description: `VSS ${name}`,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        [ENV.serviceName]: METRICS_SERVICE_NAME,
        [ENV.metricsNamespace]: settings.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...spec.environment,
      },
      bundling: BUNDLING,
    });
    const alias = new lambda.Alias(scope, `${id}Live`, {
      aliasName: 'live',
      version: fn.currentVersion,
      ...(options.provisionedConcurrency !== undefined ? { provisionedConcurrentExecutions: options.provisionedConcurrency } : {}),
    });
    return { function: fn, alias, logGroup, role };
  }
}
