import {
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../../local/runtime.js';
import { SqsService } from '../../../local/sqs/service.js';
import { MemoryStateStore } from '../../../local/state/memory.js';
import { stateFile } from '../../../local/state/sqlite.js';
import { fakeStack } from '../../support/fake-stack.js';
import { durableApps, type DurableApp } from '../../support/durable-runtimes.js';
import { TEST_CLIENT } from '../../support/serve.js';

const app = durableApps();

async function start(durable: DurableApp, lines: string[] = []): Promise<{ runtime: LocalRuntime; sqs: SQSClient }> {
  const runtime = await durable.start((line) => lines.push(line));
  return { runtime, sqs: new SQSClient({ endpoint: runtime.endpoint, ...TEST_CLIENT, maxAttempts: 1 }) };
}

async function stop(durable: DurableApp, runtime: LocalRuntime, sqs: SQSClient): Promise<void> {
  sqs.destroy();
  await durable.stop(runtime);
}

/** The bodies of the saved messages of each queue CreateQueue made, and the saved queues, as another process reads the file. */
function committed(dir: string, stackName: string): { queues: string[]; messages: string[] } {
  const db = new Database(stateFile(dir, stackName), { readonly: true, fileMustExist: true });
  try {
    const values = (kind: string) =>
      (db.prepare(`SELECT value FROM records WHERE kind = ? AND owner_type = 'AWS::SQS::Queue (CreateQueue)' ORDER BY seq`).all(kind) as { value: string }[]).map(
        (row) => JSON.parse(row.value) as Record<string, unknown>,
      );
    return { queues: values('sqs-queue').map((q) => String(q.name)), messages: values('sqs-message').map((m) => String(m.body)) };
  } finally {
    db.close();
  }
}

describe('a queue CreateQueue made, across restarts on the same state', () => {
  it('comes back with its attributes, creation time and unfinished messages; a deleted message stays deleted', async () => {
    const durable = app('tdl-sqs-api-queue-');
    const { dir } = durable;

    const first = await start(durable);
    const { QueueUrl } = await first.sqs.send(
      new CreateQueueCommand({ QueueName: 'made-by-api', Attributes: { VisibilityTimeout: '120', MaximumMessageSize: '4096' } }),
    );
    const before = await first.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    await first.sqs.send(
      new SendMessageBatchCommand({ QueueUrl, Entries: ['kept', 'done', 'pending'].map((body) => ({ Id: body, MessageBody: body })) }),
    );
    // Received with a visibility timeout of 0: back on the queue at once; 'done' is deleted, 'pending' never received.
    const received = await first.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 2, VisibilityTimeout: 0 }));
    expect(received.Messages?.map((m) => m.Body)).toEqual(['kept', 'done']);
    await first.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: received.Messages![1]!.ReceiptHandle }));
    // On disk once answered, before any orderly stop: a kill -9 now loses none of it.
    expect(committed(dir, first.runtime.stack.stackName)).toEqual({ queues: ['made-by-api'], messages: ['kept', 'pending'] });
    await stop(durable, first.runtime, first.sqs);

    const lines: string[] = [];
    const second = await start(durable, lines);
    expect(lines.filter((line) => line.startsWith('dropped '))).toEqual([]);
    expect((await second.sqs.send(new GetQueueUrlCommand({ QueueName: 'made-by-api' }))).QueueUrl).toBe(QueueUrl);
    const after = await second.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    expect(after.Attributes).toMatchObject({
      QueueArn: before.Attributes!.QueueArn,
      CreatedTimestamp: before.Attributes!.CreatedTimestamp,
      VisibilityTimeout: '120',
      MaximumMessageSize: '4096',
      ApproximateNumberOfMessages: '2',
    });
    // The same attributes again: the queue that came back, not a QueueAlreadyExists.
    const again = await second.sqs.send(new CreateQueueCommand({ QueueName: 'made-by-api', Attributes: { VisibilityTimeout: '120' } }));
    expect(again.QueueUrl).toBe(QueueUrl);
    await expect(
      second.sqs.send(new CreateQueueCommand({ QueueName: 'made-by-api', Attributes: { VisibilityTimeout: '30' } })),
    ).rejects.toMatchObject({ name: 'QueueNameExists' });
    const resumed = await second.sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
    );
    expect(resumed.Messages?.map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount])).toEqual([
      ['kept', '2'],
      ['pending', '1'],
    ]);
    for (const message of resumed.Messages!) await second.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
    await stop(durable, second.runtime, second.sqs);

    // Deleted in the second run: gone in the third; the queue itself is still there.
    const third = await start(durable);
    const left = await third.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    expect(left.Attributes).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
    await stop(durable, third.runtime, third.sqs);
  });
});

