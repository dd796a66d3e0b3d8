import { randomUUID } from 'node:crypto';
import { arnField, parseArn } from '../arn.js';
import { traceJsonLater } from '../tracing.js';
import type { Clock } from '../clock.js';
import type { InvokeCaller, PatternMatcher, ResourcePolicyRefused, Sinks, TopicSink, Tracer } from '../contracts.js';
import { environmentOfArn } from '../cloudformation/environments.js';
import type { StackEnvironment, StackModel } from '../cloudformation/types.js';
import { AwsError, UnsupportedTemplateError } from '../protocol/errors.js';
import { describeError, isClientError, managedRetryDelays } from './delivery.js';
import { passesFilter } from './filter-policy.js';
import { batchMemberPath, bodyFor, invalidParameter, validateBatch, validateMessage, type BatchEntryInput, type MessageContent, type MessageInput } from './message.js';
import { lambdaEventValue, sqsEnvelope, type Notification, type Recipient } from './notification.js';
import { checkPublishPermission } from './topic-policy.js';
import { readTopology, type SubscriptionDefinition, type TopicDefinition } from './topology.js';
import type { Collection, Owner, StateStore } from '../state/types.js';
import { decodeNotification, encodeNotification, type PendingDelivery, type StoredNotification } from './persisted.js';
import { inBackground } from '../background.js';
import { functionNameOf } from '../lambda/function-ref.js';
import {
  API_SUBSCRIPTIONS_OWNER,
  apiSubscriptionDeliveriesOwner,
  buildSubscription,
  checkAttributeName,
  checkEndpoint,
  sameAttributes,
  subscriptionAttributes,
  type PersistedSubscription,
} from './api-subscriptions.js';
import { filterPolicyProblem } from './subscription-settings.js';

export type { SubscriptionDefinition, TopicDefinition } from './topology.js';

/** A Publish call as the API receives it; every field is checked. */
export interface PublishRequest extends MessageInput {
  readonly TopicArn?: string;
  readonly TargetArn?: string;
  readonly PhoneNumber?: string;
  readonly MessageGroupId?: string;
  readonly MessageDeduplicationId?: string;
}

/** A PublishBatch entry as the API receives it; every field is checked. */
export interface PublishBatchEntry extends BatchEntryInput {
  readonly MessageGroupId?: string;
  readonly MessageDeduplicationId?: string;
}

/** The entries PublishBatch published, each with its MessageId (https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html). */
export interface PublishBatchResult {
  readonly Successful: readonly { readonly Id: string; readonly MessageId: string }[];
}

/** What SnsService needs from the runtime. */
export interface SnsDeps {
  /** Read at delivery time: filled in after every service exists. */
  readonly sinks: Sinks;
  readonly matcher: PatternMatcher;
  readonly clock: Clock;
  readonly tracer?: Tracer;
  /** Where deliveries not yet done (and their retries) are kept across restarts. */
  readonly state?: StateStore;
  /** Traces a service principal the topic policy refused as an IAM denial. */
  readonly resourcePolicyRefused?: ResourcePolicyRefused;
}

/** How many post-backoff retries of one delivery get their own trace line (then every 1000th). */
const TRACED_POST_BACKOFF_RETRIES = 3;

/**
 * Amazon SNS for the stack's topics: Publish validates like SNS, answers with
 * the MessageId at once, then delivers to each subscription whose filter
 * policy passes (Lambda: asynchronous invoke with the SNS event; SQS: the
 * JSON envelope or the raw message), retrying server-side failures under
 * SNS's managed delivery policy and moving client-side failures (and
 * exhausted retries) to the subscription's dead-letter queue.
 */
export class SnsService implements TopicSink {
  static readonly handledTypes: readonly string[] = ['AWS::SNS::Topic', 'AWS::SNS::Subscription', 'AWS::SNS::TopicPolicy'];

