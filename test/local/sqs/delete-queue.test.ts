import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  QueueDeletedRecently,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { createClock } from '../../../local/clock.js';
import { SqsService } from '../../../local/sqs/service.js';
import { servedSqs } from './served.js';

/** An AWS minute lasts a local second: the 60 seconds before a deleted name can be used again, long enough for a loaded machine to ask again within them. */
const clock = createClock(1 / 60);

describe('SQS DeleteQueue', () => {
  const service = new SqsService({ clock });
  // A queue the stack declares, as fromStack makes them.
  const declared = service.createQueue('declared');
  const served = servedSqs(service);

  it('deletes a queue CreateQueue made with its messages: every call on it then answers QueueDoesNotExist', async () => {
    const { QueueUrl } = await served.sqs.send(new CreateQueueCommand({ QueueName: 'temporary' }));
    await served.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'left behind' }));
    expect(await served.sqs.send(new DeleteQueueCommand({ QueueUrl }))).toMatchObject({ $metadata: { httpStatusCode: 200 } });

    for (const call of [
      () => served.sqs.send(new GetQueueUrlCommand({ QueueName: 'temporary' })),
      () => served.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] })),
      () => served.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'late' })),
      () => served.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 })),
      () => served.sqs.send(new DeleteQueueCommand({ QueueUrl })),
    ]) {
      // The SDK reads the Query code SQS sends in x-amzn-query-error (AWS.SimpleQueueService.NonExistentQueue).
      await expect(call()).rejects.toBeInstanceOf(QueueDoesNotExist);
    }
    expect((await served.sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []).not.toContain(QueueUrl);
  });

  it('answers a receive waiting on the queue with QueueDoesNotExist, rather than leaving it to its wait time', async () => {
    const { QueueUrl } = await served.sqs.send(new CreateQueueCommand({ QueueName: 'polled' }));
    const asked = Date.now();
    const waiting = served.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 })).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await served.sqs.send(new DeleteQueueCommand({ QueueUrl }));
    expect(await waiting).toBeInstanceOf(QueueDoesNotExist);
    // 20 seconds of wait are 20 real seconds (WaitTimeSeconds is not scaled): the answer came with the deletion.
    expect(Date.now() - asked).toBeLessThan(10_000);
  });

  it('refuses the name to CreateQueue for 60 seconds, then makes a new, empty queue', async () => {
    const { QueueUrl } = await served.sqs.send(new CreateQueueCommand({ QueueName: 'reused', Attributes: { DelaySeconds: '5' } }));
    await served.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'from the first queue' }));
    await served.sqs.send(new DeleteQueueCommand({ QueueUrl }));
    const error = await served.sqs.send(new CreateQueueCommand({ QueueName: 'reused' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueDeletedRecently);
    expect(error).toMatchObject({
      message: 'You must wait 60 seconds after deleting a queue before you can create another queue with the same name.',
      $metadata: { httpStatusCode: 400 },
    });
    await new Promise((resolve) => setTimeout(resolve, clock.toLocalMs(60_000) + 50));
    const again = await served.sqs.send(new CreateQueueCommand({ QueueName: 'reused' }));
    expect(again.QueueUrl).toBe(QueueUrl);
    const { Attributes } = await served.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['DelaySeconds', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'] }),
    );
    expect(Attributes).toEqual({ DelaySeconds: '0', ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesDelayed: '0' });
  });

  it('refuses to delete a queue the stack declares, naming it, and leaves it working', async () => {
    const error = await served.sqs.send(new DeleteQueueCommand({ QueueUrl: declared.url })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'UnsupportedOperation', $metadata: { httpStatusCode: 400 } });
    expect((error as Error).message).toContain('does not delete declared: the stack declares it (AWS::SQS::Queue)');
    await served.sqs.send(new SendMessageCommand({ QueueUrl: declared.url, MessageBody: 'still here' }));
    expect(service.peek(declared.arn).map((m) => m.body)).toEqual(['still here']);
  });
});
