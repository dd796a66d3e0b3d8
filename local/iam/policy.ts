/**
 * The one IAM policy evaluator of the local runtime. Identity policies
 * (a role's inline, attached and managed policies), resource policies
 * (Lambda permissions, SNS topic and SQS queue policies), permission
 * boundaries and a Lambda authorizer's policy all go through `evaluate`.
 *
 * Evaluation for a request within one account, as in
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html :
 * an explicit Deny in any policy wins; otherwise an Allow in a resource
 * policy or in an identity policy allows, an identity Allow only when the
 * permission boundary (if any) allows too; otherwise the implicit deny.
 */
import { escapeRegExp } from '../text/escape-regexp.js';
import { BoundedMemo } from '../bounded-memo.js';

/** The condition keys the local runtime knows about a request. */
export interface PolicyContext {
  readonly 'aws:SourceArn'?: string;
  readonly 'aws:SourceAccount'?: string;
  readonly 'aws:SecureTransport'?: 'true' | 'false';
  /** The ARN of the calling role (not its session), for IAM principals. */
  readonly 'aws:PrincipalArn'?: string;
  readonly [key: string]: string | undefined;
}

export interface PolicyRequest {
  /** `service` for a service principal (`sns.amazonaws.com`); `aws` for an account id or IAM ARN. */
  readonly principal: { readonly service?: string; readonly aws?: string };
  /** e.g. `sqs:SendMessage`. */
  readonly action: string;
  /** ARN of the resource acted on. */
  readonly resource: string;
  readonly context: PolicyContext;
}

/** One policy document with a label saying where it comes from (a logical id, a managed policy ARN). */
export interface PolicySource {
  readonly label: string;
  /** The document, as an object or JSON text. */
  readonly document: unknown;
}

/** The policies that bear on one request. */
export interface PolicySet {
  /** Policies of the calling identity (a role); their statements have no Principal. */
  readonly identity?: readonly PolicySource[];
  /** Policies of the resource acted on; their statements name a Principal. */
  readonly resource?: readonly PolicySource[];
  /** The identity's permission boundary; absent when it has none. */
  readonly boundary?: readonly PolicySource[];
  /**
   * The identity and the resource are in different accounts: both the identity's policies and the
   * resource policy must allow the request.
   * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
   */
  readonly crossAccount?: boolean;
}

export interface Statement {
  readonly Sid?: unknown;
  readonly Effect?: unknown;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly Condition?: unknown;
}

/** A statement that applied to the request, and where it is. */
export interface MatchedStatement {
  readonly kind: 'identity' | 'resource' | 'boundary';
  readonly source: string;
  /** Position in the document's Statement list. */
  readonly index: number;
  readonly statement: Statement;
}

export type Decision =
  | { readonly allowed: true; readonly by: readonly MatchedStatement[] }
  | {
      readonly allowed: false;
      /** `explicit-deny`: a Deny applied; `boundary`: only the permission boundary is missing; `implicit-deny`: nothing allows. */
      readonly reason: 'explicit-deny' | 'boundary' | 'implicit-deny' | 'no-resource-policy';
      readonly deniedBy?: MatchedStatement;
    };

