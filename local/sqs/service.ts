import { randomUUID } from 'node:crypto';
import { arnField, parseArn } from '../arn.js';
import type { StackModel } from '../cloudformation/types.js';
import type { Clock } from '../clock.js';
import type { InvokeCaller, MessageAttributeValue, QueueSink, ResourcePolicyRefused, Tracer } from '../contracts.js';
import { isAllowed } from '../iam/policy.js';
import { AwsError, UnsupportedTemplateError } from '../protocol/errors.js';
import { md5OfBody, md5OfMessageAttributes } from './md5.js';
import { DEFAULT_SETTINGS, Queue, type QueuedMessage, type QueueSettings } from './queue.js';
import { queueSettingsFromTemplate, queuePolicyTargets, queueTagsFromTemplate } from './template.js';
import { validateAttributes, validateBody, validateRange } from './validate.js';
import type { Collection, Owner, StateStore } from '../state/types.js';
import { requestedAttributes } from './attributes.js';
import { API_QUEUES_OWNER, apiQueueMessagesOwner, MessageStore, type PersistedMessage, type PersistedQueue } from './persisted.js';
import { mergedTags, requestedTagKeys, requestedTags } from './tags.js';

export { Queue } from './queue.js';
export type { QueuedMessage, QueueSettings } from './queue.js';

export interface SqsServiceOptions {
  readonly region?: string;
  readonly account?: string;
  readonly partition?: string;
  /**
   * AWS time for visibility timeouts, delays and retention, so
   * `--time-scale` shrinks them like every other AWS wait. Long polling
   * (`WaitTimeSeconds`) always runs in real time: it is how long the client
   * is willing to hold its HTTP request, not an AWS wait. Without a clock
   * everything is real time.
   */
  readonly clock?: Clock;
  readonly tracer?: Tracer;
  /** Traces a service principal the queue policy refused as an IAM denial; without it, an SQS trace says so. */
  readonly resourcePolicyRefused?: ResourcePolicyRefused;
  /** @default `https://sqs.<region>.amazonaws.com` */
  readonly urlBase?: string;
}

export interface SendInput {
  readonly MessageBody?: unknown;
  readonly DelaySeconds?: unknown;
  readonly MessageAttributes?: Readonly<Record<string, MessageAttributeValue>>;
}

export interface SendOutput {
  readonly MessageId: string;
  readonly MD5OfMessageBody: string;
  readonly MD5OfMessageAttributes?: string;
}

export interface ReceiveInput {
  readonly MaxNumberOfMessages?: unknown;
  readonly VisibilityTimeout?: unknown;
  readonly WaitTimeSeconds?: unknown;
  /** `All`, `.*`, names, or prefixes such as `bar.*`. */
  readonly MessageAttributeNames?: readonly string[];
  /** System attributes: `All`, `SentTimestamp`, `ApproximateReceiveCount`, ... */
  readonly MessageSystemAttributeNames?: readonly string[];
  /** The deprecated spelling of MessageSystemAttributeNames. */
  readonly AttributeNames?: readonly string[];
}

export interface ReceivedMessage {
  readonly MessageId: string;
  readonly ReceiptHandle: string;
  readonly MD5OfBody: string;
  readonly Body: string;
  readonly Attributes?: Record<string, string>;
  readonly MD5OfMessageAttributes?: string;
  readonly MessageAttributes?: Record<string, MessageAttributeValue>;
}

/** A message as `peek()` shows it to tests and the dashboard. */
export interface PeekedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly messageAttributes: Readonly<Record<string, MessageAttributeValue>>;
  readonly sentTimestamp: number;
  readonly receiveCount: number;
  readonly state: 'visible' | 'delayed' | 'in-flight';
}

const TAGS_REFUSED = ', whose template sets its Tags. Change them in the app instead; TagQueue and UntagQueue change queues made with CreateQueue.';

const SYSTEM_ATTRIBUTES = ['SenderId', 'SentTimestamp', 'ApproximateReceiveCount', 'ApproximateFirstReceiveTimestamp'];
const QUEUE_ATTRIBUTES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
  'VisibilityTimeout',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
  'Policy',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'SqsManagedSseEnabled',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
];

/**
 * Amazon SQS standard queues: send, receive with visibility timeouts and
 * long polling, delete, redrive to a dead-letter queue after
 * `maxReceiveCount` receives, and queue policies for service senders.
 */
export class SqsService implements QueueSink {
  static readonly handledTypes: readonly string[] = ['AWS::SQS::Queue', 'AWS::SQS::QueuePolicy', 'AWS::SQS::QueueInlinePolicy'];

