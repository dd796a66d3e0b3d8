import { isIP } from 'node:net';
import type { MessageAttributeValue, PatternMatcher } from '../contracts.js';
import { AwsError } from '../protocol/errors.js';

export type FilterPolicyScope = 'MessageAttributes' | 'MessageBody';

/** A subscription's filter policy, validated at load. */
export interface FilterPolicy {
  readonly scope: FilterPolicyScope;
  readonly policy: Readonly<Record<string, unknown>>;
}

/** Why a filter policy is invalid, in SNS's words (after `Invalid parameter: `). */
export class FilterPolicyError extends Error {}

const fail = (reason: string): never => {
  throw new FilterPolicyError(reason);
};

/**
 * Validate a filter policy as SNS does on Subscribe: at most 5 top-level
 * keys, at most 150 value combinations, no nesting in the MessageAttributes
 * scope, non-empty arrays of strings, numbers, booleans, null or one-key
 * operator objects (`prefix`, `suffix`, `equals-ignore-case`, `anything-but`,
 * `numeric`, `exists`, `cidr`) and `$or`. Throws FilterPolicyError.
 */
export function validateFilterPolicy(policy: unknown, scope: FilterPolicyScope): void {
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) fail('FilterPolicy: failed to parse JSON.');
  const record = policy as Record<string, unknown>;
  if (Object.keys(record).length > 5) fail('FilterPolicy: Filter policy can not have more than 5 keys');
  const { rules, combinations } = collectRules(record, scope, 1, 1);
  if (combinations > 150) fail('FilterPolicy: Filter policy is too complex');
  for (const list of rules) for (const rule of list) validateRule(rule);
}

function collectRules(
  policy: Record<string, unknown>,
  scope: FilterPolicyScope,
  depth: number,
  combinations: number,
): { rules: unknown[][]; combinations: number } {
  const rules: unknown[][] = [];
  for (const [key, value] of Object.entries(policy)) {
    if (Array.isArray(value)) {
      if (value.length === 0) fail('FilterPolicy: Empty arrays are not allowed');
      if (key === '$or') {
        let sum = 0;
        for (const branch of value) {
          if (typeof branch !== 'object' || branch === null || Array.isArray(branch)) fail('FilterPolicy: "$or" must be an object or an array');
          const inner = collectRules(branch as Record<string, unknown>, scope, depth, combinations);
          rules.push(...inner.rules);
          sum += inner.combinations;
        }
        combinations = sum;
      } else {
        rules.push(value);
        combinations = combinations * value.length * depth;
      }
    } else if (typeof value === 'object' && value !== null) {
      if (scope === 'MessageAttributes') fail('Filter policy scope MessageAttributes does not support nested filter policy');
      const inner = collectRules(value as Record<string, unknown>, scope, depth + 1, combinations);
      rules.push(...inner.rules);
      combinations = inner.combinations;
    } else {
      fail(`FilterPolicy: "${key}" must be an object or an array`);
    }
  }
  return { rules, combinations };
}

function validateRule(rule: unknown): void {
  if (rule === null || typeof rule === 'string' || typeof rule === 'boolean' || typeof rule === 'number') return;
  if (typeof rule !== 'object' || Array.isArray(rule)) fail('FilterPolicy: Match value must be String, number, true, false, or null');
  const entries = Object.entries(rule as Record<string, unknown>);
  if (entries.length !== 1) fail('FilterPolicy: Only one key allowed in match expression');
  const [operator, value] = entries[0]!;
  switch (operator) {
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
      if (typeof value !== 'string') fail(`FilterPolicy: ${operator} match pattern must be a string`);
      return;
    case 'anything-but':
      validateAnythingBut(value);
      return;
    case 'exists':
      if (typeof value !== 'boolean') fail('FilterPolicy: exists match pattern must be either true or false.');
      return;
    case 'numeric':
      validateNumeric(value);
      return;
    case 'cidr':
      validateCidr(value);
      return;
    default:
      fail(`FilterPolicy: Unrecognized match type ${operator}`);
  }
}

function validateAnythingBut(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item !== 'string' && typeof item !== 'number') fail('FilterPolicy: Inside anything but list, start|null|boolean is not supported.');
    }
    return;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>);
    for (const [inner, operand] of entries) {
      if (inner !== 'prefix' && inner !== 'suffix') fail(`FilterPolicy: Unsupported anything-but pattern: ${inner}`);
      if (typeof operand !== 'string') fail(`FilterPolicy: ${inner} match pattern must be a string`);
    }
    return;
  }
  if (typeof value !== 'string' && typeof value !== 'number') fail('FilterPolicy: Inside anything but list, start|null|boolean is not supported.');
}

