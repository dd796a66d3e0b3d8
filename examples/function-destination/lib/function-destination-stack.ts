import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { LambdaDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { DestinedFunction } from '../../../lib/destined-function.js';
import { acknowledge, acknowledgeFunctionDefaults } from '../../../lib/nag-acknowledgements.js';

/** Folder of this example's handlers. */
const LAMBDA_DIR = fileURLToPath(new URL('../lambda/', import.meta.url));

/** What the example's three functions share: logs kept a week, a description naming the example. */
const EXAMPLE_FUNCTION = { logGroupRetention: RetentionDays.ONE_WEEK, description: 'function-destination example' } as const;

/** Props of {@link FunctionDestinationStack}. */
export interface FunctionDestinationStackProps extends StackProps {
  /**
   * Prefix of the three physical function names (`<prefix>-First`,
   * `<prefix>-FirstResponseOnly`, `<prefix>-Second`).
   * @default - the stack name
   */
  readonly functionNamePrefix?: string;
}

/**
 * Two functions send their on-success records to the same function `Second`:
 * - `First` through a plain `LambdaDestination`: Lambda invokes `Second`
 *   asynchronously with the whole invocation record;
 * - `FirstResponseOnly` through `LambdaDestination(Second, { responseOnly: true })`:
 *   CDK makes the destination the account's default event bus, and a rule on it
 *   hands `Second` only `$.detail.responsePayload`.
 */
export class FunctionDestinationStack extends Stack {
  public readonly first: DestinedFunction;
  public readonly firstResponseOnly: DestinedFunction;
  public readonly second: DestinedFunction;

  public constructor(scope: Construct, id: string, props: FunctionDestinationStackProps = {}) {
    super(scope, id, props);
    const prefix = props.functionNamePrefix ?? this.stackName;
    if (!/^[A-Za-z0-9_-]{1,46}$/.test(prefix)) {
      throw new Error(`functionNamePrefix must be 1-46 letters, digits, '-' or '_' (names add up to 18 characters), got ${JSON.stringify(prefix)}`);
    }

    this.second = new DestinedFunction(this, 'Second', { entry: 'second.ts', lambdaDir: LAMBDA_DIR, functionName: `${prefix}-Second`, ...EXAMPLE_FUNCTION });
    this.first = new DestinedFunction(this, 'First', {
      entry: 'first.ts',
      lambdaDir: LAMBDA_DIR,
      functionName: `${prefix}-First`,
      ...EXAMPLE_FUNCTION,
      // Grants First's role lambda:InvokeFunction on Second.
      functionProps: { onSuccess: new LambdaDestination(this.second.fn) },
    });
    this.firstResponseOnly = new DestinedFunction(this, 'FirstResponseOnly', {
      entry: 'first.ts',
      lambdaDir: LAMBDA_DIR,
      functionName: `${prefix}-FirstResponseOnly`,
      ...EXAMPLE_FUNCTION,
      // Grants the role events:PutEvents on the default bus and adds the rule with InputPath $.detail.responsePayload.
      functionProps: { onSuccess: new LambdaDestination(this.second.fn, { responseOnly: true }) },
    });

    new CfnOutput(this, 'FirstFunctionName', { value: this.first.fn.functionName });
    new CfnOutput(this, 'FirstResponseOnlyFunctionName', { value: this.firstResponseOnly.fn.functionName });
    new CfnOutput(this, 'SecondLogGroupName', { value: this.second.logGroup.logGroupName });

    this.acknowledgeNagFindings();
  }

  /** The cdk-nag AwsSolutions findings this example keeps on purpose, each with its reason. */
  private acknowledgeNagFindings(): void {
    for (const fn of [this.first, this.firstResponseOnly, this.second]) acknowledgeFunctionDefaults(fn.fn);
    const defaultPolicy = this.first.fn.role!.node.tryFindChild('DefaultPolicy');
    if (defaultPolicy) {
      acknowledge(
        defaultPolicy,
        `IAM5[Resource::<${this.getLogicalId(this.second.fn.node.defaultChild as CfnFunction)}.Arn>:*]`,
        "LambdaDestination's grantInvoke adds Second's ARN with ':*' so the destination may name a version or alias of Second; the wildcard never leaves that one function",
      );
    }
  }
}
