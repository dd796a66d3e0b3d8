/**
 * Decisions are remembered per call and statements compiled per document:
 * a call differing in any condition value must get its own decision, never
 * a remembered one.
 */
import { describe, expect, it } from 'vitest';
import { IamService, type RoleCall } from '../../../local/iam/service.js';
import { evaluate, isAllowed } from '../../../local/iam/policy.js';
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

describe('isAllowed', () => {
  it('answers as evaluate does for resource policies alone (random statements, conditions and requests)', () => {
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
    const actions = ['sns:Publish', 'SNS:publish', 'lambda:InvokeFunction', 'lambda:*', '*', 'sns:Pub?ish'];
    const resources = ['arn:aws:sns:us-east-1:111111111111:T', 'arn:aws:sns:*:111111111111:*', '*', FN];
    const keys = ['aws:SourceArn', 'AWS:SourceArn', 'aws:SourceAccount', 'lambda:FunctionUrlAuthType'];
    const values = ['arn:aws:sns:us-east-1:111111111111:T', 'arn:aws:sns:*', '111111111111', 'NONE', 'AWS_IAM'];
    const operators = ['StringEquals', 'StringNotEquals', 'ArnLike', 'StringLikeIfExists', 'Null', 'Unknown'];
    const principals = ['*', { Service: 'sns.amazonaws.com' }, { Service: ['events.amazonaws.com'] }, { AWS: '111111111111' }, null];
    const statement = () => ({
      Effect: pick(['Allow', 'Allow', 'Deny']),
      ...(random() < 0.85 ? { Action: pick(actions) } : { NotAction: pick(actions) }),
      ...(random() < 0.6 ? { Resource: pick(resources) } : {}),
      ...(random() < 0.9 ? { Principal: pick(principals) } : { NotPrincipal: pick(principals) }),
      ...(random() < 0.6 ? { Condition: { [pick(operators)]: { [pick(keys)]: random() < 0.5 ? pick(values) : [pick(values), pick(values)] } } } : {}),
    });
    let allowed = 0;
    for (let i = 0; i < 3000; i++) {
      const documents = Array.from({ length: 1 + Math.floor(random() * 2) }, () => ({ Statement: Array.from({ length: 1 + Math.floor(random() * 3) }, statement) }));
      const context: Record<string, string> = {};
      for (let k = Math.floor(random() * 3); k > 0; k--) context[pick(keys)] = pick(values);
      const request = {
        principal: random() < 0.6 ? { service: pick(['sns.amazonaws.com', 'events.amazonaws.com']) } : { aws: '111111111111' },
        action: pick(['sns:Publish', 'lambda:InvokeFunction']),
        resource: pick([FN, 'arn:aws:sns:us-east-1:111111111111:T']),
        context,
      };
      const expected = evaluate(request, { resource: documents.map((document, n) => ({ label: `policy ${n}`, document })) }).allowed;
      expect(isAllowed(documents, request)).toBe(expected);
      if (expected) allowed++;
    }
    // Both answers occur often enough for the comparison to mean something.
    expect(allowed).toBeGreaterThan(100);
    expect(allowed).toBeLessThan(2900);
  });
});
