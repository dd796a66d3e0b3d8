/**
 * AWS::Lambda::Url resources as the local runtime serves them
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-url.html).
 * Anything the runtime cannot honour is refused at start-up, naming the
 * resource and property.
 */
import type { StackModel, StackResource } from '../../cloudformation/types.js';
import { awsFunctionUrl, functionUrlId } from '../../cloudformation/names.js';
import { envOf } from '../../cloudformation/environments.js';
import { UnsupportedTemplateError } from '../../protocol/errors.js';
import { parseFunctionRef } from '../function-ref.js';

export const FUNCTION_URL_TYPE = 'AWS::Lambda::Url';

export type FunctionUrlAuthType = 'NONE' | 'AWS_IAM';

/** A URL's CORS settings (https://docs.aws.amazon.com/lambda/latest/api/API_Cors.html), names lower-cased where HTTP compares them so. */
export interface FunctionUrlCors {
  readonly allowCredentials: boolean;
  /** Lower-cased header names; `*` allows any. */
  readonly allowHeaders: readonly string[];
  /** Upper-cased methods; `*` allows any. */
  readonly allowMethods: readonly string[];
  /** Origins as written (`*` allows any). */
  readonly allowOrigins: readonly string[];
  readonly exposeHeaders: readonly string[];
  /** Seconds; absent when the URL sets none. */
  readonly maxAge?: number;
}

export interface FunctionUrlConfig {
  /** `<stackName>/<logicalId>`: the URL's identity across restarts and reloads (it keeps its port). */
  readonly key: string;
  readonly logicalId: string;
  readonly stackName: string;
  readonly functionName: string;
  readonly functionArn: string;
  readonly authType: FunctionUrlAuthType;
  readonly cors?: FunctionUrlCors;
  /** The `<url-id>` AWS would give it: the event's `apiId` and `domainPrefix`. */
  readonly urlId: string;
  /** `<url-id>.lambda-url.<region>.on.aws`, the event's `domainName`. */
  readonly domainName: string;
  readonly region: string;
  readonly account: string;
}

const PROPERTIES = new Set(['AuthType', 'Cors', 'InvokeMode', 'Qualifier', 'TargetFunctionArn']);
const CORS_PROPERTIES = new Set(['AllowCredentials', 'AllowHeaders', 'AllowMethods', 'AllowOrigins', 'ExposeHeaders', 'MaxAge']);
/** CloudFormation's allowed values for Cors.AllowMethods. */
const METHODS = new Set(['GET', 'PUT', 'HEAD', 'POST', 'PATCH', 'DELETE', '*']);

/** The template's function URLs, validated; `functionOf` names the stack's function a `TargetFunctionArn` refers to. */
export function readFunctionUrls(
  stack: StackModel,
  functionOf: (ref: string) => { readonly functionName: string; readonly functionArn: string } | undefined,
): FunctionUrlConfig[] {
  return stack.resourcesOfType(FUNCTION_URL_TYPE).map((resource) => readFunctionUrl(stack, resource, functionOf));
}

function readFunctionUrl(
  stack: StackModel,
  resource: StackResource,
  functionOf: (ref: string) => { readonly functionName: string; readonly functionArn: string } | undefined,
): FunctionUrlConfig {
  const id = resource.logicalId;
  const p = resource.properties;
  for (const key of Object.keys(p)) {
    if (!PROPERTIES.has(key)) throw new UnsupportedTemplateError(id, `Properties.${key}`, 'unknown AWS::Lambda::Url property');
  }
  const authType = p['AuthType'];
  if (authType !== 'NONE' && authType !== 'AWS_IAM') {
    throw new UnsupportedTemplateError(id, 'Properties.AuthType', `must be NONE or AWS_IAM, got ${JSON.stringify(authType)}`);
  }
  if (p['InvokeMode'] !== undefined && p['InvokeMode'] !== 'BUFFERED') {
    throw new UnsupportedTemplateError(id, 'Properties.InvokeMode', `${JSON.stringify(p['InvokeMode'])}: the local runtime serves function URLs BUFFERED only (no response streaming)`);
  }
  if (p['Qualifier'] !== undefined) {
    throw new UnsupportedTemplateError(id, 'Properties.Qualifier', `${JSON.stringify(p['Qualifier'])}: a URL of an alias is not supported locally (only $LATEST runs)`);
  }
  const target = p['TargetFunctionArn'];
  if (typeof target !== 'string') throw new UnsupportedTemplateError(id, 'Properties.TargetFunctionArn', 'required, must resolve to a string');
  let qualifier: string | undefined;
  try {
    qualifier = parseFunctionRef(target).qualifier;
  } catch {
    throw new UnsupportedTemplateError(id, 'Properties.TargetFunctionArn', `${target} is not a function name or ARN`);
  }
  if (qualifier !== undefined) {
    throw new UnsupportedTemplateError(id, 'Properties.TargetFunctionArn', `qualifier ${qualifier}: a URL of a version or alias is not supported locally`);
  }
  const fn = functionOf(target);
  if (!fn) throw new UnsupportedTemplateError(id, 'Properties.TargetFunctionArn', `no function ${target} in the stack for this AWS::Lambda::Url`);
  const stackName = ownerStackName(stack, resource);
  const urlId = functionUrlId(stackName, id);
  return {
    key: `${stackName}/${id}`,
    logicalId: id,
    stackName,
    functionName: fn.functionName,
    functionArn: fn.functionArn,
    authType,
    ...(p['Cors'] === undefined ? {} : { cors: readCors(id, p['Cors']) }),
    urlId,
    domainName: new URL(awsFunctionUrl(stackName, id, envOf(stack, resource).region)).host,
    region: envOf(stack, resource).region,
    account: envOf(stack, resource).account,
  };
}

