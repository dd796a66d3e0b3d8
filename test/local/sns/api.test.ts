import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  PublishCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { createClock } from '../../../local/clock.js';
import { matchesPattern } from '../../../local/eventbridge/pattern.js';
import type { HttpRequest } from '../../../local/protocol/http.js';
import { serveApis, TEST_CLIENT, type Served } from '../../support/serve.js';
import { queryParams } from '../../../local/protocol/query.js';
import { snsApi, snsServiceEndpoint } from '../../../local/sns/api.js';
import { SnsService } from '../../../local/sns/service.js';
import { ACCOUNT, FUNCTION_ARN, QUEUE_ARN, TOPIC_ARN, recordingSinks, resource, subscriptionResource, topicResource, snsError } from './stack-fixture.js';
import { fakeStack } from '../../support/fake-stack.js';

const recorded = recordingSinks();
const service = SnsService.fromStack(
  fakeStack([
    topicResource('Topic', { TopicName: 'events-topic', DisplayName: 'Events' }),
    subscriptionResource('LambdaSub', { Protocol: 'lambda', Endpoint: FUNCTION_ARN }),
    subscriptionResource('QueueSub', { Protocol: 'sqs', Endpoint: QUEUE_ARN, RawMessageDelivery: true }),
  ]),
  { sinks: recorded.sinks, matcher: matchesPattern, clock: createClock(0.001) },
);
const api = snsApi(service);

let server: Served;
let endpoint: string;
let client: SNSClient;

beforeAll(async () => {
  server = await serveApis({ query: [api] });
  endpoint = server.endpoint;
  client = new SNSClient({ endpoint, ...TEST_CLIENT, maxAttempts: 1 });
});

afterAll(async () => {
  client.destroy();
  await server.close();
});

describe('SNS Query API with @aws-sdk/client-sns', () => {
  it('publishes with message attributes and delivers them', async () => {
    const before = recorded.sent.length;
    const result = await client.send(
      new PublishCommand({
        TopicArn: TOPIC_ARN,
        Message: 'hello & goodbye',
        Subject: 'Hi',
        MessageAttributes: {
          mode: { DataType: 'String', StringValue: 'fail' },
          count: { DataType: 'Number', StringValue: '2' },
          blob: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 255]) },
        },
      }),
    );
    expect(result.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.SequenceNumber).toBeUndefined();
    await service.whenIdle();
    const raw = recorded.sent.slice(before).find((m) => m.queueArn === QUEUE_ARN)!;
    expect(raw.body).toBe('hello & goodbye');
    expect(raw.attributes?.['count']).toEqual({ DataType: 'Number', StringValue: '2' });
    expect([...raw.attributes!['blob']!.BinaryValue!]).toEqual([0, 255]);
    const event = JSON.parse(recorded.invocations.at(-1)!.payload);
    expect(event.Records[0].Sns.MessageId).toBe(result.MessageId);
    expect(event.Records[0].Sns.MessageAttributes.blob).toEqual({ Type: 'Binary', Value: 'AP8=' });
  });

  it('answers SNS errors the SDK recognises', async () => {
    const empty = await snsError(client.send(new PublishCommand({ TopicArn: TOPIC_ARN, Message: '' })));
    expect([empty.name, empty.message, empty.$metadata.httpStatusCode]).toEqual(['InvalidParameterException', 'Invalid parameter: Empty message', 400]);
    const missing = await snsError(client.send(new PublishCommand({ TopicArn: `${TOPIC_ARN}-nope`, Message: 'm' })));
    expect([missing.name, missing.message, missing.$metadata.httpStatusCode]).toEqual(['NotFoundException', 'Topic does not exist', 404]);
    const badAttribute = await snsError(
      client.send(new PublishCommand({ TopicArn: TOPIC_ARN, Message: 'm', MessageAttributes: { n: { DataType: 'Number', StringValue: 'x' } } })),
    );
    expect([badAttribute.name, badAttribute.message]).toEqual(['InvalidParameterValueException', "Could not cast message attribute 'n' value to number."]);
  });

  it('lists topics and subscriptions and reads topic attributes', async () => {
    const topics = await client.send(new ListTopicsCommand({}));
    expect(topics.Topics).toEqual([{ TopicArn: TOPIC_ARN }]);
    const subscriptions = await client.send(new ListSubscriptionsByTopicCommand({ TopicArn: TOPIC_ARN }));
    expect(subscriptions.Subscriptions).toEqual(
      service.subscriptions.map((s) => ({ SubscriptionArn: s.arn, Owner: ACCOUNT, Protocol: s.protocol, Endpoint: s.endpoint, TopicArn: TOPIC_ARN })),
    );
    const attributes = await client.send(new GetTopicAttributesCommand({ TopicArn: TOPIC_ARN }));
    expect(attributes.Attributes).toMatchObject({ TopicArn: TOPIC_ARN, DisplayName: 'Events', Owner: ACCOUNT, SubscriptionsConfirmed: '2' });
    expect(JSON.parse(attributes.Attributes!['Policy']!).Statement[0].Resource).toBe(TOPIC_ARN);
    const notFound = await snsError(client.send(new GetTopicAttributesCommand({ TopicArn: `${TOPIC_ARN}-nope` })));
    expect(notFound.name).toBe('NotFoundException');
  });

  it("answers the stack's TopicPolicy document as the Policy attribute", async () => {
    const document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish', Resource: TOPIC_ARN }] };
    const withPolicy = SnsService.fromStack(
      fakeStack([topicResource(), resource('Policy', 'AWS::SNS::TopicPolicy', { Topics: [TOPIC_ARN], PolicyDocument: document })]),
      { sinks: recordingSinks().sinks, matcher: matchesPattern, clock: createClock(0.001) },
    );
    const result = await snsApi(withPolicy).operations['GetTopicAttributes']!(new Map([['TopicArn', TOPIC_ARN]]));
    expect(JSON.parse(JSON.parse(JSON.stringify(result)).Attributes.Policy)).toEqual(document);
  });

  it('accepts a raw form POST as the AWS CLI sends it', async () => {
    const body = new URLSearchParams({ Action: 'Publish', Version: '2010-03-31', TopicArn: TOPIC_ARN, Message: 'from the cli' }).toString();
    const response = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body });
    expect(response.status).toBe(200);
    const xml = await response.text();
    expect(xml).toMatch(/<PublishResponse xmlns="http:\/\/sns\.amazonaws\.com\/doc\/2010-03-31\/"><PublishResult><MessageId>[0-9a-f-]{36}<\/MessageId><\/PublishResult>/);
    expect(xml).not.toContain('SequenceNumber');
  });
});

