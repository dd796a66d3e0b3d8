import { setTimeout as delay } from 'node:timers/promises';
import { arnField } from '../../arn.js';
import type { LambdaInvoker, PatternMatcher, Tracer } from '../../contracts.js';
import type { Clock } from '../../clock.js';
import { MAX_SYNC_PAYLOAD_BYTES } from '../service.js';
import { batchOutcome } from './batch-response.js';
import type { SqsMappingConfig } from './mapping.js';
import { filterView, sqsRecord, type ReceivedSqsMessage, type SqsRecord } from './sqs-event.js';

/** What the poller needs of the SQS service; queues are named by ARN. */
export interface QueueConsumer {
  receive(
    queueRef: string,
    input: {
      readonly MaxNumberOfMessages: number;
      readonly VisibilityTimeout: number;
      readonly WaitTimeSeconds: number;
      readonly MessageSystemAttributeNames: readonly string[];
      readonly MessageAttributeNames: readonly string[];
    },
  ): Promise<readonly ReceivedSqsMessage[]>;
  deleteMessage(queueRef: string, receiptHandle: string): void;
  changeMessageVisibility(queueRef: string, receiptHandle: string, visibilityTimeout: number): void;
  /** Resolves when a message may be receivable, at `deadline` (local epoch ms), or when `signal` aborts. */
  whenReceivable(queueRef: string, options: { readonly deadline?: number; readonly signal?: AbortSignal }): Promise<void>;
}

export interface SqsPollerOptions {
  readonly mapping: SqsMappingConfig;
  readonly functionArn: string;
  readonly functionName: string;
  readonly queue: QueueConsumer;
  readonly lambda: LambdaInvoker;
  /** Scales MaximumBatchingWindowInSeconds and the visibility timeout like every other AWS wait (`--time-scale`). */
  readonly clock: Pick<Clock, 'toLocalMs' | 'toAwsMs'>;
  /** The queue's VisibilityTimeout (AWS seconds). */
  readonly visibilityTimeoutSeconds: number;
  /** The function's Timeout (seconds; functions run in real time). */
  readonly functionTimeoutSeconds: number;
  readonly region: string;
  /** Most batches being processed at once: ScalingConfig.MaximumConcurrency, else the runtime's cap. */
  readonly concurrency: number;
  readonly tracer?: Tracer;
  /** EventBridge pattern matching, for FilterCriteria (Lambda uses the same syntax). */
  readonly matcher?: PatternMatcher;
}

/** The most messages one ReceiveMessage returns. */
const RECEIVE_MAX = 10;
/** The longest VisibilityTimeout SQS accepts (12 hours). */
const MAX_VISIBILITY_SECONDS = 43_200;
/** A cold start's INIT phase may take this long on top of the function's timeout. */
const INIT_LIMIT_MS = 10_000;

/** A record, its JSON text (measured against the 6 MB limit, then sent as is), and when (local ms) it was received. */
interface Received {
  readonly record: SqsRecord;
  readonly json: string;
  readonly receivedAt: number;
}

/**
 * Lambda's poller for one SQS event source mapping
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html): it gathers
 * a batch (up to BatchSize, until MaximumBatchingWindowInSeconds runs out,
 * or 6 MB), invokes the function synchronously, and deletes what
 * succeeded. What fails is left in flight, so SQS makes it visible again
 * after the queue's visibility timeout and its redrive policy moves it to
 * the dead-letter queue after maxReceiveCount receives
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html).
 *
 * Functions run in real time while `--time-scale` shrinks the visibility
 * timeout, so a batch is received with a visibility long enough for its
 * invocation (the function's timeout in real time), and what fails is then
 * made visible when the queue's own (scaled) visibility timeout, counted
 * from the receive, has run out. AWS guarantees the same by refusing a
 * mapping whose queue's visibility timeout is shorter than the function's
 * timeout; at `--time-scale 1` the two are the same.
 *
 * It waits on the queue (a send, or the next message becoming visible),
 * never on a polling timer; `stop()` ends every wait at once. A batch that
 * was received but not finished when it stops is simply left in flight, as
 * on AWS: nothing is lost, it returns after the visibility timeout.
 */
export class SqsPoller {
  private readonly stopping = new AbortController();
  private readonly stopped: Promise<void>;
  private readonly processing = new Set<Promise<void>>();
  private loop: Promise<void> | undefined;
  private readonly queueName: string;

