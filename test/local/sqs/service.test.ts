import { describe, expect, it } from 'vitest';
import { createClock } from '../../../local/clock.js';
import type { TraceEvent } from '../../../local/contracts.js';
import { AwsError, UnsupportedTemplateError } from '../../../local/protocol/errors.js';
import { SqsService } from '../../../local/sqs/service.js';
import { fakeStack } from '../../support/fake-stack.js';

const ACCOUNT = '000000000000';
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;
const queueUrl = (name: string) => `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/${name}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function rejection(promise: Promise<unknown> | (() => unknown)): Promise<AwsError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    if (error instanceof AwsError) return error;
    throw error;
  }
  throw new Error('expected an AwsError');
}

function queueResource(logicalId: string, name: string, properties: Record<string, unknown> = {}) {
  return {
    logicalId,
    type: 'AWS::SQS::Queue',
    ref: queueUrl(name),
    arn: queueArn(name),
    attributes: { Arn: queueArn(name), QueueName: name, QueueUrl: queueUrl(name) },
    properties: { QueueName: name, ...properties },
  };
}

/** The policy CDK writes for an SNS subscription's dead-letter queue (with enforceSSL). */
function snsDlqPolicy(queue: string, topicArn: string) {
  return {
    logicalId: `${queue}Policy`,
    type: 'AWS::SQS::QueuePolicy',
    properties: {
      Queues: [queueUrl(queue)],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Resource: queueArn(queue),
          },
          {
            Action: 'sqs:SendMessage',
            Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
            Effect: 'Allow',
            Principal: { Service: 'sns.amazonaws.com' },
            Resource: queueArn(queue),
          },
        ],
      },
    },
  };
}

describe('SqsService', () => {
  it('sends and peeks without HTTP, by ARN, URL (any host) or name', async () => {
    const traces: Array<Omit<TraceEvent, 'time'>> = [];
    const sqs = new SqsService({ tracer: { record: (e) => traces.push(e) } });
    sqs.createQueue('q');
    const { MessageId } = await sqs.sendMessage(queueArn('q'), 'hello', { a: { DataType: 'String', StringValue: 'b' } });
    expect(sqs.peek('q')).toEqual([
      expect.objectContaining({ messageId: MessageId, body: 'hello', receiveCount: 0, state: 'visible', messageAttributes: { a: { DataType: 'String', StringValue: 'b' } } }),
    ]);
    expect(sqs.findQueue(`http://127.0.0.1:4566/${ACCOUNT}/q`)?.name).toBe('q');
    expect(sqs.findQueue(`http://127.0.0.1:4566/111111111111/q`)).toBeUndefined();
    expect(traces).toEqual([expect.objectContaining({ service: 'sqs', kind: 'deliver', resource: queueArn('q'), ids: { messageId: MessageId } })]);
    const missing = await rejection(sqs.sendMessage(queueArn('nope'), 'x'));
    expect([missing.code, missing.statusCode, missing.message]).toEqual(['QueueDoesNotExist', 400, 'The specified queue does not exist.']);
  });

  it('hides a received message for the visibility timeout (AWS time) and then redelivers it', async () => {
    const sqs = new SqsService({ clock: createClock(0.01) });
    sqs.createQueue('q', { visibilityTimeout: 30 }); // 30 AWS seconds = 300 local ms
    await sqs.sendMessage(queueArn('q'), 'm');
    const [first] = await sqs.receive(queueUrl('q'), { AttributeNames: ['All'] });
    expect(first?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(await sqs.receive(queueUrl('q'))).toEqual([]);
    expect(sqs.getQueueAttributes(queueUrl('q'), ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'])).toEqual({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '1',
    });
    await sleep(400);
    const [second] = await sqs.receive(queueUrl('q'), { AttributeNames: ['ApproximateReceiveCount', 'ApproximateFirstReceiveTimestamp'] });
    expect(second?.MessageId).toBe(first?.MessageId);
    expect(second?.ReceiptHandle).not.toBe(first?.ReceiptHandle);
    expect(second?.Attributes).toEqual({ ApproximateReceiveCount: '2', ApproximateFirstReceiveTimestamp: first?.Attributes?.ApproximateFirstReceiveTimestamp });
    // Only the latest receipt handle deletes, as on AWS; the stale one succeeds silently.
    sqs.deleteMessage(queueUrl('q'), first!.ReceiptHandle);
    expect(sqs.peek('q')).toHaveLength(1);
    sqs.deleteMessage(queueUrl('q'), second!.ReceiptHandle);
    expect(sqs.peek('q')).toHaveLength(0);
  });

  it('long polling returns as soon as a message arrives', async () => {
    const sqs = new SqsService();
    sqs.createQueue('q');
    let answered = false;
    const receiving = sqs.receive(queueUrl('q'), { WaitTimeSeconds: 20 }).finally(() => (answered = true));
    await sleep(30);
    expect(answered).toBe(false);
    await sqs.sendMessage(queueArn('q'), 'late');
    // The send wakes the poll at once instead of at the end of its 20 seconds.
    await sleep(5);
    expect(answered).toBe(true);
    expect((await receiving).map((m) => m.Body)).toEqual(['late']);
  });

  it('long polling sees a delayed message once its delay ends', async () => {
    const sqs = new SqsService({ clock: createClock(0.001) });
    sqs.createQueue('q');
    sqs.send(queueUrl('q'), { MessageBody: 'later', DelaySeconds: 300 }); // 300 local ms
    expect(sqs.peek('q')[0]?.state).toBe('delayed');
    expect(sqs.getQueueAttributes(queueUrl('q'), ['ApproximateNumberOfMessagesDelayed'])).toEqual({ ApproximateNumberOfMessagesDelayed: '1' });
    const messages = await sqs.receive(queueUrl('q'), { WaitTimeSeconds: 5 });
    expect(messages.map((m) => m.Body)).toEqual(['later']);
  });

  it('whenReceivable wakes when ChangeMessageVisibility shows a message sooner, and keeps waiting once the sooner one is gone', async () => {
    const sqs = new SqsService();
    sqs.createQueue('q');
    await sqs.sendMessage(queueArn('q'), 'first');
    await sqs.sendMessage(queueArn('q'), 'second');
    const [first, second] = await sqs.receive(queueUrl('q'), { MaxNumberOfMessages: 10, VisibilityTimeout: 43_200 });
    const controller = new AbortController();
    let woke = false;
    const waiting = sqs.whenReceivable('q', { signal: controller.signal }).then(() => (woke = true));
    await sleep(20);
    expect(woke).toBe(false);
    // Shown sooner than the wait was planned for: the waiter looks again and finds it.
    sqs.changeMessageVisibility(queueUrl('q'), first!.ReceiptHandle, 0);
    await waiting;
    expect(woke).toBe(true);

    // Received again and deleted: what is left is hidden for 12 hours, so the wait is long again.
    const [again] = await sqs.receive(queueUrl('q'));
    expect(again?.Body).toBe('first');
    sqs.deleteMessage(queueUrl('q'), again!.ReceiptHandle);
    let returned = false;
    const idle = sqs.whenReceivable('q', { signal: controller.signal }).then(() => (returned = true));
    await sleep(20);
    expect(returned).toBe(false);
    sqs.changeMessageVisibility(queueUrl('q'), second!.ReceiptHandle, 0);
    await idle;
    expect((await sqs.receive(queueUrl('q'))).map((m) => m.Body)).toEqual(['second']);
    controller.abort();
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives', async () => {
    const traces: Array<Omit<TraceEvent, 'time'>> = [];
    const stack = fakeStack([
      queueResource('Dlq', 'dlq'),
      queueResource('Work', 'work', { VisibilityTimeout: 1, RedrivePolicy: { deadLetterTargetArn: queueArn('dlq'), maxReceiveCount: 2 } }),
    ]);
    const sqs = SqsService.fromStack(stack, { clock: createClock(0.001), tracer: { record: (e) => traces.push(e) } });
    const { MessageId } = await sqs.sendMessage(queueArn('work'), 'poison');
    for (let i = 1; i <= 2; i++) {
      const [m] = await sqs.receive(queueUrl('work'), { WaitTimeSeconds: 1 });
      expect(m?.MessageId).toBe(MessageId);
      await sleep(5);
    }
    expect(await sqs.receive(queueUrl('work'))).toEqual([]);
    expect(sqs.peek('work')).toEqual([]);
    const [dead] = await sqs.receive(queueUrl('dlq'), { AttributeNames: ['All'] });
    expect(dead).toMatchObject({ MessageId, Body: 'poison', Attributes: { ApproximateReceiveCount: '1' } });
    expect(traces.some((t) => t.kind === 'dead-letter' && t.resource === queueArn('dlq'))).toBe(true);
  });

  it('drops messages older than the retention period', async () => {
    const sqs = new SqsService({ clock: createClock(0.0001) });
    sqs.createQueue('q', { messageRetentionPeriod: 60 }); // 6 local ms
    await sqs.sendMessage(queueArn('q'), 'short-lived');
    await sleep(30);
    expect(sqs.peek('q')).toEqual([]);
  });

  it('checks the queue policy for service senders (SNS DLQ without and with a policy)', async () => {
    const topicArn = `arn:aws:sns:us-east-1:${ACCOUNT}:topic`;
    const sqs = SqsService.fromStack(fakeStack([queueResource('Open', 'open'), queueResource('Guarded', 'guarded'), snsDlqPolicy('guarded', topicArn)]));
    const noPolicy = await rejection(sqs.sendMessage(queueArn('open'), 'x', undefined, { principal: 'sns.amazonaws.com', sourceArn: topicArn }));
    expect([noPolicy.code, noPolicy.statusCode]).toEqual(['AccessDenied', 403]);
    // IAM callers (no service principal) are governed by their role, not the queue policy.
    await expect(sqs.sendMessage(queueArn('open'), 'x')).resolves.toHaveProperty('MessageId');
    // Internal calls count as secure transport, so enforceSSL does not block them.
    await expect(sqs.sendMessage(queueArn('guarded'), 'x', undefined, { principal: 'sns.amazonaws.com', sourceArn: topicArn })).resolves.toHaveProperty('MessageId');
    const wrongTopic = await rejection(sqs.sendMessage(queueArn('guarded'), 'x', undefined, { principal: 'sns.amazonaws.com', sourceArn: `${topicArn}2` }));
    expect(wrongTopic.code).toBe('AccessDenied');
    expect(sqs.getQueueAttributes(queueUrl('guarded'), ['Policy']).Policy).toContain('sns.amazonaws.com');
  });

  it('honours an AWS::SQS::QueueInlinePolicy like a QueuePolicy', async () => {
    const topicArn = `arn:aws:sns:us-east-1:${ACCOUNT}:topic`;
    const { properties } = snsDlqPolicy('inline', topicArn);
    const inline = { logicalId: 'Inline', type: 'AWS::SQS::QueueInlinePolicy', properties: { PolicyDocument: properties.PolicyDocument, Queue: queueUrl('inline') } };
    const sqs = SqsService.fromStack(fakeStack([queueResource('Q', 'inline'), inline]));
    await expect(sqs.sendMessage(queueArn('inline'), 'x', undefined, { principal: 'sns.amazonaws.com', sourceArn: topicArn })).resolves.toHaveProperty('MessageId');
    const denied = await rejection(sqs.sendMessage(queueArn('inline'), 'x', undefined, { principal: 'events.amazonaws.com', sourceArn: topicArn }));
    expect(denied.code).toBe('AccessDenied');
    expect(() => SqsService.fromStack(fakeStack([{ ...inline, properties: { ...inline.properties, Queue: queueUrl('absent') } }]))).toThrow('Inline: Properties.Queue:');
  });

  it('validates messages and parameters with the AWS errors', async () => {
    const sqs = new SqsService();
    sqs.createQueue('q', { maximumMessageSize: 1024 });
    const cases: Array<[() => unknown, string, string]> = [
      [() => sqs.send(queueUrl('q'), { MessageBody: 'x'.repeat(1025) }), 'InvalidParameterValue', 'One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.'],
      [() => sqs.send(queueUrl('q'), {}), 'MissingParameter', 'The request must contain the parameter MessageBody.'],
      [() => sqs.send(queueUrl('q'), { MessageBody: 'a\u0000b' }), 'InvalidMessageContents', "Invalid binary character '#x0' was found"],
      [() => sqs.send(queueUrl('q'), { MessageBody: 'a', DelaySeconds: 901 }), 'InvalidParameterValue', 'Value 901 for parameter DelaySeconds is invalid.'],
      [() => sqs.send(queueUrl('q'), { MessageBody: 'a', MessageAttributes: { x: { DataType: 'String' } } }), 'InvalidParameterValue', "The message attribute 'x' must contain non-empty message attribute value"],
      [() => sqs.send(queueUrl('q'), { MessageBody: 'a', MessageAttributes: { x: { DataType: 'Text', StringValue: 'v' } } }), 'InvalidParameterValue', 'supported type prefixes'],
      [() => sqs.receive(queueUrl('q'), { MaxNumberOfMessages: 11 }), 'InvalidParameterValue', 'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.'],
      [() => sqs.receive(queueUrl('q'), { WaitTimeSeconds: 21 }), 'InvalidParameterValue', 'Value 21 for parameter WaitTimeSeconds is invalid.'],
      [() => sqs.deleteMessage(queueUrl('q'), 'not-a-handle'), 'ReceiptHandleIsInvalid', 'The input receipt handle "not-a-handle" is not a valid receipt handle.'],
      [() => sqs.getQueueAttributes(queueUrl('q'), ['Bogus']), 'InvalidAttributeName', 'Unknown Attribute Bogus.'],
    ];
    for (const [call, code, message] of cases) {
      const error = await rejection(call);
      expect(error.code).toBe(code);
      expect(error.message).toContain(message);
    }
    sqs.purgeQueue(queueUrl('q'));
    const purge = await rejection(() => sqs.purgeQueue(queueUrl('q')));
    expect([purge.code, purge.statusCode, purge.message]).toEqual(['PurgeQueueInProgress', 403, 'Only one PurgeQueue operation on q is allowed every 60 seconds.']);
  });

  it('reads queue settings from the stack and reports what it cannot honour', () => {
    const sqs = SqsService.fromStack(
      fakeStack([queueResource('Q', 'q', { VisibilityTimeout: '45', DelaySeconds: 5, SqsManagedSseEnabled: true, Tags: [{ Key: 'a', Value: 'b' }] })]),
    );
    expect(sqs.getQueueAttributes(queueUrl('q'), ['All'])).toMatchObject({
      QueueArn: queueArn('q'),
      VisibilityTimeout: '45',
      DelaySeconds: '5',
      MessageRetentionPeriod: '345600',
      ReceiveMessageWaitTimeSeconds: '0',
      SqsManagedSseEnabled: 'true',
    });
    const refuse = (resources: Parameters<typeof fakeStack>[0], path: string) => {
      expect(() => SqsService.fromStack(fakeStack(resources))).toThrow(UnsupportedTemplateError);
      expect(() => SqsService.fromStack(fakeStack(resources))).toThrow(path);
    };
    refuse([queueResource('Fifo', 'f.fifo', { FifoQueue: true })], 'Fifo: Properties.FifoQueue: FIFO queues are not emulated');
    refuse([queueResource('Q', 'q', { VisibilityTimeout: 50_000 })], 'Q: Properties.VisibilityTimeout');
    refuse([queueResource('Q', 'q', { RedrivePolicy: { deadLetterTargetArn: queueArn('missing'), maxReceiveCount: 3 } })], 'Q: Properties.RedrivePolicy.deadLetterTargetArn');
    refuse(
      [
        queueResource('Dlq', 'dlq', { RedriveAllowPolicy: { redrivePermission: 'denyAll' } }),
        queueResource('Q', 'q', { RedrivePolicy: { deadLetterTargetArn: queueArn('dlq'), maxReceiveCount: 3 } }),
      ],
      'Q: Properties.RedrivePolicy.deadLetterTargetArn',
    );
    refuse([snsDlqPolicy('absent', 'arn:aws:sns:us-east-1:000000000000:t')], 'absentPolicy: Properties.Queues');
    // A Deny on a condition the runtime cannot evaluate would never apply, so it would allow what AWS refuses.
    const withCondition = (condition: Record<string, unknown>) => {
      const policy = snsDlqPolicy('q', 'arn:aws:sns:us-east-1:000000000000:t');
      const statements = (policy.properties.PolicyDocument.Statement as Record<string, unknown>[]).map((s, i) => (i === 0 ? { ...s, Condition: condition } : s));
      return [queueResource('Q', 'q'), { ...policy, properties: { ...policy.properties, PolicyDocument: { ...policy.properties.PolicyDocument, Statement: statements } } }];
    };
    refuse(withCondition({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }), 'qPolicy: Properties.PolicyDocument.Statement.0.Condition.IpAddress: condition operator IpAddress is not evaluated locally');
    refuse(withCondition({ StringEquals: { 'aws:PrincipalOrgID': 'o-1' } }), 'qPolicy: Properties.PolicyDocument.Statement.0.Condition.StringEquals.aws:PrincipalOrgID');
    expect(() => SqsService.fromStack(fakeStack(withCondition({ 'ForAnyValue:StringLikeIfExists': { 'AWS:SourceAccount': '0*' } })))).not.toThrow();
  });
});
