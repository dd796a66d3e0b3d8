import type { Sinks, Tracer } from '../contracts.js';
import { tracePayload } from '../tracing.js';
import type { Clock } from '../clock.js';
import { sendToDeadLetter } from './dead-letter.js';
import { sendToDestination } from './destinations.js';
import type { EffectiveInvokeConfig } from './event-invoke-config.js';
import { buildInvocationRecord, type AttemptOutcome, type InvocationCondition } from './invocation-record.js';
import { isThrottle, type PoolLike } from './pool.js';

/** AWS waits about one minute before the first retry and two before the second. */
export const RETRY_DELAYS_MS: readonly number[] = [60_000, 120_000];
/**
 * Throttled events back off exponentially from one second up to five minutes
 * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
 */
export const THROTTLE_BACKOFF_MS = { initial: 1_000, max: 300_000 } as const;

/** The wait after a throttle that followed a wait of `delayMs` (AWS ms): doubled, capped at five minutes. */
export function nextThrottleDelay(delayMs: number): number {
  return Math.min(delayMs * 2, THROTTLE_BACKOFF_MS.max);
}

/** What one function's async queue needs. */
export interface AsyncQueueDeps {
  readonly clock: Clock;
  readonly sinks: Sinks;
  readonly tracer?: Tracer;
  readonly functionName: string;
  /** Unqualified. */
  readonly functionArn: string;
  readonly pool: PoolLike;
  /** Read for every decision, so PutFunctionEventInvokeConfig applies to queued events too. */
  readonly config: () => EffectiveInvokeConfig;
  readonly deadLetterTargetArn?: string;
}

/**
 * Lambda's internal queue for one function's asynchronous invocations:
 * runs each event, retries function errors with AWS's back-off, re-queues
 * throttled events without counting an attempt, enforces the maximum event
 * age, then sends the invocation record to the configured destination and
 * the event to the dead-letter queue.
 */
export class AsyncQueue {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();

  constructor(private readonly deps: AsyncQueueDeps) {}

  /** Number of events accepted and not yet finished. */
  get pending(): number {
    return this.inFlight.size;
  }

  /** Accept an event; processing starts at once and never rejects. */
  enqueue(requestId: string, payload: string): void {
    const task = this.process(requestId, payload).catch((error: unknown) => {
      // An abort (dispose) drops the event with the runtime; anything else is a bug worth seeing.
      if (this.abort.signal.aborted) return;
      this.deps.tracer?.record({
        service: 'lambda',
        kind: 'error',
        resource: this.deps.functionName,
        summary: `async event failed inside the local runtime: ${(error as Error)?.stack ?? String(error)}`,
        ids: { requestId },
      });
    });
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
  }

  /** Resolves once every accepted event has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Stop waiting: pending retries are abandoned. */
  close(): void {
    this.abort.abort(new Error('async queue closed'));
  }

