#!/usr/bin/env node
/**
 * The `function-destination` example (`cdk.json`: `node --import tsx app.ts`):
 * a function whose on-success destination is another function, with and
 * without `responseOnly`.
 */
import { cliEnvironment, synthExampleApp } from '../../lib/app-entry.js';
import { FunctionDestinationStack } from './lib/function-destination-stack.js';

synthExampleApp((app) => {
  new FunctionDestinationStack(app, 'FunctionDestinationExample', {
    ...cliEnvironment(),
    description: 'The Destined Lambda example: a function destination to a function, with and without responseOnly',
  });
});
