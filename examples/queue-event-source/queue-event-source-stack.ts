import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct, IConstruct } from 'constructs';
import { fileURLToPath } from 'node:url';

/** The repository root: the example bundles with the root node_modules and lock file. */
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

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
    // Bundled as the root app bundles its handlers (lib/destined-function.ts): local esbuild, minified ESM, source maps.
    this.fn = new NodejsFunction(this, 'Processor', {
      functionName: FUNCTION_NAME,
      description: 'Processes queue messages; reports poison ones as batch item failures',
      entry: fileURLToPath(new URL('./lambda/process-orders.ts', import.meta.url)),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      timeout: FUNCTION_TIMEOUT,
      logGroup,
      environment: { NODE_OPTIONS: '--enable-source-maps' },
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      bundling: {
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        banner:
          "import { createRequire as __topLevelCreateRequire } from 'node:module';const require = __topLevelCreateRequire(import.meta.url);",
        forceDockerBundling: false,
        logLevel: LogLevel.WARNING,
      },
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

    acknowledge(
      this.fn.role!,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "AWSLambdaBasicExecutionRole only allows writing the function's own CloudWatch logs; it is the AWS-maintained minimum for a Lambda role",
    );
    acknowledge(
      this.fn,
      'L1',
      'Node.js 22 is pinned on purpose: the handlers and the local runtime are tested on it; moving to a newer runtime is a deliberate upgrade',
    );
    acknowledge(
      this.deadLetterQueue,
      'SQS3',
      'This queue IS the dead-letter queue of WorkQueue; a dead-letter queue of a dead-letter queue would only move the problem',
    );
  }
}

/** cdk-nag v3 rule ids are namespaced by the pack. */
function acknowledge(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${rule}`, reason });
}
