import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListQueueTagsCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  TagQueueCommand,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { createClock } from '../../../local/clock.js';
import { SqsService } from '../../../local/sqs/service.js';
import { MemoryStateStore } from '../../../local/state/memory.js';
import { fakeStack } from '../../support/fake-stack.js';
import { durableApps } from '../../support/durable-runtimes.js';
import { TEST_CLIENT } from '../../support/serve.js';
import { servedSqs } from './served.js';

const ACCOUNT = '000000000000';
const arnOf = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;
const policy = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: '*' }],
};

describe('SQS SetQueueAttributes', () => {
  const service = new SqsService();
  // A queue the stack declares, as fromStack makes them.
  const declared = service.createQueue('declared', { visibilityTimeout: 7 });
  const served = servedSqs(service);

  const create = async (QueueName: string, Attributes?: Record<string, string>) =>
    (await served.sqs.send(new CreateQueueCommand({ QueueName, ...(Attributes ? { Attributes } : {}) }))).QueueUrl!;
  const set = (QueueUrl: string, Attributes: Record<string, string>) => served.sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes }));
  const attributes = async (QueueUrl: string, names: string[] = ['All']) =>
    (await served.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: names as never }))).Attributes ?? {};

  it('changes the attributes named, which GetQueueAttributes then reports and sends obey', async () => {
    const QueueUrl = await create('changed', { VisibilityTimeout: '45' });
    const before = await attributes(QueueUrl);
    const changes = {
      DelaySeconds: '5',
      MaximumMessageSize: '2048',
      ReceiveMessageWaitTimeSeconds: '2',
      MessageRetentionPeriod: '600',
      Policy: JSON.stringify(policy),
      RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'denyAll' }),
      KmsMasterKeyId: 'alias/aws/sqs',
    };
    expect(await set(QueueUrl, changes)).toMatchObject({ $metadata: { httpStatusCode: 200 } });
    const after = await attributes(QueueUrl);
    // The others keep their values; a KMS key replaces SQS-managed encryption.
    expect(after).toMatchObject({ ...changes, VisibilityTimeout: '45', CreatedTimestamp: before.CreatedTimestamp });
    expect(after.SqsManagedSseEnabled).toBeUndefined();
    expect(Number(after.LastModifiedTimestamp)).toBeGreaterThanOrEqual(Number(before.LastModifiedTimestamp));
    await expect(served.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(2049) }))).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: 'One or more parameters are invalid. Reason: Message must be shorter than 2048 bytes.',
    });
    // Back to SQS-managed encryption: the key goes.
    await set(QueueUrl, { SqsManagedSseEnabled: 'true' });
    expect(await attributes(QueueUrl, ['SqsManagedSseEnabled', 'KmsMasterKeyId'])).toEqual({ SqsManagedSseEnabled: 'true' });
  });

  it('removes Policy, RedrivePolicy and RedriveAllowPolicy given an empty value, and refuses an empty value for the others', async () => {
    const dlq = await create('emptied-dlq');
    const QueueUrl = await create('emptied', {
      Policy: JSON.stringify(policy),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf('emptied-dlq'), maxReceiveCount: 1 }),
      RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'allowAll' }),
    });
    await set(QueueUrl, { Policy: '', RedrivePolicy: '', RedriveAllowPolicy: '' });
    const left = await attributes(QueueUrl);
    expect(Object.keys(left)).not.toContain('Policy');
    expect(Object.keys(left)).not.toContain('RedrivePolicy');
    expect(Object.keys(left)).not.toContain('RedriveAllowPolicy');
    // No redrive any more: a message received twice stays on the queue.
    await served.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'stays' }));
    for (let i = 0; i < 2; i++) await served.sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 0 }));
    expect(service.peek('emptied').map((m) => m.body)).toEqual(['stays']);
    expect(service.peek(dlq)).toEqual([]);
    // Removing what is not there is no error.
    await expect(set(QueueUrl, { Policy: '' })).resolves.toMatchObject({ $metadata: { httpStatusCode: 200 } });

    for (const name of ['VisibilityTimeout', 'DelaySeconds', 'MessageRetentionPeriod', 'MaximumMessageSize', 'SqsManagedSseEnabled', 'KmsMasterKeyId']) {
      await expect(set(QueueUrl, { [name]: '' }), name).rejects.toMatchObject({
        name: 'InvalidAttributeValue',
        message: `Invalid value for the parameter ${name}.`,
        $metadata: { httpStatusCode: 400 },
      });
    }
  });

  it('refuses bad values with the errors CreateQueue gives, and changes nothing', async () => {
    const QueueUrl = await create('guarded', { VisibilityTimeout: '45' });
    await create('closed-dlq', { RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'denyAll' }) });
    const before = await attributes(QueueUrl);
    const cases: [Record<string, string>, string, string][] = [
      [{ VisibilityTimeout: '43201' }, 'InvalidAttributeValue', 'Invalid value for the parameter VisibilityTimeout.'],
      [{ MessageRetentionPeriod: '59' }, 'InvalidAttributeValue', 'Invalid value for the parameter MessageRetentionPeriod.'],
      // One bad value among good ones: none of them is applied.
      [{ DelaySeconds: '3', MaximumMessageSize: '1023' }, 'InvalidAttributeValue', 'Invalid value for the parameter MaximumMessageSize.'],
      [{ Colour: 'blue' }, 'InvalidAttributeName', 'Unknown Attribute Colour.'],
      [{ QueueArn: arnOf('x') }, 'InvalidAttributeName', 'Unknown Attribute QueueArn.'],
      [{ Policy: 'not json' }, 'InvalidAttributeValue', 'Invalid value for the parameter Policy.'],
      [{ RedrivePolicy: 'nope' }, 'InvalidParameterValue', 'Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid JSON map.'],
      [
        { RedrivePolicy: `{"deadLetterTargetArn":"${arnOf('no-such-dlq')}","maxReceiveCount":3}` },
        'InvalidParameterValue',
        `Value {"deadLetterTargetArn":"${arnOf('no-such-dlq')}","maxReceiveCount":3} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.`,
      ],
      [
        { RedrivePolicy: `{"deadLetterTargetArn":"${arnOf('closed-dlq')}","maxReceiveCount":3}` },
        'InvalidParameterValue',
        `Value {"deadLetterTargetArn":"${arnOf('closed-dlq')}","maxReceiveCount":3} for parameter RedrivePolicy is invalid. Reason: The RedriveAllowPolicy of closed-dlq does not allow this queue as a source queue.`,
      ],
      [{ FifoQueue: 'true' }, 'InvalidAttributeName', 'The local runtime does not emulate FIFO queues: attribute FifoQueue cannot be honoured.'],
    ];
    for (const [Attributes, name, message] of cases) {
      await expect(set(QueueUrl, Attributes), JSON.stringify(Attributes)).rejects.toMatchObject({ name, message, $metadata: { httpStatusCode: 400 } });
    }
    for (const Attributes of [{}, undefined]) {
      await expect(served.sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: Attributes as never }))).rejects.toMatchObject({
        name: 'MissingParameter',
        message: 'The request must contain the parameter Attributes.',
        $metadata: { httpStatusCode: 400 },
      });
    }
    expect(await attributes(QueueUrl)).toEqual(before);
  });

  it('sets a redrive policy that moves a message received maxReceiveCount times to the dead-letter queue', async () => {
    const dlq = await create('late-dlq');
    const QueueUrl = await create('late-source');
    await set(QueueUrl, { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf('late-dlq'), maxReceiveCount: 1 }) });
    await served.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'poison' }));
    expect((await served.sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 0 }))).Messages?.map((m) => m.Body)).toEqual(['poison']);
    expect((await served.sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages).toBeUndefined();
    expect((await served.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq }))).Messages?.map((m) => m.Body)).toEqual(['poison']);
  });

  it('applies a new VisibilityTimeout and DelaySeconds to later receives and sends, not to messages already in flight or sent', async () => {
    const QueueUrl = await create('timed');
    await served.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'in flight' }));
    await served.sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    await served.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'waiting' }));
    await set(QueueUrl, { VisibilityTimeout: '0', DelaySeconds: '900' });
    await served.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'delayed' }));
    const counts = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'];
    // The message in flight keeps its 30 seconds; the one sent before is visible; the one sent after waits 900 seconds.
    expect(await attributes(QueueUrl, counts)).toEqual({ ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '1', ApproximateNumberOfMessagesDelayed: '1' });
    // Received now, with the new visibility timeout of 0: visible again at once.
    expect((await served.sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages?.map((m) => m.Body)).toEqual(['waiting']);
    expect(await attributes(QueueUrl, counts)).toEqual({ ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '1', ApproximateNumberOfMessagesDelayed: '1' });
  });

  it('refuses to change a queue the stack declares, naming it and saying why, and leaves it as the template made it', async () => {
    const error = await set(declared.url, { VisibilityTimeout: '60' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'UnsupportedOperation', $metadata: { httpStatusCode: 400 } });
    expect((error as Error).message).toContain('does not change the attributes of declared: the stack declares it (AWS::SQS::Queue), whose template sets them');
    expect(await attributes(declared.url, ['VisibilityTimeout'])).toEqual({ VisibilityTimeout: '7' });
  });
});

