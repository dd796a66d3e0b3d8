import { acknowledge, acknowledgeCloudWatchRole, acknowledgeFunctionDefaults } from '../../lib/nag-acknowledgements.js';
import type { SyncAsyncApiStack } from './sync-async-api-stack.js';

/**
 * The cdk-nag AwsSolutions findings this example keeps on purpose, each on
 * the construct it concerns. The rest (SSL-only and encrypted queues,
 * request validation, access and execution logging) is fixed in the stack.
 */
export function acknowledgeNagFindings(stack: SyncAsyncApiStack): void {
  acknowledgeFunctionDefaults(stack.fn);
  const endOfTheLine =
    'This queue is a Lambda destination where invocation records end up to be read; a dead-letter queue behind it would only move the records';
  acknowledge(stack.successQueue, 'SQS3', endOfTheLine);
  acknowledge(stack.failureQueue, 'SQS3', endOfTheLine);

  acknowledgeCloudWatchRole(stack.api);
  const method = stack.api.root.getResource('square')?.getResource('{number}')?.node.tryFindChild('GET');
  if (method) {
    const publicReason = 'GET /square/{number} is a public demo endpoint by design; it only squares a number';
    acknowledge(method, 'APIG4', publicReason);
    acknowledge(method, 'COG4', publicReason);
  }
  acknowledge(
    stack.api.deploymentStage,
    'APIG3',
    'No WAF web ACL: a web ACL costs a monthly fee, too much for an example; API Gateway account throttling applies',
  );
}
