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
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClock } from '../../../local/clock.js';
import { sqsApi } from '../../../local/sqs/api.js';
import { SqsService } from '../../../local/sqs/service.js';
import { serveApis, TEST_CLIENT, type Served } from '../../support/serve.js';

/** An AWS minute lasts a local second: the 60 seconds before a deleted name can be used again, long enough for a loaded machine to ask again within them. */
const clock = createClock(1 / 60);

describe('SQS DeleteQueue', () => {
  const service = new SqsService({ clock });
  // A queue the stack declares, as fromStack makes them.
  const declared = service.createQueue('declared');
  let server: Served;
  let sqs: SQSClient;

  beforeAll(async () => {
    server = await serveApis({ json: [sqsApi(service)] });
    sqs = new SQSClient({ endpoint: server.endpoint, ...TEST_CLIENT, maxAttempts: 1 });
  });
  afterAll(async () => {
    sqs?.destroy();
    await server?.close();
  });

  it('deletes a queue CreateQueue made with its messages: every call on it then answers QueueDoesNotExist', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'temporary' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'left behind' }));
    expect(await sqs.send(new DeleteQueueCommand({ QueueUrl }))).toMatchObject({ $metadata: { httpStatusCode: 200 } });

    for (const call of [
      () => sqs.send(new GetQueueUrlCommand({ QueueName: 'temporary' })),
      () => sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] })),
      () => sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'late' })),
      () => sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 })),
      () => sqs.send(new DeleteQueueCommand({ QueueUrl })),
    ]) {
      // The SDK reads the Query code SQS sends in x-amzn-query-error (AWS.SimpleQueueService.NonExistentQueue).
      await expect(call()).rejects.toBeInstanceOf(QueueDoesNotExist);
    }
    expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []).not.toContain(QueueUrl);
  });

  it('answers a receive waiting on the queue with QueueDoesNotExist, rather than leaving it to its wait time', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'polled' }));
    const asked = Date.now();
    const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 })).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    expect(await waiting).toBeInstanceOf(QueueDoesNotExist);
    // 20 seconds of wait are 20 real seconds (WaitTimeSeconds is not scaled): the answer came with the deletion.
    expect(Date.now() - asked).toBeLessThan(10_000);
  });

  it('refuses the name to CreateQueue for 60 seconds, then makes a new, empty queue', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'reused', Attributes: { DelaySeconds: '5' } }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'from the first queue' }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    const error = await sqs.send(new CreateQueueCommand({ QueueName: 'reused' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueDeletedRecently);
    expect(error).toMatchObject({
      message: 'You must wait 60 seconds after deleting a queue before you can create another queue with the same name.',
      $metadata: { httpStatusCode: 400 },
    });
    await new Promise((resolve) => setTimeout(resolve, clock.toLocalMs(60_000) + 50));
    const again = await sqs.send(new CreateQueueCommand({ QueueName: 'reused' }));
    expect(again.QueueUrl).toBe(QueueUrl);
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['DelaySeconds', 'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'] }),
    );
    expect(Attributes).toEqual({ DelaySeconds: '0', ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesDelayed: '0' });
  });

  it('refuses to delete a queue the stack declares, naming it, and leaves it working', async () => {
    const error = await sqs.send(new DeleteQueueCommand({ QueueUrl: declared.url })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'UnsupportedOperation', $metadata: { httpStatusCode: 400 } });
    expect((error as Error).message).toContain('does not delete declared: the stack declares it (AWS::SQS::Queue)');
    await sqs.send(new SendMessageCommand({ QueueUrl: declared.url, MessageBody: 'still here' }));
    expect(service.peek(declared.arn).map((m) => m.body)).toEqual(['still here']);
  });
});
