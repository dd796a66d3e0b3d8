import { loadAttributes, storeAttributes, type StoredAttributes } from '../state/stored-attributes.js';
import type { Notification } from './notification.js';

export interface StoredNotification extends Omit<Notification, 'content'> {
  readonly content: Omit<Notification['content'], 'attributes'> & { readonly attributes: StoredAttributes };
}

/** A delivery to one subscription not yet done, as the state store keeps it. */
export interface PendingDelivery {
  readonly notification: StoredNotification;
  /** The attempt to make next. */
  readonly attempt: number;
  /** Retry delays of the delivery policy used so far. */
  readonly retriesUsed: number;
  /** Local epoch ms of the next attempt, when waiting for a retry. */
  readonly dueAt?: number;
}

export function encodeNotification(notification: Notification): StoredNotification {
  return { ...notification, content: { ...notification.content, attributes: storeAttributes(notification.content.attributes) } };
}

export function decodeNotification(stored: StoredNotification): Notification {
  return { ...stored, content: { ...stored.content, attributes: loadAttributes(stored.content.attributes) } };
}
