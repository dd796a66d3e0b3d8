#!/usr/bin/env node
/** CDK app of the queue-event-source example (`cdk.json`: `node --import tsx app.ts`). */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { QueueEventSourceStack } from './queue-event-source-stack.js';

const app = new App({ analyticsReporting: false });
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
new QueueEventSourceStack(app, 'QueueEventSourceStack', {
  ...(account || region ? { env: { account, region } } : {}),
  description: 'The Destined Lambda example: an SQS queue feeding a Lambda with partial batch responses and a dead-letter queue',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
