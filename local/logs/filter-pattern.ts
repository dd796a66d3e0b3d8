import { RE2JS } from 're2js';
import { AwsError } from '../protocol/errors.js';

/**
 * CloudWatch Logs filter patterns, as FilterLogEvents, metric and
 * subscription filters use them:
 * - terms: `ERROR Exception` (all), `?ERROR ?WARN` (any), `-DEBUG` (none),
 *   `"exact phrase"`; case-sensitive substring matches;
 * - a regular expression between `%` signs: `%ERROR|WARN%` (AWS's subset:
 *   no parentheses or spaces);
 * - JSON: `{ $.a.b[0] = "str*" && ($.n >= 5 || $.x IS NULL) }`, also
 *   `!=`, `IS TRUE`/`IS FALSE`, `NOT EXISTS`, `= %regex%`;
 * - space-delimited: `[ip, user, ..., status = 4*, bytes > 1000]`.
 *
 * Every predicate runs in time linear in the message (times the pattern's
 * size): regexes go to RE2 (re2js), which has no backtracking, `*` globs are
 * matched segment by segment with indexOf, and `...` in delimited patterns is
 * matched by dynamic programming. A filter cannot pin the CPU with a
 * catastrophic pattern such as `%a*a*a*a*a*Q%`.
 */
export type FilterPredicate = (message: string) => boolean;

/** Compiles a pattern; an invalid one throws InvalidParameterException as AWS does. */
export function compileFilterPattern(pattern: string | undefined | null): FilterPredicate {
  const text = (pattern ?? '').trim();
  if (text === '') return () => true;
  if (text.startsWith('{')) {
    if (!text.endsWith('}')) throw invalid("If a filter pattern starts with '{' it must end with '}'");
    return compileJson(text.slice(1, -1));
  }
  if (text.startsWith('[')) {
    if (!text.endsWith(']')) throw invalid("If a filter pattern starts with '[' it must end with ']'");
    return compileDelimited(text.slice(1, -1));
  }
  if (text.length > 1 && text.startsWith('%') && text.endsWith('%') && !/\s/.test(text)) {
    const regex = compileRegex(text.slice(1, -1));
    return (message) => regex.test(message);
  }
  return compileTerms(text);
}

function invalid(message = 'Invalid filter pattern'): AwsError {
  return new AwsError('InvalidParameterException', message);
}

/** A compiled `%regex%`: `test` says whether it matches anywhere in the text. */
interface LinearRegex {
  test(text: string): boolean;
}

/**
 * The characters AWS allows in a `%regex%`: no parentheses, no spaces, no
 * multi-byte characters.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */
const REGEX_CHARACTERS = /^[A-Za-z0-9_#=@/;,:\-^$?[\]{}|\\*+.]+$/;

/**
 * "There is a limit of 2 regex for each filter pattern when creating a
 * delimited or JSON filter pattern for ... filtering log events" (same page).
 */
const MAX_REGEX_PER_PATTERN = 2;

function compileRegex(source: string): LinearRegex {
  if (!REGEX_CHARACTERS.test(source)) throw invalid();
  try {
    // RE2 semantics: linear time in the text whatever the pattern.
    const re = RE2JS.compile(source);
    return { test: (text) => re.matcher(text).find() };
  } catch {
    throw invalid();
  }
}

/** Counts the `%regex%` values of a JSON or delimited pattern and refuses a third. */
class RegexBudget {
  private used = 0;
  take(): void {
    this.used += 1;
    if (this.used > MAX_REGEX_PER_PATTERN) {
      throw invalid(`A filter pattern may contain at most ${MAX_REGEX_PER_PATTERN} regular expressions`);
    }
  }
}

/**
 * A `*` glob matched without backtracking: the first and last literal
 * segments are anchored, each middle one is found by indexOf after the
 * previous. Leftmost matching of the middle segments is optimal because `*`
 * absorbs anything between them, so the result is exact in O(n * m).
 */
export function compileGlob(glob: string): (text: string) => boolean {
  const segments = glob.split('*');
  if (segments.length === 1) return (text) => text === glob;
  const head = segments[0]!;
  const tail = segments[segments.length - 1]!;
  const middle = segments.slice(1, -1).filter((s) => s !== '');
  const minLength = head.length + tail.length;
  return (text) => {
    if (text.length < minLength || !text.startsWith(head) || !text.endsWith(tail)) return false;
    let at = head.length;
    const end = text.length - tail.length;
    for (const segment of middle) {
      const found = text.indexOf(segment, at);
      if (found < 0 || found + segment.length > end) return false;
      at = found + segment.length;
    }
    return true;
  };
}

// ---------------------------------------------------------------- terms

const BARE_TERM = /^[^\s"@!$%^&*()=+[\]{}|\\;',<>?~`]+$/;

function compileTerms(text: string): FilterPredicate {
  const all: string[] = [];
  const any: string[] = [];
  const none: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) break;
    let bucket = all;
    if (text[i] === '?') {
      bucket = any;
      i++;
    } else if (text[i] === '-') {
      bucket = none;
      i++;
    }
    let term: string;
    if (text[i] === '"') {
      const end = closingQuote(text, i);
      if (end < 0) throw invalid();
      term = unescapeQuoted(text.slice(i + 1, end));
      i = end + 1;
      if (i < text.length && !/\s/.test(text[i]!)) throw invalid();
    } else {
      const start = i;
      while (i < text.length && !/\s/.test(text[i]!)) i++;
      term = text.slice(start, i);
      if (!BARE_TERM.test(term)) throw invalid(`Invalid character(s) in term '${term}'`);
    }
    if (term === '') throw invalid();
    bucket.push(term);
  }
  return (message) =>
    all.every((t) => message.includes(t)) &&
    !none.some((t) => message.includes(t)) &&
    (any.length === 0 || any.some((t) => message.includes(t)));
}

