import { describe, expect, it } from 'vitest';
import { readRoles } from '../../../local/iam/roles.js';
import { awsManagedPolicy, shippedManagedPolicies } from '../../../local/iam/managed.js';
import { IamService } from '../../../local/iam/service.js';
import { makeStack } from '../lambda/helpers.js';

const ROLE = 'arn:aws:iam::000000000000:role/app-role';
const TRUST = { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const allow = (Action: string, Resource = '*') => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource }] });

function stackWith(roleProps: Record<string, unknown>, extra: Parameters<typeof makeStack>[0] = []) {
  return makeStack([
    { logicalId: 'AppRole', type: 'AWS::IAM::Role', ref: 'app-role', arn: ROLE, properties: { AssumeRolePolicyDocument: TRUST, ...roleProps } },
    ...extra,
  ]);
}

describe('the AWS managed policies shipped as data', () => {
  it('holds the ones CDK apps attach, each with its document and source', () => {
    const names = shippedManagedPolicies().map((p) => p.name);
    expect(names).toEqual(expect.arrayContaining(['AWSLambdaBasicExecutionRole', 'AWSLambdaSQSQueueExecutionRole', 'AmazonAPIGatewayPushToCloudWatchLogs']));
    for (const policy of shippedManagedPolicies()) {
      expect(policy.source).toMatch(/https:\/\//);
      expect(policy.arn).toBe(`arn:aws:iam::aws:policy/${policy.arn.split('policy/')[1]}`);
      expect(Array.isArray(policy.document.Statement)).toBe(true);
    }
    // Any partition's ARN names the same policy.
    expect(awsManagedPolicy('arn:aws-cn:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole')?.document).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
    });
  });
});

