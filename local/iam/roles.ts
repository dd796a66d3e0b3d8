import type { StackModel, StackResource } from '../cloudformation/types.js';
import { UnsupportedTemplateError } from '../protocol/errors.js';
import { awsManagedPolicy, isAwsManagedArn } from './managed.js';
import { statementsOf, unsupportedPolicyParts, type PolicySource } from './policy.js';

/** One IAM role of the stack with every policy that bears on what it may do. */
export interface Role {
  readonly logicalId: string;
  readonly arn: string;
  readonly name: string;
  /** The construct path without the stack and the trailing `Resource`, e.g. `Destined/Function/ServiceRole`. */
  readonly constructPath?: string;
  /** AssumeRolePolicyDocument. */
  readonly trust: unknown;
  /** Inline `Policies`, AWS::IAM::Policy and ManagedPolicyArns, each labelled with where it comes from. */
  readonly identity: readonly PolicySource[];
  /** PermissionsBoundary, when the role has one. */
  readonly boundary?: readonly PolicySource[];
}

/** The IAM resource types the runtime reads. */
export const IAM_TYPES: readonly string[] = ['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'];

/** `Destined/Function/ServiceRole` of `TheDestinedLambdaStack/Destined/Function/ServiceRole/Resource`. */
export function constructPathOf(resource: StackResource): string | undefined {
  const raw = resource.metadata['aws:cdk:path'];
  if (typeof raw !== 'string') return undefined;
  const parts = raw.split('/').slice(1);
  if (parts[parts.length - 1] === 'Resource') parts.pop();
  return parts.length > 0 ? parts.join('/') : undefined;
}

/** The condition keys the runtime supplies for a call made with a role. */
const ROLE_CONTEXT_KEYS: readonly string[] = ['aws:PrincipalArn', 'aws:SecureTransport', 'aws:SourceArn', 'aws:SourceAccount'];

const list = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/**
 * Read every role of the stack with its policies. An AWS managed policy
 * the runtime does not ship is reported through `warn` and allows nothing.
 */
export function readRoles(stack: StackModel, warn: (message: string) => void): Map<string, Role> {
  // Customer managed policies of the stack, by ARN, and the roles they name.
  const customerManaged = new Map<string, PolicySource>();
  const extra = new Map<string, PolicySource[]>();
  const attach = (roleName: unknown, source: PolicySource) => {
    if (typeof roleName !== 'string') return;
    extra.set(roleName, [...(extra.get(roleName) ?? []), source]);
  };
  for (const resource of stack.resourcesOfType('AWS::IAM::ManagedPolicy')) {
    const source = { label: resource.logicalId, document: documentOf(resource, 'PolicyDocument') };
    customerManaged.set(resource.ref, source);
    for (const role of list(resource.properties['Roles'])) attach(role, source);
  }
  for (const resource of stack.resourcesOfType('AWS::IAM::Policy')) {
    const source = { label: resource.logicalId, document: documentOf(resource, 'PolicyDocument') };
    for (const role of list(resource.properties['Roles'])) attach(role, source);
  }

  const managed = (arn: unknown, where: string): PolicySource[] => {
    if (typeof arn !== 'string') throw new UnsupportedTemplateError(where.split(' ')[0]!, where.split(' ')[1]!, 'must resolve to a policy ARN');
    const own = customerManaged.get(arn);
    if (own) return [own];
    const shipped = awsManagedPolicy(arn);
    if (shipped) return [{ label: arn, document: shipped.document }];
    warn(
      `${where}: ${isAwsManagedArn(arn) ? 'AWS managed policy' : 'managed policy'} ${arn} is not known to the local runtime; it allows nothing here (on AWS it may allow more)`,
    );
    return [];
  };

  const roles = new Map<string, Role>();
  for (const resource of stack.resourcesOfType('AWS::IAM::Role')) {
    const p = resource.properties;
    const id = resource.logicalId;
    const inline = list(p['Policies']).map((raw, i) => {
      const policy = (raw ?? {}) as Record<string, unknown>;
      if (typeof policy['PolicyDocument'] !== 'object' || policy['PolicyDocument'] === null) {
        throw new UnsupportedTemplateError(id, `Properties.Policies.${i}.PolicyDocument`, 'required: a policy document object');
      }
      return { label: `${id}.Policies.${String(policy['PolicyName'] ?? i)}`, document: policy['PolicyDocument'] };
    });
    const managedSources = list(p['ManagedPolicyArns']).flatMap((arn, i) => managed(arn, `${id} Properties.ManagedPolicyArns.${i}`));
    const boundaryArn = p['PermissionsBoundary'];
    const constructPath = constructPathOf(resource);
    const arn = resource.arn ?? resource.attributes['Arn']!;
    roles.set(arn, {
      logicalId: id,
      arn,
      name: resource.ref,
      ...(constructPath ? { constructPath } : {}),
      trust: p['AssumeRolePolicyDocument'],
      identity: [...inline, ...(extra.get(resource.ref) ?? []), ...managedSources],
      ...(boundaryArn !== undefined ? { boundary: managed(boundaryArn, `${id} Properties.PermissionsBoundary`) } : {}),
    });
  }
  for (const role of roles.values()) {
    for (const { label, document } of [...role.identity, ...(role.boundary ?? [])]) {
      for (const part of unsupportedPolicyParts(document, ROLE_CONTEXT_KEYS)) {
        // An Allow that never applies denies, which the denial's trace shows; a Deny that never applies would allow what AWS denies.
        if (statementAt(document, part.path)?.Effect === 'Deny') {
          throw new UnsupportedTemplateError(role.logicalId, `policy ${label} ${part.path}`, `${part.reason}, and a Deny statement the runtime cannot evaluate would allow what AWS denies`);
        }
        warn(`${role.logicalId}: policy ${label} ${part.path}: ${part.reason}; the statement never applies locally`);
      }
    }
  }
  return roles;
}

/** The statement a path of {@link unsupportedPolicyParts} (`Statement.2.Condition...`, or `Statement.Condition...` for a lone one) points into. */
function statementAt(document: unknown, path: string): { readonly Effect?: unknown } | undefined {
  const raw = typeof document === 'object' && document !== null ? (document as { Statement?: unknown }).Statement : undefined;
  const index = /^Statement\.(\d+)\./.exec(path)?.[1];
  const statement = Array.isArray(raw) ? (index === undefined ? undefined : raw[Number(index)]) : raw;
  return typeof statement === 'object' && statement !== null ? statement : undefined;
}

function documentOf(resource: StackResource, key: string): unknown {
  const document = resource.properties[key];
  if (typeof document !== 'object' || document === null || statementsOf(document).length === 0) {
    throw new UnsupportedTemplateError(resource.logicalId, `Properties.${key}`, 'required: a policy document with at least one statement');
  }
  return document;
}
