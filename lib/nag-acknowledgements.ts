import { Validations } from 'aws-cdk-lib';
import type { IRestApi } from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import type { DestinationRules } from './destination-rules.js';
import type { DestinedFunction } from './destined-function.js';
import type { SendEventApi } from './send-event-api.js';

/**
 * The constructs whose findings are acknowledged. The stack passes itself;
 * naming only these parts keeps this module free of the stack's.
 */
export interface NagSubjects {
  readonly destined: DestinedFunction;
  readonly successLogger: DestinedFunction;
  readonly failureLogger: DestinedFunction;
  readonly subscriptionDeadLetterQueue: IConstruct;
  readonly rules: Pick<DestinationRules, 'successDeadLetterQueue' | 'failureDeadLetterQueue'>;
  readonly sendEventApi: SendEventApi;
}

/** cdk-nag v3 rule ids are namespaced by the pack. */
const id = (rule: string): string => `AwsSolutions::AwsSolutions-${rule}`;

const BASIC_EXECUTION_ROLE =
  'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';
const API_GATEWAY_LOGS_ROLE =
  'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]';

/** Acknowledges one AwsSolutions finding (rule id without the pack prefix) on one construct. */
export function acknowledge(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: id(rule), reason });
}

/**
 * The findings every function built with `nodejsFunctionDefaults` has: its
 * role's AWSLambdaBasicExecutionRole and the pinned runtime. The examples
 * share it, as they share those defaults.
 */
export function acknowledgeFunctionDefaults(fn: IFunction): void {
  acknowledge(
    fn.role!,
    BASIC_EXECUTION_ROLE,
    'AWSLambdaBasicExecutionRole only allows writing the function\'s own CloudWatch logs; it is the AWS-maintained minimum for a Lambda role',
  );
  acknowledge(
    fn,
    'L1',
    'Node.js 22 is pinned on purpose: the handlers and the local runtime are tested on it; moving to a newer runtime is a deliberate upgrade',
  );
}

/** The account-level logging role `cloudWatchRole: true` adds to a REST API, if it did. */
export function acknowledgeCloudWatchRole(api: IRestApi): void {
  const cloudWatchRole = api.node.tryFindChild('CloudWatchRole');
  if (cloudWatchRole) {
    acknowledge(
      cloudWatchRole,
      API_GATEWAY_LOGS_ROLE,
      'AmazonAPIGatewayPushToCloudWatchLogs is the policy AWS documents for the account-level API Gateway logging role',
    );
  }
}

/**
 * Acknowledges the cdk-nag AwsSolutions findings this demo keeps on purpose,
 * each on the one construct it concerns and with the reason. Everything else
 * cdk-nag asks for (SSL-only SNS and SQS, request validation, access and
 * execution logging, SQS encryption) is fixed in the constructs instead.
 */
export function acknowledgeNagFindings(stack: NagSubjects): void {
  for (const fn of [stack.destined, stack.successLogger, stack.failureLogger]) acknowledgeFunctionDefaults(fn.fn);

  const dlqReason =
    'This queue IS a dead-letter queue (of the SNS subscription or of an EventBridge target); a dead-letter queue of a dead-letter queue would only move the problem';
  acknowledge(stack.subscriptionDeadLetterQueue, 'SQS3', dlqReason);
  acknowledge(stack.rules.successDeadLetterQueue, 'SQS3', dlqReason);
  acknowledge(stack.rules.failureDeadLetterQueue, 'SQS3', dlqReason);

  const api = stack.sendEventApi.api;
  acknowledgeCloudWatchRole(api);
  const method = api.root.getResource('SendEvent')?.node.tryFindChild('GET');
  if (method) {
    const publicReason =
      'GET /SendEvent is a public demo endpoint by design (opened from a browser); abuse is bounded by stage throttling and it can only publish {"mode": ...} to one topic';
    acknowledge(method, 'APIG4', publicReason);
    acknowledge(method, 'COG4', publicReason);
  }
  acknowledge(
    api.deploymentStage,
    'APIG3',
    'No WAF web ACL: a web ACL costs a monthly fee per ACL, too much for a demo; stage throttling limits the request rate instead',
  );
}
