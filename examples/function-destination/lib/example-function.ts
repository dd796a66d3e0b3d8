import { RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { IDestination } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';

/** The repository root: bundling uses its lockfile and node_modules (the example has none of its own). */
const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Folder of this example's handlers. */
const LAMBDA_DIR = fileURLToPath(new URL('../lambda/', import.meta.url));

/** Lets ESM bundles load CommonJS dependencies that call `require` (Powertools pulls in a few). */
const CREATE_REQUIRE_BANNER =
  "import { createRequire as __topLevelCreateRequire } from 'node:module';const require = __topLevelCreateRequire(import.meta.url);";

/** Props of {@link ExampleFunction}. */
export interface ExampleFunctionProps {
  /** Handler file name inside the example's `lambda/`, e.g. `first.ts`; its export `handler` is the entry point. */
  readonly entry: string;
  /** Physical function name; the log group is `/aws/lambda/<functionName>`. */
  readonly functionName: string;
  /** @default - a short description naming the handler */
  readonly description?: string;
  /**
   * Where Lambda sends the record of a successful asynchronous invocation.
   * @default - no on-success destination
   */
  readonly onSuccess?: IDestination;
  /**
   * How long the function's log group keeps logs.
   * @default RetentionDays.ONE_WEEK
   */
  readonly logGroupRetention?: RetentionDays;
}

/**
 * A `NodejsFunction` bundled as the root app bundles its handlers
 * (`lib/destined-function.ts`): Node.js 22 on arm64, minified ESM with a source
 * map, by the local esbuild (never Docker), and an explicit log group with a
 * retention instead of the `logRetention` custom resource.
 */
export class ExampleFunction extends Construct {
  /** The Lambda function. */
  public readonly fn: NodejsFunction;
  /** The function's log group, `/aws/lambda/<functionName>`. */
  public readonly logGroup: LogGroup;

  public constructor(scope: Construct, id: string, props: ExampleFunctionProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(props.functionName)) {
      throw new Error(
        `ExampleFunction ${id}: functionName must be 1-64 letters, digits, '-' or '_', got ${JSON.stringify(props.functionName)}`,
      );
    }
    this.logGroup = new LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: props.logGroupRetention ?? RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.fn = new NodejsFunction(this, 'Function', {
      description: props.description ?? `function-destination example: ${props.entry}`,
      functionName: props.functionName,
      entry: `${LAMBDA_DIR}${props.entry}`,
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      logGroup: this.logGroup,
      ...(props.onSuccess ? { onSuccess: props.onSuccess } : {}),
      environment: { NODE_OPTIONS: '--enable-source-maps' },
      projectRoot: REPOSITORY_ROOT,
      depsLockFilePath: `${REPOSITORY_ROOT}package-lock.json`,
      bundling: {
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        banner: CREATE_REQUIRE_BANNER,
        forceDockerBundling: false,
        logLevel: LogLevel.WARNING,
      },
    });
  }
}