  private async process(requestId: string, payload: string): Promise<void> {
    const { clock, tracer, functionName } = this.deps;
    const enqueuedAt = clock.now();
    let sleptLocalMs = 0;
    let sleptAwsMs = 0;
    // The event's age in AWS time: real time while running, AWS time while waiting.
    // A retry due exactly at the maximum age is already too late (AWS gives up at 60 s age with a 60 s back-off).
    const ageMs = () => clock.now() - enqueuedAt - sleptLocalMs + sleptAwsMs;
    const sleep = async (awsMs: number) => {
      const start = clock.now();
      await clock.sleep(awsMs, this.abort.signal);
      sleptLocalMs += clock.now() - start;
      sleptAwsMs += awsMs;
    };

    let attempts = 0;
    let throttleDelay: number = THROTTLE_BACKOFF_MS.initial;
    let outcome: AttemptOutcome | undefined;
    for (;;) {
      const config = this.deps.config();
      const maxAgeMs = config.maximumEventAgeInSeconds * 1000;
      let execution;
      try {
        execution = await this.deps.pool.invoke(payload, requestId);
      } catch (error) {
        if (!isThrottle(error)) {
          execution = {
            ok: false,
            payload: JSON.stringify({ errorType: 'Runtime.Unknown', errorMessage: String((error as Error)?.message ?? error), trace: [] }),
            durationMs: 0,
          };
        } else {
          if (ageMs() + throttleDelay >= maxAgeMs) return this.finish(requestId, payload, 'EventAgeExceeded', attempts, outcome);
          tracer?.record({
            service: 'lambda',
            kind: 'throttle',
            resource: functionName,
            summary: `throttled; event re-queued for ${throttleDelay / 1000}s (not counted as an attempt)`,
            ids: { requestId },
          });
          await sleep(throttleDelay);
          throttleDelay = nextThrottleDelay(throttleDelay);
          continue;
        }
      }
      attempts += 1;
      outcome = { ok: execution.ok, payload: execution.payload };
      tracer?.record({
        service: 'lambda',
        kind: 'invoke',
        resource: functionName,
        summary: `async attempt ${attempts}: ${execution.ok ? 'succeeded' : `failed (${errorSummary(execution.payload)})`} in ${execution.durationMs.toFixed(0)} ms`,
        ids: { requestId },
        outcome: execution.ok ? 'ok' : 'failed',
        detail: {
          attempt: attempts,
          durationMs: execution.durationMs,
          response: tracePayload(execution.payload),
          ...('log' in execution ? { log: tracePayload(execution.log) } : {}),
        },
      });
      if (execution.ok) return this.finish(requestId, payload, 'Success', attempts, outcome);
      if (attempts > config.maximumRetryAttempts) return this.finish(requestId, payload, 'RetriesExhausted', attempts, outcome);
      const delay = RETRY_DELAYS_MS[Math.min(attempts - 1, RETRY_DELAYS_MS.length - 1)]!;
      if (ageMs() + delay >= maxAgeMs) return this.finish(requestId, payload, 'EventAgeExceeded', attempts, outcome);
      tracer?.record({
        service: 'lambda',
        kind: 'retry',
        resource: functionName,
        summary: `retry ${attempts} of ${config.maximumRetryAttempts} scheduled in ${delay / 1000}s (AWS time)`,
        ids: { requestId },
        outcome: 'pending',
        reason: `waiting for retry ${attempts}`,
        // The local wait and when it ends, so the dashboard can count down.
        detail: { attempt: attempts, delayMs: delay, localDelayMs: clock.toLocalMs(delay), dueAt: clock.now() + clock.toLocalMs(delay) },
      });
      await sleep(delay);
    }
  }

  private async finish(
    requestId: string,
    payload: string,
    condition: InvocationCondition,
    attempts: number,
    outcome: AttemptOutcome | undefined,
  ): Promise<void> {
    const { sinks, tracer, functionArn, functionName, clock } = this.deps;
    const config = this.deps.config();
    const delivery = { sinks, tracer };
    const record = buildInvocationRecord({
      requestId,
      functionArn,
      condition,
      approximateInvokeCount: attempts,
      requestPayload: payload,
      ...(outcome ? { outcome } : {}),
      time: clock.now(),
    });
    const sends: Promise<void>[] = [];
    if (condition === 'Success') {
      if (config.onSuccess) sends.push(sendToDestination(config.onSuccess, record, delivery));
    } else {
      if (config.onFailure) sends.push(sendToDestination(config.onFailure, record, delivery));
      if (this.deps.deadLetterTargetArn) {
        sends.push(
          sendToDeadLetter(
            {
              targetArn: this.deps.deadLetterTargetArn,
              functionArn,
              requestId,
              payload,
              ...(outcome ? { errorPayload: outcome.payload } : {}),
            },
            delivery,
          ),
        );
      }
      if (sends.length === 0) {
        tracer?.record({
          service: 'lambda',
          kind: 'discard',
          resource: functionName,
          summary: `${condition} after ${attempts} attempt(s); no on-failure destination or dead-letter queue, event discarded`,
          ids: { requestId },
          outcome: 'failed',
          reason: `event discarded (${condition}, no on-failure destination)`,
        });
      }
    }
    await Promise.all(sends);
  }
}

function errorSummary(payload: string): string {
  try {
    const e = JSON.parse(payload) as { errorType?: string; errorMessage?: string };
    return `${e.errorType ?? 'Error'}: ${e.errorMessage ?? ''}`;
  } catch {
    return payload.slice(0, 200);
  }
}
