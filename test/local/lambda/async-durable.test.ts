import { describe, expect, it } from 'vitest';
import { createClock } from '../../../local/clock.js';
import { LambdaService } from '../../../local/lambda/service.js';
import { MemoryStateStore } from '../../../local/state/memory.js';
import type { AsyncEventState } from '../../../local/lambda/async-queue.js';
import { CaptureSinks, CaptureTracer, MemoryLogs, fail, fakePools, fn, invokeConfig, makeStack, type FakeHandler, type ResourceSpec } from './helpers.js';
import { waitFor } from '../../support/wait-for.js';

const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:dest';
const OWNER = { logicalId: 'f', type: 'AWS::Lambda::Function' };

/** A service on the given state store: building a second one on the same store is a restart. */
function start(state: MemoryStateStore, specs: readonly ResourceSpec[], handlers: Record<string, FakeHandler>, scale = 0.0001) {
  const sinks = new CaptureSinks();
  const { factory, pools } = fakePools(handlers);
  const service = LambdaService.fromStack(makeStack(specs), {
    sinks,
    logs: new MemoryLogs(),
    clock: createClock(scale),
    tracer: new CaptureTracer(),
    poolFactory: factory,
    state,
  });
  sinks.lambdaTarget = service;
  return { service, sinks, pools };
}

const until = (what: string, check: () => boolean, ms = 5_000) => waitFor(check, what, ms);

