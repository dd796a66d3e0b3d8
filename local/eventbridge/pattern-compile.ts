/**
 * Validation and compilation of EventBridge event patterns. The walk follows
 * the order and wording of EventBridge's own rule compiler, so the first
 * problem in document order is the one reported, with AWS's message text.
 * The output is a list of alternative rules ($or expands to several), each
 * a list of fields that must all match.
 *
 * AWS reads the pattern with a streaming JSON parser and appends the parser's
 * position to most messages (`at [Source: ...; line: 1, column: N]`). This
 * walk works on a parsed tree, so each refusal names the offset the
 * streaming parser would stand at when it refuses: see {@link tokenEnd}.
 */
import { cidrContains, CidrError, parseCidr, parseIp, type CidrBlock } from './cidr.js';
import { compilePath, type Leaf, type PathNode } from './event-paths.js';
import type { JsonNode } from './json-text.js';
import { compileWildcard, RuleTooComplexError, WildcardError } from './wildcard.js';

/**
 * A pattern problem; the message is the part after "Reason: ". `offset` is
 * the parser's position for the location suffix (none for the problems AWS
 * reports without one); `repeated` when AWS re-wraps the error and so prints
 * the location twice (refusals inside an anything-but list).
 */
export class PatternError extends Error {
  constructor(
    message: string,
    readonly offset?: number,
    readonly repeated = false,
  ) {
    super(message);
  }
}

/** A test of one leaf value. */
export type ValueTest = (value: Leaf) => boolean;

/** One field of a rule: matches when any value passes any test, or when absent and `matchesAbsent`. */
export interface CompiledField {
  readonly path: PathNode;
  /** The field's match values as the pattern wrote them, for explaining a non-match. */
  readonly expected: readonly unknown[];
  readonly tests: readonly ValueTest[];
  readonly matchesAbsent: boolean;
}

/** One alternative of a pattern: every field must match. */
export type CompiledRule = readonly CompiledField[];

interface FieldSpec {
  readonly tests: ValueTest[];
  readonly expected: unknown[];
  matchesAbsent: boolean;
}

type RuleDraft = Map<string, FieldSpec>;

const OR = '$or';
const RESERVED_IN_OR = new Set([
  'anything-but',
  'exists',
  'numeric',
  'prefix',
  'suffix',
  'cidr',
  'equals-ignore-case',
  'wildcard',
]);

function fail(message: string, offset?: number, repeated = false): never {
  throw new PatternError(message, offset, repeated);
}

/**
 * Where the streaming parser stands once it has handed out `node`'s first
 * token: past an opening bracket, past a string's opening quote (string text
 * is read lazily, only when asked for), past a whole number or literal. After
 * a field name the parser has already taken its value's first token, so this
 * is also the position right after a field name. A string's text, once read,
 * and a closed container leave the parser at `node.end`.
 */
function tokenEnd(node: JsonNode): number {
  return node.kind === 'object' || node.kind === 'array' || node.kind === 'string' ? node.start + 1 : node.end;
}

/** The position after the field name that follows an expression's first member (the "one key only" checks). */
function secondKeyAt(node: Extract<JsonNode, { kind: 'object' }>): number | undefined {
  const second = node.entries[1];
  return second ? tokenEnd(second[1]) : undefined;
}

/** Compile a parsed pattern document into alternative rules. */
export function compileRules(root: JsonNode): CompiledRule[] {
  if (root.kind !== 'object') fail('Filter is not an object', tokenEnd(root));
  const rules: RuleDraft[] = [];
  parseObject(rules, [], root, false);
  return rules.map((rule) =>
    [...rule].map(([path, spec]) => ({
      path: compilePath(path),
      expected: spec.expected,
      tests: spec.tests,
      matchesAbsent: spec.matchesAbsent,
    })),
  );
}

function parseObject(
  rules: RuleDraft[],
  path: readonly string[],
  node: Extract<JsonNode, { kind: 'object' }>,
  insideOr: boolean,
): void {
  if (node.entries.length === 0) fail('Empty objects are not allowed', node.end);
  for (const [name, value] of node.entries) {
    if (name === OR) {
      parseOr(rules, path, value);
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(name)) {
      fail(`${name} is Ruler reserved fieldName which cannot be used inside ${OR}.`, tokenEnd(value));
    }
    if (value.kind === 'object') parseObject(rules, [...path, name], value, insideOr);
    else if (value.kind === 'array') writeField(rules, [...path, name].join('.'), value);
    else fail(`"${name}" must be an object or an array`, tokenEnd(value));
  }
}

