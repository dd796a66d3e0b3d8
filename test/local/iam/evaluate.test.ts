/**
 * The shared evaluator against cases from AWS's own policy documentation;
 * each row names the page its expectation comes from.
 */
import { describe, expect, it } from 'vitest';
import { evaluate, type PolicyRequest, type PolicySet } from '../../../local/iam/policy.js';

const ROLE = 'arn:aws:iam::111122223333:role/app';
const SESSION = 'arn:aws:sts::111122223333:assumed-role/app/fn';
const BUCKET = 'arn:aws:s3:::amzn-s3-demo-bucket';
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:orders';
const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
const identity = (...Statement: object[]): PolicySet['identity'] => [{ label: 'identity', document: doc(...Statement) }];
const resource = (...Statement: object[]): PolicySet['resource'] => [{ label: 'resource', document: doc(...Statement) }];
const boundary = (...Statement: object[]): PolicySet['boundary'] => [{ label: 'boundary', document: doc(...Statement) }];
const asRole = (action: string, res: string, context: PolicyRequest['context'] = {}): PolicyRequest => ({
  principal: { aws: SESSION },
  action,
  resource: res,
  context: { 'aws:PrincipalArn': ROLE, ...context },
});

const EVALUATION_LOGIC = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html';
const NOT_ACTION = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html';
const NOT_RESOURCE = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html';
const ACTION = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html';
const RESOURCE = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html';
const BOUNDARIES = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html';
const CONFUSED_DEPUTY = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html';
const GLOBAL_KEYS = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html';

interface Case {
  readonly name: string;
  readonly source: string;
  readonly request: PolicyRequest;
  readonly policies: PolicySet;
  readonly expected: 'allow' | 'explicit-deny' | 'implicit-deny' | 'boundary';
}