/** Evaluate one request against every policy that bears on it (same-account unless `policies.crossAccount`). */
export function evaluate(request: PolicyRequest, policies: PolicySet): Decision {
  const actionLower = request.action.toLowerCase();
  const identity = matching('identity', policies.identity ?? NO_SOURCES, request, actionLower);
  const resource = matching('resource', policies.resource ?? NO_SOURCES, request, actionLower);
  const boundary = policies.boundary === undefined ? undefined : matching('boundary', policies.boundary, request, actionLower);
  const deny = firstDeny(identity) ?? firstDeny(resource) ?? (boundary && firstDeny(boundary));
  if (deny) return { allowed: false, reason: 'explicit-deny', deniedBy: deny };
  const boundaryAllows = boundary === undefined || boundary.some(isAllow);
  const resourceAllows = resource.filter(isAllow);
  const identityAllows = identity.filter(isAllow);
  // A resource policy naming the role is bounded by the role's permission boundary, like its identity policies.
  // Every allowing statement is listed, so a grant is recorded as used even where the resource policy allows too.
  const granted = policies.crossAccount ? resourceAllows.length > 0 && identityAllows.length > 0 : resourceAllows.length > 0 || identityAllows.length > 0;
  if (granted && boundaryAllows) return { allowed: true, by: resourceAllows.length === 0 ? identityAllows : identityAllows.length === 0 ? resourceAllows : [...resourceAllows, ...identityAllows] };
  // Across accounts both sides must allow: say which one did not.
  if (policies.crossAccount && (resourceAllows.length > 0) !== (identityAllows.length > 0)) {
    return { allowed: false, reason: identityAllows.length > 0 ? 'no-resource-policy' : 'implicit-deny' };
  }
  return { allowed: false, reason: identityAllows.length > 0 || resourceAllows.length > 0 ? 'boundary' : 'implicit-deny' };
}

const NO_SOURCES: readonly PolicySource[] = [];
const isAllow = (m: MatchedStatement): boolean => m.statement.Effect === 'Allow';

function firstDeny(list: readonly MatchedStatement[]): MatchedStatement | undefined {
  for (const m of list) if (m.statement.Effect === 'Deny') return m;
  return undefined;
}

/**
 * Whether resource policy documents (objects or JSON text) allow the
 * request: an explicit Deny in any document overrides every Allow. The
 * same answer as `evaluate(request, { resource })`, without building the
 * matched statements nobody reads (Lambda and SNS ask it for every
 * delivery).
 */
export function isAllowed(policyDocs: readonly unknown[], request: PolicyRequest): boolean {
  const actionLower = request.action.toLowerCase();
  let allowed = false;
  for (const document of policyDocs) {
    for (const s of compiledStatements(document)) {
      if (!applies(s, request, actionLower, true)) continue;
      if (s.statement.Effect === 'Deny') return false;
      if (s.statement.Effect === 'Allow') allowed = true;
    }
  }
  return allowed;
}

function matching(kind: MatchedStatement['kind'], sources: readonly PolicySource[], request: PolicyRequest, actionLower: string): MatchedStatement[] {
  const out: MatchedStatement[] = [];
  for (const { label, document } of sources) {
    for (const s of compiledStatements(document)) {
      if (applies(s, request, actionLower, kind === 'resource')) out.push({ kind, source: label, index: s.index, statement: s.statement });
    }
  }
  return out;
}

/** The statements of a policy document given as an object or JSON text. */
export function statementsOf(doc: unknown): Statement[] {
  let parsed = doc;
  if (typeof doc === 'string') {
    try {
      parsed = JSON.parse(doc);
    } catch {
      return [];
    }
  }
  if (typeof parsed !== 'object' || parsed === null) return [];
  const statement = (parsed as { Statement?: unknown }).Statement;
  const list = Array.isArray(statement) ? statement : statement === undefined ? [] : [statement];
  return list.filter((s): s is Statement => typeof s === 'object' && s !== null);
}

/** Whether a statement's Action / NotAction covers an action (IAM actions are case-insensitive). */
export function actionMatches(s: Statement, action: string): boolean {
  if (s.Action !== undefined) return list(s.Action).some((a) => wildcardMatch(a, action, true));
  if (s.NotAction !== undefined) return !list(s.NotAction).some((a) => wildcardMatch(a, action, true));
  return false;
}

/**
 * A statement with its elements read once: lists of patterns, principals
 * and condition tests. Evaluating the raw statement re-listed every element
 * and rebuilt the request's lower-cased condition keys for each statement
 * of each decision (several per pipeline event); compiled, a decision
 * allocates only the statements that apply.
 */
