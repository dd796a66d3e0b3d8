import { SNSServiceException } from '@aws-sdk/client-sns';
import type { StackResource } from '../../../local/cloudformation/types.js';
import { fakeResource } from '../../support/fake-stack.js';
import type { InvocationType, InvokeCaller, InvokeResult, MessageAttributeValue, Sinks, TraceEvent, Tracer } from '../../../local/contracts.js';
import { AwsError } from '../../../local/protocol/errors.js';

export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';
export const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:events-topic`;
export const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:destined`;
export const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:subscriber-queue`;
export const DLQ_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:sns-dlq`;

/** A resource as loadStack would hand it over (properties already resolved). */
export const resource = fakeResource;

export function topicResource(logicalId = 'Topic', properties: Record<string, unknown> = { TopicName: 'events-topic' }): StackResource {
  const name = typeof properties['TopicName'] === 'string' ? properties['TopicName'] : logicalId;
  const arn = `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
  return resource(logicalId, 'AWS::SNS::Topic', properties, { ref: arn, arn, attributes: { TopicArn: arn, TopicName: name } });
}

export function subscriptionResource(logicalId: string, properties: Record<string, unknown>): StackResource {
  return resource(logicalId, 'AWS::SNS::Subscription', { TopicArn: TOPIC_ARN, ...properties });
}

export interface Invocation {
  readonly functionRef: string;
  readonly payload: string;
  readonly invocationType: InvocationType;
  readonly caller?: InvokeCaller;
}

export interface SentMessage {
  readonly queueArn: string;
  readonly body: string;
  readonly attributes?: Readonly<Record<string, MessageAttributeValue>>;
}

/**
 * Recording sinks. `invokeFailures` is consumed one error per invoke (then
 * invokes succeed); `queues` lists the queue ARNs that exist.
 */
export function recordingSinks(options: { invokeFailures?: Error[]; queues?: string[] } = {}) {
  const invocations: Invocation[] = [];
  const sent: SentMessage[] = [];
  const failures = [...(options.invokeFailures ?? [])];
  const queues = new Set(options.queues ?? [QUEUE_ARN, DLQ_ARN]);
  const sinks: Sinks = {
    lambda: {
      async invoke(functionRef, payload, invocationType, caller): Promise<InvokeResult> {
        invocations.push({ functionRef, payload, invocationType, ...(caller ? { caller } : {}) });
        const failure = failures.shift();
        if (failure) throw failure;
        return { statusCode: 202, payload: '', executedVersion: '$LATEST', requestId: `req-${invocations.length}` };
      },
    },
    sqs: {
      async sendMessage(queueArn, body, attributes) {
        if (!queues.has(queueArn)) throw new AwsError('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.', 400);
        sent.push({ queueArn, body, ...(attributes ? { attributes } : {}) });
        return { MessageId: `sqs-${sent.length}` };
      },
    },
    events: {
      async putEvents() {
        throw new Error('not used');
      },
    },
    sns: {
      async publish() {
        throw new Error('not used');
      },
    },
  };
  return { sinks, invocations, sent };
}

export function recordingTracer(): Tracer & { events: Omit<TraceEvent, 'time'>[] } {
  const events: Omit<TraceEvent, 'time'>[] = [];
  return { events, record: (event) => void events.push(event) };
}

type ErrorClass<E extends Error> = new (...args: never[]) => E;

/** The error `fn` throws, which must be a `type`; anything else fails the test. */
export function thrownBy<E extends Error>(type: ErrorClass<E>, fn: () => unknown): E {
  try {
    fn();
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected ${type.name} to be thrown`);
}

/** The rejection of `promise`, which must be a `type`; anything else fails the test. */
export async function rejectionOf<E extends Error>(type: ErrorClass<E>, promise: Promise<unknown>): Promise<E> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof type) return error;
    throw error;
  }
  throw new Error(`expected a rejection with ${type.name}`);
}

/** The error an SNS SDK call failed with; fails the test when it succeeded or failed otherwise. */
export async function snsError(promise: Promise<unknown>): Promise<SNSServiceException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SNSServiceException) return error;
    throw error;
  }
  throw new Error('expected an SNS error');
}
