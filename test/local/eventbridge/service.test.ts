import { describe, expect, it } from 'vitest';
import { UnsupportedTemplateError, AwsError } from '../../../local/protocol/errors.js';
import type { PutEventsEntry } from '../../../local/contracts.js';
import { ArchiveStore } from '../../../local/eventbridge/archive.js';
import {
  BUS_ARN,
  customBus,
  DLQ_ARN,
  entry,
  FN_ARN,
  makeService,
  QUEUE_ARN,
  rule,
  TOPIC_ARN,
  arn,
} from './helpers.js';
import { waitFor } from '../../support/wait-for.js';

const fnTarget = { Id: 'fn', Arn: FN_ARN };

describe('PutEvents', () => {
  it('builds the envelope in AWS key order and delivers it to a matching Lambda target', async () => {
    const { service, recorded } = makeService([customBus, rule('R', { source: ['app'] }, [fnTarget], { Name: 'r1' })]);
    const result = await service.putEvents([entry({ x: 1 }, { Resources: ['res'], Time: new Date('2026-01-02T03:04:05.678Z') })]);
    expect(result.FailedEntryCount).toBe(0);
    expect(result.Entries[0]!.EventId).toMatch(/^[0-9a-f-]{36}$/);
    await service.idle();
    expect(recorded.invokes).toHaveLength(1);
    const { payload, type, caller } = recorded.invokes[0]!;
    expect(type).toBe('Event');
    expect(caller).toMatchObject({ principal: 'events.amazonaws.com', sourceArn: arn('events', 'rule/custom/r1') });
    const event = JSON.parse(payload);
    expect(Object.keys(event)).toEqual(['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail']);
    expect(event).toMatchObject({
      version: '0',
      id: result.Entries[0]!.EventId,
      'detail-type': 'thing',
      source: 'app',
      account: '123456789012',
      time: '2026-01-02T03:04:05Z',
      region: 'us-east-1',
      resources: ['res'],
      detail: { x: 1 },
    });
  });

  it('reports per-entry errors and keeps the good entries', async () => {
    const { service } = makeService([customBus]);
    const result = await service.putEvents([
      entry(),
      { Source: 'a', DetailType: 'b', Detail: '[1]', EventBusName: 'custom' },
      { DetailType: 'b', Detail: '{}', EventBusName: 'custom' },
      { Source: 'a', DetailType: 'b', Detail: '{}', EventBusName: 'nope' },
      { Source: 'a', Detail: '{}' },
    ]);
    expect(result.FailedEntryCount).toBe(4);
    expect(result.Entries[0]!.EventId).toBeDefined();
    expect(result.Entries[1]).toEqual({ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' });
    expect(result.Entries[2]).toEqual({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.',
    });
    expect(result.Entries[3]!.ErrorCode).toBe('ResourceNotFoundException');
    expect(result.Entries[4]!.ErrorMessage).toContain('DetailType is a required argument');
  });

  it('rejects more than 10 entries and oversize requests for the whole call', async () => {
    const { service } = makeService([customBus]);
    await expect(service.putEvents(Array.from({ length: 11 }, () => entry()))).rejects.toMatchObject({
      code: 'ValidationException',
    });
    await expect(service.putEvents([entry({ big: 'x'.repeat(1024 * 1024) })])).rejects.toMatchObject({
      code: 'ValidationException',
      message: 'Total size of the entries in the request is over the limit.',
    });
  });

  it('accepts events up to 1 MB, as AWS does since 2026-01-29', async () => {
    const { service, recorded } = makeService([customBus, rule('R', { source: ['app'] }, [fnTarget])]);
    const result = await service.putEvents([entry({ big: 'x'.repeat(900 * 1024) })]);
    expect(result.FailedEntryCount).toBe(0);
    await service.idle();
    expect(recorded.invokes).toHaveLength(1);
  });

  it('refuses a customer entry with an aws.* source, entry by entry', async () => {
    const { service, recorded } = makeService([customBus, rule('R', { source: ['aws.lambda', 'app'] }, [fnTarget])]);
    const result = await service.putEvents([entry({}, { Source: 'aws.lambda' }), entry()]);
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries[0]).toMatchObject({ ErrorCode: 'NotAuthorizedForSourceException' });
    expect(result.Entries[1]!.EventId).toBeDefined();
    await service.idle();
    expect(recorded.invokes).toHaveLength(1);
  });

  it('answers SerializationException for members of the wrong type instead of crashing', async () => {
    const { service, recorded } = makeService([customBus, rule('R', { source: ['app'] }, [fnTarget])]);
    for (const bad of [{ Resources: 5 }, { Resources: [1] }, { EventBusName: 7 }, { Source: {} }]) {
      const call = service.putEvents([{ ...entry(), ...bad } as unknown as PutEventsEntry]);
      await expect(call).rejects.toMatchObject({ code: 'SerializationException', statusCode: 400 });
    }
    await expect(service.putEvents([null as unknown as PutEventsEntry])).rejects.toMatchObject({ code: 'SerializationException' });
    await service.idle();
    expect(recorded.invokes).toHaveLength(0);
  });

  it('accepts the bus by ARN and uses the default bus when none is named', async () => {
    const { service, recorded } = makeService([
      customBus,
      ['D', 'AWS::Events::Rule', { EventPattern: { source: ['app'] }, Targets: [fnTarget] }],
    ]);
    await service.putEvents([entry({}, { EventBusName: BUS_ARN })]);
    await service.putEvents([{ Source: 'app', DetailType: 't', Detail: '{}' }]);
    await service.idle();
    expect(recorded.invokes).toHaveLength(1);
  });
});

describe('rules and targets', () => {
  it('skips DISABLED rules and delivers to every target of every matching rule', async () => {
    const { service, recorded } = makeService([
      customBus,
      rule('A', { source: ['app'] }, [fnTarget, { Id: 'q', Arn: QUEUE_ARN }]),
      rule('B', { detail: { a: [1] } }, [{ Id: 't', Arn: TOPIC_ARN }]),
      rule('C', { source: ['app'] }, [fnTarget], { State: 'DISABLED' }),
      rule('D', { source: ['other'] }, [fnTarget]),
    ]);
    await service.putEvents([entry({ a: 1 })]);
    await service.idle();
    expect(recorded.invokes).toHaveLength(1);
    expect(recorded.messages.map((m) => m.queueArn)).toEqual([QUEUE_ARN]);
    expect(recorded.publishes.map((p) => p.input.TopicArn)).toEqual([TOPIC_ARN]);
    expect(JSON.parse(recorded.publishes[0]!.input.Message).detail).toEqual({ a: 1 });
  });

  it('forwards to another bus whose rules then deliver', async () => {
    const { service, recorded } = makeService([
      customBus,
      rule('Fwd', { source: ['app'] }, [{ Id: 'bus', Arn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' }]),
      ['OnDefault', 'AWS::Events::Rule', { EventPattern: { source: ['app'] }, Targets: [fnTarget] }],
    ]);
    await service.putEvents([entry()]);
    await service.idle();
    expect(recorded.invokes).toHaveLength(1);
  });

  it('delivers to an event bus target once only: a loop back is dead-lettered as THIRD_ACCOUNT_HOP_DETECTED', async () => {
    const { service, recorded } = makeService([
      customBus,
      ['Other', 'AWS::Events::EventBus', { Name: 'other' }],
      rule('AtoB', { source: ['app'] }, [{ Id: 'b', Arn: arn('events', 'event-bus/other') }, fnTarget]),
      rule('BtoA', { source: ['app'] }, [{ Id: 'a', Arn: BUS_ARN, DeadLetterConfig: { Arn: DLQ_ARN } }, { Id: 'q', Arn: QUEUE_ARN }], {
        EventBusName: 'other',
      }),
    ]);
    await service.putEvents([entry()]);
    await service.idle();
    // custom -> other once: the function on custom and the queue on other each get it once, nothing loops.
    expect(recorded.invokes).toHaveLength(1);
    const [queued, dead] = [recorded.messages.filter((m) => m.queueArn === QUEUE_ARN), recorded.messages.filter((m) => m.queueArn === DLQ_ARN)];
    expect(queued).toHaveLength(1);
    expect(dead).toHaveLength(1);
    const id = JSON.parse(dead[0]!.body).id as string;
    expect(dead[0]!.attributes?.ERROR_CODE?.StringValue).toBe('THIRD_ACCOUNT_HOP_DETECTED');
    expect(dead[0]!.attributes?.ERROR_MESSAGE?.StringValue).toBe(
      `Event ingestion rejected for event ${id} because an event can be sent to an event bus target only once. This event was previously delivered to an event bus target.`,
    );
    expect(dead[0]!.attributes?.RETRY_ATTEMPTS?.StringValue).toBe('0');
  });

  it('shapes the payload with Input, InputPath and InputTransformer', async () => {
    const { service, recorded } = makeService([
      customBus,
      rule('I', { source: ['app'] }, [
        { Id: 'c', Arn: QUEUE_ARN, Input: '{"fixed":true}' },
        { Id: 'p', Arn: QUEUE_ARN, InputPath: '$.detail.items[1]' },
        {
          Id: 't',
          Arn: QUEUE_ARN,
          InputTransformer: {
            InputPathsMap: { name: '$.detail.name', items: '$.detail.items', n: '$.detail.n', gone: '$.detail.nothing' },
            InputTemplate: '{"msg": "<name> has <n> in <aws.events.rule-name>", "items": <items>, "name": <name>, "gone": <gone>}',
          },
        },
        { Id: 's', Arn: QUEUE_ARN, InputTransformer: { InputPathsMap: { name: '$.detail.name' }, InputTemplate: '"<name> is here"' } },
      ], { Name: 'shaper' }),
    ]);
    await service.putEvents([entry({ name: 'a "b"', items: [{ k: 1 }, { k: 2 }], n: 3 })]);
    await service.idle();
    const bodies = recorded.messages.map((m) => m.body);
    expect(bodies[0]).toBe('{"fixed":true}');
    expect(JSON.parse(bodies[1]!)).toEqual({ k: 2 });
    expect(JSON.parse(bodies[2]!)).toEqual({
      msg: 'a "b" has 3 in shaper',
      items: [{ k: 1 }, { k: 2 }],
      name: 'a "b"',
      gone: '',
    });
    expect(JSON.parse(bodies[3]!)).toBe('a "b" is here');
  });
});

describe('retry policy and dead-letter queue', () => {
  it('retries transient failures, then dead-letters with EventBridge attributes', async () => {
    const fail = () => new AwsError('ServiceException', 'boom', 500);
    // The event's maximum age must not run out first however slow the machine: at this scale the two
    // back-offs (1 s and 2 s on AWS) take at most 3 ms, and the 24 hours of age 86 s.
    const { service, recorded } = makeService(
      [
        customBus,
        rule('R', { source: ['app'] }, [
          { ...fnTarget, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 86_400 }, DeadLetterConfig: { Arn: DLQ_ARN } },
        ], { Name: 'retrying' }),
      ],
      { lambdaFailures: [fail(), fail(), fail()], clockScale: 0.001 },
    );
    const { Entries } = await service.putEvents([entry()]);
    await service.idle();
    expect(recorded.invokes).toHaveLength(3);
    expect(recorded.messages).toHaveLength(1);
    const dlq = recorded.messages[0]!;
    expect(dlq.queueArn).toBe(DLQ_ARN);
    expect(JSON.parse(dlq.body).id).toBe(Entries[0]!.EventId);
    expect(dlq.attributes).toMatchObject({
      RULE_ARN: { DataType: 'String', StringValue: arn('events', 'rule/custom/retrying') },
      TARGET_ARN: { StringValue: FN_ARN },
      ERROR_CODE: { StringValue: 'INTERNAL_ERROR' },
      ERROR_MESSAGE: { StringValue: 'boom' },
      EXHAUSTED_RETRY_CONDITION: { StringValue: 'MaximumRetryAttempts' },
      RETRY_ATTEMPTS: { StringValue: '2' },
    });
    expect(dlq.caller).toMatchObject({ principal: 'events.amazonaws.com' });
    expect(recorded.traces.filter((t) => t.kind === 'retry')).toHaveLength(2);
  });

  it('succeeds after a transient failure without dead-lettering', async () => {
    const { service, recorded } = makeService(
      [customBus, rule('R', { source: ['app'] }, [{ ...fnTarget, DeadLetterConfig: { Arn: DLQ_ARN } }])],
      { lambdaFailures: [new AwsError('TooManyRequestsException', 'Rate exceeded', 429)] },
    );
    await service.putEvents([entry()]);
    await service.idle();
    expect(recorded.invokes).toHaveLength(2);
    expect(recorded.messages).toHaveLength(0);
  });

  it('does not retry a permission failure or a missing queue', async () => {
    const { service, recorded } = makeService(
      [
        customBus,
        rule('R', { source: ['app'] }, [
          { ...fnTarget, DeadLetterConfig: { Arn: DLQ_ARN } },
          { Id: 'gone', Arn: arn('sqs', 'missing'), DeadLetterConfig: { Arn: DLQ_ARN } },
        ]),
      ],
      { lambdaFailures: [new AwsError('AccessDeniedException', 'not allowed', 403)] },
    );
    await service.putEvents([entry()]);
    await service.idle();
    expect(recorded.invokes).toHaveLength(1);
    const codes = recorded.messages.map((m) => m.attributes?.ERROR_CODE?.StringValue).sort();
    expect(codes).toEqual(['NO_PERMISSIONS', 'NO_RESOURCE']);
    expect(recorded.messages.every((m) => m.attributes?.EXHAUSTED_RETRY_CONDITION === undefined)).toBe(true);
  });
});

describe('scheduled rules', () => {
  it('fires a rate() rule on the clock as a Scheduled Event until disposed', async () => {
    const { service, recorded } = makeService(
      [['Tick', 'AWS::Events::Rule', { Name: 'tick', ScheduleExpression: 'rate(1 minute)', Targets: [fnTarget] }]],
      { clockScale: 0.0001 },
    );
    await waitFor(() => recorded.invokes.length >= 2, 'two firings of rate(1 minute) (6 ms apart at this clock scale)');
    await service.dispose();
    const event = JSON.parse(recorded.invokes[0]!.payload);
    expect(event).toMatchObject({
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      resources: [arn('events', 'rule/tick')],
      detail: {},
    });
    expect(service.listRules({})[0]!.scheduleExpression).toBe('rate(1 minute)');
  });
});

describe('dispose', () => {
  it('abandons pending back-offs so nothing keeps running after the runtime stops', async () => {
    const always = Array.from({ length: 200 }, () => new AwsError('ServiceException', 'down', 500));
    const { service, recorded } = makeService(
      [customBus, rule('R', { source: ['app'] }, [{ ...fnTarget, DeadLetterConfig: { Arn: DLQ_ARN } }])],
      { lambdaFailures: always, clockScale: 1 },
    );
    await service.putEvents([entry()]);
    await service.dispose(); // would wait through 185 real-time back-offs if the abort were ignored
    expect(recorded.invokes).toHaveLength(1);
    expect(recorded.messages).toHaveLength(0);
  });
});

describe('archives and replays', () => {
  it('archives matching events and replays a window to rules only, with replay-name', async () => {
    const archiveArn = arn('events', 'archive/arch');
    const { service, recorded } = makeService([
      customBus,
      rule('R', { source: ['app'] }, [fnTarget], { Name: 'one' }),
      rule('S', { source: ['app'] }, [{ Id: 'q', Arn: QUEUE_ARN }], { Name: 'two' }),
      ['A', 'AWS::Events::Archive', { ArchiveName: 'arch', SourceArn: BUS_ARN, EventPattern: { detail: { keep: [true] } }, RetentionDays: 1 }],
    ]);
    const before = Date.now() - 1000;
    await service.putEvents([entry({ keep: true }), entry({ keep: false })]);
    await service.idle();
    expect(recorded.invokes).toHaveLength(2);
    expect(service.listArchives({})[0]!.eventCount).toBe(1);

    const replay = service.startReplay({
      ReplayName: 'again',
      EventSourceArn: archiveArn,
      EventStartTime: before,
      EventEndTime: Date.now() + 1000,
      Destination: { Arn: BUS_ARN, FilterArns: [arn('events', 'rule/custom/one')] },
    });
    expect(replay.state).toBe('STARTING');
    await service.idle();
    expect(service.describeReplay({ ReplayName: 'again' }).state).toBe('COMPLETED');
    expect(recorded.invokes).toHaveLength(3);
    expect(recorded.messages).toHaveLength(2); // the queue rule was filtered out of the replay
    const replayed = JSON.parse(recorded.invokes[2]!.payload);
    expect(replayed['replay-name']).toBe('again');
    expect(replayed.detail).toEqual({ keep: true });
    expect(service.listArchives({})[0]!.eventCount).toBe(1); // replays are not archived again
  });

  it('counts and sizes only the events still inside the retention period', () => {
    const archive = new ArchiveStore({ logicalId: 'Arch', name: 'arch', arn: arn('events', 'archive/arch'), sourceArn: BUS_ARN, busName: 'custom', retentionDays: 1 });
    const event = { version: '0', id: 'e1', 'detail-type': 'T', source: 's', account: '1', time: 't', region: 'r', resources: [], detail: {} } as const;
    archive.offer(event, 0);
    archive.offer({ ...event, id: 'e2' }, 86_400_000);
    expect([archive.eventCount, archive.sizeBytes]).toEqual([2, 2 * Buffer.byteLength(JSON.stringify(event))]);
    archive.expire(86_400_001);
    expect([archive.eventCount, archive.sizeBytes]).toEqual([1, Buffer.byteLength(JSON.stringify(event))]);
  });

  it('validates StartReplay', () => {
    const { service } = makeService([customBus, ['A', 'AWS::Events::Archive', { ArchiveName: 'arch', SourceArn: BUS_ARN }]]);
    const base = {
      ReplayName: 'r',
      EventSourceArn: arn('events', 'archive/arch'),
      EventStartTime: 2000,
      EventEndTime: 1000,
      Destination: { Arn: BUS_ARN },
    };
    expect(() => service.startReplay(base)).toThrow(expect.objectContaining({ code: 'ValidationException' }));
    expect(() => service.startReplay({ ...base, EventSourceArn: arn('events', 'archive/none') })).toThrow(
      expect.objectContaining({ code: 'ResourceNotFoundException' }),
    );
    expect(() => service.describeReplay({ ReplayName: 'zzz' })).toThrow(expect.objectContaining({ code: 'ResourceNotFoundException' }));
  });
});

describe('fromStack validation', () => {
  it('names the rule whose pattern is invalid', () => {
    expect(() => makeService([customBus, rule('BadRule', { source: [] }, [])])).toThrow(UnsupportedTemplateError);
    expect(() => makeService([customBus, rule('BadRule', { source: [] }, [])])).toThrow(/BadRule.*Empty arrays/);
  });

  it('refuses scheduled rules, unknown target kinds and bad transformers', () => {
    expect(() =>
      makeService([['S', 'AWS::Events::Rule', { ScheduleExpression: 'cron(0 12 * * ? *)', Targets: [fnTarget] }]]),
    ).toThrow(/ScheduleExpression: cron/);
    expect(() =>
      makeService([['S', 'AWS::Events::Rule', { ScheduleExpression: 'rate(2 minute)', Targets: [fnTarget] }]]),
    ).toThrow(/invalid schedule expression/);
    expect(() => makeService([customBus, rule('S', { source: ['a'] }, [], { ScheduleExpression: 'rate(1 day)' })])).toThrow(
      /only on the default event bus/,
    );
    expect(() => makeService([customBus, rule('K', { source: ['a'] }, [{ Id: 'k', Arn: arn('kinesis', 'stream/s') }])])).toThrow(
      /Targets\.0\.Arn/,
    );
    expect(() =>
      makeService([
        customBus,
        rule('T', { source: ['a'] }, [{ Id: 't', Arn: FN_ARN, InputTransformer: { InputPathsMap: { x: 'detail' }, InputTemplate: '<x>' } }]),
      ]),
    ).toThrow(/InputTransformer/);
    // PutTargets answers "InputTemplate for target t contains invalid placeholder nope.", so no deploy has one.
    expect(() =>
      makeService([
        customBus,
        rule('U', { source: ['a'] }, [{ Id: 't', Arn: FN_ARN, InputTransformer: { InputPathsMap: { x: '$.id' }, InputTemplate: '"<x> <nope>"' } }]),
      ]),
    ).toThrow(/U: Properties\.Targets\.0\.InputTransformer: InputTemplate contains invalid placeholder nope\./);
    expect(() =>
      makeService([customBus, rule('B', { source: ['a'] }, [{ Id: 'b', Arn: arn('events', 'event-bus/default'), InputPath: '$.detail' }])]),
    ).toThrow(/B: Properties\.Targets\.0\.InputPath: .*event bus target/);
    expect(() => makeService([customBus, rule('P', { source: ['a'] }, [{ ...fnTarget, SqsParameters: {} }])])).toThrow(
      /SqsParameters/,
    );
  });
});

describe('rule verdicts in the trace', () => {
  it('records which rules matched and, for each that did not, the first field that failed', async () => {
    const { service, recorded } = makeService([
      customBus,
      rule('Yes', { source: ['app'] }, [fnTarget], { Name: 'yes' }),
      rule('No', { source: ['app'], detail: { x: [2] } }, [fnTarget], { Name: 'no' }),
    ]);
    await service.putEvents([entry({ x: 1 })]);
    await service.idle();
    const put = recorded.traces.find((t) => t.kind === 'put')!;
    expect(put.outcome).toBeUndefined();
    expect((put.detail as { rules: unknown[] }).rules).toEqual([
      { name: 'yes', arn: arn('events', 'rule/custom/yes'), matched: true },
      expect.objectContaining({ name: 'no', matched: false, mismatch: expect.objectContaining({ field: 'detail.x', actual: [1] }) }),
    ]);
  });

  it('flags an event no rule matched, naming each rule and its failing field', async () => {
    const { service, recorded } = makeService([customBus, rule('No', { source: ['elsewhere'] }, [fnTarget], { Name: 'no' })]);
    await service.putEvents([entry({ x: 1 })]);
    await service.idle();
    const put = recorded.traces.find((t) => t.kind === 'put')!;
    expect(put.outcome).toBe('failed');
    expect(put.reason).toBe('no rule matched (no: source is "app"; the pattern wants ["elsewhere"])');
    expect(recorded.invokes).toHaveLength(0);
  });
});
