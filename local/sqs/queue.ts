import type { MessageAttributeValue } from '../contracts.js';
import type { MessageStore } from './persisted.js';

/** A queue's configuration, in AWS units (seconds, bytes). */
export interface QueueSettings {
  visibilityTimeout: number;
  messageRetentionPeriod: number;
  delaySeconds: number;
  receiveMessageWaitTimeSeconds: number;
  maximumMessageSize: number;
  sqsManagedSseEnabled: boolean;
  kmsMasterKeyId?: string;
  kmsDataKeyReusePeriodSeconds?: number;
  redrivePolicy?: { readonly deadLetterTargetArn: string; readonly maxReceiveCount: number };
  redriveAllowPolicy?: { readonly redrivePermission: string; readonly sourceQueueArns?: readonly string[] };
}

export const DEFAULT_SETTINGS: QueueSettings = {
  visibilityTimeout: 30,
  messageRetentionPeriod: 345_600,
  delaySeconds: 0,
  receiveMessageWaitTimeSeconds: 0,
  // 1 MiB since 2025-08 (raised from 256 KiB), also the default for a new queue.
  // https://aws.amazon.com/blogs/compute/more-room-to-build-serverless-services-now-support-payloads-up-to-1-mb
  maximumMessageSize: 1_048_576,
  sqsManagedSseEnabled: true,
};

/** A message while it is in a queue. Times are local epoch ms. */
export interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly messageAttributes: Readonly<Record<string, MessageAttributeValue>>;
  readonly md5OfMessageAttributes?: string;
  /** Real epoch ms when first sent (kept across a move to the DLQ, as on AWS). */
  readonly sentTimestamp: number;
  /** Local ms after which the message has outlived the retention period. */
  expiresAt: number;
  readonly senderId: string;
  receiveCount: number;
  firstReceiveTimestamp?: number;
  /** Local ms from which the message can be received (delay, visibility timeout). */
  visibleAt: number;
  /** Bumped on each receive so a receipt handle names one receive. */
  receiveNonce: number;
}

/** A standard (not FIFO) queue and its messages. */
export class Queue {
  readonly messages: QueuedMessage[] = [];
  readonly policies: unknown[] = [];
  /** Cost allocation tags (TagQueue, CreateQueue's `tags`, or the template's Tags), in the order first given. */
  readonly tags = new Map<string, string>();
  /** Real epoch ms of the last SetQueueAttributes, or of the creation. */
  lastModifiedTimestamp: number;
  /** Local ms of the last PurgeQueue, which AWS allows once a minute. */
  lastPurge = -Infinity;
  /** Where the messages are kept across restarts, when the queue belongs to the stack and state is durable. */
  store: MessageStore | undefined;
  private readonly waiters = new Set<() => void>();
  /**
   * Lower bounds (local ms) of the messages' visibleAt and expiresAt, so a
   * wake-up need not scan the queue. Once queued, a message's expiry only
   * changes with a new retention period (`retain`, which sets the bound
   * afresh) and its visibility only moves later (a receive), except through
   * ChangeMessageVisibility; a removal only raises the minimum. So a bound is
   * lowered where a message arrives or is shown sooner, and made exact by a
   * scan only once it has passed.
   */
  private visibleFrom = Infinity;
  private expiringFrom = Infinity;

  constructor(
    readonly name: string,
    readonly arn: string,
    readonly url: string,
    readonly account: string,
    /** The region whose SQS endpoint serves the queue: its ARN's. */
    readonly region: string,
    readonly settings: QueueSettings,
    readonly createdTimestamp: number,
  ) {
    this.lastModifiedTimestamp = createdTimestamp;
  }

  /** Enqueue a message and wake the long polls. */
  add(message: QueuedMessage): void {
    this.messages.push(message);
    this.store?.save(message);
    this.noteArrival(message);
    this.notify();
  }

  /** Take up messages a previous run kept (already in the store). */
  restore(messages: readonly QueuedMessage[]): void {
    this.messages.push(...messages);
    for (const message of messages) this.noteArrival(message);
    if (messages.length > 0) this.notify();
  }

  /** Drop every message, from the store too (PurgeQueue, DeleteQueue). */
  clear(): void {
    for (const message of this.messages) this.store?.remove(message.messageId);
    this.messages.length = 0;
  }

  /** Make an in-flight message visible at `at` instead (ChangeMessageVisibility), and wake the waiters to look again. */
  changeVisibility(message: QueuedMessage, at: number): void {
    message.visibleAt = at;
    this.store?.save(message);
    this.visibleFrom = Math.min(this.visibleFrom, at);
    this.notify();
  }

  /**
   * Apply a new retention period (local ms) to the messages already queued,
   * as SetQueueAttributes does on AWS: each now expires that long after it
   * was sent, so a shorter period drops the messages older than it at once.
   */
  retain(retentionMs: number, now: number): void {
    this.expire(now);
    let next = Infinity;
    for (const message of this.messages) {
      message.expiresAt = message.sentTimestamp + retentionMs;
      this.store?.save(message);
      next = Math.min(next, message.expiresAt);
    }
    this.expiringFrom = next;
    this.expire(now);
  }

  /**
   * When the next message becomes visible: a time after `now`, Infinity when
   * none will, or a time not after `now` when one is visible already.
   */
  nextVisibleAt(now: number): number {
    if (this.visibleFrom > now) return this.visibleFrom;
    let next = Infinity;
    for (const message of this.messages) {
      // One visible message answers; the bound stays where it is, still a lower bound.
      if (message.visibleAt <= now) return message.visibleAt;
      next = Math.min(next, message.visibleAt);
    }
    this.visibleFrom = next;
    return next;
  }

  /** Drop the messages that outlived the retention period by `now`. */
  expire(now: number): void {
    if (this.expiringFrom > now) return;
    let next = Infinity;
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const message = this.messages[i]!;
      if (message.expiresAt > now) {
        next = Math.min(next, message.expiresAt);
        continue;
      }
      this.messages.splice(i, 1);
      this.store?.remove(message.messageId);
    }
    this.expiringFrom = next;
  }

  private noteArrival(message: QueuedMessage): void {
    this.visibleFrom = Math.min(this.visibleFrom, message.visibleAt);
    this.expiringFrom = Math.min(this.expiringFrom, message.expiresAt);
  }

  /** Wake every long poll so it looks again. */
  notify(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** Resolves at the next `notify()`, after `ms` local milliseconds (Infinity: no timer), or when `signal` aborts, whichever first. */
  waitForChange(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = Number.isFinite(ms) ? setTimeout(done, Math.max(0, ms)) : undefined;
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
