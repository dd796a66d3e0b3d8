import type { FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { chainClients, filterAllLogEvents, type ChainClients } from '../../scripts/chain-api.js';

export { loggedEvent, logGroupOf } from '../../scripts/chain-api.js';

/**
 * Where the end-to-end suite runs: the local runtime (default) or a deployed
 * stack (`E2E_TARGET=aws`, with the caller's AWS credentials and region).
 * The suite talks to either through the AWS SDK only.
 */
export interface E2ETarget extends ChainClients {
  readonly name: 'local' | 'aws';
  readonly stackName: string;
  /** How long to wait for the failure path: AWS really waits 1 + 2 minutes. */
  readonly failureBudgetMs: number;
  readonly pollMs: number;
}

export function makeTarget(name: 'local' | 'aws', endpoint?: string): E2ETarget {
  return {
    ...chainClients(endpoint),
    name,
    stackName: process.env.STACK_NAME ?? 'TheDestinedLambdaStack',
    failureBudgetMs: name === 'aws' ? 8 * 60_000 : 30_000,
    pollMs: name === 'aws' ? 5_000 : 100,
  };
}

/** Poll FilterLogEvents until `accept` picks enough events, or fail after `budgetMs`. */
export async function waitForLogEvents(
  target: E2ETarget,
  logGroupName: string,
  filterPattern: string,
  accept: (events: FilteredLogEvent[]) => boolean,
  budgetMs: number,
  startTime = Date.now() - 60_000,
): Promise<FilteredLogEvent[]> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    const events = await filterAllLogEvents(target, logGroupName, filterPattern, startTime);
    if (accept(events)) return events;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${filterPattern} in ${logGroupName}; saw ${events.length} event(s)`);
    }
    await new Promise((resolve) => setTimeout(resolve, target.pollMs));
  }
}