interface CompiledStatement {
  readonly statement: Statement;
  /** Position in the document's Statement list. */
  readonly index: number;
  /** Undefined when the statement has no Principal (NotPrincipal). */
  readonly principal: PrincipalMatcher | undefined;
  readonly notPrincipal: PrincipalMatcher | undefined;
  /** Action's patterns; else NotAction's; neither: the statement covers no action. */
  readonly actions: readonly Wildcard[] | undefined;
  readonly notActions: readonly Wildcard[] | undefined;
  readonly resources: readonly Wildcard[] | undefined;
  readonly notResources: readonly Wildcard[] | undefined;
  /** Undefined: no Condition; false: a Condition that can never hold (malformed, or an unknown operator). */
  readonly conditions: readonly ConditionTest[] | undefined | false;
}

/** An IAM wildcard pattern, ready to match. */
interface Wildcard {
  readonly pattern: string;
  readonly lower: string;
  /** Undefined for `*` and for a literal. */
  readonly regex: RegExp | undefined;
  readonly any: boolean;
}

interface PrincipalMatcher {
  readonly any: boolean;
  readonly never: boolean;
  readonly services: readonly string[];
  readonly aws: readonly string[];
  readonly awsAny: boolean;
}

type ConditionTest =
  | { readonly kind: 'null'; readonly key: string; readonly wantMissing: boolean }
  | { readonly kind: 'operator'; readonly key: string; readonly operator: { test: Operator; negated: boolean }; readonly ifExists: boolean; readonly expected: readonly string[] };

/** Statements compiled per document object; documents come from the template (or an authorizer's answer) and are not changed once evaluated. */
const compiledByDocument = new WeakMap<object, readonly CompiledStatement[]>();
/** Documents given as JSON text, by their text (bounded: a hot reload or an authorizer may bring new ones). */
const MAX_TEXT_DOCUMENTS = 256;
const compiledByText = new BoundedMemo<string, readonly CompiledStatement[]>(MAX_TEXT_DOCUMENTS);

function compiledStatements(document: unknown): readonly CompiledStatement[] {
  if (typeof document === 'string') {
    return compiledByText.get(document) ?? compiledByText.set(document, statementsWithIndex(document).map(compileStatement));
  }
  if (typeof document !== 'object' || document === null) return [];
  let found = compiledByDocument.get(document);
  if (!found) {
    found = statementsWithIndex(document).map(compileStatement);
    compiledByDocument.set(document, found);
  }
  return found;
}

/** The statements of a document with their positions (as `statementsOf` lists them, so positions count its statements only). */
function statementsWithIndex(document: unknown): [Statement, number][] {
  return statementsOf(document).map((s, i) => [s, i]);
}

function compileStatement([s, index]: [Statement, number]): CompiledStatement {
  return {
    statement: s,
    index,
    principal: s.Principal === undefined ? undefined : compilePrincipal(s.Principal),
    notPrincipal: s.NotPrincipal === undefined ? undefined : compilePrincipal(s.NotPrincipal),
    actions: s.Action !== undefined ? compileWildcards(s.Action, true) : undefined,
    notActions: s.Action === undefined && s.NotAction !== undefined ? compileWildcards(s.NotAction, true) : undefined,
    resources: s.Resource !== undefined ? compileWildcards(s.Resource, false) : undefined,
    notResources: s.NotResource !== undefined ? compileWildcards(s.NotResource, false) : undefined,
    conditions: compileConditions(s.Condition),
  };
}

function compileWildcards(value: unknown, ignoreCase: boolean): Wildcard[] {
  return list(value).map((pattern) => {
    const literal = !pattern.includes('*') && !pattern.includes('?');
    return { pattern, lower: pattern.toLowerCase(), any: pattern === '*', regex: pattern === '*' || literal ? undefined : wildcardRegex(pattern, ignoreCase) };
  });
}

