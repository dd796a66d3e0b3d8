import { AwsError } from '../protocol/errors.js';
import type { StackModel, StackOutput, StackParameter, StackResource } from './types.js';

/** A stack as `DescribeStacks` reports it. */
export interface StackDescription {
  readonly StackName: string;
  readonly StackId: string;
  readonly Description?: string;
  readonly CreationTime: Date;
  readonly StackStatus: 'CREATE_COMPLETE';
  readonly Outputs: readonly StackOutput[];
  readonly Parameters: readonly StackParameter[];
}

/** One resource as `ListStackResources` / `DescribeStackResources` report it. */
export interface StackResourceDescription {
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId: string;
  readonly ResourceType: string;
  readonly ResourceStatus: 'CREATE_COMPLETE';
  readonly Timestamp: Date;
}

/**
 * CloudFormation's view of the stacks the runtime serves (one, or the parts
 * of a pooled model): each was "created" when the runtime started, and every
 * resource is CREATE_COMPLETE.
 */
export class CloudFormationService {
  /**
   * CDK's metadata resource is bookkeeping CloudFormation itself keeps; no
   * service needs to emulate it.
   */
  static readonly handledTypes: readonly string[] = ['AWS::CDK::Metadata'];

  static fromStack(stack: StackModel, deps: { readonly now?: () => number } = {}): CloudFormationService {
    return new CloudFormationService(stack, new Date(deps.now?.() ?? Date.now()));
  }

  /** When the stack counts as created; second precision, as AWS reports it. */
  readonly creationTime: Date;

  constructor(
    readonly stack: StackModel,
    creationTime: Date,
  ) {
    this.creationTime = new Date(Math.floor(creationTime.getTime() / 1000) * 1000);
  }

  /** All stacks, or the one named by `stackName` (name or stack id); those of `region` when given. */
  describeStacks(stackName?: string, region?: string): StackDescription[] {
    const stacks = stackName !== undefined && stackName !== '' ? [this.stackNamed(stackName, region)] : this.stacks(region);
    return stacks.map((stack) => ({
      StackName: stack.stackName,
      StackId: stack.stackId,
      ...(stack.description ? { Description: stack.description } : {}),
      CreationTime: this.creationTime,
      StackStatus: 'CREATE_COMPLETE',
      Outputs: stack.outputs,
      Parameters: stack.parameters ?? [],
    }));
  }

  /** Every resource of the stack, in template order. */
  listStackResources(stackName: string | undefined, region?: string): StackResourceDescription[] {
    return [...this.stackNamed(stackName, region).resources.values()].map((resource) => this.describeResource(resource));
  }

  /** One resource by logical id. */
  describeStackResource(stackName: string | undefined, logicalResourceId: string | undefined, region?: string): StackResourceDescription {
    const stack = this.stackNamed(stackName, region);
    if (!logicalResourceId) throw new AwsError('ValidationError', '1 validation error detected: Value null at \'logicalResourceId\' failed to satisfy constraint: Member must not be null');
    const resource = stack.resources.get(logicalResourceId);
    if (!resource) {
      throw new AwsError('ValidationError', `Resource ${logicalResourceId} does not exist for stack ${stack.stackName}`);
    }
    return this.describeResource(resource);
  }

  /** The stack a request names (name or stack id); refused when absent or unknown. */
  stackNamed(stackName: string | undefined, region?: string): StackModel {
    if (stackName === undefined || stackName === '') {
      throw new AwsError('ValidationError', "1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null");
    }
    const stack = this.stacks(region).find((s) => stackName === s.stackName || stackName === s.stackId);
    if (!stack) throw new AwsError('ValidationError', `Stack with id ${stackName} does not exist`);
    return stack;
  }

  /** The stacks as deployed: the parts of a pooled model, else the one stack; CloudFormation is regional. */
  private stacks(region?: string): readonly StackModel[] {
    const all = this.stack.stacks ?? [this.stack];
    return region === undefined ? all : all.filter((s) => s.env.region === region);
  }

  private describeResource(resource: StackResource): StackResourceDescription {
    return {
      LogicalResourceId: resource.logicalId,
      PhysicalResourceId: resource.ref,
      ResourceType: resource.type,
      ResourceStatus: 'CREATE_COMPLETE',
      Timestamp: this.creationTime,
    };
  }
}
