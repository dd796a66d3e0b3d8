import type { Sinks, Tracer } from '../contracts.js';
import { tracePayload, traceText } from '../tracing.js';
import type { Clock } from '../clock.js';
import type { Collection } from '../state/types.js';
import { TimerQueue } from '../timer-queue.js';
import { inBackground } from '../background.js';
import { Fifo } from '../fifo.js';
import { sendToDeadLetter } from './dead-letter.js';
import { sendToDestination } from './destinations.js';
import type { EffectiveInvokeConfig } from './event-invoke-config.js';
import { buildInvocationRecord, type AttemptOutcome, type InvocationCondition } from './invocation-record.js';
import { isThrottle, type Execution, type PoolLike } from './pool.js';

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

/**
 * One asynchronous event as Lambda's internal queue keeps it, durably: what
 * a restart needs to resume it where it stopped.
 */
export interface AsyncEventState {
  readonly requestId: string;
  readonly payload: string;
  /** Epoch ms when Lambda accepted the event. */
  readonly acceptedAt: number;
  /** Attempts that ran to an outcome (approximateInvokeCount). */
  attempts: number;
  /** The last attempt's outcome (its error is the record's response). */
  lastOutcome?: AttemptOutcome;
  /**
   * The event's age in AWS ms at local epoch ms `ageAt`. Age grows in real
   * time while the event waits for or runs in an environment, and in AWS time
   * (scaled by --time-scale) while it waits for a retry, a throttle, or a
   * restart of the runtime.
   */
  ageAwsMs: number;
  ageAt: number;
  /** `queued`: to run now; `retry`: waiting until `dueAt`; `delivering`: finished, record not yet delivered. */
  phase: 'queued' | 'retry' | 'delivering';
  /** Local epoch ms of the next attempt (phase `retry`). */
  dueAt?: number;
  condition?: InvocationCondition;
  /** Epoch ms stamped on the invocation record (phase `delivering`), so a re-delivery sends the same record. */
  recordTime?: number;
}

/** What one function's async queue needs. */
export interface AsyncQueueDeps {
  readonly clock: Clock;
  /**
   * Where records and dead letters go, read as each is sent (the sinks are filled in after every service
   * exists): these deps are handed to the senders as they are, with no object made per delivery.
   */
  readonly sinks: Sinks;
  readonly tracer?: Tracer;
  readonly functionName: string;
  /** Unqualified. */
  readonly functionArn: string;
  readonly pool: PoolLike;
  /** Read for every decision, so PutFunctionEventInvokeConfig applies to queued events too. */
  readonly config: () => EffectiveInvokeConfig;
  readonly deadLetterTargetArn?: string;
  /**
   * How many environments the pool can run at once for this function (its
   * reserved concurrency, or the local cap). The queue never starts more, so
   * the pool throttles only when synchronous invokes hold environments too.
   * @default Infinity
   */
  readonly concurrencyLimit?: number;
  /** Where accepted events are kept until their record is delivered; nothing kept when absent. */
  readonly store?: Collection<AsyncEventState>;
}

/**
 * Lambda's internal queue for one function's asynchronous invocations:
 * runs each event, retries function errors with AWS's back-off, holds
 * throttled events without counting an attempt, enforces the maximum event
 * age, then sends the invocation record to the configured destination and
 * the event to the dead-letter queue.
 *
 * Every state change is saved before it takes effect, so a restart resumes
 * each event where it stopped (at-least-once: an attempt or delivery cut
 * off by a crash runs again). Waiting is cheap: retries share one timer,
 * and throttled events wait together for one wake-up (an invocation of this
 * function finishing, or one back-off timer per function), never polling
 * one by one.
 */
