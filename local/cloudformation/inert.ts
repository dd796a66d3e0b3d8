import type { StackModel } from './types.js';

/**
 * Resource types in the stack that no emulated service handles, each with
 * its logical ids, so the runtime can say once at start-up what exists only
 * on paper locally (IAM policies, CDK metadata, ...).
 */
export function inertResourceTypes(stack: StackModel, handledTypes: ReadonlySet<string>): Map<string, string[]> {
  const inert = new Map<string, string[]>();
  for (const resource of stack.resources.values()) {
    if (handledTypes.has(resource.type)) continue;
    const ids = inert.get(resource.type) ?? [];
    ids.push(resource.logicalId);
    inert.set(resource.type, ids);
  }
  return inert;
}
