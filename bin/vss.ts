#!/usr/bin/env node
/**
 * The CDK app: `cdk synth` / `cdk deploy`. Reads the `vss` context object (cdk.json,
 * cdk.context.json or `-c vss='{"authMode":"jwt",...}'`) and VSS_ACCOUNT / VSS_REGION /
 * VSS_AUTH_MODE from the environment, validates them (bin/config.ts) and fails synth with a clear
 * message on bad config — never a stack trace. cdk-nag's AwsSolutions and Serverless packs run on
 * every synth: an unacknowledged finding fails it.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { VssStack } from '../lib/vss-stack.js';
import { parseConfig, stackEnv, toServiceProps } from './config.js';

try {
  const app = new App();
  const config = parseConfig(app.node.tryGetContext('vss'), process.env);
  const env = stackEnv(config);
  new VssStack(app, config.stackName, {
    ...(env ? { env } : {}),
    description: `Versioned Storage Service for Lightning wallets (auth: ${config.authMode})`,
    service: (scope) => toServiceProps(scope, config),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  app.synth();
} catch (e) {
  // A configuration error is the user's to fix and says how; anything else is reported by its
  // message alone (the CDK's own errors say what is wrong), with VSS_DEBUG=1 for the trace.
  console.error(e instanceof Error ? (process.env['VSS_DEBUG'] ? (e.stack ?? e.message) : e.message) : String(e));
  process.exit(1);
}
