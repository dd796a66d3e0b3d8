/**
 * Every operation the runtime's AWS APIs serve maps to the IAM action and
 * resource ARN AWS authorizes it on, so an SDK call inside a function is
 * checked against its role for all of them (iam/edge.ts).
 */
import { describe, expect, it } from 'vitest';
import { createClock } from '../../../local/clock.js';
import { cloudFormationApi } from '../../../local/cloudformation/api.js';
import { eventBridgeApi } from '../../../local/eventbridge/api.js';
import { EventBridgeService } from '../../../local/eventbridge/service.js';
import { matchesPattern } from '../../../local/eventbridge/pattern.js';
import { ArnBuilder } from '../../../local/iam/arns.js';
import { jsonCall, lambdaCall, queryCall } from '../../../local/iam/edge.js';
import { logsApi } from '../../../local/logs/api.js';
import { LogStore } from '../../../local/logs/store.js';
import type { HttpRequest } from '../../../local/protocol/http.js';
import { snsApi } from '../../../local/sns/api.js';
import { SnsService } from '../../../local/sns/service.js';
import { sqsApi } from '../../../local/sqs/api.js';
import { SqsService } from '../../../local/sqs/service.js';
import { fakeStack } from '../../support/fake-stack.js';
import { CaptureSinks } from '../lambda/helpers.js';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const env = { account: ACCOUNT, region: REGION, partition: 'aws' };
const arns = new ArnBuilder(env as ConstructorParameters<typeof ArnBuilder>[0]);
const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
const STACK_ID = arn('cloudformation', 'stack/App/1');
const QUEUE_URL = `http://localhost:4566/${ACCOUNT}/jobs`;
const QUEUE = arn('sqs', 'jobs');
const TOPIC = arn('sns', 'alerts');
const GROUP = arn('logs', 'log-group:/aws/lambda/fn:*');

type Row = readonly [operation: string, input: Record<string, unknown>, action: string, resources: readonly string[]];

