import { createHash } from 'node:crypto';
import { arnField } from '../arn.js';
import { UnsupportedTemplateError } from '../protocol/errors.js';
import type { Credentials, FunctionIdentity, InvokeCaller, ResourcePolicyRefusal, Tracer } from '../contracts.js';
import type { StackModel, StackResource } from '../cloudformation/types.js';
import { cdkFix, type ConstructRef } from './cdk-fix.js';
import { actionMatches, evaluate, list, statementsOf, type Decision, type PolicyContext, type PolicySource } from './policy.js';
import { IAM_TYPES, constructPathOf, readRoles, type Role } from './roles.js';
import { policiesFor, resourcePoliciesOf } from './resource-policies.js';
import { BoundedMemo } from '../bounded-memo.js';

/** One call made with a role's credentials. */
export interface RoleCall {
  readonly roleArn: string;
  /** The role session's name: the function name for Lambda, `BackplaneAssumeRoleSession` for API Gateway. */
  readonly session: string;
  readonly action: string;
  readonly resource: string;
  /** What is acting, for the trace: `destination of <function>`, `API Gateway integration`, `SDK call in <function>`. */
  readonly via: string;
  readonly context?: PolicyContext;
  /** The action as the service spells it in its error message (SNS says `SNS:Publish`). @default action */
  readonly messageAction?: string;
}

/** A denied call: the AWS error message and everything the trace shows. */
export interface Denial {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly via: string;
  /** AWS's message, e.g. `User: ... is not authorized to perform: ... because no identity-based policy allows ...`. */
  readonly message: string;
  /** The statement that would allow the call. */
  readonly wouldAllow: Readonly<Record<string, unknown>>;
  readonly cdkFix?: string;
}

/** One granted action of a role's identity policies, and whether this run used it. */
export interface Grant {
  readonly action: string;
  readonly resource: string;
  /** The policy it comes from: a logical id or a managed policy ARN. */
  readonly source: string;
  used: boolean;
}

export interface RoleUsage {
  readonly role: string;
  readonly arn: string;
  readonly grants: readonly Grant[];
}

export interface IamServiceOptions {
  readonly tracer?: Tracer;
  /** False with `--no-iam`: every call is allowed and nothing is recorded. @default true */
  readonly enforce?: boolean;
  /** Start-up warnings (unknown managed policies). */
  readonly warn?: (message: string) => void;
}

/** The secret every local credential shares: the runtime checks who signs, not the signature. */
const LOCAL_SECRET = 'local-iam-secret-key-not-checked';

/**
 * The template's IAM as the local runtime enforces it: roles with their
 * identity policies, trust policies and boundaries; checks of calls made
 * with a role; denials traced with the statement and CDK call that would
 * allow them; and a record of which grants were used.
 */
export class IamService {
  static readonly handledTypes: readonly string[] = IAM_TYPES;

  readonly enforce: boolean;
  private readonly byArn = new Map<string, StackResource>();
  private readonly functionsByRole = new Map<string, StackResource>();
  private readonly grants = new Map<string, Grant[]>();
  private readonly keys = new Map<string, { roleArn: string; session: string }>();
  private readonly tracedOnce = new Set<string>();
  private readonly denials: Denial[] = [];
  private readonly resourcePolicies: ReadonlyMap<string, PolicySource[]>;
  /**
   * Decisions already made, by everything a decision depends on (role, session, action, resource, the call's
   * condition keys): the policies are fixed for the life of this service (a hot reload builds a new one).
   * Several checks per pipeline event ask the same few questions; a hit skips evaluation and grant recording.
   */
  private readonly decisions = new DecisionCache();
  /** Whether a service principal may assume a role, by role and principal (trust policies are fixed too). */
  private readonly trusted = new BoundedMemo<string, boolean>(MAX_CACHED_DECISIONS);

