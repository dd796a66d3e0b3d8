/**
 * Who may call a function URL (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html),
 * checked with the stack's IAM: the permissions `addFunctionUrl` and
 * `grantInvokeUrl` write, as CDK writes them.
 */
import { describe, expect, it } from 'vitest';
import { authorize, type AuthDeps } from '../../../../local/lambda/function-url/auth.js';
import { IamService } from '../../../../local/iam/service.js';
import { policiesFor, resourcePoliciesOf } from '../../../../local/iam/resource-policies.js';
import { makeStack } from '../helpers.js';
import { request, urlConfig } from './helpers.js';

const ACCOUNT = '000000000000';
const FUNCTION = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:fn`;
const CALLER = `arn:aws:iam::${ACCOUNT}:role/caller`;
const STRANGER = `arn:aws:iam::${ACCOUNT}:role/stranger`;
const TRUST = { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

/** What `fn.grantInvokeUrl(role)` grants. */
const GRANT_INVOKE_URL = {
  PolicyName: 'invoke-url',
  PolicyDocument: {
    Statement: [
      { Effect: 'Allow', Action: 'lambda:InvokeFunctionUrl', Resource: FUNCTION, Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } } },
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: FUNCTION, Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': true } } },
    ],
  },
};

/** The permissions `fn.addFunctionUrl({ authType: NONE })` adds. */
const PUBLIC_PERMISSIONS = [
  { logicalId: 'InvokeUrl', type: 'AWS::Lambda::Permission', properties: { Action: 'lambda:InvokeFunctionUrl', FunctionName: FUNCTION, Principal: '*', FunctionUrlAuthType: 'NONE' } },
  { logicalId: 'Invoke', type: 'AWS::Lambda::Permission', properties: { Action: 'lambda:InvokeFunction', FunctionName: FUNCTION, Principal: '*', InvokedViaFunctionUrl: true } },
];

function setup(permissions: object[], options: { enforce?: boolean; callersRole?: string } = {}) {
  const stack = makeStack([
    { logicalId: 'Fn', type: 'AWS::Lambda::Function', ref: 'fn', arn: FUNCTION, properties: {} },
    { logicalId: 'CallerRole', type: 'AWS::IAM::Role', ref: 'caller', arn: CALLER, properties: { AssumeRolePolicyDocument: TRUST, Policies: [GRANT_INVOKE_URL] } },
    { logicalId: 'StrangerRole', type: 'AWS::IAM::Role', ref: 'stranger', arn: STRANGER, properties: { AssumeRolePolicyDocument: TRUST } },
    ...(permissions as never[]),
  ]);
  const iam = IamService.fromStack(stack, { enforce: options.enforce ?? true });
  const policies = resourcePoliciesOf(stack);
  const deps: AuthDeps = {
    iam,
    resourcePolicies: (arn) => policiesFor(policies, arn),
    now: () => NOW,
    ...(options.callersRole ? { callersRole: options.callersRole } : {}),
  };
  return { iam, deps };
}

function signedRequest(accessKey: string, scope: { service?: string; region?: string; date?: string; signature?: string } = {}) {
  const date = scope.date ?? '20260102T030405Z';
  const credential = `${accessKey}/${date.slice(0, 8)}/${scope.region ?? 'us-east-1'}/${scope.service ?? 'lambda'}/aws4_request`;
  return request({
    headers: {
      host: '127.0.0.1:3001',
      'x-amz-date': date,
      authorization: `AWS4-HMAC-SHA256 Credential=${credential}, SignedHeaders=host;x-amz-date, Signature=${scope.signature ?? 'a'.repeat(64)}`,
    },
  });
}

const iamUrl = urlConfig({ authType: 'AWS_IAM', functionArn: FUNCTION });
const publicUrl = urlConfig({ authType: 'NONE', functionArn: FUNCTION });

describe('function URL auth: NONE', () => {
  it('lets anyone in when the resource policy grants both actions to *', () => {
    expect(authorize(request(), publicUrl, setup(PUBLIC_PERMISSIONS).deps)).toEqual({ ok: true });
  });

  it('refuses (403 Forbidden) without lambda:InvokeFunction, as URLs since October 2025 need both', () => {
    const { iam, deps } = setup([PUBLIC_PERMISSIONS[0]!]);
    const outcome = authorize(request(), publicUrl, deps);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.response.statusCode).toBe(403);
    expect(JSON.parse(outcome.response.body.toString())).toEqual({ Message: 'Forbidden' });
    expect(outcome.reason).toContain('lambda:InvokeFunction');
    expect(iam.deniedCalls().map((d) => d.action)).toEqual(['lambda:InvokeFunction']);
  });

  it('refuses when the InvokeFunctionUrl permission is for AuthType AWS_IAM only', () => {
    const iamOnly = { ...PUBLIC_PERMISSIONS[0]!, properties: { ...PUBLIC_PERMISSIONS[0]!.properties, FunctionUrlAuthType: 'AWS_IAM' } };
    expect(authorize(request(), publicUrl, setup([iamOnly, PUBLIC_PERMISSIONS[1]!]).deps).ok).toBe(false);
  });

  it('checks nothing with --no-iam', () => {
    expect(authorize(request(), publicUrl, setup([], { enforce: false }).deps).ok).toBe(true);
  });
});

describe('function URL auth: AWS_IAM', () => {
  it('answers 403 {"Message":"Forbidden"} to an unsigned request', () => {
    const outcome = authorize(request(), iamUrl, setup([]).deps);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect([outcome.response.statusCode, outcome.response.body.toString()]).toEqual([403, '{"Message":"Forbidden"}']);
  });

  it('refuses a malformed signature, another service or region, and a stale X-Amz-Date', () => {
    const { deps } = setup([]);
    expect(authorize(signedRequest('AKIDEXAMPLE', { signature: 'not-hex' }), iamUrl, deps).ok).toBe(false);
    expect(authorize(signedRequest('AKIDEXAMPLE', { service: 's3' }), iamUrl, deps).ok).toBe(false);
    expect(authorize(signedRequest('AKIDEXAMPLE', { region: 'eu-west-1' }), iamUrl, deps).ok).toBe(false);
    expect(authorize(signedRequest('AKIDEXAMPLE', { date: '20260101T030405Z' }), iamUrl, deps).ok).toBe(false);
    const noHost = request({ headers: { 'x-amz-date': '20260102T030405Z', authorization: `AWS4-HMAC-SHA256 Credential=AKID/20260102/us-east-1/lambda/aws4_request, SignedHeaders=x-amz-date, Signature=${'a'.repeat(64)}` } });
    expect(authorize(noHost, iamUrl, deps).ok).toBe(false);
  });

  it('accepts a well-formed signature of an outside caller and names its access key', () => {
    const outcome = authorize(signedRequest('AKIDEXAMPLE'), iamUrl, setup([]).deps);
    expect(outcome).toMatchObject({ ok: true, iam: { accessKey: 'AKIDEXAMPLE', accountId: ACCOUNT } });
  });

  it('accepts a presigned URL', () => {
    const query = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIDEXAMPLE/20260102/us-east-1/lambda/aws4_request',
      'X-Amz-Date': '20260102T030405Z',
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Signature': 'b'.repeat(64),
    });
    expect(authorize(request({ rawQuery: query.toString() }), iamUrl, setup([]).deps).ok).toBe(true);
  });

  it('checks a signer the runtime knows against its role: allowed with grantInvokeUrl, else 403 and a traced denial', () => {
    const { iam, deps } = setup([]);
    const caller = iam.credentialsFor(CALLER, 'fn-session');
    expect(authorize(signedRequest(caller.accessKeyId), iamUrl, deps)).toMatchObject({
      ok: true,
      iam: { accessKey: caller.accessKeyId, userArn: `arn:aws:sts::${ACCOUNT}:assumed-role/caller/fn-session` },
    });
    const stranger = iam.credentialsFor(STRANGER, 'other-session');
    expect(authorize(signedRequest(stranger.accessKeyId), iamUrl, deps).ok).toBe(false);
    expect(iam.deniedCalls().map((d) => [d.principal, d.action])).toEqual([[`arn:aws:sts::${ACCOUNT}:assumed-role/stranger/other-session`, 'lambda:InvokeFunctionUrl']]);
  });

  it('checks outside signers as the --enforce-iam-for-callers role', () => {
    expect(authorize(signedRequest('AKIDEXAMPLE'), iamUrl, setup([], { callersRole: STRANGER }).deps).ok).toBe(false);
    expect(authorize(signedRequest('AKIDEXAMPLE'), iamUrl, setup([], { callersRole: CALLER }).deps).ok).toBe(true);
  });
});
