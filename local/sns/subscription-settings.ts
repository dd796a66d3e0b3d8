/**
 * A subscription's protocol and attributes as SNS checks them, shared by the
 * template loader (AWS::SNS::Subscription) and the API (Subscribe,
 * SetSubscriptionAttributes), so both serve and refuse the same things.
 * https://docs.aws.amazon.com/sns/latest/api/API_SetSubscriptionAttributes.html
 */
import { parseArn } from '../arn.js';
import type { PatternMatcher } from '../contracts.js';
import { AwsError } from '../protocol/errors.js';
import { describeError } from './delivery.js';
import { asFilterPolicyError, FilterPolicyError, validateFilterPolicy, type FilterPolicy, type FilterPolicyScope } from './filter-policy.js';

/**
 * Why a subscription's protocol or attribute cannot be served: `message` is
 * SNS's reason, what follows "Invalid parameter: " in its answer.
 */
export class SubscriptionSettingError extends Error {
  constructor(
    /** The attribute (or `Protocol`), with a key inside it where one is at fault: `RedrivePolicy.maxReceiveCount`. */
    readonly attribute: string,
    message: string,
    /**
     * Subscribe puts "Attributes Reason: " before an attribute's reason, except
     * for a filter policy SNS parsed and then refused, whose reason it gives as is.
     */
    readonly attributeReason = true,
  ) {
    super(message);
  }
}

/** The protocols of AWS SNS the local runtime does not deliver to. */
const UNSUPPORTED_PROTOCOLS = new Set(['http', 'https', 'email', 'email-json', 'sms', 'application', 'firehose']);

/** The attributes a Lambda or SQS subscription honours here. */
export const SERVED_ATTRIBUTES: readonly string[] = ['RawMessageDelivery', 'FilterPolicy', 'FilterPolicyScope', 'RedrivePolicy'];

/** Valid SNS subscription attributes the local runtime does not honour, and why. */
const UNSERVED_ATTRIBUTES: Readonly<Record<string, string>> = {
  DeliveryPolicy: 'a delivery policy applies to HTTP/S endpoints only, which the local runtime does not serve',
  SubscriptionRoleArn: 'Firehose subscriptions are not supported locally',
  ReplayPolicy: 'message archiving and replay (FIFO topics) are not supported locally',
};

/** Why an attribute SNS knows is not honoured locally, or undefined for one it does not know. */
export function unservedAttribute(name: string): string | undefined {
  return Object.hasOwn(UNSERVED_ATTRIBUTES, name) ? UNSERVED_ATTRIBUTES[name] : undefined;
}

/** `protocol` when the local runtime delivers to it (lambda, sqs); SNS's reason otherwise. */
export function servedProtocol(protocol: string): 'lambda' | 'sqs' {
  if (UNSUPPORTED_PROTOCOLS.has(protocol)) {
    throw new SubscriptionSettingError('Protocol', `Protocol Reason: protocol ${protocol} is not supported locally (lambda and sqs are)`);
  }
  if (protocol !== 'lambda' && protocol !== 'sqs') {
    throw new SubscriptionSettingError('Protocol', `Amazon SNS does not support this protocol string: ${protocol}`);
  }
  return protocol;
}

/** The service an ARN names, where its partition and resource are not empty (an endpoint must be a whole ARN). */
export function serviceOf(text: string): string | undefined {
  const fields = parseArn(text);
  return fields?.partition && fields.resource ? fields.service : undefined;
}

/** What a subscription's attributes mean for its deliveries. */
export interface SubscriptionSettings {
  readonly rawMessageDelivery: boolean;
  readonly filter?: FilterPolicy;
  /** SQS queue ARN from `RedrivePolicy.deadLetterTargetArn`. */
  readonly deadLetterTargetArn?: string;
}

/**
 * The settings the attributes give a subscription of `protocol`, checked as
 * SNS checks them (values may be a template's JSON objects and booleans, or
 * the API's strings). Other keys are the caller's to refuse.
 */
