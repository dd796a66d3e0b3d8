import { Logger } from '@aws-lambda-powertools/logger';
import type { EventBridgeEvent } from 'aws-lambda';
import type { DestinedResult } from './destined.js';
import type { DestinationRecord } from './destination-record.js';

/** The event the success rule delivers: a successful invocation record of the destined function. */
export type SuccessEvent = EventBridgeEvent<
  'Lambda Function Invocation Result - Success',
  DestinationRecord<DestinedResult>
>;

// Module scope so the logger (and its cold-start flag) is reused across invocations.
const logger = new Logger({ serviceName: 'the-destined-lambda-success' });

/** Logs the whole destination event as one structured JSON line. */
export const handler = async (event: SuccessEvent): Promise<void> => {
  logger.info('destination event', { event });
};
