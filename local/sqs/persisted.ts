import type { MessageAttributeValue } from '../contracts.js';
import type { Collection } from '../state/types.js';
import type { QueuedMessage } from './queue.js';

/** A message as the state store keeps it: binary attribute values as base64 text. */
export interface PersistedMessage extends Omit<QueuedMessage, 'messageAttributes'> {
  readonly messageAttributes: Readonly<Record<string, { DataType: string; StringValue?: string; BinaryBase64?: string }>>;
}

export function toPersisted(message: QueuedMessage): PersistedMessage {
  const attributes: Record<string, { DataType: string; StringValue?: string; BinaryBase64?: string }> = {};
  for (const [name, value] of Object.entries(message.messageAttributes)) {
    attributes[name] = {
      DataType: value.DataType,
      ...(value.StringValue === undefined ? {} : { StringValue: value.StringValue }),
      ...(value.BinaryValue === undefined ? {} : { BinaryBase64: Buffer.from(value.BinaryValue).toString('base64') }),
    };
  }
  return { ...message, messageAttributes: attributes };
}

export function fromPersisted(saved: PersistedMessage): QueuedMessage {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(saved.messageAttributes)) {
    attributes[name] = {
      DataType: value.DataType,
      ...(value.StringValue === undefined ? {} : { StringValue: value.StringValue }),
      ...(value.BinaryBase64 === undefined ? {} : { BinaryValue: new Uint8Array(Buffer.from(value.BinaryBase64, 'base64')) }),
    };
  }
  return { ...saved, messageAttributes: attributes };
}

/** Keeps one queue's messages in the state store: every change is saved as it happens. */
export class MessageStore {
  constructor(private readonly collection: Collection<PersistedMessage>) {}

  save(message: QueuedMessage): void {
    this.collection.save(message.messageId, toPersisted(message));
  }

  remove(messageId: string): void {
    this.collection.remove(messageId);
  }

  load(): QueuedMessage[] {
    return this.collection.all().map(fromPersisted);
  }
}
