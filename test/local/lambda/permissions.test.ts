import { describe, expect, it } from 'vitest';
import type { InvokeCaller } from '../../../local/contracts.js';
import { checkInvokePermission, invokePermissionChecker, resourcePolicy } from '../../../local/lambda/permissions.js';

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

describe('invokePermissionChecker', () => {
  it('decides as checkInvokePermission does, the first time and every time after', () => {
    const callers: (InvokeCaller | undefined)[] = [
      undefined,
      {},
      { principal: 'sns.amazonaws.com', sourceArn: TOPIC },
      { principal: 'sns.amazonaws.com', sourceArn: `${TOPIC}-other` },
      { principal: 'sns.amazonaws.com' },
      { principal: 'events.amazonaws.com', sourceArn: 'arn:aws:events:us-east-1:111111111111:rule/r' },
      { principal: 'events.amazonaws.com', sourceArn: 'arn:aws:events:us-east-1:222222222222:rule/r' },
      // An explicit account, even empty, stands over the one of the source ARN.
      { principal: 'events.amazonaws.com', sourceArn: 'arn:aws:events:us-east-1:111111111111:rule/r', sourceAccount: '' },
      { principal: 'events.amazonaws.com', sourceArn: 'arn:aws:events:us-east-1:222222222222:rule/r', sourceAccount: '111111111111' },
    ];
    const check = invokePermissionChecker(policy, FN);
    for (let round = 0; round < 2; round++) {
      for (const caller of callers) {
        expect(decision(() => check(caller))).toEqual(decision(() => checkInvokePermission(policy, caller, FN)));
      }
    }
  });

  it('still decides right once it has seen more callers than it keeps', () => {
    const check = invokePermissionChecker(policy, FN);
    for (let i = 0; i < 600; i++) {
      const caller = { principal: 'sns.amazonaws.com', sourceArn: i % 2 === 0 ? TOPIC : `${TOPIC}-${i}` };
      expect(decision(() => check(caller)) === undefined).toBe(i % 2 === 0);
    }
  });
});