  private readonly topicsByArn: ReadonlyMap<string, TopicDefinition>;
  /** Per topic ARN: the account and region its notifications carry, read from the ARN once. */
  private readonly envByTopicArn: ReadonlyMap<string, StackEnvironment>;
  /** Regions with a topic served here (and the default one). */
  private readonly regions: ReadonlySet<string>;
  /** Deliveries started and not yet finished, and who waits for there to be none. */
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  /** Made once: a delivery's end is counted without a closure or a `finally` chain per delivery. */
  private readonly delivered = (): void => {
    this.inFlight -= 1;
    if (this.inFlight > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  };
  /** As `finally` did: a delivery that rejected is still an unhandled rejection. */
  private readonly deliveryFailed = (error: unknown): never => {
    this.delivered();
    throw error;
  };
  private readonly stopping = new AbortController();
  /** Per subscription ARN: its deliveries not yet done, kept across restarts. */
  private readonly stores = new Map<string, Collection<PendingDelivery>>();
  /** What each subscription's notifications say of it (fixed at start-up), made on its first delivery. */
  private readonly recipients = new Map<SubscriptionDefinition, Recipient>();
  /** SNS as the caller of a subscription's endpoint and dead-letter queue (fixed at start-up), made on its first delivery. */
  private readonly callers = new Map<SubscriptionDefinition, InvokeCaller>();
  /** Per topic ARN, its subscriptions: the template's in template order, then those Subscribe made (Publish asks for them on every message). */
  private readonly subscriptionsByTopic = new Map<string, SubscriptionDefinition[]>();
  /** The template's subscriptions, then those Subscribe made, in the order ListSubscriptions answers them. */
  private readonly allSubscriptions: SubscriptionDefinition[];
  /** Per ARN: every subscription served now; a delivery whose subscription left stops. */
  private readonly subscriptionsByArn = new Map<string, SubscriptionDefinition>();
  /** Per ARN: the subscriptions Subscribe made, with their attributes as given (the rest belong to the stack). */
  private readonly apiSubscriptions = new Map<string, PersistedSubscription>();
  /** Where the subscriptions Subscribe made are kept, when the runtime keeps state. */
  private readonly subscriptionRecords: Collection<PersistedSubscription> | undefined;

  private constructor(
    readonly env: StackEnvironment,
    readonly topics: readonly TopicDefinition[],
    subscriptions: readonly SubscriptionDefinition[],
    private readonly deps: SnsDeps,
  ) {
    this.topicsByArn = new Map(topics.map((t) => [t.arn, t]));
    this.envByTopicArn = new Map(topics.map((t) => [t.arn, environmentOfArn(t.arn, env)]));
    this.regions = new Set([env.region, ...[...this.envByTopicArn.values()].map((e) => e.region)]);
    this.allSubscriptions = [];
    for (const subscription of subscriptions) this.replaceSubscription(undefined, subscription);
    if (deps.state) {
      this.subscriptionRecords = deps.state.collection<PersistedSubscription>('sns-subscription', API_SUBSCRIPTIONS_OWNER);
      // Before any message is accepted or any delivery resumes: the subscriptions a previous run made get them.
      this.restoreApiSubscriptions(this.subscriptionRecords);
    }
  }

  /** Every subscription: the stack's, then those Subscribe made. */
  get subscriptions(): readonly SubscriptionDefinition[] {
    return this.allSubscriptions;
  }

  /** Take up the deliveries a previous run had not finished, retries where they stopped; returns how many. */
  resume(): number {
    let resumed = 0;
    for (const [arn, store] of this.stores) {
      const subscription = this.subscriptionsByArn.get(arn);
      const topic = subscription && this.topicsByArn.get(subscription.topicArn);
      for (const pending of store.all()) {
        if (!subscription || !topic) continue;
        this.deliverLater(subscription, topic, decodeNotification(pending.notification), pending);
        resumed += 1;
      }
    }
    return resumed;
  }

  /** Build from the stack; throws UnsupportedTemplateError naming any resource and property it cannot honour. */
  static fromStack(stack: StackModel, deps: SnsDeps): SnsService {
    const { topics, subscriptions } = readTopology(stack);
    for (const subscription of subscriptions) {
      // Compiled once now, so a policy the shared matcher cannot evaluate fails at start-up, not per message.
      const problem = subscription.filter ? filterPolicyProblem(subscription.filter, deps.matcher) : undefined;
      if (problem !== undefined) throw new UnsupportedTemplateError(subscription.logicalId.split('.')[0]!, 'Properties.FilterPolicy', problem);
    }
    return new SnsService(stack.env, topics, subscriptions, deps);
  }

  /**
   * The topic with this ARN, or SNS's error for a malformed, foreign or unknown ARN. A request
   * is served in its `region` (an API call's signing region); a call from another service
   * (region absent) may name a topic in any region served here.
   */
  topic(arn: string | undefined, parameter = 'TopicArn', region?: string): TopicDefinition {
    const value = arn ?? '';
    const fields = parseArn(value);
    if (fields === undefined) {
      throw invalidParameter(`Invalid parameter: ${parameter} Reason: An ARN must have at least 6 elements, not ${value.split(':').length}`);
    }
    const inRegion = region === undefined ? this.regions.has(fields.region) : fields.region === region;
    if (fields.service !== 'sns' || !inRegion) throw invalidParameter(`Invalid parameter: ${parameter}`);
    const topic = this.topicsByArn.get(value);
    if (!topic) throw new AwsError('NotFound', 'Topic does not exist', 404);
    return topic;
  }

  /** The account and region of a topic (its ARN's), which its notifications carry. */
  envOfTopic(topicArn: string): StackEnvironment {
    return this.envByTopicArn.get(topicArn) ?? environmentOfArn(topicArn, this.env);
  }

  /** The subscriptions of a topic, in template order. */
  subscriptionsOf(topicArn: string): readonly SubscriptionDefinition[] {
    return this.subscriptionsByTopic.get(topicArn) ?? NO_SUBSCRIPTIONS;
  }

  /**
   * Publish to a topic. Resolves with the MessageId once the message is
   * accepted; deliveries run afterwards and never reject (failures are traced).
   */
  async publish(input: PublishRequest, caller?: InvokeCaller, region?: string): Promise<{ readonly MessageId: string }> {
    const content = validateMessage(input);
    if (input.PhoneNumber !== undefined && input.PhoneNumber !== '') {
      throw invalidParameter(`Invalid parameter: PhoneNumber Reason: ${input.PhoneNumber} is not valid to publish to`);
    }
    const hasTopic = input.TopicArn !== undefined && input.TopicArn !== '';
    const hasTarget = input.TargetArn !== undefined && input.TargetArn !== '';
    if (!hasTopic && !hasTarget) throw invalidParameter('Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
    if (hasTopic && hasTarget) {
      throw invalidParameter('Invalid parameter: TopicArn or TargetArn Reason: Only one of TopicArn or TargetArn may be specified');
    }
    const target = hasTopic ? undefined : parseArn(input.TargetArn!);
    if (target?.partition && target.service === 'sns' && target.resource.startsWith('endpoint/')) {
      // Mobile push endpoints (platform applications) are not part of a stack's topics.
      throw invalidParameter('Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified');
    }
    const topic = hasTopic ? this.topic(input.TopicArn, 'TopicArn', region) : this.topic(input.TargetArn, 'TargetArn', region);
    refuseDeduplicationId(input);
    this.authorize(topic, caller);
    return { MessageId: this.accept(topic, content) };
  }

  /**
   * Publish up to ten messages to a topic. A request SNS refuses as a whole (its entries'
   * shape, the topic, the topic policy, or an entry member that must not be null) throws and
   * publishes nothing, as does an entry Publish would refuse; otherwise each entry is published
   * as Publish would publish it.
   */
  async publishBatch(topicArn: string, entries: readonly PublishBatchEntry[], caller?: InvokeCaller, region?: string): Promise<PublishBatchResult> {
    validateBatch(entries);
    const topic = this.topic(topicArn, 'TopicArn', region);
    this.authorize(topic, caller);
    // Every entry is checked before one is published, and an entry Publish would refuse fails the whole
    // request with Publish's error: AWS reports no entry of a malformed batch in `Failed` (LocalStack's
    // provider, held to AWS by its recorded tests: "AWS fails the whole publish if something is wrong in
    // the format of 1 message"). The answer's `Failed` lists entries AWS took but could not publish,
    // which never happens locally: a message accepted is saved and delivered.
    const contents = entries.map((entry, i) => {
      const content = validateMessage(entry, batchMemberPath(i));
      refuseDeduplicationId(entry);
      return content;
    });
    const Successful = contents.map((content, i) => ({ Id: entries[i]!.Id!, MessageId: this.accept(topic, content) }));
    return { Successful };
  }

  /** The topic policy's word on `caller` publishing to `topic`; a refusal of a service principal is traced as an IAM denial. */
  private authorize(topic: TopicDefinition, caller: InvokeCaller | undefined): void {
    try {
      checkPublishPermission(topic.policies, caller, topic.arn);
    } catch (error) {
      if (caller?.principal && error instanceof AwsError) {
        this.deps.resourcePolicyRefused?.({
          principal: caller.principal,
          action: 'sns:Publish',
          resource: topic.arn,
          ...(caller.sourceArn ? { sourceArn: caller.sourceArn } : {}),
          message: error.message,
          via: `topic policy of ${topic.name}`,
        });
      }
      throw error;
    }
  }

  /** Take an accepted message: saved for each subscription, then delivered in the background; returns its MessageId. */
  private accept(topic: TopicDefinition, content: MessageContent): string {
    const notification: Notification = {
      messageId: randomUUID(),
      topicArn: topic.arn,
      timestamp: new Date(this.deps.clock.now()).toISOString(),
      content,
    };
    const subscriptions = this.subscriptionsOf(topic.arn);
    this.trace('publish', topic.arn, `${topic.name} <- message ${notification.messageId} (${subscriptions.length} subscription(s))`, notification, {
      subject: content.subject,
      attributes: Object.keys(content.attributes),
      message: traceJsonLater(content.message),
    });
    // Encoded once for all of the topic's subscriptions.
    let stored: StoredNotification | undefined;
    for (const subscription of subscriptions) {
      // Saved before Publish answers: an accepted message is delivered even if the runtime dies right after.
      const store = this.stores.get(subscription.arn);
      if (store) store.save(notification.messageId, { notification: (stored ??= encodeNotification(notification)), attempt: 1, retriesUsed: 0 });
      this.deliverLater(subscription, topic, notification);
    }
    return notification.messageId;
  }

  // ------------------------------------------------------------------ subscriptions made through the API

  /**
   * Subscribe: a Lambda function or SQS queue of the topic's account gets the
   * topic's messages, confirmed at once as SNS confirms such endpoints, and
   * delivered as the template's subscriptions are. Subscribing an endpoint
   * the topic already has (with the same protocol) answers its subscription,
   * unless the request gives other attributes. Kept across restarts when the
   * service keeps state. https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html
   */
  subscribe(input: { TopicArn: string; Protocol: string; Endpoint?: string; Attributes: Readonly<Record<string, string>> }, region?: string): string {
    const topic = this.topic(input.TopicArn, 'TopicArn', region);
    const protocol = checkEndpoint(input.Protocol, input.Endpoint, topic.arn);
    const record: PersistedSubscription = { arn: `${topic.arn}:${randomUUID()}`, topicArn: topic.arn, protocol, endpoint: input.Endpoint!, attributes: { ...input.Attributes } };
    // Checked before any comparison: a bad attribute is refused as such, whether or not the endpoint is subscribed.
    const subscription = buildSubscription(record, this.deps.matcher, 'Subscribe');
    const existing = this.subscriptionsOf(topic.arn).find((s) => s.protocol === protocol && s.endpoint === input.Endpoint);
    if (existing) {
      if (!sameAttributes(this.attributesOf(existing), input.Attributes)) {
        throw invalidParameter('Invalid parameter: Attributes Reason: Subscription already exists with different attributes');
      }
      return existing.arn;
    }
    this.replaceSubscription(undefined, subscription, record);
    return record.arn;
  }

  /**
   * Unsubscribe: a subscription Subscribe made stops getting messages, and its
   * deliveries waiting for a retry stop. An ARN no subscription has is no
   * error (SNS's Unsubscribe is idempotent).
   * https://docs.aws.amazon.com/sns/latest/api/API_Unsubscribe.html
   */
  unsubscribe(arn: string, region?: string): void {
    const subscription = this.findSubscription(arn, region);
    if (!subscription) return;
    this.refuseDeclared(subscription, 'Unsubscribe');
    this.replaceSubscription(subscription, undefined);
  }

  /** GetSubscriptionAttributes of any subscription. https://docs.aws.amazon.com/sns/latest/api/API_GetSubscriptionAttributes.html */
  getSubscriptionAttributes(arn: string, region?: string): Record<string, string> {
    return this.attributesOf(this.requireSubscription(arn, region));
  }

  /**
   * SetSubscriptionAttributes of a subscription Subscribe made: one attribute,
   * checked as Subscribe checks it; an empty FilterPolicy or RedrivePolicy
   * removes it. https://docs.aws.amazon.com/sns/latest/api/API_SetSubscriptionAttributes.html
   */
  setSubscriptionAttributes(input: { SubscriptionArn: string; AttributeName: string; AttributeValue?: string }, region?: string): void {
    const subscription = this.requireSubscription(input.SubscriptionArn, region);
    checkAttributeName(input.AttributeName, 'SetSubscriptionAttributes');
    this.refuseDeclared(subscription, 'SetSubscriptionAttributes');
    const record = this.apiSubscriptions.get(subscription.arn)!;
    const { [input.AttributeName]: _previous, ...rest } = record.attributes;
    const value = input.AttributeValue ?? '';
    const removed = value === '' && (input.AttributeName === 'FilterPolicy' || input.AttributeName === 'RedrivePolicy');
    const next: PersistedSubscription = { ...record, attributes: removed ? rest : { ...rest, [input.AttributeName]: value } };
    this.replaceSubscription(subscription, buildSubscription(next, this.deps.matcher, 'SetSubscriptionAttributes'), next);
  }

  /** The state owners of the subscriptions Subscribe made, which the runtime keeps beside the stack's resources. */
  stateOwners(): Owner[] {
    return this.subscriptionRecords ? [API_SUBSCRIPTIONS_OWNER, ...[...this.apiSubscriptions.keys()].map(apiSubscriptionDeliveriesOwner)] : [];
  }

  private attributesOf(subscription: SubscriptionDefinition): Record<string, string> {
    return subscriptionAttributes(subscription, this.envOfTopic(subscription.topicArn).account, this.apiSubscriptions.get(subscription.arn)?.attributes);
  }

  /** The subscription of this ARN served in `region`; undefined when there is none; SNS's error for a malformed ARN. */
  private findSubscription(arn: string, region?: string): SubscriptionDefinition | undefined {
    const fields = parseArn(arn);
    if (fields === undefined) {
      throw invalidParameter(`Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not ${arn.split(':').length}`);
    }
    if (fields.service !== 'sns') throw invalidParameter('Invalid parameter: SubscriptionArn');
    const subscription = this.subscriptionsByArn.get(arn);
    return subscription && (region === undefined || fields.region === region) ? subscription : undefined;
  }

  private requireSubscription(arn: string, region?: string): SubscriptionDefinition {
    const subscription = this.findSubscription(arn, region);
    if (!subscription) throw new AwsError('NotFound', 'Subscription does not exist', 404);
    return subscription;
  }

  /**
   * A subscription the stack declares belongs to the stack. SNS has no error
   * for a resource something else manages (EventBridge's ManagedRuleException,
   * SQS's UnsupportedOperation are theirs), so this is InvalidParameter: a
   * 400 sender fault that no SDK retries and every SDK surfaces as its own
   * error type (InvalidParameterException), where AuthorizationError would
   * read as an IAM denial. The message says what manages it and what to do.
   */
  private refuseDeclared(subscription: SubscriptionDefinition, operation: string): void {
    if (subscription.madeWithSubscribe) return;
    throw invalidParameter(
      `Invalid parameter: SubscriptionArn Reason: the local runtime does not change subscription ${subscription.arn}: the stack declares it (${ownerOf(subscription).type} ${subscription.logicalId}). Change it in the app instead; ${operation} changes subscriptions made with Subscribe.`,
    );
  }

  /** Put `next` where `previous` was (or add it; or remove `previous`), in every list and the state store. */
  private replaceSubscription(previous: SubscriptionDefinition | undefined, next: SubscriptionDefinition | undefined, record?: PersistedSubscription): void {
    const subscription = (previous ?? next)!;
    let byTopic = this.subscriptionsByTopic.get(subscription.topicArn);
    if (!byTopic) this.subscriptionsByTopic.set(subscription.topicArn, (byTopic = []));
    for (const list of [this.allSubscriptions, byTopic]) {
      const at = previous ? list.indexOf(previous) : -1;
      if (at >= 0 && next) list[at] = next;
      else if (at >= 0) list.splice(at, 1);
      else if (next) list.push(next);
    }
    if (previous) {
      // Made again for `next` on its first delivery: what they cache was read from `previous`.
      this.recipients.delete(previous);
      this.callers.delete(previous);
    }
    const { arn } = subscription;
    if (next) this.subscriptionsByArn.set(arn, next);
    else this.subscriptionsByArn.delete(arn);
    const state = this.deps.state;
    if (next && state && !this.stores.has(arn)) this.stores.set(arn, state.collection('sns-delivery', ownerOf(next)));
    if (!next) {
      // Its deliveries not yet done go with it: none resumes at the next start.
      const store = this.stores.get(arn);
      for (const pending of store?.all() ?? []) store!.remove(pending.notification.messageId);
      this.stores.delete(arn);
    }
    if (!subscription.madeWithSubscribe) return;
    if (next && record) {
      this.apiSubscriptions.set(arn, record);
      this.subscriptionRecords?.save(arn, record);
    } else if (!next) {
      this.apiSubscriptions.delete(arn);
      this.subscriptionRecords?.remove(arn);
    }
  }

  /**
   * Take up the subscriptions Subscribe made in a previous run. One whose topic
   * left the stack is dropped, and so is one whose endpoint the stack now
   * subscribes to the topic itself (SNS keeps one subscription per endpoint).
   */
  private restoreApiSubscriptions(records: Collection<PersistedSubscription>): void {
    for (const saved of records.all()) {
      const duplicate = this.subscriptionsOf(saved.topicArn).some((s) => s.protocol === saved.protocol && s.endpoint === saved.endpoint);
      let subscription: SubscriptionDefinition | undefined;
      try {
        subscription = this.topicsByArn.has(saved.topicArn) && !duplicate ? buildSubscription(saved, this.deps.matcher, 'Subscribe') : undefined;
      } catch {
        subscription = undefined;
      }
      if (subscription) this.replaceSubscription(undefined, subscription, saved);
      else records.remove(saved.arn);
    }
  }

  /** Resolves when every delivery started so far has finished (delivered, dead-lettered or dropped). */
  whenIdle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stop pending retries (their messages are dropped, as if the runtime went away). */
  dispose(): void {
    this.stopping.abort(new Error('SNS service stopped'));
  }

  /**
   * Counts a delivery in flight and starts it in a later background turn: Publish answers before any
   * subscriber work starts, as SNS does, and the front door goes first. A step, not an awaited turn,
   * so a delivery makes no promise of its turn nor a wait on it.
   */
  private deliverLater(subscription: SubscriptionDefinition, topic: TopicDefinition, notification: Notification, resumeFrom?: PendingDelivery): void {
    this.inFlight += 1;
    inBackground(() => void this.deliverNow(subscription, topic, notification, resumeFrom).then(this.delivered, this.deliveryFailed));
  }

  private async deliverNow(
    subscription: SubscriptionDefinition,
    topic: TopicDefinition,
    notification: Notification,
    resumeFrom?: PendingDelivery,
  ): Promise<void> {
    try {
      await this.deliver(subscription, topic, notification, resumeFrom);
      if (!this.stopping.signal.aborted) this.stores.get(subscription.arn)?.remove(notification.messageId);
    } catch (error) {
      const store = this.stores.get(subscription.arn);
      if (this.stopping.signal.aborted && store) {
        this.trace('stopped', subscription.endpoint, `${subscription.logicalId}: message ${notification.messageId} kept; its delivery resumes at the next start`, notification, {
          subscriptionArn: subscription.arn,
        });
        return;
      }
      store?.remove(notification.messageId);
      this.trace('drop', subscription.endpoint, `${subscription.logicalId}: message ${notification.messageId} dropped: ${describeError(error)}`, notification, {
        subscriptionArn: subscription.arn,
      });
    }
  }

  private async deliver(subscription: SubscriptionDefinition, topic: TopicDefinition, notification: Notification, resumeFrom?: PendingDelivery): Promise<void> {
    const { content } = notification;
    if (subscription.filter) {
      let passes: boolean;
      try {
        passes = passesFilter(subscription.filter, bodyFor(content, subscription.protocol), content.attributes, this.deps.matcher);
      } catch (error) {
        passes = false;
        this.trace('filter', subscription.endpoint, `${subscription.logicalId}: filter policy could not be evaluated: ${describeError(error)}`, notification);
      }
      if (!passes) {
        this.trace('filter', subscription.endpoint, `${subscription.logicalId}: message ${notification.messageId} filtered out`, notification, {
          subscriptionArn: subscription.arn,
        });
        return;
      }
    }
    const recipient = this.recipientOf(subscription, topic);
    // Made on the first failure: most deliveries succeed at once and never walk the policy.
    let retries: ReturnType<typeof managedRetryDelays> | undefined;
    let attempt = resumeFrom?.attempt ?? 1;
    let retriesUsed = resumeFrom?.retriesUsed ?? 0;
    const remaining = resumeFrom?.dueAt === undefined ? 0 : resumeFrom.dueAt - this.deps.clock.now();
    // A retry due while the runtime was down runs at once.
    if (remaining > 0) await this.deps.clock.sleep(this.deps.clock.toAwsMs(remaining), this.stopping.signal);
    for (;;) {
      try {
        await this.attempt(subscription, recipient, notification, attempt);
        return;
      } catch (error) {
        const reason = describeError(error);
        if (isClientError(error)) {
          return this.deadLetter(subscription, recipient, notification, `client-side error, not retried: ${reason}`);
        }
        if (retries === undefined) {
          retries = managedRetryDelays();
          // A resumed delivery goes on where it stopped in the policy.
          for (let i = 0; i < retriesUsed; i++) retries.next();
        }
        const next = retries.next();
        if (next.done) return this.deadLetter(subscription, recipient, notification, `delivery policy exhausted after ${attempt} attempts: ${reason}`);
        const { delayMs, phase } = next.value;
        if (phase !== 'post-backoff' || attempt < 16 + TRACED_POST_BACKOFF_RETRIES || attempt % 1000 === 0) {
          this.trace('retry', subscription.endpoint, `${subscription.logicalId}: attempt ${attempt} failed (${reason}); retry in ${delayMs} ms (${phase})`, notification, {
            subscriptionArn: subscription.arn,
          });
        }
        retriesUsed++;
        this.stores.get(subscription.arn)?.save(notification.messageId, {
          notification: encodeNotification(notification),
          attempt: attempt + 1,
          retriesUsed,
          dueAt: this.deps.clock.now() + this.deps.clock.toLocalMs(delayMs),
        });
        await this.deps.clock.sleep(delayMs, this.stopping.signal);
        // Unsubscribe stops the retries of the deliveries it finds waiting.
        if (!this.subscriptionsByArn.has(subscription.arn)) throw new Error('the subscription was deleted (Unsubscribe)');
        attempt++;
      }
    }
  }

  /** A subscription's recipient; its topic is always the one its TopicArn names. */
  private recipientOf(subscription: SubscriptionDefinition, topic: TopicDefinition): Recipient {
    let recipient = this.recipients.get(subscription);
    if (recipient === undefined) {
      recipient = { subscriptionArn: subscription.arn, protocol: subscription.protocol, signatureVersion: topic.signatureVersion };
      this.recipients.set(subscription, recipient);
    }
    return recipient;
  }

  private callerFor(subscription: SubscriptionDefinition): InvokeCaller {
    let caller = this.callers.get(subscription);
    if (caller === undefined) {
      caller = { principal: 'sns.amazonaws.com', sourceArn: subscription.topicArn };
      this.callers.set(subscription, caller);
    }
    return caller;
  }

  private async attempt(subscription: SubscriptionDefinition, recipient: Recipient, notification: Notification, attempt: number): Promise<void> {
    if (subscription.protocol === 'lambda') {
      // Lambda takes the event with its text instead of parsing the text again (~1.5 KB per delivery).
      const event = lambdaEventValue(notification, recipient, this.envOfTopic(subscription.topicArn));
      const result = await this.deps.sinks.lambda.invoke(subscription.endpoint, JSON.stringify(event), 'Event', this.callerFor(subscription), event);
      this.trace('deliver', subscription.endpoint, `${subscription.logicalId}: invoked ${functionNameOf(subscription.endpoint)} (attempt ${attempt})`, notification, {
        subscriptionArn: subscription.arn,
      }, { lambdaRequestId: result.requestId });
      return;
    }
    const { body, attributes } = this.sqsMessage(subscription, recipient, notification);
    const sent = await this.deps.sinks.sqs.sendMessage(subscription.endpoint, body, attributes, this.callerFor(subscription));
    this.trace('deliver', subscription.endpoint, `${subscription.logicalId}: sent to queue ${queueName(subscription.endpoint)} (attempt ${attempt})`, notification, {
      subscriptionArn: subscription.arn,
      raw: subscription.rawMessageDelivery,
    }, { sqsMessageId: sent.MessageId });
  }

  /** The SQS body (and, for raw delivery, attributes) SNS sends a queue subscription or its dead-letter queue. */
  private sqsMessage(subscription: SubscriptionDefinition, recipient: Recipient, notification: Notification) {
    const { content } = notification;
    if (subscription.rawMessageDelivery) {
      const attributes = Object.keys(content.attributes).length > 0 ? content.attributes : undefined;
      return { body: bodyFor(content, subscription.protocol), attributes };
    }
    return { body: sqsEnvelope(notification, recipient, this.envOfTopic(subscription.topicArn)), attributes: undefined };
  }

  private async deadLetter(subscription: SubscriptionDefinition, recipient: Recipient, notification: Notification, reason: string): Promise<void> {
    const dlq = subscription.deadLetterTargetArn;
    if (!dlq) {
      this.trace('drop', subscription.endpoint, `${subscription.logicalId}: message ${notification.messageId} dropped (${reason}; no dead-letter queue)`, notification, {
        subscriptionArn: subscription.arn,
      });
      return;
    }
    // The DLQ gets the JSON envelope (the raw body for raw delivery) carrying this protocol's body.
    const { body, attributes } = this.sqsMessage(subscription, recipient, notification);
    try {
      const sent = await this.deps.sinks.sqs.sendMessage(dlq, body, attributes, this.callerFor(subscription));
      this.trace('dead-letter', dlq, `${subscription.logicalId}: message ${notification.messageId} moved to dead-letter queue ${queueName(dlq)} (${reason})`, notification, {
        subscriptionArn: subscription.arn,
      }, { sqsMessageId: sent.MessageId });
    } catch (error) {
      this.trace('drop', dlq, `${subscription.logicalId}: message ${notification.messageId} lost: dead-letter queue ${queueName(dlq)} refused it (${describeError(error)}) after ${reason}`, notification, {
        subscriptionArn: subscription.arn,
      });
    }
  }

  private trace(kind: string, resource: string, summary: string, notification: Notification, detail?: Record<string, unknown>, ids?: Record<string, string>): void {
    this.deps.tracer?.record({
      service: 'sns',
      kind,
      resource,
      summary,
      ids: { snsMessageId: notification.messageId, ...(ids ?? {}) },
      ...(detail === undefined ? {} : { detail }),
    });
  }
}

const NO_SUBSCRIPTIONS: readonly SubscriptionDefinition[] = [];

/** The topics served are standard topics, which refuse a deduplication id (FIFO topics are not emulated). */
function refuseDeduplicationId(input: { readonly MessageDeduplicationId?: string }): void {
  if (input.MessageDeduplicationId !== undefined) {
    throw invalidParameter(
      'Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type',
    );
  }
}

const queueName = (arn: string): string => arnField(arn, 'resource') ?? arn;

/** A subscription's owner in the template: the AWS::SNS::Subscription, or the topic of an inline one; its ARN for one Subscribe made. */
function ownerOf(subscription: SubscriptionDefinition): Owner {
  if (subscription.madeWithSubscribe) return apiSubscriptionDeliveriesOwner(subscription.arn);
  const [logicalId, inline] = subscription.logicalId.split('.');
  return { logicalId: logicalId!, type: inline === undefined ? 'AWS::SNS::Subscription' : 'AWS::SNS::Topic' };
}
