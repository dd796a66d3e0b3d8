/**
 * Function URLs wired to the runtime's services: each AWS::Lambda::Url of
 * the stack answered on its server by its function, with the stack's IAM.
 */
import type { Tracer } from '../../contracts.js';
import type { LambdaService } from '../service.js';
import type { StackModel } from '../../cloudformation/types.js';
import { policiesFor, resourcePoliciesOf } from '../../iam/resource-policies.js';
import type { IamService } from '../../iam/service.js';
import { readFunctionUrls, type FunctionUrlAuthType, type FunctionUrlConfig } from './config.js';
import { functionUrlHandler } from './handler.js';
import type { FunctionUrlServers } from './servers.js';

/** One served function URL, as start-up lines and the dashboard show it. */
export interface ServedFunctionUrl {
  readonly logicalId: string;
  readonly functionName: string;
  readonly authType: FunctionUrlAuthType;
  /** The local address, e.g. `http://127.0.0.1:3001/`. */
  readonly url: string;
}

export interface FunctionUrlServiceDeps {
  readonly servers: FunctionUrlServers;
  /** Finds each URL's function (by name or ARN, as Invoke does) and invokes it. */
  readonly lambda: Pick<LambdaService, 'find' | 'invokeWith'>;
  readonly iam?: IamService;
  readonly callersRole?: string;
  readonly tracer?: Tracer;
  readonly now?: () => number;
}

/**
 * Read the stack's function URLs (throwing UnsupportedTemplateError for
 * what cannot be served) and answer each on its server, which `servers.open`
 * must have started for its key.
 */
export function serveFunctionUrls(stack: StackModel, deps: FunctionUrlServiceDeps): ServedFunctionUrl[] {
  const functionOf = (ref: string) => {
    try {
      return deps.lambda.find(ref)?.definition.config;
    } catch {
      return undefined; // Not a function reference: readFunctionUrls names the property.
    }
  };
  const configs = readFunctionUrls(stack, functionOf);
  const policies = resourcePoliciesOf(stack);
  const served: ServedFunctionUrl[] = [];
  for (const config of configs) {
    const url = deps.servers.urlOf(config.key);
    if (!url) throw new Error(`function URL ${config.key} has no server: open the servers with the assembly's function URL keys first`);
    deps.servers.serve(config.key, handlerFor(stack, config, url, deps, policies));
    served.push({ logicalId: config.logicalId, functionName: config.functionName, authType: config.authType, url });
  }
  return served;
}

function handlerFor(stack: StackModel, config: FunctionUrlConfig, url: string, deps: FunctionUrlServiceDeps, policies: ReturnType<typeof resourcePoliciesOf>) {
  const iam = deps.iam;
  return functionUrlHandler(config, {
    url,
    invoke: (functionArn, payload, requestId) => deps.lambda.invokeWith(functionArn, payload, 'RequestResponse', undefined, { requestId }),
    resourcePolicies: (functionArn) => policiesFor(policies, functionArn),
    now: deps.now ?? Date.now,
    roleIdOf: (roleArn) => {
      const logicalId = iam?.roles.get(roleArn)?.logicalId;
      return logicalId === undefined ? undefined : stack.resources.get(logicalId)?.attributes['RoleId'];
    },
    ...(iam ? { iam } : {}),
    ...(deps.callersRole ? { callersRole: deps.callersRole } : {}),
    ...(deps.tracer ? { tracer: deps.tracer } : {}),
  });
}
