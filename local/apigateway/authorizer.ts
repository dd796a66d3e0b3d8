/**
 * Lambda authorizers (AuthorizationType CUSTOM): TOKEN and REQUEST. The
 * function is invoked with the identity source, its IAM policy is evaluated
 * against the method ARN, and the policy is cached per identity for the
 * authorizer's TTL, as API Gateway does (a cached policy is re-evaluated
 * against each method it is used for).
 */
import type { Clock } from '../clock.js';
import type { InvokeCaller, LambdaInvoker } from '../contracts.js';
import { AUTHORIZER_FAILURE, EXPLICIT_DENY, NOT_ALLOWED, UNAUTHORIZED, type GatewayError } from './responses.js';
import { headerValues } from './headers.js';
import { lambdaErrorMessage } from './integrations.js';
import type { AuthorizerDef } from './types.js';
import { evaluate } from '../iam/policy.js';

/** What the request offers the authorizer. */
export interface AuthorizationRequest {
  readonly methodArn: string;
  /** Authorizer source ARN, `arn:...:execute-api:<region>:<account>:<apiId>/authorizers/<id>`. */
  readonly sourceArn: string;
  readonly accountId: string;
  readonly headers: Readonly<Record<string, string[]>>;
  readonly query: Readonly<Record<string, string[]>>;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly stageVariables: Readonly<Record<string, string>>;
  readonly context: Readonly<Record<string, unknown>>;
  /** The REQUEST event's request fields (resource, path, httpMethod, requestContext...). */
  readonly requestEvent: Readonly<Record<string, unknown>>;
}

export type AuthorizationOutcome =
  | { readonly allowed: true; readonly principalId: string; readonly context: Record<string, unknown> }
  | { readonly allowed: false; readonly error: GatewayError; readonly reason: string };

interface AuthorizerResult {
  readonly principalId: string;
  /** The policy document the function returned, evaluated by the shared IAM evaluator. */
  readonly policyDocument: Readonly<Record<string, unknown>>;
  readonly context: Record<string, unknown>;
}

/** The function's answer as an authorizer result; undefined when it is not one. */
export function parseAuthorizerResult(payload: string): AuthorizerResult | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const r = value as Record<string, unknown>;
  const policy = r.policyDocument as Record<string, unknown> | undefined;
  if (typeof r.principalId !== 'string' || !policy || typeof policy !== 'object' || !Array.isArray(policy.Statement)) return undefined;
  const context: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((r.context as Record<string, unknown> | undefined) ?? {})) {
    // API Gateway passes only string, number and boolean context values.
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') context[k] = v;
    else return undefined;
  }
  return { principalId: r.principalId, policyDocument: policy, context };
}

/** IAM evaluation of an authorizer policy for one method ARN: an explicit Deny wins, then any Allow. */
export function evaluatePolicy(result: AuthorizerResult, methodArn: string): 'allow' | 'deny' | 'none' {
  const decision = evaluate(
    { principal: { aws: result.principalId }, action: 'execute-api:Invoke', resource: methodArn, context: {} },
    { identity: [{ label: 'authorizer policy', document: result.policyDocument }] },
  );
  return decision.allowed ? 'allow' : decision.reason === 'explicit-deny' ? 'deny' : 'none';
}

function identityValue(source: string, req: AuthorizationRequest): string | undefined {
  const m = /^method\.request\.(header|querystring|multivalueheader|multivaluequerystring)\.(.+)$/.exec(source);
  if (m) {
    const values = m[1]!.includes('header') ? headerValues(req.headers, m[2]!) : req.query[m[2]!];
    return values && values.length > 0 ? values.join(',') : undefined;
  }
  if (source.startsWith('stageVariables.')) return req.stageVariables[source.slice('stageVariables.'.length)];
  if (source.startsWith('context.')) {
    const v = req.context[source.slice('context.'.length)];
    return v === undefined || v === null ? undefined : String(v);
  }
  return undefined;
}

/**
 * Cached authorizer results kept at most. API Gateway promises no cache size, only that a
 * result is not used past its TTL; locally a stream of distinct tokens must not grow memory
 * without end, so beyond this the oldest result goes first (its caller is authorized again).
 */
