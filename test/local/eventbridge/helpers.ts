import { createClock } from '../../../local/clock.js';
import type { StackModel } from '../../../local/cloudformation/types.js';
import { fakeResource, fakeStack } from '../../support/fake-stack.js';
import type {
  InvokeCaller,
  MessageAttributeValue,
  PublishInput,
  Sinks,
  TraceEvent,
} from '../../../local/contracts.js';
import { AwsError } from '../../../local/protocol/errors.js';
import { EventBridgeService } from '../../../local/eventbridge/service.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
export const BUS_ARN = arn('events', 'event-bus/custom');
export const FN_ARN = arn('lambda', 'function:target');
export const QUEUE_ARN = arn('sqs', 'target-queue');
export const DLQ_ARN = arn('sqs', 'dlq');
export const TOPIC_ARN = arn('sns', 'topic');

/** A minimal StackModel: resources given as [logicalId, type, properties, name]. */
export function makeStack(resources: Array<[string, string, Record<string, unknown>, string?]>): StackModel {
  const built = resources.map(([logicalId, type, properties, name]) => {
    let resourceArn: string | undefined;
    let ref = name ?? logicalId;
    if (type === 'AWS::Events::EventBus') resourceArn = arn('events', `event-bus/${properties.Name ?? ref}`);
    if (type === 'AWS::Events::Rule') {
      const bus = typeof properties.EventBusName === 'string' ? properties.EventBusName : 'default';
      const ruleName = (properties.Name as string | undefined) ?? ref;
      resourceArn = arn('events', bus === 'default' ? `rule/${ruleName}` : `rule/${bus}/${ruleName}`);
      ref = bus === 'default' ? ruleName : `${bus}|${ruleName}`;
    }
    if (type === 'AWS::Events::Archive') resourceArn = arn('events', `archive/${properties.ArchiveName ?? ref}`);
    return fakeResource(logicalId, type, properties, { ref, ...(resourceArn ? { arn: resourceArn, attributes: { Arn: resourceArn } } : {}) });
  });
  return fakeStack(built, { stackName: 'Test', stackId: 'id', account: ACCOUNT, region: REGION });
}

export interface Recorded {
  invokes: Array<{ ref: string; payload: string; type: string; caller?: InvokeCaller }>;
  messages: Array<{ queueArn: string; body: string; attributes?: Readonly<Record<string, MessageAttributeValue>>; caller?: InvokeCaller }>;
  publishes: Array<{ input: PublishInput; caller?: InvokeCaller }>;
  traces: Array<Omit<TraceEvent, 'time'>>;
}

/** Fake sinks recording every call; `lambdaFailures` makes the next invokes reject. */
export function fakeSinks(options: { lambdaFailures?: AwsError[]; queues?: string[] } = {}) {
  const recorded: Recorded = { invokes: [], messages: [], publishes: [], traces: [] };
  const failures = [...(options.lambdaFailures ?? [])];
  const queues = new Set(options.queues ?? [QUEUE_ARN, DLQ_ARN]);
  const sinks: Sinks = {
    lambda: {
      invoke: async (ref, payload, type, caller) => {
        recorded.invokes.push({ ref, payload, type, ...(caller ? { caller } : {}) });
        const failure = failures.shift();
        if (failure) throw failure;
        return { statusCode: 202, payload: '', executedVersion: '$LATEST', requestId: 'r' };
      },
    },
    sqs: {
      sendMessage: async (queueArn, body, attributes, caller) => {
        if (!queues.has(queueArn)) {
          throw new AwsError('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
        }
        recorded.messages.push({ queueArn, body, ...(attributes ? { attributes } : {}), ...(caller ? { caller } : {}) });
        return { MessageId: 'm' };
      },
    },
    sns: {
      publish: async (input, caller) => {
        recorded.publishes.push({ input, ...(caller ? { caller } : {}) });
        return { MessageId: 'p' };
      },
    },
    events: { putEvents: async () => ({ FailedEntryCount: 0, Entries: [] }) },
  };
  const tracer = { record: (e: Omit<TraceEvent, 'time'>) => recorded.traces.push(e) };
  return { sinks, recorded, tracer };
}

export function makeService(
  resources: Array<[string, string, Record<string, unknown>, string?]>,
  options: Parameters<typeof fakeSinks>[0] & { clockScale?: number } = {},
) {
  const { sinks, recorded, tracer } = fakeSinks(options);
  const clock = createClock(options.clockScale ?? 0.00001);
  const service = EventBridgeService.fromStack(makeStack(resources), { sinks, clock, tracer });
  return { service, recorded };
}

export const customBus: [string, string, Record<string, unknown>] = ['Bus', 'AWS::Events::EventBus', { Name: 'custom' }];

export function rule(
  logicalId: string,
  pattern: object,
  targets: object[],
  extra: Record<string, unknown> = {},
): [string, string, Record<string, unknown>] {
  return [logicalId, 'AWS::Events::Rule', { EventBusName: 'custom', EventPattern: pattern, State: 'ENABLED', Targets: targets, ...extra }];
}

export const entry = (detail: object = { a: 1 }, extra: Record<string, unknown> = {}) => ({
  Source: 'app',
  DetailType: 'thing',
  Detail: JSON.stringify(detail),
  EventBusName: 'custom',
  ...extra,
});