const CASES: readonly Case[] = [
  {
    name: 'no policy allows: the implicit deny',
    source: EVALUATION_LOGIC,
    request: asRole('s3:GetObject', `${BUCKET}/a`),
    policies: {},
    expected: 'implicit-deny',
  },
  {
    name: 'an explicit deny overrides an allow in the same identity',
    source: EVALUATION_LOGIC,
    request: asRole('s3:GetObject', `${BUCKET}/a`),
    policies: { identity: identity({ Effect: 'Allow', Action: 's3:*', Resource: '*' }, { Effect: 'Deny', Action: 's3:GetObject', Resource: `${BUCKET}/*` }) },
    expected: 'explicit-deny',
  },
  {
    name: 'an explicit deny in a resource policy overrides an identity allow',
    source: EVALUATION_LOGIC,
    request: asRole('sns:Publish', TOPIC),
    policies: {
      identity: identity({ Effect: 'Allow', Action: 'sns:Publish', Resource: TOPIC }),
      resource: resource({ Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Resource: TOPIC }),
    },
    expected: 'explicit-deny',
  },
  {
    name: 'same account: a resource policy naming the role allows without an identity allow',
    source: EVALUATION_LOGIC,
    request: asRole('sns:Publish', TOPIC),
    policies: { resource: resource({ Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'sns:Publish', Resource: TOPIC }) },
    expected: 'allow',
  },
  {
    name: 'same account: an identity allow suffices without a resource policy',
    source: EVALUATION_LOGIC,
    request: asRole('sns:Publish', TOPIC),
    policies: { identity: identity({ Effect: 'Allow', Action: 'sns:Publish', Resource: TOPIC }) },
    expected: 'allow',
  },
  {
    name: 'NotAction with Allow: every action except the listed ones is allowed',
    source: NOT_ACTION,
    request: asRole('s3:ListBucket', BUCKET),
    policies: { identity: identity({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }) },
    expected: 'allow',
  },
  {
    name: 'NotAction with Allow does not allow the listed actions',
    source: NOT_ACTION,
    request: asRole('iam:CreateUser', '*'),
    policies: { identity: identity({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }) },
    expected: 'implicit-deny',
  },
  {
    name: 'NotResource with Deny: every resource but the listed one is denied',
    source: NOT_RESOURCE,
    request: asRole('s3:PutObject', 'arn:aws:s3:::other-bucket/a'),
    policies: {
      identity: identity({ Effect: 'Allow', Action: 's3:*', Resource: '*' }, { Effect: 'Deny', Action: 's3:*', NotResource: [BUCKET, `${BUCKET}/*`] }),
    },
    expected: 'explicit-deny',
  },
  {
    name: 'NotResource with Deny leaves the listed resource allowed',
    source: NOT_RESOURCE,
    request: asRole('s3:PutObject', `${BUCKET}/a`),
    policies: {
      identity: identity({ Effect: 'Allow', Action: 's3:*', Resource: '*' }, { Effect: 'Deny', Action: 's3:*', NotResource: [BUCKET, `${BUCKET}/*`] }),
    },
    expected: 'allow',
  },
  {
    name: 'action wildcards: iam:*AccessKey* covers iam:CreateAccessKey',
    source: ACTION,
    request: asRole('iam:CreateAccessKey', '*'),
    policies: { identity: identity({ Effect: 'Allow', Action: 'iam:*AccessKey*', Resource: '*' }) },
    expected: 'allow',
  },
  {
    name: 'actions are case-insensitive: EC2:startinstances is ec2:StartInstances',
    source: ACTION,
    request: asRole('ec2:StartInstances', '*'),
    policies: { identity: identity({ Effect: 'Allow', Action: 'EC2:startinstances', Resource: '*' }) },
    expected: 'allow',
  },
  {
    name: 'resource wildcards: ? is exactly one character',
    source: RESOURCE,
    request: asRole('s3:GetObject', `${BUCKET}/log1.txt`),
    policies: { identity: identity({ Effect: 'Allow', Action: 's3:GetObject', Resource: `${BUCKET}/log?.txt` }) },
    expected: 'allow',
  },
  {
    name: 'resource wildcards: ? does not match two characters',
    source: RESOURCE,
    request: asRole('s3:GetObject', `${BUCKET}/log12.txt`),
    policies: { identity: identity({ Effect: 'Allow', Action: 's3:GetObject', Resource: `${BUCKET}/log?.txt` }) },
    expected: 'implicit-deny',
  },
  {
    name: 'resource ARNs are case-sensitive',
    source: RESOURCE,
    request: asRole('sns:Publish', TOPIC),
    policies: { identity: identity({ Effect: 'Allow', Action: 'sns:Publish', Resource: TOPIC.toUpperCase() }) },
    expected: 'implicit-deny',
  },
  {
    name: 'permission boundary: an identity allow outside the boundary is not effective',
    source: BOUNDARIES,
    request: asRole('iam:CreateUser', '*'),
    policies: {
      identity: identity({ Effect: 'Allow', Action: 'iam:CreateUser', Resource: '*' }),
      boundary: boundary({ Effect: 'Allow', Action: ['s3:*', 'cloudwatch:*', 'ec2:*'], Resource: '*' }),
    },
    expected: 'boundary',
  },
  {
    name: 'permission boundary: the intersection of identity and boundary is allowed',
    source: BOUNDARIES,
    request: asRole('s3:GetObject', `${BUCKET}/a`),
    policies: {
      identity: identity({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }),
      boundary: boundary({ Effect: 'Allow', Action: ['s3:*', 'cloudwatch:*', 'ec2:*'], Resource: '*' }),
    },
    expected: 'allow',
  },
  {
    name: 'permission boundary alone grants nothing',
    source: BOUNDARIES,
    request: asRole('s3:GetObject', `${BUCKET}/a`),
    policies: { boundary: boundary({ Effect: 'Allow', Action: 's3:*', Resource: '*' }) },
    expected: 'implicit-deny',
  },
  {
    name: 'confused deputy: aws:SourceArn from the expected topic allows the service',
    source: CONFUSED_DEPUTY,
    request: { principal: { service: 'sns.amazonaws.com' }, action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:111122223333:q', context: { 'aws:SourceArn': TOPIC, 'aws:SourceAccount': '111122223333' } },
    policies: {
      resource: resource({
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: 'arn:aws:sqs:us-east-1:111122223333:q',
        Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:111122223333:*' }, StringEquals: { 'aws:SourceAccount': '111122223333' } },
      }),
    },
    expected: 'allow',
  },
  {
    name: 'confused deputy: another account as aws:SourceAccount is not allowed',
    source: CONFUSED_DEPUTY,
    request: { principal: { service: 'sns.amazonaws.com' }, action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:111122223333:q', context: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:444455556666:t', 'aws:SourceAccount': '444455556666' } },
    policies: {
      resource: resource({
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: 'arn:aws:sqs:us-east-1:111122223333:q',
        Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
      }),
    },
    expected: 'implicit-deny',
  },
  {
    name: 'aws:SecureTransport false meets a Deny on Bool false',
    source: GLOBAL_KEYS,
    request: asRole('sqs:SendMessage', 'arn:aws:sqs:us-east-1:111122223333:q', { 'aws:SecureTransport': 'false' }),
    policies: {
      identity: identity({ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }),
      resource: resource({ Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    },
    expected: 'explicit-deny',
  },
  {
    name: 'aws:PrincipalArn is the role ARN, not the session: ArnLike on the role allows',
    source: GLOBAL_KEYS,
    request: asRole('sns:Publish', TOPIC),
    policies: { resource: resource({ Effect: 'Allow', Principal: '*', Action: 'sns:Publish', Resource: TOPIC, Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/ap?' } } }) },
    expected: 'allow',
  },
  {
    name: 'aws:PrincipalArn with StringNotEquals excludes every other principal',
    source: GLOBAL_KEYS,
    request: asRole('sns:Publish', TOPIC),
    policies: {
      identity: identity({ Effect: 'Allow', Action: 'sns:Publish', Resource: '*' }),
      resource: resource({ Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Resource: TOPIC, Condition: { StringNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/admin' } } }),
    },
    expected: 'explicit-deny',
  },
];

describe('evaluate (cases from the AWS IAM documentation)', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(c.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    const decision = evaluate(c.request, c.policies);
    expect(decision.allowed ? 'allow' : decision.reason).toBe(c.expected);
  });

  it('names the statements that decided', () => {
    const decision = evaluate(asRole('sns:Publish', TOPIC), {
      identity: [
        { label: 'Other', document: doc({ Effect: 'Allow', Action: 'sqs:*', Resource: '*' }) },
        { label: 'DefaultPolicy', document: doc({ Sid: 'a', Effect: 'Allow', Action: 'logs:*', Resource: '*' }, { Sid: 'b', Effect: 'Allow', Action: 'SNS:publish', Resource: TOPIC }) },
      ],
    });
    expect(decision).toEqual({ allowed: true, by: [{ kind: 'identity', source: 'DefaultPolicy', index: 1, statement: expect.objectContaining({ Sid: 'b' }) }] });
    const denied = evaluate(asRole('sns:Publish', TOPIC), { identity: identity({ Sid: 'no', Effect: 'Deny', Action: '*', Resource: '*' }) });
    expect(denied).toMatchObject({ allowed: false, reason: 'explicit-deny', deniedBy: { source: 'identity', statement: { Sid: 'no' } } });
  });

  it('reads an identity statement without Resource as applying to nothing', () => {
    expect(evaluate(asRole('sns:Publish', TOPIC), { identity: identity({ Effect: 'Allow', Action: '*' }) }).allowed).toBe(false);
  });
});
