import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { arnOf, fn, invokeConfig, type FakeHandler } from './helpers.js';
import { build } from './build.js';

/** What AWS recorded for async invoke, destinations and the DLQ (test/conformance/lambda-async). */
const snapshots = JSON.parse(
  readFileSync(new URL('../../conformance/lambda-async/snapshots/test_lambda_destinations.snapshot.json', import.meta.url), 'utf8'),
) as Record<string, { 'recorded-content': Record<string, any> }>;
const recorded = (test: string): Record<string, any> => {
  const key = Object.keys(snapshots).find((k) => k.endsWith(test));
  if (!key) throw new Error(`no snapshot ${test}`);
  return snapshots[key]!['recorded-content'];
};

const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:dlq';
const BUS = 'arn:aws:events:us-east-1:000000000000:event-bus/destined';
const failWith = (errorMessage: string): FakeHandler => () => ({ ok: false, result: { errorType: 'Error', errorMessage, trace: [] } });

describe('async invoke conformance with the AWS recordings', () => {
  it('dead-letter message: the event byte for byte (AWS MD5OfBody) and the recorded attributes', async () => {
    const message = recorded('TestLambdaDLQ::test_dead_letter_queue')['receive_result'].Messages[0];
    const errorMessage: string = message.MessageAttributes.ErrorMessage.StringValue;
    const { service, sinks } = build([fn('f', { DeadLetterConfig: { TargetArn: QUEUE } }), invokeConfig('f', { MaximumRetryAttempts: 0 })], {
      f: failWith(errorMessage),
    });
    // The recording sent Python's json.dumps({"raise_error": 1}); the MD5 proves AWS forwards it unchanged.
    const { requestId } = await service.invoke('f', '{"raise_error": 1}', 'Event');
    await service.idle();
    expect(sinks.sqsCalls).toHaveLength(1);
    const sent = sinks.sqsCalls[0]!;
    expect(createHash('md5').update(sent.body).digest('hex')).toBe(message.MD5OfBody);
    expect(JSON.parse(sent.body)).toEqual(message.Body);
    const attributes = sent.attributes!;
    expect(Object.keys(attributes).sort()).toEqual(Object.keys(message.MessageAttributes).sort());
    for (const [name, value] of Object.entries(message.MessageAttributes as Record<string, { DataType: string; StringValue: string }>)) {
      expect(attributes[name]!.DataType, name).toBe(value.DataType);
    }
    expect(attributes['ErrorCode']!.StringValue).toBe(message.MessageAttributes.ErrorCode.StringValue);
    expect(attributes['ErrorMessage']!.StringValue).toBe(errorMessage);
    expect(attributes['RequestID']!.StringValue).toBe(requestId);
  });

  it('EventBridge destination: source, detail-type and resources as recorded', async () => {
    const content = recorded('TestLambdaDestinationEventbridge::test_invoke_lambda_eventbridge');
    const { service, sinks } = build(
      [fn('f'), invokeConfig('f', { MaximumRetryAttempts: 0, DestinationConfig: { OnSuccess: { Destination: BUS }, OnFailure: { Destination: BUS } } })],
      { f: (p) => (JSON.parse(p).mode === 'failure' ? failWith('intentional failure!')(p, 1) : { ok: true, result: { hello: 'world' } }) },
    );
    for (const [key, mode] of [
      ['lambda_destination_event_bus_success', 'success'],
      ['lambda_destination_event_bus_failure', 'failure'],
    ] as const) {
      const event = content[key];
      const before = sinks.putEventsCalls.length;
      await service.invoke('f', JSON.stringify({ mode }), 'Event');
      await service.idle();
      const entry = sinks.putEventsCalls[before]!.entries[0]!;
      expect(entry.Source).toBe(event.source);
      expect(entry.DetailType).toBe(event['detail-type']);
      expect(entry.Resources).toHaveLength(event.resources.length);
      expect(entry.Resources![0]).toBe(BUS);
      expect(entry.Resources![1]).toBe(`${arnOf('f')}:$LATEST`);
      const detail = JSON.parse(entry.Detail!);
      expect(detail.requestContext).toMatchObject({
        condition: event.detail.requestContext.condition,
        approximateInvokeCount: event.detail.requestContext.approximateInvokeCount,
      });
      expect(detail.responseContext).toEqual(event.detail.responseContext);
      expect(detail.requestPayload).toEqual(event.detail.requestPayload);
    }
  });

  it('a sync invoke while an async event holds the only reserved slot gets the recorded throttle', async () => {
    const api = JSON.parse(
      readFileSync(new URL('../../conformance/lambda-async/snapshots/test_lambda.async_subset.snapshot.json', import.meta.url), 'utf8'),
    ) as Record<string, { 'recorded-content': Record<string, any> }>;
    const throttle = Object.entries(api).find(([k]) => k.endsWith('test_reserved_concurrency_async_queue'))![1]['recorded-content']['too_many_requests_exc'];
    const { service, pools } = build([fn('f', { ReservedConcurrentExecutions: 1 })]);
    const pool = pools.get('f')!;
    pool.cap = 1;
    pool.latencyMs = 50;
    const accepted = await service.invoke('f', '{}', 'Event');
    expect(accepted.statusCode).toBe(202);
    await expect(service.invoke('f', '{}', 'RequestResponse')).rejects.toMatchObject({
      code: throttle.Error.Code,
      message: throttle.Error.Message,
      statusCode: throttle.ResponseMetadata.HTTPStatusCode,
      extra: { Reason: throttle.Reason },
    });
    await service.idle();
    // The queued event was not lost to the throttle.
    expect(pool.calls.map((c) => c.requestId)).toEqual([accepted.requestId]);
  });

  it('retries and maximum event age give the recorded conditions and invoke counts', async () => {
    const retries = recorded('TestLambdaDestinationSqs::test_retries')['queue_destination_payload'].Messages[0].Body.requestContext;
    const defaults = recorded('TestLambdaDestinationSqs::test_lambda_destination_default_retries')['receive_message_result'].Messages[0].Body.requestContext;
    const maxAge = recorded('TestLambdaDestinationSqs::test_maxeventage');
    const cases: { config: Record<string, unknown>; expected: { condition: string; approximateInvokeCount: number } }[] = [
      { config: { MaximumRetryAttempts: 2 }, expected: retries },
      { config: {}, expected: defaults },
      // 60 s age: the first retry (after ~1 min) would come too late.
      { config: { MaximumEventAgeInSeconds: 60 }, expected: maxAge['no_retry_failure_message'].Body.requestContext },
      // 2 min age: room for the first retry, not for the second (after ~2 more minutes).
      { config: { MaximumEventAgeInSeconds: 120 }, expected: maxAge['single_retry_failure_message'].Body.requestContext },
    ];
    for (const { config, expected } of cases) {
      const { service, sinks } = build([fn('f'), invokeConfig('f', { ...config, DestinationConfig: { OnFailure: { Destination: QUEUE } } })], {
        f: failWith('intentional failure'),
      });
      await service.invoke('f', '{"message":"m"}', 'Event');
      await service.idle();
      const body = JSON.parse(sinks.sqsCalls[0]!.body);
      expect({ condition: body.requestContext.condition, approximateInvokeCount: body.requestContext.approximateInvokeCount }, JSON.stringify(config)).toEqual({
        condition: expected.condition,
        approximateInvokeCount: expected.approximateInvokeCount,
      });
    }
  });
});

