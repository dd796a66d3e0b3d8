import { afterEach, describe, expect, it } from 'vitest';
import { createClock } from '../../../../local/clock.js';
import type { InvokeResult, LambdaInvoker } from '../../../../local/contracts.js';
import { matchesPattern } from '../../../../local/eventbridge/pattern.js';
import type { SqsMappingConfig } from '../../../../local/lambda/event-source-mapping/mapping.js';
import { SqsPoller } from '../../../../local/lambda/event-source-mapping/poller.js';
import type { SqsRecord } from '../../../../local/lambda/event-source-mapping/sqs-event.js';
import { SqsService } from '../../../../local/sqs/service.js';
import { waitFor } from '../../../support/wait-for.js';
import { CaptureTracer } from '../helpers.js';

/** AWS seconds last a local millisecond: a 30 s visibility timeout is 30 ms. */
const clock = createClock(1 / 1000);

/** What the fake function answers a batch with. */
type Answer = { readonly payload: unknown; readonly error?: boolean };

/** A function that records its batches and answers as the test says, possibly only when released. */
class FakeFunction implements LambdaInvoker {
  readonly batches: SqsRecord[][] = [];
  running = 0;
  maxRunning = 0;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  constructor(public answer: (records: readonly SqsRecord[]) => Answer = () => ({ payload: null })) {}

  /** Invocations wait until `release()`. */
  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open?.();
    this.gate = undefined;
  }

  async invoke(_ref: string, payload: string): Promise<InvokeResult> {
    const records = (JSON.parse(payload) as { Records: SqsRecord[] }).Records;
    this.batches.push(records);
    const requestId = `request-${this.batches.length}`;
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      await this.gate;
    } finally {
      this.running -= 1;
    }
    const { payload: result, error } = this.answer(records);
    return {
      statusCode: 200,
      payload: JSON.stringify(result),
      ...(error ? { functionError: 'Unhandled' as const } : {}),
      executedVersion: '$LATEST',
      requestId,
    };
  }

  received(): string[] {
    return this.batches.flat().map((r) => JSON.parse(r.body) as string);
  }
}

const pollers: SqsPoller[] = [];
afterEach(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
});

function setup(
  options: { mapping?: Partial<SqsMappingConfig>; concurrency?: number; maxReceiveCount?: number; fn?: FakeFunction; madeByApi?: boolean } = {},
) {
  const sqs = new SqsService({ clock });
  const dlq = sqs.createQueue('dlq');
  const queue = options.madeByApi
    ? sqs.createQueueFromApi('work', { VisibilityTimeout: '30' })
    : sqs.createQueue('work', {
        visibilityTimeout: 30,
        ...(options.maxReceiveCount ? { redrivePolicy: { deadLetterTargetArn: dlq.arn, maxReceiveCount: options.maxReceiveCount } } : {}),
      });
  const fn = options.fn ?? new FakeFunction();
  const tracer = new CaptureTracer();
  const poller = new SqsPoller({
    mapping: {
      logicalId: 'Mapping',
      uuid: '00000000-0000-4000-8000-000000000000',
      functionRef: 'consumer',
      eventSourceArn: queue.arn,
      batchSize: 5,
      maximumBatchingWindowInSeconds: 0,
      reportBatchItemFailures: true,
      enabled: true,
      filterPatterns: [],
      ...options.mapping,
    },
    functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:consumer',
    functionName: 'consumer',
    queue: sqs,
    lambda: fn,
    clock,
    visibilityTimeoutSeconds: 30,
    functionTimeoutSeconds: 3,
    region: 'us-east-1',
    concurrency: options.concurrency ?? 5,
    tracer,
    matcher: matchesPattern,
  });
  pollers.push(poller);
  const send = (...bodies: string[]) => bodies.map((body) => sqs.send(queue.url, { MessageBody: JSON.stringify(body) }).MessageId);
  return { sqs, queue, dlq, fn, poller, tracer, send };
}

