import type { StackResource } from '../cloudformation/types.js';
import { UnsupportedTemplateError } from '../protocol/errors.js';
import { unsupportedPolicyParts } from '../iam/policy.js';
import type { QueueSettings } from './queue.js';

/** The condition keys SqsService's authorize() supplies when a service sends to a queue. */
export const QUEUE_POLICY_CONTEXT_KEYS: readonly string[] = ['aws:SourceArn', 'aws:SourceAccount', 'aws:SecureTransport'];

/** Properties that only describe the queue (tags, encryption at rest) and change nothing locally. */
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
  const int = (key: string, min: number, max: number): number | undefined => {
    if (props[key] === undefined) return undefined;
    const value = Number(props[key]);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new UnsupportedTemplateError(resource.logicalId, `Properties.${key}`, `${String(props[key])} is outside ${min}..${max}`);
    }
    return value;
  };
  const visibility = int('VisibilityTimeout', 0, 43_200);
  if (visibility !== undefined) settings.visibilityTimeout = visibility;
  const retention = int('MessageRetentionPeriod', 60, 1_209_600);
  if (retention !== undefined) settings.messageRetentionPeriod = retention;
  const delay = int('DelaySeconds', 0, 900);
  if (delay !== undefined) settings.delaySeconds = delay;
  const wait = int('ReceiveMessageWaitTimeSeconds', 0, 20);
  if (wait !== undefined) settings.receiveMessageWaitTimeSeconds = wait;
  const size = int('MaximumMessageSize', 1024, 1_048_576);
  if (size !== undefined) settings.maximumMessageSize = size;
  const reuse = int('KmsDataKeyReusePeriodSeconds', 60, 86_400);
  if (reuse !== undefined) settings.kmsDataKeyReusePeriodSeconds = reuse;
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
