/**
 * The whole chain, through AWS APIs only, so the same file runs against the
 * local runtime (`npm test`) and a deployed stack (`npm run test:aws`).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { logGroupOf, loggedEvent, makeTarget, waitForLogEvents, type E2ETarget } from './target.js';
import { stackOutputs } from '../../scripts/chain-api.js';
import { startLocalForTests } from '../support/local-runtime.js';

const onAws = process.env.E2E_TARGET === 'aws';
let target: E2ETarget;
let stop = async () => {};
let outputs: Record<string, string>;
let groups: { destined: string; success: string; failure: string };

beforeAll(async () => {
  if (onAws) {
    target = makeTarget('aws');
  } else {
    const runtime = await startLocalForTests();
    stop = () => runtime.stop();
    target = makeTarget('local', runtime.endpoint);
  }
  outputs = await stackOutputs(target, target.stackName);
  groups = {
    destined: await logGroupOf(target, outputs.DestinedFunctionName!),
    success: await logGroupOf(target, outputs.SuccessLoggerFunctionName!),
    failure: await logGroupOf(target, outputs.FailureLoggerFunctionName!),
  };
});

afterAll(async () => {
  await stop();
});

async function sendEvent(query = ''): Promise<{ status: number; body: Record<string, any> }> {
  const response = await fetch(`${outputs.SendEventUrl}${query}`);
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

function messageIdOf(body: Record<string, any>): string {
  const id = body.messageId ?? body.MessageId;
  expect(id, JSON.stringify(body)).toMatch(/^[0-9a-f-]{36}$/);
  return id;
}

async function loggedEventsFor(group: string, token: string, count = 1) {
  const events = await waitForLogEvents(
    target,
    group,
    `"${token}"`,
    (found) => found.filter((e) => loggedEvent(e.message ?? '')).length >= count,
    target.failureBudgetMs,
  );
  return events.map((e) => loggedEvent(e.message ?? '')).filter((e) => e !== undefined);
}

describe(`the Destined Lambda chain (${onAws ? 'AWS' : 'local runtime'})`, () => {
  it('DescribeStacks gives the URL and the function names', () => {
    expect(outputs.SendEventUrl).toMatch(/^https?:\/\/.+\/prod\/SendEvent$/);
    for (const key of ['EventBusName', 'TopicArn', 'DestinedFunctionName', 'SuccessLoggerFunctionName', 'FailureLoggerFunctionName']) {
      expect(outputs[key], key).toBeTruthy();
    }
  });

  it('GET /SendEvent reaches the success logger with the SNS record and the return value', async () => {
    const { status, body } = await sendEvent();
    expect(status).toBe(200);
    const messageId = messageIdOf(body);

    const [event] = await loggedEventsFor(groups.success, messageId);
    expect(event!['detail-type']).toBe('Lambda Function Invocation Result - Success');
    expect(event!.source).toBe('lambda');
    expect(event!.detail.requestContext.condition).toBe('Success');
    expect(event!.detail.requestPayload.Records[0].Sns.MessageId).toBe(messageId);
    expect(event!.detail.responsePayload).toEqual({
      source: 'cdkpatterns.the-destined-lambda',
      action: 'message',
      message: 'hello world',
    });
  });

  it('?mode=fail reaches the failure logger after the retries, with the error and the request', async () => {
    // On AWS the attempts span ~3 minutes: search the destined log from the send on.
    const sentAt = Date.now();
    const { status, body } = await sendEvent('?mode=fail');
    expect(status).toBe(200);
    const messageId = messageIdOf(body);

    const [event] = await loggedEventsFor(groups.failure, messageId);
    expect(event!['detail-type']).toBe('Lambda Function Invocation Result - Failure');
    const { requestContext, responseContext, responsePayload, requestPayload } = event!.detail;
    expect(requestContext.condition).toBe('RetriesExhausted');
    expect(requestContext.approximateInvokeCount).toBe(3);
    expect(requestContext.functionArn).toMatch(/:function:.+:\$LATEST$/);
    expect(responseContext.functionError).toBe('Unhandled');
    expect(responsePayload.errorType).toBe('Error');
    expect(typeof responsePayload.errorMessage).toBe('string');
    expect(Array.isArray(responsePayload.trace)).toBe(true);
    expect(requestPayload.Records[0].EventSource).toBe('aws:sns');
    expect(requestPayload.Records[0].Sns.MessageId).toBe(messageId);
    expect(JSON.parse(requestPayload.Records[0].Sns.Message)).toEqual({ mode: 'fail' });

    // Lambda keeps the request id across retries: three STARTs for one id.
    const starts = await waitForLogEvents(
      target,
      groups.destined,
      `"START RequestId: ${requestContext.requestId}"`,
      (found) => found.length >= 3,
      target.failureBudgetMs,
      sentAt - 60_000,
    );
    expect(starts).toHaveLength(3);
  });

  it('an injection attempt in mode is published as the plain text it is', async () => {
    const injected = `fail&TargetArn=arn:aws:sns:us-east-1:000000000000:other&Subject=${randomUUID()}`;
    const { status, body } = await sendEvent(`?mode=${encodeURIComponent(injected)}`);
    expect(status).toBe(200);
    const messageId = messageIdOf(body);

    const [event] = await loggedEventsFor(groups.success, messageId);
    const sns = event!.detail.requestPayload.Records[0].Sns;
    expect(JSON.parse(sns.Message)).toEqual({ mode: injected });
    expect(sns.Subject).toBeNull();
    expect(sns.TopicArn).toBe(outputs.TopicArn);
  });

  it('Invoke with InvocationType Event answers 202 and the destination still fires', async () => {
    const token = randomUUID();
    const snsEvent = {
      Records: [
        {
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          EventSubscriptionArn: `${outputs.TopicArn}:${randomUUID()}`,
          Sns: {
            Type: 'Notification',
            MessageId: token,
            TopicArn: outputs.TopicArn,
            Subject: null,
            Message: JSON.stringify({ mode: 'direct' }),
            Timestamp: new Date().toISOString(),
            SignatureVersion: '1',
            Signature: 'test',
            SigningCertUrl: 'https://example.invalid/cert.pem',
            UnsubscribeUrl: 'https://example.invalid/unsubscribe',
            MessageAttributes: {},
          },
        },
      ],
    };
    const response = await target.lambda.send(
      new InvokeCommand({
        FunctionName: outputs.DestinedFunctionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify(snsEvent)),
      }),
    );
    expect(response.StatusCode).toBe(202);
    expect(response.Payload?.length ?? 0).toBe(0);

    const [event] = await loggedEventsFor(groups.success, token);
    expect(event!.detail.requestPayload.Records[0].Sns.MessageId).toBe(token);
    expect(event!.detail.requestContext.approximateInvokeCount).toBe(1);
  });
});
