/**
 * Who may call a function URL
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html):
 * - `NONE`: anyone, but only when the function's resource-based policy
 *   grants `lambda:InvokeFunctionUrl` (with `lambda:FunctionUrlAuthType`
 *   NONE) and, for URLs created since October 2025, `lambda:InvokeFunction`
 *   (with `lambda:InvokedViaFunctionUrl`) to `*`, as `addFunctionUrl` does;
 * - `AWS_IAM`: only SigV4-signed requests (service `lambda`, the URL's
 *   region); a signer the runtime knows (a function's role, or the role of
 *   `--enforce-iam-for-callers`) must be allowed both actions by its identity
 *   policies or the function's resource policy.
 * A refused request gets 403 `{"Message":"Forbidden"}`, as on AWS.
 */
import type { HttpRequest } from '../../protocol/http.js';
import { amzDateMs, isSigned, parseSigV4 } from '../../protocol/sigv4.js';
import type { PolicyContext, PolicySource } from '../../iam/policy.js';
import { isAllowed } from '../../iam/policy.js';
import type { IamService } from '../../iam/service.js';
import { signerIdentity } from '../../iam/edge.js';
import type { FunctionUrlConfig } from './config.js';
import type { FunctionUrlIamIdentity } from './event.js';
import { messageResponse, type FunctionUrlResponse } from './response.js';

export interface AuthDeps {
  /** The IAM service; nothing is checked when absent or with `--no-iam`. */
  readonly iam?: IamService;
  /** `--enforce-iam-for-callers ROLE_ARN`: a signer the runtime did not hand credentials to acts as this role. */
  readonly callersRole?: string;
  /** The function's resource-based policy (its AWS::Lambda::Permission statements). */
  readonly resourcePolicies: (functionArn: string) => readonly PolicySource[] | undefined;
  /** Epoch ms now, for the signature's age. */
  readonly now: () => number;
  /** A role's unique id (`AROA...`), for the event's `userId`. */
  readonly roleIdOf?: (roleArn: string) => string | undefined;
}

export type AuthOutcome =
  | { readonly ok: true; readonly iam?: FunctionUrlIamIdentity }
  | { readonly ok: false; readonly response: FunctionUrlResponse; /** Why, for the trace (AWS says only "Forbidden"). */ readonly reason: string };

/** The actions a function URL call needs, checked with these condition keys. */
const ACTIONS = ['lambda:InvokeFunctionUrl', 'lambda:InvokeFunction'] as const;
/** AWS refuses a signature more than 15 minutes away from its clock. */
const MAX_SKEW_MS = 15 * 60 * 1000;

const forbidden = (reason: string): AuthOutcome => ({ ok: false, response: messageResponse(403, 'Forbidden'), reason });

export function authorize(req: HttpRequest, config: FunctionUrlConfig, deps: AuthDeps): AuthOutcome {
  return config.authType === 'NONE' ? authorizePublic(config, deps) : authorizeSigned(req, config, deps);
}

function urlContext(authType: string): PolicyContext {
  return { 'lambda:FunctionUrlAuthType': authType, 'lambda:InvokedViaFunctionUrl': 'true' };
}

function authorizePublic(config: FunctionUrlConfig, deps: AuthDeps): AuthOutcome {
  if (!deps.iam?.enforce) return { ok: true };
  const documents = (deps.resourcePolicies(config.functionArn) ?? []).map((p) => p.document);
  for (const action of ACTIONS) {
    const allowed = isAllowed(documents, { principal: { aws: '*' }, action, resource: config.functionArn, context: urlContext('NONE') });
    if (allowed) continue;
    const message = `the resource-based policy of ${config.functionName} does not allow ${action} to everyone (Principal *) for a function URL with AuthType NONE`;
    deps.iam.resourcePolicyRefused({ principal: '*', action, resource: config.functionArn, message, via: `function URL ${config.logicalId}` });
    return forbidden(message);
  }
  return { ok: true };
}

function authorizeSigned(req: HttpRequest, config: FunctionUrlConfig, deps: AuthDeps): AuthOutcome {
  if (!isSigned(req)) return forbidden('the request is not signed (AuthType AWS_IAM needs SigV4)');
  const parsed = parseSigV4(req);
  if (!parsed.ok) return forbidden(`malformed SigV4 signature: ${parsed.reason}`);
  const { parts } = parsed;
  if (parts.service !== 'lambda') return forbidden(`the signature's service is ${parts.service}, not lambda`);
  if (parts.region !== config.region) return forbidden(`the signature's region is ${parts.region}, not ${config.region}`);
  if (Math.abs(deps.now() - amzDateMs(parts.amzDate)) > MAX_SKEW_MS) return forbidden(`X-Amz-Date ${parts.amzDate} is more than 15 minutes from now`);

  const role = deps.iam ? signerIdentity(deps.iam, parts.accessKeyId, deps.callersRole) : undefined;
  if (role && deps.iam) {
    for (const action of ACTIONS) {
      const denial = deps.iam.check({
        roleArn: role.roleArn,
        session: role.session,
        action,
        resource: config.functionArn,
        via: `function URL ${config.logicalId}`,
        context: urlContext('AWS_IAM'),
      });
      if (denial) return forbidden(denial.message);
    }
  }
  return { ok: true, iam: eventIdentity(parts.accessKeyId, role, config, deps) };
}

/** `requestContext.authorizer.iam`: the role session when the runtime knows the signer, else the account's placeholder caller. */
function eventIdentity(
  accessKey: string,
  role: { readonly roleArn: string; readonly session: string } | undefined,
  config: FunctionUrlConfig,
  deps: AuthDeps,
): FunctionUrlIamIdentity {
  const iam = deps.iam;
  if (role && iam) {
    const roleId = deps.roleIdOf?.(role.roleArn) ?? role.roleArn.split('/').pop()!;
    const userId = `${roleId}:${role.session}`;
    return { accessKey, accountId: config.account, callerId: userId, cognitoIdentity: null, principalOrgId: null, userArn: iam.sessionArn(role.roleArn, role.session), userId };
  }
  // An outside signer's identity lives in AWS, not here: the event names its access key in the stack's account.
  return { accessKey, accountId: config.account, callerId: accessKey, cognitoIdentity: null, principalOrgId: null, userArn: `arn:aws:iam::${config.account}:user/${accessKey}`, userId: accessKey };
}
