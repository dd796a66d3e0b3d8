import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { SyncAsyncApiStack } from './sync-async-api-stack.js';

/** cdk-nag v3 rule ids are namespaced by the pack. */
const id = (rule: string): string => `AwsSolutions::AwsSolutions-${rule}`;

function acknowledge(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: id(rule), reason });
}

/**
 * The cdk-nag AwsSolutions findings this example keeps on purpose, each on
 * the construct it concerns. The rest (SSL-only and encrypted queues,
 * request validation, access and execution logging) is fixed in the stack.
 */
export function acknowledgeNagFindings(stack: SyncAsyncApiStack): void {
  acknowledge(
    stack.fn.role!,
    'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    "AWSLambdaBasicExecutionRole only allows writing the function's own CloudWatch logs; it is the AWS-maintained minimum for a Lambda role",
  );
  acknowledge(
    stack.fn,
    'L1',
    'Node.js 22 is pinned on purpose, as in the root app: the handler and the local runtime are tested on it',
  );
  const endOfTheLine =
    'This queue is a Lambda destination where invocation records end up to be read; a dead-letter queue behind it would only move the records';
  acknowledge(stack.successQueue, 'SQS3', endOfTheLine);
  acknowledge(stack.failureQueue, 'SQS3', endOfTheLine);

  const cloudWatchRole = stack.api.node.tryFindChild('CloudWatchRole');
  if (cloudWatchRole) {
    acknowledge(
      cloudWatchRole,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS documents for the account-level API Gateway logging role',
    );
  }
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
