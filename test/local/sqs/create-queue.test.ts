import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  QueueNameExists,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { awsApiHandler } from '../../../local/aws-api.js';
import { sqsApi } from '../../../local/sqs/api.js';
import { SqsService } from '../../../local/sqs/service.js';
import { serve, TEST_CLIENT } from '../../support/serve.js';
import { servedSqs } from './served.js';

const ACCOUNT = '000000000000';
const arnOf = (name: string, region = 'us-east-1') => `arn:aws:sqs:${region}:${ACCOUNT}:${name}`;

/** CreateQueue's Attributes, as SQS validates and applies them. */
describe('SQS CreateQueue with attributes', () => {
  const service = new SqsService();
  const served = servedSqs(service);

  const create = (QueueName: string, Attributes?: Record<string, string>) =>
    served.sqs.send(new CreateQueueCommand({ QueueName, ...(Attributes ? { Attributes } : {}) }));

  it('creates a queue with the attributes given and behaves by them', async () => {
    const { QueueUrl: dlqUrl } = await create('made-dlq', { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [arnOf('made')] }) });
    const redrive = JSON.stringify({ deadLetterTargetArn: arnOf('made-dlq'), maxReceiveCount: 1 });
    const attributes = {
      VisibilityTimeout: '0',
      DelaySeconds: '0',
      MessageRetentionPeriod: '600',
      ReceiveMessageWaitTimeSeconds: '1',
      MaximumMessageSize: '2048',
      RedrivePolicy: redrive,
    };
    const { QueueUrl } = await create('made', attributes);
    const { Attributes } = await served.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    // GetQueueAttributes reports each attribute as it was given.
    expect(Attributes).toMatchObject(attributes);
    await expect(served.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(2049) }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: 'One or more parameters are invalid. Reason: Message must be shorter than 2048 bytes.',
    });
    await served.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'once' }));
    // Visibility timeout 0: the message is visible again at once, and a second receive redrives it (maxReceiveCount 1).
    expect((await served.sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages?.map((m) => m.Body)).toEqual(['once']);
    expect((await served.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }))).Messages).toBeUndefined();
    expect((await served.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl }))).Messages?.map((m) => m.Body)).toEqual(['once']);
  });

  it('answers the existing URL for the same attributes, or for none, and QueueAlreadyExists for a different value', async () => {
    const { QueueUrl } = await create('twice', { VisibilityTimeout: '45', DelaySeconds: '2' });
    expect((await create('twice', { DelaySeconds: '2', VisibilityTimeout: '45' })).QueueUrl).toBe(QueueUrl);
    // Only the attributes the request names are compared.
    expect((await create('twice')).QueueUrl).toBe(QueueUrl);
    expect((await create('twice', { VisibilityTimeout: '45' })).QueueUrl).toBe(QueueUrl);
    const error = await create('twice', { VisibilityTimeout: '45', DelaySeconds: '3' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueNameExists);
    expect(error).toMatchObject({
      Code: 'QueueAlreadyExists',
      message: 'A queue already exists with the same name and a different value for attribute DelaySeconds',
      $metadata: { httpStatusCode: 400 },
    });
    // A default value named explicitly differs from a queue made with another one.
    await expect(create('twice', { MessageRetentionPeriod: '345600' })).resolves.toMatchObject({ QueueUrl });
    await expect(create('twice', { MaximumMessageSize: '1024' })).rejects.toMatchObject({ name: 'QueueNameExists' });
  });

  it('refuses values out of range, unknown names and malformed redrive policies with the errors SQS gives', async () => {
    const cases: [Record<string, string>, string, string][] = [
      [{ VisibilityTimeout: '43201' }, 'InvalidAttributeValue', 'Invalid value for the parameter VisibilityTimeout.'],
      [{ DelaySeconds: '-1' }, 'InvalidAttributeValue', 'Invalid value for the parameter DelaySeconds.'],
      [{ MessageRetentionPeriod: '59' }, 'InvalidAttributeValue', 'Invalid value for the parameter MessageRetentionPeriod.'],
      [{ ReceiveMessageWaitTimeSeconds: '21' }, 'InvalidAttributeValue', 'Invalid value for the parameter ReceiveMessageWaitTimeSeconds.'],
      [{ MaximumMessageSize: '1023' }, 'InvalidAttributeValue', 'Invalid value for the parameter MaximumMessageSize.'],
      [{ VisibilityTimeout: '1.5' }, 'InvalidAttributeValue', 'Invalid value for the parameter VisibilityTimeout.'],
      [{ Colour: 'blue' }, 'InvalidAttributeName', 'Unknown Attribute Colour.'],
      [{ QueueArn: arnOf('x') }, 'InvalidAttributeName', 'Unknown Attribute QueueArn.'],
      [{ RedrivePolicy: 'nope' }, 'InvalidParameterValue', 'Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid JSON map.'],
      [
        { RedrivePolicy: `{"deadLetterTargetArn":"${arnOf('made-dlq')}"}` },
        'InvalidParameterValue',
        `Value {"deadLetterTargetArn":"${arnOf('made-dlq')}"} for parameter RedrivePolicy is invalid. Reason: Redrive policy does not contain mandatory attribute: maxReceiveCount.`,
      ],
      [
        { RedrivePolicy: `{"deadLetterTargetArn":"${arnOf('made-dlq')}","maxReceiveCount":0}` },
        'InvalidParameterValue',
        `Value {"deadLetterTargetArn":"${arnOf('made-dlq')}","maxReceiveCount":0} for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: 0, valid values are from 1 to 1000 both inclusive.`,
      ],
      [
        { RedrivePolicy: `{"deadLetterTargetArn":"${arnOf('no-such-dlq')}","maxReceiveCount":3}` },
        'InvalidParameterValue',
        `Value {"deadLetterTargetArn":"${arnOf('no-such-dlq')}","maxReceiveCount":3} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.`,
      ],
    ];
    for (const [Attributes, name, message] of cases) {
      await expect(create('refused', Attributes), JSON.stringify(Attributes)).rejects.toMatchObject({ name, message, $metadata: { httpStatusCode: 400 } });
    }
    // None of them made the queue.
    expect(service.findQueue('refused')).toBeUndefined();
  });

  it('refuses what it cannot honour, naming it', async () => {
    await expect(create('fifo-like', { FifoQueue: 'true' })).rejects.toMatchObject({
      name: 'InvalidAttributeName',
      message: expect.stringContaining('attribute FifoQueue'),
    });
    await expect(create('jobs.fifo')).rejects.toMatchObject({ name: 'InvalidParameterValue', message: expect.stringContaining('FIFO queues') });
    // A redrive to a queue whose RedriveAllowPolicy does not name the source.
    await expect(
      create('not-allowed', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf('made-dlq'), maxReceiveCount: 2 }) }),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue', message: expect.stringContaining('RedriveAllowPolicy of made-dlq does not allow') });
  });

  it('creates the queue in the region the request is signed for, when the runtime serves several', async () => {
    // As the runtime serves stacks of several regions: each request in the region it is signed for.
    const regional = await serve(awsApiHandler({ json: [sqsApi(service)], query: [] }, (signed) => signed));
    const west = new SQSClient({ endpoint: regional.endpoint, ...TEST_CLIENT, region: 'eu-west-1', maxAttempts: 1 });
    const east = new SQSClient({ endpoint: regional.endpoint, ...TEST_CLIENT, maxAttempts: 1 });
    try {
      const { QueueUrl } = await west.send(new CreateQueueCommand({ QueueName: 'western' }));
      expect(QueueUrl).toBe(`https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/western`);
      expect((await west.send(new ListQueuesCommand({ QueueNamePrefix: 'western' }))).QueueUrls).toEqual([QueueUrl]);
      await west.send(new SendMessageCommand({ QueueUrl, MessageBody: 'west' }));
      expect((await east.send(new ListQueuesCommand({ QueueNamePrefix: 'western' }))).QueueUrls).toBeUndefined();
      await expect(east.send(new CreateQueueCommand({ QueueName: 'western' }))).rejects.toMatchObject({
        name: 'InvalidParameterValue',
        message: expect.stringContaining('one queue per name across regions'),
      });
    } finally {
      west.destroy();
      east.destroy();
      await regional.close();
    }
  });
});