describe('durable asynchronous invocation', () => {
  const specs = [fn('f'), invokeConfig('f', { DestinationConfig: { OnFailure: { Destination: QUEUE } } })];

  it('an event cut off while waiting for a retry resumes with its attempt count and ends RetriesExhausted after 3', async () => {
    const state = new MemoryStateStore();
    // One AWS minute = 6 s: the first retry is still pending when the runtime stops.
    const first = start(state, specs, { f: fail }, 0.1);
    const { requestId } = await first.service.invoke('f', '{"mode":"fail"}', 'Event');
    await until('first attempt', () => first.pools.get('f')!.calls.length === 1);
    await until('retry saved', () => state.collection<AsyncEventState>('lambda-async-event', OWNER).all()[0]?.phase === 'retry');
    await first.service.dispose();

    const store = state.collection<AsyncEventState>('lambda-async-event', OWNER);
    const saved = store.all();
    expect(saved).toMatchObject([{ requestId, attempts: 1, phase: 'retry', payload: '{"mode":"fail"}' }]);
    // The retry fell due while the runtime was down: it runs at once after the restart.
    const now = Date.now();
    store.save(requestId, { ...saved[0]!, dueAt: now - 1, ageAt: now - 1 });

    const second = start(state, specs, { f: fail });
    expect(second.service.resume()).toBe(1);
    await second.service.idle();
    expect(second.pools.get('f')!.calls.map((c) => c.requestId)).toEqual([requestId, requestId]);
    const record = JSON.parse(second.sinks.sqsCalls[0]!.body);
    expect(record.requestContext).toMatchObject({ requestId, condition: 'RetriesExhausted', approximateInvokeCount: 3 });
    expect(state.count('lambda-async-event')).toBe(0);
  });

  it('an event whose maximum age passed while the runtime was down goes to on-failure with EventAgeExceeded', async () => {
    const state = new MemoryStateStore();
    const aged = [fn('f'), invokeConfig('f', { MaximumEventAgeInSeconds: 180, DestinationConfig: { OnFailure: { Destination: QUEUE } } })];
    const first = start(state, aged, { f: fail }, 0.1);
    await first.service.invoke('f', '{}', 'Event');
    await until('retry saved', () => state.collection<AsyncEventState>('lambda-async-event', OWNER).all()[0]?.phase === 'retry');
    await first.service.dispose();
    // Pretend the runtime stayed down for 5 AWS minutes.
    const store = state.collection<AsyncEventState>('lambda-async-event', OWNER);
    const event = store.all()[0]!;
    store.save(event.requestId, { ...event, ageAt: event.ageAt - 30_000, dueAt: event.ageAt - 24_000 });

    const second = start(state, aged, { f: fail }, 0.1);
    second.service.resume();
    await second.service.idle();
    expect(second.pools.get('f')!.calls).toHaveLength(0);
    const record = JSON.parse(second.sinks.sqsCalls[0]!.body);
    expect(record.requestContext).toMatchObject({ condition: 'EventAgeExceeded', approximateInvokeCount: 1 });
    expect(record.responsePayload.errorMessage).toBe('intentional failure');
  });

  it('a record not yet delivered is delivered after a restart, and nothing is left behind', async () => {
    const state = new MemoryStateStore();
    const store = state.collection<AsyncEventState>('lambda-async-event', OWNER);
    const now = Date.now();
    store.save('req-1', {
      requestId: 'req-1',
      payload: '{"x":1}',
      acceptedAt: now,
      attempts: 3,
      lastOutcome: { ok: false, payload: '{"errorType":"Error","errorMessage":"boom","trace":[]}' },
      ageAwsMs: 1_000,
      ageAt: now,
      phase: 'delivering',
      condition: 'RetriesExhausted',
      recordTime: now,
    });
    const { service, sinks } = start(state, specs, { f: fail });
    expect(service.resume()).toBe(1);
    await service.idle();
    expect(JSON.parse(sinks.sqsCalls[0]!.body)).toMatchObject({
      timestamp: new Date(now).toISOString(),
      requestContext: { requestId: 'req-1', condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      responsePayload: { errorMessage: 'boom' },
    });
    expect(state.count('lambda-async-event')).toBe(0);
  });

  it('a burst through a pool of two causes one throttle per wake-up, not one re-queue per event and tick', async () => {
    const state = new MemoryStateStore();
    const { service, pools } = start(state, [fn('f')], {});
    const pool = pools.get('f')!;
    pool.cap = 2;
    pool.latencyMs = 2;
    let throttles = 0;
    const invoke = pool.invoke.bind(pool);
    pool.invoke = (payload, requestId) => {
      if (pool.busy >= pool.cap) throttles += 1;
      return invoke(payload, requestId);
    };
    for (let i = 0; i < 100; i++) await service.invoke('f', JSON.stringify({ i }), 'Event');
    await service.idle();
    expect(pool.calls).toHaveLength(100);
    // Each completion wakes the queue once; at most one throttle per wake-up.
    expect(throttles).toBeLessThanOrEqual(2 * 100);
    expect(state.count('lambda-async-event')).toBe(0);
  });
});

describe('event invoke configs changed through the API', () => {
  const specs = [fn('f'), invokeConfig('f', { MaximumRetryAttempts: 2 })];

  it('a Put, then an Update, outlives a restart and decides the resumed events', async () => {
    const state = new MemoryStateStore();
    const first = start(state, specs, { f: fail });
    first.service.putEventInvokeConfig('f', undefined, { MaximumRetryAttempts: 0 }, 'put');
    first.service.putEventInvokeConfig('f', undefined, { DestinationConfig: { OnFailure: { Destination: QUEUE } } }, 'update');
    await first.service.dispose();

    const second = start(state, specs, { f: fail });
    second.service.resume();
    expect(second.service.getEventInvokeConfig('f')).toMatchObject({
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: QUEUE } },
    });
    // Retries 0 from the API, not 2 from the template: one attempt, then on-failure.
    await second.service.invoke('f', '{}', 'Event');
    await second.service.idle();
    expect(second.pools.get('f')!.calls).toHaveLength(1);
    expect(JSON.parse(second.sinks.sqsCalls[0]!.body).requestContext).toMatchObject({ condition: 'RetriesExhausted', approximateInvokeCount: 1 });
    await second.service.dispose();
  });

  it('a config deleted through the API stays deleted after a restart, though the template sets one', async () => {
    const state = new MemoryStateStore();
    const first = start(state, specs, { f: fail });
    first.service.deleteEventInvokeConfig('f');
    await first.service.dispose();

    const second = start(state, specs, { f: fail });
    second.service.resume();
    expect(() => second.service.getEventInvokeConfig('f')).toThrow(/doesn't have an EventInvokeConfig/);
    expect(second.service.listEventInvokeConfigs('f')).toEqual([]);
    await second.service.dispose();
  });

  it('without a change through the API, the template config stands after a restart', async () => {
    const state = new MemoryStateStore();
    await start(state, specs, { f: fail }).service.dispose();
    const second = start(state, specs, { f: fail });
    second.service.resume();
    expect(second.service.getEventInvokeConfig('f')).toMatchObject({ MaximumRetryAttempts: 2 });
    await second.service.dispose();
  });
});
