import { describe, expect, it } from 'vitest';
import { createClock } from '../../../local/clock.js';
import type { PatternMatcher } from '../../../local/contracts.js';
import { matchesPattern } from '../../../local/eventbridge/pattern.js';
import { AwsError, UnsupportedTemplateError } from '../../../local/protocol/errors.js';
import { SnsService } from '../../../local/sns/service.js';
import { waitFor } from '../../support/wait-for.js';
import {
  DLQ_ARN,
  FUNCTION_ARN,
  QUEUE_ARN,
  TOPIC_ARN,
  recordingSinks,
  recordingTracer,
  rejectionOf,
  resource,
  subscriptionResource,
  thrownBy,
  topicResource,
} from './stack-fixture.js';
import { fakeStack } from '../../support/fake-stack.js';

const lambdaSubscription = (extra: Record<string, unknown> = {}) =>
  subscriptionResource('LambdaSub', { Protocol: 'lambda', Endpoint: FUNCTION_ARN, ...extra });
const sqsSubscription = (extra: Record<string, unknown> = {}) => subscriptionResource('QueueSub', { Protocol: 'sqs', Endpoint: QUEUE_ARN, ...extra });

function build(resources = [topicResource(), lambdaSubscription()], options: Parameters<typeof recordingSinks>[0] = {}, matcher: PatternMatcher = matchesPattern) {
  const recorded = recordingSinks(options);
  const tracer = recordingTracer();
  const service = SnsService.fromStack(fakeStack(resources), { sinks: recorded.sinks, matcher, clock: createClock(0.0001), tracer });
  return { service, tracer, ...recorded };
}

const rejection = (promise: Promise<unknown>) => rejectionOf(AwsError, promise);
const templateError = (fn: () => unknown) => thrownBy(UnsupportedTemplateError, fn);

