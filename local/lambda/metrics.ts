/**
 * Per-function counters named after Lambda's CloudWatch metrics
 * (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html):
 * `Invocations` counts every run of the function code, successful or not,
 * and not throttled requests; `Errors` the function errors among them;
 * `Throttles` the requests refused for concurrency; and
 * `DestinationDeliveryFailures` the records Lambda could not send to a
 * destination, which nothing else tells the user about on AWS.
 */
import type { Tracer } from '../contracts.js';
import { isThrottle, type Execution, type PoolLike } from './pool.js';

export interface FunctionCounters {
  invocations: number;
  errors: number;
  throttles: number;
  destinationDeliveryFailures: number;
}

export function newCounters(): FunctionCounters {
  return { invocations: 0, errors: 0, throttles: 0, destinationDeliveryFailures: 0 };
}

/**
 * The pool, counting each invocation's outcome on the way out. Chained with
 * two handlers made once per pool, not an async function per invocation
 * (a promise, an await and its microtasks fewer on every run).
 */
export function countingPool(pool: PoolLike, counters: FunctionCounters): PoolLike {
  const ran = (execution: Execution): Execution => {
    counters.invocations += 1;
    if (!execution.ok) counters.errors += 1;
    return execution;
  };
  const refused = (error: unknown): never => {
    if (isThrottle(error)) counters.throttles += 1;
    throw error;
  };
  const counted: PoolLike = {
    invoke: (payload, requestId) => {
      let running: Promise<Execution>;
      try {
        running = pool.invoke(payload, requestId);
      } catch (error) {
        // A pool that throws is counted, and answered with a rejection, as a rejecting one.
        running = Promise.reject(error);
      }
      return running.then(ran, refused);
    },
    dispose: () => pool.dispose(),
  };
  if (pool.stats) counted.stats = () => pool.stats!();
  return counted;
}

/**
 * The tracer a function's async queue reports through, counting failed
 * destination deliveries from the trace it already records for each one.
 */
export function countingTracer(tracer: Tracer | undefined, counters: FunctionCounters): Tracer {
  return {
    record(event) {
      if (event.kind === 'destination-failed') counters.destinationDeliveryFailures += 1;
      tracer?.record(event);
    },
  };
}
