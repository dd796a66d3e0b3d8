/**
 * Every emulated AWS API answers the official SDK v3 clients on the one
 * shared port, routed by its wire protocol.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, DescribeLogGroupsCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient, ListRulesCommand, PutEventsCommand, TestEventPatternCommand } from '@aws-sdk/client-eventbridge';
import { GetFunctionEventInvokeConfigCommand, InvokeCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { ListTopicsCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startLocalForTests } from '../support/local-runtime.js';
import type { LocalRuntime } from '../../local/runtime.js';

let runtime: LocalRuntime;
let config: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };

beforeAll(async () => {
  runtime = await startLocalForTests();
  // Any region and credentials: the runtime serves the stack whatever the client says.
  config = { endpoint: runtime.endpoint, region: 'eu-west-3', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } };
});
afterAll(async () => {
  await runtime?.stop();
});

const output = (key: string) => runtime.stack.outputs.find((o) => o.OutputKey === key)!.OutputValue;

describe('AWS APIs on the runtime port', () => {
  it('Lambda: ListFunctions, GetFunctionEventInvokeConfig, Invoke errors', async () => {
    const lambda = new LambdaClient(config);
    const { Functions } = await lambda.send(new ListFunctionsCommand({}));
    expect(Functions?.map((f) => f.FunctionName)).toContain(output('DestinedFunctionName'));
    const invokeConfig = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: output('DestinedFunctionName') }));
    expect(invokeConfig.MaximumRetryAttempts).toBe(2);
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'no-such-function' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: output('DestinedFunctionName'), Payload: new TextEncoder().encode('{not json') })),
    ).rejects.toMatchObject({ name: 'InvalidRequestContentException', $metadata: { httpStatusCode: 400 } });
  });

  it('EventBridge: ListRules, TestEventPattern, PutEvents validation', async () => {
    const events = new EventBridgeClient(config);
    const { Rules } = await events.send(new ListRulesCommand({ EventBusName: output('EventBusName') }));
    expect(Rules).toHaveLength(2);
    const { Result } = await events.send(
      new TestEventPatternCommand({
        EventPattern: Rules!.find((r) => r.EventPattern?.includes('Failure'))!.EventPattern!,
        Event: JSON.stringify({ id: '1', account: '000000000000', source: 'lambda', time: '2026-01-01T00:00:00Z', region: 'us-east-1', resources: [], 'detail-type': 'Lambda Function Invocation Result - Failure', detail: { requestContext: { functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:other:$LATEST' } } }),
      }),
    );
    expect(Result).toBe(false);
    await expect(events.send(new TestEventPatternCommand({ EventPattern: '{"source":"lambda"}', Event: '{}' }))).rejects.toMatchObject({
      name: 'InvalidEventPatternException',
    });
    const put = await events.send(new PutEventsCommand({ Entries: [{ Source: 'test', DetailType: 'x', Detail: '[1]', EventBusName: output('EventBusName') }] }));
    expect(put.FailedEntryCount).toBe(1);
    expect(put.Entries?.[0]?.ErrorCode).toBe('MalformedDetail');
  });

  it('SNS: ListTopics and a Publish error on the Query protocol', async () => {
    const sns = new SNSClient(config);
    const { Topics } = await sns.send(new ListTopicsCommand({}));
    expect(Topics?.map((t) => t.TopicArn)).toContain(output('TopicArn'));
    await expect(sns.send(new PublishCommand({ TopicArn: `${output('TopicArn')}-missing`, Message: 'x' }))).rejects.toMatchObject({
      name: 'NotFoundException',
    });
  });

  it('SQS: ListQueues, GetQueueUrl and QueueDoesNotExist', async () => {
    const sqs = new SQSClient(config);
    const { QueueUrls } = await sqs.send(new ListQueuesCommand({}));
    expect(QueueUrls?.length).toBe(3);
    const name = QueueUrls![0]!.split('/').pop()!;
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    expect(QueueUrl).toBe(QueueUrls![0]);
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'no-such-queue' }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });

  it('CloudWatch Logs: DescribeLogGroups and ResourceNotFoundException', async () => {
    const logs = new CloudWatchLogsClient(config);
    const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/' }));
    expect(logGroups?.map((g) => g.logGroupName)).toContain(`/aws/lambda/${output('DestinedFunctionName')}`);
    await expect(logs.send(new FilterLogEventsCommand({ logGroupName: '/no/such/group' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('CloudFormation: ListStackResources and an unknown stack', async () => {
    const cfn = new CloudFormationClient(config);
    const { StackResourceSummaries } = await cfn.send(new ListStackResourcesCommand({ StackName: runtime.stack.stackName }));
    expect(StackResourceSummaries?.find((r) => r.ResourceType === 'AWS::Lambda::Function' && r.PhysicalResourceId === output('DestinedFunctionName'))).toBeDefined();
    await expect(cfn.send(new ListStackResourcesCommand({ StackName: 'NoSuchStack' }))).rejects.toMatchObject({ name: 'ValidationError' });
  });
});
