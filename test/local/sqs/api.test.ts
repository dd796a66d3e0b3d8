import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SqsService } from '../../../local/sqs/service.js';
import { servedSqs } from './served.js';

describe('SQS API through @aws-sdk/client-sqs', () => {
  const service = new SqsService();
  const served = servedSqs(service);
  let url: string;

  beforeAll(async () => {
    service.createQueue('jobs');
    url = (await served.sqs.send(new GetQueueUrlCommand({ QueueName: 'jobs' }))).QueueUrl!;
  });

  it('returns the queue URL and QueueDoesNotExist for an unknown queue', async () => {
    expect(url).toBe('https://sqs.us-east-1.amazonaws.com/000000000000/jobs');
    const error = await served.sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueDoesNotExist);
    expect(error).toMatchObject({ message: 'The specified queue does not exist.', $metadata: { httpStatusCode: 400 } });
  });

  it('sends with attributes and receives them back with the MD5s AWS gives (the SDK checks the body MD5)', async () => {
    const sent = await served.sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'msg',
        MessageAttributes: {
          General: { DataType: 'String', StringValue: 'Kenobi' },
          Hello: { DataType: 'String', StringValue: 'There' },
          'Help.Me': { DataType: 'String', StringValue: 'Me' },
          Blob: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 2, 255]) },
        },
      }),
    );
    expect(sent.MD5OfMessageBody).toBe('6e2baaf3b97dbeef01c0043275f9a0e7');
    expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    const received = await served.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['General', 'Hello'], MessageSystemAttributeNames: ['SentTimestamp', 'SenderId'] }),
    );
    const [message] = received.Messages ?? [];
    expect(message).toMatchObject({
      MessageId: sent.MessageId,
      Body: 'msg',
      MD5OfBody: '6e2baaf3b97dbeef01c0043275f9a0e7',
      // Recorded on AWS for exactly these two attributes.
      MD5OfMessageAttributes: 'fca026605781cb4126a1e9044df24232',
      MessageAttributes: { General: { DataType: 'String', StringValue: 'Kenobi' }, Hello: { DataType: 'String', StringValue: 'There' } },
    });
    expect(Number(message!.Attributes!.SentTimestamp)).toBeGreaterThan(0);
    expect(message!.Attributes!.SenderId).toBe('000000000000');
    await served.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: message!.ReceiptHandle, VisibilityTimeout: 0 }));
    const again = await served.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['All'] }));
    expect(again.Messages?.[0]?.MessageAttributes?.Blob?.BinaryValue).toEqual(new Uint8Array([0, 1, 2, 255]));
    expect(again.Messages?.[0]?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    await served.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: again.Messages![0]!.ReceiptHandle }));
    expect(service.peek('jobs')).toEqual([]);
  });

  it('long-polls until a message arrives', async () => {
    const polling = served.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await service.sendMessage('arn:aws:sqs:us-east-1:000000000000:jobs', 'from SNS');
    const got = await polling;
    expect(got.Messages?.map((m) => m.Body)).toEqual(['from SNS']);
    await served.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: got.Messages![0]!.ReceiptHandle }));
  });

  it('answers an empty queue with no Messages member', async () => {
    const empty = await served.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(empty.Messages).toBeUndefined();
  });

  it('reports counts and attributes, lists and purges queues', async () => {
    await served.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a' }));
    await served.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'b', DelaySeconds: 900 }));
    const attrs = await served.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    expect(attrs.Attributes).toMatchObject({
      ApproximateNumberOfMessages: '1',
      ApproximateNumberOfMessagesDelayed: '1',
      ApproximateNumberOfMessagesNotVisible: '0',
      QueueArn: 'arn:aws:sqs:us-east-1:000000000000:jobs',
      VisibilityTimeout: '30',
    });
    const created = await served.sqs.send(new CreateQueueCommand({ QueueName: 'jobs-extra' }));
    expect(created.QueueUrl).toBe('https://sqs.us-east-1.amazonaws.com/000000000000/jobs-extra');
    const listed = await served.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'jobs' }));
    expect(listed.QueueUrls).toEqual([url, created.QueueUrl]);
    await served.sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect(service.peek('jobs')).toEqual([]);
    await expect(served.sqs.send(new PurgeQueueCommand({ QueueUrl: url }))).rejects.toMatchObject({
      name: 'PurgeQueueInProgress',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('batches sends and deletes, reporting failed entries', async () => {
    const sent = await served.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: `http://127.0.0.1:1/000000000000/jobs-extra`,
        Entries: [
          { Id: 'ok', MessageBody: 'fine' },
          { Id: 'bad', MessageBody: 'x', DelaySeconds: 1000 },
        ],
      }),
    );
    expect(sent.Successful?.map((s) => s.Id)).toEqual(['ok']);
    expect(sent.Failed).toEqual([expect.objectContaining({ Id: 'bad', Code: 'InvalidParameterValue', SenderFault: true })]);
    const [m] = (await served.sqs.send(new ReceiveMessageCommand({ QueueUrl: `http://localhost/000000000000/jobs-extra` }))).Messages ?? [];
    const deleted = await served.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/jobs-extra',
        Entries: [
          { Id: 'a', ReceiptHandle: m!.ReceiptHandle },
          { Id: 'b', ReceiptHandle: 'garbage' },
        ],
      }),
    );
    expect(deleted.Successful?.map((s) => s.Id)).toEqual(['a']);
    expect(deleted.Failed?.[0]).toMatchObject({ Id: 'b', Code: 'ReceiptHandleIsInvalid' });
    await expect(
      served.sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'x', MessageBody: 'a' }, { Id: 'x', MessageBody: 'b' }] })),
    ).rejects.toMatchObject({ name: 'BatchEntryIdsNotDistinct' });
  });

  it('answers bad input with the AWS error names and statuses', async () => {
    const missing = await served.sqs.send(new SendMessageCommand({ QueueUrl: `${url}-missing`, MessageBody: 'x' })).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(QueueDoesNotExist);
    expect(missing).toMatchObject({ Code: 'AWS.SimpleQueueService.NonExistentQueue', Type: 'Sender' });
    const badHandle = await served.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'nope' })).catch((e: unknown) => e);
    expect(badHandle).toBeInstanceOf(ReceiptHandleIsInvalid);
    expect(badHandle).toMatchObject({ $metadata: { httpStatusCode: 404 } });
    await expect(served.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: 'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(served.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x'.repeat(1_048_577) }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: 'One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.',
    });
    await expect(served.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Nope' as never] }))).rejects.toMatchObject({
      name: 'InvalidAttributeName',
    });
  });
});