describe('SQS SetQueueAttributes with a shorter MessageRetentionPeriod', () => {
  // 60 AWS seconds last 6 local ms; the default 4 days, 35 local seconds.
  const service = new SqsService({ clock: createClock(0.0001) });
  const served = servedSqs(service);

  it('drops the messages already queued that are older than the new period, and keeps them under a longer one', async () => {
    const { QueueUrl } = await served.sqs.send(new CreateQueueCommand({ QueueName: 'aging' }));
    await served.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'old' }));
    // At least 30 local ms, 300 AWS seconds: older than 60 seconds, however slow the machine.
    await sleep(30);
    await served.sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { MessageRetentionPeriod: '1209600' } }));
    expect(service.peek('aging').map((m) => m.body)).toEqual(['old']);
    await served.sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { MessageRetentionPeriod: '60' } }));
    expect(service.peek('aging')).toEqual([]);
    const { Attributes } = await served.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'MessageRetentionPeriod'] }));
    expect(Attributes).toEqual({ ApproximateNumberOfMessages: '0', MessageRetentionPeriod: '60' });
  });
});

describe('attributes SetQueueAttributes set, across restarts on the same state', () => {
  it('come back on the state store of the services, as set, removals included', () => {
    const state = new MemoryStateStore();
    const first = SqsService.fromStack(fakeStack([]), { state });
    const queue = first.createQueueFromApi('kept', { Policy: JSON.stringify(policy) });
    first.setQueueAttributes(queue.url, { VisibilityTimeout: '90', MessageRetentionPeriod: '3600' });
    const set = first.getQueueAttributes(queue.url, ['All']);

    const second = SqsService.fromStack(fakeStack([]), { state });
    expect(second.getQueueAttributes(queue.url, ['All'])).toEqual(set);
    expect(set).toMatchObject({ VisibilityTimeout: '90', MessageRetentionPeriod: '3600', Policy: JSON.stringify(policy) });
    second.setQueueAttributes(queue.url, { Policy: '' });

    const third = SqsService.fromStack(fakeStack([]), { state });
    expect(third.getQueueAttributes(queue.url, ['Policy', 'VisibilityTimeout'])).toEqual({ VisibilityTimeout: '90' });
  });

  const app = durableApps();

  it('come back with the tags after the runtime restarts on its state directory', async () => {
    const durable = app('tdl-sqs-set-attributes-');
    const start = async () => {
      const runtime = await durable.start();
      return { runtime, sqs: new SQSClient({ endpoint: runtime.endpoint, ...TEST_CLIENT, maxAttempts: 1 }) };
    };
    const first = await start();
    const { QueueUrl } = await first.sqs.send(new CreateQueueCommand({ QueueName: 'set-then-restarted', tags: { team: 'orders' } }));
    await first.sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '300', DelaySeconds: '4' } }));
    await first.sqs.send(new TagQueueCommand({ QueueUrl, Tags: { stage: 'dev' } }));
    const before = await first.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    first.sqs.destroy();
    await durable.stop(first.runtime);

    const second = await start();
    try {
      const after = await second.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
      expect(after.Attributes).toEqual(before.Attributes);
      expect(after.Attributes).toMatchObject({ VisibilityTimeout: '300', DelaySeconds: '4' });
      expect((await second.sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags).toEqual({ team: 'orders', stage: 'dev' });
    } finally {
      second.sqs.destroy();
    }
  });
});