describe('reading roles', () => {
  it('gathers inline policies, AWS::IAM::Policy, customer and AWS managed policies, and the boundary', () => {
    const stack = stackWith(
      {
        Policies: [{ PolicyName: 'inline', PolicyDocument: allow('sqs:SendMessage') }],
        ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole', 'arn:aws:iam::000000000000:policy/custom'],
        PermissionsBoundary: 'arn:aws:iam::000000000000:policy/custom',
      },
      [
        { logicalId: 'Extra', type: 'AWS::IAM::Policy', properties: { PolicyName: 'x', Roles: ['app-role'], PolicyDocument: allow('sns:Publish') } },
        { logicalId: 'Custom', type: 'AWS::IAM::ManagedPolicy', ref: 'arn:aws:iam::000000000000:policy/custom', properties: { PolicyDocument: allow('events:*') } },
      ],
    );
    const warnings: string[] = [];
    const role = readRoles(stack, (m) => warnings.push(m)).get(ROLE)!;
    expect(role.identity.map((s) => s.label)).toEqual([
      'AppRole.Policies.inline',
      'Extra',
      'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
      'Custom',
    ]);
    expect(role.boundary?.map((s) => s.label)).toEqual(['Custom']);
    expect(warnings).toEqual([]);
  });

  it('warns about an unknown managed policy at start-up and lets it allow nothing', () => {
    const unknown = 'arn:aws:iam::aws:policy/AmazonMadeUpFullAccess';
    const stack = stackWith({ ManagedPolicyArns: [unknown] });
    const warnings: string[] = [];
    const iam = IamService.fromStack(stack, { warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([
      `AppRole Properties.ManagedPolicyArns.0: AWS managed policy ${unknown} is not known to the local runtime; it allows nothing here (on AWS it may allow more)`,
    ]);
    expect(iam.check({ roleArn: ROLE, session: 's', action: 'sns:Publish', resource: '*', via: 'test' })).toMatchObject({
      message: `User: arn:aws:sts::000000000000:assumed-role/app-role/s is not authorized to perform: sns:Publish on resource: * because no identity-based policy allows the sns:Publish action`,
    });
  });

  it('warns about conditions it cannot evaluate in a role policy', () => {
    const document = { Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } } }] };
    const warnings: string[] = [];
    readRoles(stackWith({ Policies: [{ PolicyName: 'regional', PolicyDocument: document }] }), (m) => warnings.push(m));
    expect(warnings).toEqual([
      'AppRole: policy AppRole.Policies.regional Statement.0.Condition.StringEquals.aws:RequestedRegion: condition key aws:RequestedRegion is not known locally; the statement never applies locally',
    ]);
  });

  it('refuses at start-up a Deny statement with a condition it cannot evaluate, naming the role and the condition', () => {
    const document = {
      Statement: [
        { Effect: 'Allow', Action: 'sns:Publish', Resource: '*' },
        { Effect: 'Deny', Action: 'sns:Publish', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1' } } },
      ],
    };
    expect(() => readRoles(stackWith({ Policies: [{ PolicyName: 'fence', PolicyDocument: document }] }), () => {})).toThrow(
      /^AppRole: policy AppRole\.Policies\.fence Statement\.1\.Condition\.StringNotEquals\.aws:RequestedRegion: condition key aws:RequestedRegion is not known locally, and a Deny statement/,
    );
    const lone = { Statement: { Effect: 'Deny', Action: '*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } } };
    expect(() => readRoles(stackWith({ Policies: [{ PolicyName: 'lone', PolicyDocument: lone }] }), () => {})).toThrow(/Statement\.Condition\.IpAddress: condition operator IpAddress is not evaluated locally, and a Deny/);
  });

  it('checks trust policies and names the service that may not assume the role', () => {
    const iam = IamService.fromStack(stackWith({}));
    expect(iam.checkTrust(ROLE, 'lambda.amazonaws.com', 'test')).toBeUndefined();
    expect(iam.checkTrust(ROLE, 'apigateway.amazonaws.com', 'test')).toMatchObject({ action: 'sts:AssumeRole', principal: 'apigateway.amazonaws.com' });
  });

  it('refuses a function whose role Lambda may not assume, as CreateFunction does', () => {
    const untrusted = { Statement: [{ Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    const stack = stackWith({ AssumeRolePolicyDocument: untrusted }, [
      { logicalId: 'Fn', type: 'AWS::Lambda::Function', properties: { Role: ROLE, Handler: 'index.handler', Runtime: 'nodejs22.x' } },
    ]);
    expect(() => IamService.fromStack(stack).checkFunctionRoles()).toThrow(/^Fn: Properties\.Role: The role defined for the function cannot be assumed by Lambda\./);
    expect(() => IamService.fromStack(stack, { enforce: false }).checkFunctionRoles()).not.toThrow();
    expect(() => IamService.fromStack(stackWith({}, [{ logicalId: 'Fn', type: 'AWS::Lambda::Function', properties: { Role: ROLE } }])).checkFunctionRoles()).not.toThrow();
  });

  it('enforces a permission boundary on the role', () => {
    const stack = stackWith(
      { Policies: [{ PolicyName: 'p', PolicyDocument: allow('sns:*') }], PermissionsBoundary: 'arn:aws:iam::000000000000:policy/b' },
      [{ logicalId: 'B', type: 'AWS::IAM::ManagedPolicy', ref: 'arn:aws:iam::000000000000:policy/b', properties: { PolicyDocument: allow('sns:Publish') } }],
    );
    const iam = IamService.fromStack(stack);
    expect(iam.check({ roleArn: ROLE, session: 's', action: 'sns:Publish', resource: 'arn:aws:sns:us-east-1:000000000000:t', via: 'test' })).toBeUndefined();
    expect(iam.check({ roleArn: ROLE, session: 's', action: 'sns:Subscribe', resource: 'arn:aws:sns:us-east-1:000000000000:t', via: 'test' })?.message).toContain(
      'because no permissions boundary allows the sns:Subscribe action',
    );
  });

  it('with --no-iam allows everything and records nothing', () => {
    const iam = IamService.fromStack(stackWith({}), { enforce: false });
    expect(iam.check({ roleArn: ROLE, session: 's', action: 'sns:Publish', resource: '*', via: 'test' })).toBeUndefined();
    expect(iam.checkTrust(ROLE, 'apigateway.amazonaws.com', 'test')).toBeUndefined();
    expect(iam.startupLines(undefined)).toEqual(['IAM: not enforced (--no-iam): every role may do everything, and no grant is recorded']);
  });
});
