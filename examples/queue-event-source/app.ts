#!/usr/bin/env node
/** CDK app of the queue-event-source example (`cdk.json`: `node --import tsx app.ts`). */
import { cliEnvironment, synthExampleApp } from '../../lib/app-entry.js';
import { QueueEventSourceStack } from './queue-event-source-stack.js';

synthExampleApp((app) => {
  new QueueEventSourceStack(app, 'QueueEventSourceStack', {
    ...cliEnvironment(),
    description: 'The Destined Lambda example: an SQS queue feeding a Lambda with partial batch responses and a dead-letter queue',
  });
});