function readCors(id: string, raw: unknown): FunctionUrlCors {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new UnsupportedTemplateError(id, 'Properties.Cors', 'must be an object');
  const c = raw as Record<string, unknown>;
  for (const key of Object.keys(c)) {
    if (!CORS_PROPERTIES.has(key)) throw new UnsupportedTemplateError(id, `Properties.Cors.${key}`, 'unknown Cors property');
  }
  const strings = (key: string): string[] => {
    const value = c[key];
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
      throw new UnsupportedTemplateError(id, `Properties.Cors.${key}`, 'must be a list of strings');
    }
    return value as string[];
  };
  const allowMethods = strings('AllowMethods').map((m) => m.toUpperCase());
  for (const method of allowMethods) {
    if (!METHODS.has(method)) throw new UnsupportedTemplateError(id, 'Properties.Cors.AllowMethods', `${method} is not one of ${[...METHODS].join(', ')}`);
  }
  const maxAge = c['MaxAge'] === undefined ? undefined : Number(c['MaxAge']);
  if (maxAge !== undefined && (!Number.isInteger(maxAge) || maxAge < 0 || maxAge > 86400)) {
    throw new UnsupportedTemplateError(id, 'Properties.Cors.MaxAge', `must be an integer from 0 to 86400, got ${JSON.stringify(c['MaxAge'])}`);
  }
  const credentials = c['AllowCredentials'];
  if (credentials !== undefined && typeof credentials !== 'boolean' && credentials !== 'true' && credentials !== 'false') {
    throw new UnsupportedTemplateError(id, 'Properties.Cors.AllowCredentials', `must be a boolean, got ${JSON.stringify(credentials)}`);
  }
  return {
    allowCredentials: credentials === true || credentials === 'true',
    allowHeaders: strings('AllowHeaders').map((h) => h.toLowerCase()),
    allowMethods,
    allowOrigins: strings('AllowOrigins'),
    exposeHeaders: strings('ExposeHeaders'),
    ...(maxAge === undefined ? {} : { maxAge }),
  };
}

/** The stack a resource was declared in: a multi-stack model pools its stacks' resources. */
function ownerStackName(stack: StackModel, resource: StackResource): string {
  return (stack.stacks ?? [stack]).find((s) => s.resources.get(resource.logicalId) === resource)?.stackName ?? stack.stackName;
}

/**
 * `<stackName>/<logicalId>` of every function URL in the templates of an
 * assembly's stacks, read before the stack is resolved: each needs its port
 * before `Fn::GetAtt <Url>.FunctionUrl` can resolve to it.
 */
export function functionUrlKeys(stacks: readonly { readonly stackName: string; readonly template: { readonly Resources?: Record<string, { readonly Type?: unknown } | undefined> } }[]): string[] {
  return stacks.flatMap((s) =>
    Object.entries(s.template.Resources ?? {})
      .filter(([, r]) => r?.Type === FUNCTION_URL_TYPE)
      .map(([logicalId]) => `${s.stackName}/${logicalId}`),
  );
}
