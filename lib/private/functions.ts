/**
 * Functions and bundling: one Lambda function per handler, each with its own role (no managed
 * policy), log group and `live` alias (what API Gateway and EventBridge invoke). The factory holds
 * only settings; every function it makes is returned to the caller, never remembered.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { DEFAULT_METRICS_NAMESPACE, ENV, METRICS_SERVICE_NAME } from '../../lambda/contract.js';
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

/**
 * esbuild settings of every function: ESM, minified, source maps, AWS SDK bundled (tree-shaken
 * via the `module` entry points) so the code that runs is the code that was tested.
 */
export const BUNDLING: nodejs.BundlingOptions = {
  format: nodejs.OutputFormat.ESM,
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  bundleAwsSDK: true,
  externalModules: [],
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_SHIM,
  forceDockerBundling: false,
  logLevel: nodejs.LogLevel.WARNING,
  // Packages a function never runs, replaced by stand-ins (lambda/bundle-aliases/README.md).
  esbuildArgs: {
    '--alias': BUNDLE_ALIASES.map((pkg) => `${pkg}=${path.join(PROJECT_ROOT, 'lambda/bundle-aliases', `${pkg.split('/').pop()}.ts`)}`),
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
