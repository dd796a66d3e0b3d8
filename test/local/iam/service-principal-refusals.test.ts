/**
 * A service principal refused by a topic or queue policy (EventBridge ->
 * SQS target, S3 or EventBridge -> SNS) is traced as an IAM denial naming
 * the principal, action, resource, the statement that would allow it and
 * the CDK call that adds it, as Lambda permission refusals are.
 */
import { describe, expect, it } from 'vitest';
import { createClock } from '../../../local/clock.js';
import type { TraceEvent } from '../../../local/contracts.js';
import { matchesPattern } from '../../../local/eventbridge/pattern.js';
import { EventBridgeService } from '../../../local/eventbridge/service.js';
import { IamService } from '../../../local/iam/service.js';
import { AwsError } from '../../../local/protocol/errors.js';
import { SnsService } from '../../../local/sns/service.js';
import { SqsService } from '../../../local/sqs/service.js';
import { fakeResource, fakeStack } from '../../support/fake-stack.js';
import { recordingSinks } from '../sns/stack-fixture.js';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:alerts`;
const QUEUE = `arn:aws:sqs:${REGION}:${ACCOUNT}:jobs`;
const QUEUE_URL = `http://sqs.${REGION}.localhost/${ACCOUNT}/jobs`;
const RULE = `arn:aws:events:${REGION}:${ACCOUNT}:rule/on-order`;
const BUCKET = 'arn:aws:s3:::uploads';
const cdkPath = (path: string) => ({ metadata: { 'aws:cdk:path': `App/${path}/Resource` } });

function setup() {
  const stack = fakeStack(
    [
      fakeResource('Alerts', 'AWS::SNS::Topic', { TopicName: 'alerts' }, { ref: TOPIC, arn: TOPIC, attributes: { TopicArn: TOPIC, TopicName: 'alerts' }, ...cdkPath('Alerts') }),
      fakeResource('Jobs', 'AWS::SQS::Queue', { QueueName: 'jobs' }, { ref: QUEUE_URL, arn: QUEUE, attributes: { Arn: QUEUE, QueueName: 'jobs', QueueUrl: QUEUE_URL }, ...cdkPath('Jobs') }),
      fakeResource('OnOrder', 'AWS::Events::Rule', { EventPattern: { source: ['shop'] }, State: 'ENABLED', Targets: [{ Id: 'jobs', Arn: QUEUE }] }, { ref: 'on-order', arn: RULE, attributes: { Arn: RULE }, ...cdkPath('OnOrder') }),
      fakeResource('Uploads', 'AWS::S3::Bucket', {}, { ref: 'uploads', arn: BUCKET, attributes: { Arn: BUCKET }, ...cdkPath('Uploads') }),
    ],
    { account: ACCOUNT, region: REGION },
  );
  const traces: Omit<TraceEvent, 'time'>[] = [];
  const tracer = { record: (event: Omit<TraceEvent, 'time'>) => void traces.push(event) };
  const iam = IamService.fromStack(stack, { tracer });
  const resourcePolicyRefused = iam.resourcePolicyRefused.bind(iam);
  const sqs = SqsService.fromStack(stack, { tracer, resourcePolicyRefused });
  const sns = SnsService.fromStack(stack, { sinks: recordingSinks().sinks, matcher: matchesPattern, clock: createClock(0.0001), tracer, resourcePolicyRefused });
  const sinks = recordingSinks().sinks;
  const events = EventBridgeService.fromStack(stack, { sinks: { ...sinks, sqs }, clock: createClock(0.00001), tracer });
  return { sqs, sns, iam, events, denials: () => traces.filter((t) => t.outcome === 'denied' && t.service === 'iam') };
}

describe('resource-policy refusals of service principals', () => {
  it('an EventBridge rule sending to a queue without a queue policy: AccessDenied, traced with targets.SqsQueue', async () => {
    const { sqs, denials } = setup();
    const error = await sqs.sendMessage(QUEUE, '{}', undefined, { principal: 'events.amazonaws.com', sourceArn: RULE }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AwsError);
    expect((error as AwsError).code).toBe('AccessDenied');
    expect(denials()).toEqual([
      expect.objectContaining({
        service: 'iam',
        outcome: 'denied',
        resource: QUEUE,
        reason: expect.stringMatching(/^Access to the resource \S+\/000000000000\/jobs is denied\.$/),
        detail: expect.objectContaining({
          principal: 'events.amazonaws.com',
          action: 'sqs:SendMessage',
          via: 'queue policy of jobs',
          wouldAllow: {
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: QUEUE,
            Condition: { ArnLike: { 'AWS:SourceArn': RULE } },
          },
          cdkFix: 'onOrder.addTarget(new targets.SqsQueue(jobs))',
        }),
      }),
    ]);
  });

  it('a service without a known source gets the plain grant', async () => {
    const { sqs, denials } = setup();
    await expect(sqs.sendMessage(QUEUE, '{}', undefined, { principal: 'events.amazonaws.com' })).rejects.toThrow(AwsError);
    expect(denials()[0]?.detail).toMatchObject({ cdkFix: "jobs.grantSendMessages(new iam.ServicePrincipal('events.amazonaws.com'))" });
  });

  it('S3 and EventBridge publishing to a topic without a topic policy: AuthorizationError, traced with the fix', async () => {
    const { sns, denials, iam } = setup();
    await expect(sns.publish({ TopicArn: TOPIC, Message: 'm' }, { principal: 's3.amazonaws.com', sourceArn: BUCKET })).rejects.toMatchObject({ code: 'AuthorizationError' });
    await expect(sns.publish({ TopicArn: TOPIC, Message: 'm' }, { principal: 'events.amazonaws.com', sourceArn: RULE })).rejects.toMatchObject({ code: 'AuthorizationError' });
    expect(denials().map((d) => [d.service, d.resource, (d.detail as { action: string }).action, (d.detail as { cdkFix?: string }).cdkFix])).toEqual([
      ['iam', TOPIC, 'sns:Publish', 'uploads.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SnsDestination(alerts))'],
      ['iam', TOPIC, 'sns:Publish', 'onOrder.addTarget(new targets.SnsTopic(alerts))'],
    ]);
    expect(denials()[0]?.reason).toBe(`User: s3.amazonaws.com is not authorized to perform: SNS:Publish on resource: ${TOPIC}`);
    expect(iam.deniedCalls().map((d) => d.via)).toEqual(['topic policy of alerts', 'topic policy of alerts']);
  });

  it('an IAM caller (no service principal) is not traced by the resource policy', async () => {
    const { sns, denials } = setup();
    await sns.publish({ TopicArn: TOPIC, Message: 'm' });
    expect(denials()).toEqual([]);
  });

  it('through EventBridge: a rule whose queue target has no queue policy is not delivered, and the denial names the fix', async () => {
    const { events, sqs, denials } = setup();
    await events.putEvents([{ Source: 'shop', DetailType: 'order', Detail: '{}' }]);
    await events.idle();
    expect(sqs.peek(QUEUE)).toEqual([]);
    expect(denials().map((d) => (d.detail as { cdkFix?: string }).cdkFix)).toEqual(['onOrder.addTarget(new targets.SqsQueue(jobs))']);
  });
});
