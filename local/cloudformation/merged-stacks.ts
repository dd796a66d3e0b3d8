import { UnsupportedTemplateError } from '../protocol/errors.js';
import { checkEnvironments } from './environments.js';
import { stackIdFor } from './names.js';
import type { StackModel, StackResource } from './types.js';

/**
 * Several stacks of one app served as one: the services read a single
 * StackModel, so the stacks' resources are pooled into one view. Each stack
 * was resolved on its own first (its names, ARNs and imports), so pooling
 * changes no value; each resource keeps its stack's account and region
 * (see `envOf`).
 */
export function mergeStacks(stacks: readonly StackModel[]): StackModel {
  if (stacks.length === 1) return stacks[0]!;
  const [first] = stacks;
  if (!first) throw new Error('No stack to serve');
  checkEnvironments(stacks);
  checkNamesAcrossRegions(stacks);

  const resources = new Map<string, StackResource>();
  const owner = new Map<StackResource, StackModel>();
  for (const stack of stacks) {
    for (const [logicalId, resource] of stack.resources) {
      const taken = resources.get(logicalId);
      if (taken) {
        // Every CDK stack has its own CDKMetadata; it has no local behaviour, so one stands for all.
        if (taken.type === 'AWS::CDK::Metadata' && resource.type === 'AWS::CDK::Metadata') continue;
        throw new UnsupportedTemplateError(
          logicalId,
          'LogicalId',
          `stacks ${owner.get(taken)!.stackName} and ${stack.stackName} both have a resource ${logicalId}; the local runtime serves them together only when logical ids are distinct: pick one with --stacks`,
        );
      }
      resources.set(logicalId, resource);
      owner.set(resource, stack);
    }
  }

  const stackName = stacks.map((s) => s.stackName).join('+');
  return {
    stackName,
    stackId: stackIdFor(stackName, first.env),
    env: first.env,
    assemblyDir: first.assemblyDir,
    resources,
    outputs: stacks.flatMap((s) => s.outputs),
    parameters: stacks.flatMap((s) => s.parameters ?? []),
    stacks,
    resourcesOfType: (type) => [...resources.values()].filter((r) => r.type === type),
    assetDir: (resource) => {
      const stack = owner.get(resource) ?? stacks.find((s) => s.resources.get(resource.logicalId) === resource) ?? first;
      return stack.assetDir(resource);
    },
  };
}

/** Resource types the services key by name alone, with the name of a resource. */
const NAMED_TYPES: Readonly<Record<string, (r: StackResource) => string>> = {
  'AWS::Lambda::Function': (r) => r.ref,
  'AWS::SQS::Queue': (r) => r.attributes['QueueName'] ?? r.ref.slice(r.ref.lastIndexOf('/') + 1),
  'AWS::Logs::LogGroup': (r) => r.ref,
  'AWS::Events::EventBus': (r) => r.ref,
};

/**
 * AWS scopes these names to an account and region; the local services look
 * them up by name and tell regions apart by the resource's own ARN, so one
 * name used in two regions is refused rather than served wrongly.
 */
function checkNamesAcrossRegions(stacks: readonly StackModel[]): void {
  const seen = new Map<string, { stack: StackModel; resource: StackResource }>();
  for (const stack of stacks) {
    for (const resource of stack.resources.values()) {
      const nameOf = NAMED_TYPES[resource.type];
      if (!nameOf) continue;
      const key = `${resource.type} ${nameOf(resource)}`;
      const other = seen.get(key);
      if (other && (other.stack.env.region !== stack.env.region || other.stack.env.account !== stack.env.account)) {
        throw new UnsupportedTemplateError(
          resource.logicalId,
          'Properties',
          `${resource.type} ${nameOf(resource)} of ${stack.stackName} (${stack.env.account}/${stack.env.region}) has the name of ${other.resource.logicalId} of ${other.stack.stackName} (${other.stack.env.account}/${other.stack.env.region}); ` +
            'the local runtime needs distinct names across regions: give one another name, or serve one stack with --stacks',
        );
      }
      if (!other) seen.set(key, { stack, resource });
    }
  }
}
