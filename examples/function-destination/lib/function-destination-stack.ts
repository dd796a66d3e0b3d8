import { CfnOutput, Stack, Validations } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LambdaDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { Construct } from 'constructs';
import { ExampleFunction } from './example-function.js';

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
  public readonly first: ExampleFunction;
  public readonly firstResponseOnly: ExampleFunction;
  public readonly second: ExampleFunction;

  public constructor(scope: Construct, id: string, props: FunctionDestinationStackProps = {}) {
    super(scope, id, props);
    const prefix = props.functionNamePrefix ?? this.stackName;
    if (!/^[A-Za-z0-9_-]{1,46}$/.test(prefix)) {
      throw new Error(`functionNamePrefix must be 1-46 letters, digits, '-' or '_' (names add up to 18 characters), got ${JSON.stringify(prefix)}`);
    }

    this.second = new ExampleFunction(this, 'Second', { entry: 'second.ts', functionName: `${prefix}-Second` });
    this.first = new ExampleFunction(this, 'First', {
      entry: 'first.ts',
      functionName: `${prefix}-First`,
      // Grants First's role lambda:InvokeFunction on Second.
      onSuccess: new LambdaDestination(this.second.fn),
    });
    this.firstResponseOnly = new ExampleFunction(this, 'FirstResponseOnly', {
      entry: 'first.ts',
      functionName: `${prefix}-FirstResponseOnly`,
      // Grants the role events:PutEvents on the default bus and adds the rule with InputPath $.detail.responsePayload.
      onSuccess: new LambdaDestination(this.second.fn, { responseOnly: true }),
    });

    new CfnOutput(this, 'FirstFunctionName', { value: this.first.fn.functionName });
    new CfnOutput(this, 'FirstResponseOnlyFunctionName', { value: this.firstResponseOnly.fn.functionName });
    new CfnOutput(this, 'SecondLogGroupName', { value: this.second.logGroup.logGroupName });

    this.acknowledgeNagFindings();
  }

  /** The cdk-nag AwsSolutions findings this example keeps on purpose, each with its reason. */
  private acknowledgeNagFindings(): void {
    for (const fn of [this.first, this.firstResponseOnly, this.second]) {
      Validations.of(fn.fn.role!).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "AWSLambdaBasicExecutionRole only allows writing the function's own CloudWatch logs; it is the AWS-maintained minimum for a Lambda role",
      });
      Validations.of(fn.fn).acknowledge({
        id: 'AwsSolutions::AwsSolutions-L1',
        reason: 'Node.js 22 is pinned on purpose, as in the root app: the handlers and the local runtime are tested on it',
      });
    }
    const defaultPolicy = this.first.fn.role!.node.tryFindChild('DefaultPolicy');
    if (defaultPolicy) {
      Validations.of(defaultPolicy).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.second.fn.node.defaultChild as CfnFunction)}.Arn>:*]`,
        reason:
          "LambdaDestination's grantInvoke adds Second's ARN with ':*' so the destination may name a version or alias of Second; the wildcard never leaves that one function",
      });
    }
  }
}
