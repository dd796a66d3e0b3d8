/**
 * PublishBatch over the SNS Query API with @aws-sdk/client-sns: a batch-level
 * refusal, or an entry Publish would refuse, fails the whole request and
 * publishes nothing; every published entry is delivered as Publish delivers it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublishBatchCommand, PublishCommand, SNSClient, type PublishBatchRequestEntry } from '@aws-sdk/client-sns';
import { awsApiHandler } from '../../../local/aws-api.js';
import { createClock } from '../../../local/clock.js';
import { matchesPattern } from '../../../local/eventbridge/pattern.js';
import { iamEdge } from '../../../local/iam/edge.js';
import { IamService } from '../../../local/iam/service.js';
import { snsApi, snsServiceEndpoint } from '../../../local/sns/api.js';
import { SnsService } from '../../../local/sns/service.js';
import { MemoryStateStore } from '../../../local/state/memory.js';
import { fakeStack } from '../../support/fake-stack.js';
import { serve, serveApis, TEST_CLIENT, type Served } from '../../support/serve.js';
import { ACCOUNT, FUNCTION_ARN, QUEUE_ARN, REGION, TOPIC_ARN, recordingSinks, resource, subscriptionResource, topicResource, snsError } from './stack-fixture.js';

const FILTERED_QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:filtered-queue`;
const OTHER_TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:other-topic`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/caller-role`;

const stack = fakeStack([
  topicResource(),
  topicResource('Other', { TopicName: 'other-topic' }),
  subscriptionResource('LambdaSub', { Protocol: 'lambda', Endpoint: FUNCTION_ARN }),
  subscriptionResource('QueueSub', { Protocol: 'sqs', Endpoint: QUEUE_ARN, RawMessageDelivery: true }),
  subscriptionResource('FilteredSub', { Protocol: 'sqs', Endpoint: FILTERED_QUEUE_ARN, RawMessageDelivery: true, FilterPolicy: { kind: ['wanted'] } }),
  // May publish to the events topic only: PublishBatch must be authorized as sns:Publish.
  resource(
    'CallerRole',
    'AWS::IAM::Role',
    {
      AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
      Policies: [{ PolicyName: 'publish', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sns:Publish', Resource: TOPIC_ARN }] } }],
    },
    { ref: 'caller-role', arn: ROLE },
  ),
]);

const recorded = recordingSinks({ queues: [QUEUE_ARN, FILTERED_QUEUE_ARN] });
const state = new MemoryStateStore();
const service = SnsService.fromStack(stack, { sinks: recorded.sinks, matcher: matchesPattern, clock: createClock(0.001), state });
const api = snsApi(service);

let server: Served;
let client: SNSClient;

beforeAll(async () => {
  server = await serveApis({ query: [api] });
  client = new SNSClient({ endpoint: server.endpoint, ...TEST_CLIENT, maxAttempts: 1 });
});

afterAll(async () => {
  client.destroy();
  await server.close();
});

const batch = (entries: PublishBatchRequestEntry[], topicArn = TOPIC_ARN) =>
  client.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: entries }));
const entries = (count: number, message = (i: number) => `m${i}`): PublishBatchRequestEntry[] =>
  Array.from({ length: count }, (_, i) => ({ Id: `e${i}`, Message: message(i) }));

/** What a call delivered: the Lambda events' Sns records and the raw queue messages, once deliveries are done. */
async function deliveriesOf(call: () => Promise<unknown>) {
  await service.whenIdle();
  const invocations = recorded.invocations.length;
  const sent = recorded.sent.length;
  await call();
  await service.whenIdle();
  return {
    events: recorded.invocations.slice(invocations).map((i) => JSON.parse(i.payload).Records[0].Sns),
    queue: recorded.sent.slice(sent).filter((m) => m.queueArn === QUEUE_ARN),
    filtered: recorded.sent.slice(sent).filter((m) => m.queueArn === FILTERED_QUEUE_ARN),
  };
}