export function parseSubscriptionAttributes(attributes: Readonly<Record<string, unknown>>, protocol: 'lambda' | 'sqs'): SubscriptionSettings {
  const raw = attributes['RawMessageDelivery'];
  const rawText = typeof raw === 'string' ? raw.toLowerCase() : raw;
  if (rawText !== undefined && rawText !== 'true' && rawText !== 'false' && rawText !== true && rawText !== false) {
    throw new SubscriptionSettingError('RawMessageDelivery', `RawMessageDelivery: Invalid value [${String(raw)}]. Must be true or false.`);
  }
  const rawMessageDelivery = rawText === true || rawText === 'true';
  if (rawMessageDelivery && protocol === 'lambda') {
    throw new SubscriptionSettingError('RawMessageDelivery', 'Delivery protocol [lambda] does not support raw message delivery.');
  }
  const filter = readFilter(attributes);
  const deadLetterTargetArn = readRedrive(attributes['RedrivePolicy']);
  return {
    rawMessageDelivery,
    ...(filter ? { filter } : {}),
    ...(deadLetterTargetArn ? { deadLetterTargetArn } : {}),
  };
}

function parseJson(attribute: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new SubscriptionSettingError(attribute, `${attribute}: failed to parse JSON.`);
  }
}

function readFilter(attributes: Readonly<Record<string, unknown>>): FilterPolicy | undefined {
  const scope = attributes['FilterPolicyScope'] ?? 'MessageAttributes';
  if (scope !== 'MessageAttributes' && scope !== 'MessageBody') {
    throw new SubscriptionSettingError('FilterPolicyScope', `FilterPolicyScope: Invalid value [${String(scope)}]. Please use either MessageBody or MessageAttributes`);
  }
  const value = attributes['FilterPolicy'];
  // An empty policy (and, through the API, an empty value) is no filter: every message passes.
  if (value === undefined || value === '') return undefined;
  const policy = parseJson('FilterPolicy', value);
  if (typeof policy === 'object' && policy !== null && !Array.isArray(policy) && Object.keys(policy).length === 0) return undefined;
  try {
    validateFilterPolicy(policy, scope as FilterPolicyScope);
  } catch (error) {
    if (error instanceof FilterPolicyError) throw new SubscriptionSettingError('FilterPolicy', error.message, false);
    throw error;
  }
  return { scope: scope as FilterPolicyScope, policy: policy as Record<string, unknown> };
}

function readRedrive(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  const policy = parseJson('RedrivePolicy', value);
  const target = (policy as Record<string, unknown> | null)?.['deadLetterTargetArn'];
  if (typeof target !== 'string' || serviceOf(target) !== 'sqs') {
    throw new SubscriptionSettingError('RedrivePolicy', 'RedrivePolicy: deadLetterTargetArn is an invalid arn');
  }
  for (const key of Object.keys(policy as Record<string, unknown>)) {
    if (key !== 'deadLetterTargetArn') throw new SubscriptionSettingError(`RedrivePolicy.${key}`, `RedrivePolicy: unknown redrive policy key ${key}`);
  }
  return target;
}

/**
 * Why the shared matcher cannot run a valid filter policy, or undefined when
 * it can: compiled once when the subscription is made, so a policy it cannot
 * evaluate is refused then, not dropped per message. SNS's own refusal reads
 * as SNS would answer it; anything else is a limit of the local matcher.
 */
export function filterPolicyProblem(filter: FilterPolicy, matcher: PatternMatcher): string | undefined {
  try {
    matcher(filter.policy, {});
    return undefined;
  } catch (error) {
    const mapped = asFilterPolicyError(error);
    return mapped instanceof AwsError && mapped.code === 'InvalidParameter' ? mapped.message : `cannot be evaluated locally: ${describeError(mapped)}`;
  }
}
