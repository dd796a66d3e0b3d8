import type { MessageAttributeValue } from '../contracts.js';
import { AwsError } from '../protocol/errors.js';
import { guardedOperations, type JsonService } from '../protocol/json.js';
import type { ReceivedMessage, SqsService } from './service.js';

/**
 * The legacy Query error codes SQS still sends in `x-amzn-query-error`; the
 * AWS SDKs (awsQueryCompatible) read the error's name from that header.
 */
const QUERY_ERROR_CODES: Readonly<Record<string, string>> = {
  QueueDoesNotExist: 'AWS.SimpleQueueService.NonExistentQueue',
  PurgeQueueInProgress: 'AWS.SimpleQueueService.PurgeQueueInProgress',
  MessageNotInflight: 'AWS.SimpleQueueService.MessageNotInflight',
  BatchEntryIdsNotDistinct: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
  EmptyBatchRequest: 'AWS.SimpleQueueService.EmptyBatchRequest',
  InvalidBatchEntryId: 'AWS.SimpleQueueService.InvalidBatchEntryId',
  TooManyEntriesInBatchRequest: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  BatchRequestTooLong: 'AWS.SimpleQueueService.BatchRequestTooLong',
  UnsupportedOperation: 'AWS.SimpleQueueService.UnsupportedOperation',
  QueueNameExists: 'QueueAlreadyExists',
  QueueDeletedRecently: 'AWS.SimpleQueueService.QueueDeletedRecently',
};

/** The SQS API (awsJson 1.0, `AmazonSQS.<Operation>`) over an SqsService. */
export function sqsApi(sqs: SqsService): JsonService {
  // SQS is regional: a queue URL of another region names no queue of the request's region.
  return guardedOperations(sqsOperations(sqs), (input, scope) => {
    const queue = typeof input.QueueUrl === 'string' && input.QueueUrl !== '' ? sqs.findQueue(input.QueueUrl) : undefined;
    if (queue && !sqs.isInRegion(queue, scope?.region)) throw new AwsError('QueueDoesNotExist', 'The specified queue does not exist.');
  });
}

function sqsOperations(sqs: SqsService): JsonService {
  return {
    targetPrefix: 'AmazonSQS',
    version: '1.0',
    errorTypePrefix: 'com.amazonaws.sqs#',
    errorHeaders: (error: AwsError) => ({ 'x-amzn-query-error': `${QUERY_ERROR_CODES[error.code] ?? error.code};${error.fault}` }),
    operations: {
      SendMessage: (input) => sqs.send(queueUrl(input), { ...input, MessageAttributes: attributesIn(input.MessageAttributes) }),
      SendMessageBatch: (input) => {
        const url = queueUrl(input);
        const entries = batchEntries(input.Entries, 'SendMessageBatchRequestEntry');
        checkBatchLength(entries);
        const Successful: unknown[] = [];
        const Failed: unknown[] = [];
        for (const entry of entries) {
          try {
            const sent = sqs.send(url, { ...entry, MessageAttributes: attributesIn(entry.MessageAttributes) });
            Successful.push({ Id: entry.Id, ...sent });
          } catch (error) {
            if (!(error instanceof AwsError) || error.code === 'QueueDoesNotExist') throw error;
            Failed.push({ Id: entry.Id, SenderFault: error.fault === 'Sender', Code: error.code, Message: error.message });
          }
        }
        return { Successful, Failed };
      },
      ReceiveMessage: async (input) => {
        const messages = await sqs.receive(queueUrl(input), {
          MaxNumberOfMessages: input.MaxNumberOfMessages,
          VisibilityTimeout: input.VisibilityTimeout,
          WaitTimeSeconds: input.WaitTimeSeconds,
          MessageAttributeNames: stringList(input.MessageAttributeNames),
          MessageSystemAttributeNames: stringList(input.MessageSystemAttributeNames),
          AttributeNames: stringList(input.AttributeNames),
        });
        return messages.length === 0 ? {} : { Messages: messages.map(messageOut) };
      },
      DeleteMessage: (input) => {
        sqs.deleteMessage(queueUrl(input), input.ReceiptHandle);
        return {};
      },
      DeleteMessageBatch: (input) => {
        const url = queueUrl(input);
        const Successful: unknown[] = [];
        const Failed: unknown[] = [];
        for (const entry of batchEntries(input.Entries, 'DeleteMessageBatchRequestEntry')) {
          try {
            sqs.deleteMessage(url, entry.ReceiptHandle);
            Successful.push({ Id: entry.Id });
          } catch (error) {
            if (!(error instanceof AwsError) || error.code === 'QueueDoesNotExist') throw error;
            Failed.push({ Id: entry.Id, SenderFault: true, Code: error.code, Message: error.message });
          }
        }
        return { Successful, Failed };
      },
      ChangeMessageVisibility: (input) => {
        sqs.changeMessageVisibility(queueUrl(input), input.ReceiptHandle, input.VisibilityTimeout);
        return {};
      },
      GetQueueUrl: (input, scope) => ({ QueueUrl: sqs.getQueueUrl(input.QueueName, input.QueueOwnerAWSAccountId, scope?.region) }),
      GetQueueAttributes: (input) => {
        const attributes = sqs.getQueueAttributes(queueUrl(input), stringList(input.AttributeNames) ?? []);
        return Object.keys(attributes).length === 0 ? {} : { Attributes: attributes };
      },
      ListQueues: (input, scope) => {
        const prefix = typeof input.QueueNamePrefix === 'string' ? input.QueueNamePrefix : '';
        const urls = sqs.listQueues(prefix, scope?.region);
        return urls.length === 0 ? {} : { QueueUrls: urls };
      },
      PurgeQueue: (input) => {
        sqs.purgeQueue(queueUrl(input));
        return {};
      },
      CreateQueue: (input, scope) => {
        const name = input.QueueName;
        if (typeof name === 'string' && /^[A-Za-z0-9_-]{1,75}\.fifo$/.test(name)) {
          throw new AwsError('InvalidParameterValue', `The local runtime does not emulate FIFO queues: ${name} cannot be created.`);
        }
        if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(name)) {
          throw new AwsError('InvalidParameterValue', 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
        }
        return { QueueUrl: sqs.createQueueFromApi(name, input.Attributes, scope?.region, input.tags).url };
      },
      DeleteQueue: (input) => {
        sqs.deleteQueue(queueUrl(input));
        return {};
      },
      SetQueueAttributes: (input) => {
        sqs.setQueueAttributes(queueUrl(input), input.Attributes);
        return {};
      },
      TagQueue: (input) => {
        sqs.tagQueue(queueUrl(input), input.Tags);
        return {};
      },
      UntagQueue: (input) => {
        sqs.untagQueue(queueUrl(input), input.TagKeys);
        return {};
      },
      ListQueueTags: (input) => {
        const tags = sqs.listQueueTags(queueUrl(input));
        return Object.keys(tags).length === 0 ? {} : { Tags: tags };
      },
    },
  };
}

