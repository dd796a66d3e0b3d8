import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createClock } from '../../../local/clock.js';
import { LambdaService } from '../../../local/lambda/service.js';
import { CaptureSinks, CaptureTracer, MemoryLogs, arnOf, fn, invokeConfig, makeStack } from './helpers.js';

const CODE = fileURLToPath(new URL('../../fixtures/lambda-service/destined/', import.meta.url));
const QUEUE = 'arn:aws:sqs:us-east-1:000000000000:dest';

describe('LambdaService on the real FunctionPool', () => {
  const sinks = new CaptureSinks();
  const logs = new MemoryLogs();
  const tracer = new CaptureTracer();
  const service = LambdaService.fromStack(
    makeStack(
      [
        fn('destined', { Handler: 'index.handler', Timeout: 10 }),
        fn('reserved', { Handler: 'index.handler', Timeout: 10, ReservedConcurrentExecutions: 1 }),
        fn('retried', { Handler: 'index.handler', Timeout: 10 }),
        invokeConfig('retried', { MaximumRetryAttempts: 1 }),
        invokeConfig('destined', {
          MaximumRetryAttempts: 1,
          DestinationConfig: { OnSuccess: { Destination: QUEUE }, OnFailure: { Destination: QUEUE } },
        }),
      ],
      CODE,
    ),
    { sinks, logs, clock: createClock(0.0001), tracer, maxEnvironments: 2 },
  );
  afterAll(() => service.dispose());

  it('runs a handler synchronously and reports its error', async () => {
    const ok = await service.invoke('destined', '{"mode":"ok"}', 'RequestResponse');
    expect(JSON.parse(ok.payload)).toEqual({ source: 'destined', requestId: ok.requestId, event: { mode: 'ok' } });
    expect(ok.log).toContain(`END RequestId: ${ok.requestId}`);
    const bad = await service.invoke('destined', '{"mode":"fail"}', 'RequestResponse');
    expect(bad.functionError).toBe('Unhandled');
    expect(JSON.parse(bad.payload)).toMatchObject({ errorType: 'Error', errorMessage: 'intentional failure' });
  }, 20_000);

  it('retries an async failure and sends both records with the same request id the handler saw', async () => {
    const okId = (await service.invoke('destined', '{"mode":"ok"}', 'Event')).requestId;
    const failId = (await service.invoke('destined', '{"mode":"fail"}', 'Event')).requestId;
    await service.idle();
    const records = sinks.sqsCalls.map((c) => JSON.parse(c.body));
    const success = records.find((r) => r.requestContext.condition === 'Success');
    const failure = records.find((r) => r.requestContext.condition === 'RetriesExhausted');
    expect(success.requestContext).toEqual({ requestId: okId, functionArn: `${arnOf('destined')}:$LATEST`, condition: 'Success', approximateInvokeCount: 1 });
    expect(success.responsePayload).toEqual({ source: 'destined', requestId: okId, event: { mode: 'ok' } });
    expect(failure.requestContext).toMatchObject({ requestId: failId, approximateInvokeCount: 2 });
    expect(failure.responsePayload).toMatchObject({ errorType: 'Error', errorMessage: 'intentional failure' });
    const lines = logs.messages('/aws/lambda/destined');
    expect(lines.filter((l) => l.startsWith(`START RequestId: ${failId}`))).toHaveLength(2);
  }, 20_000);

  it('logs a retried async event as AWS recorded it: one INIT_START, Init Duration on the cold attempt only, one request id', async () => {
    const { requestId } = await service.invoke('retried', '{"mode":"fail"}', 'Event');
    await service.idle();
    const stored = logs.messages('/aws/lambda/retried');
    // As recorded on AWS, each message keeps its trailing newline ("START RequestId: ... $LATEST\n").
    expect(stored.every((m) => m.endsWith('\n'))).toBe(true);
    const platform = stored
      .map((m) => m.slice(0, -1))
      .filter((m) => /^(INIT_START|START|END|REPORT) /.test(m))
      .map((m) => m.replace(/\tDuration: .*?(\tInit Duration: [\d.]+ ms)?\t$/, (_all, init: string | undefined) => (init ? ' [init]' : '')));
    // The shape of test/conformance/lambda-async test_invocation_type_event_error's log_events.
    expect(platform).toHaveLength(7);
    expect(platform[0]).toMatch(/^INIT_START Runtime Version: nodejs:22\.v\d+\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}$/);
    expect(platform.slice(1)).toEqual([
      `START RequestId: ${requestId} Version: $LATEST`,
      `END RequestId: ${requestId}`,
      `REPORT RequestId: ${requestId} [init]`,
      `START RequestId: ${requestId} Version: $LATEST`,
      `END RequestId: ${requestId}`,
      `REPORT RequestId: ${requestId}`,
    ]);
  }, 20_000);

  it('throttles a second concurrent sync invoke of a function with reserved concurrency 1', async () => {
    // The pool counts the first invoke as busy at once (it checks its cap synchronously).
    const slow = service.invoke('reserved', '{"sleepMs":300}', 'RequestResponse');
    await expect(service.invoke('reserved', '{}', 'RequestResponse')).rejects.toMatchObject({
      code: 'TooManyRequestsException',
      statusCode: 429,
      extra: { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' },
    });
    await expect(slow).resolves.toMatchObject({ statusCode: 200 });
  }, 20_000);
});