  constructor(private readonly options: SqsPollerOptions) {
    this.queueName = arnField(options.mapping.eventSourceArn, 'resource') ?? options.mapping.eventSourceArn;
    this.stopped = new Promise((resolve) => this.stopping.signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  /** Batches being processed now (for tests and metrics). */
  get busy(): number {
    return this.processing.size;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops receiving at once; resolves when the loop and every batch in progress are done. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    await Promise.allSettled([...this.processing]);
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      // MaximumConcurrency: no new batch is gathered while that many are being processed.
      while (this.processing.size >= this.options.concurrency && !signal.aborted) {
        await Promise.race([...this.processing, this.stopped]);
      }
      if (signal.aborted) return;
      let batch: Received[];
      try {
        batch = await this.gather(signal);
      } catch (error) {
        this.trace('poll-failed', `polling ${this.queueName} failed: ${(error as Error)?.message ?? String(error)}`, 'failed');
        // Wait for the queue to change before trying again, instead of spinning; a queue that is gone
        // (DeleteQueue) cannot be waited on, so then a second passes.
        const retryAt = Date.now() + 1000;
        await this.options.queue
          .whenReceivable(this.options.mapping.eventSourceArn, { deadline: retryAt, signal })
          .catch(() => delay(Math.max(0, retryAt - Date.now()), undefined, { signal }).catch(() => {}));
        continue;
      }
      if (signal.aborted) {
        // Stopped while gathering: the messages go back rather than start an invocation now.
        for (const received of batch) this.returnAfterVisibilityTimeout(received);
        return;
      }
      if (batch.length === 0) continue;
      const processing = this.process(batch)
        .catch((error: unknown) => this.trace('event-source', `batch failed: ${(error as Error)?.message ?? String(error)}`, 'failed'))
        .finally(() => this.processing.delete(processing));
      this.processing.add(processing);
    }
  }

  /**
   * Receive until the batch is full, 6 MB, or the batching window closes
   * (with a window of 0, the first messages received make the batch).
   * Empty only when stopping.
   */
  private async gather(signal: AbortSignal): Promise<Received[]> {
    const { mapping, queue } = this.options;
    const arn = mapping.eventSourceArn;
    const batch: Received[] = [];
    // `{"Records":[` and `]}`, then each record and its comma.
    let bytes = 14;
    let windowEnd: number | undefined;
    for (;;) {
      if (signal.aborted) return batch;
      const received = await queue.receive(arn, {
        MaxNumberOfMessages: Math.min(RECEIVE_MAX, mapping.batchSize - batch.length),
        VisibilityTimeout: this.inFlightSeconds(),
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      });
      let full = false;
      const receivedAt = Date.now();
      for (const message of received) {
        const record = sqsRecord(message, arn, this.options.region);
        if (!this.passesFilters(record)) continue;
        const json = JSON.stringify(record);
        const size = Buffer.byteLength(json, 'utf8') + 1;
        if (bytes + size > MAX_SYNC_PAYLOAD_BYTES && batch.length > 0) {
          // Over Invoke's 6 MB: this one goes back at once and starts a later batch.
          queue.changeMessageVisibility(arn, message.ReceiptHandle, 0);
          full = true;
          continue;
        }
        batch.push({ record, json, receivedAt });
        bytes += size;
      }
      if (full || batch.length >= mapping.batchSize) return batch;
      if (batch.length > 0) {
        windowEnd ??= Date.now() + this.options.clock.toLocalMs(mapping.maximumBatchingWindowInSeconds * 1000);
        if (Date.now() >= windowEnd) return batch;
      }
      await queue.whenReceivable(arn, { ...(windowEnd === undefined ? {} : { deadline: windowEnd }), signal });
    }
  }

  /**
   * FilterCriteria: a message no filter matches is deleted without invoking
   * the function, as Lambda does for SQS
   * (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html).
   */
  private passesFilters(record: SqsRecord): boolean {
    const { mapping, matcher, queue } = this.options;
    if (mapping.filterPatterns.length === 0 || !matcher) return true;
    const view = filterView(record);
    if (mapping.filterPatterns.some((pattern) => matcher(pattern, view))) return true;
    queue.deleteMessage(mapping.eventSourceArn, record.receiptHandle);
    this.trace('filtered', `message ${record.messageId} matches no filter of the mapping: deleted`, 'ok', { messageId: record.messageId });
    return false;
  }

  private async process(batch: readonly Received[]): Promise<void> {
    const { mapping, queue, lambda, functionArn } = this.options;
    const ids = batch.map((r) => r.record.messageId);
    // One id a message, so the dashboard joins each message's journey (its send, its retries, its move to the DLQ).
    const traceIds = Object.fromEntries(ids.map((id, i) => [`messageId${i}`, id]));
    this.trace('event-source', `invoking with a batch of ${batch.length}`, 'pending', traceIds, { messageIds: ids });
    const leave = (why: string) => {
      for (const received of batch) this.returnAfterVisibilityTimeout(received);
      this.trace('event-source', `batch of ${batch.length} failed (${why}): it returns to the queue after the visibility timeout`, 'failed', traceIds, { messageIds: ids }, why);
    };
    let result;
    try {
      result = await lambda.invoke(functionArn, `{"Records":[${batch.map((r) => r.json).join(',')}]}`, 'RequestResponse');
    } catch (error) {
      // A throttle, or the runtime stopping: the messages stay in flight.
      leave((error as Error)?.message ?? String(error));
      return;
    }
    if (result.functionError) {
      leave('function error');
      return;
    }
    const outcome = mapping.reportBatchItemFailures ? batchOutcome(result.payload, ids) : ({ kind: 'success' } as const);
    if (outcome.kind === 'failure') {
      leave(outcome.reason);
      return;
    }
    const failed = new Set(outcome.kind === 'partial' ? outcome.failed : []);
    for (const received of batch) {
      if (failed.has(received.record.messageId)) this.returnAfterVisibilityTimeout(received);
      else queue.deleteMessage(mapping.eventSourceArn, received.record.receiptHandle);
    }
    const summary =
      failed.size === 0
        ? `batch of ${batch.length} succeeded: deleted from the queue`
        : `batch of ${batch.length}: ${batch.length - failed.size} deleted, ${failed.size} in batchItemFailures return to the queue after the visibility timeout`;
    this.trace('event-source', summary, failed.size === 0 ? 'ok' : 'failed', { ...traceIds, requestId: result.requestId }, { messageIds: ids, failed: [...failed] });
  }

  /** AWS seconds that cover the queue's visibility timeout and, in real time, an invocation that runs to its timeout. */
  private inFlightSeconds(): number {
    const { clock, visibilityTimeoutSeconds, functionTimeoutSeconds } = this.options;
    const invocation = Math.ceil(clock.toAwsMs(functionTimeoutSeconds * 1000 + INIT_LIMIT_MS) / 1000);
    return Math.min(MAX_VISIBILITY_SECONDS, Math.max(visibilityTimeoutSeconds, invocation));
  }

  /** A failed message becomes visible once the queue's visibility timeout since its receive has passed (at once if it has). */
  private returnAfterVisibilityTimeout({ record, receivedAt }: Received): void {
    const { clock, visibilityTimeoutSeconds, queue, mapping } = this.options;
    const remainingMs = receivedAt + clock.toLocalMs(visibilityTimeoutSeconds * 1000) - Date.now();
    const seconds = remainingMs <= 0 ? 0 : Math.min(MAX_VISIBILITY_SECONDS, Math.ceil(clock.toAwsMs(remainingMs) / 1000));
    try {
      queue.changeMessageVisibility(mapping.eventSourceArn, record.receiptHandle, seconds);
    } catch {
      // No longer in flight (deleted, or already visible again): nothing to return.
    }
  }

  private trace(
    kind: string,
    summary: string,
    outcome: 'ok' | 'failed' | 'pending',
    ids?: Readonly<Record<string, string>>,
    detail?: unknown,
    reason?: string,
  ): void {
    this.options.tracer?.record({
      service: 'lambda',
      kind,
      resource: this.options.functionName,
      summary: `event source mapping ${this.queueName} -> ${this.options.functionName}: ${summary}`,
      outcome,
      ...(ids ? { ids } : {}),
      ...(detail === undefined ? {} : { detail }),
      ...(reason === undefined ? {} : { reason }),
    });
  }
}
