import { createHash } from 'node:crypto';
import { arnField } from '../arn.js';
import type { StackModel, StackResource } from '../cloudformation/types.js';
import { envOf } from '../cloudformation/environments.js';
import { UnsupportedTemplateError } from '../protocol/errors.js';
import type { FilterPolicy } from './filter-policy.js';
import { parseSubscriptionAttributes, servedProtocol, serviceOf, SubscriptionSettingError, unservedAttribute } from './subscription-settings.js';
import { readTopicPolicy, type TopicPolicy } from './topic-policy.js';

/** A topic from the template. */
export interface TopicDefinition {
  readonly logicalId: string;
  readonly arn: string;
  readonly name: string;
  readonly displayName: string;
  readonly kmsMasterKeyId?: string;
  /** `1` (SHA1withRSA, the default) or `2` (SHA256withRSA). */
  readonly signatureVersion: string;
  /** The documents of every AWS::SNS::TopicPolicy naming this topic; Publish by a service honours them all. */
  readonly policies: readonly Readonly<Record<string, unknown>>[];
}

/** A confirmed subscription: from the template (standalone or inline on the topic), or made with Subscribe. */
export interface SubscriptionDefinition {
  /** The AWS::SNS::Subscription, or `<Topic>.Subscription.<n>` for an inline one; the ARN of one Subscribe made. */
  readonly logicalId: string;
  /** Made with Subscribe: no template resource owns it. */
  readonly madeWithSubscribe?: true;
  readonly arn: string;
  readonly topicArn: string;
  readonly protocol: 'lambda' | 'sqs';
  readonly endpoint: string;
  readonly rawMessageDelivery: boolean;
  readonly filter?: FilterPolicy;
  /** SQS queue ARN from `RedrivePolicy.deadLetterTargetArn`. */
  readonly deadLetterTargetArn?: string;
}

const TOPIC_PROPERTIES = new Set(['TopicName', 'DisplayName', 'KmsMasterKeyId', 'Tags', 'Subscription', 'FifoTopic', 'ContentBasedDeduplication', 'SignatureVersion', 'TracingConfig']);
const SUBSCRIPTION_PROPERTIES = new Set(['Protocol', 'Endpoint', 'TopicArn', 'FilterPolicy', 'FilterPolicyScope', 'RawMessageDelivery', 'RedrivePolicy', 'Region']);

/** Read every topic, topic policy and subscription of the stack, or throw naming what cannot be served. */
export function readTopology(stack: StackModel): { topics: TopicDefinition[]; subscriptions: SubscriptionDefinition[] } {
  const policyResources = stack.resourcesOfType('AWS::SNS::TopicPolicy');
  const policies = policyResources.map(readTopicPolicy);
  const topicResources = stack.resourcesOfType('AWS::SNS::Topic');
  const topics = topicResources.map((resource) => readTopic(stack, resource, policies));
  const byArn = new Map(topics.map((t) => [t.arn, t]));
  for (const [index, policy] of policies.entries()) {
    for (const arn of policy.topics) {
      if (!byArn.has(arn)) {
        throw new UnsupportedTemplateError(policyResources[index]!.logicalId, 'Properties.Topics', `${arn} is not a topic of this stack`);
      }
    }
  }
  const subscriptions: SubscriptionDefinition[] = [];
  for (const [index, resource] of topicResources.entries()) {
    const topic = topics[index]!;
    const inline = resource.properties['Subscription'];
    if (inline === undefined) continue;
    if (!Array.isArray(inline)) throw new UnsupportedTemplateError(resource.logicalId, 'Properties.Subscription', 'must be a list');
    inline.forEach((entry: unknown, i) => {
      const path = `Properties.Subscription.${i}`;
      const e = (entry ?? {}) as Record<string, unknown>;
      for (const key of Object.keys(e)) {
        if (key !== 'Endpoint' && key !== 'Protocol') throw new UnsupportedTemplateError(resource.logicalId, `${path}.${key}`, 'unknown subscription property');
      }
      subscriptions.push(
        readSubscriptionProperties(stack, `${resource.logicalId}.Subscription.${i}`, resource.logicalId, path, { ...e, TopicArn: topic.arn }, byArn, undefined),
      );
    });
  }
  for (const resource of stack.resourcesOfType('AWS::SNS::Subscription')) {
    for (const key of Object.keys(resource.properties)) {
      if (!SUBSCRIPTION_PROPERTIES.has(key)) throw new UnsupportedTemplateError(resource.logicalId, `Properties.${key}`, unsupportedSubscriptionProperty(key));
    }
    subscriptions.push(readSubscriptionProperties(stack, resource.logicalId, resource.logicalId, 'Properties', resource.properties, byArn, resource.ref));
  }
  return { topics, subscriptions };
}

function unsupportedSubscriptionProperty(key: string): string {
  return unservedAttribute(key) ?? 'unknown AWS::SNS::Subscription property';
}