describe('EventInvokeConfig validation conformance with the AWS recordings', () => {
  const api = JSON.parse(
    readFileSync(new URL('../../conformance/lambda-async/snapshots/test_lambda_api.async_subset.snapshot.json', import.meta.url), 'utf8'),
  ) as Record<string, { 'recorded-content': Record<string, any> }>;
  const content = Object.entries(api).find(([k]) => k.endsWith('test_lambda_eventinvokeconfig_exceptions'))![1]['recorded-content'];
  /** AWS's message with the recording's placeholders filled in for this stack. */
  const expected = (key: string, name = 'f') =>
    (content[key].Error.Message as string)
      .replaceAll('<partition>', 'aws')
      .replaceAll('<region>', 'us-east-1')
      .replaceAll('111111111111', '000000000000')
      .replaceAll('<function-name:1>', name);
  const error = (input: Record<string, unknown>): { code: string; message: string; statusCode: number } => {
    const { service } = build([fn('f'), fn('g')]);
    try {
      service.putEventInvokeConfig('f', undefined, input, 'put');
    } catch (e) {
      return e as { code: string; message: string; statusCode: number };
    }
    throw new Error('expected an error');
  };

  it('answers each recorded error with its code, status and message', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['put_functionname_nootherargs', {}],
      ['put_destination_recursive', { DestinationConfig: { OnSuccess: { Destination: arnOf('f') } } }],
      ['put_destination_lambda_doesntexist', { DestinationConfig: { OnSuccess: { Destination: arnOf('doesnotexist') } } }],
      ['put_destination_invalid_service_arn', { DestinationConfig: { OnSuccess: { Destination: 'arn:aws:iam:us-east-1:000000000000:function:f' } } }],
      ['put_destination_invalid_arn_pattern', { DestinationConfig: { OnFailure: { Destination: 'arn:aws:_-/!lambda:us-east-1:000000000000:function:f' } } }],
    ];
    for (const [key, input] of cases) {
      const e = error(input);
      expect({ code: e.code, statusCode: e.statusCode, message: e.message }, key).toEqual({
        code: content[key].Error.Code,
        statusCode: content[key].ResponseMetadata.HTTPStatusCode,
        message: expected(key),
      });
    }
  });
});
