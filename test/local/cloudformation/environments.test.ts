/**
 * Stacks in several accounts and regions: each resource keeps its stack's
 * environment, and a request is served in the region it is signed for.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetQueueUrlCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsApiHandler } from '../../../local/aws-api.js';
import { createClock } from '../../../local/clock.js';
import type { Sinks } from '../../../local/contracts.js';
import { cloudFormationApi } from '../../../local/cloudformation/api.js';
import { environmentForRegion, envOf, servedEnvironments, servingRegion } from '../../../local/cloudformation/environments.js';
import { loadStack } from '../../../local/cloudformation/model.js';
import { eventBridgeApi } from '../../../local/eventbridge/api.js';
import { EventBridgeService } from '../../../local/eventbridge/service.js';
import { logsApi } from '../../../local/logs/api.js';
import { LogStore } from '../../../local/logs/store.js';
import { sqsApi } from '../../../local/sqs/api.js';
import { SqsService } from '../../../local/sqs/service.js';
import { repoRoot } from '../../support/local-runtime.js';
import { serve, type Served } from '../../support/serve.js';

const fixture = path.join(repoRoot, 'test', 'fixtures', 'multi-env', 'assembly');
const multiStack = path.join(repoRoot, 'test', 'fixtures', 'multi-stack', 'assembly');
const load = (dir = fixture) => loadStack(dir, { localEndpoint: 'http://127.0.0.1:1' });

/** A copy of the fixture with `edit` applied to its parsed files. */
function editedFixture(edit: (files: { manifest: any; west: any }) => void): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'multi-env-'));
  cpSync(fixture, dir, { recursive: true });
  const manifestPath = path.join(dir, 'manifest.json');
  const westPath = path.join(dir, 'EnvWest.template.json');
  const files = { manifest: JSON.parse(readFileSync(manifestPath, 'utf8')), west: JSON.parse(readFileSync(westPath, 'utf8')) };
  edit(files);
  writeFileSync(manifestPath, JSON.stringify(files.manifest));
  writeFileSync(westPath, JSON.stringify(files.west));
  return dir;
}

