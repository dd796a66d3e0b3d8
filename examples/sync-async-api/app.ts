#!/usr/bin/env node
/**
 * The sync-async-api example (`cdk.json`: `node --import tsx app.ts`).
 * Context: `-c retryAttempts=0..2`.
 */
import { numericContext } from '../../lib/app.js';
import { cliEnvironment, synthExampleApp } from '../../lib/app-entry.js';
import { acknowledgeNagFindings } from './nag-acknowledgements.js';
import { SyncAsyncApiStack } from './sync-async-api-stack.js';

synthExampleApp((app) => {
  const retryAttempts = numericContext(app, 'retryAttempts');
  const stack = new SyncAsyncApiStack(app, 'SyncAsyncApiStack', {
    ...(retryAttempts === undefined ? {} : { retryAttempts }),
    ...cliEnvironment(),
    description: 'The Destined Lambda example: a REST API calling a Lambda synchronously or asynchronously, with SQS destinations',
  });
  acknowledgeNagFindings(stack);
});