const JSON_TABLE: Readonly<Record<string, readonly Row[]>> = {
  AWSEvents: [
    ['PutEvents', { Entries: [{ EventBusName: 'orders' }, {}, { EventBusName: 'orders' }] }, 'events:PutEvents', [arn('events', 'event-bus/orders'), arn('events', 'event-bus/default')]],
    ['TestEventPattern', { EventPattern: '{}', Event: '{}' }, 'events:TestEventPattern', ['*']],
    ['ListRules', {}, 'events:ListRules', ['*']],
    ['DescribeRule', { Name: 'on-order' }, 'events:DescribeRule', [arn('events', 'rule/on-order')]],
    ['DescribeRule', { Name: 'on-order', EventBusName: 'orders' }, 'events:DescribeRule', [arn('events', 'rule/orders/on-order')]],
    ['ListTargetsByRule', { Rule: 'on-order', EventBusName: arn('events', 'event-bus/orders') }, 'events:ListTargetsByRule', [arn('events', 'rule/orders/on-order')]],
    ['PutRule', { Name: 'spy' }, 'events:PutRule', [arn('events', 'rule/spy')]],
    ['PutRule', { Name: 'spy', EventBusName: 'orders' }, 'events:PutRule', [arn('events', 'rule/orders/spy')]],
    ['PutTargets', { Rule: 'spy', EventBusName: 'orders' }, 'events:PutTargets', [arn('events', 'rule/orders/spy')]],
    ['RemoveTargets', { Rule: 'spy', EventBusName: arn('events', 'event-bus/orders') }, 'events:RemoveTargets', [arn('events', 'rule/orders/spy')]],
    ['DeleteRule', { Name: 'spy' }, 'events:DeleteRule', [arn('events', 'rule/spy')]],
    ['StartReplay', { ReplayName: 'r1' }, 'events:StartReplay', [arn('events', 'replay/r1')]],
    ['DescribeReplay', { ReplayName: 'r1' }, 'events:DescribeReplay', [arn('events', 'replay/r1')]],
    ['ListArchives', {}, 'events:ListArchives', ['*']],
    ['ListEventBuses', {}, 'events:ListEventBuses', ['*']],
  ],
  Logs_20140328: [
    ['CreateLogGroup', { logGroupName: '/aws/lambda/fn' }, 'logs:CreateLogGroup', [GROUP]],
    ['CreateLogStream', { logGroupName: '/aws/lambda/fn', logStreamName: 's' }, 'logs:CreateLogStream', [GROUP]],
    ['PutRetentionPolicy', { logGroupName: '/aws/lambda/fn' }, 'logs:PutRetentionPolicy', [GROUP]],
    ['DeleteRetentionPolicy', { logGroupName: '/aws/lambda/fn' }, 'logs:DeleteRetentionPolicy', [GROUP]],
    ['PutLogEvents', { logGroupName: '/aws/lambda/fn', logStreamName: 's' }, 'logs:PutLogEvents', [arn('logs', 'log-group:/aws/lambda/fn:log-stream:s')]],
    ['DescribeLogGroups', {}, 'logs:DescribeLogGroups', ['*']],
    ['DescribeLogStreams', { logGroupName: '/aws/lambda/fn' }, 'logs:DescribeLogStreams', [GROUP]],
    ['GetLogEvents', { logGroupName: '/aws/lambda/fn', logStreamName: 's' }, 'logs:GetLogEvents', [GROUP]],
    ['FilterLogEvents', { logGroupIdentifier: '/aws/lambda/fn' }, 'logs:FilterLogEvents', [GROUP]],
  ],
  AmazonSQS: [
    ['SendMessage', { QueueUrl: QUEUE_URL }, 'sqs:SendMessage', [QUEUE]],
    ['SendMessageBatch', { QueueUrl: QUEUE_URL }, 'sqs:SendMessage', [QUEUE]],
    ['ReceiveMessage', { QueueUrl: QUEUE_URL }, 'sqs:ReceiveMessage', [QUEUE]],
    ['DeleteMessage', { QueueUrl: QUEUE_URL }, 'sqs:DeleteMessage', [QUEUE]],
    ['DeleteMessageBatch', { QueueUrl: QUEUE_URL }, 'sqs:DeleteMessage', [QUEUE]],
    ['ChangeMessageVisibility', { QueueUrl: QUEUE_URL }, 'sqs:ChangeMessageVisibility', [QUEUE]],
    ['GetQueueUrl', { QueueName: 'jobs' }, 'sqs:GetQueueUrl', [QUEUE]],
    ['GetQueueAttributes', { QueueUrl: QUEUE_URL }, 'sqs:GetQueueAttributes', [QUEUE]],
    ['ListQueues', {}, 'sqs:ListQueues', ['*']],
    ['PurgeQueue', { QueueUrl: QUEUE_URL }, 'sqs:PurgeQueue', [QUEUE]],
    ['CreateQueue', { QueueName: 'jobs' }, 'sqs:CreateQueue', [QUEUE]],
    ['DeleteQueue', { QueueUrl: QUEUE_URL }, 'sqs:DeleteQueue', [QUEUE]],
    ['SetQueueAttributes', { QueueUrl: QUEUE_URL }, 'sqs:SetQueueAttributes', [QUEUE]],
    ['TagQueue', { QueueUrl: QUEUE_URL }, 'sqs:TagQueue', [QUEUE]],
    ['UntagQueue', { QueueUrl: QUEUE_URL }, 'sqs:UntagQueue', [QUEUE]],
    ['ListQueueTags', { QueueUrl: QUEUE_URL }, 'sqs:ListQueueTags', [QUEUE]],
  ],
};

