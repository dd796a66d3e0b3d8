/**
 * EventBridge content filtering: compile an event pattern once, then test
 * events against it quickly. Shared by rules, archives, TestEventPattern and
 * SNS filter policies (through {@link matchesPattern}).
 */
import type { PatternMatcher } from '../contracts.js';
import { AwsError } from '../protocol/errors.js';
import { collectValues, consistentChoice, emptyScratch, type Leaf, type Membership } from './event-paths.js';
import { jacksonLocation, JsonTextError, parseJsonText, type JsonNode } from './json-text.js';
import { compileRules, PatternError, type CompiledRule } from './pattern-compile.js';
import { BoundedMemo } from '../bounded-memo.js';

/** A validated pattern, ready to test events. */
export interface CompiledPattern {
  /** The pattern as JSON text (as given, or serialised from the object). */
  readonly source: string;
  /** Whether `event` (a parsed JSON object) matches. */
  matches(event: unknown): boolean;
  /** Why `event` does not match: the first pattern field that failed; undefined when it matches. */
  explain(event: unknown): PatternMismatch | undefined;
}

/** The first field of a pattern an event failed, for people reading a trace. */
export interface PatternMismatch {
  /** Dotted path of the pattern field, e.g. `detail.requestContext.condition`. */
  readonly field: string;
  /** The pattern's match values for that field. */
  readonly expected: readonly unknown[];
  /** The event's leaf values at that path; empty when the field is absent. */
  readonly actual: readonly unknown[];
  /** One line: what was expected and what the event had. */
  readonly reason: string;
}

const PREFIX = 'Event pattern is not valid. Reason: ';

/**
 * The error EventBridge answers for a bad pattern: the reason, then (for
 * most reasons) where its JSON parser stood in the pattern text, as AWS's
 * recordings show (test/conformance/eventbridge-patterns, `messageRaw`).
 */
function invalidPattern(reason: string, location = ''): AwsError {
  return new AwsError('InvalidEventPatternException', PREFIX + reason + location, 400);
}

/**
 * Validate and compile a pattern (JSON text, or an already-parsed object,
 * which is read as its JSON serialisation). Throws
 * `InvalidEventPatternException` with EventBridge's message.
 */
export function compilePattern(pattern: string | object): CompiledPattern {
  const source = typeof pattern === 'string' ? pattern : JSON.stringify(pattern);
  let root: JsonNode;
  try {
    root = parseJsonText(source);
  } catch (error) {
    if (error instanceof JsonTextError) {
      throw invalidPattern(error.message, error.offset === undefined ? '' : jacksonLocation(source, error.offset));
    }
    throw error;
  }
  let rules: CompiledRule[];
  try {
    rules = compileRules(root);
  } catch (error) {
    if (error instanceof PatternError) {
      const location = error.offset === undefined ? '' : jacksonLocation(source, error.offset);
      // Refusals inside an anything-but list are caught and re-thrown by AWS's compiler, message and location included.
      throw invalidPattern(error.message, error.repeated ? location + location : location);
    }
    throw error;
  }
  return { source, matches: (event) => matchRules(rules, event), explain: (event) => explainRules(rules, event) };
}

/**
 * The first failing field of the first alternative (pattern order), or,
 * when each field matches on its own, the array-element consistency that
 * failed. With `$or` every alternative failed; the first one is reported.
 */
function explainRules(rules: readonly CompiledRule[], event: unknown): PatternMismatch | undefined {
  if (matchRules(rules, event)) return undefined;
  const rule = rules[0]!;
  for (const field of rule) {
    // A rule that does not match is explained for every event it misses: the leaves and memberships go to the
    // scratch buffers (matching is over), and are copied, with the pattern's values written, only for the field that fails.
    emptyScratch(scratch);
    emptyScratch(scratchMembers);
    collectValues(event, field.path, scratch, scratchMembers);
    if (scratch.length === 0) {
      if (field.matchesAbsent) continue;
      return { field: field.path.whole, expected: field.expected, actual: [], reason: `${field.path.whole} is absent; the pattern wants ${expectedText(field)}` };
    }
    if (!anyPasses(scratch, field.tests)) {
      const values = scratch.slice();
      const actual = JSON.stringify(values.length === 1 ? values[0] : values);
      return { field: field.path.whole, expected: field.expected, actual: values, reason: `${field.path.whole} is ${actual}; the pattern wants ${expectedText(field)}` };
    }
  }
  const fields = rule.map((f) => f.path.whole).join(', ');
  return { field: fields, expected: [], actual: [], reason: `${fields} each match, but not within the same array element` };
}