function closingQuote(text: string, open: number): number {
  for (let j = open + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === '"') return j;
  }
  return -1;
}

function unescapeQuoted(body: string): string {
  return body.replace(/\\(.)/g, '$1');
}

// ---------------------------------------------------------------- values shared by JSON and delimited patterns

type Operator = '=' | '!=' | '<' | '>' | '<=' | '>=';

interface ValueTest {
  readonly op: Operator;
  readonly kind: 'string' | 'number' | 'regex';
  readonly text: string;
  readonly number?: number;
  readonly glob?: (text: string) => boolean;
  readonly regex?: LinearRegex;
}

function makeValueTest(op: Operator, raw: string, quoted: boolean, regexBudget: RegexBudget): ValueTest {
  if (!quoted && raw.length > 1 && raw.startsWith('%') && raw.endsWith('%')) {
    if (op !== '=' && op !== '!=') throw invalid();
    regexBudget.take();
    return { op, kind: 'regex', text: raw, regex: compileRegex(raw.slice(1, -1)) };
  }
  const number = quoted || raw.trim() === '' ? NaN : Number(raw);
  if (Number.isFinite(number)) return { op, kind: 'number', text: raw, number };
  if (op !== '=' && op !== '!=') throw invalid();
  const glob = edgeWildcard(raw);
  return { op, kind: 'string', text: raw, ...(glob ? { glob } : {}) };
}

/**
 * A value's `*` is a wildcard at its start or end only: "*Event will match
 * PutEvent and GetEvent. Event* will match EventId and EventName. Ev*ent will
 * only match the actual string Ev*ent."
 * (https://github.com/awsdocs/amazon-cloudwatch-logs-user-guide/blob/master/doc_source/FilterAndPatternSyntax.md)
 * Each form is one linear string test, so no value can make matching backtrack.
 */
function edgeWildcard(raw: string): ((text: string) => boolean) | undefined {
  const leading = raw.startsWith('*');
  const trailing = raw.length > 1 && raw.endsWith('*');
  if (!leading && !trailing) return undefined;
  const literal = raw.slice(leading ? 1 : 0, trailing ? -1 : raw.length);
  if (leading && trailing) return (text) => text.includes(literal);
  return leading ? (text) => text.endsWith(literal) : (text) => text.startsWith(literal);
}

/** Applies a comparison to a JSON value (or a delimited field's text). */
function testValue(test: ValueTest, value: unknown): boolean {
  if (value === undefined || value === null || typeof value === 'object') return false;
  const asText = String(value);
  if (test.kind === 'number') {
    const actual = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (!Number.isFinite(actual)) return test.op === '!=' ? asText !== test.text : false;
    const expected = test.number!;
    switch (test.op) {
      case '=':
        return actual === expected;
      case '!=':
        return actual !== expected;
      case '<':
        return actual < expected;
      case '>':
        return actual > expected;
      case '<=':
        return actual <= expected;
      case '>=':
        return actual >= expected;
    }
  }
  const matched = test.kind === 'regex' ? test.regex!.test(asText) : test.glob ? test.glob(asText) : asText === test.text;
  return test.op === '=' ? matched : !matched;
}

// ---------------------------------------------------------------- JSON patterns

type Token =
  | { readonly t: 'op'; readonly v: Operator }
  | { readonly t: 'and' | 'or' | 'lparen' | 'rparen' }
  | { readonly t: 'word'; readonly v: string }
  | { readonly t: 'string'; readonly v: string };

