/**
 * Rules made through the API: PutRule, PutTargets, RemoveTargets and
 * DeleteRule through the AWS SDK, the "spy on the bus" flow integration
 * tests use (an SQS queue as a rule's target), and their durability.
 */
import {
  DeleteRuleCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClock } from '../../../local/clock.js';
import { eventBridgeApi } from '../../../local/eventbridge/api.js';
import { EventBridgeService } from '../../../local/eventbridge/service.js';
import type { LocalRuntime } from '../../../local/runtime.js';
import { sqsApi } from '../../../local/sqs/api.js';
import { SqsService } from '../../../local/sqs/service.js';
import { MemoryStateStore } from '../../../local/state/memory.js';
import { durableApps } from '../../support/durable-runtimes.js';
import { serveApis, TEST_CLIENT, type Served } from '../../support/serve.js';
import { ACCOUNT, arn, customBus, entry, fakeSinks, FN_ARN, makeStack, REGION, rule } from './helpers.js';

/** A queue policy that lets EventBridge send to the queue, as a spy queue needs. */
const eventsMaySend = (queueArn: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queueArn }],
  });

const resources = [customBus, rule('Declared', { source: ['app'] }, [{ Id: 'fn', Arn: FN_ARN }], { Name: 'declared' })];

/** An EventBridge service whose SQS targets are a real SQS service, both served to SDK clients. */
function servedPair(state?: MemoryStateStore) {
  const sqs = new SqsService({ account: ACCOUNT, region: REGION });
  const { sinks } = fakeSinks();
  const events = EventBridgeService.fromStack(makeStack(resources), {
    sinks: { ...sinks, sqs },
    clock: createClock(0.00001),
    ...(state ? { state } : {}),
  });
  return { sqs, events };
}