describe('the environments of a multi-stack assembly', () => {
  const stack = load();

  it('keeps each resource in its own stack account and region', () => {
    expect(envOf(stack, stack.resources.get('WestFunction')!)).toMatchObject({ account: '222222222222', region: 'us-west-2' });
    expect(envOf(stack, stack.resources.get('EastTopic')!)).toMatchObject({ account: '111111111111', region: 'us-east-1' });
    expect(stack.resources.get('WestRole')!.arn).toMatch(/^arn:aws:iam::222222222222:role\//);
    expect(servedEnvironments(stack).map((env) => `${env.account}/${env.region}`)).toEqual(['111111111111/us-east-1', '222222222222/us-west-2']);
  });

  it('serves a request in its signing region, an unsigned one in the first stack region', () => {
    expect(servingRegion(stack, 'us-west-2')).toBe('us-west-2');
    expect(servingRegion(stack, 'eu-central-1')).toBe('eu-central-1');
    expect(servingRegion(stack, undefined)).toBe('us-east-1');
    expect(environmentForRegion(stack, 'us-west-2')).toMatchObject({ account: '222222222222', region: 'us-west-2' });
    // A region with no stack is empty, in the default account.
    expect(environmentForRegion(stack, 'eu-central-1')).toMatchObject({ account: '111111111111', region: 'eu-central-1' });
  });

  it('serves a single-region app whatever region a client signs for', () => {
    const single = load(multiStack);
    expect(servingRegion(single, 'ap-southeast-2')).toBe('us-east-1');
    expect(servingRegion(single, undefined)).toBe('us-east-1');
  });

  it('puts an environment-agnostic stack in the default region, in the account of the stacks there', () => {
    expect(stack.stacks!.find((s) => s.stackName === 'EnvAnywhere')!.env).toMatchObject({ account: '111111111111', region: 'us-east-1' });
    const alone = editedFixture(({ manifest }) => {
      manifest.artifacts.EnvEast.environment = 'aws://111111111111/eu-west-1';
    });
    expect(loadStack(alone, { localEndpoint: 'http://127.0.0.1:1', stacks: ['EnvAnywhere'] }).env).toMatchObject({ account: '000000000000', region: 'us-east-1' });
  });

  it('refuses two accounts in one region, since a request names its region but no account', () => {
    const dir = editedFixture(({ manifest }) => {
      manifest.artifacts.EnvWest.environment = 'aws://222222222222/us-east-1';
    });
    expect(() => load(dir)).toThrow(
      /Stacks EnvEast \(account 111111111111\) and EnvWest \(account 222222222222\) are both in region us-east-1; the local runtime serves one account per region/,
    );
  });

  it('refuses one function name in two regions, which the services key by name', () => {
    const dir = editedFixture(({ west }) => {
      west.Resources.WestFunction.Properties.FunctionName = 'env-east-fn';
    });
    expect(() => load(dir)).toThrow(/WestFunction: .*AWS::Lambda::Function env-east-fn of EnvWest \(222222222222\/us-west-2\) has the name of EastFunction of EnvEast/);
  });
});

describe('references across regions', () => {
  const withRule = (targetArn: string) =>
    editedFixture(({ west }) => {
      west.Resources.WestRule = {
        Type: 'AWS::Events::Rule',
        Properties: { EventPattern: { source: ['app'] }, Targets: [{ Id: 'T', Arn: targetArn }] },
      };
    });
  const events = (dir: string) => EventBridgeService.fromStack(load(dir), { sinks: {} as Sinks, clock: createClock(1) });

  it('refuses a rule target other than an event bus in another region, as EventBridge does', () => {
    expect(() => events(withRule('arn:aws:lambda:us-east-1:111111111111:function:env-east-fn'))).toThrow(
      /WestRule: Properties\.Targets\.0\.Arn: .*env-east-fn is in us-east-1, the rule in us-west-2: EventBridge sends to another region only through an event bus target/,
    );
  });

  it('accepts an event bus of another region and account as a rule target', () => {
    const service = events(withRule('arn:aws:events:us-east-1:111111111111:event-bus/default'));
    expect(service.rules.find((r) => r.logicalId === 'WestRule')).toMatchObject({ busArn: 'arn:aws:events:us-west-2:222222222222:event-bus/default' });
  });
});

describe('AWS APIs of a two-region app, by signing region', () => {
  const stack = load();
  let server: Served;
  const traced: { resource: string; detail?: unknown }[] = [];
  const client = (region: string) => ({ endpoint: server.endpoint, region, credentials: { accessKeyId: 'k', secretAccessKey: 's' } });

  beforeAll(async () => {
    const logs = LogStore.fromStack(stack);
    logs.ensureLogGroup('/aws/lambda/env-west-fn');
    logs.ensureLogGroup('/aws/lambda/env-east-fn');
    const events = EventBridgeService.fromStack(stack, { sinks: {} as Sinks, clock: createClock(1), tracer: { record: (e) => traced.push(e) } });
    const apis = { json: [sqsApi(SqsService.fromStack(stack)), eventBridgeApi(events), logsApi(logs)], query: [cloudFormationApi(stack)] };
    server = await serve(awsApiHandler(apis, (signed) => servingRegion(stack, signed)));
  });

  afterAll(async () => {
    await server?.close();
  });

  it('lists and finds the queues of the region only, with their own account in the URL', async () => {
    const west = new SQSClient(client('us-west-2'));
    expect((await west.send(new ListQueuesCommand({}))).QueueUrls).toEqual(['https://sqs.us-west-2.amazonaws.com/222222222222/env-west-queue']);
    await expect(west.send(new GetQueueUrlCommand({ QueueName: 'env-east-queue' }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
    await expect(new SQSClient(client('eu-central-1')).send(new GetQueueUrlCommand({ QueueName: 'env-west-queue' }))).rejects.toMatchObject({
      name: 'QueueDoesNotExist',
    });
  });

  it('lists the stacks and log groups of the region, with ARNs in its account', async () => {
    const stacks = (await new CloudFormationClient(client('us-west-2')).send(new DescribeStacksCommand({}))).Stacks!;
    expect(stacks.map((s) => s.StackId)).toEqual([expect.stringMatching(/^arn:aws:cloudformation:us-west-2:222222222222:stack\/EnvWest\//)]);
    await expect(new CloudFormationClient(client('us-east-1')).send(new DescribeStacksCommand({ StackName: 'EnvWest' }))).rejects.toMatchObject({
      name: 'ValidationError',
    });
    const groups = (await new CloudWatchLogsClient(client('us-west-2')).send(new DescribeLogGroupsCommand({}))).logGroups!;
    expect(groups.map((g) => g.logGroupArn)).toEqual(['arn:aws:logs:us-west-2:222222222222:log-group:/aws/lambda/env-west-fn']);
  });

  it("puts events on the default bus of the signing region, stamped with that region's account", async () => {
    const west = new EventBridgeClient(client('us-west-2'));
    const put = await west.send(new PutEventsCommand({ Entries: [{ Source: 'app', DetailType: 't', Detail: '{}' }] }));
    expect(put.FailedEntryCount).toBe(0);
    const ingested = traced.find((e) => (e.detail as { event?: { id?: string } } | undefined)?.event?.id === put.Entries![0]!.EventId);
    expect((ingested?.detail as { event: unknown }).event).toMatchObject({ account: '222222222222', region: 'us-west-2' });
    const otherAccountBus = await west.send(
      new PutEventsCommand({ Entries: [{ Source: 'app', DetailType: 't', Detail: '{}', EventBusName: 'arn:aws:events:us-west-2:333333333333:event-bus/default' }] }),
    );
    expect(otherAccountBus.Entries?.[0]?.ErrorCode).toBe('ResourceNotFoundException');
  });
});
