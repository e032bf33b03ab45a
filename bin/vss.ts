#!/usr/bin/env node
/**
 * The CDK app: `cdk synth` / `cdk deploy`. Reads the `vss` context object (cdk.json,
 * cdk.context.json or `-c vss='{"authMode":"jwt",...}'`) and VSS_ACCOUNT / VSS_REGION /
 * VSS_AUTH_MODE from the environment, validates them (bin/config.ts) and fails synth with a clear
 * message on bad config. cdk-nag's AwsSolutions and Serverless packs run on every synth: an
 * unacknowledged finding fails it.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { VssStack } from '../lib/vss-stack.js';
import { ConfigError, parseConfig, stackEnv, toServiceProps } from './config.js';

const app = new App();
let config;
try {
  config = parseConfig(app.node.tryGetContext('vss'), process.env);
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}
const env = stackEnv(config);
new VssStack(app, config.stackName, {
  ...(env ? { env } : {}),
  description: `Versioned Storage Service for Lightning wallets (auth: ${config.authMode})`,
  service: (scope) => toServiceProps(scope, config),
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
app.synth();
