import { unsupportedPolicyParts } from '../iam/policy.js';
import { AwsError } from '../protocol/errors.js';
import type { QueueSettings } from './queue.js';
import { QUEUE_POLICY_CONTEXT_KEYS } from './template.js';

/**
 * CreateQueue's `Attributes`, checked as SQS checks them. The ranges are
 * those of the API reference (and of the template reader, template.ts):
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
 * An integer out of range is InvalidAttributeValue "Invalid value for the
 * parameter <Name>."; a bad redrive policy is InvalidParameterValue "Value
 * <json> for parameter RedrivePolicy is invalid. Reason: ..."; a name SQS
 * does not know is InvalidAttributeName "Unknown Attribute <Name>.".
 */
export interface RequestedAttributes {
  /** Only the settings the request names: CreateQueue on an existing queue compares these alone. */
  readonly settings: Partial<QueueSettings>;
  /** The `Policy` attribute's document, when given. */
  readonly policy?: unknown;
  /** The attribute names, in request order. */
  readonly names: readonly string[];
  /** Policy, RedrivePolicy or RedriveAllowPolicy given as an empty string to SetQueueAttributes: to be removed. */
  readonly removed: readonly RemovableAttribute[];
}

/**
 * The attributes SetQueueAttributes removes when given an empty string, as
 * AWS does (Terraform relies on it to drop a policy; LocalStack PR #11385 and
 * moto PR #4091 checked it against AWS). Any other empty value is invalid.
 */
const REMOVABLE = ['Policy', 'RedrivePolicy', 'RedriveAllowPolicy'] as const;
export type RemovableAttribute = (typeof REMOVABLE)[number];

const INTEGER_ATTRIBUTES: Readonly<Record<string, readonly [keyof QueueSettings, number, number]>> = {
  DelaySeconds: ['delaySeconds', 0, 900],
  MaximumMessageSize: ['maximumMessageSize', 1024, 1_048_576],
  MessageRetentionPeriod: ['messageRetentionPeriod', 60, 1_209_600],
  ReceiveMessageWaitTimeSeconds: ['receiveMessageWaitTimeSeconds', 0, 20],
  VisibilityTimeout: ['visibilityTimeout', 0, 43_200],
  KmsDataKeyReusePeriodSeconds: ['kmsDataKeyReusePeriodSeconds', 60, 86_400],
};

/** Attributes of FIFO queues, which the local runtime does not emulate. */
const FIFO_ATTRIBUTES = new Set(['FifoQueue', 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']);

/** `forUpdate`: SetQueueAttributes's request, where an empty Policy, RedrivePolicy or RedriveAllowPolicy removes it. */
export function requestedAttributes(raw: unknown, forUpdate = false): RequestedAttributes {
  if (raw === undefined || raw === null) return { settings: {}, names: [], removed: [] };
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new AwsError('InvalidParameterValue', 'Attributes must be a map of attribute names to values.');
  const settings: Partial<QueueSettings> = {};
  let policy: unknown;
  const removed: RemovableAttribute[] = [];
  const names = Object.keys(raw);
  for (const [name, given] of Object.entries(raw as Record<string, unknown>)) {
    const value = typeof given === 'string' ? given : typeof given === 'number' || typeof given === 'boolean' ? String(given) : undefined;
    if (forUpdate && value === '' && (REMOVABLE as readonly string[]).includes(name)) {
      removed.push(name as RemovableAttribute);
      continue;
    }
    if (FIFO_ATTRIBUTES.has(name)) {
      throw new AwsError('InvalidAttributeName', `The local runtime does not emulate FIFO queues: attribute ${name} cannot be honoured.`);
    }
    const integer = INTEGER_ATTRIBUTES[name];
    if (integer) {
      const [setting, min, max] = integer;
      const number = value !== undefined && /^-?\d+$/.test(value) ? Number(value) : NaN;
      if (!Number.isInteger(number) || number < min || number > max) {
        throw new AwsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);
      }
      (settings as Record<string, number>)[setting] = number;
      continue;
    }
    switch (name) {
      case 'SqsManagedSseEnabled':
        if (value !== 'true' && value !== 'false') throw new AwsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);
        settings.sqsManagedSseEnabled = value === 'true';
        break;
      case 'KmsMasterKeyId':
        if (value === undefined || value === '') throw new AwsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);
        // Encryption at rest only describes the queue locally, as for a stack queue.
        settings.kmsMasterKeyId = value;
        break;
      case 'RedrivePolicy':
        settings.redrivePolicy = redrivePolicy(value);
        break;
      case 'RedriveAllowPolicy':
        settings.redriveAllowPolicy = redriveAllowPolicy(value);
        break;
      case 'Policy':
        policy = queuePolicy(value);
        break;
      default:
        throw new AwsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
  }
  // A customer managed key replaces SQS-managed encryption, unless the request says otherwise.
  if (settings.kmsMasterKeyId !== undefined && settings.sqsManagedSseEnabled === undefined) settings.sqsManagedSseEnabled = false;
  return { settings, names, removed, ...(policy === undefined ? {} : { policy }) };
}

