import type { Collection, Owner } from '../state/types.js';
import { loadAttributes, storeAttributes, type StoredAttributes } from '../state/stored-attributes.js';
import type { QueuedMessage, QueueSettings } from './queue.js';

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

/** A queue CreateQueue made, as the state store keeps it; its URL, region and account follow from its ARN. */
export interface PersistedQueue {
  readonly name: string;
  readonly arn: string;
  readonly createdTimestamp: number;
  /** Absent in the records of versions before SetQueueAttributes: the creation time. */
  readonly lastModifiedTimestamp?: number;
  readonly settings: QueueSettings;
  readonly policies: readonly unknown[];
  /** Absent in the records of versions before TagQueue: none. */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * No template resource owns a queue CreateQueue made, so no change of the
 * assembly drops it (as on AWS): its owners are these, which the runtime
 * keeps alongside the stack's resources. The type is no CloudFormation type,
 * so no resource of the stack can collide with it.
 */
export const API_QUEUE_OWNER_TYPE = 'AWS::SQS::Queue (CreateQueue)';

/** Owner of the record of every queue CreateQueue made. */
export const API_QUEUES_OWNER: Owner = { logicalId: 'CreateQueue', type: API_QUEUE_OWNER_TYPE };

/** Owner of the messages of one queue CreateQueue made: its ARN, which no logical id can spell. */
export function apiQueueMessagesOwner(arn: string): Owner {
  return { logicalId: arn, type: API_QUEUE_OWNER_TYPE };
}
