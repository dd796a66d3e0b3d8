/**
 * The synthesized stack inside the runtime, driven through the services'
 * internal interfaces (no HTTP): the destined function's destinations reach
 * the bus, and the rules route every outcome to the right logger.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalForTests } from '../support/local-runtime.js';
import { loggedEvent } from '../../scripts/chain-api.js';
import type { LocalRuntime } from '../../local/runtime.js';

let runtime: LocalRuntime;
let names: { destined: string; success: string; failure: string };

beforeAll(async () => {
  runtime = await startLocalForTests();
  const output = (key: string) => runtime.stack.outputs.find((o) => o.OutputKey === key)!.OutputValue;
  names = {
    destined: output('DestinedFunctionName'),
    success: output('SuccessLoggerFunctionName'),
    failure: output('FailureLoggerFunctionName'),
  };
});

afterAll(async () => {
  await runtime?.stop();
});

function snsEvent(message: string, messageId = randomUUID()) {
  return JSON.stringify({
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:us-east-1:000000000000:topic:sub',
        Sns: { Type: 'Notification', MessageId: messageId, TopicArn: 'arn:aws:sns:us-east-1:000000000000:topic', Subject: null, Message: message, Timestamp: new Date().toISOString(), SignatureVersion: '1', Signature: 'x', SigningCertUrl: 'x', UnsubscribeUrl: 'x', MessageAttributes: {} },
      },
    ],
  });
}

/** The EventBridge events a logger logged that mention `token`. */
function loggedBy(functionName: string, token: string, runtimeToRead: LocalRuntime = runtime): Array<Record<string, any>> {
  const group = `/aws/lambda/${functionName}`;
  const { logs } = runtimeToRead.services;
  if (!logs.hasLogGroup(group)) return [];
  return logs
    .groupEvents(group)
    .filter((e) => e.message.includes(token))
    .map((e) => loggedEvent(e.message))
    .filter((event) => event !== undefined);
}

async function waitFor<T>(read: () => T[], count = 1, timeoutMs = 20_000): Promise<T[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = read();
    if (found.length >= count) return found;
    if (Date.now() > deadline) throw new Error(`expected ${count}, found ${found.length}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the stack inside the runtime', () => {
  it('an async success reaches the success logger, and only it', async () => {
    const id = randomUUID();
    const result = await runtime.services.lambda.invoke(names.destined, snsEvent('{"mode":"ok"}', id), 'Event');
    expect(result.statusCode).toBe(202);
    const [event] = await waitFor(() => loggedBy(names.success, id));
    expect(event!.detail.requestContext).toMatchObject({ condition: 'Success', approximateInvokeCount: 1 });
    expect(event!.detail.responsePayload).toEqual({ source: 'cdkpatterns.the-destined-lambda', action: 'message', message: 'hello world' });
    await runtime.services.lambda.idle();
    expect(loggedBy(names.failure, id)).toEqual([]);
  });

  it('a destination record between 256 KB and 1 MB reaches the bus, as on AWS since 2026-01-29', async () => {
    const id = randomUUID();
    // The record carries the request payload, so a 400 KB message makes a 400 KB record.
    const message = JSON.stringify({ mode: 'ok', pad: 'x'.repeat(400 * 1024) });
    const result = await runtime.services.lambda.invoke(names.destined, snsEvent(message, id), 'Event');
    expect(result.statusCode).toBe(202);
    const [event] = await waitFor(() => loggedBy(names.success, id));
    expect(event!.detail.requestContext).toMatchObject({ condition: 'Success' });
    expect(event!.detail.requestPayload.Records[0].Sns.Message).toHaveLength(message.length);
  });

  it('a failure reaches the failure logger after the retries with RetriesExhausted', async () => {
    const id = randomUUID();
    await runtime.services.lambda.invoke(names.destined, snsEvent('{"mode":"fail"}', id), 'Event');
    const [event] = await waitFor(() => loggedBy(names.failure, id));
    expect(event!['detail-type']).toBe('Lambda Function Invocation Result - Failure');
    expect(event!.detail.requestContext).toMatchObject({ condition: 'RetriesExhausted', approximateInvokeCount: 3 });
    expect(event!.detail.responsePayload.errorType).toBe('Error');
    expect(loggedBy(names.success, id)).toEqual([]);
  });

  it('a TypeError (a malformed record) reaches the failure logger too', async () => {
    const id = randomUUID();
    await runtime.services.lambda.invoke(names.destined, snsEvent('not json', id), 'Event');
    const [event] = await waitFor(() => loggedBy(names.failure, id));
    expect(event!.detail.responsePayload.errorType).toBe('TypeError');
    expect(event!.detail.responsePayload.errorMessage).toMatch(/Record 0 has a message that is not JSON/);
    expect(event!.detail.requestContext.condition).toBe('RetriesExhausted');
  });

  it('approximateInvokeCount follows MaximumRetryAttempts changed at run time', async () => {
    const config = runtime.services.lambda.getEventInvokeConfig(names.destined);
    try {
      for (const retries of [0, 1]) {
        runtime.services.lambda.putEventInvokeConfig(names.destined, undefined, { ...config, MaximumRetryAttempts: retries }, 'put');
        const id = randomUUID();
        await runtime.services.lambda.invoke(names.destined, snsEvent('{"mode":"fail"}', id), 'Event');
        const [event] = await waitFor(() => loggedBy(names.failure, id));
        expect(event!.detail.requestContext.approximateInvokeCount).toBe(retries + 1);
      }
    } finally {
      runtime.services.lambda.putEventInvokeConfig(names.destined, undefined, config, 'put');
    }
  });

  it('an event older than MaximumEventAgeInSeconds ends with EventAgeExceeded', async () => {
    const config = runtime.services.lambda.getEventInvokeConfig(names.destined);
    try {
      runtime.services.lambda.putEventInvokeConfig(names.destined, undefined, { ...config, MaximumEventAgeInSeconds: 60 }, 'put');
      const id = randomUUID();
      await runtime.services.lambda.invoke(names.destined, snsEvent('{"mode":"fail"}', id), 'Event');
      const [event] = await waitFor(() => loggedBy(names.failure, id));
      expect(event!.detail.requestContext).toMatchObject({ condition: 'EventAgeExceeded', approximateInvokeCount: 1 });
    } finally {
      runtime.services.lambda.putEventInvokeConfig(names.destined, undefined, config, 'put');
    }
  });
});

describe('CDK context given to the runtime', () => {
  let configured: LocalRuntime;

  beforeAll(async () => {
    // As `npm start -- --context retryAttempts=0`: synthesized with the override.
    configured = await startLocalForTests({ context: { retryAttempts: '0' } });
  });
  afterAll(async () => {
    await configured?.stop();
  });

  it('reaches the CDK app: with retryAttempts=0 a failure is reported after one attempt', async () => {
    const destined = configured.stack.outputs.find((o) => o.OutputKey === 'DestinedFunctionName')!.OutputValue;
    const failureLogger = configured.stack.outputs.find((o) => o.OutputKey === 'FailureLoggerFunctionName')!.OutputValue;
    expect(configured.services.lambda.getEventInvokeConfig(destined)).toMatchObject({ MaximumRetryAttempts: 0 });
    const id = randomUUID();
    await configured.services.lambda.invoke(destined, snsEvent('{"mode":"fail"}', id), 'Event');
    const [event] = await waitFor(() => loggedBy(failureLogger, id, configured));
    expect(event!.detail.requestContext).toMatchObject({ condition: 'RetriesExhausted', approximateInvokeCount: 1 });
  });
});