function compilePrincipal(principal: unknown): PrincipalMatcher {
  if (principal === '*') return { any: true, never: false, services: [], aws: [], awsAny: false };
  if (typeof principal !== 'object' || principal === null) return { any: false, never: true, services: [], aws: [], awsAny: false };
  const p = principal as Record<string, unknown>;
  const aws = list(p.AWS);
  return { any: false, never: false, services: list(p.Service), aws, awsAny: aws.includes('*') };
}

function compileConditions(condition: unknown): readonly ConditionTest[] | undefined | false {
  if (condition === undefined) return undefined;
  if (typeof condition !== 'object' || condition === null) return false;
  const tests: ConditionTest[] = [];
  // Every test must hold, so one that never can makes the whole Condition false.
  for (const [rawOperator, block] of Object.entries(condition as Record<string, unknown>)) {
    if (typeof block !== 'object' || block === null) return false;
    const { name, ifExists } = operatorName(rawOperator);
    for (const [key, expected] of Object.entries(block as Record<string, unknown>)) {
      if (name === 'null') {
        tests.push({ kind: 'null', key: key.toLowerCase(), wantMissing: list(expected).some((e) => e.toLowerCase() === 'true') });
        continue;
      }
      const operator = Object.hasOwn(OPERATORS, name) ? OPERATORS[name] : undefined;
      // An operator we do not know cannot be shown to hold.
      if (!operator) return false;
      tests.push({ kind: 'operator', key: key.toLowerCase(), operator, ifExists, expected: list(expected) });
    }
  }
  return tests;
}

function applies(s: CompiledStatement, request: PolicyRequest, actionLower: string, resourcePolicy: boolean): boolean {
  if (resourcePolicy) {
    if (s.principal !== undefined && !principalMatches(s.principal, request.principal)) return false;
    if (s.notPrincipal !== undefined && principalMatches(s.notPrincipal, request.principal)) return false;
    if (s.principal === undefined && s.notPrincipal === undefined) return false;
  }
  if (s.actions !== undefined) {
    if (!anyAction(s.actions, request.action, actionLower)) return false;
  } else if (s.notActions !== undefined) {
    if (anyAction(s.notActions, request.action, actionLower)) return false;
  } else {
    return false;
  }
  // An identity policy statement without Resource is invalid on AWS; a resource policy's Resource defaults to the resource.
  if (s.resources === undefined && s.notResources === undefined && !resourcePolicy) return false;
  if (s.resources !== undefined && !anyResource(s.resources, request.resource)) return false;
  if (s.notResources !== undefined && anyResource(s.notResources, request.resource)) return false;
  return s.conditions === undefined || (s.conditions !== false && conditionsHold(s.conditions, request.context));
}

/** Actions match case-insensitively (`lower` against the request's lower-cased action). */
function anyAction(patterns: readonly Wildcard[], action: string, actionLower: string): boolean {
  for (const w of patterns) {
    if (w.any) return true;
    if (w.regex === undefined ? w.pattern.length === action.length && w.lower === actionLower : w.regex.test(action)) return true;
  }
  return false;
}

function anyResource(patterns: readonly Wildcard[], resource: string): boolean {
  for (const w of patterns) {
    if (w.any) return true;
    if (w.regex === undefined ? w.pattern === resource : w.regex.test(resource)) return true;
  }
  return false;
}

function principalMatches(p: PrincipalMatcher, who: PolicyRequest['principal']): boolean {
  if (p.any) return true;
  if (p.never) return false;
  if (who.service !== undefined && p.services.some((s) => s === who.service || s === '*')) return true;
  if (p.awsAny) return true;
  if (who.aws !== undefined) return p.aws.some((a) => awsPrincipalMatches(a, who.aws!));
  return false;
}

function awsPrincipalMatches(pattern: string, who: string): boolean {
  if (pattern === who) return true;
  const account = /^\d{12}$/.test(who) ? who : /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(who)?.[1];
  // An account id or its root ARN in a policy stands for the whole account.
  const root = /^arn:[^:]+:iam::(\d{12}):root$/.exec(pattern)?.[1];
  if (account !== undefined && (pattern === account || root === account)) return true;
  // A role ARN in a policy also matches that role's sessions (`arn:aws:sts::<acct>:assumed-role/<name>/<session>`).
  const session = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(who);
  return session !== null && new RegExp(`^arn:${session[1]}:iam::${session[2]}:role/(?:.*/)?${escapeRegExp(session[3]!)}$`).test(pattern);
}

