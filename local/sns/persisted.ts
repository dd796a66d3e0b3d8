import type { MessageAttributeValue } from '../contracts.js';
import type { Notification } from './notification.js';

/** Attribute values as JSON can hold them: binary values as base64 text. */
type StoredAttributes = Record<string, { DataType: string; StringValue?: string; BinaryBase64?: string }>;

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
  const attributes: StoredAttributes = {};
  for (const [name, value] of Object.entries(notification.content.attributes)) {
    attributes[name] = {
      DataType: value.DataType,
      ...(value.StringValue === undefined ? {} : { StringValue: value.StringValue }),
      ...(value.BinaryValue === undefined ? {} : { BinaryBase64: Buffer.from(value.BinaryValue).toString('base64') }),
    };
  }
  return { ...notification, content: { ...notification.content, attributes } };
}

export function decodeNotification(stored: StoredNotification): Notification {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(stored.content.attributes)) {
    attributes[name] = {
      DataType: value.DataType,
      ...(value.StringValue === undefined ? {} : { StringValue: value.StringValue }),
      ...(value.BinaryBase64 === undefined ? {} : { BinaryValue: new Uint8Array(Buffer.from(value.BinaryBase64, 'base64')) }),
    };
  }
  return { ...stored, content: { ...stored.content, attributes } };
}
