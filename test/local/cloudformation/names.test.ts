import { describe, expect, it } from 'vitest';
import { generatedName, resourceIdentity, stableToken, stableUuid, type NameContext } from '../../../local/cloudformation/names.js';

const env = { account: '000000000000', region: 'us-east-1', partition: 'aws', urlSuffix: 'amazonaws.com' };

function identity(type: string, logicalId: string, properties: Record<string, unknown> = {}, stackName = 'DestinedLambdaStack') {
  const ctx: NameContext = { stackName, env, logicalId, type, prop: (name) => properties[name] };
  return resourceIdentity(ctx);
}

describe('stable generated parts', () => {
  it('derives tokens and uuids from the seed only', () => {
    expect(stableToken('a/b', 12)).toBe(stableToken('a/b', 12));
    expect(stableToken('a/b', 12)).not.toBe(stableToken('a/c', 12));
    expect(stableToken('x', 40, 'abc')).toMatch(/^[abc]{40}$/);
    expect(stableUuid('s')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('keeps generated names within the limit, shortening stack and logical id', () => {
    const long = generatedName('AVeryLongStackNameThatGoesOnAndOn', 'DestinedFunctionWithAnEvenLongerLogicalId1234ABCD', 64);
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).toMatch(/^AVeryLong[A-Za-z]*-DestinedFunction[A-Za-z0-9]*-[A-Za-z0-9]{12}$/);
    expect(generatedName('S', 'L', 64)).toMatch(/^S-L-[A-Za-z0-9]{12}$/);
  });
});

describe('resource identities', () => {
  it('names a Lambda function <stack>-<logicalId>-<suffix> within 64 chars, with its ARN', () => {
    const id = identity('AWS::Lambda::Function', 'DestinedFunction1234ABCD');
    expect(id.ref).toMatch(/^DestinedLambdaStack-DestinedFunction1234ABCD-[A-Za-z0-9]{12}$/);
    expect(id.ref.length).toBeLessThanOrEqual(64);
    expect(id.arn).toBe(`arn:aws:lambda:us-east-1:000000000000:function:${id.ref}`);
    expect(id.attributes.Arn).toBe(id.arn);
    const long = identity('AWS::Lambda::Function', 'X'.repeat(80), {}, 'S'.repeat(80));
    expect(long.ref.length).toBeLessThanOrEqual(64);
  });

  it('lets explicit names win', () => {
    expect(identity('AWS::Lambda::Function', 'F', { FunctionName: 'mine' }).ref).toBe('mine');
    expect(identity('AWS::SNS::Topic', 'T', { TopicName: 't' }).attributes).toEqual({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:t', TopicName: 't' });
    expect(identity('AWS::IAM::Role', 'R', { RoleName: 'role', Path: '/svc/' }).arn).toBe('arn:aws:iam::000000000000:role/svc/role');
    expect(identity('AWS::Logs::LogGroup', 'G', { LogGroupName: '/aws/lambda/x' }).attributes.Arn).toBe('arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/x:*');
    expect(identity('AWS::ApiGateway::Stage', 'S', { StageName: 'prod' }).ref).toBe('prod');
  });

  it('gives SQS queues a URL Ref and the queue attributes; FIFO names end in .fifo', () => {
    const q = identity('AWS::SQS::Queue', 'Dlq');
    expect(q.ref).toBe(`https://sqs.us-east-1.amazonaws.com/000000000000/${q.attributes.QueueName}`);
    expect(q.attributes.QueueUrl).toBe(q.ref);
    expect(q.arn).toBe(`arn:aws:sqs:us-east-1:000000000000:${q.attributes.QueueName}`);
    expect(q.attributes.QueueName!.length).toBeLessThanOrEqual(80);
    expect(identity('AWS::SQS::Queue', 'F', { FifoQueue: true }).attributes.QueueName).toMatch(/\.fifo$/);
  });

  it('gives SNS subscriptions <topicArn>:<uuid>', () => {
    const s = identity('AWS::SNS::Subscription', 'Sub', { TopicArn: 'arn:aws:sns:us-east-1:000000000000:t' });
    expect(s.ref).toMatch(/^arn:aws:sns:us-east-1:000000000000:t:[0-9a-f-]{36}$/);
  });

  it('gives EventBridge buses and rules their ARNs, rule ARNs naming a custom bus', () => {
    const bus = identity('AWS::Events::EventBus', 'Bus', { Name: 'destined' });
    expect(bus).toEqual({ ref: 'destined', arn: 'arn:aws:events:us-east-1:000000000000:event-bus/destined', attributes: { Arn: bus.arn, Name: 'destined' } });
    const onCustom = identity('AWS::Events::Rule', 'R', { Name: 'r1', EventBusName: 'destined' });
    expect(onCustom.arn).toBe('arn:aws:events:us-east-1:000000000000:rule/destined/r1');
    expect(onCustom.ref).toBe('destined|r1');
    const byArn = identity('AWS::Events::Rule', 'R', { Name: 'r1', EventBusName: bus.arn });
    expect(byArn.arn).toBe('arn:aws:events:us-east-1:000000000000:rule/destined/r1');
    const onDefault = identity('AWS::Events::Rule', 'R', { Name: 'r2' });
    expect(onDefault).toMatchObject({ ref: 'r2', arn: 'arn:aws:events:us-east-1:000000000000:rule/r2' });
    expect(identity('AWS::Events::Archive', 'A', { ArchiveName: 'arch' })).toMatchObject({ ref: 'arch', arn: 'arn:aws:events:us-east-1:000000000000:archive/arch' });
  });

  it('gives REST APIs 10-char lowercase ids and a root resource id', () => {
    const api = identity('AWS::ApiGateway::RestApi', 'Api');
    expect(api.ref).toMatch(/^[a-z0-9]{10}$/);
    expect(api.attributes.RootResourceId).toMatch(/^[a-z0-9]{10}$/);
    expect(api.attributes.RootResourceId).not.toBe(api.ref);
    expect(identity('AWS::ApiGateway::Deployment', 'D').attributes.DeploymentId).toMatch(/^[a-z0-9]{6}$/);
  });

  it('gives IAM roles a RoleId and unknown types a stable opaque id', () => {
    expect(identity('AWS::IAM::Role', 'R').attributes.RoleId).toMatch(/^AROA[A-Z0-9]{17}$/);
    const unknown = identity('Custom::Whatever', 'Thing');
    expect(unknown.ref).toMatch(/^DestinedLambdaStack-Thing-[A-Z0-9]{12}$/);
    expect(unknown.attributes).toEqual({});
    expect(identity('Custom::Whatever', 'Thing').ref).toBe(unknown.ref);
  });

  it('qualifies versions and aliases of a function', () => {
    expect(identity('AWS::Lambda::Version', 'V', { FunctionName: 'f' })).toMatchObject({ ref: 'arn:aws:lambda:us-east-1:000000000000:function:f:1', attributes: { Version: '1' } });
    expect(identity('AWS::Lambda::Alias', 'A', { FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:f', Name: 'live' }).ref).toBe(
      'arn:aws:lambda:us-east-1:000000000000:function:f:live',
    );
  });
});

describe('short physical ids', () => {
  it('differ between resources whose names share a prefix', () => {
    for (const type of ['AWS::IAM::Policy', 'AWS::ApiGateway::Method', 'AWS::ApiGateway::Account']) {
      const a = identity(type, 'SendEventApiAccount54EF5461');
      const b = identity(type, 'SendEventApiSendEventGET8C80A1ED');
      expect(a.ref).toMatch(/^Desti-SendE-[A-Z0-9]{12}$/);
      expect(a.ref).not.toBe(b.ref);
    }
  });
});