describe('SnsService.fromStack', () => {
  it('reads topics and subscriptions, inline ones included', () => {
    const topic = topicResource('Topic', { TopicName: 'events-topic', KmsMasterKeyId: 'alias/aws/sns', Subscription: [{ Protocol: 'sqs', Endpoint: QUEUE_ARN }] });
    const { service } = build([topic, lambdaSubscription()]);
    expect(service.topics.map((t) => t.arn)).toEqual([TOPIC_ARN]);
    expect(service.subscriptions.map((s) => [s.logicalId, s.protocol, s.endpoint])).toEqual([
      ['Topic.Subscription.0', 'sqs', QUEUE_ARN],
      ['LambdaSub', 'lambda', FUNCTION_ARN],
    ]);
    for (const s of service.subscriptions) expect(s.arn).toMatch(new RegExp(`^${TOPIC_ARN}:[0-9a-f-]{36}$`));
  });

  it('names the resource and property it cannot serve', () => {
    const http = templateError(() => build([topicResource(), subscriptionResource('WebSub', { Protocol: 'https', Endpoint: 'https://example.com' })]));
    expect(http.logicalId).toBe('WebSub');
    expect(http.propertyPath).toBe('Properties.Protocol');
    const fifo = templateError(() => build([topicResource('Topic', { TopicName: 'events-topic', FifoTopic: true })]));
    expect([fifo.logicalId, fifo.propertyPath]).toEqual(['Topic', 'Properties.FifoTopic']);
    const foreign = templateError(() => build([topicResource(), lambdaSubscription({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:other' })]));
    expect(foreign.propertyPath).toBe('Properties.TopicArn');
    const delivery = templateError(() => build([topicResource(), lambdaSubscription({ DeliveryPolicy: {} })]));
    expect(delivery.propertyPath).toBe('Properties.DeliveryPolicy');
    const raw = templateError(() => build([topicResource(), lambdaSubscription({ RawMessageDelivery: true })]));
    expect(raw.propertyPath).toBe('Properties.RawMessageDelivery');
    const policy = resource('Policy', 'AWS::SNS::TopicPolicy', {
      Topics: [TOPIC_ARN],
      PolicyDocument: { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sns:Publish', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-1' } } }] },
    });
    const condition = templateError(() => build([topicResource(), policy]));
    expect([condition.logicalId, condition.propertyPath]).toEqual(['Policy', 'Properties.PolicyDocument.Statement.0.Condition.StringEquals.aws:PrincipalOrgID']);
  });

  it('validates filter policies at load, naming the subscription', () => {
    const error = templateError(() => build([topicResource(), lambdaSubscription({ FilterPolicy: { mode: [] } })]));
    expect(error.logicalId).toBe('LambdaSub');
    expect(error.propertyPath).toBe('Properties.FilterPolicy');
    expect(error.message).toContain('Empty arrays are not allowed');
    // Refusals by the shared EventBridge compiler read as SNS's InvalidParameter, never InvalidEventPatternException.
    for (const [policy, scope, reason] of [
      [{ a: {} }, 'MessageBody', 'Empty objects are not allowed'],
      [{ $or: [{ a: ['x'] }] }, 'MessageAttributes', 'There must have at least 2 Objects in $or relationship.'],
      [{ a: [{ 'anything-but': ['x', 1] }] }, 'MessageAttributes', 'Inside anything but list, either all values are number or string, mixed type is not supported'],
    ] as const) {
      const shared = templateError(() => build([topicResource(), lambdaSubscription({ FilterPolicy: policy, FilterPolicyScope: scope })]));
      expect(shared.message).toBe(`LambdaSub: Properties.FilterPolicy: Invalid parameter: FilterPolicy: ${reason}`);
    }
    const scope = templateError(() => build([topicResource(), lambdaSubscription({ FilterPolicy: { a: ['x'] }, FilterPolicyScope: 'Body' })]));
    expect(scope.propertyPath).toBe('Properties.FilterPolicyScope');
  });

  it('rejects a redrive policy whose target is not a queue ARN', () => {
    const error = templateError(() => build([topicResource(), lambdaSubscription({ RedrivePolicy: { deadLetterTargetArn: 'my-dlq' } })]));
    expect(error.propertyPath).toBe('Properties.RedrivePolicy');
  });
});

describe('publish', () => {
  it('returns the MessageId before delivering, then invokes the function asynchronously as SNS', async () => {
    const { service, invocations } = build();
    const { MessageId } = await service.publish({ TopicArn: TOPIC_ARN, Message: 'hello', Subject: 'Greeting' });
    expect(MessageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(invocations).toHaveLength(0);
    await service.whenIdle();
    expect(invocations).toHaveLength(1);
    const [invocation] = invocations;
    expect(invocation!.functionRef).toBe(FUNCTION_ARN);
    expect(invocation!.invocationType).toBe('Event');
    expect(invocation!.caller).toEqual({ principal: 'sns.amazonaws.com', sourceArn: TOPIC_ARN });
    const record = JSON.parse(invocation!.payload).Records[0];
    expect(record.EventSubscriptionArn).toBe(service.subscriptions[0]!.arn);
    expect(record.Sns).toMatchObject({ Type: 'Notification', MessageId, TopicArn: TOPIC_ARN, Subject: 'Greeting', Message: 'hello' });
    expect(record.Sns.Timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('accepts TargetArn for a topic but not both TopicArn and TargetArn, nor neither', async () => {
    const { service, invocations } = build();
    await service.publish({ TargetArn: TOPIC_ARN, Message: 'm' });
    await service.whenIdle();
    expect(invocations).toHaveLength(1);
    const both = await rejection(service.publish({ TopicArn: TOPIC_ARN, TargetArn: TOPIC_ARN, Message: 'm' }));
    expect(both.code).toBe('InvalidParameter');
    const neither = await rejection(service.publish({ Message: 'm' }));
    expect(neither.message).toBe('Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
  });

  it('answers NotFound (404) for an unknown topic and InvalidParameter for a malformed ARN', async () => {
    const { service } = build();
    const missing = await rejection(service.publish({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:nope', Message: 'm' }));
    expect([missing.code, missing.statusCode, missing.message]).toEqual(['NotFound', 404, 'Topic does not exist']);
    const malformed = await rejection(service.publish({ TopicArn: 'events-topic', Message: 'm' }));
    expect([malformed.code, malformed.message]).toEqual(['InvalidParameter', 'Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1']);
    const otherRegion = await rejection(service.publish({ TopicArn: 'arn:aws:sns:eu-west-1:000000000000:events-topic', Message: 'm' }));
    expect(otherRegion.message).toBe('Invalid parameter: TopicArn');
  });

  it('validates content before the topic', async () => {
    const { service } = build();
    const error = await rejection(service.publish({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:nope', Message: '' }));
    expect(error.message).toBe('Invalid parameter: Empty message');
  });

  it('sends the JSON envelope to a queue, or the raw message with SQS attributes', async () => {
    const topic = topicResource();
    const resources = [topic, sqsSubscription(), subscriptionResource('RawSub', { Protocol: 'sqs', Endpoint: DLQ_ARN, RawMessageDelivery: 'true' })];
    const { service, sent } = build(resources);
    const MessageAttributes = { mode: { DataType: 'String', StringValue: 'fail' } };
    const { MessageId } = await service.publish({ TopicArn: TOPIC_ARN, Message: 'payload', MessageAttributes });
    await service.whenIdle();
    const envelope = sent.find((m) => m.queueArn === QUEUE_ARN)!;
    expect(envelope.attributes).toBeUndefined();
    expect(JSON.parse(envelope.body)).toMatchObject({
      Type: 'Notification',
      MessageId,
      TopicArn: TOPIC_ARN,
      Message: 'payload',
      MessageAttributes: { mode: { Type: 'String', Value: 'fail' } },
    });
    const raw = sent.find((m) => m.queueArn === DLQ_ARN)!;
    expect(raw.body).toBe('payload');
    expect(raw.attributes).toEqual({ mode: { DataType: 'String', StringValue: 'fail' } });
  });

  it('filters on message attributes by default and on the body with FilterPolicyScope MessageBody', async () => {
    const resources = [
      topicResource(),
      lambdaSubscription({ FilterPolicy: { mode: ['fail'] } }),
      sqsSubscription({ FilterPolicy: { mode: ['fail'] }, FilterPolicyScope: 'MessageBody' }),
    ];
    const { service, invocations, sent, tracer } = build(resources);
    await service.publish({ TopicArn: TOPIC_ARN, Message: '{"mode":"fail"}' });
    await service.whenIdle();
    expect([invocations.length, sent.length]).toEqual([0, 1]);
    await service.publish({ TopicArn: TOPIC_ARN, Message: '{"mode":"ok"}', MessageAttributes: { mode: { DataType: 'String', StringValue: 'fail' } } });
    await service.whenIdle();
    expect([invocations.length, sent.length]).toEqual([1, 1]);
    expect(tracer.events.filter((e) => e.kind === 'filter')).toHaveLength(2);
  });

  it('moves a message to the dead-letter queue without retrying when the invoke is denied', async () => {
    const denied = new AwsError('AccessDeniedException', 'no resource-based policy allows the lambda:InvokeFunction action', 403);
    const resources = [topicResource(), lambdaSubscription({ RedrivePolicy: { deadLetterTargetArn: DLQ_ARN } })];
    const { service, invocations, sent, tracer } = build(resources, { invokeFailures: [denied] });
    const { MessageId } = await service.publish({ TopicArn: TOPIC_ARN, Message: 'lost?', Subject: 'S' });
    await service.whenIdle();
    expect(invocations).toHaveLength(1);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.queueArn).toBe(DLQ_ARN);
    const body = JSON.parse(sent[0]!.body);
    expect(body).toMatchObject({ Type: 'Notification', MessageId, TopicArn: TOPIC_ARN, Subject: 'S', Message: 'lost?' });
    expect(body.SigningCertURL).toBeDefined();
    const dead = tracer.events.find((e) => e.kind === 'dead-letter')!;
    expect(dead.ids).toMatchObject({ snsMessageId: MessageId });
    expect(dead.summary).toContain('AccessDeniedException');
  });

  it('drops (and traces) a client-side failure when there is no dead-letter queue', async () => {
    const gone = new AwsError('ResourceNotFoundException', 'Function not found', 404);
    const { service, sent, tracer } = build(undefined, { invokeFailures: [gone] });
    await service.publish({ TopicArn: TOPIC_ARN, Message: 'm' });
    await service.whenIdle();
    expect(sent).toHaveLength(0);
    expect(tracer.events.some((e) => e.kind === 'drop' && e.summary.includes('ResourceNotFoundException'))).toBe(true);
  });

  it('retries server-side failures (throttling, 5xx) under the managed delivery policy', async () => {
    const failures = [
      new AwsError('TooManyRequestsException', 'Rate exceeded', 429),
      new AwsError('ServiceException', 'boom', 500),
      new AwsError('TooManyRequestsException', 'Rate exceeded', 429),
    ];
    const { service, invocations, tracer } = build(undefined, { invokeFailures: failures });
    await service.publish({ TopicArn: TOPIC_ARN, Message: 'm' });
    await service.whenIdle();
    expect(invocations).toHaveLength(4);
    expect(tracer.events.filter((e) => e.kind === 'retry')).toHaveLength(3);
    expect(tracer.events.filter((e) => e.kind === 'deliver')).toHaveLength(1);
  });

  it('drops pending retries when disposed, with a trace', async () => {
    const throttled = Array.from({ length: 10 }, () => new AwsError('TooManyRequestsException', 'Rate exceeded', 429));
    const recorded = recordingSinks({ invokeFailures: throttled });
    const tracer = recordingTracer();
    // Real time: after the 3 immediate retries the next waits a whole AWS second.
    const service = SnsService.fromStack(fakeStack([topicResource(), lambdaSubscription()]), {
      sinks: recorded.sinks,
      matcher: matchesPattern,
      clock: createClock(1),
      tracer,
    });
    await service.publish({ TopicArn: TOPIC_ARN, Message: 'm' });
    await waitFor(() => recorded.invocations.length >= 4, 'the first attempt and its 3 immediate retries', 10_000, { intervalMs: 1 });
    service.dispose();
    await service.whenIdle();
    expect(recorded.invocations).toHaveLength(4);
    expect(tracer.events.at(-1)).toMatchObject({ kind: 'drop' });
  });

  it('dead-letters a raw queue subscription whose queue is gone, with the raw body', async () => {
    const resources = [
      topicResource(),
      subscriptionResource('RawSub', {
        Protocol: 'sqs',
        Endpoint: 'arn:aws:sqs:us-east-1:000000000000:deleted',
        RawMessageDelivery: true,
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: DLQ_ARN }),
      }),
    ];
    const { service, sent } = build(resources);
    await service.publish({ TopicArn: TOPIC_ARN, Message: 'raw body', MessageAttributes: { n: { DataType: 'Number', StringValue: '1' } } });
    await service.whenIdle();
    expect(sent).toEqual([{ queueArn: DLQ_ARN, body: 'raw body', attributes: { n: { DataType: 'Number', StringValue: '1' } } }]);
  });

  it('checks a service principal against the topic policy', async () => {
    const policy = resource('TopicPolicy', 'AWS::SNS::TopicPolicy', {
      Topics: [TOPIC_ARN],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: TOPIC_ARN,
            Condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:events:us-east-1:000000000000:rule/allowed' } },
          },
          { Effect: 'Deny', Principal: '*', Action: 'sns:*', Resource: TOPIC_ARN, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
        ],
      },
    });
    const { service } = build([topicResource(), lambdaSubscription(), policy]);
    const allowed = { principal: 'events.amazonaws.com', sourceArn: 'arn:aws:events:us-east-1:000000000000:rule/allowed' };
    await expect(service.publish({ TopicArn: TOPIC_ARN, Message: 'm' }, allowed)).resolves.toHaveProperty('MessageId');
    const other = await rejection(service.publish({ TopicArn: TOPIC_ARN, Message: 'm' }, { ...allowed, sourceArn: 'arn:aws:events:us-east-1:000000000000:rule/other' }));
    expect([other.code, other.statusCode]).toEqual(['AuthorizationError', 403]);
    const s3 = await rejection(service.publish({ TopicArn: TOPIC_ARN, Message: 'm' }, { principal: 's3.amazonaws.com' }));
    expect(s3.code).toBe('AuthorizationError');
    // An IAM caller (no service principal) is not checked.
    await expect(service.publish({ TopicArn: TOPIC_ARN, Message: 'm' })).resolves.toHaveProperty('MessageId');
    await service.whenIdle();
  });

  it('delivers MessageStructure json bodies per protocol', async () => {
    const { service, invocations, sent } = build([topicResource(), lambdaSubscription(), sqsSubscription()]);
    await service.publish({ TopicArn: TOPIC_ARN, Message: JSON.stringify({ default: 'd', lambda: 'to lambda' }), MessageStructure: 'json' });
    await service.whenIdle();
    expect(JSON.parse(invocations[0]!.payload).Records[0].Sns.Message).toBe('to lambda');
    expect(JSON.parse(sent[0]!.body).Message).toBe('d');
  });
});
