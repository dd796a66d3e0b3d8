import { describe, expect, it } from 'vitest';
import { createClock } from '../../../local/clock.js';
import { EventBridgeService } from '../../../local/eventbridge/service.js';
import type { TargetRetryState } from '../../../local/eventbridge/delivery.js';
import { AwsError } from '../../../local/protocol/errors.js';
import { MemoryStateStore } from '../../../local/state/memory.js';
import type { ReplayRecord } from '../../../local/eventbridge/archive.js';
import { customBus, DLQ_ARN, entry, fakeSinks, FN_ARN, makeStack, rule } from './helpers.js';
import { waitFor } from '../../support/wait-for.js';

const fnTarget = { Id: 'fn', Arn: FN_ARN };
const resources = [
  customBus,
  rule('R', { source: ['app'] }, [{ ...fnTarget, RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 }, DeadLetterConfig: { Arn: DLQ_ARN } }], {
    Name: 'retrying',
  }),
];
const owner = { logicalId: 'R', type: 'AWS::Events::Rule' };

function start(state: MemoryStateStore, failures: number, scale: number) {
  const fail = () => new AwsError('ServiceException', 'boom', 500);
  const { sinks, recorded, tracer } = fakeSinks({ lambdaFailures: Array.from({ length: failures }, fail) });
  const service = EventBridgeService.fromStack(makeStack(resources), { sinks, clock: createClock(scale), tracer, state });
  return { service, recorded };
}

const until = (what: string, check: () => boolean, ms = 5_000) => waitFor(check, what, ms);

describe('durable EventBridge target retries', () => {
  it('a delivery stopped while waiting for a retry resumes with its retry count and is delivered once', async () => {
    const state = new MemoryStateStore();
    // One AWS second = 1 local second: the first retry waits at least half a second.
    const first = start(state, 1, 1);
    const { Entries } = await first.service.putEvents([entry()]);
    await until('the retry is saved', () => state.count('eventbridge-delivery') === 1);
    await first.service.dispose();
    expect(first.recorded.invokes).toHaveLength(1);
    const saved = state.collection<TargetRetryState>('eventbridge-delivery', owner).all()[0]!;
    expect(saved).toMatchObject({ targetId: 'fn', retries: 1, event: { id: Entries[0]!.EventId } });

    const second = start(state, 0, 0.001);
    expect(second.service.resume()).toEqual({ archivedEvents: 0, targetRetries: 1, replays: 0 });
    await second.service.idle();
    expect(second.recorded.invokes).toHaveLength(1);
    expect(JSON.parse(second.recorded.invokes[0]!.payload).id).toBe(Entries[0]!.EventId);
    expect(second.recorded.messages).toHaveLength(0);
    expect(state.count('eventbridge-delivery')).toBe(0);
  });

  it('a resumed delivery that keeps failing is dead-lettered with the retries of both runs counted', async () => {
    const state = new MemoryStateStore();
    const first = start(state, 1, 1);
    await first.service.putEvents([entry()]);
    await until('the retry is saved', () => state.count('eventbridge-delivery') === 1);
    await first.service.dispose();

    const second = start(state, 10, 0.01);
    second.service.resume();
    await second.service.idle();
    expect(second.recorded.invokes).toHaveLength(3);
    expect(second.recorded.messages[0]!.attributes).toMatchObject({
      EXHAUSTED_RETRY_CONDITION: { StringValue: 'MaximumRetryAttempts' },
      RETRY_ATTEMPTS: { StringValue: '3' },
    });
    expect(state.count('eventbridge-delivery')).toBe(0);
  });
});

describe('durable EventBridge archives', () => {
  const archived = [
    customBus,
    ['Archive', 'AWS::Events::Archive', { SourceArn: 'arn:aws:events:us-east-1:123456789012:event-bus/custom', ArchiveName: 'arch', RetentionDays: 1 }] as [string, string, Record<string, unknown>],
  ];

  it('keeps archived events across a restart and replays them', async () => {
    const state = new MemoryStateStore();
    const build = () => {
      const { sinks, recorded, tracer } = fakeSinks();
      return { service: EventBridgeService.fromStack(makeStack(archived), { sinks, clock: createClock(0.001), tracer, state }), recorded };
    };
    const first = build();
    const before = Date.now();
    await first.service.putEvents([entry({ n: 1 }), entry({ n: 2 })]);
    await first.service.dispose();

    const second = build();
    expect(second.service.resume()).toEqual({ archivedEvents: 2, targetRetries: 0, replays: 0 });
    const [archive] = second.service.listArchives({});
    expect(archive!.eventCount).toBe(2);
    expect(archive!.window(before - 1, Date.now() + 1, Date.now()).map((e) => e.event.detail)).toEqual([{ n: 1 }, { n: 2 }]);
  });
});

