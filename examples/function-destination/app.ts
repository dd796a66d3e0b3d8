#!/usr/bin/env node
/**
 * The `function-destination` example (`cdk.json`: `node --import tsx app.ts`):
 * a function whose on-success destination is another function, with and
 * without `responseOnly`.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FunctionDestinationStack } from './lib/function-destination-stack.js';

try {
  const app = new App({ analyticsReporting: false });
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  new FunctionDestinationStack(app, 'FunctionDestinationExample', {
    ...(account || region ? { env: { account, region } } : {}),
    description: 'The Destined Lambda example: a function destination to a function, with and without responseOnly',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
} catch (error) {
  console.error(`Error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
