import { CfnOutput, Duration, Stack, Token } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { EventBridgeDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DestinationRules, secureDeadLetterQueue } from './destination-rules.js';
import { DestinedFunction } from './destined-function.js';
import { acknowledgeNagFindings } from './nag-acknowledgements.js';
import { SendEventApi } from './send-event-api.js';

/** Props of {@link TheDestinedLambdaStack}. Every one has a safe default. */
export interface TheDestinedLambdaStackProps extends StackProps {
  /**
   * Name of the custom EventBridge bus the destinations put records on.
   * @default 'the-destined-lambda'
   */
  readonly eventBusName?: string;
  /**
   * How many times Lambda retries a failed asynchronous invocation of the
   * destined function (an integer 0-2). AWS waits about 1 minute before the
   * first retry and 2 minutes before the second.
   * @default 2
   */
  readonly retryAttempts?: number;
  /**
   * Maximum age of an event Lambda keeps for (re)trying, 60 s to 6 h in whole
   * seconds. Older events go to onFailure with condition `EventAgeExceeded`.
   * @default Duration.hours(6)
   */
  readonly maxEventAge?: Duration;
  /**
   * Steady-state requests per second the `prod` stage accepts before
   * answering 429; a public demo endpoint needs no more.
   * @default 10
   */
  readonly throttlingRateLimit?: number;
  /**
   * Requests the `prod` stage accepts in a burst (a positive integer).
   * @default 20
   */
  readonly throttlingBurstLimit?: number;
  /**
   * Retention of every log group of the stack (functions, API access logs).
   * @default RetentionDays.ONE_MONTH
   */
  readonly logGroupRetention?: RetentionDays;
  /**
   * How long the bus archive keeps failure records for replay.
   * @default Duration.days(30)
   */
  readonly archiveRetention?: Duration;
}

/** Defaults of {@link TheDestinedLambdaStackProps}. */
export const STACK_DEFAULTS = {
  eventBusName: 'the-destined-lambda',
  retryAttempts: 2,
  maxEventAgeSeconds: 6 * 60 * 60,
  throttlingRateLimit: 10,
  throttlingBurstLimit: 20,
  archiveRetentionDays: 30,
} as const;

/** How often and how long EventBridge retries a logger target before its DLQ. */
const TARGET_RETRY_ATTEMPTS = 4;
const TARGET_MAX_EVENT_AGE = Duration.hours(1);

/**
 * Checks props before anything is built, so a wrong value fails `cdk synth`
 * with a message naming the prop instead of a failed deployment.
 */
export function validateStackProps(props: TheDestinedLambdaStackProps): void {
  const { retryAttempts, maxEventAge, throttlingRateLimit, throttlingBurstLimit, eventBusName } = props;
  if (retryAttempts !== undefined && (!Number.isInteger(retryAttempts) || retryAttempts < 0 || retryAttempts > 2)) {
    throw new Error(`retryAttempts must be an integer from 0 to 2 (Lambda's MaximumRetryAttempts), got ${retryAttempts}`);
  }
  if (maxEventAge !== undefined && !Token.isUnresolved(maxEventAge.toSeconds({ integral: false }))) {
    const seconds = maxEventAge.toSeconds({ integral: false });
    if (!Number.isInteger(seconds) || seconds < 60 || seconds > 21600) {
      throw new Error(
        `maxEventAge must be a whole number of seconds from 60 to 21600 (1 minute to 6 hours), got ${seconds} seconds`,
      );
    }
  }
  if (throttlingRateLimit !== undefined && !(Number.isFinite(throttlingRateLimit) && throttlingRateLimit > 0)) {
    throw new Error(`throttlingRateLimit must be a positive number of requests per second, got ${throttlingRateLimit}`);
  }
  if (
    throttlingBurstLimit !== undefined &&
    !(Number.isInteger(throttlingBurstLimit) && throttlingBurstLimit > 0)
  ) {
    throw new Error(`throttlingBurstLimit must be a positive integer number of requests, got ${throttlingBurstLimit}`);
  }
  if (
    eventBusName !== undefined &&
    !Token.isUnresolved(eventBusName) &&
    (eventBusName === 'default' || !/^[A-Za-z0-9._-]{1,256}$/.test(eventBusName))
  ) {
    throw new Error(
      `eventBusName must be 1-256 letters, digits, '.', '-' or '_' and not 'default', got ${JSON.stringify(eventBusName)}`,
    );
  }
}