  /** The stack's queues and queue policies; UnsupportedTemplateError for what cannot be honoured. */
  static fromStack(
    stack: StackModel,
    deps: { readonly clock?: Clock; readonly tracer?: Tracer; readonly state?: StateStore; readonly resourcePolicyRefused?: ResourcePolicyRefused } = {},
  ): SqsService {
    const service = new SqsService({
      region: stack.env.region,
      account: stack.env.account,
      partition: stack.env.partition,
      ...(deps.clock ? { clock: deps.clock } : {}),
      ...(deps.tracer ? { tracer: deps.tracer } : {}),
      ...(deps.resourcePolicyRefused ? { resourcePolicyRefused: deps.resourcePolicyRefused } : {}),
    });
    const byUrl = new Map<string, Queue>();
    const logicalIds = new Map<Queue, string>();
    for (const resource of stack.resourcesOfType('AWS::SQS::Queue')) {
      const settings = queueSettingsFromTemplate(resource);
      const url = resource.ref.includes('://') ? resource.ref : undefined;
      const name =
        (typeof resource.properties.QueueName === 'string' ? resource.properties.QueueName : undefined) ??
        resource.attributes.QueueName ??
        url?.slice(url.lastIndexOf('/') + 1) ??
        resource.ref;
      const arn = resource.arn ?? resource.attributes.Arn;
      const queue = service.createQueue(name, settings, arn);
      for (const [key, value] of queueTagsFromTemplate(resource)) queue.tags.set(key, value);
      byUrl.set(url ?? queue.url, queue);
      logicalIds.set(queue, resource.logicalId);
      if (deps.state) {
        queue.store = new MessageStore(deps.state.collection<PersistedMessage>('sqs-message', { logicalId: resource.logicalId, type: resource.type }));
      }
    }
    const policies = [...stack.resourcesOfType('AWS::SQS::QueuePolicy'), ...stack.resourcesOfType('AWS::SQS::QueueInlinePolicy')];
    for (const resource of policies) {
      for (const { queueUrl, document } of queuePolicyTargets(resource)) {
        const queue = byUrl.get(queueUrl) ?? service.findQueue(queueUrl);
        if (!queue) {
          const path = resource.type === 'AWS::SQS::QueueInlinePolicy' ? 'Properties.Queue' : 'Properties.Queues';
          throw new UnsupportedTemplateError(resource.logicalId, path, `no queue in the stack has the URL ${queueUrl}`);
        }
        queue.policies.push(document);
      }
    }
    service.checkRedriveAllowed(logicalIds);
    // After the check: it concerns the template, and a queue CreateQueue made was checked when it was made.
    if (deps.state) service.restoreApiQueues(deps.state);
    return service;
  }

  readonly region: string;
  readonly account: string;
  private readonly partition: string;
  private readonly clock: Clock | undefined;
  private readonly tracer: Tracer | undefined;
  private readonly refused: ResourcePolicyRefused | undefined;
  private readonly urlBase: string;
  private readonly queues = new Map<string, Queue>();
  /** Where the queues CreateQueue makes are kept, when the runtime keeps state. */
  private state: { readonly store: StateStore; readonly records: Collection<PersistedQueue> } | undefined;
  private readonly apiQueues = new Set<Queue>();
  /** When DeleteQueue took each name (local epoch ms): CreateQueue refuses a name for 60 seconds after. */
  private readonly deletedAt = new Map<string, number>();

  constructor(options: SqsServiceOptions = {}) {
    this.region = options.region ?? 'us-east-1';
    this.account = options.account ?? '000000000000';
    this.partition = options.partition ?? 'aws';
    this.clock = options.clock;
    this.tracer = options.tracer;
    this.refused = options.resourcePolicyRefused;
    this.urlBase = (options.urlBase ?? `https://sqs.${this.region}.amazonaws.com`).replace(/\/$/, '');
  }

  /** Take up the messages a previous run kept (visibility, receive counts and all); returns how many. */
  resume(): number {
    let resumed = 0;
    for (const queue of this.queues.values()) {
      const saved = queue.store?.load() ?? [];
      queue.restore(saved);
      resumed += saved.length;
    }
    return resumed;
  }

  /** Create (or return the existing) queue with these settings. */
  createQueue(name: string, settings: Partial<QueueSettings> = {}, arn?: string, createdTimestamp = Date.now()): Queue {
    const existing = this.queues.get(name);
    if (existing) return existing;
    // A queue of a stack in another account or region (its ARN says which) has that account and region's URL.
    const fields = arn === undefined ? undefined : parseArn(arn);
    const region = fields?.region || this.region;
    const account = fields?.account || this.account;
    const urlBase = region === this.region ? this.urlBase : `https://sqs.${region}.amazonaws.com`;
    const queue = new Queue(
      name,
      arn ?? `arn:${this.partition}:sqs:${region}:${account}:${name}`,
      `${urlBase}/${account}/${name}`,
      account,
      region,
      { ...DEFAULT_SETTINGS, ...settings },
      createdTimestamp,
    );
    this.queues.set(name, queue);
    return queue;
  }

