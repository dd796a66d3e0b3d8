import type { StackResource } from '../cloudformation/types.js';
import { UnsupportedTemplateError } from '../protocol/errors.js';
import { unsupportedPolicyParts } from '../iam/policy.js';
import type { QueueSettings } from './queue.js';

/** The condition keys SqsService's authorize() supplies when a service sends to a queue. */
export const QUEUE_POLICY_CONTEXT_KEYS: readonly string[] = ['aws:SourceArn', 'aws:SourceAccount', 'aws:SecureTransport'];

/** Properties that only describe the queue (tags, encryption at rest) and change nothing locally but what GetQueueAttributes and ListQueueTags answer. */
const ACCEPTED = new Set([
  'QueueName',
  'VisibilityTimeout',
  'MessageRetentionPeriod',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
  'MaximumMessageSize',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'SqsManagedSseEnabled',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'Tags',
]);

/** Integer queue properties, the setting each sets and the range AWS accepts. */
const INTEGER_SETTINGS: readonly (readonly [string, NumericSetting, number, number])[] = [
  ['VisibilityTimeout', 'visibilityTimeout', 0, 43_200],
  ['MessageRetentionPeriod', 'messageRetentionPeriod', 60, 1_209_600],
  ['DelaySeconds', 'delaySeconds', 0, 900],
  ['ReceiveMessageWaitTimeSeconds', 'receiveMessageWaitTimeSeconds', 0, 20],
  ['MaximumMessageSize', 'maximumMessageSize', 1024, 1_048_576],
  ['KmsDataKeyReusePeriodSeconds', 'kmsDataKeyReusePeriodSeconds', 60, 86_400],
];
type NumericSetting = { [K in keyof QueueSettings]-?: QueueSettings[K] extends number | undefined ? K : never }[keyof QueueSettings];

/** An AWS::SQS::Queue's settings, or UnsupportedTemplateError naming the property. */
export function queueSettingsFromTemplate(resource: StackResource): Partial<QueueSettings> {
  const props = resource.properties;
  for (const key of Object.keys(props)) {
    if (key === 'FifoQueue' && (props.FifoQueue === false || props.FifoQueue === 'false')) continue;
    if (!ACCEPTED.has(key)) {
      const why = ['FifoQueue', 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit'].includes(key)
        ? 'FIFO queues are not emulated by the local runtime'
        : `the local runtime does not emulate ${key}`;
      throw new UnsupportedTemplateError(resource.logicalId, `Properties.${key}`, why);
    }
  }
  const settings: Partial<QueueSettings> = {};
  for (const [key, setting, min, max] of INTEGER_SETTINGS) {
    if (props[key] === undefined) continue;
    const value = Number(props[key]);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new UnsupportedTemplateError(resource.logicalId, `Properties.${key}`, `${String(props[key])} is outside ${min}..${max}`);
    }
    settings[setting] = value;
  }
  if (typeof props.KmsMasterKeyId === 'string') {
    settings.kmsMasterKeyId = props.KmsMasterKeyId;
    settings.sqsManagedSseEnabled = false;
  }
  if (props.SqsManagedSseEnabled !== undefined) settings.sqsManagedSseEnabled = String(props.SqsManagedSseEnabled) === 'true';
  if (props.RedrivePolicy !== undefined) {
    const redrive = jsonObject(resource, 'RedrivePolicy', props.RedrivePolicy);
    const maxReceiveCount = Number(redrive.maxReceiveCount);
    if (typeof redrive.deadLetterTargetArn !== 'string' || !Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
      throw new UnsupportedTemplateError(
        resource.logicalId,
        'Properties.RedrivePolicy',
        'needs deadLetterTargetArn (a queue ARN) and maxReceiveCount (1..1000)',
      );
    }
    settings.redrivePolicy = { deadLetterTargetArn: redrive.deadLetterTargetArn, maxReceiveCount };
  }
  if (props.RedriveAllowPolicy !== undefined) {
    const allow = jsonObject(resource, 'RedriveAllowPolicy', props.RedriveAllowPolicy);
    const permission = allow.redrivePermission;
    if (permission !== 'allowAll' && permission !== 'denyAll' && permission !== 'byQueue') {
      throw new UnsupportedTemplateError(resource.logicalId, 'Properties.RedriveAllowPolicy.redrivePermission', 'must be allowAll, denyAll or byQueue');
    }
    settings.redriveAllowPolicy = {
      redrivePermission: permission,
      ...(Array.isArray(allow.sourceQueueArns) ? { sourceQueueArns: allow.sourceQueueArns.map(String) } : {}),
    };
  }
  return settings;
}

/** An AWS::SQS::Queue's Tags (a list of Key and Value), which ListQueueTags answers with. */
export function queueTagsFromTemplate(resource: StackResource): Map<string, string> {
  const tags = new Map<string, string>();
  const list = resource.properties.Tags;
  if (list === undefined) return tags;
  if (!Array.isArray(list)) throw new UnsupportedTemplateError(resource.logicalId, 'Properties.Tags', 'must be a list of Key and Value');
  list.forEach((tag: unknown, index) => {
    const { Key, Value } = (tag ?? {}) as Record<string, unknown>;
    if (typeof Key !== 'string' || (typeof Value !== 'string' && typeof Value !== 'number' && typeof Value !== 'boolean')) {
      throw new UnsupportedTemplateError(resource.logicalId, `Properties.Tags.${index}`, 'must have a string Key and Value');
    }
    tags.set(Key, String(Value));
  });
  return tags;
}

/** The queues an AWS::SQS::QueuePolicy (or QueueInlinePolicy) applies to, with its document. */
export function queuePolicyTargets(resource: StackResource): { queueUrl: string; document: unknown }[] {
  if (resource.type === 'AWS::SQS::QueueInlinePolicy') {
    const { Queue, ...others } = resource.properties;
    if (typeof Queue !== 'string') throw new UnsupportedTemplateError(resource.logicalId, 'Properties.Queue', 'must be a queue URL');
    return queuePolicyTargets({ ...resource, type: 'AWS::SQS::QueuePolicy', properties: { ...others, Queues: [Queue] } });
  }
  const { PolicyDocument, Queues, ...rest } = resource.properties;
  for (const key of Object.keys(rest)) {
    throw new UnsupportedTemplateError(resource.logicalId, `Properties.${key}`, `the local runtime does not know the QueuePolicy property ${key}`);
  }
  if (!Array.isArray(Queues) || Queues.some((q) => typeof q !== 'string')) {
    throw new UnsupportedTemplateError(resource.logicalId, 'Properties.Queues', 'must be a list of queue URLs');
  }
  if (typeof PolicyDocument !== 'object' || PolicyDocument === null) {
    throw new UnsupportedTemplateError(resource.logicalId, 'Properties.PolicyDocument', 'must be a policy document object');
  }
  const [unsupported] = unsupportedPolicyParts(PolicyDocument, QUEUE_POLICY_CONTEXT_KEYS);
  if (unsupported) throw new UnsupportedTemplateError(resource.logicalId, `Properties.PolicyDocument.${unsupported.path}`, unsupported.reason);
  return (Queues as string[]).map((queueUrl) => ({ queueUrl, document: PolicyDocument }));
}

function jsonObject(resource: StackResource, key: string, value: unknown): Record<string, unknown> {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new UnsupportedTemplateError(resource.logicalId, `Properties.${key}`, 'is not valid JSON');
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UnsupportedTemplateError(resource.logicalId, `Properties.${key}`, 'must be an object');
  }
  return parsed as Record<string, unknown>;
}
