import { describe, expect, it } from 'vitest';
import { buildArchitecture, nodeForResource } from '../../../local/dashboard/architecture.js';
import { fakeStack } from '../../support/fake-stack.js';

const arn = (service: string, resource: string) => `arn:aws:${service}:us-east-1:000000000000:${resource}`;
const fnArn = (name: string) => arn('lambda', `function:${name}`);
const queueArn = (name: string) => arn('sqs', name);
const path = (p: string) => ({ 'aws:cdk:path': `Stack/${p}` });

/** The destined-lambda chain, written as the resolved StackModel the runtime loads. */
const stack = fakeStack([
  { logicalId: 'Api', type: 'AWS::ApiGateway::RestApi', ref: 'api123', properties: { Name: 'send' }, metadata: path('SendEventApi/Api/Resource') },
  {
    logicalId: 'Method',
    type: 'AWS::ApiGateway::Method',
    properties: { RestApiId: 'api123', Integration: { RequestParameters: { 'integration.request.querystring.TopicArn': `'${arn('sns', 'topic')}'` } } },
    metadata: path('SendEventApi/Api/Default/SendEvent/GET/Resource'),
  },
  { logicalId: 'PublishRole', type: 'AWS::IAM::Role', ref: 'publish-role', metadata: path('SendEventApi/PublishRole/Resource') },
  { logicalId: 'Topic', type: 'AWS::SNS::Topic', ref: arn('sns', 'topic'), arn: arn('sns', 'topic'), metadata: path('Topic/Resource') },
  { logicalId: 'Fn', type: 'AWS::Lambda::Function', ref: 'destined', arn: fnArn('destined'), properties: { FunctionName: 'destined', Role: 'arn:aws:iam::000000000000:role/fn-role' }, metadata: path('Destined/Function/Resource') },
  { logicalId: 'FnRole', type: 'AWS::IAM::Role', ref: 'fn-role', attributes: { Arn: 'arn:aws:iam::000000000000:role/fn-role' }, metadata: path('Destined/Function/ServiceRole/Resource') },
  {
    logicalId: 'Sub',
    type: 'AWS::SNS::Subscription',
    properties: { TopicArn: arn('sns', 'topic'), Endpoint: fnArn('destined'), RedrivePolicy: { deadLetterTargetArn: queueArn('sub-dlq') } },
  },
  { logicalId: 'SubDlq', type: 'AWS::SQS::Queue', ref: 'http://q/sub-dlq', arn: queueArn('sub-dlq'), metadata: path('SubDlq/Resource') },
  {
    logicalId: 'Config',
    type: 'AWS::Lambda::EventInvokeConfig',
    properties: { FunctionName: 'destined', DestinationConfig: { OnSuccess: { Destination: arn('events', 'event-bus/bus') }, OnFailure: { Destination: arn('events', 'event-bus/bus') } } },
  },
  { logicalId: 'Bus', type: 'AWS::Events::EventBus', ref: 'bus', arn: arn('events', 'event-bus/bus'), properties: { Name: 'bus' } },
  {
    logicalId: 'Rule',
    type: 'AWS::Events::Rule',
    ref: 'bus|ok-rule',
    arn: arn('events', 'rule/bus/ok-rule'),
    properties: { Name: 'ok-rule', EventBusName: 'bus', Targets: [{ Arn: fnArn('logger'), DeadLetterConfig: { Arn: queueArn('rule-dlq') } }] },
  },
  { logicalId: 'Logger', type: 'AWS::Lambda::Function', ref: 'logger', arn: fnArn('logger'), properties: { FunctionName: 'logger' } },
  { logicalId: 'RuleDlq', type: 'AWS::SQS::Queue', ref: 'http://q/rule-dlq', arn: queueArn('rule-dlq') },
  { logicalId: 'Archive', type: 'AWS::Events::Archive', ref: 'archive', arn: arn('events', 'archive/archive'), properties: { ArchiveName: 'archive', SourceArn: arn('events', 'event-bus/bus') } },
  { logicalId: 'Lonely', type: 'AWS::IAM::Role', ref: 'lonely-role', metadata: path('Lonely/Resource') },
]);