describe('PublishBatch with @aws-sdk/client-sns', () => {
  it('publishes every entry with its own MessageId and delivers each to the subscriptions its filter policies pass', async () => {
    let result: Awaited<ReturnType<typeof batch>> | undefined;
    const delivered = await deliveriesOf(async () => {
      result = await batch([
        { Id: 'first', Message: 'one', Subject: 'S1' },
        { Id: 'second', Message: 'two', MessageAttributes: { kind: { DataType: 'String', StringValue: 'wanted' } } },
        { Id: 'third-3_x', Message: JSON.stringify({ default: 'three', lambda: 'three for lambda' }), MessageStructure: 'json' },
      ]);
    });
    expect(result!.Failed).toEqual([]);
    expect(result!.Successful!.map((s) => s.Id)).toEqual(['first', 'second', 'third-3_x']);
    const ids = result!.Successful!.map((s) => s.MessageId!);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(result!.Successful!.every((s) => s.SequenceNumber === undefined)).toBe(true);

    const byId = new Map(delivered.events.map((sns) => [sns.MessageId, sns]));
    expect([...byId.keys()].sort()).toEqual([...ids].sort());
    expect(byId.get(ids[0]!)).toMatchObject({ TopicArn: TOPIC_ARN, Message: 'one', Subject: 'S1' });
    expect(byId.get(ids[1]!)).toMatchObject({ Message: 'two', MessageAttributes: { kind: { Type: 'String', Value: 'wanted' } } });
    // MessageStructure json: each protocol gets its own body, as from Publish.
    expect(byId.get(ids[2]!)).toMatchObject({ Message: 'three for lambda' });
    expect(delivered.queue.map((m) => m.body).sort()).toEqual(['one', 'three', 'two']);
    // The filter policy passes the one entry whose attributes match it.
    expect(delivered.filtered.map((m) => m.body)).toEqual(['two']);
  });

  it('delivers an entry exactly as Publish delivers the same message', async () => {
    const message = { Message: 'same', Subject: 'Same', MessageAttributes: { kind: { DataType: 'String', StringValue: 'wanted' } } };
    const published = await deliveriesOf(() => client.send(new PublishCommand({ TopicArn: TOPIC_ARN, ...message })));
    const batched = await deliveriesOf(() => batch([{ Id: 'only', ...message }]));
    const strip = ({ MessageId: _id, Timestamp: _t, Signature: _s, ...rest }: Record<string, unknown>) => rest;
    expect(batched.events.map(strip)).toEqual(published.events.map(strip));
    expect(batched.queue).toEqual(published.queue);
    expect(batched.filtered).toEqual(published.filtered);
  });

  it('round-trips message attributes of every type to the subscribers', async () => {
    const attributes = {
      text: { DataType: 'String', StringValue: 'héllo & <b>' },
      count: { DataType: 'Number', StringValue: '-1.5e3' },
      list: { DataType: 'String.Array', StringValue: '["a",1,true,null]' },
      blob: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 254, 255]) },
      'custom.type': { DataType: 'String.custom', StringValue: 'c' },
    };
    const delivered = await deliveriesOf(() => batch([{ Id: 'attrs', Message: 'with attributes', MessageAttributes: attributes }]));
    const raw = delivered.queue[0]!.attributes!;
    expect(Object.keys(raw)).toEqual(Object.keys(attributes));
    expect(raw['text']).toEqual(attributes.text);
    expect(raw['count']).toEqual(attributes.count);
    expect(raw['list']).toEqual(attributes.list);
    expect(raw['custom.type']).toEqual(attributes['custom.type']);
    expect([...raw['blob']!.BinaryValue!]).toEqual([0, 1, 254, 255]);
    expect(delivered.events[0].MessageAttributes).toEqual({
      text: { Type: 'String', Value: 'héllo & <b>' },
      count: { Type: 'Number', Value: '-1.5e3' },
      list: { Type: 'String.Array', Value: '["a",1,true,null]' },
      blob: { Type: 'Binary', Value: 'AAH+/w==' },
      'custom.type': { Type: 'String.custom', Value: 'c' },
    });
  });

  it('refuses the whole batch with the error Publish answers for a malformed entry, and publishes none of it', async () => {
    const bad: Record<string, Omit<PublishBatchRequestEntry, 'Id'>> = {
      empty: { Message: '' },
      number: { Message: 'm', MessageAttributes: { n: { DataType: 'Number', StringValue: 'x' } } },
      structure: { Message: '{"lambda":"no default"}', MessageStructure: 'json' },
      subject: { Message: 'm', Subject: 'line\nbreak' },
      dedup: { Message: 'm', MessageDeduplicationId: 'd-1' },
    };
    for (const [Id, entry] of Object.entries(bad)) {
      const publishError = await snsError(client.send(new PublishCommand({ TopicArn: TOPIC_ARN, ...entry })));
      const delivered = await deliveriesOf(async () => {
        const batchError = await snsError(batch([{ Id: 'good1', Message: 'kept 1' }, { Id, ...entry }, { Id: 'good2', Message: 'kept 2' }]));
        expect({ name: batchError.name, message: batchError.message, status: batchError.$metadata.httpStatusCode }, Id).toEqual({
          name: publishError.name,
          message: publishError.message,
          status: publishError.$metadata.httpStatusCode,
        });
      });
      expect(delivered, Id).toEqual({ events: [], queue: [], filtered: [] });
    }
  });

  it.each<[string, () => PublishBatchRequestEntry[], string, string]>([
    ['no entries', () => [], 'EmptyBatchRequestException', "The batch request doesn't contain any entries."],
    ['eleven entries', () => entries(11), 'TooManyEntriesInBatchRequestException', 'The batch request contains more entries than permissible.'],
    ['a repeated Id', () => [...entries(2), { Id: 'e0', Message: 'again' }], 'BatchEntryIdsNotDistinctException', 'Two or more batch entries in the request have the same Id.'],
    ['an Id with a dot', () => [{ Id: 'message.id', Message: 'm' }], 'InvalidBatchEntryIdException', 'The Id of a batch entry in the batch request contains an impermissible character: message.id'],
    ['an Id of 81 letters', () => [{ Id: 'x'.repeat(81), Message: 'm' }], 'InvalidBatchEntryIdException', `The Id of a batch entry in the batch request is too long: ${'x'.repeat(81)}`],
    [
      'messages over 256 KiB together',
      () => entries(2, () => 'x'.repeat(131_000)).concat({ Id: 'tail', Message: 'y'.repeat(200), MessageAttributes: { a: { DataType: 'String', StringValue: 'v' } } }),
      'BatchRequestTooLongException',
      'The length of all the messages put together is more than the limit.',
    ],
  ])('refuses the whole request for %s (400) and publishes nothing', async (_what, make, name, message) => {
    const delivered = await deliveriesOf(async () => {
      const error = await snsError(batch(make()));
      expect([error.name, error.message, error.$metadata.httpStatusCode]).toEqual([name, message, 400]);
    });
    expect(delivered).toEqual({ events: [], queue: [], filtered: [] });
  });

  it('takes ten entries and 256 KiB of messages together', async () => {
    const ten = await batch(entries(10));
    expect(ten.Successful).toHaveLength(10);
    // 262,144 bytes: the body and the attribute's name, type and value all count.
    const full = await batch([
      { Id: 'a', Message: 'x'.repeat(131_072) },
      { Id: 'b', Message: 'y'.repeat(131_072 - 'k'.length - 'String'.length - 'v'.length), MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } },
    ]);
    expect(full.Successful).toHaveLength(2);
    const over = await snsError(batch([{ Id: 'a', Message: 'x'.repeat(131_072) }, { Id: 'b', Message: 'y'.repeat(131_073) }]));
    expect(over.name).toBe('BatchRequestTooLongException');
    await service.whenIdle();
  });

  it('refuses the whole request for a missing, malformed or unknown topic, as Publish does', async () => {
    const unknown = await snsError(batch(entries(1), `${TOPIC_ARN}-nope`));
    expect([unknown.name, unknown.message, unknown.$metadata.httpStatusCode]).toEqual(['NotFoundException', 'Topic does not exist', 404]);
    const malformed = await snsError(batch(entries(1), 'not-an-arn'));
    expect([malformed.name, malformed.message]).toEqual(['InvalidParameterException', 'Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1']);
    const foreign = await snsError(batch(entries(1), TOPIC_ARN.replace(REGION, 'eu-west-3')));
    expect([foreign.name, foreign.message]).toEqual(['InvalidParameterException', 'Invalid parameter: TopicArn']);
  });

  it('refuses the whole request, in Query XML, for a member that must not be null', async () => {
    const post = (params: Record<string, string>) =>
      fetch(server.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ Action: 'PublishBatch', Version: '2010-03-31', ...params }).toString(),
      });
    const delivered = await deliveriesOf(async () => {
      const noTopic = await post({ 'PublishBatchRequestEntries.member.1.Id': 'a', 'PublishBatchRequestEntries.member.1.Message': 'm' });
      expect(noTopic.status).toBe(400);
      expect(await noTopic.text()).toContain(
        "<Code>ValidationError</Code><Message>1 validation error detected: Value null at &apos;topicArn&apos; failed to satisfy constraint: Member must not be null</Message>",
      );
      const noId = await post({ TopicArn: TOPIC_ARN, 'PublishBatchRequestEntries.member.1.Id': 'a', 'PublishBatchRequestEntries.member.1.Message': 'm', 'PublishBatchRequestEntries.member.2.Message': 'm' });
      expect(noId.status).toBe(400);
      expect(await noId.text()).toContain('Value null at &apos;publishBatchRequestEntries.2.member.id&apos; failed to satisfy constraint: Member must not be null');
      const noDataType = await post({
        TopicArn: TOPIC_ARN,
        'PublishBatchRequestEntries.member.1.Id': 'a',
        'PublishBatchRequestEntries.member.1.Message': 'm',
        'PublishBatchRequestEntries.member.2.Id': 'b',
        'PublishBatchRequestEntries.member.2.Message': 'm',
        'PublishBatchRequestEntries.member.2.MessageAttributes.entry.1.Name': 'k',
        'PublishBatchRequestEntries.member.2.MessageAttributes.entry.1.Value.StringValue': 'v',
      });
      expect(noDataType.status).toBe(400);
      const xml = await noDataType.text();
      expect(xml).toMatch(/^<\?xml version="1\.0"\?>\n<ErrorResponse xmlns="http:\/\/sns\.amazonaws\.com\/doc\/2010-03-31\/"><Error><Type>Sender<\/Type><Code>ValidationError<\/Code>/);
      expect(xml).toContain('Value null at &apos;publishBatchRequestEntries.2.member.messageAttributes.k.member.dataType&apos; failed to satisfy constraint');
    });
    // The good first entry of each request was not published either.
    expect(delivered).toEqual({ events: [], queue: [], filtered: [] });
  });

  it('answers in Query XML as SNS does', async () => {
    const body = new URLSearchParams({
      Action: 'PublishBatch',
      Version: '2010-03-31',
      TopicArn: TOPIC_ARN,
      'PublishBatchRequestEntries.member.1.Id': 'ok',
      'PublishBatchRequestEntries.member.1.Message': 'm',
    }).toString();
    const response = await fetch(server.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(
      new RegExp(
        '<PublishBatchResponse xmlns="http://sns\\.amazonaws\\.com/doc/2010-03-31/"><PublishBatchResult>' +
          '<Successful><member><Id>ok</Id><MessageId>[0-9a-f-]{36}</MessageId></member></Successful>' +
          '<Failed></Failed>' +
          '</PublishBatchResult><ResponseMetadata><RequestId>[0-9a-f-]{36}</RequestId></ResponseMetadata></PublishBatchResponse>',
      ),
    );
    await service.whenIdle();
  });

  it('saves every published entry for each subscription before it answers', async () => {
    await service.whenIdle();
    expect(state.count('sns-delivery')).toBe(0);
    const result = await service.publishBatch(TOPIC_ARN, [
      { Id: 'a', Message: 'a' },
      { Id: 'c', Message: 'c' },
    ]);
    expect(result.Successful).toHaveLength(2);
    // Two messages for each of the topic's three subscriptions (the filtered one is saved, then filtered out).
    expect(state.count('sns-delivery')).toBe(6);
    await service.whenIdle();
    expect(state.count('sns-delivery')).toBe(0);
  });
});

