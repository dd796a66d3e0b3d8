/**
 * The AWS API edge: an SDK call made inside a function carries credentials
 * that name its execution role and is checked against it; outside callers
 * are checked only as the role `--enforce-iam-for-callers` names.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createClock } from '../../../local/clock.js';
import { LambdaService } from '../../../local/lambda/service.js';
import { IamService } from '../../../local/iam/service.js';
import { executionRoles } from '../../../local/iam/execution-roles.js';
import { iamEdge } from '../../../local/iam/edge.js';
import type { JsonService } from '../../../local/protocol/json.js';
import type { QueryService } from '../../../local/protocol/query.js';
import { serve, TEST_CLIENT, type Served } from '../../support/serve.js';
import { awsApiHandler } from '../../../local/aws-api.js';
import { CaptureSinks, CaptureTracer, MemoryLogs, fn, makeStack } from '../lambda/helpers.js';

const CODE = fileURLToPath(new URL('../../fixtures/lambda/sdk-caller/', import.meta.url));
const ROLE = 'arn:aws:iam::000000000000:role/caller-role';
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:topic';
const BUS = 'arn:aws:events:us-east-1:000000000000:event-bus/bus';

const stack = makeStack(
  [
    fn('caller', { Timeout: 10, Role: ROLE }),
    {
      logicalId: 'CallerRole',
      type: 'AWS::IAM::Role',
      ref: 'caller-role',
      arn: ROLE,
      properties: {
        AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
        ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
        Policies: [{ PolicyName: 'bus', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: BUS }] } }],
      },
    },
  ],
  CODE,
);

/** Stand-ins that accept every call the edge lets through. */
const eventsApi: JsonService = {
  targetPrefix: 'AWSEvents',
  version: '1.1',
  operations: { PutEvents: () => ({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] }) },
};
const snsQueryApi: QueryService = {
  version: '2010-03-31',
  xmlns: 'http://sns.amazonaws.com/doc/2010-03-31/',
  signingName: 'sns',
  operations: { Publish: () => ({ MessageId: 'm-1' }) },
};

function serveWithEdge(iam: IamService, callersRole?: string): Promise<Served> {
  const apis = { json: [eventsApi], query: [snsQueryApi] };
  return serve(iamEdge({ iam, env: stack.env, stackId: stack.stackId, ...apis, ...(callersRole ? { callersRole } : {}) }), awsApiHandler(apis));
}

