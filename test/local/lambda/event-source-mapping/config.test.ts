import { afterEach, describe, expect, it } from 'vitest';
import { createClock } from '../../../../local/clock.js';
import { batchOutcome } from '../../../../local/lambda/event-source-mapping/batch-response.js';
import { readSqsMapping } from '../../../../local/lambda/event-source-mapping/mapping.js';
import { EventSourceMappings } from '../../../../local/lambda/event-source-mapping/service.js';
import { sqsRecord } from '../../../../local/lambda/event-source-mapping/sqs-event.js';
import { AwsError, UnsupportedTemplateError } from '../../../../local/protocol/errors.js';
import { SqsService } from '../../../../local/sqs/service.js';
import { fakeResource } from '../../../support/fake-stack.js';
import { build } from '../build.js';
import { CaptureTracer, fn, makeStack, type ResourceSpec } from '../helpers.js';

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:work';

function mappingResource(properties: Record<string, unknown>) {
  return fakeResource('Mapping', 'AWS::Lambda::EventSourceMapping', { FunctionName: 'consumer', EventSourceArn: QUEUE_ARN, ...properties });
}

function refusal(properties: Record<string, unknown>): UnsupportedTemplateError {
  let error: unknown;
  try {
    readSqsMapping(mappingResource(properties), 'Stack');
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(UnsupportedTemplateError);
  return error as UnsupportedTemplateError;
}

describe('reading an AWS::Lambda::EventSourceMapping', () => {
  it('reads what CDK SqsEventSource synthesizes', () => {
    const config = readSqsMapping(
      mappingResource({
        BatchSize: 5,
        MaximumBatchingWindowInSeconds: 2,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: 2 },
        FilterCriteria: { Filters: [{ Pattern: '{"body":{"kind":["order"]}}' }] },
      }),
      'Stack',
    );
    expect(config).toMatchObject({
      functionRef: 'consumer',
      eventSourceArn: QUEUE_ARN,
      batchSize: 5,
      maximumBatchingWindowInSeconds: 2,
      reportBatchItemFailures: true,
      maximumConcurrency: 2,
      enabled: true,
      filterPatterns: [{ body: { kind: ['order'] } }],
    });
    expect(config.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(readSqsMapping(mappingResource({}), 'Stack').uuid).toBe(config.uuid);
  });

  it('defaults as AWS does: batches of 10, no window, enabled', () => {
    expect(readSqsMapping(mappingResource({}), 'Stack')).toMatchObject({ batchSize: 10, maximumBatchingWindowInSeconds: 0, reportBatchItemFailures: false, enabled: true });
    expect(readSqsMapping(mappingResource({ Enabled: false }), 'Stack').enabled).toBe(false);
  });

  it.each([
    [{ EventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s', StartingPosition: 'LATEST' }, 'Properties.EventSourceArn', 'kinesis'],
    [{ EventSourceArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/x' }, 'Properties.EventSourceArn', 'dynamodb'],
    [{ EventSourceArn: 'arn:aws:kafka:us-east-1:000000000000:cluster/c/1', Topics: ['t'] }, 'Properties.EventSourceArn', 'kafka'],
    [{ EventSourceArn: undefined, SelfManagedEventSource: { Endpoints: {} }, Topics: ['t'] }, 'Properties.SelfManagedEventSource', 'only Amazon SQS'],
    [{ BisectBatchOnFunctionError: true }, 'Properties.BisectBatchOnFunctionError', 'does not apply'],
    [{ MetricsConfig: { Metrics: ['EventCount'] } }, 'Properties.MetricsConfig', 'does not emulate'],
    [{ BatchSize: 20 }, 'Properties.BatchSize', 'MaximumBatchingWindowInSeconds'],
    [{ BatchSize: 0 }, 'Properties.BatchSize', '1..10000'],
    [{ ScalingConfig: { MaximumConcurrency: 1 } }, 'Properties.ScalingConfig.MaximumConcurrency', '2..1000'],
    [{ FunctionResponseTypes: ['Other'] }, 'Properties.FunctionResponseTypes', 'ReportBatchItemFailures'],
    [{ FilterCriteria: { Filters: [{ Pattern: '{not json' }] } }, 'Properties.FilterCriteria.Filters.0.Pattern', 'not valid JSON'],
  ])('refuses %j naming %s', (properties, path, why) => {
    const error = refusal(properties);
    expect(error.logicalId).toBe('Mapping');
    expect(error.propertyPath).toBe(path);
    expect(error.message).toContain(why);
  });
});

describe('the partial batch response', () => {
  const ids = ['m1', 'm2', 'm3'];
  it.each([
    ['an empty response', ''],
    ['a null response', 'null'],
    ['an empty object', '{}'],
    ['a null list', '{"batchItemFailures":null}'],
    ['an empty list', '{"batchItemFailures":[]}'],
  ])('is a complete success for %s', (_what, payload) => {
    expect(batchOutcome(payload, ids)).toEqual({ kind: 'success' });
  });

  it('names the failed messages', () => {
    expect(batchOutcome('{"batchItemFailures":[{"itemIdentifier":"m2"},{"itemIdentifier":"m2"}]}', ids)).toEqual({ kind: 'partial', failed: ['m2'] });
  });

  it.each([
    ['invalid JSON', '{"batchItemFailures":'],
    ['an empty identifier', '{"batchItemFailures":[{"itemIdentifier":""}]}'],
    ['a null identifier', '{"batchItemFailures":[{"itemIdentifier":null}]}'],
    ['a wrong key', '{"batchItemFailures":[{"ItemIdentifier":"m1"}]}'],
    ['an id outside the batch', '{"batchItemFailures":[{"itemIdentifier":"m9"}]}'],
  ])('is a complete failure for %s', (_what, payload) => {
    expect(batchOutcome(payload, ids).kind).toBe('failure');
  });
});

describe('the SQS event record', () => {
  it('carries message attributes as Lambda spells them', () => {
    const record = sqsRecord(
      {
        MessageId: 'id',
        ReceiptHandle: 'handle',
        MD5OfBody: 'md5',
        Body: 'hi',
        Attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1', SenderId: 'AIDA', ApproximateFirstReceiveTimestamp: '2', Other: 'x' },
        MD5OfMessageAttributes: 'attrs-md5',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'order' }, blob: { DataType: 'Binary', BinaryValue: Buffer.from('hey') } },
      },
      QUEUE_ARN,
      'eu-west-1',
    );
    expect(record).toEqual({
      messageId: 'id',
      receiptHandle: 'handle',
      body: 'hi',
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1', SenderId: 'AIDA', ApproximateFirstReceiveTimestamp: '2' },
      messageAttributes: {
        kind: { stringValue: 'order', stringListValues: [], binaryListValues: [], dataType: 'String' },
        blob: { binaryValue: 'aGV5', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      },
      md5OfMessageAttributes: 'attrs-md5',
      md5OfBody: 'md5',
      eventSource: 'aws:sqs',
      eventSourceARN: QUEUE_ARN,
      awsRegion: 'eu-west-1',
    });
  });
});

describe('the event source mappings of a stack', () => {
  const running: EventSourceMappings[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((m) => m.stop()));
  });

  function mappings(specs: readonly ResourceSpec[], options: { visibilityTimeout?: number; deny?: string } = {}) {
    const stack = makeStack(specs);
    const { service: lambda } = build(specs.filter((s) => s.type === 'AWS::Lambda::Function'));
    const sqs = new SqsService();
    sqs.createQueue('work', { visibilityTimeout: options.visibilityTimeout ?? 30 });
    const tracer = new CaptureTracer();
    const checked: string[] = [];
    const service = EventSourceMappings.fromStack(stack, {
      lambda,
      sqs,
      clock: createClock(1),
      tracer,
      defaultConcurrency: 4,
      checkRole: (roleArn, action, resource) => {
        checked.push(`${roleArn} ${action} ${resource}`);
        return action === options.deny ? new AwsError('AccessDenied', `not allowed: ${action}`, 403) : undefined;
      },
    });
    running.push(service);
    return { service, tracer, checked };
  }

  const mapping = (properties: Record<string, unknown> = {}): ResourceSpec => ({
    logicalId: 'Mapping',
    type: 'AWS::Lambda::EventSourceMapping',
    properties: { FunctionName: 'consumer', EventSourceArn: QUEUE_ARN, BatchSize: 5, ...properties },
  });

  it('polls with the execution role, checked for the SQS actions Lambda needs', () => {
    const { service, checked } = mappings([fn('consumer'), mapping()]);
    service.start();
    expect(checked).toEqual(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'].map((a) => `arn:aws:iam::000000000000:role/r ${a} ${QUEUE_ARN}`));
    expect(service.pollerOf('Mapping')).toBeDefined();
    expect(service.list()[0]).toMatchObject({ State: 'Enabled', BatchSize: 5, EventSourceArn: QUEUE_ARN, FunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:consumer' });
    expect(service.list()[0]!.EventSourceMappingArn).toBe(`arn:aws:lambda:us-east-1:000000000000:event-source-mapping:${String(service.list()[0]!.UUID)}`);
  });

  it('disables a mapping whose role may not delete messages, with AWS reason, traced', () => {
    const { service, tracer } = mappings([fn('consumer'), mapping()], { deny: 'sqs:DeleteMessage' });
    service.start();
    expect(service.pollerOf('Mapping')).toBeUndefined();
    const [described] = service.list({ functionName: 'consumer' });
    expect(described).toMatchObject({ State: 'Disabled', StateTransitionReason: 'The provided execution role does not have permissions to call DeleteMessage on SQS' });
    expect(tracer.events).toContainEqual(expect.objectContaining({ kind: 'event-source', outcome: 'denied', resource: 'consumer' }));
  });

  it('does not poll a disabled mapping', () => {
    const { service, checked } = mappings([fn('consumer'), mapping({ Enabled: false })]);
    service.start();
    expect(checked).toEqual([]);
    expect(service.pollerOf('Mapping')).toBeUndefined();
    expect(service.get(String(service.list()[0]!.UUID))).toMatchObject({ State: 'Disabled' });
  });

  it('answers ResourceNotFoundException for an unknown UUID and lists nothing for another function', () => {
    const { service } = mappings([fn('consumer'), fn('other'), mapping()]);
    expect(() => service.get('00000000-0000-4000-8000-000000000000')).toThrow(expect.objectContaining({ code: 'ResourceNotFoundException', statusCode: 404 }));
    expect(service.list({ functionName: 'other' })).toEqual([]);
    expect(service.list({ eventSourceArn: QUEUE_ARN })).toHaveLength(1);
  });

  it.each([
    [[fn('consumer'), mapping({ FunctionName: 'missing' })], {}, 'Properties.FunctionName'],
    [[fn('consumer'), mapping({ EventSourceArn: 'arn:aws:sqs:us-east-1:000000000000:nope' })], {}, 'Properties.EventSourceArn'],
    [[fn('consumer', { Timeout: 60 }), mapping()], { visibilityTimeout: 30 }, 'Properties.EventSourceArn'],
  ] as const)('refuses at start-up a mapping AWS would refuse (%#)', (specs, options, path) => {
    expect(() => mappings(specs, options)).toThrow(expect.objectContaining({ logicalId: 'Mapping', propertyPath: path }));
  });
});
