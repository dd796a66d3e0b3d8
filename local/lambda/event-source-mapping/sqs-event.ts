import type { MessageAttributeValue } from '../../contracts.js';

/** A received message, as SQS's ReceiveMessage gives it (all system and message attributes asked for). */
export interface ReceivedSqsMessage {
  readonly MessageId: string;
  readonly ReceiptHandle: string;
  readonly MD5OfBody: string;
  readonly Body: string;
  readonly Attributes?: Readonly<Record<string, string>>;
  readonly MD5OfMessageAttributes?: string;
  readonly MessageAttributes?: Readonly<Record<string, MessageAttributeValue>>;
}

/** One record of the event Lambda's SQS poller invokes a function with. */
export interface SqsRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly messageAttributes: Readonly<Record<string, SqsRecordAttribute>>;
  readonly md5OfMessageAttributes?: string;
  readonly md5OfBody: string;
  readonly eventSource: 'aws:sqs';
  readonly eventSourceARN: string;
  readonly awsRegion: string;
}

export interface SqsRecordAttribute {
  readonly stringValue?: string;
  /** Base64, as in the event JSON. */
  readonly binaryValue?: string;
  readonly stringListValues: readonly string[];
  readonly binaryListValues: readonly string[];
  readonly dataType: string;
}

/** The system attributes the SQS event carries (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#example-standard-queue-message-event). */
const EVENT_ATTRIBUTES = ['ApproximateReceiveCount', 'SentTimestamp', 'SenderId', 'ApproximateFirstReceiveTimestamp'];

/**
 * A received message as a record of the SQS event: camel-cased keys,
 * message attributes with `stringValue` / `binaryValue` and the (always
 * empty) list values, the queue's ARN and region.
 */
export function sqsRecord(message: ReceivedSqsMessage, queueArn: string, region: string): SqsRecord {
  const attributes: Record<string, string> = {};
  for (const name of EVENT_ATTRIBUTES) {
    const value = message.Attributes?.[name];
    if (value !== undefined) attributes[name] = value;
  }
  const messageAttributes: Record<string, SqsRecordAttribute> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
      stringListValues: [],
      binaryListValues: [],
      dataType: value.DataType,
    };
  }
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body,
    attributes,
    messageAttributes,
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    md5OfBody: message.MD5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * The record as FilterCriteria patterns see it: a body that is JSON is
 * matched as the parsed object, any other body as its plain string
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs-filtering.html).
 */
export function filterView(record: SqsRecord): Record<string, unknown> {
  let body: unknown = record.body;
  try {
    body = JSON.parse(record.body);
  } catch {
    // Plain text stays a string.
  }
  return { ...record, body };
}