  /**
   * CreateQueue in `region` (the default one when absent): a new queue, kept
   * across restarts when the service keeps state, or the existing queue of
   * that name when the attributes the request names have its values, else
   * QueueNameExists (which the Query protocol calls QueueAlreadyExists).
   * `tags` tag a new queue; an existing queue keeps its own.
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
   */
  createQueueFromApi(name: string, attributes: unknown, region = this.region, tags?: unknown): Queue {
    const requested = requestedAttributes(attributes);
    const tagged = mergedTags(name, new Map(), requestedTags(tags) ?? new Map());
    const deleted = this.deletedAt.get(name);
    if (deleted !== undefined) {
      if (Date.now() - deleted < this.localMs(60)) {
        throw new AwsError('QueueDeletedRecently', 'You must wait 60 seconds after deleting a queue before you can create another queue with the same name.');
      }
      this.deletedAt.delete(name);
    }
    const existing = this.queues.get(name);
    if (existing) {
      if (!this.isInRegion(existing, region)) {
        throw new AwsError(
          'InvalidParameterValue',
          `The local runtime keeps one queue per name across regions: ${name} already exists in ${existing.region}, so it cannot be created in ${region}.`,
        );
      }
      const have = settingAttributes(existing.settings, existing.policies);
      const want = settingAttributes({ ...DEFAULT_SETTINGS, ...requested.settings }, requested.policy === undefined ? [] : [requested.policy]);
      const differs = requested.names.find((attribute) => have[attribute] !== want[attribute]);
      if (differs) throw new AwsError('QueueNameExists', `A queue already exists with the same name and a different value for attribute ${differs}`);
      return existing;
    }
    const arn = `arn:${this.partition}:sqs:${region}:${this.account}:${name}`;
    const redrive = requested.settings.redrivePolicy;
    if (redrive) this.checkDeadLetterTarget(arn, redrive.deadLetterTargetArn, (attributes as Record<string, unknown>).RedrivePolicy);
    const queue = this.createQueue(name, requested.settings, arn);
    if (requested.policy !== undefined) queue.policies.push(requested.policy);
    for (const [key, value] of tagged) queue.tags.set(key, value);
    this.apiQueues.add(queue);
    this.saveApiQueue(queue);
    if (this.state) queue.store = new MessageStore(this.state.store.collection<PersistedMessage>('sqs-message', apiQueueMessagesOwner(arn)));
    return queue;
  }

  /**
   * SetQueueAttributes: the names, ranges and errors of CreateQueue's
   * Attributes, and the same dead-letter target checks. An empty Policy,
   * RedrivePolicy or RedriveAllowPolicy removes it. A new
   * MessageRetentionPeriod applies to the messages already queued (a shorter
   * one drops those older than it); VisibilityTimeout, DelaySeconds and the
   * others apply to later receives and sends. Kept across restarts.
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
   * A queue the stack declares is refused (UnsupportedOperation): the
   * template owns its attributes.
   */
  setQueueAttributes(queueUrl: string, attributes: unknown): void {
    const queue = this.requireQueue(queueUrl);
    const empty = typeof attributes === 'object' && attributes !== null && !Array.isArray(attributes) && Object.keys(attributes).length === 0;
    if (attributes === undefined || attributes === null || empty) {
      throw new AwsError('MissingParameter', 'The request must contain the parameter Attributes.');
    }
    this.refuseDeclared(
      queue,
      'change the attributes of',
      ', whose template sets them. Change them in the app instead; SetQueueAttributes changes queues made with CreateQueue.',
    );
    const requested = requestedAttributes(attributes, true);
    const redrive = requested.settings.redrivePolicy;
    if (redrive) this.checkDeadLetterTarget(queue.arn, redrive.deadLetterTargetArn, (attributes as Record<string, unknown>).RedrivePolicy);
    const settings = queue.settings;
    const retention = settings.messageRetentionPeriod;
    // A queue is encrypted with SQS-owned keys or with a KMS key, not both: turning the first on drops the key.
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html
    if (requested.settings.sqsManagedSseEnabled === true && requested.settings.kmsMasterKeyId === undefined) delete settings.kmsMasterKeyId;
    Object.assign(settings, requested.settings);
    for (const name of requested.removed) {
      if (name === 'Policy') queue.policies.length = 0;
      if (name === 'RedrivePolicy') delete settings.redrivePolicy;
      if (name === 'RedriveAllowPolicy') delete settings.redriveAllowPolicy;
    }
    if (requested.policy !== undefined) queue.policies.splice(0, queue.policies.length, requested.policy);
    const now = Date.now();
    queue.lastModifiedTimestamp = now;
    if (settings.messageRetentionPeriod !== retention) queue.retain(this.localMs(settings.messageRetentionPeriod), now);
    this.saveApiQueue(queue);
  }

  /**
   * TagQueue: the tags are added, a key already there takes the new value;
   * more than 50 in all is refused and changes nothing. Kept across restarts.
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_TagQueue.html
   */
  tagQueue(queueUrl: string, tags: unknown): void {
    const queue = this.requireQueue(queueUrl);
    const added = requestedTags(tags);
    if (!added) throw new AwsError('MissingParameter', 'The request must contain the parameter Tags.');
    this.refuseDeclared(queue, 'change the tags of', TAGS_REFUSED);
    const merged = mergedTags(queue.name, queue.tags, added);
    queue.tags.clear();
    for (const [key, value] of merged) queue.tags.set(key, value);
    this.saveApiQueue(queue);
  }