describe('durable EventBridge replays', () => {
  const ARCHIVE_ARN = 'arn:aws:events:us-east-1:123456789012:archive/arch';
  const resourcesWithArchive = [
    customBus,
    ['Archive', 'AWS::Events::Archive', { SourceArn: 'arn:aws:events:us-east-1:123456789012:event-bus/custom', ArchiveName: 'arch', RetentionDays: 1 }] as [string, string, Record<string, unknown>],
    rule('R', { source: ['app'] }, [fnTarget], { Name: 'to-fn' }),
  ];
  const archiveOwner = { logicalId: 'Archive', type: 'AWS::Events::Archive' };
  const build = (state: MemoryStateStore) => {
    const { sinks, recorded, tracer } = fakeSinks();
    return { service: EventBridgeService.fromStack(makeStack(resourcesWithArchive), { sinks, clock: createClock(0.001), tracer, state }), recorded };
  };
  const replayed = (recorded: { invokes: { payload: string }[] }) =>
    recorded.invokes.map((i) => JSON.parse(i.payload)).filter((e) => e['replay-name'] === 'again').map((e) => e.detail.n);

  it('DescribeReplay answers after a restart, and the name stays taken', async () => {
    const state = new MemoryStateStore();
    const first = build(state);
    const before = Date.now() - 1;
    await first.service.putEvents([entry({ n: 1 })]);
    const input = { ReplayName: 'again', EventSourceArn: ARCHIVE_ARN, EventStartTime: before, EventEndTime: Date.now() + 1, Destination: { Arn: 'arn:aws:events:us-east-1:123456789012:event-bus/custom' } };
    first.service.startReplay(input);
    await until('the replay completes', () => first.service.describeReplay({ ReplayName: 'again' }).state === 'COMPLETED');
    const done = { ...first.service.describeReplay({ ReplayName: 'again' }) };
    await first.service.dispose();

    const second = build(state);
    expect(second.service.resume()).toMatchObject({ replays: 1 });
    expect(second.service.describeReplay({ ReplayName: 'again' })).toEqual(done);
    expect(() => second.service.startReplay(input)).toThrow('Replay again already exists.');
    await second.service.idle();
    // A completed replay is not run again.
    expect(replayed(second.recorded)).toEqual([]);
  });

  it('a replay cut off while RUNNING resumes after the last event it sent and ends COMPLETED', async () => {
    const state = new MemoryStateStore();
    const first = build(state);
    const before = Date.now() - 1;
    await first.service.putEvents([entry({ n: 1 }), entry({ n: 2 }), entry({ n: 3 })]);
    await first.service.dispose();
    const [e1] = first.service.listArchives({})[0]!.window(before, Date.now() + 1, Date.now());
    // What a runtime killed right after sending the first event leaves behind.
    const cutOff: ReplayRecord = {
      name: 'again',
      arn: 'arn:aws:events:us-east-1:123456789012:replay/again',
      archiveArn: ARCHIVE_ARN,
      destination: { Arn: 'arn:aws:events:us-east-1:123456789012:event-bus/custom' },
      startTime: before,
      endTime: Date.now() + 1,
      state: 'RUNNING',
      stateReason: 'Replay is running.',
      replayStartTime: before,
      lastReplayedTime: e1!.arrivedAt,
      sentAtLastTime: 1,
    };
    state.collection<ReplayRecord>('eventbridge-replay', archiveOwner).save('again', cutOff);

    const second = build(state);
    expect(second.service.resume()).toMatchObject({ replays: 1, archivedEvents: 3 });
    await until('the resumed replay completes', () => second.service.describeReplay({ ReplayName: 'again' }).state === 'COMPLETED');
    await second.service.idle();
    expect(replayed(second.recorded)).toEqual([2, 3]);
    const saved = state.collection<ReplayRecord>('eventbridge-replay', archiveOwner).all()[0]!;
    expect(saved).toMatchObject({ state: 'COMPLETED', stateReason: 'Replay completed.' });
    expect(saved.replayEndTime).toBeGreaterThanOrEqual(saved.replayStartTime);
  });
});