/** Whether any of `values` passes any of `tests`. */
function anyPasses(values: readonly Leaf[], tests: CompiledRule[number]['tests']): boolean {
  for (let v = 0; v < values.length; v++) {
    for (let t = 0; t < tests.length; t++) if (tests[t]!(values[v]!)) return true;
  }
  return false;
}

/** A field's match values as JSON text, written once per compiled field (patterns are fixed at start-up). */
const expectedTexts = new WeakMap<CompiledRule[number], string>();

function expectedText(field: CompiledRule[number]): string {
  let text = expectedTexts.get(field);
  if (text === undefined) {
    text = JSON.stringify(field.expected);
    expectedTexts.set(field, text);
  }
  return text;
}

// Scratch buffers: matching never re-enters itself, so reuse avoids allocations per field.
const scratch: Leaf[] = [];
const scratchMembers: Array<Membership | undefined> = [];

function matchRules(rules: readonly CompiledRule[], event: unknown): boolean {
  for (let r = 0; r < rules.length; r++) {
    if (matchRule(rules[r]!, event)) return true;
  }
  return false;
}

function matchRule(rule: CompiledRule, event: unknown): boolean {
  let constrained: Membership[][] | undefined;
  for (let f = 0; f < rule.length; f++) {
    const field = rule[f]!;
    emptyScratch(scratch);
    emptyScratch(scratchMembers);
    collectValues(event, field.path, scratch, scratchMembers);
    if (scratch.length === 0) {
      if (!field.matchesAbsent) return false;
      continue;
    }
    // Leaves inside arrays must come from the same element across fields, so keep where each passing leaf sits.
    let candidates: Membership[] | undefined;
    let free = false;
    const tests = field.tests;
    for (let v = 0; v < scratch.length && !free; v++) {
      const value = scratch[v]!;
      for (let t = 0; t < tests.length; t++) {
        if (tests[t]!(value)) {
          const membership = scratchMembers[v];
          if (membership === undefined) free = true;
          else (candidates ??= []).push(membership);
          break;
        }
      }
    }
    if (free) continue;
    if (!candidates) return false;
    (constrained ??= []).push(candidates);
  }
  return constrained === undefined || constrained.length < 2 || consistentChoice(constrained);
}

const objectCache = new WeakMap<object, CompiledPattern>();
const STRING_CACHE_LIMIT = 1000;
const stringCache = new BoundedMemo<string, CompiledPattern>(STRING_CACHE_LIMIT);

/**
 * Compile-and-match convenience (a {@link PatternMatcher}); compiled patterns
 * are cached by object identity or by text. Throws like {@link compilePattern}.
 */
export const matchesPattern: PatternMatcher = (pattern, event) => {
  let compiled: CompiledPattern | undefined;
  if (typeof pattern === 'string') {
    compiled = stringCache.get(pattern) ?? stringCache.set(pattern, compilePattern(pattern));
  } else if (pattern !== null && typeof pattern === 'object') {
    compiled = objectCache.get(pattern);
    if (!compiled) {
      compiled = compilePattern(pattern);
      objectCache.set(pattern, compiled);
    }
  } else {
    throw invalidPattern('Filter is not an object');
  }
  return compiled.matches(event);
};

/** Fields TestEventPattern requires in the event. */
const REQUIRED_EVENT_FIELDS = ['id', 'account', 'source', 'time', 'region', 'detail-type'] as const;

/**
 * The TestEventPattern API: validates the pattern first
 * (InvalidEventPatternException), then the event (ValidationException
 * "Parameter Event is not valid."), then matches.
 */
export function testEventPattern(eventPatternString: string, eventString: string): boolean {
  const compiled = compilePattern(eventPatternString);
  const invalidEvent = () => new AwsError('ValidationException', 'Parameter Event is not valid.', 400);
  let event: unknown;
  try {
    event = JSON.parse(eventString);
  } catch {
    throw invalidEvent();
  }
  if (event === null || typeof event !== 'object' || Array.isArray(event)) throw invalidEvent();
  for (const field of REQUIRED_EVENT_FIELDS) {
    if (!Object.hasOwn(event, field)) throw invalidEvent();
  }
  return compiled.matches(event);
}