  /**
   * UntagQueue: the keys given go; a key the queue does not have is no error.
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_UntagQueue.html
   */
  untagQueue(queueUrl: string, tagKeys: unknown): void {
    const queue = this.requireQueue(queueUrl);
    const keys = requestedTagKeys(tagKeys);
    this.refuseDeclared(queue, 'change the tags of', TAGS_REFUSED);
    for (const key of keys) queue.tags.delete(key);
    this.saveApiQueue(queue);
  }

  /**
   * ListQueueTags: a queue CreateQueue made answers the tags it was given, a
   * queue the stack declares the Tags of its template.
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListQueueTags.html
   */
  listQueueTags(queueUrl: string): Record<string, string> {
    return Object.fromEntries(this.requireQueue(queueUrl).tags);
  }

  /** A queue the stack declares belongs to the stack: `doing` it is refused (UnsupportedOperation), with `rest` saying what to do instead. */
  private refuseDeclared(queue: Queue, doing: string, rest: string): void {
    if (this.apiQueues.has(queue)) return;
    throw new AwsError('UnsupportedOperation', `The local runtime does not ${doing} ${queue.name}: the stack declares it (AWS::SQS::Queue)${rest}`);
  }

  /** Keep a queue CreateQueue made, as it now is, when the service keeps state: saved before the call answers. */
  private saveApiQueue(queue: Queue): void {
    this.state?.records.save(queue.name, {
      name: queue.name,
      arn: queue.arn,
      createdTimestamp: queue.createdTimestamp,
      lastModifiedTimestamp: queue.lastModifiedTimestamp,
      settings: queue.settings,
      policies: queue.policies,
      tags: Object.fromEntries(queue.tags),
    });
  }

  /**
   * DeleteQueue: the queue and its messages go at once (AWS takes up to 60
   * seconds, during which the queue may still answer; here it answers
   * QueueDoesNotExist from the start, as it will on AWS), a receive waiting
   * on it answers QueueDoesNotExist, and CreateQueue refuses the name for 60
   * seconds (QueueDeletedRecently).
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteQueue.html
   * A queue the stack declares belongs to the stack: deleting it is refused
   * (UnsupportedOperation), since rules, subscriptions and event source
   * mappings of the template point at it; remove it from the app instead.
   */
  deleteQueue(queueUrl: string): void {
    const queue = this.requireQueue(queueUrl);
    this.refuseDeclared(queue, 'delete', '. Remove it from the app instead; DeleteQueue deletes queues made with CreateQueue.');
    this.queues.delete(queue.name);
    this.apiQueues.delete(queue);
    const now = Date.now();
    // Names kept past their 60 seconds go first (the map is in deletion order), so a suite that deletes
    // a fresh name per test does not grow it without end.
    for (const [name, at] of this.deletedAt) {
      if (now - at < this.localMs(60)) break;
      this.deletedAt.delete(name);
    }
    this.deletedAt.set(queue.name, now);
    queue.clear();
    this.state?.records.remove(queue.name);
    // Long polls waiting on it look again, and find it gone.
    queue.notify();
  }

  /** The state owners of the queues CreateQueue made, which the runtime keeps beside the stack's resources. */
  stateOwners(): Owner[] {
    return this.state ? [API_QUEUES_OWNER, ...[...this.apiQueues].map((queue) => apiQueueMessagesOwner(queue.arn))] : [];
  }

  /** Take up the queues CreateQueue made in a previous run; `resume()` then takes up their messages. */
  private restoreApiQueues(store: StateStore): void {
    const records = store.collection<PersistedQueue>('sqs-queue', API_QUEUES_OWNER);
    this.state = { store, records };
    for (const saved of records.all()) {
      // The stack now declares a queue of that name: it is the stack's, and the saved one's messages are dropped with a line.
      if (this.queues.has(saved.name)) {
        records.remove(saved.name);
        continue;
      }
      const queue = this.createQueue(saved.name, saved.settings, saved.arn, saved.createdTimestamp);
      queue.policies.push(...saved.policies);
      // Records of earlier versions have neither.
      queue.lastModifiedTimestamp = saved.lastModifiedTimestamp ?? saved.createdTimestamp;
      for (const [key, value] of Object.entries(saved.tags ?? {})) queue.tags.set(key, value);
      queue.store = new MessageStore(store.collection<PersistedMessage>('sqs-message', apiQueueMessagesOwner(saved.arn)));
      this.apiQueues.add(queue);
    }
  }

  /** A RedrivePolicy's target must be a queue of the source's account and region whose RedriveAllowPolicy allows the source. */
  private checkDeadLetterTarget(sourceArn: string, targetArn: string, raw: unknown): void {
    const invalid = (reason: string) => new AwsError('InvalidParameterValue', `Value ${String(raw)} for parameter RedrivePolicy is invalid. Reason: ${reason}`);
    const dlq = this.findQueue(targetArn);
    const source = parseArn(sourceArn);
    if (!dlq || dlq.arn !== targetArn || dlq.region !== source?.region || dlq.account !== source.account) throw invalid('Dead letter target does not exist.');
    const allow = dlq.settings.redriveAllowPolicy;
    const permitted =
      !allow || allow.redrivePermission === 'allowAll' || (allow.redrivePermission === 'byQueue' && (allow.sourceQueueArns ?? []).includes(sourceArn));
    if (!permitted) throw invalid(`The RedriveAllowPolicy of ${dlq.name} does not allow this queue as a source queue.`);
  }

