import {
  DescribeReplayCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListArchivesCommand,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  StartReplayCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventBridgeApi } from '../../../local/eventbridge/api.js';
import { serveApis, TEST_CLIENT, type Served } from '../../support/serve.js';
import { arn, BUS_ARN, customBus, entry, FN_ARN, makeService, rule, DLQ_ARN } from './helpers.js';

const { service, recorded } = makeService([
  customBus,
  rule('R', { source: ['app'] }, [{ Id: 'fn', Arn: FN_ARN, DeadLetterConfig: { Arn: DLQ_ARN }, RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 } }], {
    Name: 'app-rule',
    Description: 'app events',
  }),
  ['A', 'AWS::Events::Archive', { ArchiveName: 'arch', SourceArn: BUS_ARN, RetentionDays: 0 }],
]);
const api = eventBridgeApi(service);
let server: Served;
let client: EventBridgeClient;

beforeAll(async () => {
  server = await serveApis({ json: [api] });
  client = new EventBridgeClient({ endpoint: server.endpoint, ...TEST_CLIENT });
});

afterAll(async () => {
  client.destroy();
  await server.close();
});

describe('EventBridge API through the AWS SDK', () => {
  it('PutEvents delivers and reports failed entries', async () => {
    const out = await client.send(
      new PutEventsCommand({ Entries: [entry({ n: 1 }), { Source: 'a', DetailType: 'b', Detail: 'nope', EventBusName: 'custom' }] }),
    );
    expect(out.FailedEntryCount).toBe(1);
    expect(out.Entries?.[0]?.EventId).toBeTruthy();
    expect(out.Entries?.[1]?.ErrorCode).toBe('MalformedDetail');
    await service.idle();
    expect(recorded.invokes.some((i) => JSON.parse(i.payload).detail.n === 1)).toBe(true);
  });

  it('PutEvents with 11 entries is a ValidationException', async () => {
    const entries = Array.from({ length: 11 }, () => entry());
    await expect(client.send(new PutEventsCommand({ Entries: entries }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('TestEventPattern answers Result and maps errors', async () => {
    const event = JSON.stringify({ id: '1', account: '1', source: 's', time: 't', region: 'r', 'detail-type': 'd', detail: {} });
    const yes = await client.send(new TestEventPatternCommand({ EventPattern: '{"source":["s"]}', Event: event }));
    expect(yes.Result).toBe(true);
    const no = await client.send(new TestEventPatternCommand({ EventPattern: '{"source":["x"]}', Event: event }));
    expect(no.Result).toBe(false);
    await expect(
      client.send(new TestEventPatternCommand({ EventPattern: '{"source":"s"}', Event: event })),
    ).rejects.toMatchObject({ name: 'InvalidEventPatternException', message: expect.stringContaining('"source" must be an object or an array') });
    await expect(client.send(new TestEventPatternCommand({ EventPattern: '{"source":["s"]}', Event: '[]' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('ListRules, DescribeRule and ListTargetsByRule', async () => {
    const rules = await client.send(new ListRulesCommand({ EventBusName: 'custom', NamePrefix: 'app' }));
    expect(rules.Rules?.map((r) => r.Name)).toEqual(['app-rule']);
    expect(rules.Rules?.[0]).toMatchObject({ State: 'ENABLED', EventBusName: 'custom', Arn: arn('events', 'rule/custom/app-rule') });
    expect(JSON.parse(rules.Rules![0]!.EventPattern!)).toEqual({ source: ['app'] });
    expect((await client.send(new ListRulesCommand({}))).Rules).toEqual([]);

    const described = await client.send(new DescribeRuleCommand({ Name: 'app-rule', EventBusName: BUS_ARN }));
    expect(described.Description).toBe('app events');

    const targets = await client.send(new ListTargetsByRuleCommand({ Rule: 'app-rule', EventBusName: 'custom' }));
    expect(targets.Targets).toEqual([
      { Id: 'fn', Arn: FN_ARN, DeadLetterConfig: { Arn: DLQ_ARN }, RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 } },
    ]);
    await expect(client.send(new DescribeRuleCommand({ Name: 'nope', EventBusName: 'custom' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Rule nope does not exist on EventBus custom.',
    });
  });

  it('ListEventBuses and ListArchives', async () => {
    // Its own event, so the archive's count does not depend on the tests before it.
    await client.send(new PutEventsCommand({ Entries: [entry({ n: 'archived' })] }));
    await service.idle();
    const buses = await client.send(new ListEventBusesCommand({}));
    expect(buses.EventBuses?.map((b) => b.Name)).toEqual(['default', 'custom']);
    const archives = await client.send(new ListArchivesCommand({}));
    expect(archives.Archives?.[0]).toMatchObject({ ArchiveName: 'arch', EventSourceArn: BUS_ARN, State: 'ENABLED' });
    expect(archives.Archives?.[0]?.EventCount).toBeGreaterThan(0);
  });

  it('StartReplay and DescribeReplay', async () => {
    // An archived event of its own to replay, whatever ran before.
    await client.send(new PutEventsCommand({ Entries: [entry({ n: 'replayed' })] }));
    await service.idle();
    const invokesBefore = recorded.invokes.length;
    const started = await client.send(
      new StartReplayCommand({
        ReplayName: 'r1',
        EventSourceArn: arn('events', 'archive/arch'),
        EventStartTime: new Date(Date.now() - 60_000),
        EventEndTime: new Date(Date.now() + 60_000),
        Destination: { Arn: BUS_ARN },
      }),
    );
    expect(started.State).toBe('STARTING');
    expect(started.ReplayArn).toBe(arn('events', 'replay/r1'));
    await service.idle();
    const described = await client.send(new DescribeReplayCommand({ ReplayName: 'r1' }));
    expect(described.State).toBe('COMPLETED');
    expect(described.EventStartTime).toBeInstanceOf(Date);
    expect(recorded.invokes.length).toBeGreaterThan(invokesBefore);
    await expect(
      client.send(
        new StartReplayCommand({
          ReplayName: 'r1',
          EventSourceArn: arn('events', 'archive/arch'),
          EventStartTime: new Date(0),
          EventEndTime: new Date(),
          Destination: { Arn: BUS_ARN },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceAlreadyExistsException' });
  });
});
