#!/usr/bin/env node
/**
 * The function-url example (`cdk.json`: `node --import tsx app.ts`): a public
 * function URL with CORS and an IAM-authenticated one, checked by cdk-nag.
 * Context: `-c allowedOrigin=https://app.example.com`.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FunctionUrlStack } from './function-url-stack.js';

try {
  const app = new App({ analyticsReporting: false });
  const allowedOrigin: unknown = app.node.tryGetContext('allowedOrigin');
  if (allowedOrigin !== undefined && (typeof allowedOrigin !== 'string' || allowedOrigin === '')) {
    throw new Error(`Context value allowedOrigin must be a non-empty origin such as https://app.example.com, got ${JSON.stringify(allowedOrigin)}`);
  }
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  new FunctionUrlStack(app, 'FunctionUrlExample', {
    ...(typeof allowedOrigin === 'string' ? { allowedOrigins: [allowedOrigin] } : {}),
    ...(account || region ? { env: { account, region } } : {}),
    description: 'The Destined Lambda examples: Lambda function URLs (public with CORS, and AWS_IAM)',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
} catch (error) {
  console.error(`Error: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