function parseOr(rules: RuleDraft[], path: readonly string[], value: JsonNode): void {
  const before = rules.map((rule) => new Map(rule));
  rules.length = 0;
  if (value.kind !== 'array') fail(`It must be an Array followed with ${OR}.`, tokenEnd(value));
  for (const item of value.items) {
    if (item.kind !== 'object') fail(`Only JSON object is allowed in array of ${OR} relationship.`, tokenEnd(item));
    const branch = before.map((rule) => new Map(rule));
    if (branch.length === 0) branch.push(new Map());
    parseObject(branch, path, item, true);
    rules.push(...branch);
  }
  if (value.items.length < 2) fail(`There must have at least 2 Objects in ${OR} relationship.`, value.end);
}

function writeField(rules: RuleDraft[], name: string, list: Extract<JsonNode, { kind: 'array' }>): void {
  const spec: FieldSpec = { tests: [], expected: list.items.map(plainValue), matchesAbsent: false };
  for (const item of list.items) {
    switch (item.kind) {
      case 'object':
        matchExpression(item, spec);
        break;
      case 'array':
        fail('Match value must be String, number, true, false, or null', tokenEnd(item));
      default:
        spec.tests.push(exactTest(item));
    }
  }
  if (list.items.length === 0) fail('Empty arrays are not allowed', list.end);
  if (rules.length === 0) rules.push(new Map());
  for (const rule of rules) rule.set(name, spec);
}

/** A parsed pattern value back as plain JSON. */
function plainValue(node: JsonNode): unknown {
  switch (node.kind) {
    case 'object':
      return Object.fromEntries(node.entries.map(([k, v]) => [k, plainValue(v)]));
    case 'array':
      return node.items.map(plainValue);
    case 'null':
      return null;
    default:
      return node.value;
  }
}

function exactTest(item: Exclude<JsonNode, { kind: 'object' | 'array' }>): ValueTest {
  switch (item.kind) {
    case 'string': {
      const s = item.value;
      const ip = parseIp(s);
      if (ip) {
        // EventBridge turns an address into a one-address range, so equivalent spellings match.
        const block = { bytes: ip, bits: ip.length * 8 };
        return (v) => typeof v === 'string' && (v === s || inBlock(block, v));
      }
      return (v) => v === s;
    }
    case 'number': {
      const n = item.value;
      return (v) => v === n;
    }
    case 'boolean': {
      const b = item.value;
      return (v) => v === b;
    }
    case 'null':
      return (v) => v === null;
  }
}

/** Whether `value` is an address inside `block`. */
function inBlock(block: CidrBlock, value: string): boolean {
  const ip = parseIp(value);
  return ip !== undefined && cidrContains(block, ip);
}

function onlyKey(node: Extract<JsonNode, { kind: 'object' }>, message = 'Only one key allowed in match expression'): void {
  if (node.entries.length > 1) fail(message, secondKeyAt(node));
}

