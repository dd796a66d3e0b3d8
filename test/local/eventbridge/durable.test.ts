import { describe, expect, it } from 'vitest';
import { createClock } from '../../../local/clock.js';
import { EventBridgeService } from '../../../local/eventbridge/service.js';
import type { TargetRetryState } from '../../../local/eventbridge/delivery.js';
import { AwsError } from '../../../local/protocol/errors.js';
import { MemoryStateStore } from '../../../local/state/memory.js';
import { customBus, DLQ_ARN, entry, fakeSinks, FN_ARN, makeStack, rule } from './helpers.js';

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

async function until(what: string, check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

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
    expect(second.service.resume()).toEqual({ archivedEvents: 0, targetRetries: 1 });
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
    expect(second.service.resume()).toEqual({ archivedEvents: 2, targetRetries: 0 });
    const [archive] = second.service.listArchives({});
    expect(archive!.eventCount).toBe(2);
    expect(archive!.window(before - 1, Date.now() + 1, Date.now()).map((e) => e.event.detail)).toEqual([{ n: 1 }, { n: 2 }]);
  });
});
