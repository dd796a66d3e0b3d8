/**
 * The resource policies of the stack's resources, by resource ARN: topic
 * policies, queue policies and Lambda permissions. A call made with a role
 * is allowed when the role's identity policies or the target's resource
 * policy allow it (same account), so a resource policy that names the role
 * must take part in the role's evaluation
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 */
import { arnField } from '../arn.js';
import { envOf } from '../cloudformation/environments.js';
import type { StackModel, StackResource } from '../cloudformation/types.js';
import type { PolicySource } from './policy.js';

/** Every resource policy of the stack, keyed by the ARN of the resource it is attached to. */
export function resourcePoliciesOf(stack: StackModel): Map<string, PolicySource[]> {
  const byArn = new Map<string, PolicySource[]>();
  const add = (arn: string | undefined, source: PolicySource) => {
    if (arn) byArn.set(arn, [...(byArn.get(arn) ?? []), source]);
  };
  const arnOf = (type: string, ref: string) => {
    const found = stack.resourcesOfType(type).find((r) => r.ref === ref || arnOfResource(r) === ref);
    return found ? arnOfResource(found) : ref.startsWith('arn:') ? ref : undefined;
  };
  for (const policy of stack.resourcesOfType('AWS::SNS::TopicPolicy')) {
    const { Topics, PolicyDocument } = policy.properties;
    for (const topic of stringsOf(Topics)) add(arnOf('AWS::SNS::Topic', topic), { label: policy.logicalId, document: PolicyDocument });
  }
  for (const policy of stack.resourcesOfType('AWS::SQS::QueuePolicy')) {
    const { Queues, PolicyDocument } = policy.properties;
    for (const queue of stringsOf(Queues)) add(arnOf('AWS::SQS::Queue', queue), { label: policy.logicalId, document: PolicyDocument });
  }
  for (const policy of stack.resourcesOfType('AWS::SQS::QueueInlinePolicy')) {
    const { Queue, PolicyDocument } = policy.properties;
    for (const queue of stringsOf(Queue)) add(arnOf('AWS::SQS::Queue', queue), { label: policy.logicalId, document: PolicyDocument });
  }
  // Event bus policies matter for puts from another account: the bus's `Policy`, and each AWS::Events::EventBusPolicy's `Statement`.
  for (const bus of stack.resourcesOfType('AWS::Events::EventBus')) {
    const { Policy } = bus.properties;
    if (Policy !== undefined) add(arnOfResource(bus), { label: `${bus.logicalId}.Policy`, document: Policy });
  }
  for (const policy of stack.resourcesOfType('AWS::Events::EventBusPolicy')) {
    const { EventBusName, Statement } = policy.properties;
    if (Statement === undefined) continue;
    const name = typeof EventBusName === 'string' ? EventBusName : 'default';
    const env = envOf(stack, policy);
    const named = stack.resourcesOfType('AWS::Events::EventBus').map(arnOfResource).filter((arn) => arn?.endsWith(`:event-bus/${name}`));
    const busArn = name.startsWith('arn:')
      ? name
      : (named.find((arn) => arn !== undefined && arnField(arn, 'region') === env.region) ?? named[0] ?? `arn:${env.partition}:events:${env.region}:${env.account}:event-bus/${name}`);
    add(busArn, { label: policy.logicalId, document: { Version: '2012-10-17', Statement: [Statement] } });
  }
  for (const permission of stack.resourcesOfType('AWS::Lambda::Permission')) {
    const { FunctionName, Action, Principal, SourceArn, SourceAccount, FunctionUrlAuthType, InvokedViaFunctionUrl } = permission.properties;
    if (typeof FunctionName !== 'string' || typeof Principal !== 'string') continue;
    const functionArn = lambdaArnOf(stack, FunctionName);
    add(functionArn, {
      label: permission.logicalId,
      document: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: permission.logicalId,
            Effect: 'Allow',
            Principal: principalOf(Principal),
            Action,
            // No Resource: the statement covers the function it is found under (see policiesFor).
            Condition: {
              ...(typeof SourceArn === 'string' ? { ArnLike: { 'AWS:SourceArn': SourceArn } } : {}),
              // Lambda keeps a permission's FunctionUrlAuthType and InvokedViaFunctionUrl as conditions of the statement
              // (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html).
              ...(typeof SourceAccount === 'string' || typeof FunctionUrlAuthType === 'string'
                ? {
                    StringEquals: {
                      ...(typeof SourceAccount === 'string' ? { 'AWS:SourceAccount': SourceAccount } : {}),
                      ...(typeof FunctionUrlAuthType === 'string' ? { 'lambda:FunctionUrlAuthType': FunctionUrlAuthType } : {}),
                    },
                  }
                : {}),
              ...(InvokedViaFunctionUrl === true || InvokedViaFunctionUrl === 'true' ? { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } } : {}),
            },
          },
        ],
      },
    });
  }
  return byArn;
}

/**
 * The resource policies bearing on a resource ARN; `<function ARN>:$LATEST`
 * is the unqualified function, and is covered by its permissions.
 */
export function policiesFor(byArn: ReadonlyMap<string, PolicySource[]>, resource: string): PolicySource[] | undefined {
  const exact = byArn.get(resource);
  if (exact) return exact;
  const fn = /^(arn:[^:]+:lambda:[^:]+:\d{12}:function:[^:]+):\$LATEST$/.exec(resource);
  return fn ? byArn.get(fn[1]!) : undefined;
}

function arnOfResource(resource: StackResource): string | undefined {
  return resource.arn ?? resource.attributes['Arn'];
}

/** A function named by name, ARN or partial ARN (`<account>:function:<name>`), as its unqualified ARN. */
function lambdaArnOf(stack: StackModel, ref: string): string | undefined {
  const name = /function:([^:]+)/.exec(ref)?.[1] ?? ref;
  const fn = stack.resourcesOfType('AWS::Lambda::Function').find((r) => r.ref === name || arnOfResource(r) === ref);
  return fn ? arnOfResource(fn) : undefined;
}

/** A Lambda permission's Principal as a policy Principal: a service, `*`, or an account or IAM ARN. */
function principalOf(principal: string): unknown {
  if (principal === '*') return '*';
  return principal.includes('.') && !principal.startsWith('arn:') ? { Service: principal } : { AWS: principal };
}

function stringsOf(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}