function matchExpression(node: Extract<JsonNode, { kind: 'object' }>, spec: FieldSpec): void {
  const first = node.entries[0];
  if (!first) fail('Match expression name not found', node.end);
  const [op, arg] = first;
  switch (op) {
    case 'prefix':
    case 'suffix': {
      spec.tests.push(affixTest(op, arg));
      onlyKey(node);
      return;
    }
    case 'equals-ignore-case': {
      if (arg.kind !== 'string') fail('equals-ignore-case match pattern must be a string', tokenEnd(arg));
      onlyKey(node);
      const lower = arg.value.toLowerCase();
      spec.tests.push((v) => typeof v === 'string' && v.toLowerCase() === lower);
      return;
    }
    case 'wildcard': {
      if (arg.kind !== 'string') fail('wildcard match pattern must be a string', tokenEnd(arg));
      const test = wildcard(arg.value, arg.end);
      onlyKey(node);
      spec.tests.push((v) => typeof v === 'string' && test(v));
      return;
    }
    case 'numeric': {
      if (arg.kind !== 'array') fail('Value of numeric must be an array.', tokenEnd(arg));
      const test = numericTest(arg);
      onlyKey(node, 'Too many elements in numeric expression');
      spec.tests.push(test);
      return;
    }
    case 'cidr': {
      if (arg.kind !== 'string') fail('prefix match pattern must be a string', tokenEnd(arg));
      let block;
      try {
        block = parseCidr(arg.value);
      } catch (error) {
        // AWS reports CIDR problems without a parser location.
        if (error instanceof CidrError) fail(error.message);
        throw error;
      }
      onlyKey(node);
      spec.tests.push((v) => typeof v === 'string' && inBlock(block, v));
      return;
    }
    case 'exists': {
      if (arg.kind !== 'boolean') fail('exists match pattern must be either true or false.', tokenEnd(arg));
      onlyKey(node);
      if (arg.value) spec.tests.push(() => true);
      else spec.matchesAbsent = true;
      return;
    }
    case 'anything-but': {
      spec.tests.push(anythingBut(arg));
      onlyKey(node, 'Too many elements in numeric expression');
      return;
    }
    default:
      fail(`Unrecognized match type ${op}`, tokenEnd(arg));
  }
}

/** Compile a wildcard operand; a syntax problem is reported at `offset`, a too complex one (found later, by AWS's rule machine) without a location. */
function wildcard(pattern: string, offset: number, repeated = false): (value: string) => boolean {
  try {
    return compileWildcard(pattern);
  } catch (error) {
    if (error instanceof RuleTooComplexError) fail(error.message);
    if (error instanceof WildcardError) fail(error.message, offset, repeated);
    throw error;
  }
}

function affixTest(op: 'prefix' | 'suffix', arg: JsonNode): ValueTest {
  if (arg.kind === 'object' && arg.entries.length === 1 && arg.entries[0]![0] === 'equals-ignore-case') {
    const inner = arg.entries[0]![1];
    if (inner.kind !== 'string') fail(`${op} match pattern must be a string`, tokenEnd(inner));
    const lower = inner.value.toLowerCase();
    return op === 'prefix'
      ? (v) => typeof v === 'string' && v.toLowerCase().startsWith(lower)
      : (v) => typeof v === 'string' && v.toLowerCase().endsWith(lower);
  }
  if (arg.kind !== 'string') fail(`${op} match pattern must be a string`, tokenEnd(arg));
  const s = arg.value;
  return op === 'prefix'
    ? (v) => typeof v === 'string' && v.startsWith(s)
    : (v) => typeof v === 'string' && v.endsWith(s);
}

function numberText(node: JsonNode | undefined): string {
  if (!node) return ']';
  switch (node.kind) {
    case 'string':
      return node.value;
    case 'number':
      return node.text;
    case 'boolean':
      return String(node.value);
    case 'null':
      return 'null';
    case 'array':
      return '[';
    case 'object':
      return '{';
  }
}

function numericTest(list: Extract<JsonNode, { kind: 'array' }>): ValueTest {
  const items = list.items;
  const [opNode, valueNode, op2Node, value2Node, extra] = items;
  /** The parser's position once it has handed out `node`, or the closing bracket when the list ran out. */
  const at = (node: JsonNode | undefined) => (node ? tokenEnd(node) : list.end);
  if (opNode?.kind !== 'string') fail(`Invalid member in numeric match: ${numberText(opNode)}`, at(opNode));
  const op = opNode.value;
  const numberAfter = (name: string, node: JsonNode | undefined): number => {
    if (node?.kind !== 'number') fail(`Value of ${name} must be numeric`, at(node));
    return node.value;
  };
  switch (op) {
    case '=': {
      const n = numberAfter('equals', valueNode);
      if (items.length > 2) fail('Too many elements in numeric expression', at(items[2]));
      return (v) => v === n;
    }
    case '<':
    case '<=': {
      const top = numberAfter(op, valueNode);
      if (items.length > 2) fail('Too many elements in numeric expression', at(items[2]));
      return op === '<' ? (v) => typeof v === 'number' && v < top : (v) => typeof v === 'number' && v <= top;
    }
    case '>':
    case '>=': {
      const bottom = numberAfter(op, valueNode);
      const openBottom = op === '>';
      if (items.length === 2) {
        return openBottom ? (v) => typeof v === 'number' && v > bottom : (v) => typeof v === 'number' && v >= bottom;
      }
      if (op2Node?.kind !== 'string') fail(`Bad value in numeric range: ${numberText(op2Node)}`, at(op2Node));
      const op2 = op2Node.value;
      if (op2 !== '<' && op2 !== '<=') fail(`Bad numeric range operator: ${op2}`, op2Node.end);
      const top = numberAfter(op2, value2Node);
      if (extra) fail('Too many terms in numeric range expression', at(extra));
      if (!(bottom < top)) fail('Bottom must be less than top', list.end);
      const openTop = op2 === '<';
      return (v) =>
        typeof v === 'number' && (openBottom ? v > bottom : v >= bottom) && (openTop ? v < top : v <= top);
    }
    default:
      fail(`Unrecognized numeric range operator: ${op}`, at(valueNode));
  }
}