  private constructor(
    private readonly stack: StackModel,
    readonly roles: ReadonlyMap<string, Role>,
    private readonly options: IamServiceOptions,
  ) {
    this.enforce = options.enforce ?? true;
    this.resourcePolicies = resourcePoliciesOf(stack);
    for (const resource of stack.resources.values()) {
      const arn = resource.arn ?? resource.attributes['Arn'];
      if (arn) this.byArn.set(arn, resource);
      if (resource.type === 'AWS::Lambda::Function' && typeof resource.properties['Role'] === 'string') {
        this.functionsByRole.set(resource.properties['Role'], resource);
      }
    }
    for (const role of roles.values()) {
      this.grants.set(
        role.arn,
        role.identity.flatMap(({ label, document }) =>
          statementsOf(document)
            .filter((s) => s.Effect === 'Allow')
            .flatMap((s) => {
              const resource = list(s.Resource ?? s.NotResource).join(', ');
              const actions = s.Action !== undefined ? list(s.Action) : list(s.NotAction).map((a) => `NotAction ${a}`);
              return actions.map((action) => ({ action, resource, source: label, used: false }));
            }),
        ),
      );
    }
  }

  static fromStack(stack: StackModel, options: IamServiceOptions = {}): IamService {
    return new IamService(stack, readRoles(stack, options.warn ?? (() => {})), options);
  }

  /**
   * What the runtime says at start-up about IAM. Throws when the role for
   * outside callers is not one of the stack's.
   */
  startupLines(callersRole: string | undefined): string[] {
    if (!this.enforce) return ['IAM: not enforced (--no-iam): every role may do everything, and no grant is recorded'];
    if (callersRole !== undefined && !this.roles.has(callersRole)) {
      const known = [...this.roles.keys()].join(', ') || 'none';
      throw new Error(`--enforce-iam-for-callers: ${callersRole} is not a role of the stack (its roles: ${known})`);
    }
    return [
      `IAM: enforcing the policies of ${this.roles.size} role(s); ` +
        (callersRole ? `outside callers act as ${callersRole}` : 'outside callers are not checked (--enforce-iam-for-callers ROLE_ARN checks them)'),
    ];
  }

  /**
   * Refuse a function whose execution role Lambda may not assume, as
   * CreateFunction does on AWS (InvalidParameterValueException).
   */
  checkFunctionRoles(): void {
    if (!this.enforce) return;
    for (const [roleArn, fn] of this.functionsByRole) {
      const role = this.roles.get(roleArn);
      if (!role) continue;
      const trusted = evaluate(
        { principal: { service: 'lambda.amazonaws.com' }, action: 'sts:AssumeRole', resource: roleArn, context: {} },
        { resource: [{ label: role.logicalId, document: role.trust }] },
      ).allowed;
      if (!trusted) {
        throw new UnsupportedTemplateError(
          fn.logicalId,
          'Properties.Role',
          `The role defined for the function cannot be assumed by Lambda. (${role.logicalId}'s AssumeRolePolicyDocument does not allow lambda.amazonaws.com; CDK: assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'))`,
        );
      }
    }
  }

  /** `arn:aws:sts::<account>:assumed-role/<role name>/<session>`. */
  sessionArn(roleArn: string, session: string): string {
    const name = this.roles.get(roleArn)?.name ?? roleArn.split('/').pop() ?? roleArn;
    const { partition } = this.stack.env;
    // A role belongs to the account in its ARN (stacks of several accounts may be served).
    const account = arnField(roleArn, 'account') || this.stack.env.account;
    return `arn:${partition}:sts::${account}:assumed-role/${name}/${session}`;
  }

  /**
   * Check a call made with a role. Undefined when allowed (or when the role
   * is not the stack's: an imported role cannot be read locally); else the
   * denial, already traced.
   */
  check(call: RoleCall): Denial | undefined {
    if (!this.enforce) return undefined;
    const role = this.roles.get(call.roleArn);
    if (!role) return undefined;
    const cached = this.cachedDecision(role, call);
    const { decision } = cached;
    if (decision.allowed) {
      // The same decision for the same action marks the same grants: once recorded, nothing is left to mark.
      if (!cached.recorded) this.recordUse(role, call.action, decision);
      cached.recorded = true;
      return undefined;
    }
    const principal = this.sessionArn(call.roleArn, call.session);
    const grantee = this.granteeOf(role);
    const target = this.constructAt(call.resource);
    // The role's own policies already allow a call the other account's resource policy does not: the fix is there.
    const resourceSide = decision.reason === 'no-resource-policy';
    const fix = resourceSide ? undefined : cdkFix({ action: call.action, grantee, ...(target ? { target } : {}) });
    const denial: Denial = {
      principal,
      action: call.action,
      resource: call.resource,
      via: call.via,
      message: deniedMessage(principal, call.messageAction ?? call.action, call.resource, decision),
      wouldAllow: resourceSide
        ? { Effect: 'Allow', Principal: { AWS: role.arn }, Action: call.action, Resource: call.resource }
        : { Effect: 'Allow', Action: call.action, Resource: call.resource },
      ...(fix ? { cdkFix: fix } : {}),
    };
    this.report(denial, role.constructPath ?? role.name, `${call.roleArn} ${call.action} ${call.resource}`);
    return denial;
  }

