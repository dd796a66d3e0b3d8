/**
 * Subscriptions made through the API (Subscribe): their request checks, how
 * they are built into the same SubscriptionDefinition template subscriptions
 * are, the attributes GetSubscriptionAttributes answers, and how the state
 * store keeps them.
 */
import { isDeepStrictEqual } from 'node:util';
import { arnField } from '../arn.js';
import type { PatternMatcher } from '../contracts.js';
import type { Owner } from '../state/types.js';
import { invalidParameter } from './message.js';
import {
  filterPolicyProblem,
  parseSubscriptionAttributes,
  SERVED_ATTRIBUTES,
  servedProtocol,
  serviceOf,
  SubscriptionSettingError,
  unservedAttribute,
} from './subscription-settings.js';
import type { SubscriptionDefinition } from './topology.js';

/** A subscription Subscribe made, as the state store keeps it: its attributes as Subscribe and SetSubscriptionAttributes gave them. */
export interface PersistedSubscription {
  readonly arn: string;
  readonly topicArn: string;
  readonly protocol: string;
  readonly endpoint: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * No template resource owns a subscription Subscribe made, so no change of
 * the assembly drops it (as on AWS). The type is no CloudFormation type, so
 * no resource of the stack can collide with it.
 */
export const API_SUBSCRIPTION_OWNER_TYPE = 'AWS::SNS::Subscription (Subscribe)';

/** Owner of the record of every subscription Subscribe made. */
export const API_SUBSCRIPTIONS_OWNER: Owner = { logicalId: 'Subscribe', type: API_SUBSCRIPTION_OWNER_TYPE };

/** Owner of the deliveries not yet done of one subscription Subscribe made: its ARN, which no logical id can spell. */
export function apiSubscriptionDeliveriesOwner(arn: string): Owner {
  return { logicalId: arn, type: API_SUBSCRIPTION_OWNER_TYPE };
}

/** Subscribe puts "Attributes Reason: " before the reason an attribute is refused; SetSubscriptionAttributes does not. */
export type AttributesCall = 'Subscribe' | 'SetSubscriptionAttributes';

function prefixOf(call: AttributesCall, attributeReason = true): string {
  return call === 'Subscribe' && attributeReason ? 'Invalid parameter: Attributes Reason: ' : 'Invalid parameter: ';
}

function refusal(error: SubscriptionSettingError, call: AttributesCall): Error {
  return invalidParameter(`${prefixOf(call, error.attributeReason)}${error.message}`);
}

/** Refuse a name SNS does not know, or one it knows that the local runtime does not honour, saying which and why. */
export function checkAttributeName(name: string, call: AttributesCall): void {
  if (SERVED_ATTRIBUTES.includes(name)) return;
  const unserved = unservedAttribute(name);
  throw invalidParameter(unserved ? `${prefixOf(call)}${name}: ${unserved}` : `${prefixOf(call)}AttributeName`);
}

/**
 * A Subscribe request's protocol and endpoint, or SNS's error. The local
 * runtime delivers to Lambda functions and SQS queues of the topic's account,
 * which SNS confirms at once; the rest fail loudly, as the template loader
 * refuses them. https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html
 */
export function checkEndpoint(protocolText: string, endpoint: string | undefined, topicArn: string): 'lambda' | 'sqs' {
  let protocol: 'lambda' | 'sqs';
  try {
    protocol = servedProtocol(protocolText);
  } catch (error) {
    if (error instanceof SubscriptionSettingError) throw invalidParameter(`Invalid parameter: ${error.message}`);
    throw error;
  }
  if (endpoint === undefined || serviceOf(endpoint) !== protocol) {
    throw invalidParameter(`Invalid parameter: ${protocol === 'sqs' ? 'SQS' : 'Lambda'} endpoint ARN`);
  }
  // A FIFO queue takes a FIFO topic's messages only (and FIFO topics are not served here); the words are those
  // of LocalStack's SNS provider, which its recorded tests hold to AWS's answers.
  if (protocol === 'sqs' && endpoint.endsWith('.fifo')) {
    throw invalidParameter('Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics');
  }
  const account = arnField(topicArn, 'account');
  if (arnField(endpoint, 'account') !== account) {
    // On AWS the endpoint's owner confirms a cross-account subscription (ConfirmSubscription), which is not served here.
    throw invalidParameter(
      `Invalid parameter: Endpoint Reason: the local runtime serves subscriptions of endpoints in the topic's account (${account}) only; ${endpoint} is in another account`,
    );
  }
  return protocol;
}

/**
 * The SubscriptionDefinition a Subscribe request (or a kept record) describes,
 * its attributes checked as the template loader checks them. Throws what
 * `call` answers for a bad attribute.
 */
export function buildSubscription(record: PersistedSubscription, matcher: PatternMatcher, call: AttributesCall): SubscriptionDefinition {
  const protocol = servedProtocol(record.protocol);
  for (const name of Object.keys(record.attributes)) checkAttributeName(name, call);
  let settings: ReturnType<typeof parseSubscriptionAttributes>;
  try {
    settings = parseSubscriptionAttributes(record.attributes, protocol);
  } catch (error) {
    throw error instanceof SubscriptionSettingError ? refusal(error, call) : error;
  }
  const problem = settings.filter ? filterPolicyProblem(settings.filter, matcher) : undefined;
  if (problem !== undefined) throw invalidParameter(problem.startsWith('Invalid parameter: ') ? problem : `Invalid parameter: FilterPolicy: ${problem}`);
  return {
    logicalId: record.arn,
    madeWithSubscribe: true,
    arn: record.arn,
    topicArn: record.topicArn,
    protocol,
    endpoint: record.endpoint,
    ...settings,
  };
}

/**
 * GetSubscriptionAttributes' map for a confirmed Lambda or SQS subscription
 * (https://docs.aws.amazon.com/sns/latest/api/API_GetSubscriptionAttributes.html).
 * FilterPolicy and RedrivePolicy read as they were given; a template's
 * objects as JSON. FilterPolicyScope shows with a filter policy only.
 * SubscriptionPrincipal (who subscribed) is left out: the runtime does not
 * know it for the stack's subscriptions, and a made-up principal would mislead.
 * DeliveryPolicy and EffectiveDeliveryPolicy are HTTP/S attributes.
 */
export function subscriptionAttributes(subscription: SubscriptionDefinition, owner: string, given: Readonly<Record<string, string>> = {}): Record<string, string> {
  const filterText = given['FilterPolicy'];
  const redriveText = given['RedrivePolicy'];
  return {
    Owner: owner,
    RawMessageDelivery: String(subscription.rawMessageDelivery),
    TopicArn: subscription.topicArn,
    Endpoint: subscription.endpoint,
    Protocol: subscription.protocol,
    PendingConfirmation: 'false',
    ConfirmationWasAuthenticated: 'true',
    SubscriptionArn: subscription.arn,
    ...(subscription.filter
      ? { FilterPolicy: filterText || JSON.stringify(subscription.filter.policy), FilterPolicyScope: subscription.filter.scope }
      : {}),
    ...(subscription.deadLetterTargetArn
      ? { RedrivePolicy: redriveText || JSON.stringify({ deadLetterTargetArn: subscription.deadLetterTargetArn }) }
      : {}),
  };
}

const DEFAULTS: Readonly<Record<string, string>> = { RawMessageDelivery: 'false', FilterPolicyScope: 'MessageAttributes' };

/** An attribute's value as SNS compares them: JSON documents by content, the rest by text. */
function comparable(name: string, value: string | undefined): unknown {
  if (value === undefined) return DEFAULTS[name];
  if (name === 'RawMessageDelivery') return value.toLowerCase();
  if (name === 'FilterPolicy' || name === 'RedrivePolicy') {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

/**
 * Whether a Subscribe of an endpoint the topic already has asks for what the
 * subscription has: each attribute the request gives must match (the rest
 * are not compared), else SNS answers "Subscription already exists with
 * different attributes".
 */
export function sameAttributes(existing: Readonly<Record<string, string>>, requested: Readonly<Record<string, string>>): boolean {
  return Object.entries(requested).every(([name, value]) => value === '' || isDeepStrictEqual(comparable(name, existing[name]), comparable(name, value)));
}