describe('SDK calls inside a function', () => {
  const tracer = new CaptureTracer();
  const iam = IamService.fromStack(stack, { tracer });
  let served: Served;
  let service: LambdaService;

  beforeAll(async () => {
    served = await serveWithEdge(iam);
    service = LambdaService.fromStack(stack, {
      sinks: new CaptureSinks(),
      logs: new MemoryLogs(),
      clock: createClock(0.001),
      tracer,
      awsEndpointUrl: served.endpoint,
      roles: executionRoles(iam, stack.env),
    });
  });

  afterAll(async () => {
    await service?.dispose();
    await served?.close();
  });

  it('are signed with credentials naming the role and checked against it', async () => {
    const result = await service.invoke('caller', JSON.stringify({ topicArn: TOPIC, busArn: BUS }), 'RequestResponse');
    const answer = JSON.parse(result.payload) as { accessKeyId: string; publish: string; putEvents: string };
    expect(answer.accessKeyId).toBe(iam.credentialsFor(ROLE, 'caller').accessKeyId);
    expect(answer.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(answer.putEvents).toBe('ok');
    expect(answer.publish).toBe(
      `AuthorizationErrorException: User: arn:aws:sts::000000000000:assumed-role/caller-role/caller is not authorized to perform: SNS:Publish on resource: ${TOPIC} because no identity-based policy allows the SNS:Publish action`,
    );
    const denial = tracer.events.find((e) => e.outcome === 'denied');
    expect(denial).toMatchObject({ service: 'iam', kind: 'denied', resource: TOPIC, detail: { via: 'SDK call in caller', action: 'sns:Publish' } });
    // No log group in this stack: Lambda creates it with the role, so CreateLogGroup is used too.
    expect(iam.unusedReport()).toEqual([
      'caller-role: events:PutEvents used; logs:CreateLogGroup used; logs:CreateLogStream used; logs:PutLogEvents used',
    ]);
  }, 30_000);
});

describe('outside callers', () => {
  it('are not checked by default', async () => {
    const served = await serveWithEdge(IamService.fromStack(stack));
    try {
      const sns = new SNSClient({ ...TEST_CLIENT, endpoint: served.endpoint });
      await expect(sns.send(new PublishCommand({ TopicArn: TOPIC, Message: 'x' }))).resolves.toMatchObject({ MessageId: 'm-1' });
    } finally {
      await served.close();
    }
  });

  it('are checked as the role --enforce-iam-for-callers names', async () => {
    const iam = IamService.fromStack(stack);
    const served = await serveWithEdge(iam, ROLE);
    try {
      const sns = new SNSClient({ ...TEST_CLIENT, endpoint: served.endpoint });
      await expect(sns.send(new PublishCommand({ TopicArn: TOPIC, Message: 'x' }))).rejects.toMatchObject({
        // SDK v3 names SNS's AuthorizationError code AuthorizationErrorException.
        name: 'AuthorizationErrorException',
        $metadata: { httpStatusCode: 403 },
      });
      const events = new EventBridgeClient({ ...TEST_CLIENT, endpoint: served.endpoint });
      await expect(events.send(new PutEventsCommand({ Entries: [{ Source: 'a', DetailType: 'b', Detail: '{}', EventBusName: BUS }] }))).resolves.toMatchObject({ FailedEntryCount: 0 });
      await expect(
        events.send(new PutEventsCommand({ Entries: [{ Source: 'a', DetailType: 'b', Detail: '{}', EventBusName: 'other' }] })),
      ).rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining('event-bus/other because no identity-based policy allows the events:PutEvents action') });
    } finally {
      await served.close();
    }
    expect(iam.startupLines(ROLE)).toEqual([`IAM: enforcing the policies of 1 role(s); outside callers act as ${ROLE}`]);
    expect(() => iam.startupLines('arn:aws:iam::000000000000:role/nope')).toThrow(/is not a role of the stack/);
  });

  it('are checked on the parameters the Query handler serves, not on a body it ignores', async () => {
    const served = await serveWithEdge(IamService.fromStack(stack), ROLE);
    try {
      // Without a content type (a byte body) the handler reads the query string only; the body must not stand in for it at the edge.
      const query = new URLSearchParams({ Action: 'Publish', TopicArn: TOPIC, Message: 'x', Version: '2010-03-31' });
      const response = await fetch(`${served.endpoint}/?${query}`, { method: 'POST', body: new TextEncoder().encode('Action=NotAnOperation') });
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('AuthorizationError');
    } finally {
      await served.close();
    }
  });
});

describe('a call that needs two actions', () => {
  const QUEUE_ROLE = 'arn:aws:iam::000000000000:role/queue-maker';
  const queueStack = makeStack(
    [
      {
        logicalId: 'QueueMaker',
        type: 'AWS::IAM::Role',
        ref: 'queue-maker',
        arn: QUEUE_ROLE,
        properties: {
          AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
          Policies: [{ PolicyName: 'create', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sqs:CreateQueue', Resource: '*' }] } }],
        },
      },
    ],
    CODE,
  );
  const sqsApi: JsonService = {
    targetPrefix: 'AmazonSQS',
    version: '1.0',
    operations: { CreateQueue: (input) => ({ QueueUrl: `http://localhost/000000000000/${String(input.QueueName)}` }) },
  };

  it('CreateQueue with tags needs sqs:TagQueue as well as sqs:CreateQueue', async () => {
    const iam = IamService.fromStack(queueStack);
    const apis = { json: [sqsApi], query: [] };
    const served = await serve(iamEdge({ iam, env: queueStack.env, stackId: queueStack.stackId, ...apis, callersRole: QUEUE_ROLE }), awsApiHandler(apis));
    try {
      const sqs = new SQSClient({ ...TEST_CLIENT, endpoint: served.endpoint, maxAttempts: 1 });
      await expect(sqs.send(new CreateQueueCommand({ QueueName: 'plain' }))).resolves.toMatchObject({ QueueUrl: expect.stringContaining('/plain') });
      await expect(sqs.send(new CreateQueueCommand({ QueueName: 'tagged', tags: { team: 'orders' } }))).rejects.toMatchObject({
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
        message: expect.stringContaining('is not authorized to perform: sqs:TagQueue on resource: arn:aws:sqs:us-east-1:000000000000:tagged'),
      });
    } finally {
      await served.close();
    }
  });
});