/**
 * The Destined Lambda: `GET /SendEvent` -> SNS -> the destined Lambda
 * (invoked asynchronously, retried by Lambda) -> onSuccess / onFailure
 * destinations on a custom EventBridge bus -> rules -> logger Lambdas.
 */
export class TheDestinedLambdaStack extends Stack {
  public readonly bus: EventBus;
  public readonly topic: Topic;
  public readonly destined: DestinedFunction;
  public readonly successLogger: DestinedFunction;
  public readonly failureLogger: DestinedFunction;
  public readonly sendEventApi: SendEventApi;
  public readonly rules: DestinationRules;
  /** Notifications SNS could not deliver to the destined function. */
  public readonly subscriptionDeadLetterQueue: Queue;

  public constructor(scope: Construct, id: string, props: TheDestinedLambdaStackProps = {}) {
    validateStackProps(props);
    super(scope, id, props);

    const logGroupRetention = props.logGroupRetention ?? RetentionDays.ONE_MONTH;

    this.bus = new EventBus(this, 'EventBus', {
      eventBusName: props.eventBusName ?? STACK_DEFAULTS.eventBusName,
    });

    this.topic = new Topic(this, 'Topic', {
      displayName: 'The Destined Lambda',
      enforceSSL: true,
    });

    this.destined = new DestinedFunction(this, 'Destined', {
      entry: 'destined.ts',
      functionName: `${this.stackName}-destined`,
      description: 'Invoked asynchronously by SNS; its result goes to EventBridge through destinations',
      logGroupRetention,
      functionProps: {
        timeout: Duration.seconds(10),
        memorySize: 256,
        retryAttempts: props.retryAttempts ?? STACK_DEFAULTS.retryAttempts,
        maxEventAge: props.maxEventAge ?? Duration.seconds(STACK_DEFAULTS.maxEventAgeSeconds),
        onSuccess: new EventBridgeDestination(this.bus),
        onFailure: new EventBridgeDestination(this.bus),
      },
    });

    this.subscriptionDeadLetterQueue = secureDeadLetterQueue(this, 'SubscriptionDlq');
    this.topic.addSubscription(
      new LambdaSubscription(this.destined.fn, { deadLetterQueue: this.subscriptionDeadLetterQueue }),
    );

    const logger = (id: string, name: 'success' | 'failure') =>
      new DestinedFunction(this, id, {
        entry: `${name}-logger.ts`,
        functionName: `${this.stackName}-${name}-logger`,
        description: `Logs ${name} records of the destined function`,
        logGroupRetention,
        functionProps: { timeout: Duration.seconds(10), memorySize: 256 },
      });
    this.successLogger = logger('SuccessLogger', 'success');
    this.failureLogger = logger('FailureLogger', 'failure');

    this.rules = new DestinationRules(this, 'Rules', {
      bus: this.bus,
      destinedFunction: this.destined.fn,
      successLogger: this.successLogger.fn,
      failureLogger: this.failureLogger.fn,
      targetRetryAttempts: TARGET_RETRY_ATTEMPTS,
      targetMaxEventAge: TARGET_MAX_EVENT_AGE,
      archiveRetention: props.archiveRetention ?? Duration.days(STACK_DEFAULTS.archiveRetentionDays),
    });

    this.sendEventApi = new SendEventApi(this, 'SendEventApi', {
      topic: this.topic,
      throttlingRateLimit: props.throttlingRateLimit ?? STACK_DEFAULTS.throttlingRateLimit,
      throttlingBurstLimit: props.throttlingBurstLimit ?? STACK_DEFAULTS.throttlingBurstLimit,
      logGroupRetention,
    });

    new CfnOutput(this, 'SendEventUrl', {
      description: 'Open in a browser; add ?mode=fail to make the destined function fail',
      value: `${this.sendEventApi.api.url}SendEvent`,
    });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName });
    new CfnOutput(this, 'TopicArn', { value: this.topic.topicArn });
    new CfnOutput(this, 'DestinedFunctionName', { value: this.destined.fn.functionName });
    new CfnOutput(this, 'SuccessLoggerFunctionName', { value: this.successLogger.fn.functionName });
    new CfnOutput(this, 'FailureLoggerFunctionName', { value: this.failureLogger.fn.functionName });

    acknowledgeNagFindings(this);
  }
}
