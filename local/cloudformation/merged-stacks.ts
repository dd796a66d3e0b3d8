import { UnsupportedTemplateError } from '../protocol/errors.js';
import { stackIdFor } from './names.js';
import type { StackModel, StackResource } from './types.js';

/**
 * Several stacks of one app served as one: the services read a single
 * StackModel, so the stacks' resources are pooled into one view. Each stack
 * was resolved on its own first (its names, ARNs and imports), so pooling
 * changes no value.
 */
export function mergeStacks(stacks: readonly StackModel[]): StackModel {
  if (stacks.length === 1) return stacks[0]!;
  const [first] = stacks;
  if (!first) throw new Error('No stack to serve');
  // The services hold one account and region; one stack in another is served alone (pick it with --stacks).
  const elsewhere = stacks.find((s) => s.env.account !== first.env.account || s.env.region !== first.env.region);
  if (elsewhere) {
    throw new Error(
      `Stacks ${first.stackName} (${first.env.account}/${first.env.region}) and ${elsewhere.stackName} (${elsewhere.env.account}/${elsewhere.env.region}) ` +
        'are in different accounts or regions; the local runtime serves several stacks only in one account and region: pick them with --stacks',
    );
  }

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