describe('buildArchitecture', () => {
  const architecture = buildArchitecture(stack);
  const edges = architecture.edges.map((e) => `${e.from} -${e.kind}-> ${e.to}`);

  it('draws the chain from the API to the targets, with the dead-letter queues and the archive', () => {
    expect(edges).toEqual(
      expect.arrayContaining([
        'Api -integration-> Topic',
        'Topic -subscription-> Fn',
        'Topic -dead-letter-> SubDlq',
        'Fn -on-success-> Bus',
        'Fn -on-failure-> Bus',
        'Bus -rule-> Rule',
        'Rule -target-> Logger',
        'Rule -dead-letter-> RuleDlq',
        'Bus -archive-> Archive',
      ]),
    );
    expect(edges).toHaveLength(9);
  });

  it('makes a node of each resource an event passes through, naming it and marking the dead-letter queues', () => {
    const byId = new Map(architecture.nodes.map((n) => [n.id, n]));
    expect([...byId.keys()].sort()).toEqual(['Api', 'Archive', 'Bus', 'Fn', 'Logger', 'Rule', 'RuleDlq', 'SubDlq', 'Topic']);
    expect(byId.get('Fn')).toMatchObject({ type: 'AWS::Lambda::Function', label: 'Lambda function', name: 'destined' });
    expect(byId.get('RuleDlq')?.role).toBe('dlq');
    expect(byId.get('Topic')?.role).toBeUndefined();
  });

  it('accounts for every other resource under the node it belongs to', () => {
    const partsOf = (id: string) => architecture.nodes.find((n) => n.id === id)!.parts.map((p) => p.id);
    // By construct path: the method and, sharing the API's scope, its publish role.
    expect(partsOf('Api')).toEqual(['Method', 'PublishRole']);
    // By construct path (the role) and by reference (the subscription and the invoke config name the function).
    expect(partsOf('Fn')).toEqual(expect.arrayContaining(['FnRole', 'Config']));
    expect(partsOf('Topic')).toContain('Sub');
    expect(architecture.others).toEqual([{ id: 'Lonely', type: 'AWS::IAM::Role' }]);
    const all = [...architecture.nodes.flatMap((n) => [n.id, ...n.parts.map((p) => p.id)]), ...architecture.others.map((o) => o.id)];
    expect(all.sort()).toEqual([...stack.resources.keys()].sort());
  });

  it('puts a rule without a bus on the default bus', () => {
    const onDefault = buildArchitecture(fakeStack([{ logicalId: 'R', type: 'AWS::Events::Rule', properties: { Targets: [] } }]));
    expect(onDefault.nodes.map((n) => n.id)).toEqual(['R', 'default']);
    expect(onDefault.edges).toEqual([{ from: 'default', to: 'R', kind: 'rule' }]);
  });

  it('draws one default bus per region and account, each found by its own ARN', () => {
    const west = 'arn:aws:events:us-west-2:000000000000';
    const other = 'arn:aws:events:us-east-1:111111111111';
    const regions = buildArchitecture(
      fakeStack([
        { logicalId: 'Home', type: 'AWS::Events::Rule', arn: arn('events', 'rule/home'), properties: { Targets: [] } },
        { logicalId: 'West', type: 'AWS::Events::Rule', arn: `${west}:rule/west`, properties: { Targets: [] } },
        { logicalId: 'WestByArn', type: 'AWS::Events::Rule', properties: { EventBusName: `${west}:event-bus/default`, Targets: [] } },
        {
          logicalId: 'Config',
          type: 'AWS::Lambda::EventInvokeConfig',
          properties: { FunctionName: 'sender', DestinationConfig: { OnSuccess: { Destination: `${other}:event-bus/default` } } },
        },
        { logicalId: 'Fn', type: 'AWS::Lambda::Function', ref: 'sender', arn: fnArn('sender'), properties: { FunctionName: 'sender' } },
      ]),
    );
    const buses = regions.nodes.filter((n) => n.type === 'AWS::Events::EventBus');
    expect(buses.map((n) => [n.id, n.name])).toEqual([
      ['default', 'default'],
      ['default-000000000000-us-west-2', 'default (us-west-2)'],
      ['default-111111111111-us-east-1', 'default (111111111111)'],
    ]);
    expect(regions.edges).toEqual(
      expect.arrayContaining([
        { from: 'default', to: 'Home', kind: 'rule' },
        { from: 'default-000000000000-us-west-2', to: 'West', kind: 'rule' },
        { from: 'default-000000000000-us-west-2', to: 'WestByArn', kind: 'rule' },
        { from: 'Fn', to: 'default-111111111111-us-east-1', kind: 'on-success' },
      ]),
    );
    expect(nodeForResource(regions, `${west}:event-bus/default`)?.id).toBe('default-000000000000-us-west-2');
    expect(nodeForResource(regions, arn('events', 'event-bus/default'))?.id).toBe('default');
    expect(nodeForResource(regions, 'default')?.id).toBe('default');
  });

  it('finds the node a trace names by function name, qualified ARN, queue ARN or api/stage', () => {
    expect(nodeForResource(architecture, 'destined')?.id).toBe('Fn');
    expect(nodeForResource(architecture, `${fnArn('logger')}:$LATEST`)?.id).toBe('Logger');
    expect(nodeForResource(architecture, queueArn('rule-dlq'))?.id).toBe('RuleDlq');
    expect(nodeForResource(architecture, 'send/prod')?.id).toBe('Api');
    expect(nodeForResource(architecture, 'nothing')).toBeUndefined();
  });
});
