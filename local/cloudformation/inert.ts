import { UnsupportedTemplateError } from '../protocol/errors.js';
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

/**
 * Services the runtime emulates. A resource of theirs that none of them
 * handles would change what they do on AWS (a function URL, an event source
 * mapping, a log subscription), so it must not be skipped as inert.
 */
const EMULATED_NAMESPACES = /^AWS::(Lambda|Events|SNS|SQS|ApiGateway|ApiGatewayV2|Logs)::/;

/** Types of those services that change nothing locally: everything runs in one account. */
const HARMLESS_TYPES: ReadonlySet<string> = new Set(['AWS::Events::EventBusPolicy', 'AWS::Logs::ResourcePolicy']);

/**
 * Throws for the first inert resource that belongs to an emulated service,
 * naming it, so an unsupported feature fails at start-up instead of being
 * silently absent.
 */
export function refuseUnemulated(inert: ReadonlyMap<string, readonly string[]>): void {
  for (const [type, ids] of inert) {
    if (EMULATED_NAMESPACES.test(type) && !HARMLESS_TYPES.has(type)) {
      throw new UnsupportedTemplateError(ids[0]!, 'Type', `${type} is not emulated by the local runtime`);
    }
  }
}
