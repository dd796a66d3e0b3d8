import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient, ListEventSourceMappingsCommand, GetEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LocalRuntime } from '../../local/runtime.js';
import { startExampleForTests } from '../support/local-runtime.js';
import { waitFor, waitForValue } from '../support/wait-for.js';

/** One `batch` line the handler logs. */
interface BatchLine {
  readonly size: number;
  readonly messages: readonly { readonly messageId: string; readonly receiveCount: number }[];
  readonly failed: readonly string[];
}

let runtime: LocalRuntime;
let sqs: SQSClient;
let logs: CloudWatchLogsClient;
let lambda: LambdaClient;
let queueUrl: string;
let deadLetterQueueUrl: string;
let functionName: string;

beforeAll(async () => {
  runtime = await startExampleForTests('queue-event-source');
  const config = { endpoint: runtime.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  sqs = new SQSClient(config);
  logs = new CloudWatchLogsClient(config);
  lambda = new LambdaClient(config);
  const { Stacks } = await new CloudFormationClient(config).send(new DescribeStacksCommand({ StackName: runtime.stack.stackName }));
  const output = (key: string) => Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue ?? '';
  queueUrl = output('QueueUrl');
  deadLetterQueueUrl = output('DeadLetterQueueUrl');
  functionName = output('FunctionName');
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
});

/** Sends `bodies` in one SendMessageBatch; returns the message ids in order. */
async function send(bodies: readonly unknown[]): Promise<string[]> {
  const { Successful = [], Failed = [] } = await sqs.send(
    new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: bodies.map((body, i) => ({ Id: `m${i}`, MessageBody: JSON.stringify(body) })) }),
  );
  expect(Failed).toEqual([]);
  return bodies.map((_, i) => Successful.find((s) => s.Id === `m${i}`)!.MessageId!);
}

/** Every batch the function logged that carried one of `ids`. */
async function batchesWith(ids: readonly string[]): Promise<BatchLine[]> {
  const { events = [] } = await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${functionName}` }));
  return events
    .map((e) => e.message ?? '')
    .filter((m) => m.includes('"batch"'))
    .map((m) => JSON.parse(m.slice(m.indexOf('{'))) as BatchLine)
    .filter((b) => b.messages.some((m) => ids.includes(m.messageId)));
}

async function inQueue(url: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
}

describe('queue-event-source example', () => {
  it('lists its event source mapping through the Lambda API', async () => {
    const { EventSourceMappings = [] } = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: functionName }));
    expect(EventSourceMappings).toHaveLength(1);
    const mapping = await lambda.send(new GetEventSourceMappingCommand({ UUID: EventSourceMappings[0]!.UUID! }));
    expect(mapping).toMatchObject({
      BatchSize: 5,
      MaximumBatchingWindowInSeconds: 2,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
      State: 'Enabled',
    });
    expect(mapping.EventSourceArn).toMatch(/^arn:aws:sqs:.*WorkQueue/);
  });

  it('invokes the function with batches of at most BatchSize and deletes what succeeded', async () => {
    const run = randomUUID();
    const ids = await send(Array.from({ length: 10 }, (_, i) => ({ run, order: i })));
    const batches = await waitForValue(async () => {
      const seen = await batchesWith(ids);
      const covered = new Set(seen.flatMap((b) => b.messages.map((m) => m.messageId)));
      return ids.every((id) => covered.has(id)) ? seen : undefined;
    }, 'the function receiving all 10 messages');
    expect(batches.every((b) => b.size <= 5 && b.size === b.messages.length)).toBe(true);
    // Sent together, they are gathered into batches rather than one invocation each.
    expect(batches.length).toBeLessThan(10);
    expect(batches.flatMap((b) => b.failed)).toEqual([]);
    await waitFor(async () => (await inQueue(queueUrl)) === 0, 'the processed messages being deleted from the queue');
  });

  it('moves a poison message to the DLQ after maxReceiveCount receives, its count rising, while its batch-mates are deleted', async () => {
    const run = randomUUID();
    const [poison, ...good] = await send([{ run, poison: true }, { run, n: 1 }, { run, n: 2 }, { run, n: 3 }]);
    const dead = await waitForValue(async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: deadLetterQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'] }),
      );
      return Messages.find((m) => m.MessageId === poison);
    }, 'the poison message arriving in the dead-letter queue');
    expect(JSON.parse(dead.Body!)).toEqual({ run, poison: true });

    const batches = await batchesWith([poison!, ...good]);
    // Returned after each visibility timeout with ApproximateReceiveCount 1, 2, 3; then SQS's redrive moved it.
    const poisonCounts = batches.flatMap((b) => b.messages.filter((m) => m.messageId === poison).map((m) => m.receiveCount));
    expect(poisonCounts).toEqual([1, 2, 3]);
    expect(batches.every((b) => !b.messages.some((m) => m.messageId === poison) || b.failed.includes(poison!))).toBe(true);
    // Its batch-mates succeeded once and were deleted, never received again.
    for (const id of good) {
      expect(batches.flatMap((b) => b.messages.filter((m) => m.messageId === id).map((m) => m.receiveCount))).toEqual([1]);
    }
    expect(await inQueue(queueUrl)).toBe(0);
  });
});
