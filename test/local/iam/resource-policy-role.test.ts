/**
 * A call made with a role, in the same account, is allowed when the role's
 * identity policies OR the target's resource policy allow it, and nothing
 * denies it:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import { describe, expect, it } from 'vitest';
import { IamService, type RoleCall } from '../../../local/iam/service.js';
import { makeStack } from '../lambda/helpers.js';

const ACCOUNT = '000000000000';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/caller-role`;
const OTHER_ROLE = `arn:aws:iam::${ACCOUNT}:role/other-role`;
const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:orders`;
const QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs`;
const QUEUE_URL = `http://localhost/${ACCOUNT}/jobs`;
const FUNCTION = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:worker`;
const TRUST = { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };

const role = (logicalId: string, arn: string, policies: object[] = []) => ({
  logicalId,
  type: 'AWS::IAM::Role',
  ref: arn.split('/').pop()!,
  arn,
  properties: { AssumeRolePolicyDocument: TRUST, Policies: policies },
});
const naming = (principal: string, Action: string, extra: object = {}) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action, Resource: '*', ...extra }],
});

function service(resourcePolicies: { topic?: object; queue?: object; permissionPrincipal?: string }, rolePolicies: object[] = []) {
  const stack = makeStack([
    role('CallerRole', ROLE, rolePolicies),
    role('OtherRole', OTHER_ROLE),
    { logicalId: 'Topic', type: 'AWS::SNS::Topic', ref: TOPIC, arn: TOPIC, properties: {} },
    { logicalId: 'Queue', type: 'AWS::SQS::Queue', ref: QUEUE_URL, arn: QUEUE, properties: {} },
    { logicalId: 'Worker', type: 'AWS::Lambda::Function', ref: 'worker', arn: FUNCTION, properties: { Role: OTHER_ROLE } },
    ...(resourcePolicies.topic
      ? [{ logicalId: 'TopicPolicy', type: 'AWS::SNS::TopicPolicy', properties: { Topics: [TOPIC], PolicyDocument: resourcePolicies.topic } }]
      : []),
    ...(resourcePolicies.queue
      ? [{ logicalId: 'QueuePolicy', type: 'AWS::SQS::QueuePolicy', properties: { Queues: [QUEUE_URL], PolicyDocument: resourcePolicies.queue } }]
      : []),
    ...(resourcePolicies.permissionPrincipal
      ? [
          {
            logicalId: 'WorkerPermission',
            type: 'AWS::Lambda::Permission',
            properties: { Action: 'lambda:InvokeFunction', FunctionName: FUNCTION, Principal: resourcePolicies.permissionPrincipal },
          },
        ]
      : []),
  ]);
  return IamService.fromStack(stack);
}

const call = (action: string, resource: string): RoleCall => ({ roleArn: ROLE, session: 'fn', action, resource, via: 'test' });

describe('resource policies naming a role, for calls made with that role', () => {
  const cases = [
    { name: 'a topic policy', policies: { topic: naming(ROLE, 'sns:Publish') }, call: call('sns:Publish', TOPIC) },
    { name: 'a queue policy', policies: { queue: naming(ROLE, 'sqs:SendMessage') }, call: call('sqs:SendMessage', QUEUE) },
    { name: 'a Lambda permission', policies: { permissionPrincipal: ROLE }, call: call('lambda:InvokeFunction', FUNCTION) },
    { name: 'a Lambda permission, qualified ARN', policies: { permissionPrincipal: ROLE }, call: call('lambda:InvokeFunction', `${FUNCTION}:$LATEST`) },
  ];

  it.each(cases)('$name allows the call although the role has no identity policy for it', ({ policies, call: c }) => {
    const iam = service(policies);
    expect(iam.check(c)).toBeUndefined();
    expect(iam.deniedCalls()).toHaveLength(0);
  });

  it.each(cases)('$name naming another role does not allow it', ({ call: c }) => {
    const iam = service({ topic: naming(OTHER_ROLE, 'sns:Publish'), queue: naming(OTHER_ROLE, 'sqs:SendMessage'), permissionPrincipal: OTHER_ROLE });
    expect(iam.check(c)?.message).toContain('is not authorized to perform');
  });

  it('an explicit Deny in the resource policy wins over the identity allow', () => {
    const deny = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: { AWS: ROLE }, Action: 'sqs:SendMessage', Resource: '*' }] };
    const iam = service({ queue: deny }, [{ PolicyName: 'send', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }] } }]);
    expect(iam.check(call('sqs:SendMessage', QUEUE))?.message).toContain('with an explicit deny in a resource-based policy');
  });

  it('a resource policy covers only the resource it is attached to', () => {
    const iam = service({ topic: naming(ROLE, 'sns:Publish') });
    expect(iam.check(call('sns:Publish', `${TOPIC}-other`))).toBeDefined();
  });

  it('an identity grant is recorded as used even when the resource policy allows the call too', () => {
    const iam = service({ topic: naming(ROLE, 'sns:Publish') }, [{ PolicyName: 'publish', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sns:Publish', Resource: TOPIC }] } }]);
    expect(iam.check(call('sns:Publish', TOPIC))).toBeUndefined();
    expect(iam.usage().find((r) => r.arn === ROLE)?.grants).toEqual([expect.objectContaining({ action: 'sns:Publish', used: true })]);
  });
});
