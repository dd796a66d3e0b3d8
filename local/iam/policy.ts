/**
 * Evaluation of resource-based policies (SQS QueuePolicy, SNS TopicPolicy,
 * EventBridge bus policy) for one request: an explicit Deny wins, then any
 * Allow, else the implicit deny.
 */

/** The condition keys the local runtime knows about a request. */
export interface PolicyContext {
  readonly 'aws:SourceArn'?: string;
  readonly 'aws:SourceAccount'?: string;
  readonly 'aws:SecureTransport'?: 'true' | 'false';
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

interface Statement {
  readonly Effect?: unknown;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly Condition?: unknown;
}

/**
 * Whether the policy documents (objects or JSON text) allow the request. An
 * explicit Deny in any document overrides every Allow.
 */
export function isAllowed(policyDocs: readonly unknown[], request: PolicyRequest): boolean {
  let allowed = false;
  for (const statement of policyDocs.flatMap(statementsOf)) {
    if (!statementApplies(statement, request)) continue;
    if (statement.Effect === 'Deny') return false;
    if (statement.Effect === 'Allow') allowed = true;
  }
  return allowed;
}

/** The statements of a policy document given as an object or JSON text. */
function statementsOf(doc: unknown): Statement[] {
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

function statementApplies(s: Statement, request: PolicyRequest): boolean {
  if (s.Principal !== undefined && !principalMatches(s.Principal, request.principal)) return false;
  if (s.NotPrincipal !== undefined && principalMatches(s.NotPrincipal, request.principal)) return false;
  if (s.Principal === undefined && s.NotPrincipal === undefined) return false;
  if (s.Action !== undefined && !list(s.Action).some((a) => wildcardMatch(a, request.action, true))) return false;
  if (s.NotAction !== undefined && list(s.NotAction).some((a) => wildcardMatch(a, request.action, true))) return false;
  if (s.Action === undefined && s.NotAction === undefined) return false;
  if (s.Resource !== undefined && !list(s.Resource).some((r) => wildcardMatch(r, request.resource, false))) return false;
  if (s.NotResource !== undefined && list(s.NotResource).some((r) => wildcardMatch(r, request.resource, false))) return false;
  return conditionsHold(s.Condition, request.context);
}

function principalMatches(principal: unknown, who: PolicyRequest['principal']): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  const p = principal as Record<string, unknown>;
  if (who.service !== undefined && list(p.Service).some((s) => s === who.service || s === '*')) return true;
  if (list(p.AWS).includes('*')) return true;
  if (who.aws !== undefined) return list(p.AWS).some((a) => awsPrincipalMatches(a, who.aws!));
  return false;
}

function awsPrincipalMatches(pattern: string, who: string): boolean {
  if (pattern === who) return true;
  const account = /^\d{12}$/.test(who) ? who : /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(who)?.[1];
  // An account id or its root ARN in a policy stands for the whole account.
  const root = /^arn:[^:]+:iam::(\d{12}):root$/.exec(pattern)?.[1];
  return account !== undefined && (pattern === account || root === account);
}

type Operator = (policyValue: string, requestValue: string) => boolean;

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
};

function conditionsHold(condition: unknown, context: PolicyContext): boolean {
  if (condition === undefined) return true;
  if (typeof condition !== 'object' || condition === null) return false;
  const byLowerKey = new Map(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v]));
  for (const [rawOperator, block] of Object.entries(condition as Record<string, unknown>)) {
    if (typeof block !== 'object' || block === null) return false;
    const { name, ifExists } = operatorName(rawOperator);
    for (const [key, expected] of Object.entries(block as Record<string, unknown>)) {
      const value = byLowerKey.get(key.toLowerCase());
      if (name === 'null') {
        const wantMissing = list(expected).some((e) => e.toLowerCase() === 'true');
        if ((value === undefined) !== wantMissing) return false;
        continue;
      }
      const operator = Object.hasOwn(OPERATORS, name) ? OPERATORS[name] : undefined;
      // An operator we do not know cannot be shown to hold.
      if (!operator) return false;
      if (value === undefined) {
        if (ifExists || operator.negated) continue;
        return false;
      }
      const anyMatch = list(expected).some((e) => operator.test(e, value));
      if (operator.negated ? anyMatch : !anyMatch) return false;
    }
  }
  return true;
}

/** A condition operator without its set qualifier or `IfExists`, lower-cased. */
function operatorName(raw: string): { name: string; ifExists: boolean } {
  // Every key the runtime supplies is single-valued, so the set qualifiers change nothing.
  const name = raw.replace(/^(ForAnyValue|ForAllValues):/i, '').toLowerCase();
  const ifExists = name.endsWith('ifexists');
  return { name: ifExists ? name.slice(0, -'ifexists'.length) : name, ifExists };
}

function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const values = Array.isArray(value) ? value : [value];
  return values.map((v) => (typeof v === 'string' ? v : typeof v === 'boolean' || typeof v === 'number' ? String(v) : JSON.stringify(v)));
}

/**
 * Compiled wildcard patterns. Policies come from the template, so the set is
 * small and fixed; each send would otherwise recompile the same expressions.
 */
const compiled = new Map<string, RegExp>();

/** IAM wildcard match: `*` any run of characters, `?` one character. */
export function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let regex = compiled.get(key);
  if (!regex) {
    const source = pattern
      .split(/([*?])/)
      .map((part) => (part === '*' ? '.*' : part === '?' ? '.' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    regex = new RegExp(`^${source}$`, ignoreCase ? 'si' : 's');
    compiled.set(key, regex);
  }
  return regex.test(value);
}

/** A part of a policy document this evaluator would silently get wrong. */
export interface UnsupportedPolicyPart {
  /** Path inside the document, e.g. `Statement.0.Condition.NumericLessThan`. */
  readonly path: string;
  readonly reason: string;
}

/**
 * The parts of a policy document that {@link isAllowed} cannot evaluate
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