  /** Whether the call would be allowed, with nothing recorded or traced (for marking output). */
  allows(call: RoleCall): boolean {
    const role = this.roles.get(call.roleArn);
    if (!this.enforce || !role) return true;
    return this.cachedDecision(role, call).decision.allowed;
  }

  /** The decision for a call, evaluated once per distinct call (see `decisions`). */
  private cachedDecision(role: Role, call: RoleCall): CachedDecision {
    return this.decisions.get(call) ?? this.decisions.set(call, { decision: this.decide(role, call), recorded: false });
  }

  private decide(role: Role, call: RoleCall): Decision {
    // The target's resource policies: those the stack attaches to it (topic and queue policies, Lambda permissions).
    const resource = policiesFor(this.resourcePolicies, call.resource);
    return evaluate(
      {
        principal: { aws: this.sessionArn(call.roleArn, call.session) },
        action: call.action,
        resource: call.resource,
        // The local endpoint stands in for AWS's HTTPS one: every call counts as secure.
        context: { 'aws:PrincipalArn': role.arn, 'aws:SecureTransport': 'true', ...call.context },
      },
      {
        identity: role.identity,
        ...(resource ? { resource } : {}),
        ...(role.boundary ? { boundary: role.boundary } : {}),
        ...(isCrossAccount(role.arn, call.resource) ? { crossAccount: true } : {}),
      },
    );
  }

  /**
   * Whether a service may assume the role (its trust policy allows
   * `sts:AssumeRole` by the service principal). Undefined when it may.
   */
  checkTrust(roleArn: string, servicePrincipal: string, via: string): Denial | undefined {
    if (!this.enforce) return undefined;
    const role = this.roles.get(roleArn);
    if (!role) return undefined;
    // API Gateway assumes its integration role for every request: the answer is fixed with the trust policy.
    const trustKey = `${roleArn.length}:${roleArn}${servicePrincipal}`;
    let allowed = this.trusted.get(trustKey);
    if (allowed === undefined) {
      allowed = this.trusted.set(
        trustKey,
        evaluate(
          { principal: { service: servicePrincipal }, action: 'sts:AssumeRole', resource: roleArn, context: {} },
          { resource: [{ label: `${role.logicalId}.AssumeRolePolicyDocument`, document: role.trust }] },
        ).allowed,
      );
    }
    if (allowed) return undefined;
    const fix = cdkFix({ action: 'sts:AssumeRole', grantee: { servicePrincipal } });
    const denial: Denial = {
      principal: servicePrincipal,
      action: 'sts:AssumeRole',
      resource: roleArn,
      via,
      message: `${servicePrincipal} is not allowed to assume ${roleArn}: its trust policy (AssumeRolePolicyDocument) does not allow sts:AssumeRole by ${servicePrincipal}`,
      wouldAllow: { Effect: 'Allow', Principal: { Service: servicePrincipal }, Action: 'sts:AssumeRole' },
      ...(fix ? { cdkFix: fix } : {}),
    };
    this.report(denial, role.constructPath ?? role.name, `trust ${roleArn} ${servicePrincipal}`);
    return denial;
  }

  /** Trace a service principal that a function's resource policy refused. */
  resourcePolicyDenied(fn: FunctionIdentity, caller: InvokeCaller, message: string): void {
    this.resourcePolicyRefused({
      principal: caller.principal ?? 'an IAM caller',
      action: 'lambda:InvokeFunction',
      resource: fn.functionArn,
      ...(caller.sourceArn ? { sourceArn: caller.sourceArn } : {}),
      message,
      via: `resource policy of ${fn.functionName}`,
    });
  }

