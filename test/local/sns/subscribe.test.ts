/**
 * Subscriptions made through the API: Subscribe, Unsubscribe and
 * Get/SetSubscriptionAttributes through the AWS SDK, the "spy on the topic"
 * flow integration tests use (an SQS queue subscribed to the stack's topic),
 * and their durability across restarts.
 */
import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTopicsCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClock } from '../../../local/clock.js';
import { matchesPattern } from '../../../local/eventbridge/pattern.js';
import type { Sinks } from '../../../local/contracts.js';
import { AwsError } from '../../../local/protocol/errors.js';
import { snsApi } from '../../../local/sns/api.js';
import { SnsService } from '../../../local/sns/service.js';
import { sqsApi } from '../../../local/sqs/api.js';
import { SqsService } from '../../../local/sqs/service.js';
import { MemoryStateStore } from '../../../local/state/memory.js';
import { fakeStack } from '../../support/fake-stack.js';
import { durableApps } from '../../support/durable-runtimes.js';
import { serveApis, TEST_CLIENT, type Served } from '../../support/serve.js';
import { ACCOUNT, FUNCTION_ARN, recordingSinks, REGION, subscriptionResource, TOPIC_ARN, topicResource, snsError } from './stack-fixture.js';

/** A queue policy that lets SNS send to the queue from `topicArn`, as a spy queue needs. */
const snsMaySend = (queueArn: string, topicArn = TOPIC_ARN) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArn, Condition: { ArnEquals: { 'aws:SourceArn': topicArn } } },
    ],
  });

const queueArnOf = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
const stack = fakeStack([topicResource(), subscriptionResource('LambdaSub', { Protocol: 'lambda', Endpoint: FUNCTION_ARN })]);

/** An SNS service whose SQS subscriptions deliver to a real SQS service (or to `sqsSink`), on `state`. */
function servedPair(state?: MemoryStateStore, sqsSink?: Sinks['sqs']) {
  const sqs = new SqsService({ account: ACCOUNT, region: REGION });
  const recorded = recordingSinks();
  const sns = SnsService.fromStack(stack, {
    sinks: { ...recorded.sinks, sqs: sqsSink ?? sqs },
    matcher: matchesPattern,
    clock: createClock(0.00001),
    ...(state ? { state } : {}),
  });
  return { sqs, sns, recorded };
}

