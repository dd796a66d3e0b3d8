import type { InvokeCaller } from '../contracts.js';
import type { StackResource } from '../cloudformation/types.js';
import { AwsError, UnsupportedTemplateError } from '../protocol/errors.js';

/** One statement of an AWS::SNS::TopicPolicy, reduced to what Publish needs. */
export interface PolicyStatement {
  readonly effect: 'Allow' | 'Deny';
  /** `*`, service principals (`events.amazonaws.com`) and AWS principals (ARNs, account ids). */
  readonly principals: readonly string[];
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions: readonly PolicyCondition[];
}

/** One `Operator: {key: values}` test of a statement's Condition block. */
export interface PolicyCondition {
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
}

const CONDITION_OPERATORS = new Set(['ArnEquals', 'ArnLike', 'StringEquals', 'StringLike', 'Bool']);
const CONDITION_KEYS = new Set(['aws:sourcearn', 'aws:sourceaccount', 'aws:sourceowner', 'aws:securetransport']);

/** `*` any run of characters, `?` any one character, as IAM's wildcards. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

const list = (value: unknown): string[] => (value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)]);

/** Read an AWS::SNS::TopicPolicy: the topics it covers and its statements. */
export function readTopicPolicy(resource: StackResource): { topics: string[]; statements: PolicyStatement[] } {
  const id = resource.logicalId;
  const p = resource.properties;
  for (const key of Object.keys(p)) {
    if (key !== 'PolicyDocument' && key !== 'Topics') {
      throw new UnsupportedTemplateError(id, `Properties.${key}`, 'unknown AWS::SNS::TopicPolicy property');
    }
  }
  const topics = list(p['Topics']);
  if (topics.length === 0) throw new UnsupportedTemplateError(id, 'Properties.Topics', 'required: at least one topic ARN');
  const document = p['PolicyDocument'];
  if (typeof document !== 'object' || document === null) {
    throw new UnsupportedTemplateError(id, 'Properties.PolicyDocument', 'required: a policy document object');
  }
  const statement = (document as Record<string, unknown>)['Statement'];
  const rawStatements: unknown[] = statement === undefined ? [] : Array.isArray(statement) ? statement : [statement];
  const statements = rawStatements.map((raw, index) => readStatement(id, index, raw));
  return { topics, statements };
}

function readStatement(id: string, index: number, raw: unknown): PolicyStatement {
  const path = `Properties.PolicyDocument.Statement.${index}`;
  if (typeof raw !== 'object' || raw === null) throw new UnsupportedTemplateError(id, path, 'a statement must be an object');
  const s = raw as Record<string, unknown>;
  for (const key of ['NotAction', 'NotPrincipal', 'NotResource']) {
    if (s[key] !== undefined) throw new UnsupportedTemplateError(id, `${path}.${key}`, `${key} is not evaluated locally`);
  }
  const effect = s['Effect'];
  if (effect !== 'Allow' && effect !== 'Deny') throw new UnsupportedTemplateError(id, `${path}.Effect`, 'must be Allow or Deny');
  const conditions: PolicyCondition[] = [];
  const rawConditions = s['Condition'];
  if (rawConditions !== undefined) {
    if (typeof rawConditions !== 'object' || rawConditions === null) throw new UnsupportedTemplateError(id, `${path}.Condition`, 'must be an object');
    for (const [operator, block] of Object.entries(rawConditions as Record<string, unknown>)) {
      if (!CONDITION_OPERATORS.has(operator)) {
        throw new UnsupportedTemplateError(id, `${path}.Condition.${operator}`, `condition operator ${operator} is not evaluated locally`);
      }
      for (const [key, values] of Object.entries((block ?? {}) as Record<string, unknown>)) {
        if (!CONDITION_KEYS.has(key.toLowerCase())) {
          throw new UnsupportedTemplateError(id, `${path}.Condition.${operator}.${key}`, `condition key ${key} is not evaluated locally`);
        }
        conditions.push({ operator, key: key.toLowerCase(), values: list(values) });
      }
    }
  }
  return { effect, principals: readPrincipals(s['Principal']), actions: list(s['Action']), resources: list(s['Resource']), conditions };
}

function readPrincipals(principal: unknown): string[] {
  if (principal === '*') return ['*'];
  if (typeof principal !== 'object' || principal === null) return [];
  const p = principal as Record<string, unknown>;
  return [...list(p['AWS']), ...list(p['Service'])];
}

function conditionHolds(condition: PolicyCondition, caller: InvokeCaller): boolean {
  if (condition.key === 'aws:securetransport') {
    // The local endpoint stands in for AWS's HTTPS one: every call counts as secure.
    return condition.values.some((v) => v.toLowerCase() === 'true');
  }
  const actual =
    condition.key === 'aws:sourcearn' ? caller.sourceArn : (caller.sourceAccount ?? caller.sourceArn?.split(':')[4]);
  if (actual === undefined) return false;
  const like = condition.operator === 'ArnLike' || condition.operator === 'StringLike';
  return condition.values.some((v) => (like ? wildcardMatch(v, actual) : v === actual));
}

function applies(statement: PolicyStatement, caller: InvokeCaller, topicArn: string): boolean {
  const principalOk = statement.principals.some((p) => p === '*' || p === caller.principal);
  const actionOk = statement.actions.some((a) => wildcardMatch(a, 'sns:Publish', true));
  const resourceOk = statement.resources.length === 0 || statement.resources.some((r) => wildcardMatch(r, topicArn));
  return principalOk && actionOk && resourceOk && statement.conditions.every((c) => conditionHolds(c, caller));
}

/**
 * Check a service principal's Publish against the topic's policy (the
 * default policy, without a TopicPolicy, admits only the owning account).
 * IAM callers pass: the local runtime holds no identity to check.
 */
export function checkPublishPermission(statements: readonly PolicyStatement[], caller: InvokeCaller | undefined, topicArn: string): void {
  if (!caller?.principal) return;
  const relevant = statements.filter((s) => applies(s, caller, topicArn));
  if (relevant.some((s) => s.effect === 'Allow') && !relevant.some((s) => s.effect === 'Deny')) return;
  throw new AwsError('AuthorizationError', `User: ${caller.principal} is not authorized to perform: SNS:Publish on resource: ${topicArn}`, 403);
}
