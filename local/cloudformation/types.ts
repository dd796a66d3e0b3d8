/**
 * The stack as the other services see it: every resource with its physical
 * id, ARN and properties after intrinsic resolution. Produced by
 * `loadStack()` in this folder; consumed by each service's `fromStack()`.
 */
export interface StackEnvironment {
  readonly account: string; // default 000000000000
  readonly region: string; // the stack's env, else us-east-1
  readonly partition: string; // aws, aws-cn, aws-us-gov
  readonly urlSuffix: string; // amazonaws.com
}

export interface StackResource {
  readonly logicalId: string;
  readonly type: string;
  /** Properties with every intrinsic resolved to plain JSON. */
  readonly properties: Readonly<Record<string, unknown>>;
  /** What `Ref` returns for this resource (name, URL, id: as CloudFormation). */
  readonly ref: string;
  /** `Fn::GetAtt` values this resource exposes, e.g. `Arn`. */
  readonly attributes: Readonly<Record<string, string>>;
  /** The resource's ARN where it has one. */
  readonly arn?: string;
  /** Raw template Metadata (e.g. `aws:asset:path`, `aws:cdk:path`). */
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface StackOutput {
  readonly OutputKey: string;
  /** Resolved value, with execute-api URLs rewritten to the local address. */
  readonly OutputValue: string;
  readonly Description?: string;
  readonly ExportName?: string;
}

export interface StackParameter {
  readonly ParameterKey: string;
  readonly ParameterValue: string;
}

export interface StackModel {
  readonly stackName: string;
  readonly stackId: string;
  readonly env: StackEnvironment;
  /** Absolute path of the cloud assembly directory (cdk.out). */
  readonly assemblyDir: string;
  readonly resources: ReadonlyMap<string, StackResource>;
  readonly outputs: readonly StackOutput[];
  /** The template's Description. */
  readonly description?: string;
  /** Template parameters with the values used (defaults or supplied), for DescribeStacks. */
  readonly parameters?: readonly StackParameter[];
  /** When several stacks are served together: each of them, in dependency order (this model pools their resources). */
  readonly stacks?: readonly StackModel[];
  /** Resources of this type, in template order. */
  resourcesOfType(type: string): StackResource[];
  /** Absolute directory of a Lambda function's code asset. */
  assetDir(resource: StackResource): string;
}
