import { Logger } from '@aws-lambda-powertools/logger';
import type { EventBridgeEvent } from 'aws-lambda';
import type { DestinationRecord, LambdaErrorPayload } from './destination-record.js';

/**
 * The event the failure rule delivers: a failed (retries exhausted) or
 * expired invocation record of the destined function.
 */
export type FailureEvent = EventBridgeEvent<
  'Lambda Function Invocation Result - Failure',
  DestinationRecord<LambdaErrorPayload>
>;

// Module scope so the logger (and its cold-start flag) is reused across invocations.
const logger = new Logger({ serviceName: 'the-destined-lambda-failure' });

/** Logs the whole destination event as one structured JSON line. */
export const handler = async (event: FailureEvent): Promise<void> => {
  logger.info('destination event', { event });
};
