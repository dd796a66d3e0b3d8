import type { Duration } from 'aws-cdk-lib';
import { Archive, Rule } from 'aws-cdk-lib/aws-events';
import type { EventPattern, IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

import { FAILURE_DETAIL_TYPE, SUCCESS_DETAIL_TYPE } from '../lambda/destination-record.js';

export { FAILURE_DETAIL_TYPE, SUCCESS_DETAIL_TYPE };
/** `source` the destined function puts in its result, matched by the success rule. */
export const RESULT_SOURCE = 'cdkpatterns.the-destined-lambda';
/** `action` the destined function puts in its result, matched by the success rule. */
export const RESULT_ACTION = 'message';

/**
 * Success records of exactly this function (its `$LATEST`, as Lambda writes
 * it in `requestContext.functionArn`) whose result is the pattern's message.
 */
export function successPattern(functionArn: string): EventPattern {
  return {
    source: ['lambda'],
    detailType: [SUCCESS_DETAIL_TYPE],
    detail: {
      requestContext: { condition: ['Success'], functionArn: [`${functionArn}:$LATEST`] },
      responsePayload: { source: [RESULT_SOURCE], action: [RESULT_ACTION] },
    },
  };
}

/**
 * Every failure record of this function: any error type, timeouts and
 * crashes, `RetriesExhausted` and `EventAgeExceeded` alike. Deliberately no
 * `errorType` or `condition` constraint, so no failure goes unnoticed.
 */
export function failurePattern(functionArn: string): EventPattern {
  return {
    source: ['lambda'],
    detailType: [FAILURE_DETAIL_TYPE],
    detail: { requestContext: { functionArn: [`${functionArn}:$LATEST`] } },
  };
}

/** Props of {@link DestinationRules}. */
export interface DestinationRulesProps {
  /** Bus the destined function's destinations put records on. */
  readonly bus: IEventBus;
  /** The destined function whose records are routed. */
  readonly destinedFunction: IFunction;
  readonly successLogger: IFunction;
  readonly failureLogger: IFunction;
  /** Retries of each rule target when invoking a logger fails (0-185). */
  readonly targetRetryAttempts: number;
  /** How long EventBridge keeps retrying a target (60 s - 24 h). */
  readonly targetMaxEventAge: Duration;
  /** How long the failure archive keeps events; they can be replayed onto the bus. */
  readonly archiveRetention: Duration;
}

/**
 * The success and failure rules on the bus, each with a retry policy and its
 * own dead-letter queue for events EventBridge could not deliver, plus an
 * archive of failure records for replay.
 */
export class DestinationRules extends Construct {
  public readonly successRule: Rule;
  public readonly failureRule: Rule;
  /** Success events EventBridge could not deliver to the success logger. */
  public readonly successDeadLetterQueue: Queue;
  /** Failure events EventBridge could not deliver to the failure logger. */
  public readonly failureDeadLetterQueue: Queue;
  public readonly failureArchive: Archive;

  public constructor(scope: Construct, id: string, props: DestinationRulesProps) {
    super(scope, id);
    const fnArn = props.destinedFunction.functionArn;
    const queueProps = { enforceSSL: true, encryption: QueueEncryption.SQS_MANAGED } as const;

    this.successDeadLetterQueue = new Queue(this, 'SuccessTargetDlq', queueProps);
    this.successRule = new Rule(this, 'SuccessRule', {
      eventBus: props.bus,
      description: 'Successful invocations of the destined function',
      eventPattern: successPattern(fnArn),
      targets: [
        new LambdaFunction(props.successLogger, {
          retryAttempts: props.targetRetryAttempts,
          maxEventAge: props.targetMaxEventAge,
          deadLetterQueue: this.successDeadLetterQueue,
        }),
      ],
    });

    this.failureDeadLetterQueue = new Queue(this, 'FailureTargetDlq', queueProps);
    this.failureRule = new Rule(this, 'FailureRule', {
      eventBus: props.bus,
      description: 'Every failure of the destined function (any error, timeout, RetriesExhausted, EventAgeExceeded)',
      eventPattern: failurePattern(fnArn),
      targets: [
        new LambdaFunction(props.failureLogger, {
          retryAttempts: props.targetRetryAttempts,
          maxEventAge: props.targetMaxEventAge,
          deadLetterQueue: this.failureDeadLetterQueue,
        }),
      ],
    });

    this.failureArchive = new Archive(this, 'FailureArchive', {
      sourceEventBus: props.bus,
      description: 'Failure records of the destined function, for replay',
      eventPattern: failurePattern(fnArn),
      retention: props.archiveRetention,
    });
  }
}