const NOT_SINGLE = 'Value of anything-but must be an array or single string/number value.';
const IGNORE_CASE_TYPES = 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.';

function stringsOf(arg: JsonNode, message: string, allowEmpty: boolean): string[] {
  if (arg.kind === 'object') fail(NOT_SINGLE, tokenEnd(arg));
  if (arg.kind !== 'array') {
    if (arg.kind !== 'string') fail(message, tokenEnd(arg));
    if (!allowEmpty && arg.value === '') fail('Null prefix/suffix not allowed', arg.end);
    return [arg.value];
  }
  return arg.items.map((item) => {
    if (item.kind !== 'string') fail(message, tokenEnd(item), true);
    if (!allowEmpty && item.value === '') fail('Null prefix/suffix not allowed', item.end, true);
    return item.value;
  });
}

function anythingBut(arg: JsonNode): ValueTest {
  if (arg.kind === 'object') {
    const first = arg.entries[0];
    if (!first) fail('Anything-But expression name not found', arg.end);
    const [op, inner] = first;
    if (arg.entries.length > 1) fail('Only one key allowed in match expression', secondKeyAt(arg));
    switch (op) {
      case 'prefix': {
        const prefixes = stringsOf(inner, 'prefix/suffix match pattern must be a string', false);
        return (v) => !(typeof v === 'string' && prefixes.some((p) => v.startsWith(p)));
      }
      case 'suffix': {
        const suffixes = stringsOf(inner, 'prefix/suffix match pattern must be a string', false);
        return (v) => !(typeof v === 'string' && suffixes.some((p) => v.endsWith(p)));
      }
      case 'wildcard': {
        // AWS checks the wildcards' syntax once the whole operand is read.
        const tests = stringsOf(inner, 'wildcard match pattern must be a string', true).map((p) => wildcard(p, inner.end));
        return (v) => !(typeof v === 'string' && tests.some((t) => t(v)));
      }
      case 'equals-ignore-case': {
        if (inner.kind === 'object') fail(NOT_SINGLE, tokenEnd(inner));
        const values = new Set(stringsOf(inner, IGNORE_CASE_TYPES, true).map((s) => s.toLowerCase()));
        return (v) => !(typeof v === 'string' && values.has(v.toLowerCase()));
      }
      default:
        fail(`Unsupported anything-but pattern: ${op}`, tokenEnd(inner));
    }
  }
  if (arg.kind === 'string') {
    const s = arg.value;
    return (v) => v !== s;
  }
  if (arg.kind === 'number') {
    const n = arg.value;
    return (v) => v !== n;
  }
  if (arg.kind !== 'array') fail(NOT_SINGLE, tokenEnd(arg));
  const strings = new Set<string>();
  const numbers = new Set<number>();
  for (const item of arg.items) {
    if (item.kind === 'string') strings.add(item.value);
    else if (item.kind === 'number') numbers.add(item.value);
    else fail('Inside anything but list, start|null|boolean is not supported.', tokenEnd(item), true);
  }
  if ((strings.size > 0) === (numbers.size > 0)) {
    fail('Inside anything but list, either all values are number or string, mixed type is not supported', arg.end);
  }
  return strings.size > 0
    ? (v) => !(typeof v === 'string' && strings.has(v))
    : (v) => !(typeof v === 'number' && numbers.has(v));
}
