/**
 * Bad input, API by API and route by route, against one runtime started
 * once: each answer has AWS's HTTP status and error code, and the runtime
 * still serves afterwards. Raw HTTP, so nothing an SDK would refuse to send
 * is filtered out on the way.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalForTests } from '../support/local-runtime.js';
import type { LocalRuntime } from '../../local/runtime.js';

let runtime: LocalRuntime;
let topicArn: string;
let destined: string;
let queueUrl: string;

beforeAll(async () => {
  runtime = await startLocalForTests();
  const output = (key: string) => runtime.stack.outputs.find((o) => o.OutputKey === key)?.OutputValue;
  destined = output('DestinedFunctionName')!;
  topicArn = runtime.stack.resourcesOfType('AWS::SNS::Topic')[0]!.ref;
  const [method, path, headers, body] = json('1.0', 'AmazonSQS.CreateQueue', { QueueName: 'bad-input' });
  const created = await send(method, path, headers, body);
  expect(created.status, created.body).toBe(200);
  queueUrl = (JSON.parse(created.body) as { QueueUrl: string }).QueueUrl;
}, 120_000);
afterAll(async () => {
  await runtime?.stop();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<Answer> {
  const url = new URL(runtime.endpoint);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The AWS error code of an answer, from whichever place its protocol puts it. */
function errorCode(answer: Answer): string | undefined {
  const header = answer.headers['x-amzn-errortype'];
  if (typeof header === 'string') return header.split(':')[0];
  const xml = /<Code>([^<]+)<\/Code>/.exec(answer.body);
  if (xml) return xml[1];
  try {
    const json = JSON.parse(answer.body) as { __type?: string; message?: string };
    if (json.__type) return json.__type.split('#').pop();
  } catch {
    // Not JSON: no code.
  }
  return undefined;
}

const json = (version: '1.0' | '1.1', target: string, body: unknown) =>
  ['POST', '/', { 'content-type': `application/x-amz-json-${version}`, 'x-amz-target': target }, typeof body === 'string' ? body : JSON.stringify(body)] as const;
const query = (params: Record<string, string>) =>
  ['POST', '/', { 'content-type': 'application/x-www-form-urlencoded' }, new URLSearchParams(params).toString()] as const;

type Case = readonly [name: string, status: number, code: string | undefined, request: () => readonly [string, string, Record<string, string>, string?]];

async function expectStillServing(): Promise<void> {
  const health = await send('GET', '/_local/health');
  expect(health.status, 'the runtime stopped serving').toBe(200);
}