describe('a queue DeleteQueue deleted, across restarts on the same state', () => {
  it('is gone from the state file once answered, with its messages, and does not come back', async () => {
    const durable = app('tdl-sqs-deleted-queue-');
    const { dir } = durable;
    const first = await start(durable);
    const { QueueUrl } = await first.sqs.send(new CreateQueueCommand({ QueueName: 'short-lived' }));
    const { QueueUrl: keptUrl } = await first.sqs.send(new CreateQueueCommand({ QueueName: 'long-lived' }));
    await first.sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: 'a', MessageBody: 'gone' }] }));
    await first.sqs.send(new SendMessageBatchCommand({ QueueUrl: keptUrl, Entries: [{ Id: 'a', MessageBody: 'kept' }] }));
    await first.sqs.send(new DeleteQueueCommand({ QueueUrl }));
    // Committed before the answer left, as every other change: a kill -9 now does not bring it back.
    expect(committed(dir, first.runtime.stack.stackName)).toEqual({ queues: ['long-lived'], messages: ['kept'] });
    await stop(durable, first.runtime, first.sqs);

    const lines: string[] = [];
    const second = await start(durable, lines);
    expect(lines.filter((line) => line.startsWith('dropped '))).toEqual([]);
    await expect(second.sqs.send(new GetQueueUrlCommand({ QueueName: 'short-lived' }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
    expect((await second.sqs.send(new GetQueueUrlCommand({ QueueName: 'long-lived' }))).QueueUrl).toBe(keptUrl);
    await stop(durable, second.runtime, second.sqs);
  });
});

describe('a queue CreateQueue made, on the state store of the services', () => {
  const policy = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: '*' }],
  };

  it('keeps its policy and redrive policy, and gives its name up to a queue the stack comes to declare', async () => {
    const state = new MemoryStateStore();
    const first = SqsService.fromStack(fakeStack([]), { state });
    first.createQueueFromApi('api-dlq', {});
    const redrive = { deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:api-dlq', maxReceiveCount: 1 };
    const queue = first.createQueueFromApi('api-source', { Policy: JSON.stringify(policy), RedrivePolicy: JSON.stringify(redrive) });
    await first.sendMessage(queue.arn, 'from SNS', undefined, { principal: 'sns.amazonaws.com' });

    const second = SqsService.fromStack(fakeStack([]), { state });
    expect(state.retainOwners(second.stateOwners(), new Set())).toEqual([]);
    expect(second.resume()).toBe(1);
    expect(second.getQueueAttributes(queue.url, ['Policy', 'RedrivePolicy'])).toEqual({ Policy: JSON.stringify(policy), RedrivePolicy: JSON.stringify(redrive) });
    // The policy still lets SNS send; the redrive still moves a message received maxReceiveCount times.
    await second.sendMessage(queue.arn, 'again', undefined, { principal: 'sns.amazonaws.com' });
    expect((await second.receive(queue.url, { MaxNumberOfMessages: 10, VisibilityTimeout: 0 })).map((m) => m.Body)).toEqual(['from SNS', 'again']);
    expect(await second.receive(queue.url, { MaxNumberOfMessages: 10 })).toEqual([]);
    expect(second.peek('api-dlq').map((m) => m.body)).toEqual(['from SNS', 'again']);

    // The stack now declares a queue named api-dlq: it is the stack's, and the saved one's messages go, with a line.
    const declared = {
      logicalId: 'Declared',
      type: 'AWS::SQS::Queue',
      ref: 'https://sqs.us-east-1.amazonaws.com/000000000000/api-dlq',
      arn: 'arn:aws:sqs:us-east-1:000000000000:api-dlq',
      attributes: {},
      metadata: {},
      properties: { QueueName: 'api-dlq', VisibilityTimeout: 7 },
    };
    const third = SqsService.fromStack(fakeStack([declared]), { state });
    const dropped = state.retainOwners([{ logicalId: 'Declared', type: 'AWS::SQS::Queue' }, ...third.stateOwners()], new Set());
    expect(dropped.map((d) => [d.kind, d.owner.logicalId, d.count])).toEqual([['sqs-message', 'arn:aws:sqs:us-east-1:000000000000:api-dlq', 2]]);
    expect(third.resume()).toBe(0);
    expect(third.getQueueAttributes(declared.ref, ['VisibilityTimeout'])).toEqual({ VisibilityTimeout: '7' });
    expect(third.findQueue('api-source')).toBeDefined();
  });
});