describe('SQS event source mapping poller', () => {
  it('invokes with batches of at most BatchSize in the SQS event shape, and deletes a successful batch', async () => {
    const { sqs, queue, fn, poller, send, tracer } = setup();
    const ids = send('a', 'b', 'c', 'd', 'e', 'f', 'g');
    poller.start();
    await waitFor(() => fn.received().length === 7, 'all seven messages reaching the function');
    expect(fn.batches.map((b) => b.length)).toEqual([5, 2]);
    const record = fn.batches[0]![0]!;
    expect(record).toMatchObject({
      messageId: ids[0],
      body: '"a"',
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: 'us-east-1',
      messageAttributes: {},
      md5OfBody: '6067924ae1b1832abce3d12fe83755a9',
    });
    expect(Object.keys(record.attributes).sort()).toEqual(['ApproximateFirstReceiveTimestamp', 'ApproximateReceiveCount', 'SenderId', 'SentTimestamp']);
    expect(record.attributes.ApproximateReceiveCount).toBe('1');
    expect(record.receiptHandle).toEqual(expect.any(String));
    await waitFor(() => sqs.peek(queue.arn).length === 0, 'the successful batches being deleted');
    // The trace of a batch carries each message id (to join its journey) and the invocation's request id.
    const done = tracer.events.find((e) => e.kind === 'event-source' && e.outcome === 'ok' && e.ids?.['requestId'] === 'request-1')!;
    expect(Object.values(done.ids ?? {})).toEqual([...ids.slice(0, 5), 'request-1']);
  });

  it('cuts a batch at the 6 MB of a synchronous invocation', async () => {
    const { fn, poller, sqs, queue } = setup({ mapping: { batchSize: 10, maximumBatchingWindowInSeconds: 1 } });
    for (let i = 0; i < 7; i++) sqs.send(queue.url, { MessageBody: String(i).repeat(1_000_000) });
    poller.start();
    await waitFor(() => fn.batches.flat().length === 7, 'all seven large messages reaching the function');
    expect(fn.batches.map((b) => b.length)).toEqual([6, 1]);
    expect(fn.batches[1]![0]!.attributes.ApproximateReceiveCount).toBe('2');
  });

  it('gathers messages until the batch is full while the batching window is open', async () => {
    // A window far longer than the test: only a full batch ends it.
    const { fn, poller, send } = setup({ mapping: { batchSize: 4, maximumBatchingWindowInSeconds: 300_000 } });
    poller.start();
    send('a');
    await new Promise((resolve) => setImmediate(resolve));
    send('b', 'c');
    await new Promise((resolve) => setImmediate(resolve));
    expect(fn.batches).toHaveLength(0);
    send('d', 'e');
    await waitFor(() => fn.batches.length === 1, 'the full batch being invoked');
    expect(fn.received()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('deletes all but the batchItemFailures, which return after the visibility timeout with a higher receive count', async () => {
    const fn = new FakeFunction((records) => ({ payload: { batchItemFailures: records.filter((r) => r.body === '"bad"').map((r) => ({ itemIdentifier: r.messageId })) } }));
    const { sqs, queue, poller, send } = setup({ fn });
    const [, bad] = send('ok', 'bad', 'fine');
    poller.start();
    await waitFor(() => fn.batches.length >= 2, 'the failed message being received again');
    expect(fn.batches[1]!.map((r) => [r.messageId, r.attributes.ApproximateReceiveCount])).toEqual([[bad, '2']]);
    expect(sqs.peek(queue.arn).map((m) => m.messageId)).toEqual([bad]);
  });

  it('leaves the whole batch on a function error, and the queue redrives it to the DLQ after maxReceiveCount', async () => {
    const fn = new FakeFunction(() => ({ payload: { errorType: 'Error', errorMessage: 'boom' }, error: true }));
    const { sqs, queue, dlq, poller, send, tracer } = setup({ fn, maxReceiveCount: 2 });
    const ids = send('x', 'y');
    poller.start();
    await waitFor(() => sqs.peek(dlq.arn).length === 2, 'both messages reaching the dead-letter queue');
    // Each message was received twice, its count rising; then the redrive moved it.
    for (const id of ids) {
      expect(fn.batches.flat().filter((r) => r.messageId === id).map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
    }
    expect(fn.batches[0]).toHaveLength(2);
    expect(sqs.peek(dlq.arn).map((m) => m.messageId).sort()).toEqual([...ids].sort());
    expect(sqs.peek(queue.arn)).toEqual([]);
    expect(tracer.events.some((e) => e.outcome === 'failed' && e.reason === 'function error')).toBe(true);
  });

  it.each([
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['a wrong key name', { batchItemFailures: [{ itemId: 'x' }] }],
    ['an unknown message id', { batchItemFailures: [{ itemIdentifier: 'not-in-the-batch' }] }],
  ])('fails the whole batch for %s', async (_what, response) => {
    const fn = new FakeFunction(() => ({ payload: response }));
    const { poller, send } = setup({ fn });
    send('one', 'two');
    poller.start();
    await waitFor(() => fn.batches.flat().length >= 4, 'the batch being received again');
    expect(fn.batches.flat().map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['1', '1', '2', '2']);
  });

  it('ignores batchItemFailures when the mapping does not report them', async () => {
    const fn = new FakeFunction((records) => ({ payload: { batchItemFailures: [{ itemIdentifier: records[0]!.messageId }] } }));
    const { sqs, queue, poller, send } = setup({ fn, mapping: { reportBatchItemFailures: false } });
    send('one');
    poller.start();
    await waitFor(() => sqs.peek(queue.arn).length === 0, 'the message being deleted');
    expect(fn.batches).toHaveLength(1);
  });

  it('keeps at most MaximumConcurrency batches in progress', async () => {
    const fn = new FakeFunction();
    fn.hold();
    const { poller, send } = setup({ fn, concurrency: 2, mapping: { batchSize: 1 } });
    send('a', 'b', 'c', 'd', 'e');
    poller.start();
    await waitFor(() => fn.running === 2, 'two batches in progress');
    // Give the poller every chance to start a third.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(fn.batches).toHaveLength(2);
    fn.release();
    await waitFor(() => fn.received().length === 5, 'the other messages being processed');
    expect(fn.maxRunning).toBe(2);
  });

  it('deletes messages no filter matches without invoking the function', async () => {
    const { sqs, queue, fn, poller } = setup({ mapping: { filterPatterns: [{ body: { kind: ['order'] } }] } });
    sqs.send(queue.url, { MessageBody: JSON.stringify({ kind: 'order', n: 1 }) });
    sqs.send(queue.url, { MessageBody: JSON.stringify({ kind: 'noise' }) });
    sqs.send(queue.url, { MessageBody: 'plain text' });
    poller.start();
    await waitFor(() => sqs.peek(queue.arn).length === 0, 'every message leaving the queue');
    expect(fn.batches.flat().map((r) => JSON.parse(r.body))).toEqual([{ kind: 'order', n: 1 }]);
  });

  it('polls a queue that DeleteQueue removed once a second, instead of spinning, and still stops at once', async () => {
    const { sqs, queue, poller, tracer } = setup({ madeByApi: true });
    const failedPolls = () => tracer.events.filter((e) => e.kind === 'poll-failed').length;
    poller.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    sqs.deleteQueue(queue.url);
    await waitFor(() => failedPolls() >= 1, 'the poll after the deletion failing');
    expect(tracer.events.find((e) => e.kind === 'poll-failed')?.summary).toContain('The specified queue does not exist.');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The next try is a second after the first: before, a failed poll retried at once, thousands of times here.
    expect(failedPolls()).toBeLessThanOrEqual(2);
  });

  it('stops at once, leaving no timer, and a batch in progress stays in the queue to return later', async () => {
    const fn = new FakeFunction();
    fn.hold();
    const { sqs, queue, poller, send } = setup({ fn, mapping: { batchSize: 1 }, concurrency: 1 });
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const [first] = send('in progress', 'waiting');
    poller.start();
    await waitFor(() => fn.running === 1, 'the first batch being in progress');
    const stopped = poller.stop();
    fn.release();
    await stopped;
    expect(timers()).toBeLessThanOrEqual(before);
    // The finished batch was deleted; the other message was never received.
    expect(sqs.peek(queue.arn).map((m) => [m.messageId === first, m.receiveCount])).toEqual([[false, 0]]);
  });

  it('returns a batch still gathering in its window when it stops, without invoking', async () => {
    const { sqs, queue, fn, poller, send } = setup({ mapping: { batchSize: 5, maximumBatchingWindowInSeconds: 300_000 } });
    send('early', 'bird');
    poller.start();
    await waitFor(() => sqs.peek(queue.arn).every((m) => m.state === 'in-flight'), 'the messages being received into the open batch');
    await poller.stop();
    expect(fn.batches).toEqual([]);
    // Visible again after the (30 ms) visibility timeout, not held for the invocation that never started.
    await waitFor(() => sqs.peek(queue.arn).every((m) => m.state === 'visible'), 'the messages becoming visible again', 2_000);
    expect(sqs.peek(queue.arn).map((m) => m.receiveCount)).toEqual([1, 1]);
  });

  it('leaves an unfinished batch in flight when it stops, so it is received again after the visibility timeout', async () => {
    const fn = new FakeFunction();
    fn.hold();
    const { sqs, queue, poller, send } = setup({ fn });
    const [id] = send('interrupted');
    poller.start();
    await waitFor(() => fn.running === 1, 'the batch being in progress');
    // As the runtime stopping does: the invocation never answers (its environment is gone).
    const stopped = poller.stop();
    fn.answer = () => ({ payload: { errorType: 'Runtime.ExitError' }, error: true });
    fn.release();
    await stopped;
    expect(sqs.peek(queue.arn).map((m) => [m.messageId, m.receiveCount])).toEqual([[id, 1]]);
    const again = await sqs.receive(queue.url, { WaitTimeSeconds: 1, AttributeNames: ['ApproximateReceiveCount'] });
    expect(again.map((m) => [m.MessageId, m.Attributes?.ApproximateReceiveCount])).toEqual([[id, '2']]);
  });
});
