import { createClock } from '../../../local/clock.js';
import { LambdaService } from '../../../local/lambda/service.js';
import { CaptureSinks, CaptureTracer, MemoryLogs, fakePools, makeStack, type FakeHandler, type ResourceSpec } from './helpers.js';

/** A LambdaService on fake pools and capturing sinks, with AWS minutes lasting 6 ms. */
export function build(specs: readonly ResourceSpec[], handlers: Record<string, FakeHandler> = {}) {
  const sinks = new CaptureSinks();
  const tracer = new CaptureTracer();
  const { factory, pools } = fakePools(handlers);
  const service = LambdaService.fromStack(makeStack(specs), {
    sinks,
    logs: new MemoryLogs(),
    clock: createClock(0.0001),
    tracer,
    poolFactory: factory,
  });
  sinks.lambdaTarget = service;
  return { service, sinks, tracer, pools };
}