function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (text.startsWith('&&', i)) {
      tokens.push({ t: 'and' });
      i += 2;
    } else if (text.startsWith('||', i)) {
      tokens.push({ t: 'or' });
      i += 2;
    } else if (c === '(') {
      tokens.push({ t: 'lparen' });
      i++;
    } else if (c === ')') {
      tokens.push({ t: 'rparen' });
      i++;
    } else if (text.startsWith('!=', i) || text.startsWith('<=', i) || text.startsWith('>=', i)) {
      tokens.push({ t: 'op', v: text.slice(i, i + 2) as Operator });
      i += 2;
    } else if (c === '=' || c === '<' || c === '>') {
      tokens.push({ t: 'op', v: c });
      i++;
    } else if (c === '"') {
      const end = closingQuote(text, i);
      if (end < 0) throw invalid();
      tokens.push({ t: 'string', v: unescapeQuoted(text.slice(i + 1, end)) });
      i = end + 1;
    } else if (c === '%') {
      const end = text.indexOf('%', i + 1);
      if (end < 0) throw invalid();
      tokens.push({ t: 'word', v: text.slice(i, end + 1) });
      i = end + 1;
    } else {
      const start = i;
      while (i < text.length && !/[\s()=<>!"]/.test(text[i]!) && !text.startsWith('&&', i) && !text.startsWith('||', i)) i++;
      if (i === start) throw invalid();
      tokens.push({ t: 'word', v: text.slice(start, i) });
    }
  }
  return tokens;
}

type PathStep = string | number;
type JsonTest = (document: unknown) => boolean;

function compileJson(body: string): FilterPredicate {
  const tokens = lex(body);
  const regexBudget = new RegexBudget();
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const next = (): Token => {
    const token = tokens[pos++];
    if (!token) throw invalid();
    return token;
  };

  /** `operand (connective operand)*`: any of them for `||`, all of them for `&&`. */
  const parseChain = (connective: 'or' | 'and', operand: () => JsonTest): JsonTest => {
    const parts = [operand()];
    while (peek()?.t === connective) {
      pos++;
      parts.push(operand());
    }
    if (parts.length === 1) return parts[0]!;
    return connective === 'or' ? (doc) => parts.some((p) => p(doc)) : (doc) => parts.every((p) => p(doc));
  };
  const parseOr = (): JsonTest => parseChain('or', parseAnd);
  const parseAnd = (): JsonTest => parseChain('and', parseUnary);
  const parseUnary = (): JsonTest => {
    if (peek()?.t === 'lparen') {
      pos++;
      const inner = parseOr();
      if (next().t !== 'rparen') throw invalid();
      return inner;
    }
    return parseComparison();
  };
  const parseComparison = (): JsonTest => {
    const selectorToken = next();
    if (selectorToken.t !== 'word') throw invalid();
    const path = parseSelector(selectorToken.v);
    const operator = next();
    if (operator.t === 'word') {
      const keyword = operator.v.toUpperCase();
      if (keyword === 'IS') {
        const what = next();
        if (what.t !== 'word') throw invalid();
        switch (what.v.toUpperCase()) {
          case 'NULL':
            return (doc) => resolve(doc, path).value === null;
          case 'TRUE':
            return (doc) => resolve(doc, path).value === true;
          case 'FALSE':
            return (doc) => resolve(doc, path).value === false;
          default:
            throw invalid();
        }
      }
      if (keyword === 'NOT') {
        const what = next();
        if (what.t !== 'word' || what.v.toUpperCase() !== 'EXISTS') throw invalid();
        return (doc) => !resolve(doc, path).exists;
      }
      throw invalid();
    }
    if (operator.t !== 'op') throw invalid();
    const value = next();
    if (value.t !== 'word' && value.t !== 'string') throw invalid();
    const test = makeValueTest(operator.v, value.v, value.t === 'string', regexBudget);
    return (doc) => testValue(test, resolve(doc, path).value);
  };

  const root = parseOr();
  if (pos !== tokens.length) throw invalid();
  return (message) => {
    // Most log lines are not JSON; skip the (costly) failed parse for them.
    const first = message.trimStart()[0];
    if (first !== '{' && first !== '[') return false;
    let document: unknown;
    try {
      document = JSON.parse(message);
    } catch {
      return false;
    }
    if (typeof document !== 'object' || document === null) return false;
    return root(document);
  };
}

