/**
 * The poller reads the queue with the function's execution role, as Lambda
 * does: without sqs:ReceiveMessage, sqs:DeleteMessage and
 * sqs:GetQueueAttributes on the queue the mapping does not poll, and the
 * IAM denial is traced with the fix.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createClock } from '../../../../local/clock.js';
import { roleCheck } from '../../../../local/iam/execution-roles.js';
import { IamService } from '../../../../local/iam/service.js';
import { EventSourceMappings } from '../../../../local/lambda/event-source-mapping/service.js';
import { SqsService } from '../../../../local/sqs/service.js';
import { build } from '../build.js';
import { CaptureTracer, fn, makeStack } from '../helpers.js';

const ROLE = 'arn:aws:iam::000000000000:role/consumer-role';
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:work';

const running: EventSourceMappings[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((m) => m.stop()));
});

function setup(actions: readonly string[]) {
  const specs = [
    fn('consumer', { Role: ROLE }),
    {
      logicalId: 'ConsumerRole',
      type: 'AWS::IAM::Role',
      ref: 'consumer-role',
      arn: ROLE,
      properties: {
        AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
        Policies: [{ PolicyName: 'queue', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: actions, Resource: QUEUE_ARN }] } }],
      },
    },
    { logicalId: 'Mapping', type: 'AWS::Lambda::EventSourceMapping', properties: { FunctionName: 'consumer', EventSourceArn: QUEUE_ARN } },
  ];
  const stack = makeStack(specs);
  const tracer = new CaptureTracer();
  const iam = IamService.fromStack(stack, { tracer });
  const sqs = new SqsService();
  sqs.createQueue('work');
  const service = EventSourceMappings.fromStack(stack, {
    lambda: build(specs.slice(0, 1)).service,
    sqs,
    clock: createClock(1),
    tracer,
    checkRole: roleCheck(iam),
    defaultConcurrency: 2,
  });
  running.push(service);
  service.start();
  return { service, tracer, iam };
}

describe('an SQS event source mapping and the execution role', () => {
  it('polls when the role has what CDK grants', () => {
    const { service, iam } = setup(['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']);
    expect(service.pollerOf('Mapping')).toBeDefined();
    expect(iam.deniedCalls()).toEqual([]);
  });

  it('does not poll when the role may not delete messages: the denial and the disabled mapping are traced', () => {
    const { service, tracer, iam } = setup(['sqs:ReceiveMessage', 'sqs:GetQueueAttributes']);
    expect(service.pollerOf('Mapping')).toBeUndefined();
    expect(iam.deniedCalls().map((d) => [d.action, d.resource])).toEqual([['sqs:DeleteMessage', QUEUE_ARN]]);
    expect(tracer.events).toContainEqual(expect.objectContaining({ service: 'iam', outcome: 'denied', resource: QUEUE_ARN }));
    expect(tracer.events).toContainEqual(
      expect.objectContaining({ service: 'lambda', kind: 'event-source', outcome: 'denied', reason: 'The provided execution role does not have permissions to call DeleteMessage on SQS' }),
    );
    expect(service.list()[0]).toMatchObject({ State: 'Disabled' });
  });
});
