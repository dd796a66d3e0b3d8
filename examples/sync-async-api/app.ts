#!/usr/bin/env node
/**
 * The sync-async-api example (`cdk.json`: `node --import tsx app.ts`).
 * Context: `-c retryAttempts=0..2`.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { acknowledgeNagFindings } from './nag-acknowledgements.js';
import { SyncAsyncApiStack } from './sync-async-api-stack.js';

try {
  // No AWS::CDK::Metadata resource: it only reports usage.
  const app = new App({ analyticsReporting: false });
  const rawRetries: unknown = app.node.tryGetContext('retryAttempts');
  const retryAttempts = rawRetries === undefined ? undefined : Number(rawRetries);
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  const stack = new SyncAsyncApiStack(app, 'SyncAsyncApiStack', {
    ...(retryAttempts === undefined ? {} : { retryAttempts }),
    ...(account || region ? { env: { account, region } } : {}),
    description: 'The Destined Lambda example: a REST API calling a Lambda synchronously or asynchronously, with SQS destinations',
  });
  acknowledgeNagFindings(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
} catch (error) {
  // A bad prop or context value is a user error: print the message, not a stack trace.
  console.error(`Error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
