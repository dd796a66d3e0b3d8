import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { nodejsFunctionDefaults } from '../../lib/destined-function.js';
import { acknowledge, acknowledgeFunctionDefaults } from '../../lib/nag-acknowledgements.js';


/** Props of {@link QueueEventSourceStack}. */
export interface QueueEventSourceStackProps extends StackProps {
  /**
   * Most messages in one invocation's batch.
   * @default 5
   */
  readonly batchSize?: number;
  /**
   * How long the event source mapping gathers messages before it invokes with a batch that is not full.
   * @default Duration.seconds(2)
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Most concurrent invocations by the event source mapping (2..1000).
   * @default 2
   */
  readonly maxConcurrency?: number;
  /**
   * Receives of a message after which SQS moves it to the dead-letter queue.
   * @default 3
   */
  readonly maxReceiveCount?: number;
  /**
   * How long a received message stays invisible; a failed message returns after it.
   * Must be at least the function's timeout, or AWS refuses the event source mapping.
   * @default Duration.seconds(30)
   */
  readonly visibilityTimeout?: Duration;
}

/** The function's name, so its log group is `/aws/lambda/<name>`. */
const FUNCTION_NAME = 'queue-event-source-processor';
/** The function's timeout; the queue's visibility timeout must not be shorter. */
const FUNCTION_TIMEOUT = Duration.seconds(10);

/**
 * An SQS queue feeding a Lambda function through an event source mapping:
 * batches (size and batching window), partial batch responses
 * (ReportBatchItemFailures), a concurrency cap, and the queue's redrive
 * policy, which moves a message received `maxReceiveCount` times to a
 * dead-letter queue.
 */
export class QueueEventSourceStack extends Stack {
  /** The queue the function consumes. */
  public readonly queue: Queue;
  /** Where SQS moves messages that failed `maxReceiveCount` times. */
  public readonly deadLetterQueue: Queue;
  /** The consumer. */
  public readonly fn: NodejsFunction;

  public constructor(scope: Construct, id: string, props: QueueEventSourceStackProps = {}) {
    super(scope, id, props);
    const batchSize = props.batchSize ?? 5;
    const maxConcurrency = props.maxConcurrency ?? 2;
    const maxReceiveCount = props.maxReceiveCount ?? 3;
    const visibilityTimeout = props.visibilityTimeout ?? Duration.seconds(30);
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
      throw new Error(`QueueEventSourceStack ${id}: maxReceiveCount must be an integer 1..1000, got ${maxReceiveCount}`);
    }
    if (visibilityTimeout.toSeconds() < FUNCTION_TIMEOUT.toSeconds()) {
      throw new Error(
        `QueueEventSourceStack ${id}: visibilityTimeout (${visibilityTimeout.toSeconds()} s) must be at least the function timeout (${FUNCTION_TIMEOUT.toSeconds()} s)`,
      );
    }

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      enforceSSL: true,
      encryption: QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'WorkQueue', {
      enforceSSL: true,
      encryption: QueueEncryption.SQS_MANAGED,
      visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });

    const logGroup = new LogGroup(this, 'ProcessorLogs', {
      logGroupName: `/aws/lambda/${FUNCTION_NAME}`,
      retention: RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Bundled as the root app bundles its handlers (lib/destined-function.ts's defaults): local esbuild, minified ESM, source maps.
    this.fn = new NodejsFunction(this, 'Processor', {
      functionName: FUNCTION_NAME,
      description: 'Processes queue messages; reports poison ones as batch item failures',
      ...nodejsFunctionDefaults(),
      entry: fileURLToPath(new URL('./lambda/process-orders.ts', import.meta.url)),
      timeout: FUNCTION_TIMEOUT,
      logGroup,
    });
    // Also grants the role sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes (and more) on the queue.
    this.fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize,
        maxBatchingWindow: props.maxBatchingWindow ?? Duration.seconds(2),
        reportBatchItemFailures: true,
        maxConcurrency,
      }),
    );

    new CfnOutput(this, 'QueueUrl', { value: this.queue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'FunctionName', { value: this.fn.functionName });

    acknowledgeFunctionDefaults(this.fn);
    acknowledge(
      this.deadLetterQueue,
      'SQS3',
      'This queue IS the dead-letter queue of WorkQueue; a dead-letter queue of a dead-letter queue would only move the problem',
    );
  }
}
