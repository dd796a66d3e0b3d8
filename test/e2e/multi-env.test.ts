/**
 * `npm start -- --app DIR` on an app whose stacks live in two accounts and
 * regions (and one environment-agnostic stack): each stack is served under
 * its own account and region, an SDK client sees the resources of the region
 * it is configured for, and a cross-region, cross-account SNS subscription
 * delivers as on AWS while what AWS refuses across regions is refused.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient, ListEventBusesCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { ListTopicsCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueUrlCommand, ListQueuesCommand, SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchCli, type LaunchedCli } from '../support/cli-process.js';
import { waitForValue } from '../support/wait-for.js';

const EAST_TOPIC = 'arn:aws:sns:us-east-1:111111111111:env-east-topic';
const EAST_FUNCTION = 'arn:aws:lambda:us-east-1:111111111111:function:env-east-fn';
const WEST_FUNCTION = 'arn:aws:lambda:us-west-2:222222222222:function:env-west-fn';

let proc: LaunchedCli;
const output = () => proc.out();

const client = (region: string) => ({ endpoint: proc.endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
const text = (payload: Uint8Array | undefined) => JSON.parse(Buffer.from(payload ?? []).toString('utf8')) as Record<string, unknown>;

beforeAll(async () => {
  proc = await launchCli(['--app', 'test/fixtures/multi-env/assembly', '--port', '0', '--in-memory']);
}, 120_000);

afterAll(async () => {
  proc.child.kill('SIGINT');
  expect(await proc.exited).toBe(0);
});

describe('npm start -- --app with stacks in two accounts and regions', () => {
  it("resolves each stack's ARNs, URLs and pseudo parameters in its own account and region", () => {
    expect(output()).toContain('EnvEast.Where = 111111111111/us-east-1');
    expect(output()).toContain('EnvWest.Where = 222222222222/us-west-2');
    expect(output()).toContain('EnvWest.QueueUrl = https://sqs.us-west-2.amazonaws.com/222222222222/env-west-queue');
    // The environment-agnostic stack goes to the default region, in the account served there.
    expect(output()).toContain('EnvAnywhere.QueueArn = arn:aws:sqs:us-east-1:111111111111:env-anywhere-queue');
    expect(output()).toMatch(/a client sees the stacks of its region: us-east-1 = account 111111111111, us-west-2 = account 222222222222/);
  });

  it('lets a client see only the stacks and resources of the region it is configured for', async () => {
    const stacksIn = async (region: string) =>
      (await new CloudFormationClient(client(region)).send(new DescribeStacksCommand({}))).Stacks?.map((s) => s.StackName);
    expect(await stacksIn('us-east-1')).toEqual(['EnvEast', 'EnvAnywhere']);
    expect(await stacksIn('us-west-2')).toEqual(['EnvWest']);
    expect(await stacksIn('eu-central-1')).toEqual([]);

    const east = new SQSClient(client('us-east-1'));
    const west = new SQSClient(client('us-west-2'));
    expect((await east.send(new ListQueuesCommand({}))).QueueUrls).toEqual([
      'https://sqs.us-east-1.amazonaws.com/111111111111/env-anywhere-queue',
      'https://sqs.us-east-1.amazonaws.com/111111111111/env-east-queue',
    ]);
    expect((await west.send(new ListQueuesCommand({}))).QueueUrls).toEqual(['https://sqs.us-west-2.amazonaws.com/222222222222/env-west-queue']);
    expect((await west.send(new GetQueueUrlCommand({ QueueName: 'env-west-queue' }))).QueueUrl).toBe(
      'https://sqs.us-west-2.amazonaws.com/222222222222/env-west-queue',
    );
    await expect(east.send(new GetQueueUrlCommand({ QueueName: 'env-west-queue' }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
    await expect(
      east.send(new SendMessageCommand({ QueueUrl: 'https://sqs.us-west-2.amazonaws.com/222222222222/env-west-queue', MessageBody: 'x' })),
    ).rejects.toMatchObject({ name: 'QueueDoesNotExist' });

    const functionsIn = async (region: string) =>
      (await new LambdaClient(client(region)).send(new ListFunctionsCommand({}))).Functions?.map((f) => f.FunctionArn);
    expect(await functionsIn('us-east-1')).toEqual([EAST_FUNCTION]);
    expect(await functionsIn('us-west-2')).toEqual([WEST_FUNCTION]);

    const topicsIn = async (region: string) => (await new SNSClient(client(region)).send(new ListTopicsCommand({}))).Topics?.map((t) => t.TopicArn);
    expect(await topicsIn('us-east-1')).toEqual([EAST_TOPIC]);
    expect(await topicsIn('us-west-2') ?? []).toEqual([]);

    const busesIn = async (region: string) => (await new EventBridgeClient(client(region)).send(new ListEventBusesCommand({}))).EventBuses?.map((b) => b.Arn);
    expect(await busesIn('us-east-1')).toEqual(['arn:aws:events:us-east-1:111111111111:event-bus/default']);
    expect(await busesIn('us-west-2')).toEqual(['arn:aws:events:us-west-2:222222222222:event-bus/default']);
  });

  it("runs each function as its own account and region's, and refuses a function of another region as Lambda does", async () => {
    const west = new LambdaClient(client('us-west-2'));
    const byName = await west.send(new InvokeCommand({ FunctionName: 'env-west-fn', Payload: Buffer.from('{}') }));
    expect(text(byName.Payload)).toEqual({ invokedFunctionArn: WEST_FUNCTION, region: 'us-west-2', defaultRegion: 'us-west-2' });

    const east = new LambdaClient(client('us-east-1'));
    expect(text((await east.send(new InvokeCommand({ FunctionName: 'env-east-fn', Payload: Buffer.from('{}') }))).Payload)).toMatchObject({
      invokedFunctionArn: EAST_FUNCTION,
      region: 'us-east-1',
    });
    await expect(east.send(new InvokeCommand({ FunctionName: 'env-west-fn' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(east.send(new InvokeCommand({ FunctionName: WEST_FUNCTION }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Functions from 'us-west-2' are not reachable in this region ('us-east-1')",
    });
  });

  it('delivers a us-east-1 topic to its subscriber in us-west-2 and another account, whose logs are in us-west-2', async () => {
    await expect(new SNSClient(client('us-west-2')).send(new PublishCommand({ TopicArn: EAST_TOPIC, Message: 'wrong region' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    const { MessageId } = await new SNSClient(client('us-east-1')).send(new PublishCommand({ TopicArn: EAST_TOPIC, Message: 'across regions' }));
    expect(MessageId).toBeDefined();

    const westLogs = new CloudWatchLogsClient(client('us-west-2'));
    const line = await waitForValue(
      async () => {
        const found = await westLogs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/env-west-fn', filterPattern: '"from topic"' }));
        return found.events?.[0]?.message;
      },
      'the us-west-2 subscriber logging the us-east-1 notification',
      30_000,
      { intervalMs: 100, context: output },
    );
    expect(line).toContain(`from topic ${EAST_TOPIC} via ${EAST_TOPIC}:`);
    // SNS links its notifications to the topic's own region.
    expect(line).toContain('unsubscribe https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe');
    await expect(
      new CloudWatchLogsClient(client('us-east-1')).send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/env-west-fn' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