const QUERY_TABLE: Readonly<Record<string, readonly Row[]>> = {
  sns: [
    ['Publish', { TopicArn: TOPIC }, 'sns:Publish', [TOPIC]],
    ['PublishBatch', { TopicArn: TOPIC }, 'sns:Publish', [TOPIC]],
    ['ListTopics', {}, 'sns:ListTopics', ['*']],
    ['ListSubscriptions', {}, 'sns:ListSubscriptions', ['*']],
    ['ListSubscriptionsByTopic', { TopicArn: TOPIC }, 'sns:ListSubscriptionsByTopic', [TOPIC]],
    ['GetTopicAttributes', { TopicArn: TOPIC }, 'sns:GetTopicAttributes', [TOPIC]],
    ['Subscribe', { TopicArn: TOPIC, Protocol: 'sqs', Endpoint: QUEUE }, 'sns:Subscribe', [TOPIC]],
    ['Unsubscribe', { SubscriptionArn: `${TOPIC}:1f8a0c3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b` }, 'sns:Unsubscribe', ['*']],
    ['GetSubscriptionAttributes', { SubscriptionArn: `${TOPIC}:1f8a0c3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b` }, 'sns:GetSubscriptionAttributes', ['*']],
    ['SetSubscriptionAttributes', { SubscriptionArn: `${TOPIC}:1f8a0c3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b` }, 'sns:SetSubscriptionAttributes', ['*']],
  ],
  cloudformation: [
    ['DescribeStacks', { StackName: 'App' }, 'cloudformation:DescribeStacks', [STACK_ID]],
    ['DescribeStacks', {}, 'cloudformation:DescribeStacks', ['*']],
    ['ListStackResources', { StackName: 'App' }, 'cloudformation:ListStackResources', [STACK_ID]],
    ['DescribeStackResources', { StackName: 'App' }, 'cloudformation:DescribeStackResources', [STACK_ID]],
    ['DescribeStackResource', { StackName: 'App', LogicalResourceId: 'Fn' }, 'cloudformation:DescribeStackResource', [STACK_ID]],
  ],
};

/** The operations each API of the runtime serves, read from the services themselves. */
function servedOperations(): Record<string, string[]> {
  const stack = fakeStack([], { account: ACCOUNT, region: REGION });
  const clock = createClock(0.001);
  const sinks = new CaptureSinks();
  const events = EventBridgeService.fromStack(stack, { sinks, clock });
  const sns = SnsService.fromStack(stack, { sinks, matcher: matchesPattern, clock });
  return {
    AWSEvents: Object.keys(eventBridgeApi(events).operations),
    Logs_20140328: Object.keys(logsApi(LogStore.fromStack(stack)).operations),
    AmazonSQS: Object.keys(sqsApi(new SqsService()).operations),
    sns: Object.keys(snsApi(sns).operations),
    cloudformation: Object.keys(cloudFormationApi(stack).operations),
  };
}