function validateNumeric(value: unknown): void {
  if (!Array.isArray(value) || value.length === 0) fail('FilterPolicy: Invalid member in numeric match: ]');
  const terms = value as unknown[];
  const [op1, v1, op2, v2, ...rest] = terms;
  if (typeof op1 !== 'string') fail(`FilterPolicy: Invalid member in numeric match: ${String(op1)}`);
  if (!['<', '<=', '=', '>', '>='].includes(op1 as string)) fail(`FilterPolicy: Unrecognized numeric range operator: ${String(op1)}`);
  if (typeof v1 !== 'number') fail(`FilterPolicy: Value of ${op1 === '=' ? 'equals' : String(op1)} must be numeric`);
  if (terms.length === 2) return;
  if (op1 !== '>' && op1 !== '>=') fail('FilterPolicy: Too many elements in numeric expression');
  if (typeof op2 !== 'string') fail(`FilterPolicy: Bad value in numeric range: ${String(op2)}`);
  if (op2 !== '<' && op2 !== '<=') fail(`FilterPolicy: Bad numeric range operator: ${String(op2)}`);
  if (typeof v2 !== 'number') fail(`FilterPolicy: Value of ${String(op2)} must be numeric`);
  if ((v2 as number) <= (v1 as number)) fail('FilterPolicy: Bottom must be less than top');
  if (rest.length > 0) fail('FilterPolicy: Too many terms in numeric range expression');
}

function validateCidr(value: unknown): void {
  if (typeof value !== 'string') fail('FilterPolicy: prefix match pattern must be a string');
  const parts = (value as string).split('/');
  if (parts.length !== 2) fail("FilterPolicy: Malformed CIDR, one '/' required");
  const [ip, mask] = parts as [string, string];
  if (!/^\d+$/.test(mask)) fail('FilterPolicy: Malformed CIDR, mask bits must be an integer');
  const family = isIP(ip);
  if (family === 0 || Number(mask) > (family === 4 ? 32 : 128)) fail(`FilterPolicy: Nonstandard IP address: ${ip}`);
}

const SHARED_GRAMMAR_ERROR = 'InvalidEventPatternException';

/**
 * SNS's error for a policy the shared EventBridge matcher refused. SNS and
 * EventBridge run the same rule compiler, so the reason after EventBridge's
 * "Reason: " is what SNS says after "Invalid parameter: FilterPolicy: ".
 * Other errors are returned unchanged.
 */
export function asFilterPolicyError(error: unknown): unknown {
  if (!(error instanceof AwsError) || error.code !== SHARED_GRAMMAR_ERROR) return error;
  const at = error.message.indexOf('Reason: ');
  const reasonAndLocation = at >= 0 ? error.message.slice(at + 'Reason: '.length) : error.message;
  // EventBridge's parser-location suffix ("\n at [Source: ...]") is its own; SNS's message keeps the reason only.
  const reason = reasonAndLocation.split('\n at [Source: ')[0]!;
  return new AwsError('InvalidParameter', `Invalid parameter: FilterPolicy: ${reason}`, 400);
}

/**
 * The document a MessageAttributes-scope policy is matched against:
 * `{name: value}` where a Number is a JSON number, a String.Array its array
 * (EventBridge matching then tests each element), a String its text.
 * Binary attributes cannot be filtered on and are left out.
 */
export function attributesDocument(attributes: Readonly<Record<string, MessageAttributeValue>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    const value = attribute.StringValue;
    if (attribute.BinaryValue || value === undefined) continue;
    if (attribute.DataType.startsWith('Number')) {
      out[name] = Number(value);
    } else if (attribute.DataType === 'String.Array') {
      try {
        out[name] = JSON.parse(value);
      } catch {
        out[name] = value;
      }
    } else {
      out[name] = value;
    }
  }
  return out;
}

/**
 * Whether a message passes a subscription's filter policy. The body scope
 * needs a JSON object body: anything else never matches, as on AWS.
 */
export function passesFilter(
  filter: FilterPolicy,
  body: string,
  attributes: Readonly<Record<string, MessageAttributeValue>>,
  matcher: PatternMatcher,
): boolean {
  if (filter.scope === 'MessageAttributes') return matcher(filter.policy, attributesDocument(attributes));
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return false;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return false;
  return matcher(filter.policy, parsed);
}
