/**
 * EventBridge targets with a RoleArn are called as that role: the role's
 * policies decide, and a denial is a permission failure EventBridge does
 * not retry (the event goes to the target's dead-letter queue).
 */
import { describe, expect, it } from 'vitest';
import { createClock } from '../../../local/clock.js';
import { EventBridgeService } from '../../../local/eventbridge/service.js';
import { IamService } from '../../../local/iam/service.js';
import { roleCheck } from '../../../local/iam/execution-roles.js';
import { ACCOUNT, DLQ_ARN, QUEUE_ARN, customBus, entry, fakeSinks, makeStack, rule } from '../eventbridge/helpers.js';

const ROLE = `arn:aws:iam::${ACCOUNT}:role/target-role`;

function setup(allowedQueue: string, trustedService = 'events.amazonaws.com') {
  const stack = makeStack([
    customBus,
    rule('R', { source: ['app'] }, [{ Id: 'q', Arn: QUEUE_ARN, RoleArn: ROLE, DeadLetterConfig: { Arn: DLQ_ARN } }]),
    [
      'TargetRole',
      'AWS::IAM::Role',
      {
        AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: trustedService }, Action: 'sts:AssumeRole' }] },
        Policies: [{ PolicyName: 'send', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: allowedQueue }] } }],
      },
      'target-role',
    ],
  ]);
  // The helper's stack gives roles no ARN; the IAM service reads it from the resource.
  const roleResource = stack.resources.get('TargetRole')! as { arn?: string; attributes: Record<string, string> };
  Object.assign(roleResource, { arn: ROLE, attributes: { Arn: ROLE } });
  const { sinks, recorded, tracer } = fakeSinks();
  const iam = IamService.fromStack(stack, { tracer });
  const service = EventBridgeService.fromStack(stack, { sinks, clock: createClock(0.00001), tracer, checkRole: roleCheck(iam) });
  return { service, recorded, iam };
}

describe('EventBridge targets with a RoleArn', () => {
  it('are sent to as the role, without the service principal, when the role allows it', async () => {
    const { service, recorded } = setup(QUEUE_ARN);
    await service.putEvents([entry()]);
    await service.idle();
    expect(recorded.messages.map((m) => m.queueArn)).toEqual([QUEUE_ARN]);
    expect(recorded.messages[0]!.caller?.principal).toBeUndefined();
  });

  it('are refused when the role does not allow it: traced, not retried, dead-lettered', async () => {
    const { service, recorded, iam } = setup(`${QUEUE_ARN}-other`);
    await service.putEvents([entry()]);
    await service.idle();
    expect(recorded.messages.map((m) => m.queueArn)).toEqual([DLQ_ARN]);
    const denial = recorded.traces.find((t) => t.outcome === 'denied');
    expect(denial).toMatchObject({ service: 'iam', resource: QUEUE_ARN, detail: { action: 'sqs:SendMessage', via: 'target q of rule R' } });
    expect(iam.deniedCalls()).toHaveLength(1);
    const errorCode = recorded.messages[0]!.attributes?.['ERROR_CODE']?.StringValue;
    expect(errorCode).toBe('NO_PERMISSIONS');
  });

  it('are refused when the role does not trust events.amazonaws.com, even though it allows the action', async () => {
    const { service, recorded, iam } = setup(QUEUE_ARN, 'lambda.amazonaws.com');
    await service.putEvents([entry()]);
    await service.idle();
    expect(recorded.messages.map((m) => m.queueArn)).toEqual([DLQ_ARN]);
    expect(recorded.messages[0]!.attributes?.['ERROR_CODE']?.StringValue).toBe('NO_PERMISSIONS');
    expect(iam.deniedCalls()).toEqual([
      expect.objectContaining({ principal: 'events.amazonaws.com', action: 'sts:AssumeRole', resource: ROLE, via: 'target q of rule R' }),
    ]);
  });
});
