import { Logger } from '@aws-lambda-powertools/logger';

// Module scope so the logger (and its cold-start flag) is reused across invocations.
const logger = new Logger({ serviceName: 'function-destination-second' });

/**
 * Logs whatever it receives as one structured JSON line (`message: "received"`,
 * the payload under `event`): the full invocation record from a plain
 * `LambdaDestination`, or only the response payload when the destination is
 * `responseOnly` and the record arrives through an EventBridge rule.
 */
export const handler = async (event: unknown): Promise<void> => {
  logger.info('received', { event });
};
