import type { Duration } from 'aws-cdk-lib';
import { Archive, Rule } from 'aws-cdk-lib/aws-events';
import type { EventPattern, IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

import { DESTINED_RESULT } from '../lambda/destined.js';
import { FAILURE_DETAIL_TYPE, SUCCESS_DETAIL_TYPE } from '../lambda/destination-record.js';

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
      // What the destined function returns, from the handler's own constant.
      responsePayload: { source: [DESTINED_RESULT.source], action: [DESTINED_RESULT.action] },
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

/** A dead-letter queue that refuses plain HTTP and is encrypted with SQS-managed keys. */
export function secureDeadLetterQueue(scope: Construct, id: string): Queue {
  return new Queue(scope, id, { enforceSSL: true, encryption: QueueEncryption.SQS_MANAGED });
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
    // Each rule's DLQ is created just before the rule, which keeps the template's resource order.
    const ruleTo = (name: string, logger: IFunction, description: string, eventPattern: EventPattern) => {
      const deadLetterQueue = secureDeadLetterQueue(this, `${name}TargetDlq`);
      const rule = new Rule(this, `${name}Rule`, {
        eventBus: props.bus,
        description,
        eventPattern,
        targets: [
          new LambdaFunction(logger, {
            retryAttempts: props.targetRetryAttempts,
            maxEventAge: props.targetMaxEventAge,
            deadLetterQueue,
          }),
        ],
      });
      return { rule, deadLetterQueue };
    };

    const success = ruleTo('Success', props.successLogger, 'Successful invocations of the destined function', successPattern(fnArn));
    this.successRule = success.rule;
    this.successDeadLetterQueue = success.deadLetterQueue;

    const failure = ruleTo(
      'Failure',
      props.failureLogger,
      'Every failure of the destined function (any error, timeout, RetriesExhausted, EventAgeExceeded)',
      failurePattern(fnArn),
    );
    this.failureRule = failure.rule;
    this.failureDeadLetterQueue = failure.deadLetterQueue;

    this.failureArchive = new Archive(this, 'FailureArchive', {
      sourceEventBus: props.bus,
      description: 'Failure records of the destined function, for replay',
      eventPattern: failurePattern(fnArn),
      retention: props.archiveRetention,
    });
  }
}
