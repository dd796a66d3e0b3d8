import { arnField } from '../../arn.js';
import type { StackResource } from '../../cloudformation/types.js';
import { stableUuid } from '../../cloudformation/names.js';
import { UnsupportedTemplateError } from '../../protocol/errors.js';

/** An AWS::Lambda::EventSourceMapping from an SQS queue, as the runtime runs it. */
export interface SqsMappingConfig {
  readonly logicalId: string;
  /** The mapping's UUID (its Ref): stable across restarts, so the Lambda API names it the same way. */
  readonly uuid: string;
  /** FunctionName as the template gives it: a name or an ARN. */
  readonly functionRef: string;
  readonly eventSourceArn: string;
  readonly batchSize: number;
  readonly maximumBatchingWindowInSeconds: number;
  /** FunctionResponseTypes contains ReportBatchItemFailures. */
  readonly reportBatchItemFailures: boolean;
  /** ScalingConfig.MaximumConcurrency; absent when the mapping sets none. */
  readonly maximumConcurrency?: number;
  readonly enabled: boolean;
  /** FilterCriteria.Filters[].Pattern, parsed; empty when the mapping filters nothing. */
  readonly filterPatterns: readonly unknown[];
}

/**
 * Properties of other event sources (streams, Kafka, MQ, DocumentDB) and
 * stream-only settings: the runtime refuses them rather than ignore them.
 */
const OTHER_SOURCE_PROPERTIES = new Set([
  'StartingPosition',
  'StartingPositionTimestamp',
  'ParallelizationFactor',
  'BisectBatchOnFunctionError',
  'MaximumRecordAgeInSeconds',
  'MaximumRetryAttempts',
  'TumblingWindowInSeconds',
  'DestinationConfig',
  'Topics',
  'Queues',
  'SourceAccessConfigurations',
  'SelfManagedEventSource',
  'SelfManagedKafkaEventSourceConfig',
  'AmazonManagedKafkaEventSourceConfig',
  'DocumentDBEventSourceConfig',
  'ProvisionedPollerConfig',
]);

/** Properties the runtime honours for an SQS source (Tags only describe the mapping). */
const SQS_PROPERTIES = new Set([
  'FunctionName',
  'EventSourceArn',
  'BatchSize',
  'MaximumBatchingWindowInSeconds',
  'FunctionResponseTypes',
  'ScalingConfig',
  'Enabled',
  'FilterCriteria',
  'Tags',
]);

/**
 * Read an AWS::Lambda::EventSourceMapping. Only SQS sources are emulated;
 * anything else, or a setting the runtime cannot honour, is an
 * UnsupportedTemplateError naming the property. Ranges are AWS's
 * (https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html).
 */
export function readSqsMapping(resource: StackResource, stackName: string): SqsMappingConfig {
  const id = resource.logicalId;
  const p = resource.properties;
  const source = p['EventSourceArn'];
  if (typeof source !== 'string' || !source.startsWith('arn:')) {
    const other = Object.keys(p).find((key) => OTHER_SOURCE_PROPERTIES.has(key)) ?? 'SelfManagedEventSource';
    throw new UnsupportedTemplateError(id, `Properties.${p['SelfManagedEventSource'] !== undefined ? 'SelfManagedEventSource' : other}`, 'only Amazon SQS event sources are emulated by the local runtime');
  }
  const service = arnField(source, 'service');
  if (service !== 'sqs') {
    throw new UnsupportedTemplateError(id, 'Properties.EventSourceArn', `${service} event sources are not emulated by the local runtime (only Amazon SQS)`);
  }
  for (const key of Object.keys(p)) {
    if (SQS_PROPERTIES.has(key)) continue;
    const why = OTHER_SOURCE_PROPERTIES.has(key) ? `${key} does not apply to an SQS event source` : `the local runtime does not emulate ${key}`;
    throw new UnsupportedTemplateError(id, `Properties.${key}`, why);
  }
  if (typeof p['FunctionName'] !== 'string' || p['FunctionName'] === '') {
    throw new UnsupportedTemplateError(id, 'Properties.FunctionName', 'required, must resolve to a function name or ARN');
  }
  const window = integer(resource, 'MaximumBatchingWindowInSeconds', p['MaximumBatchingWindowInSeconds'], 0, 300) ?? 0;
  // A standard queue takes up to 10,000 a batch, but more than 10 only with a batching window.
  const batchSize = integer(resource, 'BatchSize', p['BatchSize'], 1, 10_000) ?? 10;
  if (batchSize > 10 && window < 1) {
    throw new UnsupportedTemplateError(id, 'Properties.BatchSize', 'a BatchSize above 10 needs MaximumBatchingWindowInSeconds of at least 1 (AWS refuses it)');
  }
  const responseTypes = p['FunctionResponseTypes'] ?? [];
  if (!Array.isArray(responseTypes) || responseTypes.some((t) => t !== 'ReportBatchItemFailures')) {
    throw new UnsupportedTemplateError(id, 'Properties.FunctionResponseTypes', 'must be a list whose only value is ReportBatchItemFailures');
  }
  const scaling = p['ScalingConfig'];
  let maximumConcurrency: number | undefined;
  if (scaling !== undefined) {
    if (typeof scaling !== 'object' || scaling === null || Object.keys(scaling).some((k) => k !== 'MaximumConcurrency')) {
      throw new UnsupportedTemplateError(id, 'Properties.ScalingConfig', 'only MaximumConcurrency is known');
    }
    maximumConcurrency = integer(resource, 'ScalingConfig.MaximumConcurrency', (scaling as Record<string, unknown>)['MaximumConcurrency'], 2, 1000);
  }
  const enabled = p['Enabled'] === undefined ? true : String(p['Enabled']) === 'true';
  return {
    logicalId: id,
    uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(resource.ref) ? resource.ref : stableUuid(`${stackName}/${id}`),
    functionRef: p['FunctionName'],
    eventSourceArn: source,
    batchSize,
    maximumBatchingWindowInSeconds: window,
    reportBatchItemFailures: responseTypes.length > 0,
    ...(maximumConcurrency === undefined ? {} : { maximumConcurrency }),
    enabled,
    filterPatterns: filterPatterns(resource),
  };
}

/** FilterCriteria.Filters[].Pattern: JSON text in EventBridge pattern syntax, as Lambda reads it. */
function filterPatterns(resource: StackResource): unknown[] {
  const criteria = resource.properties['FilterCriteria'];
  if (criteria === undefined) return [];
  const filters = (criteria as { Filters?: unknown } | null)?.Filters;
  if (!Array.isArray(filters)) throw new UnsupportedTemplateError(resource.logicalId, 'Properties.FilterCriteria.Filters', 'must be a list of { Pattern }');
  return filters.map((filter, index) => {
    const path = `Properties.FilterCriteria.Filters.${index}.Pattern`;
    const text = (filter as { Pattern?: unknown } | null)?.Pattern;
    if (typeof text !== 'string') throw new UnsupportedTemplateError(resource.logicalId, path, 'must be JSON text of an event pattern');
    let pattern: unknown;
    try {
      pattern = JSON.parse(text);
    } catch {
      throw new UnsupportedTemplateError(resource.logicalId, path, 'is not valid JSON');
    }
    if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) {
      throw new UnsupportedTemplateError(resource.logicalId, path, 'must be a JSON object');
    }
    return pattern;
  });
}

function integer(resource: StackResource, path: string, raw: unknown, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UnsupportedTemplateError(resource.logicalId, `Properties.${path}`, `${String(raw)} is outside ${min}..${max}`);
  }
  return value;
}
