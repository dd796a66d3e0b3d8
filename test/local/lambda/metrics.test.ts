import { describe, expect, it } from 'vitest';
import type { PutEventsEntry } from '../../../local/contracts.js';
import { AwsError } from '../../../local/protocol/errors.js';
import { TraceLog } from '../../../local/tracing.js';
import { localRoutes } from '../../../local/local-routes.js';
import { runtimeMetrics } from '../../../local/lambda/runtime-metrics.js';
import { countingPool, newCounters } from '../../../local/lambda/metrics.js';
import { ThrottledError } from '../../../local/lambda/environments.js';
import { build } from './build.js';
import { fail, fn, invokeConfig, makeStack } from './helpers.js';

const BUS = 'arn:aws:events:us-east-1:000000000000:event-bus/destinations';
const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:dest';

describe('Lambda metrics', () => {
  it('counts invocations, function errors and throttles per function', async () => {
    const { service, pools } = build([fn('ok'), fn('bad', { ReservedConcurrentExecutions: 1 })], { bad: fail });
    await service.invoke('ok', '{}', 'RequestResponse');
    await service.invoke('ok', '{}', 'RequestResponse');
    await service.invoke('bad', '{}', 'RequestResponse');
    pools.get('bad')!.throttleNext = 1;
    await expect(service.invoke('bad', '{}', 'RequestResponse')).rejects.toMatchObject({ code: 'TooManyRequestsException' });
    const metrics = service.metrics();
    expect(metrics['ok']).toMatchObject({ invocations: 2, errors: 0, throttles: 0, destinationDeliveryFailures: 0 });
    expect(metrics['bad']).toMatchObject({ invocations: 1, errors: 1, throttles: 1 });
    // A fake pool has no processes.
    expect(metrics['ok']).toMatchObject({ environments: 0, busyEnvironments: 0 });
  });

  it('counts a throttle the pool throws synchronously, answering with a rejection as for one it rejects with', async () => {
    const counters = newCounters();
    const pool = countingPool(
      {
        invoke: () => {
          throw new ThrottledError();
        },
        dispose: async () => {},
      },
      counters,
    );
    await expect(pool.invoke('{}', 'r1')).rejects.toBeInstanceOf(ThrottledError);
    expect(counters).toMatchObject({ invocations: 0, throttles: 1 });
  });

  it('counts each async attempt, retries included', async () => {
    const { service } = build([fn('f'), invokeConfig('f', { MaximumRetryAttempts: 2 })], { f: fail });
    await service.invoke('f', '{}', 'Event');
    await service.idle();
    expect(service.metrics()['f']).toMatchObject({ invocations: 3, errors: 3 });
  });

  it('traces an undeliverable destination record as failed, with the reason, and counts it', async () => {
    const { service, sinks, tracer } = build([fn('f'), invokeConfig('f', { DestinationConfig: { OnSuccess: { Destination: BUS } } })]);
    // The bus refuses the entry, as EventBridge does for a record over its size limit.
    sinks.events.putEvents = async (entries: readonly PutEventsEntry[]) => ({
      FailedEntryCount: entries.length,
      Entries: entries.map(() => ({ ErrorCode: 'ValidationException', ErrorMessage: 'Total size of the entries in the request is over the limit.' })),
    });
    await service.invoke('f', '{}', 'Event');
    await service.idle();
    const failed = tracer.events.find((e) => e.kind === 'destination-failed');
    expect(failed).toMatchObject({
      service: 'lambda',
      resource: 'f',
      outcome: 'failed',
      reason: 'Error: ValidationException: Total size of the entries in the request is over the limit.',
    });
    expect(service.metrics()['f']!.destinationDeliveryFailures).toBe(1);
  });

  it('marks a destination that denies the record as denied', async () => {
    const { service, sinks, tracer } = build([fn('f'), invokeConfig('f', { DestinationConfig: { OnSuccess: { Destination: QUEUE } } })]);
    sinks.sqs.sendMessage = async () => {
      throw new AwsError('AccessDenied', 'Access to the resource is denied.', 403);
    };
    await service.invoke('f', '{}', 'Event');
    await service.idle();
    expect(tracer.events.find((e) => e.kind === 'destination-failed')).toMatchObject({ outcome: 'denied', reason: 'AccessDenied: Access to the resource is denied.' });
    expect(service.metrics()['f']!.destinationDeliveryFailures).toBe(1);
  });

  it('does not count a delivered record', async () => {
    const { service } = build([fn('f'), invokeConfig('f', { DestinationConfig: { OnSuccess: { Destination: BUS } } })]);
    await service.invoke('f', '{}', 'Event');
    await service.idle();
    expect(service.metrics()['f']!.destinationDeliveryFailures).toBe(0);
  });

  it('serves GET /_local/metrics with the process and per-function figures', async () => {
    const { service } = build([fn('f')]);
    await service.invoke('f', '{}', 'RequestResponse');
    const routes = localRoutes({
      stack: makeStack([]),
      traces: new TraceLog(),
      logs: {} as never,
      metrics: () => runtimeMetrics(service),
    });
    const response = await routes({ method: 'GET', path: '/_local/metrics', rawQuery: '', headers: {}, body: Buffer.alloc(0) } as never);
    expect(response?.statusCode).toBe(200);
    const body = JSON.parse(String(response!.body)) as ReturnType<typeof runtimeMetrics>;
    expect(body.process.rssBytes).toBeGreaterThan(0);
    expect(body.process).toMatchObject({ environments: 0, environmentsRssBytes: 0 });
    expect(body.functions['f']).toMatchObject({
      invocations: 1,
      errors: 0,
      throttles: 0,
      destinationDeliveryFailures: 0,
      environments: 0,
      busyEnvironments: 0,
    });
  });
});
