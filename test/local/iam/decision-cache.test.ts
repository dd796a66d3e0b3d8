/**
 * Decisions are remembered per call and statements compiled per document:
 * a call differing in any condition value must get its own decision, never
 * a remembered one.
 */
import { describe, expect, it } from 'vitest';
import { IamService, type RoleCall } from '../../../local/iam/service.js';
import { isAllowed } from '../../../local/iam/policy.js';
import { makeStack } from '../lambda/helpers.js';

const ROLE = 'arn:aws:iam::111111111111:role/caller';
const FN = 'arn:aws:lambda:us-east-1:111111111111:function:target';
const TRUST = { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const POLICY = {
  PolicyName: 'url',
  PolicyDocument: {
    Statement: [
      { Effect: 'Allow', Action: 'lambda:InvokeFunctionUrl', Resource: FN, Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } } },
      { Effect: 'Deny', Action: 'lambda:*', Resource: '*', Condition: { StringEquals: { 'aws:SourceAccount': '999999999999' } } },
    ],
  },
};

function service(policies: object[] = [POLICY]) {
  return IamService.fromStack(makeStack([{ logicalId: 'Caller', type: 'AWS::IAM::Role', ref: 'caller', arn: ROLE, properties: { AssumeRolePolicyDocument: TRUST, Policies: policies } }]));
}

const invoke = (context?: Record<string, string | undefined>): RoleCall => ({
  roleArn: ROLE,
  session: 'fn',
  action: 'lambda:InvokeFunctionUrl',
  resource: FN,
  via: 'test',
  ...(context ? { context } : {}),
});

describe('remembered IAM decisions', () => {
  it('decide again when a condition value changes, and remember each answer exactly', () => {
    const iam = service();
    const noPolicy = /because no identity-based policy allows the lambda:InvokeFunctionUrl action$/;
    expect(iam.check(invoke({ 'lambda:FunctionUrlAuthType': 'AWS_IAM' }))).toBeUndefined();
    expect(iam.check(invoke({ 'lambda:FunctionUrlAuthType': 'NONE' }))?.message).toMatch(noPolicy);
    expect(iam.check(invoke({ 'lambda:FunctionUrlAuthType': 'AWS_IAM' }))).toBeUndefined();
    // Absent, or present without a value: the condition cannot hold.
    expect(iam.check(invoke())?.message).toMatch(noPolicy);
    expect(iam.check(invoke({ 'lambda:FunctionUrlAuthType': undefined }))?.message).toMatch(noPolicy);
    // The explicit deny keyed on another condition key still wins over a remembered allow.
    const denied = iam.check(invoke({ 'lambda:FunctionUrlAuthType': 'AWS_IAM', 'aws:SourceAccount': '999999999999' }));
    expect(denied?.message).toMatch(/with an explicit deny in an identity-based policy$/);
    expect(iam.check(invoke({ 'lambda:FunctionUrlAuthType': 'AWS_IAM', 'aws:SourceAccount': '111111111111' }))).toBeUndefined();
    expect(iam.allows(invoke({ 'lambda:FunctionUrlAuthType': 'NONE' }))).toBe(false);
    expect(iam.allows(invoke({ 'lambda:FunctionUrlAuthType': 'AWS_IAM' }))).toBe(true);
  });

  it('give a repeated denial the same message each time', () => {
    const iam = service();
    const first = iam.check(invoke({ 'lambda:FunctionUrlAuthType': 'NONE' }));
    const again = iam.check(invoke({ 'lambda:FunctionUrlAuthType': 'NONE' }));
    expect(again).toEqual(first);
  });

  it('record the grants a remembered allow used', () => {
    const iam = service();
    expect(iam.usage()[0]!.grants.every((g) => !g.used)).toBe(true);
    iam.check(invoke({ 'lambda:FunctionUrlAuthType': 'AWS_IAM' }));
    iam.check(invoke({ 'lambda:FunctionUrlAuthType': 'AWS_IAM' }));
    expect(iam.usage()[0]!.grants.find((g) => g.action === 'lambda:InvokeFunctionUrl')?.used).toBe(true);
  });

  it('are not shared with a service built from other policies (a hot reload)', () => {
    expect(service().check(invoke({ 'lambda:FunctionUrlAuthType': 'AWS_IAM' }))).toBeUndefined();
    expect(service([]).check(invoke({ 'lambda:FunctionUrlAuthType': 'AWS_IAM' }))).toBeDefined();
  });

  it('stay right past their bound (a stream of distinct resources)', () => {
    const iam = service();
    for (let i = 0; i < 5000; i++) iam.allows({ ...invoke({ 'lambda:FunctionUrlAuthType': 'AWS_IAM' }), resource: `${FN}-${i}` });
    expect(iam.check(invoke({ 'lambda:FunctionUrlAuthType': 'AWS_IAM' }))).toBeUndefined();
    expect(iam.check(invoke({ 'lambda:FunctionUrlAuthType': 'NONE' }))).toBeDefined();
  });

  it('remember trust per service principal', () => {
    const iam = service();
    expect(iam.checkTrust(ROLE, 'lambda.amazonaws.com', 'test')).toBeUndefined();
    expect(iam.checkTrust(ROLE, 'apigateway.amazonaws.com', 'test')?.message).toMatch(/apigateway.amazonaws.com is not allowed to assume/);
    expect(iam.checkTrust(ROLE, 'lambda.amazonaws.com', 'test')).toBeUndefined();
  });
});

describe('compiled resource policies', () => {
  const permission = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'lambda:InvokeFunction',
        Condition: { ArnLike: { 'AWS:SourceArn': 'arn:aws:sns:us-east-1:111111111111:Topic' }, StringEquals: { 'AWS:SourceAccount': '111111111111' } },
      },
    ],
  };
  const request = (context: Record<string, string>) => ({ principal: { service: 'sns.amazonaws.com' }, action: 'lambda:InvokeFunction', resource: FN, context });

  it('check aws:SourceArn and aws:SourceAccount of every request against the same document', () => {
    const ok = { 'aws:SourceArn': 'arn:aws:sns:us-east-1:111111111111:Topic', 'aws:SourceAccount': '111111111111' };
    expect(isAllowed([permission], request(ok))).toBe(true);
    expect(isAllowed([permission], request({ ...ok, 'aws:SourceArn': 'arn:aws:sns:us-east-1:111111111111:Other' }))).toBe(false);
    expect(isAllowed([permission], request({ ...ok, 'aws:SourceAccount': '222222222222' }))).toBe(false);
    expect(isAllowed([permission], request({ 'aws:SourceArn': ok['aws:SourceArn'] }))).toBe(false);
    expect(isAllowed([permission], request(ok))).toBe(true);
    // The same document as JSON text answers alike.
    expect(isAllowed([JSON.stringify(permission)], request(ok))).toBe(true);
    expect(isAllowed([JSON.stringify(permission)], request({ ...ok, 'aws:SourceAccount': '222222222222' }))).toBe(false);
  });
});