  /** A queue by ARN, URL (any host) or name. */
  findQueue(ref: string): Queue | undefined {
    if (ref.startsWith('arn:')) {
      const fields = parseArn(ref);
      if (fields === undefined) return undefined;
      // The name is the resource up to a colon, if any (a queue name has none): so it has always been read.
      const colon = fields.resource.indexOf(':');
      const queue = this.queues.get(colon === -1 ? fields.resource : fields.resource.slice(0, colon));
      return queue && fields.account === queue.account ? queue : undefined;
    }
    const url = /^[a-z]+:\/\/[^/]+\/([^/]+)\/([^/?#]+)\/?$/i.exec(ref);
    if (url) {
      const queue = this.queues.get(decodeURIComponent(url[2]!));
      return queue && url[1] === queue.account ? queue : undefined;
    }
    return ref.includes('/') ? undefined : this.queues.get(ref);
  }

  /** Whether SQS's endpoint of `region` (the default region when absent) serves this queue: a queue lives in its ARN's region. */
  isInRegion(queue: Queue, region: string | undefined): boolean {
    return queue.region === (region ?? this.region);
  }

  /** The queue or QueueDoesNotExist, as SQS answers for an unknown URL. */
  requireQueue(ref: unknown): Queue {
    if (typeof ref !== 'string' || ref === '') {
      throw new AwsError('MissingParameter', 'The request must contain the parameter QueueUrl.');
    }
    const queue = this.findQueue(ref);
    if (!queue) throw new AwsError('QueueDoesNotExist', 'The specified queue does not exist.');
    return queue;
  }

  /** QueueSink: send from another service (or an IAM caller when `caller` is absent). */
  async sendMessage(
    queueArn: string,
    body: string,
    messageAttributes?: Readonly<Record<string, MessageAttributeValue>>,
    caller?: InvokeCaller,
  ): Promise<{ readonly MessageId: string }> {
    const queue = this.requireQueue(queueArn);
    if (caller?.principal !== undefined) this.authorize(queue, caller);
    const sent = this.sendTo(queue, { MessageBody: body, ...(messageAttributes ? { MessageAttributes: messageAttributes } : {}) }, caller);
    return { MessageId: sent.MessageId };
  }

  /** SendMessage by queue URL. */
  send(queueUrl: string, input: SendInput, caller?: InvokeCaller): SendOutput {
    return this.sendTo(this.requireQueue(queueUrl), input, caller);
  }

  private sendTo(queue: Queue, input: SendInput, caller: InvokeCaller | undefined): SendOutput {
    const body = validateBody(input.MessageBody, queue.settings.maximumMessageSize);
    const delay = validateRange('DelaySeconds', input.DelaySeconds, 0, 900, 'DelaySeconds must be >= 0 and <= 900') ?? queue.settings.delaySeconds;
    const attributes = validateAttributes(input.MessageAttributes);
    const md5OfAttributes = md5OfMessageAttributes(attributes);
    const now = Date.now();
    const message: QueuedMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: md5OfBody(body),
      messageAttributes: attributes,
      ...(md5OfAttributes ? { md5OfMessageAttributes: md5OfAttributes } : {}),
      sentTimestamp: now,
      expiresAt: now + this.localMs(queue.settings.messageRetentionPeriod),
      senderId: caller?.principal ? `AROA${this.account}:${caller.principal}` : this.account,
      receiveCount: 0,
      visibleAt: now + this.localMs(delay),
      receiveNonce: 0,
    };
    queue.add(message);
    this.tracer?.record({
      service: 'sqs',
      kind: 'deliver',
      resource: queue.arn,
      summary: `message ${message.messageId} -> queue ${queue.name}${caller?.principal ? ` from ${caller.principal}` : ''}`,
      ids: { messageId: message.messageId, ...(caller?.sourceArn ? { sourceArn: caller.sourceArn } : {}) },
    });
    return {
      MessageId: message.messageId,
      MD5OfMessageBody: message.md5OfBody,
      ...(message.md5OfMessageAttributes ? { MD5OfMessageAttributes: message.md5OfMessageAttributes } : {}),
    };
  }

  /** ReceiveMessage: waits up to WaitTimeSeconds (real time) for a message. */
  async receive(queueUrl: string, input: ReceiveInput = {}): Promise<ReceivedMessage[]> {
    const queue = this.requireQueue(queueUrl);
    const max = validateRange('MaxNumberOfMessages', input.MaxNumberOfMessages, 1, 10, 'Must be between 1 and 10, if provided.') ?? 1;
    const visibility =
      validateRange('VisibilityTimeout', input.VisibilityTimeout, 0, 43_200, 'Must be >= 0 and <= 43200, if provided.') ??
      queue.settings.visibilityTimeout;
    const wait =
      validateRange('WaitTimeSeconds', input.WaitTimeSeconds, 0, 20, 'Must be >= 0 and <= 20, if provided.') ??
      queue.settings.receiveMessageWaitTimeSeconds;
    const deadline = Date.now() + wait * 1000;
    for (;;) {
      const taken = this.take(queue, max, visibility);
      const now = Date.now();
      if (taken.length > 0 || now >= deadline) {
        return taken.map((m) => this.present(queue, m, input));
      }
      // None was visible at take(): a time not after now means one has become visible since, and the loop takes it.
      await queue.waitForChange(Math.min(deadline, queue.nextVisibleAt(now)) - now);
      if (this.queues.get(queue.name) !== queue) throw new AwsError('QueueDoesNotExist', 'The specified queue does not exist.');
    }
  }

  /**
   * Resolves when the queue may hold a message to receive: at once when one
   * is visible, else at the next send or when the next delayed or in-flight
   * message becomes visible, at `deadline` (local epoch ms), or when `signal`
   * aborts. Event-driven (one timer at most), so a consumer such as an event
   * source mapping waits without polling.
   */
  async whenReceivable(queueRef: string, options: { readonly deadline?: number; readonly signal?: AbortSignal } = {}): Promise<void> {
    const queue = this.requireQueue(queueRef);
    const now = Date.now();
    queue.expire(now);
    const until = Math.min(queue.nextVisibleAt(now), options.deadline ?? Infinity);
    if (until <= now) return;
    await queue.waitForChange(until - now, options.signal);
  }

  /** DeleteMessage; a stale receipt handle (not the latest receive) succeeds without deleting, as on AWS. */
  deleteMessage(queueUrl: string, receiptHandle: unknown): void {
    const queue = this.requireQueue(queueUrl);
    const { messageId, nonce } = this.decodeHandle(queue, receiptHandle);
    const index = queue.messages.findIndex((m) => m.messageId === messageId);
    if (index >= 0 && queue.messages[index]!.receiveNonce === nonce) {
      queue.messages.splice(index, 1);
      queue.store?.remove(messageId);
    }
  }

  /** ChangeMessageVisibility for a message in flight. */
  changeMessageVisibility(queueUrl: string, receiptHandle: unknown, visibilityTimeout: unknown): void {
    const queue = this.requireQueue(queueUrl);
    const seconds = validateRange('VisibilityTimeout', visibilityTimeout, 0, 43_200, 'Must be >= 0 and <= 43200.');
    if (seconds === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter VisibilityTimeout.');
    const { messageId, nonce } = this.decodeHandle(queue, receiptHandle);
    const message = queue.messages.find((m) => m.messageId === messageId && m.receiveNonce === nonce);
    if (!message || message.visibleAt <= Date.now()) {
      throw new AwsError('MessageNotInflight', 'Message does not exist or is not available for visibility timeout change.');
    }
    // Waiters computed their wake-up from the old visibility: they look again.
    queue.changeVisibility(message, Date.now() + this.localMs(seconds));
  }

  /** GetQueueUrl by name (and owner account when given), in `region` (the default one when absent). */
  getQueueUrl(queueName: unknown, ownerAccountId?: unknown, region?: string): string {
    if (typeof queueName !== 'string' || queueName === '') {
      throw new AwsError('MissingParameter', 'The request must contain the parameter QueueName.');
    }
    const queue = this.queues.get(queueName);
    if (!queue || !this.isInRegion(queue, region) || (ownerAccountId !== undefined && ownerAccountId !== queue.account)) {
      throw new AwsError('QueueDoesNotExist', 'The specified queue does not exist.');
    }
    return queue.url;
  }

  /** GetQueueAttributes; `All` or names, InvalidAttributeName for unknown ones. */
  getQueueAttributes(queueUrl: string, names: readonly string[] = []): Record<string, string> {
    const queue = this.requireQueue(queueUrl);
    for (const name of names) {
      if (name !== 'All' && !QUEUE_ATTRIBUTES.includes(name)) {
        throw new AwsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
      }
    }
    const wanted = names.includes('All') ? QUEUE_ATTRIBUTES : names;
    const all = this.queueAttributes(queue);
    const result: Record<string, string> = {};
    for (const name of wanted) if (all[name] !== undefined) result[name] = all[name]!;
    return result;
  }

  /** Queue URLs in name order, optionally by name prefix (at most 1000, as ListQueues). */
  listQueues(prefix = '', region?: string): string[] {
    return [...this.queues.values()]
      .filter((q) => q.name.startsWith(prefix) && this.isInRegion(q, region))
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((q) => q.url)
      .slice(0, 1000);
  }

  /** PurgeQueue; AWS allows one per queue every 60 seconds. */
  purgeQueue(queueUrl: string): void {
    const queue = this.requireQueue(queueUrl);
    const now = Date.now();
    if (now - queue.lastPurge < this.localMs(60)) {
      throw new AwsError('PurgeQueueInProgress', `Only one PurgeQueue operation on ${queue.name} is allowed every 60 seconds.`, 403);
    }
    queue.lastPurge = now;
    queue.clear();
  }

  /** The queue's messages without receiving them (for tests and the dashboard). */
  peek(queueArnOrName: string): PeekedMessage[] {
    const queue = this.requireQueue(queueArnOrName);
    const now = Date.now();
    queue.expire(now);
    return queue.messages.map((m) => ({
      messageId: m.messageId,
      body: m.body,
      messageAttributes: m.messageAttributes,
      sentTimestamp: m.sentTimestamp,
      receiveCount: m.receiveCount,
      state: m.visibleAt <= now ? 'visible' : m.receiveCount > 0 ? 'in-flight' : 'delayed',
    }));
  }

  /** Every queue, for the dashboard. */
  listQueueNames(): string[] {
    return [...this.queues.keys()].sort();
  }

  private authorize(queue: Queue, caller: InvokeCaller): void {
    const allowed = isAllowed(queue.policies, {
      principal: { service: caller.principal! },
      action: 'sqs:SendMessage',
      resource: queue.arn,
      context: {
        ...(caller.sourceArn ? { 'aws:SourceArn': caller.sourceArn } : {}),
        'aws:SourceAccount': caller.sourceAccount ?? ((caller.sourceArn && arnField(caller.sourceArn, 'account')) || this.account),
        // Calls between local services never leave the process: treat them as TLS.
        'aws:SecureTransport': 'true',
      },
    });
    if (!allowed) {
      const message = `Access to the resource ${queue.url} is denied.`;
      if (this.refused) {
        this.refused({
          principal: caller.principal!,
          action: 'sqs:SendMessage',
          resource: queue.arn,
          ...(caller.sourceArn ? { sourceArn: caller.sourceArn } : {}),
          message,
          via: `queue policy of ${queue.name}`,
        });
        throw new AwsError('AccessDenied', message, 403);
      }
      this.tracer?.record({
        service: 'sqs',
        kind: 'denied',
        resource: queue.arn,
        summary: `${caller.principal} may not sqs:SendMessage to ${queue.name}${caller.sourceArn ? ` for ${caller.sourceArn}` : ''}: the queue policy does not allow it`,
      });
      throw new AwsError('AccessDenied', `Access to the resource ${queue.url} is denied.`, 403);
    }
  }

  /** Receive up to `max` visible messages, moving over-received ones to the DLQ. */
  private take(queue: Queue, max: number, visibilitySeconds: number): QueuedMessage[] {
    const now = Date.now();
    queue.expire(now);
    // Nothing visible (the usual case of an idle long poll): no scan.
    if (queue.nextVisibleAt(now) > now) return [];
    const taken: QueuedMessage[] = [];
    const redrive = queue.settings.redrivePolicy;
    for (const message of [...queue.messages]) {
      if (taken.length >= max) break;
      if (message.visibleAt > now) continue;
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        const dlq = this.findQueue(redrive.deadLetterTargetArn);
        if (dlq && dlq !== queue) {
          this.moveToDeadLetterQueue(queue, dlq, message, now);
          continue;
        }
      }
      message.receiveCount += 1;
      message.firstReceiveTimestamp ??= now;
      message.receiveNonce += 1;
      message.visibleAt = now + this.localMs(visibilitySeconds);
      queue.store?.save(message);
      taken.push(message);
    }
    return taken;
  }

  private moveToDeadLetterQueue(source: Queue, dlq: Queue, message: QueuedMessage, now: number): void {
    source.messages.splice(source.messages.indexOf(message), 1);
    source.store?.remove(message.messageId);
    // The message keeps its id, body and original send time; the count restarts.
    const moved: QueuedMessage = { ...message, receiveCount: 0, visibleAt: now, receiveNonce: 0 };
    delete moved.firstReceiveTimestamp;
    dlq.add(moved);
    this.tracer?.record({
      service: 'sqs',
      kind: 'dead-letter',
      resource: dlq.arn,
      summary: `message ${message.messageId} moved from ${source.name} to ${dlq.name} after ${message.receiveCount} receives`,
      ids: { messageId: message.messageId },
    });
  }

  private present(queue: Queue, message: QueuedMessage, input: ReceiveInput): ReceivedMessage {
    const systemNames = [...(input.MessageSystemAttributeNames ?? []), ...(input.AttributeNames ?? [])];
    const attributes: Record<string, string> = {};
    const system: Record<string, string> = {
      SenderId: message.senderId,
      SentTimestamp: String(message.sentTimestamp),
      ApproximateReceiveCount: String(message.receiveCount),
      ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp ?? message.sentTimestamp),
    };
    for (const name of SYSTEM_ATTRIBUTES) {
      if (systemNames.includes('All') || systemNames.includes(name)) attributes[name] = system[name]!;
    }
    const selected = selectAttributes(message.messageAttributes, input.MessageAttributeNames ?? []);
    const md5 = md5OfMessageAttributes(selected);
    return {
      MessageId: message.messageId,
      ReceiptHandle: encodeHandle(queue, message),
      MD5OfBody: message.md5OfBody,
      Body: message.body,
      ...(Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
      ...(md5 ? { MD5OfMessageAttributes: md5, MessageAttributes: selected } : {}),
    };
  }

  private queueAttributes(queue: Queue): Record<string, string | undefined> {
    const now = Date.now();
    queue.expire(now);
    const s = queue.settings;
    const settings = settingAttributes(s, queue.policies);
    const visible = queue.messages.filter((m) => m.visibleAt <= now).length;
    const inFlight = queue.messages.filter((m) => m.visibleAt > now && m.receiveCount > 0).length;
    const delayed = queue.messages.length - visible - inFlight;
    return {
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: String(inFlight),
      ApproximateNumberOfMessagesDelayed: String(delayed),
      CreatedTimestamp: String(Math.floor(queue.createdTimestamp / 1000)),
      LastModifiedTimestamp: String(Math.floor(queue.lastModifiedTimestamp / 1000)),
      QueueArn: queue.arn,
      ...settings,
      // Only the SSE setting in force is reported: the KMS pair with a key, SqsManagedSseEnabled without.
      SqsManagedSseEnabled: s.kmsMasterKeyId ? undefined : settings.SqsManagedSseEnabled,
      KmsDataKeyReusePeriodSeconds: s.kmsMasterKeyId ? settings.KmsDataKeyReusePeriodSeconds : undefined,
    };
  }

  private decodeHandle(queue: Queue, handle: unknown): { messageId: string; nonce: number } {
    if (typeof handle !== 'string' || handle === '') {
      throw new AwsError('MissingParameter', 'The request must contain the parameter ReceiptHandle.');
    }
    const invalid = new AwsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`, 404);
    let parts: string[];
    try {
      parts = Buffer.from(handle, 'base64').toString('utf8').split('\n');
    } catch {
      throw invalid;
    }
    if (parts.length !== 4 || parts[0] !== 'sqs-local' || parts[1] !== queue.arn || !/^\d+$/.test(parts[3] ?? '')) throw invalid;
    return { messageId: parts[2]!, nonce: Number(parts[3]) };
  }

  private checkRedriveAllowed(logicalIds: ReadonlyMap<Queue, string>): void {
    for (const source of this.queues.values()) {
      const target = source.settings.redrivePolicy?.deadLetterTargetArn;
      if (!target) continue;
      const dlq = this.findQueue(target);
      const logicalId = logicalIds.get(source) ?? source.name;
      if (!dlq) {
        throw new UnsupportedTemplateError(logicalId, 'Properties.RedrivePolicy.deadLetterTargetArn', `no queue in the stack has the ARN ${target}`);
      }
      const allow = dlq.settings.redriveAllowPolicy;
      const permitted =
        !allow ||
        allow.redrivePermission === 'allowAll' ||
        (allow.redrivePermission === 'byQueue' && (allow.sourceQueueArns ?? []).includes(source.arn));
      if (!permitted) {
        throw new UnsupportedTemplateError(
          logicalId,
          'Properties.RedrivePolicy.deadLetterTargetArn',
          `the RedriveAllowPolicy of ${dlq.name} does not allow ${source.name} as a source queue (AWS rejects this)`,
        );
      }
    }
  }

  private localMs(awsSeconds: number): number {
    return this.clock ? this.clock.toLocalMs(awsSeconds * 1000) : awsSeconds * 1000;
  }
}

function encodeHandle(queue: Queue, message: QueuedMessage): string {
  return Buffer.from(`sqs-local\n${queue.arn}\n${message.messageId}\n${message.receiveNonce}`, 'utf8').toString('base64');
}

function selectAttributes(
  attributes: Readonly<Record<string, MessageAttributeValue>>,
  names: readonly string[],
): Record<string, MessageAttributeValue> {
  const selected: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    const wanted = names.some((n) => n === 'All' || n === '.*' || n === name || (n.endsWith('.*') && name.startsWith(n.slice(0, -1))));
    if (wanted) selected[name] = value;
  }
  return selected;
}

/**
 * The attributes a queue's settings and policy give, as GetQueueAttributes
 * prints them, each whatever the others say: GetQueueAttributes then hides
 * the SSE pair that does not apply, and CreateQueue compares a request with
 * an existing queue on these.
 */
function settingAttributes(s: QueueSettings, policies: readonly unknown[]): Record<string, string | undefined> {
  return {
    VisibilityTimeout: String(s.visibilityTimeout),
    MaximumMessageSize: String(s.maximumMessageSize),
    MessageRetentionPeriod: String(s.messageRetentionPeriod),
    DelaySeconds: String(s.delaySeconds),
    ReceiveMessageWaitTimeSeconds: String(s.receiveMessageWaitTimeSeconds),
    Policy: policyAttribute(policies),
    RedrivePolicy: s.redrivePolicy ? JSON.stringify(s.redrivePolicy) : undefined,
    RedriveAllowPolicy: s.redriveAllowPolicy ? JSON.stringify(s.redriveAllowPolicy) : undefined,
    SqsManagedSseEnabled: String(s.sqsManagedSseEnabled),
    KmsMasterKeyId: s.kmsMasterKeyId,
    // AWS's default, as GetQueueAttributes reports it.
    KmsDataKeyReusePeriodSeconds: String(s.kmsDataKeyReusePeriodSeconds ?? 300),
  };
}

function policyAttribute(policies: readonly unknown[]): string | undefined {
  if (policies.length === 0) return undefined;
  const last = policies[policies.length - 1];
  return typeof last === 'string' ? last : JSON.stringify(last);
}