function queueUrl(input: Record<string, unknown>): string {
  const url = input.QueueUrl;
  if (typeof url !== 'string' || url === '') throw new AwsError('MissingParameter', 'The request must contain the parameter QueueUrl.');
  return url;
}

/**
 * A SendMessageBatch may carry at most 1 MiB in all, as one message may
 * (256 KiB before 2025-08).
 * https://aws.amazon.com/blogs/compute/more-room-to-build-serverless-services-now-support-payloads-up-to-1-mb
 */
const MAX_BATCH_BYTES = 1_048_576;

function checkBatchLength(entries: readonly BatchEntry[]): void {
  let total = 0;
  for (const entry of entries) {
    const record = entry as unknown as Record<string, unknown>;
    if (typeof record.MessageBody === 'string') total += Buffer.byteLength(record.MessageBody, 'utf8');
    const attributes = record.MessageAttributes;
    if (attributes && typeof attributes === 'object') {
      for (const [name, value] of Object.entries(attributes as Record<string, Record<string, unknown>>)) {
        total += Buffer.byteLength(name, 'utf8');
        for (const field of ['DataType', 'StringValue', 'BinaryValue']) {
          const part = value?.[field];
          if (typeof part === 'string') total += Buffer.byteLength(part, 'utf8');
        }
      }
    }
  }
  if (total > MAX_BATCH_BYTES) {
    throw new AwsError('BatchRequestTooLong', `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${total} bytes.`);
  }
}

interface BatchEntry {
  readonly Id: string;
  readonly [key: string]: unknown;
}

function batchEntries(entries: unknown, entryType: string): BatchEntry[] {
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new AwsError('EmptyBatchRequest', `There should be at least one ${entryType} in the request.`);
  }
  if (entries.length > 10) {
    throw new AwsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${entries.length}.`);
  }
  const ids = new Set<string>();
  for (const entry of entries as BatchEntry[]) {
    if (typeof entry?.Id !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(entry.Id)) {
      throw new AwsError('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.');
    }
    if (ids.has(entry.Id)) throw new AwsError('BatchEntryIdsNotDistinct', `Id ${entry.Id} repeated.`);
    ids.add(entry.Id);
  }
  return entries as BatchEntry[];
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : undefined;
}

/** JSON carries binary attribute values as base64 text. */
function attributesIn(value: unknown): Record<string, MessageAttributeValue> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new AwsError('InvalidParameterValue', 'MessageAttributes must be a map.');
  const result: Record<string, MessageAttributeValue> = {};
  for (const [name, raw] of Object.entries(value as Record<string, Record<string, unknown>>)) {
    const binary = raw?.BinaryValue;
    result[name] = {
      DataType: raw?.DataType as string,
      ...(typeof raw?.StringValue === 'string' ? { StringValue: raw.StringValue } : {}),
      ...(typeof binary === 'string' ? { BinaryValue: new Uint8Array(Buffer.from(binary, 'base64')) } : {}),
    };
  }
  return result;
}

function messageOut(message: ReceivedMessage): unknown {
  if (!message.MessageAttributes) return message;
  const attributes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes)) {
    attributes[name] = {
      DataType: value.DataType,
      ...(value.StringValue !== undefined ? { StringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { BinaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
    };
  }
  return { ...message, MessageAttributes: attributes };
}