const cases: Record<string, Case[]> = {
  Lambda: [
    ['Invoke of a missing function', 404, 'ResourceNotFoundException', () => ['POST', '/2015-03-31/functions/no-such-function/invocations', {}, '{}']],
    ['Invoke with a body that is not JSON', 400, 'InvalidRequestContentException', () => ['POST', `/2015-03-31/functions/${destined}/invocations`, {}, '{not json']],
    ['Invoke Event over 1 MB', 413, 'RequestTooLargeException', () => ['POST', `/2015-03-31/functions/${destined}/invocations`, { 'x-amz-invocation-type': 'Event' }, JSON.stringify({ pad: 'x'.repeat(1024 * 1024) })]],
    ['Invoke RequestResponse over 6 MB', 413, 'RequestTooLargeException', () => ['POST', `/2015-03-31/functions/${destined}/invocations`, {}, JSON.stringify({ pad: 'x'.repeat(6 * 1024 * 1024) })]],
    ['Invoke with an unknown invocation type', 400, 'ValidationException', () => ['POST', `/2015-03-31/functions/${destined}/invocations`, { 'x-amz-invocation-type': 'Sometimes' }, '{}']],
  ],
  EventBridge: [
    ['PutEvents with 11 entries', 400, 'ValidationException', () => json('1.1', 'AWSEvents.PutEvents', { Entries: Array.from({ length: 11 }, () => ({ Source: 'app', DetailType: 't', Detail: '{}' })) })],
    ['PutEvents over 1 MB', 400, 'ValidationException', () => json('1.1', 'AWSEvents.PutEvents', { Entries: [{ Source: 'app', DetailType: 't', Detail: JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }) }] })],
    ['PutEvents with a body that is not JSON', 400, 'SerializationException', () => json('1.1', 'AWSEvents.PutEvents', '{oops')],
    ['an unknown operation', 400, 'UnknownOperationException', () => json('1.1', 'AWSEvents.NoSuchThing', {})],
    ['TestEventPattern with a broken pattern', 400, 'InvalidEventPatternException', () => json('1.1', 'AWSEvents.TestEventPattern', { EventPattern: '{"source":', Event: '{}' })],
  ],
  SNS: [
    ['Publish to a missing topic', 404, 'NotFound', () => query({ Action: 'Publish', Version: '2010-03-31', TopicArn: 'arn:aws:sns:us-east-1:000000000000:no-such-topic', Message: 'x' })],
    ['Publish over 256 KB', 400, 'InvalidParameter', () => query({ Action: 'Publish', Version: '2010-03-31', TopicArn: topicArn, Message: 'x'.repeat(256 * 1024 + 1) })],
    ['an unknown action', 400, 'InvalidAction', () => query({ Action: 'NoSuchAction', Version: '2010-03-31' })],
  ],
  SQS: [
    ['GetQueueUrl of a missing queue', 400, 'QueueDoesNotExist', () => json('1.0', 'AmazonSQS.GetQueueUrl', { QueueName: 'no-such-queue' })],
    ['SendMessage to a missing queue', 400, 'QueueDoesNotExist', () => json('1.0', 'AmazonSQS.SendMessage', { QueueUrl: `${runtime.endpoint}/000000000000/no-such-queue`, MessageBody: 'x' })],
    ['a body that is not JSON', 400, 'SerializationException', () => json('1.0', 'AmazonSQS.SendMessage', '[[')],
    ['SendMessage over 1 MiB', 400, 'InvalidParameterValue', () => json('1.0', 'AmazonSQS.SendMessage', { QueueUrl: queueUrl, MessageBody: 'x'.repeat(1_048_577) })],
    ['SendMessageBatch over 1 MiB in all', 400, 'BatchRequestTooLong', () => json('1.0', 'AmazonSQS.SendMessageBatch', { QueueUrl: queueUrl, Entries: [1, 2].map((i) => ({ Id: `m${i}`, MessageBody: 'x'.repeat(600 * 1024) })) })],
  ],
  'CloudWatch Logs': [
    ['CreateLogGroup with a 5 MB name', 400, 'InvalidParameterException', () => json('1.1', 'Logs_20140328.CreateLogGroup', { logGroupName: 'x'.repeat(5 * 1024 * 1024) })],
    ['CreateLogGroup with a forbidden character', 400, 'InvalidParameterException', () => json('1.1', 'Logs_20140328.CreateLogGroup', { logGroupName: 'bad name' })],
    ['CreateLogStream with a colon', 400, 'InvalidParameterException', () => json('1.1', 'Logs_20140328.CreateLogStream', { logGroupName: `/aws/lambda/${destined}`, logStreamName: 'a:b' })],
    ['PutLogEvents with a 2 MB event', 400, 'InvalidParameterException', () => json('1.1', 'Logs_20140328.PutLogEvents', { logGroupName: `/aws/lambda/${destined}`, logStreamName: 's', logEvents: [{ timestamp: Date.now(), message: 'x'.repeat(2 * 1024 * 1024) }] })],
    ['FilterLogEvents of a missing group', 400, 'ResourceNotFoundException', () => json('1.1', 'Logs_20140328.FilterLogEvents', { logGroupName: '/no/such/group' })],
    ['FilterLogEvents with three regexes', 400, 'InvalidParameterException', () => json('1.1', 'Logs_20140328.FilterLogEvents', { logGroupName: `/aws/lambda/${destined}`, filterPattern: '{ $.a = %x% || $.b = %y% || $.c = %z% }' })],
    ['FilterLogEvents with a forged nextToken', 400, 'InvalidParameterException', () => json('1.1', 'Logs_20140328.FilterLogEvents', { logGroupName: `/aws/lambda/${destined}`, nextToken: 'forged' })],
  ],
  CloudFormation: [
    ['DescribeStacks of a missing stack', 400, 'ValidationError', () => query({ Action: 'DescribeStacks', Version: '2010-05-15', StackName: 'NoSuchStack' })],
    ['an unknown action', 400, 'InvalidAction', () => query({ Action: 'NoSuchAction', Version: '2010-05-15' })],
  ],
  '/_local routes': [
    ['POST /_local/health', 405, undefined, () => ['POST', '/_local/health', {}, '{}']],
    ['an unknown /_local route', 404, undefined, () => ['GET', '/_local/nothing', {}]],
    ['/_local/traces with a bad since', 400, undefined, () => ['GET', '/_local/traces?since=soon', {}]],
    ['/_local/logs without a group', 400, undefined, () => ['GET', '/_local/logs', {}]],
    ['/_local/logs of a missing group', 404, undefined, () => ['GET', '/_local/logs?group=%2Fno%2Fsuch', {}]],
  ],
  'API Gateway': [
    ['an unknown resource', 403, 'MissingAuthenticationTokenException', () => ['GET', '/prod/NoSuchResource', {}]],
    ['an unknown stage', 403, 'MissingAuthenticationTokenException', () => ['GET', '/nostage/SendEvent', {}]],
    ['a method the resource lacks', 403, 'MissingAuthenticationTokenException', () => ['DELETE', '/prod/SendEvent', {}]],
    ['a malformed percent-encoding', 400, 'BadRequestException', () => ['GET', '/prod/SendEvent?mode=%zz', {}]],
    ['a body over the 10 MB payload limit', 413, 'RequestTooLargeException', () => ['POST', '/prod/SendEvent', { 'content-type': 'application/json' }, 'x'.repeat(11 * 1024 * 1024)]],
  ],
};

