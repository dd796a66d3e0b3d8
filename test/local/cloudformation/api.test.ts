import {
  CloudFormationClient,
  DescribeStackResourceCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudFormationApi } from '../../../local/cloudformation/api.js';
import type { Template } from '../../../local/cloudformation/intrinsics.js';
import { buildStackModel } from '../../../local/cloudformation/model.js';
import { CloudFormationService } from '../../../local/cloudformation/service.js';
import { handleQuery } from '../../../local/protocol/query.js';
import { serveApis, TEST_CLIENT, type Served } from '../../support/serve.js';

const template: Template = {
  Description: 'A test stack',
  Parameters: { Stage: { Type: 'String', Default: 'prod' } },
  Resources: {
    Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'api' } },
    Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
  },
  Outputs: {
    SendEventUrl: {
      Description: 'GET me',
      Value: { 'Fn::Join': ['', ['https://', { Ref: 'Api' }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/', { Ref: 'Stage' }, '/SendEvent']] },
    },
    TopicArn: { Value: { Ref: 'Topic' }, Export: { Name: { 'Fn::Sub': '${AWS::StackName}-TopicArn' } } },
  },
};

describe('CloudFormation Query API through the AWS SDK', () => {
  let server: Served;
  let client: CloudFormationClient;
  let endpoint: string;
  const stack = buildStackModel(
    { assemblyDir: '/x', artifactId: 'ApiStack', stackName: 'ApiStack', templateFile: '/x/t.json', template },
    { localEndpoint: 'http://127.0.0.1:3000' },
  );
  const service = CloudFormationService.fromStack(stack, { now: () => Date.parse('2026-01-02T03:04:05.678Z') });
  const api = cloudFormationApi(service);

  beforeAll(async () => {
    server = await serveApis({ query: [api] });
    endpoint = server.endpoint;
    client = new CloudFormationClient({ endpoint, ...TEST_CLIENT });
  });

  afterAll(async () => {
    client?.destroy();
    await server?.close();
  });

  it('DescribeStacks returns the stack with resolved, rewritten outputs', async () => {
    const { Stacks } = await client.send(new DescribeStacksCommand({}));
    expect(Stacks).toHaveLength(1);
    const [s] = Stacks!;
    expect(s).toMatchObject({
      StackName: 'ApiStack',
      StackId: stack.stackId,
      Description: 'A test stack',
      StackStatus: 'CREATE_COMPLETE',
      CreationTime: new Date('2026-01-02T03:04:05.000Z'),
      Parameters: [{ ParameterKey: 'Stage', ParameterValue: 'prod' }],
      Tags: [],
    });
    expect(s!.Outputs).toEqual([
      { OutputKey: 'SendEventUrl', OutputValue: 'http://127.0.0.1:3000/prod/SendEvent', Description: 'GET me' },
      { OutputKey: 'TopicArn', OutputValue: stack.resources.get('Topic')!.ref, ExportName: 'ApiStack-TopicArn' },
    ]);
  });

  it('DescribeStacks finds the stack by name and by stack id', async () => {
    expect((await client.send(new DescribeStacksCommand({ StackName: 'ApiStack' }))).Stacks![0]!.StackName).toBe('ApiStack');
    expect((await client.send(new DescribeStacksCommand({ StackName: stack.stackId }))).Stacks![0]!.StackName).toBe('ApiStack');
  });

  it('DescribeStacks of an unknown stack fails with ValidationError 400', async () => {
    const error = await client.send(new DescribeStacksCommand({ StackName: 'Nope' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ValidationError', message: 'Stack with id Nope does not exist', $metadata: { httpStatusCode: 400 } });
  });

  it('ListStackResources lists every resource with its physical id', async () => {
    const { StackResourceSummaries } = await client.send(new ListStackResourcesCommand({ StackName: 'ApiStack' }));
    expect(StackResourceSummaries).toEqual([
      expect.objectContaining({ LogicalResourceId: 'Api', PhysicalResourceId: stack.resources.get('Api')!.ref, ResourceType: 'AWS::ApiGateway::RestApi', ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: new Date('2026-01-02T03:04:05.000Z') }),
      expect.objectContaining({ LogicalResourceId: 'Topic', PhysicalResourceId: stack.resources.get('Topic')!.ref, ResourceType: 'AWS::SNS::Topic' }),
    ]);
    const error = await client.send(new ListStackResourcesCommand({ StackName: 'Other' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ValidationError', message: 'Stack with id Other does not exist' });
  });

  it('DescribeStackResource describes one resource and rejects an unknown one', async () => {
    const { StackResourceDetail } = await client.send(new DescribeStackResourceCommand({ StackName: 'ApiStack', LogicalResourceId: 'Topic' }));
    expect(StackResourceDetail).toMatchObject({ StackName: 'ApiStack', LogicalResourceId: 'Topic', PhysicalResourceId: stack.resources.get('Topic')!.ref });
    const error = await client.send(new DescribeStackResourceCommand({ StackName: 'ApiStack', LogicalResourceId: 'Nope' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ValidationError', message: 'Resource Nope does not exist for stack ApiStack' });
  });

  it('answers JSON when asked with Accept: application/json', async () => {
    const response = await handleQuery(new Map([['Action', 'DescribeStacks']]), api, 'application/json');
    const body = JSON.parse(String(response.body));
    expect(body.DescribeStacksResponse.DescribeStacksResult.Stacks[0].StackName).toBe('ApiStack');
  });
});

describe('cloudFormationApi given a bare stack model', () => {
  it('serves DescribeStacks for it', async () => {
    const stack = buildStackModel(
      { assemblyDir: '/x', artifactId: 'Bare', stackName: 'Bare', templateFile: '/x/t.json', template: { Resources: {} } },
      { localEndpoint: 'http://127.0.0.1:3000' },
    );
    const response = await handleQuery(new Map([['Action', 'DescribeStacks'], ['StackName', 'Bare']]), cloudFormationApi(stack));
    expect(response.statusCode).toBe(200);
    expect(String(response.body)).toContain('<StackName>Bare</StackName>');
    expect(String(response.body)).toContain('<StackStatus>CREATE_COMPLETE</StackStatus>');
  });
});