describe('PublishBatch as an API Gateway AWS integration calls it', () => {
  it('answers in JSON with SequenceNumber null, as Publish does', async () => {
    const call = snsServiceEndpoint(service);
    const form = new URLSearchParams({
      TopicArn: TOPIC_ARN,
      'PublishBatchRequestEntries.member.1.Id': 'ok',
      'PublishBatchRequestEntries.member.1.Message': 'from the integration',
    }).toString();
    const response = await call({
      method: 'POST',
      path: '/',
      rawQuery: 'Action=PublishBatch',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: Buffer.from(form),
      sourceIp: '127.0.0.1',
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    const json = JSON.parse(String(response.body));
    expect(Object.keys(json.PublishBatchResponse)).toEqual(['PublishBatchResult', 'ResponseMetadata']);
    expect(json.PublishBatchResponse.PublishBatchResult).toEqual({
      Successful: [{ Id: 'ok', MessageId: expect.stringMatching(/^[0-9a-f-]{36}$/), SequenceNumber: null }],
      Failed: [],
    });
    await service.whenIdle();
  });
});

describe('PublishBatch under IAM', () => {
  it('is authorized as sns:Publish, and denied as Publish is', async () => {
    const iam = IamService.fromStack(stack);
    const apis = { json: [], query: [api] };
    const served = await serve(iamEdge({ iam, env: stack.env, stackId: stack.stackId, ...apis, callersRole: ROLE }), awsApiHandler(apis));
    const sns = new SNSClient({ ...TEST_CLIENT, endpoint: served.endpoint, maxAttempts: 1 });
    try {
      // The role may sns:Publish to the events topic: that covers PublishBatch.
      const allowed = await sns.send(new PublishBatchCommand({ TopicArn: TOPIC_ARN, PublishBatchRequestEntries: entries(2) }));
      expect(allowed.Successful).toHaveLength(2);
      await service.whenIdle();

      const delivered = await deliveriesOf(async () => {
        const published = await snsError(sns.send(new PublishCommand({ TopicArn: OTHER_TOPIC_ARN, Message: 'm' })));
        const batched = await snsError(sns.send(new PublishBatchCommand({ TopicArn: OTHER_TOPIC_ARN, PublishBatchRequestEntries: entries(2) })));
        expect([batched.name, batched.$metadata.httpStatusCode]).toEqual(['AuthorizationErrorException', 403]);
        expect(batched.message).toBe(published.message);
        expect(batched.message).toContain(`is not authorized to perform: SNS:Publish on resource: ${OTHER_TOPIC_ARN}`);
      });
      expect(delivered).toEqual({ events: [], queue: [], filtered: [] });
    } finally {
      sns.destroy();
      await served.close();
    }
  });
});