  /**
   * Trace a service principal's call that a resource policy refused (a
   * Lambda permission, a topic or queue policy), with the statement and
   * CDK call that would allow it.
   */
  resourcePolicyRefused(refusal: ResourcePolicyRefusal): void {
    if (!this.enforce) return;
    const { principal, action, resource, sourceArn } = refusal;
    const target = this.constructAt(resource);
    const source = sourceArn ? this.constructAt(sourceArn) : undefined;
    const fix = cdkFix({
      action,
      grantee: { servicePrincipal: principal },
      ...(target ? { target } : {}),
      ...(source ? { source } : {}),
    });
    const denial: Denial = {
      principal,
      action,
      resource,
      via: refusal.via,
      message: refusal.message,
      wouldAllow: {
        Effect: 'Allow',
        Principal: { Service: principal },
        Action: action,
        Resource: resource,
        ...(sourceArn ? { Condition: { ArnLike: { 'AWS:SourceArn': sourceArn } } } : {}),
      },
      ...(fix ? { cdkFix: fix } : {}),
    };
    this.report(denial, principal, undefined);
  }

  /** Credentials that identify the role and session at the runtime's AWS API edge. */
  credentialsFor(roleArn: string, session: string): Credentials {
    const token = createHash('sha256').update(`${roleArn}\n${session}`).digest('hex').toUpperCase().replace(/[^A-Z2-7]/g, '');
    // Temporary credentials of an assumed role start with ASIA; 20 characters like AWS's.
    const accessKeyId = `ASIA${(token + 'AAAAAAAAAAAAAAAA').slice(0, 16)}`;
    this.keys.set(accessKeyId, { roleArn, session });
    return { accessKeyId, secretAccessKey: LOCAL_SECRET, sessionToken: `local-session/${session}` };
  }

  /** The role and session an access key id was handed out for; undefined for outside callers. */
  identityOf(accessKeyId: string): { roleArn: string; session: string } | undefined {
    return this.keys.get(accessKeyId);
  }

  /** Every role with its granted actions and whether this run used them. */
  usage(): RoleUsage[] {
    return [...this.roles.values()].map((role) => ({
      role: role.constructPath ?? role.name,
      arn: role.arn,
      grants: (this.grants.get(role.arn) ?? []).map((g) => ({ ...g })),
    }));
  }

  /** Denials recorded in this run, oldest first. */
  deniedCalls(): readonly Denial[] {
    return this.denials;
  }

  /** Lines such as `Destined/Function/ServiceRole: events:PutEvents used; logs:CreateLogGroup never used`. */
  unusedReport(): string[] {
    return this.usage()
      .filter((r) => r.grants.length > 0)
      .map((r) => {
        const seen = new Map<string, boolean>();
        for (const g of r.grants) seen.set(g.action, (seen.get(g.action) ?? false) || g.used);
        return `${r.role}: ${[...seen].map(([action, used]) => `${action} ${used ? 'used' : 'never used'}`).join('; ')}`;
      });
  }

  private recordUse(role: Role, action: string, decision: Extract<Decision, { allowed: true }>): void {
    const grants = this.grants.get(role.arn) ?? [];
    for (const by of decision.by) {
      if (by.kind !== 'identity') continue;
      const resource = list(by.statement.Resource ?? by.statement.NotResource).join(', ');
      for (const grant of grants) {
        if (grant.used || grant.source !== by.source || grant.resource !== resource) continue;
        const pattern = grant.action.startsWith('NotAction ') ? undefined : grant.action;
        const covers = pattern === undefined ? actionMatches(by.statement, action) : actionMatches({ Action: pattern }, action);
        if (covers) grant.used = true;
      }
    }
  }

  /** The function whose role it is (CDK grants to the function), else the role itself. */
  private granteeOf(role: Role): ConstructRef {
    const fn = this.functionsByRole.get(role.arn);
    const fnPath = fn ? constructPathOf(fn) : undefined;
    if (fn && fnPath) return { type: fn.type, path: fnPath };
    return { type: 'AWS::IAM::Role', path: role.constructPath ?? role.name };
  }

  private constructAt(arn: string): ConstructRef | undefined {
    const bare = arn.replace(/:\$LATEST$/, '');
    const resource = this.byArn.get(bare);
    const path = resource ? constructPathOf(resource) : undefined;
    return resource && path ? { type: resource.type, path } : undefined;
  }

