import { describe, expect, it } from 'vitest';
import type { InvokeCaller } from '../../../local/contracts.js';
import { checkInvokePermission, readPermission, resourcePolicy } from '../../../local/lambda/permissions.js';
import type { StackResource } from '../../../local/cloudformation/types.js';

const FN = 'arn:aws:lambda:us-east-1:111111111111:function:fn';
const TOPIC = 'arn:aws:sns:us-east-1:111111111111:topic';
const policy = resourcePolicy(
  [
    { sid: 'FromTopic', action: 'lambda:InvokeFunction', principal: 'sns.amazonaws.com', sourceArn: TOPIC },
    { sid: 'FromAccount', action: 'lambda:InvokeFunction', principal: 'events.amazonaws.com', sourceAccount: '111111111111' },
  ],
  FN,
);

/** The error checkInvokePermission throws, or undefined when it allows the call. */
function decision(check: () => void): unknown {
  try {
    check();
    return undefined;
  } catch (error) {
    return { error, message: (error as Error).message };
  }
}

describe('checkInvokePermission', () => {
  it('decides each caller by principal, source ARN and source account, the same every time', () => {
    const callers: [InvokeCaller | undefined, boolean][] = [
      [undefined, true],
      [{}, true],
      [{ principal: 'sns.amazonaws.com', sourceArn: TOPIC }, true],
      [{ principal: 'sns.amazonaws.com', sourceArn: `${TOPIC}-other` }, false],
      [{ principal: 'sns.amazonaws.com' }, false],
      [{ principal: 'events.amazonaws.com', sourceArn: 'arn:aws:events:us-east-1:111111111111:rule/r' }, true],
      [{ principal: 'events.amazonaws.com', sourceArn: 'arn:aws:events:us-east-1:222222222222:rule/r' }, false],
      // An explicit account, even empty, stands over the one of the source ARN.
      [{ principal: 'events.amazonaws.com', sourceArn: 'arn:aws:events:us-east-1:111111111111:rule/r', sourceAccount: '' }, false],
      [{ principal: 'events.amazonaws.com', sourceArn: 'arn:aws:events:us-east-1:222222222222:rule/r', sourceAccount: '111111111111' }, true],
    ];
    for (let round = 0; round < 2; round++) {
      for (const [caller, allowed] of callers) {
        expect(decision(() => checkInvokePermission(policy, caller, FN)) === undefined).toBe(allowed);
      }
    }
    expect((decision(() => checkInvokePermission(policy, { principal: 'sns.amazonaws.com' }, FN)) as { message: string }).message).toBe(
      `User: sns.amazonaws.com is not authorized to perform: lambda:InvokeFunction on resource: ${FN} because no resource-based policy allows the lambda:InvokeFunction action`,
    );
  });

  it('decides right over many distinct callers', () => {
    for (let i = 0; i < 600; i++) {
      const caller = { principal: 'sns.amazonaws.com', sourceArn: i % 2 === 0 ? TOPIC : `${TOPIC}-${i}` };
      expect(decision(() => checkInvokePermission(policy, caller, FN)) === undefined).toBe(i % 2 === 0);
    }
  });
});

describe('an EventSourceToken permission', () => {
  const ALEXA = 'alexa-appkit.amazon.com';
  const permission = (properties: Record<string, unknown>) =>
    readPermission({
      logicalId: 'AllowSkill',
      type: 'AWS::Lambda::Permission',
      properties: { Action: 'lambda:InvokeFunction', FunctionName: FN, Principal: ALEXA, ...properties },
      ref: 'AllowSkill',
      attributes: {},
      metadata: {},
    } satisfies StackResource);

  it('keeps the token as the StringEquals condition GetPolicy shows', () => {
    const { statement } = permission({ EventSourceToken: 'amzn1.ask.skill.1234' });
    expect(resourcePolicy([statement], FN)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AllowSkill',
          Effect: 'Allow',
          Principal: { Service: ALEXA },
          Action: 'lambda:InvokeFunction',
          Resource: FN,
          Condition: { StringEquals: { 'lambda:EventSourceToken': 'amzn1.ask.skill.1234' } },
        },
      ],
    });
  });

  it('lets in no caller without the token, where the same permission without one would', () => {
    const withToken = resourcePolicy([permission({ EventSourceToken: 'amzn1.ask.skill.1234' }).statement], FN);
    const withoutToken = resourcePolicy([permission({}).statement], FN);
    expect(decision(() => checkInvokePermission(withoutToken, { principal: ALEXA }, FN))).toBeUndefined();
    expect(decision(() => checkInvokePermission(withToken, { principal: ALEXA }, FN))).toMatchObject({ message: expect.stringContaining('no resource-based policy allows') });
  });
});