function readTopic(stack: StackModel, resource: StackResource, policies: readonly TopicPolicy[]): TopicDefinition {
  const id = resource.logicalId;
  const p = resource.properties;
  for (const key of Object.keys(p)) {
    if (!TOPIC_PROPERTIES.has(key)) throw new UnsupportedTemplateError(id, `Properties.${key}`, unsupportedTopicProperty(key));
  }
  if (p['FifoTopic'] === true || p['FifoTopic'] === 'true') {
    throw new UnsupportedTemplateError(id, 'Properties.FifoTopic', 'FIFO topics (ordering, deduplication, MessageGroupId) are not supported locally');
  }
  if (p['ContentBasedDeduplication'] === true || p['ContentBasedDeduplication'] === 'true') {
    throw new UnsupportedTemplateError(id, 'Properties.ContentBasedDeduplication', 'only valid for FIFO topics, which are not supported locally');
  }
  const signatureVersion = p['SignatureVersion'] === undefined ? '1' : String(p['SignatureVersion']);
  if (signatureVersion !== '1' && signatureVersion !== '2') {
    throw new UnsupportedTemplateError(id, 'Properties.SignatureVersion', `must be 1 or 2, got ${signatureVersion}`);
  }
  const name =
    (typeof p['TopicName'] === 'string' ? p['TopicName'] : undefined) ?? resource.attributes['TopicName'] ?? `${stack.stackName}-${id}`;
  const env = envOf(stack, resource);
  const arn = resource.arn ?? (resource.ref.startsWith('arn:') ? resource.ref : `arn:${env.partition}:sns:${env.region}:${env.account}:${name}`);
  return {
    logicalId: id,
    arn,
    name: arnField(arn, 'resource') ?? name,
    displayName: typeof p['DisplayName'] === 'string' ? p['DisplayName'] : '',
    ...(typeof p['KmsMasterKeyId'] === 'string' ? { kmsMasterKeyId: p['KmsMasterKeyId'] } : {}),
    signatureVersion,
    policies: policies.filter((policy) => policy.topics.includes(arn)).map((policy) => policy.document),
  };
}

function unsupportedTopicProperty(key: string): string {
  switch (key) {
    case 'DataProtectionPolicy':
      return 'message data protection (audit, de-identify, deny) is not emulated locally';
    case 'DeliveryStatusLogging':
      return 'delivery status logging to CloudWatch Logs is not emulated locally';
    case 'ArchivePolicy':
    case 'FifoThroughputScope':
      return 'only valid for FIFO topics, which are not supported locally';
    default:
      return 'unknown AWS::SNS::Topic property';
  }
}

function readSubscriptionProperties(
  stack: StackModel,
  name: string,
  logicalId: string,
  path: string,
  p: Readonly<Record<string, unknown>>,
  topics: ReadonlyMap<string, TopicDefinition>,
  ref: string | undefined,
): SubscriptionDefinition {
  const topicArn = p['TopicArn'];
  if (typeof topicArn !== 'string') throw new UnsupportedTemplateError(logicalId, `${path}.TopicArn`, 'required: the ARN of a topic');
  if (!topics.has(topicArn)) throw new UnsupportedTemplateError(logicalId, `${path}.TopicArn`, `${topicArn} is not a topic of this stack`);
  if (typeof p['Protocol'] !== 'string') throw new UnsupportedTemplateError(logicalId, `${path}.Protocol`, 'required');
  const protocol = settingOf(logicalId, path, () => servedProtocol(p['Protocol'] as string));
  const endpoint = p['Endpoint'];
  const endpointService = typeof endpoint === 'string' ? serviceOf(endpoint) : undefined;
  if (typeof endpoint !== 'string' || endpointService !== protocol) {
    throw new UnsupportedTemplateError(logicalId, `${path}.Endpoint`, `must be the ARN of ${protocol === 'lambda' ? 'a Lambda function' : 'an SQS queue'}`);
  }
  // A subscription is created in the topic's region: its Region property, else its stack's.
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sns-subscription.html
  const own = stack.resources.get(logicalId);
  const region = p['Region'] ?? (own ? envOf(stack, own) : stack.env).region;
  const topicRegion = arnField(topicArn, 'region');
  if (region !== topicRegion) {
    throw new UnsupportedTemplateError(logicalId, `${path}.Region`, `topic ${topicArn} is in ${topicRegion}, not in ${String(region)}: set Region to the topic's region`);
  }
  const settings = settingOf(logicalId, path, () => parseSubscriptionAttributes(p, protocol));
  const arn = ref?.startsWith(`${topicArn}:`) ? ref : `${topicArn}:${stableUuid(`${stack.stackId}/${name}`)}`;
  return {
    logicalId: name,
    arn,
    topicArn,
    protocol,
    endpoint,
    ...settings,
  };
}

/** `read()`, its SubscriptionSettingError told as the template's property at fault. */
function settingOf<T>(logicalId: string, path: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof SubscriptionSettingError) throw new UnsupportedTemplateError(logicalId, `${path}.${error.attribute}`, `Invalid parameter: ${error.message}`);
    throw error;
  }
}

/** A UUID-shaped id derived from `seed`, so a subscription keeps its ARN across restarts. */
function stableUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