export class AsyncQueue {
  /** Events ready to run, oldest first (throttled ones go back to the front). */
  private readonly ready = new Fifo<AsyncEventState>();
  private readonly retries: TimerQueue<AsyncEventState>;
  private running = 0;
  private accepted = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly limit: number;
  /**
   * How many invocations the queue starts at once: the limit, cut to what
   * was running when the pool last throttled, then grown by one per
   * completion. A throttle costs one re-try per completion, never a poll per event.
   */
  private window: number;
  /** Armed only when throttled with nothing running, i.e. nothing else will wake the queue. */
  private throttleTimer: NodeJS.Timeout | undefined;
  private throttledAt = 0;
  private throttleDelay: number = THROTTLE_BACKOFF_MS.initial;
  private closed = false;
  /**
   * Payloads already parsed on the way in (the request, validated by Invoke)
   * and out (the response, parsed for the trace), so the invocation record
   * does not parse them again: kept beside the durable state, never in it,
   * and dropped when the event is done (or the queue closed). A resumed
   * event has none and parses its own. Maps, not WeakMaps: a WeakMap entry
   * of a young key costs the garbage collector ~1 µs (~0.15 µs for a Map
   * set and delete, measured with two million short-lived keys).
   */
  private readonly parsedRequests = new Map<AsyncEventState, unknown>();
  /** By event: the parsed response of its last outcome. */
  private readonly parsedResponses = new Map<AsyncEventState, unknown>();
  /**
   * Events whose payload text is exactly `JSON.stringify` of their parsed request (an SNS or EventBridge
   * event handed over with its text): a record puts that text in as it is instead of serialising the value.
   */
  private readonly canonicalRequests = new Set<AsyncEventState>();

  constructor(private readonly deps: AsyncQueueDeps) {
    this.retries = new TimerQueue((event) => this.retryDue(event), () => deps.clock.now());
    this.limit = Math.max(1, deps.concurrencyLimit ?? Infinity);
    this.window = this.limit;
  }

  /** Number of events accepted and not yet finished. */
  get pending(): number {
    return this.accepted;
  }

  /**
   * Accept an event: saved before this returns, processing starts at once.
   * `parsed` is `JSON.parse(payload)` when the caller has it (never changed afterwards);
   * `canonical`: `payload` is also exactly `JSON.stringify(parsed)`.
   */
  enqueue(requestId: string, payload: string, parsed?: unknown, canonical = false): void {
    const now = this.deps.clock.now();
    const event: AsyncEventState = { requestId, payload, acceptedAt: now, attempts: 0, ageAwsMs: 0, ageAt: now, phase: 'queued' };
    if (parsed !== undefined) {
      this.parsedRequests.set(event, parsed);
      if (canonical) this.canonicalRequests.add(event);
    }
    this.deps.store?.save(requestId, event);
    this.accepted += 1;
    this.ready.push(event);
    this.pump();
  }

  /**
   * Take up the events a previous run left in the store: the time the runtime
   * was down counts as AWS time; a retry due meanwhile runs at once; an event
   * now too old goes to on-failure with EventAgeExceeded; a finished event's
   * record is delivered (again). Returns how many were resumed.
   */
  resume(): number {
    const saved = this.deps.store?.all() ?? [];
    const { clock } = this.deps;
    const now = clock.now();
    for (const event of saved) {
      // A retry not yet due has its back-off counted already (ageAt is its due time).
      if (event.ageAt < now) {
        event.ageAwsMs += clock.toAwsMs(now - event.ageAt);
        event.ageAt = now;
      }
      this.accepted += 1;
      if (event.phase === 'delivering') {
        this.deliver(event);
      } else if (event.ageAwsMs >= this.maxAgeMs()) {
        this.finish(event, 'EventAgeExceeded');
      } else if (event.phase === 'retry' && event.dueAt !== undefined && event.dueAt > now) {
        this.retries.schedule(event.dueAt, event);
      } else {
        event.phase = 'queued';
        this.ready.push(event);
      }
    }
    this.pump();
    return saved.length;
  }

