import type { SNSEvent } from 'aws-lambda';

/** The mode a sender asks for; `fail` makes the function throw. */
export interface DestinedMessage {
  readonly mode: string;
  /** The SNS MessageId, logged so a sender can follow its event. */
  readonly messageId?: string;
}

/** What the function returns on success; the success rule (lib/destination-rules.ts) matches `source` and `action`. */
export const DESTINED_RESULT = {
  source: 'cdkpatterns.the-destined-lambda',
  action: 'message',
  message: 'hello world',
} as const;

export type DestinedResult = typeof DESTINED_RESULT;

/**
 * Parses one SNS record's message into a {@link DestinedMessage}, failing
 * loudly with the record's index so a bad record is easy to find in the logs.
 */
export function parseRecord(record: unknown, index: number): DestinedMessage {
  const sns = (record as { Sns?: { Message?: unknown; MessageId?: unknown } } | null | undefined)?.Sns;
  if (sns === undefined || sns === null || typeof sns !== 'object') {
    throw new TypeError(`Record ${index} is not an SNS notification: it has no Sns object`);
  }
  if (typeof sns.Message !== 'string') {
    throw new TypeError(`Record ${index} has no Sns.Message string`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(sns.Message);
  } catch {
    throw new TypeError(`Record ${index} has a message that is not JSON: ${sns.Message.slice(0, 200)}`);
  }
  const mode = (parsed as { mode?: unknown } | null)?.mode;
  if (typeof mode !== 'string') {
    throw new TypeError(`Record ${index} has a message without a "mode" string: ${sns.Message.slice(0, 200)}`);
  }
  return typeof sns.MessageId === 'string' ? { mode, messageId: sns.MessageId } : { mode };
}

/**
 * Invoked asynchronously by SNS. Whatever it returns or throws is sent by
 * Lambda itself (not by this code) to the onSuccess / onFailure destination.
 */
export const handler = async (event: SNSEvent): Promise<DestinedResult> => {
  const records: readonly unknown[] = Array.isArray(event?.Records) ? event.Records : [];
  // Parse every record before acting so one malformed record fails the whole batch,
  // which is what makes Lambda retry and finally report it to onFailure.
  const messages = records.map((record, index) => parseRecord(record, index));
  messages.forEach((message, index) => {
    console.log(`record ${index}: message ${message.messageId ?? '(no id)'} mode=${JSON.stringify(message.mode)}`);
    if (message.mode === 'fail') {
      throw new Error(`Record ${index} asked to fail (mode=fail)`);
    }
  });
  return { ...DESTINED_RESULT };
};