function toRequest(method: string, url: string, headers: HttpRequest['headers'], body: Buffer): HttpRequest {
  const q = url.indexOf('?');
  return { method, path: q < 0 ? url : url.slice(0, q), rawQuery: q < 0 ? '' : url.slice(q + 1), headers, body, sourceIp: '127.0.0.1' };
}

describe('snsServiceEndpoint (API Gateway AWS integration)', () => {
  const call = snsServiceEndpoint(service);
  const request = (body: string, rawQuery = '', headers: HttpRequest['headers'] = {}) =>
    call(toRequest('POST', rawQuery ? `/?${rawQuery}` : '/', { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers }, Buffer.from(body)));

  it('answers Publish in JSON with SequenceNumber null', async () => {
    const response = await request(`Action=Publish&TopicArn=${encodeURIComponent(TOPIC_ARN)}&Message=${encodeURIComponent('{"a":1}')}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    const json = JSON.parse(String(response.body));
    expect(Object.keys(json)).toEqual(['PublishResponse']);
    expect(Object.keys(json.PublishResponse)).toEqual(['PublishResult', 'ResponseMetadata']);
    expect(json.PublishResponse.PublishResult).toEqual({ MessageId: expect.stringMatching(/^[0-9a-f-]{36}$/), SequenceNumber: null });
    expect(json.PublishResponse.ResponseMetadata.RequestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('decodes + as a space and keeps an encoded &TargetArn= inside the message', async () => {
    await service.whenIdle();
    const before = recorded.invocations.length;
    const message = 'a+b & c&TargetArn=arn:aws:sns:us-east-1:000000000000:other';
    const response = await request(`Action=Publish&TopicArn=${encodeURIComponent(TOPIC_ARN)}&Message=${encodeURIComponent(message).replace(/%20/g, '+')}`);
    expect(response.statusCode).toBe(200);
    await service.whenIdle();
    expect(JSON.parse(recorded.invocations[before]!.payload).Records[0].Sns.Message).toBe(message);
  });

  it('reads a form body over the query string', () => {
    const req = toRequest('POST', '/?Action=Publish&Message=query&Subject=s', { 'content-type': 'application/x-www-form-urlencoded' }, Buffer.from('Message=body'));
    expect(Object.fromEntries(queryParams(req))).toEqual({ Action: 'Publish', Message: 'body', Subject: 's' });
    // The query string's order, the body's new parameters after it.
    const both = toRequest('POST', '/?Message=query&Action=Publish', { 'content-type': 'application/x-www-form-urlencoded' }, Buffer.from('Subject=s&Message=body'));
    const other = toRequest('POST', '/', { 'content-type': 'application/x-www-form-urlencoded' }, Buffer.from('Action=Publish&Message=other'));
    expect([...queryParams(both)]).toEqual([['Message', 'body'], ['Action', 'Publish'], ['Subject', 's']]);
    expect([...queryParams(other)]).toEqual([['Action', 'Publish'], ['Message', 'other']]);
    const json = toRequest('POST', '/?Action=Publish&Message=query', { 'content-type': 'application/json' }, Buffer.from('Message=body'));
    expect(queryParams(json).get('Message')).toBe('query');
    // A body without a form content type is not read either, as at the front door.
    const untyped = toRequest('POST', '/?Action=Publish&Message=query', {}, Buffer.from('Message=body'));
    expect(queryParams(untyped).get('Message')).toBe('query');
  });

  it('reads parameters from the query string too', async () => {
    const response = await request('', `Action=Publish&TopicArn=${encodeURIComponent(TOPIC_ARN)}&Message=hi`);
    expect(response.statusCode).toBe(200);
  });

  it('answers errors in JSON with the SNS code and status', async () => {
    const response = await request(`Action=Publish&TopicArn=${encodeURIComponent(TOPIC_ARN)}`);
    expect(response.statusCode).toBe(400);
    const json = JSON.parse(String(response.body));
    expect(json.Error).toEqual({ Type: 'Sender', Code: 'InvalidParameter', Message: 'Invalid parameter: Empty message' });
    const missing = await request(`Action=Publish&TopicArn=${encodeURIComponent(`${TOPIC_ARN}-nope`)}&Message=m`);
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(String(missing.body)).Error.Code).toBe('NotFound');
  });

  it('answers XML without Accept: application/json', async () => {
    const response = await request(`Action=ListTopics`, '', { accept: '*/*' });
    expect(response.headers['content-type']).toBe('text/xml');
    expect(String(response.body)).toContain(`<Topics><member><TopicArn>${TOPIC_ARN}</TopicArn></member></Topics>`);
  });
});