  /** Trace a denial; `onceKey` keeps a repeated one (each log line of a function) to one trace. */
  private report(denial: Denial, who: string, onceKey: string | undefined): void {
    if (onceKey !== undefined) {
      if (this.tracedOnce.has(onceKey)) return;
      this.tracedOnce.add(onceKey);
    }
    this.denials.push(denial);
    this.options.tracer?.record({
      service: 'iam',
      kind: 'denied',
      resource: denial.resource,
      summary:
        `DENIED ${denial.action} on ${denial.resource} for ${who} (${denial.via}); ` +
        `would be allowed by ${JSON.stringify(denial.wouldAllow)}${denial.cdkFix ? `; CDK: ${denial.cdkFix}` : ''}`,
      outcome: 'denied',
      reason: denial.message,
      detail: denial,
    });
  }
}

interface CachedDecision {
  readonly decision: Decision;
  /** The grants an allowing decision used are recorded. */
  recorded: boolean;
}

/** Distinct calls are few (roles x actions x resources); a bound keeps a stream of new resource names from growing it. */
const MAX_CACHED_DECISIONS = 4096;

type Level<T> = Map<string, T>;

/**
 * Decisions by everything a decision depends on besides the service's fixed policies: role, session,
 * action, resource (nested maps: a lookup builds no key), then the call's condition keys, each part
 * length-prefixed so no two contexts share a key, an absent value apart from any string.
 */
class DecisionCache {
  private readonly byRole: Level<Level<Level<Level<Level<CachedDecision>>>>> = new Map();
  private size = 0;

  get(call: RoleCall): CachedDecision | undefined {
    return this.byRole.get(call.roleArn)?.get(call.session)?.get(call.action)?.get(call.resource)?.get(contextKey(call.context));
  }

  set(call: RoleCall, cached: CachedDecision): CachedDecision {
    if (this.size >= MAX_CACHED_DECISIONS) {
      this.byRole.clear();
      this.size = 0;
    }
    const bySession = child(this.byRole, call.roleArn);
    const byAction = child(bySession, call.session);
    const byResource = child(byAction, call.action);
    child(byResource, call.resource).set(contextKey(call.context), cached);
    this.size++;
    return cached;
  }
}

function child<T>(level: Level<Level<T>>, key: string): Level<T> {
  let next = level.get(key);
  if (next === undefined) level.set(key, (next = new Map()));
  return next;
}

/** The call's condition keys: empty without any (the decision then sees only the role's own keys). */
function contextKey(context: PolicyContext | undefined): string {
  let key = '';
  if (context !== undefined) {
    for (const name in context) {
      if (!Object.hasOwn(context, name)) continue;
      const value = context[name];
      key += `|${name.length}:${name}${value === undefined ? '-' : `${value.length}:${value}`}`;
    }
  }
  return key;
}

/** AWS's AccessDenied wording for each way a request is refused. */
function deniedMessage(principal: string, action: string, resource: string, decision: Extract<Decision, { allowed: false }>): string {
  const head = `User: ${principal} is not authorized to perform: ${action} on resource: ${resource}`;
  switch (decision.reason) {
    case 'explicit-deny':
      return `${head} with an explicit deny in ${decision.deniedBy?.kind === 'resource' ? 'a resource-based policy' : decision.deniedBy?.kind === 'boundary' ? 'a permissions boundary' : 'an identity-based policy'}`;
    case 'boundary':
      return `${head} because no permissions boundary allows the ${action} action`;
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_access-denied.html
    case 'no-resource-policy':
      return `${head} because no resource-based policy allows the ${action} action`;
    default:
      return `${head} because no identity-based policy allows the ${action} action`;
  }
}

/** Whether a role acts on a resource of another account (an ARN with no account, as an S3 bucket's, is not). */
function isCrossAccount(roleArn: string, resourceArn: string): boolean {
  const [roleAccount, resourceAccount] = [arnField(roleArn, 'account'), arnField(resourceArn, 'account')];
  return !!roleAccount && !!resourceAccount && /^\d{12}$/.test(resourceAccount) && roleAccount !== resourceAccount;
}