function jsonMap(value: string | undefined): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function redrivePolicy(value: string | undefined): NonNullable<QueueSettings['redrivePolicy']> {
  const policy = jsonMap(value);
  if (!policy) throw new AwsError('InvalidParameterValue', 'Invalid value for the parameter RedrivePolicy. Reason: Redrive policy is not a valid JSON map.');
  const invalid = (reason: string) => new AwsError('InvalidParameterValue', `Value ${value} for parameter RedrivePolicy is invalid. Reason: ${reason}`);
  for (const key of ['deadLetterTargetArn', 'maxReceiveCount']) {
    if (!(key in policy)) throw invalid(`Redrive policy does not contain mandatory attribute: ${key}.`);
  }
  const count = Number(policy.maxReceiveCount);
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw invalid(`Invalid value for maxReceiveCount: ${String(policy.maxReceiveCount)}, valid values are from 1 to 1000 both inclusive.`);
  }
  const target = policy.deadLetterTargetArn;
  if (typeof target !== 'string' || !/^arn:[^:]+:sqs:[^:]+:\d{12}:[^:]+$/.test(target)) throw invalid('Dead-letter target ARN should be fully qualified ARN.');
  if (Object.keys(policy).length > 2) throw invalid('Only following attributes are supported: [maxReceiveCount, deadLetterTargetArn].');
  return { deadLetterTargetArn: target, maxReceiveCount: count };
}

function redriveAllowPolicy(value: string | undefined): NonNullable<QueueSettings['redriveAllowPolicy']> {
  const policy = jsonMap(value);
  const invalid = (reason: string) => new AwsError('InvalidParameterValue', `Value ${value} for parameter RedriveAllowPolicy is invalid. Reason: ${reason}`);
  const permission = policy?.redrivePermission;
  if (!policy || (permission !== 'allowAll' && permission !== 'denyAll' && permission !== 'byQueue')) {
    throw invalid('Amazon SQS can\'t create the redrive allow policy. redrivePermission must be allowAll, denyAll or byQueue.');
  }
  const sources = policy.sourceQueueArns;
  if (sources !== undefined && (!Array.isArray(sources) || sources.some((s) => typeof s !== 'string'))) {
    throw invalid('Amazon SQS can\'t create the redrive allow policy. sourceQueueArns must be a list of queue ARNs.');
  }
  if (sources !== undefined && permission !== 'byQueue') {
    throw invalid('Amazon SQS can\'t create the redrive allow policy. To specify one or more source queue ARNs, you must set redrivePermission to byQueue.');
  }
  if (permission === 'byQueue' && (sources === undefined || sources.length === 0)) {
    throw invalid(
      'Amazon SQS can\'t create the redrive allow policy. When you specify the byQueue permission type, you must also specify one or more sourceQueueArns values.',
    );
  }
  if (sources !== undefined && sources.length > 10) {
    throw invalid('Amazon SQS can\'t create the redrive allow policy. The maximum number of source queue ARNs you can specify is 10.');
  }
  return { redrivePermission: permission, ...(sources === undefined ? {} : { sourceQueueArns: sources as string[] }) };
}

/** The queue policy document; a condition the local runtime cannot evaluate is refused, naming where it is. */
function queuePolicy(value: string | undefined): unknown {
  const document = jsonMap(value);
  if (!document || document.Statement === undefined) throw new AwsError('InvalidAttributeValue', 'Invalid value for the parameter Policy.');
  const [unsupported] = unsupportedPolicyParts(document, QUEUE_POLICY_CONTEXT_KEYS);
  if (unsupported) {
    throw new AwsError('InvalidAttributeValue', `The local runtime cannot honour the Policy attribute: ${unsupported.path}: ${unsupported.reason}.`);
  }
  return document;
}