type Operator = (policyValue: string, requestValue: string) => boolean;

const numeric = (test: (p: number, v: number) => boolean): Operator => (p, v) => {
  const [a, b] = [Number(p), Number(v)];
  return Number.isFinite(a) && Number.isFinite(b) && test(a, b);
};
const date = (test: (p: number, v: number) => boolean): Operator => (p, v) => {
  const [a, b] = [Date.parse(p), Date.parse(v)];
  return Number.isFinite(a) && Number.isFinite(b) && test(a, b);
};

/** https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html */
const OPERATORS: Record<string, { test: Operator; negated: boolean }> = {
  stringequals: { test: (p, v) => p === v, negated: false },
  stringnotequals: { test: (p, v) => p === v, negated: true },
  stringequalsignorecase: { test: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: false },
  stringnotequalsignorecase: { test: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: true },
  stringlike: { test: (p, v) => wildcardMatch(p, v, false), negated: false },
  stringnotlike: { test: (p, v) => wildcardMatch(p, v, false), negated: true },
  // ArnEquals and ArnLike both honour wildcards on AWS.
  arnequals: { test: (p, v) => wildcardMatch(p, v, false), negated: false },
  arnlike: { test: (p, v) => wildcardMatch(p, v, false), negated: false },
  arnnotequals: { test: (p, v) => wildcardMatch(p, v, false), negated: true },
  arnnotlike: { test: (p, v) => wildcardMatch(p, v, false), negated: true },
  bool: { test: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: false },
  numericequals: { test: numeric((p, v) => v === p), negated: false },
  numericnotequals: { test: numeric((p, v) => v === p), negated: true },
  numericlessthan: { test: numeric((p, v) => v < p), negated: false },
  numericlessthanequals: { test: numeric((p, v) => v <= p), negated: false },
  numericgreaterthan: { test: numeric((p, v) => v > p), negated: false },
  numericgreaterthanequals: { test: numeric((p, v) => v >= p), negated: false },
  dateequals: { test: date((p, v) => v === p), negated: false },
  datenotequals: { test: date((p, v) => v === p), negated: true },
  datelessthan: { test: date((p, v) => v < p), negated: false },
  datelessthanequals: { test: date((p, v) => v <= p), negated: false },
  dategreaterthan: { test: date((p, v) => v > p), negated: false },
  dategreaterthanequals: { test: date((p, v) => v >= p), negated: false },
};

function conditionsHold(tests: readonly ConditionTest[], context: PolicyContext): boolean {
  for (const t of tests) {
    const value = contextValue(context, t.key);
    if (t.kind === 'null') {
      if ((value === undefined) !== t.wantMissing) return false;
      continue;
    }
    if (value === undefined) {
      if (t.ifExists || t.operator.negated) continue;
      return false;
    }
    let anyMatch = false;
    for (const expected of t.expected) {
      if (t.operator.test(expected, value)) {
        anyMatch = true;
        break;
      }
    }
    if (t.operator.negated ? anyMatch : !anyMatch) return false;
  }
  return true;
}

/** A request's condition key, looked up case-insensitively (the last of keys differing only in case wins). */
function contextValue(context: PolicyContext, lowerKey: string): string | undefined {
  let value: string | undefined;
  for (const key in context) {
    if (Object.hasOwn(context, key) && lowerCased(key) === lowerKey) value = context[key];
  }
  return value;
}

/** Condition keys come from a small fixed set: lower-case each once (bounded all the same). */
const lowerKeys = new BoundedMemo<string, string>(1024);
function lowerCased(key: string): string {
  return lowerKeys.get(key) ?? lowerKeys.set(key, key.toLowerCase());
}

