import type { SNSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { handler as destined, parseRecord } from '../../lambda/destined.js';
import { handler as failureLogger } from '../../lambda/failure-logger.js';
import type { FailureEvent } from '../../lambda/failure-logger.js';
import { handler as successLogger } from '../../lambda/success-logger.js';
import type { SuccessEvent } from '../../lambda/success-logger.js';

function snsRecord(message: string, index = 0) {
  return {
    EventSource: 'aws:sns',
    EventVersion: '1.0',
    EventSubscriptionArn: 'arn:aws:sns:us-east-1:000000000000:topic:sub',
    Sns: {
      Type: 'Notification',
      MessageId: `m-${index}`,
      TopicArn: 'arn:aws:sns:us-east-1:000000000000:topic',
      Subject: null,
      Message: message,
      Timestamp: '2026-01-01T00:00:00.000Z',
      SignatureVersion: '1',
      Signature: 'sig',
      SigningCertUrl: 'https://example.com/cert.pem',
      UnsubscribeUrl: 'https://example.com/unsubscribe',
      MessageAttributes: {},
    },
  };
}

function snsEvent(...messages: string[]): SNSEvent {
  return { Records: messages.map((m, i) => snsRecord(m, i)) } as unknown as SNSEvent;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('destined handler', () => {
  it('returns the message the success rule matches', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await expect(destined(snsEvent('{"mode":"ok"}'))).resolves.toEqual({
      source: 'cdkpatterns.the-destined-lambda',
      action: 'message',
      message: 'hello world',
    });
  });

  it('treats an empty mode (no ?mode= on the URL) as success', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await expect(destined(snsEvent('{"mode":""}'))).resolves.toMatchObject({ message: 'hello world' });
  });

  it('throws an Error when mode is fail', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const failure = destined(snsEvent('{"mode":"fail"}'));
    await expect(failure).rejects.toBeInstanceOf(Error);
    await expect(failure).rejects.toThrow(/Record 0 asked to fail/);
  });

  it('fails the whole batch when one of several records asks to fail', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await expect(destined(snsEvent('{"mode":"ok"}', '{"mode":"fail"}', '{"mode":"ok"}'))).rejects.toThrow(
      /Record 1 asked to fail/,
    );
  });

  it('succeeds when every one of several records succeeds', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await expect(destined(snsEvent('{"mode":"a"}', '{"mode":"b"}'))).resolves.toMatchObject({ action: 'message' });
  });

  it('names the record index of a malformed record', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    await expect(destined(snsEvent('{"mode":"ok"}', 'not json'))).rejects.toThrow(
      'Record 1 has a message that is not JSON: not json',
    );
    // Malformed input is rejected before any record is processed.
    expect(log).not.toHaveBeenCalled();
  });

  it.each([
    [{ notSns: true }, /Record 0 is not an SNS notification/],
    [{ Sns: { Message: 42 } }, /Record 0 has no Sns.Message string/],
    [{ Sns: { Message: '{"mode":1}' } }, /Record 0 has a message without a "mode" string/],
    [{ Sns: { Message: 'null' } }, /Record 0 has a message without a "mode" string/],
    [null, /Record 0 is not an SNS notification/],
  ])('rejects the malformed record %j with a clear TypeError', (record, message) => {
    expect(() => parseRecord(record, 0)).toThrow(message);
    expect(() => parseRecord(record, 0)).toThrow(TypeError);
  });

  it('keeps a JSON-escaped mode intact', () => {
    expect(parseRecord(snsRecord('{"mode":"a\\"b&c=d"}'), 3).mode).toBe('a"b&c=d');
  });

  it('carries the SNS MessageId so the log line can be followed', () => {
    expect(parseRecord(snsRecord('{"mode":"x"}', 4), 0)).toEqual({ mode: 'x', messageId: 'm-4' });
  });
});

describe('logger handlers', () => {
  const record = {
    version: '1.0',
    timestamp: '2026-01-01T00:00:00.000Z',
    requestContext: {
      requestId: 'r-1',
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST',
      condition: 'Success' as const,
      approximateInvokeCount: 1,
    },
    requestPayload: snsEvent('{"mode":"ok"}'),
    responseContext: { statusCode: 200, executedVersion: '$LATEST' },
    responsePayload: { source: 'cdkpatterns.the-destined-lambda' as const, action: 'message' as const, message: 'hello world' as const },
  };
  const envelope = {
    version: '0',
    id: 'e-1',
    account: '000000000000',
    time: '2026-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:000000000000:event-bus/the-destined-lambda'],
    source: 'lambda',
  };

  function loggedLines(spy: { mock: { calls: unknown[][] } }): Record<string, any>[] {
    return spy.mock.calls.map((call) => JSON.parse(String(call[0])));
  }

  it('the success logger writes the whole event as one JSON line', async () => {
    // Powertools writes through its own Console bound to process.stdout.
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const event: SuccessEvent = { ...envelope, 'detail-type': 'Lambda Function Invocation Result - Success', detail: record };
    await successLogger(event);
    const lines = loggedLines(write);
    write.mockRestore();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'INFO', message: 'destination event', service: 'the-destined-lambda-success' });
    expect(lines[0]!.event).toEqual(event);
  });

  it('the failure logger writes the whole event as one JSON line', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const event: FailureEvent = {
      ...envelope,
      'detail-type': 'Lambda Function Invocation Result - Failure',
      detail: {
        ...record,
        requestContext: { ...record.requestContext, condition: 'RetriesExhausted', approximateInvokeCount: 3 },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        responsePayload: { errorType: 'Error', errorMessage: 'Record 0 asked to fail (mode=fail)', trace: ['Error: ...'] },
      },
    };
    await failureLogger(event);
    const lines = loggedLines(write);
    write.mockRestore();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ message: 'destination event', service: 'the-destined-lambda-failure' });
    expect(lines[0]!.event.detail.requestContext.condition).toBe('RetriesExhausted');
    expect(lines[0]!.event).toEqual(event);
  });
});
