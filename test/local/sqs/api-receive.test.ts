import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { SqsService } from '../../../local/sqs/service.js';
import { servedSqs } from './served.js';

/** ReceiveMessage's knobs as `aws sqs receive-message` passes them, through the SDK's JSON 1.0 shape. */
describe('SQS ReceiveMessage parameters', () => {
  const service = new SqsService();
  const served = servedSqs(service);
  const url = service.createQueue('receive-knobs').url;

  it('returns at most MaxNumberOfMessages and hides them for the VisibilityTimeout given', async () => {
    await served.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: ['a', 'b', 'c'].map((body) => ({ Id: body, MessageBody: body })),
      }),
    );
    const two = await served.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 2, VisibilityTimeout: 43_200 }));
    expect(two.Messages).toHaveLength(2);
    // The two received are hidden for 12 hours, so only the third is left to see.
    const rest = await served.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
    expect(rest.Messages).toHaveLength(1);
    const seen = [...two.Messages!, ...rest.Messages!].map((m) => m.Body).sort();
    expect(seen).toEqual(['a', 'b', 'c']);
    // VisibilityTimeout 0 leaves the message visible at once, with a higher receive count.
    const again = await served.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    expect(again.Messages?.map((m) => m.Body)).toEqual(rest.Messages!.map((m) => m.Body));
    expect(again.Messages![0]!.Attributes?.ApproximateReceiveCount).toBe('2');
    for (const m of [...two.Messages!, ...again.Messages!]) {
      await served.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    }
  });

  it('rejects out-of-range WaitTimeSeconds and VisibilityTimeout with InvalidParameterValue 400', async () => {
    await expect(served.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 21 }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: 'Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(served.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: -1 }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(served.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 0 }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
    });
  });

  it('answers a missing QueueUrl with MissingParameter', async () => {
    const response = await fetch(`${served.endpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ReceiveMessage' },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-query-error')).toBe('MissingParameter;Sender');
    expect(((await response.json()) as { __type: string }).__type).toBe('com.amazonaws.sqs#MissingParameter');
  });
});
