import type { Collection } from '../state/types.js';
import { loadAttributes, storeAttributes, type StoredAttributes } from '../state/stored-attributes.js';
import type { QueuedMessage } from './queue.js';

/** A message as the state store keeps it: binary attribute values as base64 text. */
export interface PersistedMessage extends Omit<QueuedMessage, 'messageAttributes'> {
  readonly messageAttributes: StoredAttributes;
}

function toPersisted(message: QueuedMessage): PersistedMessage {
  return { ...message, messageAttributes: storeAttributes(message.messageAttributes) };
}

function fromPersisted(saved: PersistedMessage): QueuedMessage {
  return { ...saved, messageAttributes: loadAttributes(saved.messageAttributes) };
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