  /** Resolves once every accepted event has finished. */
  idle(): Promise<void> {
    if (this.accepted === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stop: nothing more runs or is saved; what is in the store resumes at the next start. */
  close(): void {
    this.closed = true;
    this.retries.close();
    if (this.throttleTimer) clearTimeout(this.throttleTimer);
    this.throttleTimer = undefined;
    this.ready.clear();
    this.parsedRequests.clear();
    this.parsedResponses.clear();
    this.canonicalRequests.clear();
  }

  private maxAgeMs(): number {
    return this.deps.config().maximumEventAgeInSeconds * 1000;
  }

  /** Age in AWS ms now; `scaled` says whether the time since the last checkpoint was an AWS wait. */
  private age(event: AsyncEventState, scaled: boolean): number {
    const elapsed = Math.max(0, this.deps.clock.now() - event.ageAt);
    return event.ageAwsMs + (scaled ? this.deps.clock.toAwsMs(elapsed) : elapsed);
  }

  private checkpoint(event: AsyncEventState, scaled: boolean): void {
    event.ageAwsMs = this.age(event, scaled);
    event.ageAt = this.deps.clock.now();
  }

  /** Start ready events while the window allows. */
  private pump(): void {
    while (!this.closed && this.throttleTimer === undefined && this.running < this.window && this.ready.size > 0) {
      const event = this.ready.shift()!;
      if (this.age(event, false) >= this.maxAgeMs()) {
        this.finish(event, 'EventAgeExceeded');
        continue;
      }
      this.running += 1;
      let execution: Promise<Execution>;
      try {
        execution = this.deps.pool.invoke(event.payload, event.requestId);
      } catch (error) {
        execution = Promise.reject(error);
      }
      // What follows an attempt (record, destination, retry) waits for a background turn: requests at the front door go first.
      execution.then(
        (result) => inBackground(() => this.attempted(event, result)),
        (error: unknown) => inBackground(() => this.attemptFailed(event, error)),
      );
    }
  }

  private attemptFailed(event: AsyncEventState, error: unknown): void {
    if (this.closed) return;
    if (!isThrottle(error)) {
      this.attempted(event, {
        ok: false,
        payload: JSON.stringify({ errorType: 'Runtime.Unknown', errorMessage: String((error as Error)?.message ?? error), trace: [] }),
        durationMs: 0,
        requestId: event.requestId,
        log: '',
      });
      return;
    }
    // Throttled: not an attempt. The event goes back to the front and waits for a completion.
    this.running -= 1;
    this.ready.unshift(event);
    const first = this.window > this.running;
    this.window = Math.max(1, this.running);
    if (first) {
      this.deps.tracer?.record({
        service: 'lambda',
        kind: 'throttle',
        resource: this.deps.functionName,
        summary: `throttled; ${this.ready.size} event(s) wait for a free environment (not counted as attempts)`,
        ids: { requestId: event.requestId },
      });
    }
    if (this.running > 0 || this.throttleTimer !== undefined) return;
    // Nothing of ours is running, so no completion will come: back off on one timer, in AWS time.
    const delay = this.throttleDelay;
    this.throttleDelay = nextThrottleDelay(this.throttleDelay);
    this.throttledAt = this.deps.clock.now();
    this.throttleTimer = setTimeout(() => this.throttleOver(), this.deps.clock.toLocalMs(delay));
  }

  /** The back-off passed: the wait counts as AWS time for every waiting event. */
  private throttleOver(): void {
    this.throttleTimer = undefined;
    if (this.closed) return;
    const now = this.deps.clock.now();
    for (const event of this.ready) {
      const from = Math.max(event.ageAt, this.throttledAt);
      event.ageAwsMs += Math.max(0, from - event.ageAt) + this.deps.clock.toAwsMs(Math.max(0, now - from));
      event.ageAt = now;
    }
    this.pump();
  }

  private attempted(event: AsyncEventState, execution: Execution): void {
    this.running -= 1;
    if (this.closed) return;
    // An environment is free again: probe one further, up to the limit.
    this.throttleDelay = THROTTLE_BACKOFF_MS.initial;
    if (this.window < this.limit) this.window += 1;
    this.pump();
    const { tracer, functionName } = this.deps;
    event.attempts += 1;
    const outcome: AttemptOutcome = { ok: execution.ok, payload: execution.payload };
    event.lastOutcome = outcome;
    const response = tracePayload(execution.payload);
    // Parsed JSON (not the text kept as it was): the record can embed the same value.
    if (typeof response !== 'string') this.parsedResponses.set(event, response);
    else this.parsedResponses.delete(event);
    tracer?.record({
      service: 'lambda',
      kind: 'invoke',
      resource: functionName,
      summary: `async attempt ${event.attempts}: ${execution.ok ? 'succeeded' : `failed (${errorSummary(execution.payload)})`} in ${execution.durationMs.toFixed(0)} ms`,
      ids: { requestId: event.requestId },
      outcome: execution.ok ? 'ok' : 'failed',
      detail: {
        attempt: event.attempts,
        durationMs: execution.durationMs,
        response,
        log: traceText(execution.log),
      },
    });
    if (execution.ok) return this.finish(event, 'Success');
    const config = this.deps.config();
    if (event.attempts > config.maximumRetryAttempts) return this.finish(event, 'RetriesExhausted');
    const delay = RETRY_DELAYS_MS[Math.min(event.attempts - 1, RETRY_DELAYS_MS.length - 1)]!;
    // A retry due exactly at the maximum age is already too late (AWS gives up at 60 s age with a 60 s back-off).
    if (this.age(event, false) + delay >= config.maximumEventAgeInSeconds * 1000) return this.finish(event, 'EventAgeExceeded');
    tracer?.record({
      service: 'lambda',
      kind: 'retry',
      resource: functionName,
      summary: `retry ${event.attempts} of ${config.maximumRetryAttempts} scheduled in ${delay / 1000}s (AWS time)`,
      ids: { requestId: event.requestId },
      outcome: 'pending',
      reason: `waiting for retry ${event.attempts}`,
      // The local wait and when it ends, so the dashboard can count down.
      detail: { attempt: event.attempts, delayMs: delay, localDelayMs: this.deps.clock.toLocalMs(delay), dueAt: this.deps.clock.now() + this.deps.clock.toLocalMs(delay) },
    });
    // The back-off counts exactly `delay` of AWS time, whatever the timer's lateness (which counts as real time).
    this.checkpoint(event, false);
    event.phase = 'retry';
    event.dueAt = event.ageAt + this.deps.clock.toLocalMs(delay);
    event.ageAwsMs += delay;
    event.ageAt = event.dueAt;
    this.deps.store?.save(event.requestId, event);
    this.retries.schedule(event.dueAt, event);
  }

  private retryDue(event: AsyncEventState): void {
    this.checkpoint(event, false);
    event.phase = 'queued';
    delete event.dueAt;
    this.ready.push(event);
    this.pump();
  }

  /** The event is done: save the outcome, then deliver its record. */
  private finish(event: AsyncEventState, condition: InvocationCondition): void {
    if (this.closed) return;
    event.phase = 'delivering';
    event.condition = condition;
    event.recordTime = this.deps.clock.now();
    delete event.dueAt;
    if (this.hasTargets(condition)) this.deps.store?.save(event.requestId, event);
    return this.deliver(event);
  }

  private hasTargets(condition: InvocationCondition): boolean {
    const config = this.deps.config();
    return condition === 'Success' ? config.onSuccess !== undefined : config.onFailure !== undefined || this.deps.deadLetterTargetArn !== undefined;
  }

  /**
   * Delivers a finished event's record, then forgets the event. An event
   * with nothing to send (a function without destination or dead-letter
   * queue, as the pipeline's loggers) is forgotten at once, with no promise
   * chain; one destination is waited for directly, not through Promise.all.
   * Nothing waits for the delivery: its end is handled in {@link settled} or {@link sendFailed}.
   */
  private deliver(event: AsyncEventState): void {
    let sending: Promise<unknown> | undefined;
    try {
      sending = this.send(event);
    } catch (error) {
      return this.sendFailed(event, error);
    }
    if (sending === undefined) this.settled(event);
    // The senders never reject but for a failure of the runtime itself, traced like a throw; should tracing
    // that throw too, the promise `then` returns rejects unhandled, as nothing else can report it.
    else void sending.then(() => this.settled(event), (error: unknown) => this.sendFailed(event, error));
  }

  /** A delivery is over, its record sent: the event is forgotten (failing to forget it is the runtime's failure, traced). */
  private settled(event: AsyncEventState): void {
    try {
      this.delivered(event);
    } catch (error) {
      this.failedInside(event, error);
    } finally {
      this.done(event);
    }
  }

  /** The runtime failed on the way to sending a record: traced, and the event is forgotten. */
  private sendFailed(event: AsyncEventState, error: unknown): void {
    try {
      this.failedInside(event, error);
    } finally {
      this.done(event);
    }
  }

  private delivered(event: AsyncEventState): void {
    if (!this.closed) this.deps.store?.remove(event.requestId);
  }

  private failedInside(event: AsyncEventState, error: unknown): void {
    this.deps.tracer?.record({
      service: 'lambda',
      kind: 'error',
      resource: this.deps.functionName,
      summary: `async event failed inside the local runtime: ${(error as Error)?.stack ?? String(error)}`,
      ids: { requestId: event.requestId },
    });
  }

  private done(event: AsyncEventState): void {
    this.parsedRequests.delete(event);
    this.parsedResponses.delete(event);
    this.canonicalRequests.delete(event);
    this.accepted -= 1;
    if (this.accepted > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Starts sending a finished event's record and dead letter; undefined when it has nowhere to go. */
  private send(event: AsyncEventState): Promise<unknown> | undefined {
    const { tracer, functionName, deadLetterTargetArn } = this.deps;
    const condition = event.condition!;
    const config = this.deps.config();
    // The record is built only for a destination: a function without one (the pipeline's loggers) needs none.
    const destination = condition === 'Success' ? config.onSuccess : config.onFailure;
    const toDestination = destination ? sendToDestination(destination, this.record(event), this.deps, this.requestText(event)) : undefined;
    if (condition === 'Success') return toDestination;
    const toDeadLetter = deadLetterTargetArn ? this.sendDeadLetter(event, deadLetterTargetArn) : undefined;
    if (toDestination && toDeadLetter) return Promise.all([toDestination, toDeadLetter]);
    if (toDestination || toDeadLetter) return toDestination ?? toDeadLetter;
    tracer?.record({
      service: 'lambda',
      kind: 'discard',
      resource: functionName,
      summary: `${condition} after ${event.attempts} attempt(s); no on-failure destination or dead-letter queue, event discarded`,
      ids: { requestId: event.requestId },
      outcome: 'failed',
      reason: `event discarded (${condition}, no on-failure destination)`,
    });
    return undefined;
  }

  private record(event: AsyncEventState) {
    const outcome = event.lastOutcome;
    return buildInvocationRecord({
      requestId: event.requestId,
      functionArn: this.deps.functionArn,
      condition: event.condition!,
      approximateInvokeCount: event.attempts,
      requestPayload: event.payload,
      outcome,
      time: event.recordTime ?? this.deps.clock.now(),
      requestValue: this.parsedRequests.get(event),
      responseValue: outcome && this.parsedResponses.get(event),
    });
  }

  /** The payload text, when it is exactly `JSON.stringify` of the record's requestPayload (see canonicalRequests). */
  private requestText(event: AsyncEventState): string | undefined {
    return this.canonicalRequests.has(event) ? event.payload : undefined;
  }

  private sendDeadLetter(event: AsyncEventState, targetArn: string): Promise<void> {
    return sendToDeadLetter(
      {
        targetArn,
        functionArn: this.deps.functionArn,
        requestId: event.requestId,
        payload: event.payload,
        errorPayload: event.lastOutcome?.payload,
      },
      this.deps,
    );
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