/** A condition operator without its set qualifier or `IfExists`, lower-cased. */
function operatorName(raw: string): { name: string; ifExists: boolean } {
  // Every key the runtime supplies is single-valued, so the set qualifiers change nothing.
  const name = raw.replace(/^(ForAnyValue|ForAllValues):/i, '').toLowerCase();
  const ifExists = name.endsWith('ifexists');
  return { name: ifExists ? name.slice(0, -'ifexists'.length) : name, ifExists };
}

/** A policy element as a list of strings (`"a"` and `["a"]` alike). */
export function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const values = Array.isArray(value) ? value : [value];
  return values.map((v) => (typeof v === 'string' ? v : typeof v === 'boolean' || typeof v === 'number' ? String(v) : JSON.stringify(v)));
}

/**
 * Compiled wildcard patterns. Policies come from the template, so the set is
 * small and fixed; each send would otherwise recompile the same expressions.
 * Bounded all the same: a Lambda authorizer's policies (or a hot reload) may bring new ones.
 */
const compiled = new BoundedMemo<string, RegExp>(1024);

/** IAM wildcard match: `*` any run of characters, `?` one character. */
export function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  // Every call of a function checks a few statements: most patterns are `*` or a literal ARN or action.
  if (pattern === '*') return true;
  if (!pattern.includes('*') && !pattern.includes('?')) {
    return ignoreCase ? pattern.length === value.length && pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  }
  return wildcardRegex(pattern, ignoreCase).test(value);
}


function wildcardRegex(pattern: string, ignoreCase: boolean): RegExp {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let regex = compiled.get(key);
  if (!regex) {
    const source = pattern
      .split(/([*?])/)
      .map((part) => (part === '*' ? '.*' : part === '?' ? '.' : escapeRegExp(part)))
      .join('');
    regex = compiled.set(key, new RegExp(`^${source}$`, ignoreCase ? 'si' : 's'));
  }
  return regex;
}

/** A part of a policy document this evaluator would silently get wrong. */
export interface UnsupportedPolicyPart {
  /** Path inside the document, e.g. `Statement.0.Condition.ForAllValues:StringEquals`. */
  readonly path: string;
  readonly reason: string;
}

/**
 * The parts of a policy document that {@link evaluate} cannot evaluate
 * faithfully given the condition keys its caller supplies: unknown condition
 * operators and keys. Such a statement would otherwise never apply, so an
 * Allow would deny and, worse, a Deny would allow; callers report these at
 * start-up instead.
 */
export function unsupportedPolicyParts(doc: unknown, knownKeys: readonly string[]): UnsupportedPolicyPart[] {
  const known = new Set(knownKeys.map((k) => k.toLowerCase()));
  const raw = typeof doc === 'object' && doc !== null ? (doc as { Statement?: unknown }).Statement : undefined;
  const statements = Array.isArray(raw) ? raw.map((s, i) => [`Statement.${i}`, s] as const) : raw === undefined ? [] : [['Statement', raw] as const];
  const parts: UnsupportedPolicyPart[] = [];
  for (const [path, statement] of statements) {
    const condition = typeof statement === 'object' && statement !== null ? (statement as Statement).Condition : undefined;
    if (typeof condition !== 'object' || condition === null) continue;
    for (const [operator, block] of Object.entries(condition as Record<string, unknown>)) {
      const { name } = operatorName(operator);
      if (name !== 'null' && !Object.hasOwn(OPERATORS, name)) {
        parts.push({ path: `${path}.Condition.${operator}`, reason: `condition operator ${operator} is not evaluated locally` });
        continue;
      }
      for (const key of typeof block === 'object' && block !== null ? Object.keys(block) : []) {
        if (!known.has(key.toLowerCase())) {
          parts.push({ path: `${path}.Condition.${operator}.${key}`, reason: `condition key ${key} is not known locally` });
        }
      }
    }
  }
  return parts;
}