export const MAX_CACHED_AUTHORIZATIONS = 10_000;

/** Runs one API's Lambda authorizers, with their result caches. */
export class Authorizers {
  /** In insertion order, which is expiry order for one authorizer's TTL: expired entries are dropped from the front. */
  private readonly cache = new Map<string, { result: AuthorizerResult; expires: number }>();

  constructor(
    private readonly lambda: () => LambdaInvoker,
    private readonly clock: Clock,
  ) {}

  async authorize(def: AuthorizerDef, req: AuthorizationRequest): Promise<AuthorizationOutcome> {
    const values = def.identitySources.map((s) => identityValue(s, req));
    if (values.some((v) => v === undefined || v === '')) return { allowed: false, error: UNAUTHORIZED, reason: 'identity source missing' };
    const token = values[0]!;
    if (def.type === 'TOKEN' && def.validationExpression && !def.validationExpression.test(token)) {
      return { allowed: false, error: UNAUTHORIZED, reason: 'token does not match IdentityValidationExpression' };
    }
    const key = `${def.id}\u0000${values.join('\u0000')}`;
    const cached = this.cache.get(key);
    let result = cached && cached.expires > this.clock.now() ? cached.result : undefined;
    if (!result) {
      const event =
        def.type === 'TOKEN'
          ? { type: 'TOKEN', authorizationToken: token, methodArn: req.methodArn }
          : { type: 'REQUEST', methodArn: req.methodArn, ...req.requestEvent };
      // With AuthorizerCredentials API Gateway invokes the authorizer as that role (IAM), not as its service principal.
      const caller: InvokeCaller = def.credentials
        ? { role: { arn: def.credentials, session: 'BackplaneAssumeRoleSession', via: 'API Gateway authorizer', assumedBy: 'apigateway.amazonaws.com' } }
        : { principal: 'apigateway.amazonaws.com', sourceArn: req.sourceArn, sourceAccount: req.accountId };
      let invoked;
      try {
        invoked = await this.lambda().invoke(def.functionArn, JSON.stringify(event), 'RequestResponse', caller);
      } catch (error) {
        return { allowed: false, error: AUTHORIZER_FAILURE, reason: `authorizer invocation failed: ${(error as Error)?.message ?? String(error)}` };
      }
      if (invoked.functionError) {
        const message = lambdaErrorMessage(invoked.payload);
        // A function that throws "Unauthorized" refuses the caller; any other error is a broken authorizer.
        if (message === 'Unauthorized') return { allowed: false, error: UNAUTHORIZED, reason: 'authorizer answered Unauthorized' };
        return { allowed: false, error: AUTHORIZER_FAILURE, reason: `authorizer failed: ${message}` };
      }
      result = parseAuthorizerResult(invoked.payload);
      if (!result) return { allowed: false, error: AUTHORIZER_FAILURE, reason: 'authorizer result is not a principalId and policyDocument' };
      if (def.ttlSeconds > 0) this.remember(key, result, this.clock.now() + this.clock.toLocalMs(def.ttlSeconds * 1000));
    }
    const verdict = evaluatePolicy(result, req.methodArn);
    if (verdict === 'deny') return { allowed: false, error: EXPLICIT_DENY, reason: 'policy denies the method' };
    if (verdict === 'none') return { allowed: false, error: NOT_ALLOWED, reason: 'policy does not allow the method' };
    return { allowed: true, principalId: result.principalId, context: result.context };
  }

  private remember(key: string, result: AuthorizerResult, expires: number): void {
    const now = this.clock.now();
    // Re-inserted at the end, so the front stays the oldest.
    this.cache.delete(key);
    for (const [oldest, entry] of this.cache) {
      if (entry.expires > now && this.cache.size < MAX_CACHED_AUTHORIZATIONS) break;
      this.cache.delete(oldest);
    }
    this.cache.set(key, { result, expires });
  }

  /** Results cached now, expired ones not yet dropped included. */
  get cachedResults(): number {
    return this.cache.size;
  }
}
