import { arnField, parseArn } from '../arn.js';
import { envOf } from '../cloudformation/environments.js';
import type { StackModel, StackResource } from '../cloudformation/types.js';
import { UnsupportedTemplateError } from '../protocol/errors.js';
import { InvokeConfigError, validateEventInvokeConfig, type EventInvokeConfig, type EventInvokeConfigInput } from './event-invoke-config.js';
import { notReachableMessage } from './errors.js';
import { readFunction, type FunctionDefinition } from './function-definition.js';
import { parseFunctionRef, type FunctionRef } from './function-ref.js';
import { readPermission, type PermissionStatement } from './permissions.js';

/** The stack's Lambda resources, validated and keyed by function name. */
export interface LambdaResources {
  readonly definitions: readonly FunctionDefinition[];
  readonly permissionsOf: ReadonlyMap<string, PermissionStatement[]>;
  readonly invokeConfigs: ReadonlyMap<string, EventInvokeConfig>;
}

const INVOKE_CONFIG_PROPERTIES = new Set(['FunctionName', 'Qualifier', 'MaximumRetryAttempts', 'MaximumEventAgeInSeconds', 'DestinationConfig']);

/** Whether an ARN-style reference names the account and region of this function (a bare name always does). */
export function refIsFor(ref: FunctionRef, functionArn: string): boolean {
  const fields = parseArn(functionArn);
  return (ref.account === undefined || ref.account === fields?.account) && (ref.region === undefined || ref.region === fields?.region);
}

/**
 * Read every AWS::Lambda::Function, ::Permission and ::EventInvokeConfig,
 * throwing UnsupportedTemplateError (resource + property) for anything the
 * local runtime cannot honour.
 */
export function readLambdaResources(stack: StackModel, now: number): LambdaResources {
  const definitions = stack.resourcesOfType('AWS::Lambda::Function').map((r) => readFunction(stack, r));
  const byName = new Map(definitions.map((d) => [d.config.functionName, d]));
  const find = (ref: string, from?: StackResource): FunctionDefinition | undefined => {
    let parsed: FunctionRef;
    try {
      parsed = parseFunctionRef(ref);
    } catch {
      return undefined;
    }
    const def = byName.get(parsed.name);
    if (!def || !refIsFor(parsed, def.config.functionArn)) return undefined;
    // Lambda's APIs are regional: a permission or invoke config is made in its own stack's region.
    if (from) {
      const region = envOf(stack, from).region;
      const functionRegion = arnField(def.config.functionArn, 'region') ?? '';
      if (region !== functionRegion) throw new UnsupportedTemplateError(from.logicalId, 'Properties.FunctionName', notReachableMessage(functionRegion, region));
    }
    return def;
  };

  const permissionsOf = new Map<string, PermissionStatement[]>();
  for (const resource of stack.resourcesOfType('AWS::Lambda::Permission')) {
    const { functionRef, statement } = readPermission(resource);
    const def = find(functionRef, resource);
    if (!def) throw new UnsupportedTemplateError(resource.logicalId, 'Properties.FunctionName', `no function ${functionRef} in the stack`);
    const qualifier = parseFunctionRef(functionRef).qualifier;
    if (qualifier !== undefined && qualifier !== '$LATEST') {
      throw new UnsupportedTemplateError(resource.logicalId, 'Properties.FunctionName', `qualifier ${qualifier}: only $LATEST is supported locally`);
    }
    const name = def.config.functionName;
    permissionsOf.set(name, [...(permissionsOf.get(name) ?? []), statement]);
  }

  const invokeConfigs = new Map<string, EventInvokeConfig>();
  for (const resource of stack.resourcesOfType('AWS::Lambda::EventInvokeConfig')) {
    const id = resource.logicalId;
    const p = resource.properties;
    for (const key of Object.keys(p)) {
      if (!INVOKE_CONFIG_PROPERTIES.has(key)) throw new UnsupportedTemplateError(id, `Properties.${key}`, 'unknown AWS::Lambda::EventInvokeConfig property');
    }
    if (p['Qualifier'] !== '$LATEST') {
      throw new UnsupportedTemplateError(id, 'Properties.Qualifier', `${String(p['Qualifier'])}: only $LATEST is supported locally (no versions or aliases)`);
    }
    const def = typeof p['FunctionName'] === 'string' ? find(p['FunctionName'], resource) : undefined;
    if (!def) throw new UnsupportedTemplateError(id, 'Properties.FunctionName', `no function ${String(p['FunctionName'])} in the stack`);
    try {
      invokeConfigs.set(
        def.config.functionName,
        validateEventInvokeConfig(withNumbers(p), def.config.functionArn, (arn) => find(arn) !== undefined, now),
      );
    } catch (error) {
      if (!(error instanceof InvokeConfigError)) throw error;
      throw new UnsupportedTemplateError(id, `Properties.${error.member}`, error.message);
    }
  }
  return { definitions, permissionsOf, invokeConfigs };
}

/** CloudFormation accepts an Integer property written as a string ("1"), which the API would refuse. */
function withNumbers(p: Readonly<Record<string, unknown>>): EventInvokeConfigInput {
  const numeric = (value: unknown) => (typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value);
  return { ...p, MaximumRetryAttempts: numeric(p['MaximumRetryAttempts']), MaximumEventAgeInSeconds: numeric(p['MaximumEventAgeInSeconds']) };
}
