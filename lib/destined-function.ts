import { RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';

/** The repository root (lib/..), so bundling does not depend on the current directory. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Folder of the Lambda handlers. */
export const LAMBDA_DIR = fileURLToPath(new URL('../lambda/', import.meta.url));

/**
 * Lets ESM bundles load CommonJS dependencies that call `require` (Powertools
 * pulls in a few); harmless for bundles that do not.
 */
const CREATE_REQUIRE_BANNER =
  "import { createRequire as __topLevelCreateRequire } from 'node:module';const require = __topLevelCreateRequire(import.meta.url);";

/** The settings {@link nodejsFunctionDefaults} fixes. */
export type NodejsFunctionDefaults = Required<
  Pick<NodejsFunctionProps, 'handler' | 'runtime' | 'architecture' | 'projectRoot' | 'depsLockFilePath' | 'bundling' | 'environment'>
>;

/**
 * How every function of the project and of its examples is built:
 * - Node.js 22 on arm64 (Graviton: cheaper per ms than x86_64 for this workload);
 * - bundled by the esbuild in node_modules as minified ESM (`.mjs`) with a
 *   source map, never in Docker, so `cdk synth` works offline, against this
 *   repository's lockfile (the examples have none of their own);
 * - stack traces pointing into the TypeScript sources through that source map.
 */
export function nodejsFunctionDefaults(): NodejsFunctionDefaults {
  return {
    handler: 'handler',
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
    environment: { NODE_OPTIONS: '--enable-source-maps' },
    bundling: {
      format: OutputFormat.ESM,
      minify: true,
      sourceMap: true,
      // Prefer ESM entry points of dependencies so tree-shaking works.
      mainFields: ['module', 'main'],
      banner: CREATE_REQUIRE_BANNER,
      forceDockerBundling: false,
      // Bundle sizes on every synth are noise; warnings and errors still show.
      logLevel: LogLevel.WARNING,
    },
  };
}

/** Props of {@link DestinedFunction}. */
export interface DestinedFunctionProps {
  /** Handler file name inside {@link lambdaDir}, e.g. `destined.ts`; its export `handler` is the entry point. */
  readonly entry: string;
  /**
   * Folder of the handler files (an example's own `lambda/`, say), ending in `/`.
   * @default the project's `lambda/`
   */
  readonly lambdaDir?: string;
  /**
   * Physical function name. Its log group is named `/aws/lambda/<functionName>`
   * so logs land where the Lambda console and `sam logs` look for them.
   */
  readonly functionName: string;
  /** @default - a short description naming the handler */
  readonly description?: string;
  /**
   * How long the function's log group keeps logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logGroupRetention?: RetentionDays;
  /** Extra settings passed through to the NodejsFunction (runtime, architecture and bundling are fixed). */
  readonly functionProps?: Omit<
    NodejsFunctionProps,
    'entry' | 'functionName' | 'runtime' | 'architecture' | 'bundling' | 'logGroup' | 'logRetention' | 'handler'
  >;
}

/**
 * A `NodejsFunction` built with {@link nodejsFunctionDefaults}, and an
 * explicit log group with a retention instead of the `logRetention` prop
 * that would add a custom-resource Lambda to the stack.
 */
export class DestinedFunction extends Construct {
  /** The Lambda function. */
  public readonly fn: NodejsFunction;
  /** The function's log group, `/aws/lambda/<functionName>`. */
  public readonly logGroup: LogGroup;

  public constructor(scope: Construct, id: string, props: DestinedFunctionProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(props.functionName)) {
      throw new Error(
        `DestinedFunction ${id}: functionName must be 1-64 letters, digits, '-' or '_', got ${JSON.stringify(props.functionName)}`,
      );
    }
    this.logGroup = new LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: props.logGroupRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const defaults = nodejsFunctionDefaults();
    const lambdaDir = props.lambdaDir ?? LAMBDA_DIR;
    if (!lambdaDir.endsWith('/')) throw new Error(`DestinedFunction ${id}: lambdaDir must end in '/', got ${JSON.stringify(lambdaDir)}`);
    this.fn = new NodejsFunction(this, 'Function', {
      description: props.description ?? `The Destined Lambda: ${props.entry}`,
      ...props.functionProps,
      ...defaults,
      environment: { ...defaults.environment, ...props.functionProps?.environment },
      functionName: props.functionName,
      entry: `${lambdaDir}${props.entry}`,
      logGroup: this.logGroup,
    });
  }
}