describe('the IAM action and resource of every operation the runtime serves', () => {
  it('the tables cover every served operation, and only those', () => {
    const served = servedOperations();
    for (const [api, operations] of Object.entries(served)) {
      const table = JSON_TABLE[api] ?? QUERY_TABLE[api] ?? [];
      expect([...new Set(table.map(([op]) => op))].sort(), `operations of ${api}`).toEqual([...operations].sort());
    }
  });

  for (const [prefix, rows] of Object.entries(JSON_TABLE)) {
    it.each(rows)(`${prefix} %s`, (operation, input, action, resources) => {
      expect(jsonCall(prefix, operation, input, arns)).toMatchObject({ action, resources });
    });
  }

  for (const [signingName, rows] of Object.entries(QUERY_TABLE)) {
    it.each(rows)(`${signingName} %s`, (operation, input, action, resources) => {
      const params = new Map(Object.entries({ Action: operation, ...input }).map(([k, v]) => [k, String(v)]));
      expect(queryCall(signingName, params, STACK_ID)).toMatchObject({ action, resources });
    });
  }

  it('SQS CreateQueue with tags also needs sqs:TagQueue, on the same queue; without tags it does not', () => {
    expect(jsonCall('AmazonSQS', 'CreateQueue', { QueueName: 'jobs', tags: { team: 'orders' } }, arns)).toMatchObject({
      action: 'sqs:CreateQueue',
      alsoActions: ['sqs:TagQueue'],
      resources: [QUEUE],
    });
    expect(jsonCall('AmazonSQS', 'CreateQueue', { QueueName: 'jobs', tags: {} }, arns)?.alsoActions).toBeUndefined();
  });

  it('answers nothing for an operation the runtime does not serve (the service answers it)', () => {
    expect(jsonCall('AmazonSQS', 'AddPermission', { QueueUrl: QUEUE_URL }, arns)).toBeUndefined();
    expect(jsonCall('AWSEvents', 'constructor', {}, arns)).toBeUndefined();
    expect(queryCall('sns', new Map([['Action', 'ConfirmSubscription']]), STACK_ID)).toBeUndefined();
  });

  const FN = arn('lambda', 'function:worker');
  const req = (method: string, path: string, rawQuery = ''): HttpRequest => ({ method, path, rawQuery, headers: {}, body: Buffer.alloc(0) }) as unknown as HttpRequest;
  it.each<[string, HttpRequest, string, string]>([
    ['ListFunctions', req('GET', '/2015-03-31/functions/'), 'lambda:ListFunctions', '*'],
    ['Invoke', req('POST', '/2015-03-31/functions/worker/invocations'), 'lambda:InvokeFunction', FN],
    ['Invoke by ARN', req('POST', `/2015-03-31/functions/${encodeURIComponent(FN)}/invocations`), 'lambda:InvokeFunction', FN],
    ['Invoke a version', req('POST', '/2015-03-31/functions/worker/invocations', 'Qualifier=3'), 'lambda:InvokeFunction', `${FN}:3`],
    ['Invoke an alias in the name', req('POST', '/2015-03-31/functions/worker%3Alive/invocations'), 'lambda:InvokeFunction', `${FN}:live`],
    ['InvokeAsync', req('POST', '/2014-11-13/functions/worker/invoke-async/'), 'lambda:InvokeFunction', FN],
    ['GetFunction', req('GET', '/2015-03-31/functions/worker'), 'lambda:GetFunction', FN],
    ['GetFunctionConfiguration', req('GET', '/2015-03-31/functions/worker/configuration'), 'lambda:GetFunctionConfiguration', FN],
    ['GetPolicy', req('GET', '/2015-03-31/functions/worker/policy'), 'lambda:GetPolicy', FN],
    ['GetFunctionConcurrency', req('GET', '/2019-09-30/functions/worker/concurrency'), 'lambda:GetFunctionConcurrency', FN],
    ['ListFunctionEventInvokeConfigs', req('GET', '/2019-09-25/functions/worker/event-invoke-config/list'), 'lambda:ListFunctionEventInvokeConfigs', FN],
    ['GetFunctionEventInvokeConfig', req('GET', '/2019-09-25/functions/worker/event-invoke-config'), 'lambda:GetFunctionEventInvokeConfig', FN],
    ['PutFunctionEventInvokeConfig', req('PUT', '/2019-09-25/functions/worker/event-invoke-config'), 'lambda:PutFunctionEventInvokeConfig', FN],
    ['UpdateFunctionEventInvokeConfig', req('POST', '/2019-09-25/functions/worker/event-invoke-config'), 'lambda:UpdateFunctionEventInvokeConfig', FN],
    ['DeleteFunctionEventInvokeConfig', req('DELETE', '/2019-09-25/functions/worker/event-invoke-config'), 'lambda:DeleteFunctionEventInvokeConfig', FN],
    ['ListEventSourceMappings', req('GET', '/2015-03-31/event-source-mappings/', 'FunctionName=worker'), 'lambda:ListEventSourceMappings', '*'],
    ['GetEventSourceMapping', req('GET', '/2015-03-31/event-source-mappings/14e0db71-9990-4fd0-b5ae-8a8e4a3e7b4b'), 'lambda:GetEventSourceMapping', '*'],
  ])('Lambda %s', (_name, request, action, resource) => {
    expect(lambdaCall(request, arns)).toMatchObject({ action, resources: [resource] });
  });

  it('Lambda: nothing for a path it does not serve', () => {
    expect(lambdaCall(req('DELETE', '/2015-03-31/functions/worker'), arns)).toBeUndefined();
  });

  it('Lambda: nothing for a function name that is not URL encoding (the API refuses it), rather than a crash', () => {
    expect(lambdaCall(req('GET', '/2015-03-31/functions/%E0%A4%A'), arns)).toBeUndefined();
  });
});
