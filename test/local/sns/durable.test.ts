import { describe, expect, it } from 'vitest';
import { createClock } from '../../../local/clock.js';
import { matchesPattern } from '../../../local/eventbridge/pattern.js';
import { AwsError } from '../../../local/protocol/errors.js';
import { SnsService } from '../../../local/sns/service.js';
import { MemoryStateStore } from '../../../local/state/memory.js';
import { FUNCTION_ARN, recordingSinks, recordingTracer, subscriptionResource, TOPIC_ARN, topicResource } from './stack-fixture.js';
import { fakeStack } from '../../support/fake-stack.js';
import { waitFor } from '../../support/wait-for.js';

const resources = [topicResource(), subscriptionResource('Sub', { Protocol: 'lambda', Endpoint: FUNCTION_ARN })];

function start(state: MemoryStateStore, failures: number, scale: number) {
  const recorded = recordingSinks({ invokeFailures: Array.from({ length: failures }, () => new AwsError('ServiceException', 'down', 500)) });
  const service = SnsService.fromStack(fakeStack(resources), { sinks: recorded.sinks, matcher: matchesPattern, clock: createClock(scale), tracer: recordingTracer(), state });
  return { service, recorded };
}

const until = (what: string, check: () => boolean, ms = 5_000) => waitFor(check, what, ms);

describe('durable SNS deliveries', () => {
  it('saves a delivery before Publish answers and forgets it once delivered', async () => {
    const state = new MemoryStateStore();
    const { service, recorded } = start(state, 0, 0.0001);
    await service.publish({ TopicArn: TOPIC_ARN, Message: '{"mode":"ok"}' });
    expect(state.count('sns-delivery')).toBe(1);
    await service.whenIdle();
    expect(recorded.invocations).toHaveLength(1);
    expect(state.count('sns-delivery')).toBe(0);
  });

  it('a delivery stopped while waiting for a retry resumes at its attempt and delivers the same notification', async () => {
    const state = new MemoryStateStore();
    // Three immediate retries, then 1 AWS second (1 local second here) before the next one.
    const first = start(state, 4, 1);
    const { MessageId } = await first.service.publish({ TopicArn: TOPIC_ARN, Message: 'hello', MessageAttributes: { bin: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2]) } } });
    await until('four attempts', () => first.recorded.invocations.length === 4);
    first.service.dispose();

    const second = start(state, 0, 0.0001);
    expect(second.service.resume()).toBe(1);
    await second.service.whenIdle();
    expect(second.recorded.invocations).toHaveLength(1);
    const sns = JSON.parse(second.recorded.invocations[0]!.payload).Records[0].Sns;
    expect(sns).toMatchObject({ MessageId, Message: 'hello', MessageAttributes: { bin: { Type: 'Binary', Value: 'AQI=' } } });
    expect(state.count('sns-delivery')).toBe(0);
  });
});
