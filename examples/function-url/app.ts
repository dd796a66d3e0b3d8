#!/usr/bin/env node
/**
 * The function-url example (`cdk.json`: `node --import tsx app.ts`): a public
 * function URL with CORS and an IAM-authenticated one, checked by cdk-nag.
 * Context: `-c allowedOrigin=https://app.example.com`.
 */
import { cliEnvironment, synthExampleApp } from '../../lib/app-entry.js';
import { FunctionUrlStack } from './function-url-stack.js';

synthExampleApp((app) => {
  const allowedOrigin: unknown = app.node.tryGetContext('allowedOrigin');
  if (allowedOrigin !== undefined && (typeof allowedOrigin !== 'string' || allowedOrigin === '')) {
    throw new Error(`Context value allowedOrigin must be a non-empty origin such as https://app.example.com, got ${JSON.stringify(allowedOrigin)}`);
  }
  new FunctionUrlStack(app, 'FunctionUrlExample', {
    ...(typeof allowedOrigin === 'string' ? { allowedOrigins: [allowedOrigin] } : {}),
    ...cliEnvironment(),
    description: 'The Destined Lambda examples: Lambda function URLs (public with CORS, and AWS_IAM)',
  });
});