describe('rules made through the API, through the AWS SDK', () => {
  const { sqs, events } = servedPair();
  let server: Served;
  let eb: EventBridgeClient;
  let sq: SQSClient;

  beforeAll(async () => {
    server = await serveApis({ json: [eventBridgeApi(events), sqsApi(sqs)] });
    eb = new EventBridgeClient({ endpoint: server.endpoint, ...TEST_CLIENT, maxAttempts: 1 });
    sq = new SQSClient({ endpoint: server.endpoint, ...TEST_CLIENT, maxAttempts: 1 });
  });
  afterAll(async () => {
    eb.destroy();
    sq.destroy();
    await events.dispose();
    await server.close();
  });

  const spyQueue = async (name: string, policy = true) => {
    const queueArn = arn('sqs', name);
    const { QueueUrl } = await sq.send(new CreateQueueCommand({ QueueName: name, ...(policy ? { Attributes: { Policy: eventsMaySend(queueArn) } } : {}) }));
    return { url: QueueUrl!, arn: queueArn };
  };
  const received = async (QueueUrl: string) =>
    ((await sq.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }))).Messages ?? []).map((m) => JSON.parse(m.Body!));

  it('a rule PutRule made sends the events it matches to a queue PutTargets gave it', async () => {
    const queue = await spyQueue('spy-flow');
    const made = await eb.send(new PutRuleCommand({ Name: 'spy', EventBusName: 'custom', EventPattern: JSON.stringify({ detail: { n: [1] } }) }));
    expect(made.RuleArn).toBe(arn('events', 'rule/custom/spy'));
    const put = await eb.send(new PutTargetsCommand({ Rule: 'spy', EventBusName: 'custom', Targets: [{ Id: 'q', Arn: queue.arn }] }));
    expect(put).toMatchObject({ FailedEntryCount: 0, FailedEntries: [] });

    await eb.send(new PutEventsCommand({ Entries: [entry({ n: 1 }), entry({ n: 2 })] }));
    await events.idle();
    const bodies = await received(queue.url);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatchObject({ source: 'app', 'detail-type': 'thing', detail: { n: 1 }, account: ACCOUNT, region: REGION });
  });

  it('a rule on the default bus has the ARN rule/<name>, and matches events of the default bus', async () => {
    const queue = await spyQueue('spy-default');
    const made = await eb.send(new PutRuleCommand({ Name: 'on-default', EventPattern: '{"source":["app"]}' }));
    expect(made.RuleArn).toBe(arn('events', 'rule/on-default'));
    await eb.send(new PutTargetsCommand({ Rule: 'on-default', Targets: [{ Id: 'q', Arn: queue.arn, InputPath: '$.detail' }] }));
    await eb.send(new PutEventsCommand({ Entries: [entry({ on: 'default' }, { EventBusName: undefined }), entry({ on: 'custom' })] }));
    await events.idle();
    expect(await received(queue.url)).toEqual([{ on: 'default' }]);
  });

  it('a queue whose policy does not let EventBridge send gets nothing, as with template rules', async () => {
    const queue = await spyQueue('spy-no-policy', false);
    await eb.send(new PutRuleCommand({ Name: 'unpermitted', EventBusName: 'custom', EventPattern: '{"source":["app"]}' }));
    await eb.send(new PutTargetsCommand({ Rule: 'unpermitted', EventBusName: 'custom', Targets: [{ Id: 'q', Arn: queue.arn }] }));
    await eb.send(new PutEventsCommand({ Entries: [entry()] }));
    await events.idle();
    expect(await received(queue.url)).toEqual([]);
  });

  it('shows in ListRules, DescribeRule and ListTargetsByRule, without ManagedBy', async () => {
    await eb.send(new PutRuleCommand({ Name: 'listed', EventBusName: 'custom', EventPattern: '{"source":["x"]}', State: 'DISABLED', Description: 'spy' }));
    await eb.send(new PutTargetsCommand({ Rule: 'listed', EventBusName: 'custom', Targets: [{ Id: 't1', Arn: FN_ARN, Input: '{"k":1}' }] }));
    const listed = await eb.send(new ListRulesCommand({ EventBusName: 'custom', NamePrefix: 'listed' }));
    expect(listed.Rules).toEqual([
      { Name: 'listed', Arn: arn('events', 'rule/custom/listed'), EventPattern: '{"source":["x"]}', State: 'DISABLED', Description: 'spy', EventBusName: 'custom' },
    ]);
    const described = await eb.send(new DescribeRuleCommand({ Name: 'listed', EventBusName: 'custom' }));
    expect(described).toMatchObject({ Name: 'listed', State: 'DISABLED', CreatedBy: ACCOUNT });
    expect(described.ManagedBy).toBeUndefined();
    const targets = await eb.send(new ListTargetsByRuleCommand({ Rule: 'listed', EventBusName: 'custom' }));
    expect(targets.Targets).toEqual([{ Id: 't1', Arn: FN_ARN, Input: '{"k":1}' }]);
  });

  it('PutRule again changes the pattern and state and keeps the targets', async () => {
    const queue = await spyQueue('spy-updated');
    await eb.send(new PutRuleCommand({ Name: 'updated', EventBusName: 'custom', EventPattern: '{"detail":{"v":["old"]}}' }));
    await eb.send(new PutTargetsCommand({ Rule: 'updated', EventBusName: 'custom', Targets: [{ Id: 'q', Arn: queue.arn }] }));
    await eb.send(new PutRuleCommand({ Name: 'updated', EventBusName: 'custom', EventPattern: '{"detail":{"v":["new"]}}' }));
    await eb.send(new PutEventsCommand({ Entries: [entry({ v: 'old' }), entry({ v: 'new' })] }));
    await events.idle();
    expect((await received(queue.url)).map((e) => e.detail.v)).toEqual(['new']);
    expect((await eb.send(new ListTargetsByRuleCommand({ Rule: 'updated', EventBusName: 'custom' }))).Targets?.map((t) => t.Id)).toEqual(['q']);

    await eb.send(new PutRuleCommand({ Name: 'updated', EventBusName: 'custom', EventPattern: '{"detail":{"v":["new"]}}', State: 'DISABLED' }));
    await eb.send(new PutEventsCommand({ Entries: [entry({ v: 'new' })] }));
    await events.idle();
    expect(await received(queue.url)).toEqual([]);
  });

  it('PutRule refuses bad names, states, patterns and schedules, and an unknown bus', async () => {
    const put = (input: Record<string, unknown>) => eb.send(new PutRuleCommand({ Name: 'r', EventPattern: '{"source":["a"]}', ...input } as never));
    await expect(put({ Name: 'has space' })).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern"),
    });
    await expect(put({ Name: 'x'.repeat(65) })).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('length less than or equal to 64') });
    await expect(put({ State: 'ON' })).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('enum value set') });
    // The same message TestEventPattern answers for the same pattern.
    await expect(put({ EventPattern: '{"source":"a"}' })).rejects.toMatchObject({
      name: 'InvalidEventPatternException',
      message: expect.stringContaining('"source" must be an object or an array'),
    });
    await expect(put({ EventPattern: undefined })).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Parameter(s) EventPattern or ScheduleExpression must be specified.',
    });
    await expect(put({ EventBusName: 'custom', EventPattern: undefined, ScheduleExpression: 'rate(5 minutes)' })).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'ScheduleExpression is supported only on the default event bus.',
    });
    await expect(put({ EventPattern: undefined, ScheduleExpression: 'cron(0 12 * * ? *)' })).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('cron() schedules are not run locally'),
    });
    await expect(put({ EventBusName: 'nope' })).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'Event bus nope does not exist.' });
    expect((await eb.send(new ListRulesCommand({ NamePrefix: 'r' }))).Rules).toEqual([]);
  });

  it('a rate() schedule is accepted on the default bus', async () => {
    const made = await eb.send(new PutRuleCommand({ Name: 'every-five', ScheduleExpression: 'rate(5 minutes)' }));
    expect(made.RuleArn).toBe(arn('events', 'rule/every-five'));
    expect(await eb.send(new DescribeRuleCommand({ Name: 'every-five' }))).toMatchObject({ ScheduleExpression: 'rate(5 minutes)', State: 'ENABLED' });
    await eb.send(new DeleteRuleCommand({ Name: 'every-five' }));
  });

  it('PutTargets: targets the local EventBridge cannot honour are FailedEntries, the others are added', async () => {
    await eb.send(new PutRuleCommand({ Name: 'partial', EventBusName: 'custom', EventPattern: '{"source":["a"]}' }));
    const out = await eb.send(
      new PutTargetsCommand({
        Rule: 'partial',
        EventBusName: 'custom',
        Targets: [
          { Id: 'ok', Arn: FN_ARN },
          { Id: 'ecs', Arn: arn('ecs', 'cluster/c') },
          { Id: 'two-inputs', Arn: FN_ARN, Input: '{}', InputPath: '$.detail' },
          { Id: 'retry', Arn: FN_ARN, RetryPolicy: { MaximumEventAgeInSeconds: 10 } },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(3);
    expect(out.FailedEntries).toEqual([
      { TargetId: 'ecs', ErrorCode: 'ValidationException', ErrorMessage: expect.stringContaining('targets of service ecs are not emulated') },
      { TargetId: 'two-inputs', ErrorCode: 'ValidationException', ErrorMessage: expect.stringContaining('only one of Input, InputPath and InputTransformer') },
      { TargetId: 'retry', ErrorCode: 'ValidationException', ErrorMessage: expect.stringContaining('RetryPolicy.MaximumEventAgeInSeconds') },
    ]);
    expect((await eb.send(new ListTargetsByRuleCommand({ Rule: 'partial', EventBusName: 'custom' }))).Targets?.map((t) => t.Id)).toEqual(['ok']);
  });

  it('PutTargets: 1 to 10 a call, 5 a rule; the same Id replaces its target', async () => {
    await eb.send(new PutRuleCommand({ Name: 'limits', EventBusName: 'custom', EventPattern: '{"source":["a"]}' }));
    const put = (ids: string[], extra: Record<string, unknown> = {}) =>
      eb.send(new PutTargetsCommand({ Rule: 'limits', EventBusName: 'custom', Targets: ids.map((Id) => ({ Id, Arn: FN_ARN, ...extra })) }));
    await expect(put([])).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('greater than or equal to 1') });
    await expect(put(Array.from({ length: 11 }, (_, i) => `t${i}`))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('less than or equal to 10'),
    });
    await expect(put(['bad id'])).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining("'targets.1.member.id'") });
    await put(['a', 'b', 'c', 'd', 'e']);
    await put(['e'], { Input: '"again"' });
    await expect(put(['f'])).rejects.toMatchObject({ name: 'LimitExceededException' });
    const targets = (await eb.send(new ListTargetsByRuleCommand({ Rule: 'limits', EventBusName: 'custom' }))).Targets!;
    expect(targets.map((t) => t.Id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(targets[4]).toMatchObject({ Input: '"again"' });
    await expect(eb.send(new PutTargetsCommand({ Rule: 'missing', EventBusName: 'custom', Targets: [{ Id: 'a', Arn: FN_ARN }] }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Rule missing does not exist on EventBus custom.',
    });
  });

  it('RemoveTargets removes the Ids given, an Id the rule lacks is no failure; DeleteRule waits for no targets', async () => {
    const queue = await spyQueue('spy-removed');
    await eb.send(new PutRuleCommand({ Name: 'removed', EventBusName: 'custom', EventPattern: '{"source":["app"]}' }));
    await eb.send(new PutTargetsCommand({ Rule: 'removed', EventBusName: 'custom', Targets: [{ Id: 'q', Arn: queue.arn }, { Id: 'fn', Arn: FN_ARN }] }));
    await expect(eb.send(new DeleteRuleCommand({ Name: 'removed', EventBusName: 'custom' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: "Rule can't be deleted since it has targets.",
    });
    const out = await eb.send(new RemoveTargetsCommand({ Rule: 'removed', EventBusName: 'custom', Ids: ['q', 'never-there'] }));
    expect(out).toMatchObject({ FailedEntryCount: 0, FailedEntries: [] });
    await eb.send(new PutEventsCommand({ Entries: [entry()] }));
    await events.idle();
    expect(await received(queue.url)).toEqual([]);

    await eb.send(new RemoveTargetsCommand({ Rule: 'removed', EventBusName: 'custom', Ids: ['fn'] }));
    await eb.send(new DeleteRuleCommand({ Name: 'removed', EventBusName: 'custom' }));
    await expect(eb.send(new DescribeRuleCommand({ Name: 'removed', EventBusName: 'custom' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    // Deleting a rule that is not there is no error, as on AWS.
    await eb.send(new DeleteRuleCommand({ Name: 'removed', EventBusName: 'custom' }));
    await expect(eb.send(new RemoveTargetsCommand({ Rule: 'removed', EventBusName: 'custom', Ids: ['q'] }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('a rule the template declares is refused by all four operations, naming it and saying to change the app', async () => {
    const refused = { name: 'ManagedRuleException', message: expect.stringMatching(/rule declared: the stack declares it \(AWS::Events::Rule Declared\)\. Change it in the app instead/) };
    await expect(eb.send(new PutRuleCommand({ Name: 'declared', EventBusName: 'custom', EventPattern: '{"source":["b"]}' }))).rejects.toMatchObject(refused);
    await expect(eb.send(new PutTargetsCommand({ Rule: 'declared', EventBusName: 'custom', Targets: [{ Id: 'x', Arn: FN_ARN }] }))).rejects.toMatchObject(refused);
    await expect(eb.send(new RemoveTargetsCommand({ Rule: 'declared', EventBusName: 'custom', Ids: ['fn'] }))).rejects.toMatchObject(refused);
    await expect(eb.send(new DeleteRuleCommand({ Name: 'declared', EventBusName: 'custom' }))).rejects.toMatchObject(refused);
    const described = await eb.send(new DescribeRuleCommand({ Name: 'declared', EventBusName: 'custom' }));
    expect(JSON.parse(described.EventPattern!)).toEqual({ source: ['app'] });
    expect((await eb.send(new ListTargetsByRuleCommand({ Rule: 'declared', EventBusName: 'custom' }))).Targets?.map((t) => t.Id)).toEqual(['fn']);
  });
});

describe('rules made through the API, across restarts', () => {
  it('come back on the state store, with their targets, before any event is put; deleted ones do not', async () => {
    const state = new MemoryStateStore();
    const first = servedPair(state);
    const queue = first.sqs.createQueueFromApi('kept-spy', { Policy: eventsMaySend(arn('sqs', 'kept-spy')) });
    first.events.putRule({ Name: 'kept', EventBusName: 'custom', EventPattern: '{"source":["app"]}', Description: 'kept' });
    first.events.putTargets({ Rule: 'kept', EventBusName: 'custom', Targets: [{ Id: 'q', Arn: queue.arn, InputPath: '$.detail' }] });
    first.events.putRule({ Name: 'gone', EventBusName: 'custom', EventPattern: '{"source":["app"]}' });
    first.events.deleteRule({ Name: 'gone', EventBusName: 'custom' });
    const before = first.events.describeRule({ Name: 'kept', EventBusName: 'custom' });
    await first.events.dispose();

    const second = servedPair(state);
    second.sqs.createQueueFromApi('kept-spy', { Policy: eventsMaySend(arn('sqs', 'kept-spy')) });
    const after = second.events.describeRule({ Name: 'kept', EventBusName: 'custom' });
    expect({ ...after, pattern: after.pattern?.source }).toMatchObject({ name: 'kept', arn: before.arn, description: 'kept', state: 'ENABLED', pattern: '{"source":["app"]}' });
    expect(second.events.listTargetsByRule({ Rule: 'kept', EventBusName: 'custom' }).map((t) => t.raw)).toEqual([{ Id: 'q', Arn: queue.arn, InputPath: '$.detail' }]);
    expect(second.events.listRules({ EventBusName: 'custom' }).map((r) => r.name)).toEqual(['declared', 'kept']);
    expect(second.events.stateOwners()).toEqual([
      { logicalId: 'PutRule', type: 'AWS::Events::Rule (PutRule)' },
      { logicalId: before.arn, type: 'AWS::Events::Rule (PutRule)' },
    ]);

    await second.events.putEvents([entry({ after: 'restart' })]);
    await second.events.idle();
    const messages = await second.sqs.receive(second.sqs.findQueue('kept-spy')!.url, { MaxNumberOfMessages: 10, WaitTimeSeconds: 0 });
    expect(messages.map((m) => JSON.parse(m.Body))).toEqual([{ after: 'restart' }]);
    await second.events.dispose();
  });

  const app = durableApps();

  it('the spy flow on the app: a rule on its bus sends to a queue, and is still there after the runtime restarts', async () => {
    const durable = app('tdl-eb-put-rule-');
    const start = async () => {
      const runtime = await durable.start();
      const clients = {
        eb: new EventBridgeClient({ endpoint: runtime.endpoint, ...TEST_CLIENT, maxAttempts: 1 }),
        sq: new SQSClient({ endpoint: runtime.endpoint, ...TEST_CLIENT, maxAttempts: 1 }),
      };
      return { runtime, ...clients };
    };
    const spy = async (c: { runtime: LocalRuntime; eb: EventBridgeClient; sq: SQSClient }, QueueUrl: string, Detail: string, EventBusName: string) => {
      await c.eb.send(new PutEventsCommand({ Entries: [{ Source: 'spy.test', DetailType: 'probe', Detail, EventBusName }] }));
      await c.runtime.services.events.idle();
      const { Messages = [] } = await c.sq.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      // Read and deleted, as a spy does: the runtime's shrunk visibility timeout would otherwise show them again.
      for (const m of Messages) await c.sq.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle! }));
      return Messages.map((m) => JSON.parse(m.Body!).detail);
    };

    const first = await start();
    const bus = (await first.eb.send(new ListEventBusesCommand({}))).EventBuses!.find((b) => b.Name !== 'default')!;
    const queueArn = `arn:aws:sqs:us-east-1:${bus.Arn!.split(':')[4]}:eb-spy`;
    const { QueueUrl } = await first.sq.send(new CreateQueueCommand({ QueueName: 'eb-spy', Attributes: { Policy: eventsMaySend(queueArn) } }));
    const { RuleArn } = await first.eb.send(new PutRuleCommand({ Name: 'spy', EventBusName: bus.Name!, EventPattern: '{"source":["spy.test"]}' }));
    expect(RuleArn).toBe(bus.Arn!.replace(':event-bus/', ':rule/') + '/spy');
    await first.eb.send(new PutTargetsCommand({ Rule: 'spy', EventBusName: bus.Name!, Targets: [{ Id: 'spy-queue', Arn: queueArn }] }));
    expect(await spy(first, QueueUrl!, '{"run":1}', bus.Name!)).toEqual([{ run: 1 }]);
    first.eb.destroy();
    first.sq.destroy();
    await durable.stop(first.runtime);

    const second = await start();
    try {
      expect((await second.eb.send(new ListTargetsByRuleCommand({ Rule: 'spy', EventBusName: bus.Name! }))).Targets).toEqual([{ Id: 'spy-queue', Arn: queueArn }]);
      expect(await spy(second, QueueUrl!, '{"run":2}', bus.Name!)).toEqual([{ run: 2 }]);
    } finally {
      second.eb.destroy();
      second.sq.destroy();
    }
  });
});
