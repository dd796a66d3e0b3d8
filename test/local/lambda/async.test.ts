import { describe, expect, it } from 'vitest';
import { arnOf, fail, fn, invokeConfig, succeed } from './helpers.js';
import { build } from './build.js';

const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:dest';
const BUS = 'arn:aws:events:us-east-1:000000000000:event-bus/destined';
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:dest-topic';

/** The message attributes AWS puts on a dead-letter message after the `fail` handler's error. */
const deadLetterAttributes = (requestId: string) => ({
  RequestID: { DataType: 'String', StringValue: requestId },
  ErrorCode: { DataType: 'Number', StringValue: '200' },
  ErrorMessage: { DataType: 'String', StringValue: 'intentional failure' },
});

describe('asynchronous invocation', () => {
  it('answers 202 with an empty payload at once', async () => {
    const { service, pools } = build([fn('f')]);
    const result = await service.invoke('f', '{"a":1}', 'Event');
    expect(result).toMatchObject({ statusCode: 202, payload: '', executedVersion: '$LATEST' });
    await service.idle();
    expect(pools.get('f')!.calls).toEqual([{ payload: '{"a":1}', requestId: result.requestId }]);
  });

  for (const retries of [0, 1, 2]) {
    it(`with MaximumRetryAttempts ${retries} runs ${retries + 1} attempts, then sends RetriesExhausted`, async () => {
      const { service, sinks, pools, tracer } = build(
        [fn('f'), invokeConfig('f', { MaximumRetryAttempts: retries, DestinationConfig: { OnFailure: { Destination: QUEUE } } })],
        { f: fail },
      );
      const { requestId } = await service.invoke('f', '{"mode":"fail"}', 'Event');
      await service.idle();
      expect(pools.get('f')!.calls).toHaveLength(retries + 1);
      // Every attempt keeps the request id, as on AWS.
      expect(new Set(pools.get('f')!.calls.map((c) => c.requestId))).toEqual(new Set([requestId]));
      expect(sinks.sqsCalls).toHaveLength(1);
      const record = JSON.parse(sinks.sqsCalls[0]!.body);
      expect(record.requestContext).toEqual({
        requestId,
        functionArn: `${arnOf('f')}:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: retries + 1,
      });
      expect(record.responseContext).toEqual({ statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' });
      expect(record.requestPayload).toEqual({ mode: 'fail' });
      expect(record.responsePayload.errorMessage).toBe('intentional failure');
      const retriesTraced = tracer.events.filter((e) => e.kind === 'retry');
      expect(retriesTraced.map((e) => e.detail)).toMatchObject([{ attempt: 1, delayMs: 60_000 }, { attempt: 2, delayMs: 120_000 }].slice(0, retries));
      // Each wait is also given in local time, with when it ends, for the dashboard's countdown.
      for (const e of retriesTraced) {
        const detail = e.detail as { delayMs: number; localDelayMs: number; dueAt: number };
        expect(detail.localDelayMs).toBeLessThan(detail.delayMs);
        expect(detail.dueAt).toBeGreaterThan(0);
        expect(e.outcome).toBe('pending');
      }
      const attempts = tracer.events.filter((e) => e.kind === 'invoke');
      expect(attempts.map((e) => e.outcome)).toEqual(Array(retries + 1).fill('failed'));
      expect((attempts[0]!.detail as { response: { errorMessage: string } }).response.errorMessage).toBe('intentional failure');
    });
  }

  it("takes an internal caller's parsed payload only when it is exactly the text's parse", async () => {
    const { service, sinks, tracer } = build([fn('f'), invokeConfig('f', { MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: QUEUE } } })], {
      f: fail,
    });
    const value = { a: [1, 'two', null, { b: true }] };
    await service.invoke('f', JSON.stringify(value), 'Event', undefined, value);
    // JSON.stringify writes Infinity as null: the value is not what the text says, so the text is parsed.
    const unlike = { a: Infinity, b: -0 };
    await service.invoke('f', JSON.stringify(unlike), 'Event', undefined, unlike);
    await service.idle();
    const traced = tracer.events.filter((e) => e.kind === 'enqueue').map((e) => (e.detail as { payload: unknown }).payload);
    expect(traced[0]).toBe(value);
    expect(traced[1]).toEqual({ a: null, b: 0 });
    expect(Object.is((traced[1] as { b: number }).b, -0)).toBe(false);
    expect(sinks.sqsCalls.map((c) => JSON.parse(c.body).requestPayload)).toEqual([value, { a: null, b: 0 }]);
    // The record with the handed-over request's text in it is the text JSON.stringify writes.
    for (const { body } of sinks.sqsCalls) expect(body).toBe(JSON.stringify(JSON.parse(body)));
  });

  it('retries twice by default (approximateInvokeCount 3)', async () => {
    const { service, sinks } = build([fn('f'), invokeConfig('f', { DestinationConfig: { OnFailure: { Destination: QUEUE } } })], { f: fail });
    await service.invoke('f', '{}', 'Event');
    await service.idle();
    expect(JSON.parse(sinks.sqsCalls[0]!.body).requestContext.approximateInvokeCount).toBe(3);
  });

  it("puts the last attempt's response in the record, even when an earlier attempt answered JSON and the last plain text", async () => {
    const { service, sinks } = build([fn('f'), invokeConfig('f', { MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: QUEUE } } })], {
      f: (_payload, attempt) => ({ ok: false, result: attempt === 1 ? { errorType: 'Error', errorMessage: 'first' } : 'second, as text' }),
    });
    await service.invoke('f', '{}', 'Event');
    await service.idle();
    expect(JSON.parse(sinks.sqsCalls[0]!.body).responsePayload).toBe('second, as text');
  });

  it('stops with EventAgeExceeded when the next retry would come after the maximum age', async () => {
    const { service, sinks, pools } = build(
      [fn('f'), invokeConfig('f', { MaximumEventAgeInSeconds: 60, DestinationConfig: { OnFailure: { Destination: QUEUE } } })],
      { f: fail },
    );
    await service.invoke('f', '{}', 'Event');
    await service.idle();
    expect(pools.get('f')!.calls).toHaveLength(1);
    const record = JSON.parse(sinks.sqsCalls[0]!.body);
    expect(record.requestContext.condition).toBe('EventAgeExceeded');
    expect(record.requestContext.approximateInvokeCount).toBe(1);
    expect(record.responseContext.functionError).toBe('Unhandled');
    expect(record.responsePayload.errorMessage).toBe('intentional failure');
  });

  it('allows one retry when the age leaves room for it (60 s back-off, 2 min age)', async () => {
    const { service, sinks, pools } = build(
      [fn('f'), invokeConfig('f', { MaximumEventAgeInSeconds: 120, DestinationConfig: { OnFailure: { Destination: QUEUE } } })],
      { f: fail },
    );
    await service.invoke('f', '{}', 'Event');
    await service.idle();
    expect(pools.get('f')!.calls).toHaveLength(2);
    expect(JSON.parse(sinks.sqsCalls[0]!.body).requestContext).toMatchObject({ condition: 'EventAgeExceeded', approximateInvokeCount: 2 });
  });

  it('a success after a failure sends one Success record with the attempt count', async () => {
    const { service, sinks } = build(
      [fn('f'), invokeConfig('f', { DestinationConfig: { OnSuccess: { Destination: QUEUE }, OnFailure: { Destination: TOPIC } } })],
      { f: (payload, attempt) => (attempt === 1 ? fail(payload, attempt) : succeed(payload, attempt)) },
    );
    await service.invoke('f', '{"x":1}', 'Event');
    await service.idle();
    expect(sinks.snsCalls).toHaveLength(0);
    const record = JSON.parse(sinks.sqsCalls[0]!.body);
    expect(record.requestContext).toMatchObject({ condition: 'Success', approximateInvokeCount: 2 });
    expect(record.responseContext).toEqual({ statusCode: 200, executedVersion: '$LATEST' });
    expect(record.responsePayload).toEqual({ echoed: { x: 1 } });
  });

  it('re-queues throttled events without counting them as attempts', async () => {
    const { service, sinks, pools, tracer } = build(
      [fn('f'), invokeConfig('f', { MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: QUEUE } } })],
      { f: fail },
    );
    pools.get('f')!.throttleNext = 3;
    await service.invoke('f', '{}', 'Event');
    await service.idle();
    expect(pools.get('f')!.calls).toHaveLength(1);
    expect(tracer.kinds().filter((k) => k === 'throttle')).toHaveLength(3);
    expect(JSON.parse(sinks.sqsCalls[0]!.body).requestContext).toMatchObject({ condition: 'RetriesExhausted', approximateInvokeCount: 1 });
  });

  it('expires an event throttled past its maximum age with invoke count 0 and no response', async () => {
    const { service, sinks, pools } = build(
      [fn('f'), invokeConfig('f', { MaximumEventAgeInSeconds: 60, DestinationConfig: { OnFailure: { Destination: QUEUE } } })],
      { f: fail },
    );
    pools.get('f')!.throttleNext = 1_000;
    await service.invoke('f', '{}', 'Event');
    await service.idle();
    expect(pools.get('f')!.calls).toHaveLength(0);
    const record = JSON.parse(sinks.sqsCalls[0]!.body);
    expect(record.requestContext).toMatchObject({ condition: 'EventAgeExceeded', approximateInvokeCount: 0 });
    expect(record).not.toHaveProperty('responseContext');
  });

  it('sends an event that expired before any attempt to the dead-letter queue with the age as its error message', async () => {
    const { service, sinks, pools } = build([fn('f', { DeadLetterConfig: { TargetArn: QUEUE } }), invokeConfig('f', { MaximumEventAgeInSeconds: 60 })], {
      f: fail,
    });
    pools.get('f')!.throttleNext = 1_000;
    const { requestId } = await service.invoke('f', '{"a":1}', 'Event');
    await service.idle();
    expect(sinks.sqsCalls).toEqual([
      {
        queueArn: QUEUE,
        body: '{"a":1}',
        attributes: { ...deadLetterAttributes(requestId), ErrorMessage: { DataType: 'String', StringValue: 'Event age exceeded before the function could run' } },
      },
    ]);
  });

  it('sends to an EventBridge bus destination as AWS does', async () => {
    const { service, sinks } = build(
      [fn('f'), invokeConfig('f', { MaximumRetryAttempts: 0, DestinationConfig: { OnSuccess: { Destination: BUS }, OnFailure: { Destination: BUS } } })],
      { f: (p) => (JSON.parse(p).mode === 'fail' ? fail(p, 1) : succeed(p, 1)) },
    );
    await service.invoke('f', '{"mode":"ok"}', 'Event');
    await service.invoke('f', '{"mode":"fail"}', 'Event');
    await service.idle();
    const entries = sinks.putEventsCalls.map((c) => c.entries[0]!);
    const byType = new Map(entries.map((e) => [e.DetailType, e]));
    for (const [type, condition] of [
      ['Lambda Function Invocation Result - Success', 'Success'],
      ['Lambda Function Invocation Result - Failure', 'RetriesExhausted'],
    ] as const) {
      const entry = byType.get(type)!;
      expect(entry.Source).toBe('lambda');
      expect(entry.EventBusName).toBe(BUS);
      expect(entry.Resources).toEqual([BUS, `${arnOf('f')}:$LATEST`]);
      expect(JSON.parse(entry.Detail!).requestContext.condition).toBe(condition);
    }
    // The execution role puts the event: no resource-policy principal.
    expect(sinks.putEventsCalls.every((c) => c.caller === undefined)).toBe(true);
  });

  it('sends to SNS topic and Lambda function destinations', async () => {
    const { service, sinks, pools } = build(
      [
        fn('f'),
        fn('g'),
        invokeConfig('f', {
          MaximumRetryAttempts: 0,
          DestinationConfig: { OnSuccess: { Destination: TOPIC }, OnFailure: { Destination: arnOf('g') } },
        }),
      ],
      { f: (p) => (JSON.parse(p).mode === 'fail' ? fail(p, 1) : succeed(p, 1)) },
    );
    await service.invoke('f', '{"mode":"ok"}', 'Event');
    await service.invoke('f', '{"mode":"fail"}', 'Event');
    await service.idle();
    expect(sinks.snsCalls).toHaveLength(1);
    expect(sinks.snsCalls[0]!.TopicArn).toBe(TOPIC);
    expect(JSON.parse(sinks.snsCalls[0]!.Message).requestContext.condition).toBe('Success');
    expect(sinks.lambdaCalls).toEqual([expect.objectContaining({ ref: arnOf('g'), type: 'Event' })]);
    // The destination function ran with the record as its event.
    const gEvent = JSON.parse(pools.get('g')!.calls[0]!.payload);
    expect(gEvent.requestContext.condition).toBe('RetriesExhausted');
    expect(gEvent.requestPayload).toEqual({ mode: 'fail' });
  });

  it('sends the original event to the dead-letter queue with AWS message attributes', async () => {
    const { service, sinks } = build([fn('f', { DeadLetterConfig: { TargetArn: QUEUE } }), invokeConfig('f', { MaximumRetryAttempts: 0 })], {
      f: fail,
    });
    const { requestId } = await service.invoke('f', '{"raise_error":1}', 'Event');
    await service.idle();
    expect(sinks.sqsCalls).toEqual([
      {
        queueArn: QUEUE,
        body: '{"raise_error":1}',
        attributes: deadLetterAttributes(requestId),
      },
    ]);
  });

  it('publishes the failed event to a dead-letter topic with the same attributes', async () => {
    const { service, sinks } = build([fn('f', { DeadLetterConfig: { TargetArn: TOPIC } }), invokeConfig('f', { MaximumRetryAttempts: 0 })], { f: fail });
    const { requestId } = await service.invoke('f', '{"n":2}', 'Event');
    await service.idle();
    expect(sinks.snsCalls).toEqual([
      {
        TopicArn: TOPIC,
        Message: '{"n":2}',
        MessageAttributes: deadLetterAttributes(requestId),
      },
    ]);
  });

  it('does not send a successful event to the dead-letter queue', async () => {
    const { service, sinks } = build([fn('f', { DeadLetterConfig: { TargetArn: QUEUE } })]);
    await service.invoke('f', '{}', 'Event');
    await service.idle();
    expect(sinks.sqsCalls).toHaveLength(0);
  });

  it('sends to both the dead-letter queue and the on-failure destination, even when one fails', async () => {
    const { service, sinks, tracer } = build(
      [
        fn('f', { DeadLetterConfig: { TargetArn: QUEUE } }),
        invokeConfig('f', { MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: BUS } } }),
      ],
      { f: fail },
    );
    sinks.failSqs = true;
    await service.invoke('f', '{}', 'Event');
    await service.idle();
    expect(sinks.putEventsCalls).toHaveLength(1);
    expect(tracer.kinds()).toContain('dead-letter-failed');
    expect(tracer.kinds()).toContain('destination');
  });

  it('traces a destination that refuses the record instead of crashing', async () => {
    const { service, sinks, tracer } = build([fn('f'), invokeConfig('f', { DestinationConfig: { OnSuccess: { Destination: QUEUE } } })]);
    sinks.failSqs = true;
    await service.invoke('f', '{}', 'Event');
    await service.idle();
    const failed = tracer.events.find((e) => e.kind === 'destination-failed');
    expect(failed?.summary).toContain('queue is gone');
  });

  it('traces a failure of the runtime itself while delivering, whether the send rejects or throws, and lets the event go', async () => {
    const cases = [
      // The destination's own trace lines fail: the send rejects after the record went out.
      { config: { DestinationConfig: { OnSuccess: { Destination: QUEUE } } }, handler: succeed, broken: ['destination', 'destination-failed'], sent: 1 },
      // The discard's trace line fails: the send throws before any promise exists.
      { config: { MaximumRetryAttempts: 0 }, handler: fail, broken: ['discard'], sent: 0 },
    ];
    for (const { config, handler, broken, sent } of cases) {
      const { service, sinks, tracer } = build([fn('f'), invokeConfig('f', config)], { f: handler });
      const record = tracer.record.bind(tracer);
      tracer.record = (event) => {
        if (broken.includes(event.kind)) throw new Error(`tracer broke on ${event.kind}`);
        record(event);
      };
      const { requestId } = await service.invoke('f', '{}', 'Event');
      // The event is let go: idle does not wait for it for ever.
      await service.idle();
      expect(sinks.sqsCalls).toHaveLength(sent);
      const errors = tracer.events.filter((e) => e.kind === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]!.summary).toContain(`async event failed inside the local runtime: Error: tracer broke on ${broken.at(-1)}`);
      expect(errors[0]!.ids).toEqual({ requestId });
    }
  });

  it('applies a PutFunctionEventInvokeConfig made at run time', async () => {
    const { service, pools, sinks } = build([fn('f')], { f: fail });
    service.putEventInvokeConfig('f', undefined, { MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: QUEUE } } }, 'put');
    await service.invoke('f', '{}', 'Event');
    await service.idle();
    expect(pools.get('f')!.calls).toHaveLength(2);
    expect(sinks.sqsCalls).toHaveLength(1);
  });

  it('applies each config change to the events after it: put, update, delete', async () => {
    const { service, pools, sinks } = build([fn('f')], { f: fail });
    const calls = () => pools.get('f')!.calls.length;
    service.putEventInvokeConfig('f', undefined, { MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: QUEUE } } }, 'put');
    await service.invoke('f', '{}', 'Event');
    await service.idle();
    expect([calls(), sinks.sqsCalls.length]).toEqual([1, 1]);
    service.putEventInvokeConfig('f', undefined, { MaximumRetryAttempts: 1 }, 'update');
    await service.invoke('f', '{}', 'Event');
    await service.idle();
    expect([calls(), sinks.sqsCalls.length]).toEqual([3, 2]);
    service.deleteEventInvokeConfig('f');
    await service.invoke('f', '{}', 'Event');
    await service.idle();
    // The defaults again: two retries, and no destination.
    expect([calls(), sinks.sqsCalls.length]).toEqual([6, 2]);
  });

  it('traces the hops with the request id', async () => {
    const { service, tracer } = build([fn('f'), invokeConfig('f', { MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: QUEUE } } })], {
      f: fail,
    });
    const { requestId } = await service.invoke('f', '{}', 'Event');
    await service.idle();
    expect(tracer.kinds()).toEqual(['enqueue', 'invoke', 'retry', 'invoke', 'destination']);
    expect(tracer.events.every((e) => e.ids?.['requestId'] === requestId)).toBe(true);
  });
});

describe('concurrency', () => {
  it('runs a burst of async events through a capped pool: throttled ones wait, none is lost or counted twice', async () => {
    const { service, sinks, pools } = build([fn('f'), invokeConfig('f', { DestinationConfig: { OnSuccess: { Destination: QUEUE } } })]);
    const pool = pools.get('f')!;
    pool.cap = 2;
    pool.latencyMs = 5;
    const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => service.invoke('f', JSON.stringify({ i }), 'Event')));
    await service.idle();
    expect(pool.maxBusy).toBe(2);
    expect(pool.calls).toHaveLength(8);
    const records = sinks.sqsCalls.map((c) => JSON.parse(c.body));
    expect(records.map((r) => r.requestContext.requestId).sort()).toEqual(ids.map((r) => r.requestId).sort());
    expect(records.every((r) => r.requestContext.approximateInvokeCount === 1)).toBe(true);
  });

  it("traces a sync invoke with its duration, answer and log, as an async attempt's", async () => {
    const { service, tracer } = build([fn('f')], { f: fail });
    await service.invoke('f', '{}', 'RequestResponse');
    const run = tracer.events.find((e) => e.kind === 'invoke')!;
    expect(run.detail).toMatchObject({ durationMs: expect.any(Number), response: { errorMessage: 'intentional failure' }, log: expect.any(String) });
  });

  it('throttles concurrent sync invokes beyond the cap with 429', async () => {
    const { service, pools } = build([fn('f', { ReservedConcurrentExecutions: 1 })]);
    const pool = pools.get('f')!;
    pool.cap = 1;
    pool.latencyMs = 20;
    const results = await Promise.allSettled([service.invoke('f', '{}', 'RequestResponse'), service.invoke('f', '{}', 'RequestResponse')]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ code: 'TooManyRequestsException', statusCode: 429 });
  });
});
