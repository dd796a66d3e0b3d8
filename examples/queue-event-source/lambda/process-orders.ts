import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';

// Module scope so the logger (and its cold-start flag) is reused across invocations.
const logger = new Logger({ serviceName: 'queue-event-source' });

/** A message is poison when its JSON body says so; anything else is processed. */
function isPoison(body: string): boolean {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && (parsed as { poison?: unknown }).poison === true;
  } catch {
    // A body that is not JSON cannot be processed either.
    return true;
  }
}

/**
 * Processes a batch of SQS messages and reports the poison ones as
 * `batchItemFailures`, so only they return to the queue (the event source
 * mapping has ReportBatchItemFailures) while their batch-mates are deleted.
 */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchItemFailure[] = [];
  for (const record of event.Records) {
    if (isPoison(record.body)) batchItemFailures.push({ itemIdentifier: record.messageId });
  }
  // One line per batch: which messages came together, and how often each was received.
  logger.info('batch', {
    size: event.Records.length,
    messages: event.Records.map((r) => ({ messageId: r.messageId, receiveCount: Number(r.attributes.ApproximateReceiveCount) })),
    failed: batchItemFailures.map((f) => f.itemIdentifier),
  });
  return { batchItemFailures };
};
