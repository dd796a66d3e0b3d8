import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';

/** What `First` is invoked with: anything; `name` is greeted when present. */
export interface FirstEvent {
  readonly name?: string;
  readonly [key: string]: unknown;
}

/** What `First` returns: the invocation record's `responsePayload`. */
export interface FirstResult {
  readonly greeting: string;
  readonly from: string;
  readonly requestId: string;
}

// Module scope so the logger (and its cold-start flag) is reused across invocations.
const logger = new Logger({ serviceName: 'function-destination-first' });

/** Returns a greeting; Lambda hands it to the on-success destination. */
export const handler = async (event: FirstEvent, context: Context): Promise<FirstResult> => {
  logger.info('invoked', { event });
  return {
    greeting: `Hello, ${event.name ?? 'world'}!`,
    from: context.functionName,
    requestId: context.awsRequestId,
  };
};