describe('subscriptions made through the API, through the AWS SDK', () => {
  const { sqs, sns, recorded } = servedPair();
  let server: Served;
  let client: SNSClient;
  let sq: SQSClient;

  beforeAll(async () => {
    server = await serveApis({ query: [snsApi(sns)], json: [sqsApi(sqs)] });
    client = new SNSClient({ endpoint: server.endpoint, ...TEST_CLIENT, maxAttempts: 1 });
    sq = new SQSClient({ endpoint: server.endpoint, ...TEST_CLIENT, maxAttempts: 1 });
  });
  afterAll(async () => {
    client.destroy();
    sq.destroy();
    sns.dispose();
    await server.close();
  });

  const spyQueue = async (name: string, policy = true) => {
    const arn = queueArnOf(name);
    const { QueueUrl } = await sq.send(new CreateQueueCommand({ QueueName: name, ...(policy ? { Attributes: { Policy: snsMaySend(arn) } } : {}) }));
    return { url: QueueUrl!, arn };
  };
  /** What the queue holds, read and deleted as a spy does. */
  const drained = async (QueueUrl: string): Promise<Message[]> => {
    const { Messages = [] } = await sq.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }));
    for (const m of Messages) await sq.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle! }));
    return Messages;
  };
  const publish = async (Message: string, attributes: Record<string, string> = {}) => {
    await client.send(
      new PublishCommand({
        TopicArn: TOPIC_ARN,
        Message,
        MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])),
      }),
    );
    await sns.whenIdle();
  };
  const subscribe = (Endpoint: string, Attributes?: Record<string, string>, Protocol = 'sqs') =>
    client.send(new SubscribeCommand({ TopicArn: TOPIC_ARN, Protocol, Endpoint, ...(Attributes ? { Attributes } : {}) }));

  it('a queue Subscribe gave the topic receives what is published to it, in the SNS envelope', async () => {
    const queue = await spyQueue('spy-envelope');
    const { SubscriptionArn } = await subscribe(queue.arn);
    expect(SubscriptionArn).toMatch(new RegExp(`^${TOPIC_ARN}:[0-9a-f-]{36}$`));
    await publish('hello', { kind: 'greeting' });
    const messages = await drained(queue.url);
    expect(messages).toHaveLength(1);
    expect(JSON.parse(messages[0]!.Body!)).toMatchObject({
      Type: 'Notification',
      TopicArn: TOPIC_ARN,
      Message: 'hello',
      UnsubscribeURL: expect.stringContaining(SubscriptionArn!),
      MessageAttributes: { kind: { Type: 'String', Value: 'greeting' } },
    });
  });

  it('with RawMessageDelivery the queue gets the message itself, its attributes as SQS attributes', async () => {
    const queue = await spyQueue('spy-raw');
    await subscribe(queue.arn, { RawMessageDelivery: 'true' });
    await publish('{"order":1}', { kind: 'order' });
    const messages = await drained(queue.url);
    expect(messages.map((m) => [m.Body, m.MessageAttributes?.['kind']?.StringValue])).toEqual([['{"order":1}', 'order']]);
  });

  it('a filter policy passes only the messages it matches, on attributes or (FilterPolicyScope) on the body', async () => {
    const onAttributes = await spyQueue('spy-filter-attributes');
    const onBody = await spyQueue('spy-filter-body');
    await subscribe(onAttributes.arn, { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ kind: ['wanted'] }) });
    await subscribe(onBody.arn, { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ n: [{ numeric: ['>', 1] }] }), FilterPolicyScope: 'MessageBody' });
    await publish('{"n":1}', { kind: 'wanted' });
    await publish('{"n":2}', { kind: 'other' });
    expect((await drained(onAttributes.url)).map((m) => m.Body)).toEqual(['{"n":1}']);
    expect((await drained(onBody.url)).map((m) => m.Body)).toEqual(['{"n":2}']);
  });

  it('a Lambda function Subscribe gave the topic is invoked asynchronously with the SNS event, as SNS', async () => {
    const fn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:spy-fn`;
    const { SubscriptionArn } = await subscribe(fn, undefined, 'lambda');
    await publish('to-lambda');
    const invocation = recorded.invocations.find((i) => i.functionRef === fn)!;
    expect(invocation).toMatchObject({ invocationType: 'Event', caller: { principal: 'sns.amazonaws.com', sourceArn: TOPIC_ARN } });
    expect(JSON.parse(invocation.payload).Records[0]).toMatchObject({ EventSubscriptionArn: SubscriptionArn, Sns: { Message: 'to-lambda' } });
    await client.send(new UnsubscribeCommand({ SubscriptionArn }));
  });

  it('a queue whose policy does not let SNS send gets nothing, as with template subscriptions', async () => {
    const queue = await spyQueue('spy-no-policy', false);
    await subscribe(queue.arn);
    await publish('refused');
    expect(await drained(queue.url)).toEqual([]);
  });

  it('Subscribe is idempotent: the same endpoint answers its subscription, unless other attributes are asked for', async () => {
    const queue = await spyQueue('spy-again');
    const first = await subscribe(queue.arn, { RawMessageDelivery: 'true' });
    expect(await subscribe(queue.arn, { RawMessageDelivery: 'true' })).toMatchObject({ SubscriptionArn: first.SubscriptionArn });
    // Attributes the request leaves out are not compared.
    expect(await subscribe(queue.arn)).toMatchObject({ SubscriptionArn: first.SubscriptionArn });
    // A bad value is refused as such, not as a difference.
    const bad = await snsError(subscribe(queue.arn, { RawMessageDelivery: 'maybe' }));
    expect(bad.message).toBe('Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [maybe]. Must be true or false.');
    const differs = await snsError(subscribe(queue.arn, { RawMessageDelivery: 'false' }));
    expect([differs.name, differs.message]).toEqual(['InvalidParameterException', 'Invalid parameter: Attributes Reason: Subscription already exists with different attributes']);
    const listed = await client.send(new ListSubscriptionsByTopicCommand({ TopicArn: TOPIC_ARN }));
    expect(listed.Subscriptions!.filter((s) => s.Endpoint === queue.arn)).toEqual([
      { SubscriptionArn: first.SubscriptionArn, Owner: ACCOUNT, Protocol: 'sqs', Endpoint: queue.arn, TopicArn: TOPIC_ARN },
    ]);
    // The stack's own subscription answers the same way.
    const declared = (await client.send(new ListSubscriptionsCommand({}))).Subscriptions!.find((s) => s.Endpoint === FUNCTION_ARN)!;
    expect(await subscribe(FUNCTION_ARN, undefined, 'lambda')).toMatchObject({ SubscriptionArn: declared.SubscriptionArn });
  });

  it('Unsubscribe stops the deliveries; an ARN no subscription has is no error', async () => {
    const queue = await spyQueue('spy-unsubscribed');
    const { SubscriptionArn } = await subscribe(queue.arn);
    await publish('before');
    expect(await drained(queue.url)).toHaveLength(1);
    await client.send(new UnsubscribeCommand({ SubscriptionArn }));
    await publish('after');
    expect(await drained(queue.url)).toEqual([]);
    expect((await client.send(new ListSubscriptionsCommand({}))).Subscriptions!.map((s) => s.SubscriptionArn)).not.toContain(SubscriptionArn);
    await client.send(new UnsubscribeCommand({ SubscriptionArn }));
    const gone = await snsError(client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn })));
    expect([gone.name, gone.message, gone.$metadata.httpStatusCode]).toEqual(['NotFoundException', 'Subscription does not exist', 404]);
  });

  it('GetSubscriptionAttributes answers SNS attribute names; SetSubscriptionAttributes changes what is delivered', async () => {
    const queue = await spyQueue('spy-attributes');
    const policy = JSON.stringify({ kind: ['a'] });
    const { SubscriptionArn } = await subscribe(queue.arn, { FilterPolicy: policy });
    expect((await client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes).toEqual({
      Owner: ACCOUNT,
      RawMessageDelivery: 'false',
      TopicArn: TOPIC_ARN,
      Endpoint: queue.arn,
      Protocol: 'sqs',
      PendingConfirmation: 'false',
      ConfirmationWasAuthenticated: 'true',
      SubscriptionArn,
      FilterPolicy: policy,
      FilterPolicyScope: 'MessageAttributes',
    });
    await client.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'RawMessageDelivery', AttributeValue: 'true' }));
    await client.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'FilterPolicy', AttributeValue: JSON.stringify({ kind: ['b'] }) }));
    await publish('is-a', { kind: 'a' });
    await publish('is-b', { kind: 'b' });
    expect((await drained(queue.url)).map((m) => m.Body)).toEqual(['is-b']);
    const bad = await snsError(client.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'RawMessageDelivery', AttributeValue: 'yes' })));
    expect([bad.name, bad.message]).toEqual(['InvalidParameterException', 'Invalid parameter: RawMessageDelivery: Invalid value [yes]. Must be true or false.']);
    // An empty filter policy removes it: every message passes again.
    await client.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'FilterPolicy', AttributeValue: '' }));
    await publish('any');
    expect((await drained(queue.url)).map((m) => m.Body)).toEqual(['any']);
    const attributes = (await client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!;
    expect([attributes['RawMessageDelivery'], attributes['FilterPolicy']]).toEqual(['true', undefined]);
  });

  it('a subscription the stack declares: Get answers, Unsubscribe and Set are refused naming it', async () => {
    const declared = (await client.send(new ListSubscriptionsByTopicCommand({ TopicArn: TOPIC_ARN }))).Subscriptions!.find((s) => s.Endpoint === FUNCTION_ARN)!;
    const SubscriptionArn = declared.SubscriptionArn!;
    expect((await client.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes).toMatchObject({
      Protocol: 'lambda',
      Endpoint: FUNCTION_ARN,
      RawMessageDelivery: 'false',
      PendingConfirmation: 'false',
    });
    for (const call of [
      client.send(new UnsubscribeCommand({ SubscriptionArn })),
      client.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'FilterPolicy', AttributeValue: '{"k":["v"]}' })),
    ]) {
      const refused = await snsError(call);
      expect(refused.name).toBe('InvalidParameterException');
      expect(refused.message).toContain('the stack declares it (AWS::SNS::Subscription LambdaSub). Change it in the app instead');
    }
    await publish('still-subscribed');
    expect(recorded.invocations.some((i) => i.functionRef === FUNCTION_ARN && i.payload.includes('still-subscribed'))).toBe(true);
  });

  it('refuses what the local runtime cannot deliver, and what SNS refuses, with SNS errors', async () => {
    const refused = async (promise: Promise<unknown>) => {
      const error = await snsError(promise);
      return [error.name, error.message];
    };
    expect(await refused(subscribe('https://example.com/hook', undefined, 'https'))).toEqual([
      'InvalidParameterException',
      'Invalid parameter: Protocol Reason: protocol https is not supported locally (lambda and sqs are)',
    ]);
    expect(await refused(subscribe('x', undefined, 'carrier-pigeon'))).toEqual([
      'InvalidParameterException',
      'Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon',
    ]);
    expect(await refused(subscribe('not-an-arn'))).toEqual(['InvalidParameterException', 'Invalid parameter: SQS endpoint ARN']);
    expect(await refused(subscribe(queueArnOf('spy.fifo')))).toEqual([
      'InvalidParameterException',
      'Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics',
    ]);
    expect(await refused(subscribe(`arn:aws:sqs:${REGION}:111122223333:elsewhere`))).toEqual([
      'InvalidParameterException',
      expect.stringContaining("the local runtime serves subscriptions of endpoints in the topic's account"),
    ]);
    expect(await refused(subscribe(FUNCTION_ARN.replace('destined', 'raw-fn'), { RawMessageDelivery: 'true' }, 'lambda'))).toEqual([
      'InvalidParameterException',
      'Invalid parameter: Attributes Reason: Delivery protocol [lambda] does not support raw message delivery.',
    ]);
    expect(await refused(subscribe(queueArnOf('bad-filter'), { FilterPolicy: '{"k":[]}' }))).toEqual([
      'InvalidParameterException',
      'Invalid parameter: FilterPolicy: Empty arrays are not allowed',
    ]);
    expect(await refused(subscribe(queueArnOf('bad-redrive'), { RedrivePolicy: '{"deadLetterTargetArn":"nope"}' }))).toEqual([
      'InvalidParameterException',
      'Invalid parameter: Attributes Reason: RedrivePolicy: deadLetterTargetArn is an invalid arn',
    ]);
    expect(await refused(subscribe(queueArnOf('bad-name'), { Colour: 'blue' }))).toEqual(['InvalidParameterException', 'Invalid parameter: Attributes Reason: AttributeName']);
    expect(await refused(subscribe(queueArnOf('http-only'), { DeliveryPolicy: '{}' }))).toEqual([
      'InvalidParameterException',
      expect.stringContaining('DeliveryPolicy: a delivery policy applies to HTTP/S endpoints only'),
    ]);
    const unknownTopic = await snsError(client.send(new SubscribeCommand({ TopicArn: `${TOPIC_ARN}-gone`, Protocol: 'sqs', Endpoint: queueArnOf('q') })));
    expect([unknownTopic.name, unknownTopic.message]).toEqual(['NotFoundException', 'Topic does not exist']);
    // Nothing refused was subscribed.
    const endpoints = (await client.send(new ListSubscriptionsCommand({}))).Subscriptions!.map((s) => s.Endpoint);
    expect(endpoints.filter((e) => /bad-|http-only|raw-fn|elsewhere/.test(e ?? ''))).toEqual([]);
  });
});

describe('subscriptions made through the API, across restarts', () => {
  it('come back on the state store, with their attributes, before the deliveries they had not finished resume; unsubscribed ones do not', async () => {
    const state = new MemoryStateStore();
    // SQS is down in the first run: each delivery fails, and the runtime stops while it waits for a retry.
    let stop = () => {};
    const first = servedPair(state, {
      sendMessage: async () => {
        stop();
        throw new AwsError('InternalError', 'SQS is down', 500);
      },
    });
    stop = () => first.sns.dispose();
    const kept = first.sns.subscribe({ TopicArn: TOPIC_ARN, Protocol: 'sqs', Endpoint: queueArnOf('kept'), Attributes: { RawMessageDelivery: 'true', FilterPolicy: '{"kind":["k"]}' } });
    const gone = first.sns.subscribe({ TopicArn: TOPIC_ARN, Protocol: 'sqs', Endpoint: queueArnOf('gone'), Attributes: {} });
    first.sns.unsubscribe(gone);
    await first.sns.publish({ TopicArn: TOPIC_ARN, Message: 'before-stop', MessageAttributes: { kind: { DataType: 'String', StringValue: 'k' } } });
    await first.sns.whenIdle();

    const second = servedPair(state);
    expect(second.sns.subscriptions.map((s) => s.arn).filter((arn) => arn === kept || arn === gone)).toEqual([kept]);
    expect(second.sns.getSubscriptionAttributes(kept)).toMatchObject({ RawMessageDelivery: 'true', FilterPolicy: '{"kind":["k"]}', Endpoint: queueArnOf('kept') });
    expect(second.sns.stateOwners()).toEqual([
      { logicalId: 'Subscribe', type: 'AWS::SNS::Subscription (Subscribe)' },
      { logicalId: kept, type: 'AWS::SNS::Subscription (Subscribe)' },
    ]);
    const queue = second.sqs.createQueueFromApi('kept', { Policy: snsMaySend(queueArnOf('kept')) });
    expect(second.sns.resume()).toBe(1);
    await second.sns.publish({ TopicArn: TOPIC_ARN, Message: 'after-restart', MessageAttributes: { kind: { DataType: 'String', StringValue: 'k' } } });
    await second.sns.publish({ TopicArn: TOPIC_ARN, Message: 'filtered-out' });
    await second.sns.whenIdle();
    const messages = await second.sqs.receive(queue.url, { MaxNumberOfMessages: 10, WaitTimeSeconds: 0 });
    expect(messages.map((m) => m.Body).sort()).toEqual(['after-restart', 'before-stop']);
    second.sns.dispose();
  });

  const app = durableApps();

  it('the spy flow on the app: a queue subscribed to its topic gets what is published, and still does after the runtime restarts', async () => {
    const durable = app('tdl-sns-subscribe-');
    const start = async () => {
      const runtime = await durable.start();
      return {
        runtime,
        sn: new SNSClient({ endpoint: runtime.endpoint, ...TEST_CLIENT, maxAttempts: 1 }),
        sq: new SQSClient({ endpoint: runtime.endpoint, ...TEST_CLIENT, maxAttempts: 1 }),
      };
    };
    const spy = async (c: Awaited<ReturnType<typeof start>>, TopicArn: string, QueueUrl: string, Message: string) => {
      await c.sn.send(new PublishCommand({ TopicArn, Message }));
      await c.runtime.services.sns.whenIdle();
      const { Messages = [] } = await c.sq.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      // Read and deleted, as a spy does: the runtime's shrunk visibility timeout would otherwise show them again.
      for (const m of Messages) await c.sq.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle! }));
      return Messages.map((m) => m.Body);
    };

    const first = await start();
    const topicArn = (await first.sn.send(new ListTopicsCommand({}))).Topics![0]!.TopicArn!;
    const queueArn = `arn:aws:sqs:us-east-1:${topicArn.split(':')[4]}:sns-spy`;
    const { QueueUrl } = await first.sq.send(new CreateQueueCommand({ QueueName: 'sns-spy', Attributes: { Policy: snsMaySend(queueArn, topicArn) } }));
    const { SubscriptionArn } = await first.sn.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: { RawMessageDelivery: 'true' }, ReturnSubscriptionArn: true }),
    );
    expect(await spy(first, topicArn, QueueUrl!, '{"run":1}')).toEqual(['{"run":1}']);
    first.sn.destroy();
    first.sq.destroy();
    await durable.stop(first.runtime);

    const second = await start();
    try {
      const listed = await second.sn.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
      expect(listed.Subscriptions!.filter((s) => s.Endpoint === queueArn).map((s) => s.SubscriptionArn)).toEqual([SubscriptionArn]);
      expect(await spy(second, topicArn, QueueUrl!, '{"run":2}')).toEqual(['{"run":2}']);
    } finally {
      second.sn.destroy();
      second.sq.destroy();
    }
  });
});