function parseSelector(text: string): PathStep[] {
  if (!text.startsWith('$')) throw invalid();
  const steps: PathStep[] = [];
  let i = 1;
  while (i < text.length) {
    if (text[i] === '.') {
      const match = /^[^.[\]]+/.exec(text.slice(i + 1));
      if (!match) throw invalid();
      steps.push(match[0]);
      i += 1 + match[0].length;
    } else if (text[i] === '[') {
      const match = /^\[(\d+)\]/.exec(text.slice(i));
      if (!match) throw invalid();
      steps.push(Number(match[1]));
      i += match[0].length;
    } else {
      throw invalid();
    }
  }
  if (steps.length === 0) throw invalid();
  return steps;
}

function resolve(document: unknown, path: readonly PathStep[]): { exists: boolean; value?: unknown } {
  let current: unknown = document;
  for (const step of path) {
    if (typeof step === 'number') {
      if (!Array.isArray(current) || step >= current.length) return { exists: false };
      current = current[step];
    } else {
      if (typeof current !== 'object' || current === null || Array.isArray(current) || !Object.hasOwn(current, step)) {
        return { exists: false };
      }
      current = (current as Record<string, unknown>)[step];
    }
  }
  return { exists: true, value: current };
}

// ---------------------------------------------------------------- space-delimited patterns

type FieldTest = { readonly ellipsis: true } | { readonly ellipsis: false; readonly test: (field: string) => boolean };

function compileDelimited(body: string): FilterPredicate {
  const fields = splitTopLevel(body, ',').map((f) => f.trim());
  if (fields.length === 0 || fields.some((f) => f === '')) throw invalid();
  const regexBudget = new RegexBudget();
  const tests: FieldTest[] = fields.map((field) => compileField(field, regexBudget));
  return (message) => matchFields(tests, splitMessage(message));
}

function compileField(field: string, regexBudget: RegexBudget): FieldTest {
  if (field === '...') return { ellipsis: true };
  const tokens = lex(field);
  if (tokens.length === 1 && tokens[0]!.t === 'word') return { ellipsis: false, test: () => true };
  let pos = 0;
  // Each condition may name the field first: `status = 4* && status != 404`.
  const skipName = () => {
    if (tokens[pos]?.t === 'word' && tokens[pos + 1]?.t === 'op') pos++;
  };
  const alternatives: ((f: string) => boolean)[][] = [[]];
  skipName();
  for (;;) {
    const op = tokens[pos++];
    const value = tokens[pos++];
    if (op?.t !== 'op' || (value?.t !== 'word' && value?.t !== 'string')) throw invalid();
    const test = makeValueTest(op.v, value.v, value.t === 'string', regexBudget);
    alternatives[alternatives.length - 1]!.push((f) => testValue(test, f));
    if (pos === tokens.length) break;
    const connective = tokens[pos++]!;
    if (connective.t === 'or') alternatives.push([]);
    else if (connective.t !== 'and') throw invalid();
    skipName();
  }
  return { ellipsis: false, test: (f) => alternatives.some((all) => all.every((t) => t(f))) };
}

/**
 * Whether the fields match the tests, `...` standing for any number of
 * fields. Dynamic programming over (test, field) instead of recursion, so
 * several `...` cost O(tests * fields) rather than a power of the fields.
 */
function matchFields(tests: readonly FieldTest[], fields: readonly string[]): boolean {
  // reachable[f]: the tests so far can consume exactly the first f fields.
  let reachable = new Uint8Array(fields.length + 1);
  reachable[0] = 1;
  for (const test of tests) {
    const next = new Uint8Array(fields.length + 1);
    if (test.ellipsis) {
      let any = 0;
      for (let f = 0; f <= fields.length; f++) {
        any |= reachable[f]!;
        next[f] = any;
      }
    } else {
      for (let f = 0; f < fields.length; f++) if (reachable[f] && test.test(fields[f]!)) next[f + 1] = 1;
    }
    reachable = next;
  }
  return reachable[fields.length] === 1;
}

/** Message fields: split on spaces, keeping `"quoted"` and `[bracketed]` runs whole (without the delimiters). */
function splitMessage(message: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i < message.length) {
    while (i < message.length && /\s/.test(message[i]!)) i++;
    if (i >= message.length) break;
    const close = message[i] === '"' ? '"' : message[i] === '[' ? ']' : undefined;
    if (close) {
      const end = message.indexOf(close, i + 1);
      if (end > 0) {
        fields.push(message.slice(i + 1, end));
        i = end + 1;
        continue;
      }
    }
    const start = i;
    while (i < message.length && !/\s/.test(message[i]!)) i++;
    fields.push(message.slice(start, i));
  }
  return fields;
}

function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' && text[i - 1] !== '\\') quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')') depth--;
    else if (!quoted && depth === 0 && c === separator) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