describe.each(Object.entries(cases))('bad input to %s', (_api, table) => {
  it.each(table)('%s -> %i %s', async (_name, status, code, make) => {
    const [method, path, headers, body] = make();
    const answer = await send(method, path, headers, body);
    expect({ status: answer.status, code: errorCode(answer) }, answer.body.slice(0, 300)).toEqual({ status, code });
    await expectStillServing();
  });
});

describe('entry-level errors', () => {
  it('PutEvents refuses an aws.* source entry by entry with NotAuthorizedForSourceException', async () => {
    const [method, path, headers, body] = json('1.1', 'AWSEvents.PutEvents', {
      Entries: [
        { Source: 'aws.lambda', DetailType: 't', Detail: '{}' },
        { Source: 'app', DetailType: 't', Detail: '{}' },
      ],
    });
    const answer = await send(method, path, headers, body);
    expect(answer.status).toBe(200);
    const result = JSON.parse(answer.body) as { FailedEntryCount: number; Entries: Array<{ ErrorCode?: string; EventId?: string }> };
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries[0]!.ErrorCode).toBe('NotAuthorizedForSourceException');
    expect(result.Entries[1]!.EventId).toBeDefined();
    await expectStillServing();
  });
});

describe('payloads AWS takes since 2026-01-29', () => {
  it('SQS takes a 900 KB message, below the 1 MiB limit', async () => {
    const [method, path, headers, body] = json('1.0', 'AmazonSQS.SendMessage', { QueueUrl: queueUrl, MessageBody: 'x'.repeat(900 * 1024) });
    const answer = await send(method, path, headers, body);
    expect(answer.status, answer.body.slice(0, 300)).toBe(200);
  });
});
