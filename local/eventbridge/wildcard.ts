/**
 * The `wildcard` operator: `*` matches any run of characters, `\*` and `\\`
 * are literal. EventBridge rejects consecutive `*` and patterns whose
 * matching automaton could keep too many states alive at once; the second
 * check is reproduced by measuring the largest set of simultaneously active
 * NFA states over every reachable input.
 */
import { escapeRegExp } from '../text/escape-regexp.js';

/** A pattern error with the wording EventBridge uses for wildcard problems. */
export class WildcardError extends Error {}

/** The complexity refusal, which AWS's rule machine makes after the pattern is parsed. */
export class RuleTooComplexError extends WildcardError {}

/**
 * Largest number of NFA states a wildcard may keep active. Calibrated on
 * AWS's answers: `a:*:b/*` style ARNs pass, five `*:` segments in a row do not.
 */
export const MAX_WILDCARD_COMPLEXITY = 10;

type Token = string | null; // null = `*`

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') throw new WildcardError(`Invalid escape character at pos ${i}`);
      tokens.push(next);
      i++;
    } else if (c === '*') {
      if (tokens.length > 0 && tokens[tokens.length - 1] === null && pattern[i - 1] === '*') {
        throw new WildcardError(`Consecutive wildcard characters at pos ${i}`);
      }
      tokens.push(null);
    } else {
      tokens.push(c);
    }
  }
  return tokens;
}

function closure(tokens: readonly Token[], states: Iterable<number>): Set<number> {
  const out = new Set<number>();
  for (let s of states) {
    out.add(s);
    while (s < tokens.length && tokens[s] === null) out.add(++s);
  }
  return out;
}

/** Largest number of NFA states active at once, over all inputs (bounded search). */
export function wildcardComplexity(pattern: string): number {
  const tokens = tokenize(pattern);
  const alphabet = [...new Set(tokens.filter((t): t is string => t !== null)), '\u0000'];
  const start = closure(tokens, [0]);
  const seen = new Set<string>([[...start].join(',')]);
  const queue: Set<number>[] = [start];
  let max = start.size;
  while (queue.length > 0 && seen.size < 5000) {
    const current = queue.shift()!;
    for (const ch of alphabet) {
      const next: number[] = [];
      for (const s of current) {
        if (s >= tokens.length) continue;
        const tok = tokens[s];
        if (tok === null) next.push(s);
        else if (tok === ch) next.push(s + 1);
      }
      if (next.length === 0) continue;
      const set = closure(tokens, next);
      const key = [...set].sort((a, b) => a - b).join(',');
      if (seen.has(key)) continue;
      seen.add(key);
      max = Math.max(max, set.size);
      queue.push(set);
    }
  }
  return max;
}

/** Validate and compile a wildcard operand into a string predicate. */
export function compileWildcard(pattern: string): (value: string) => boolean {
  const tokens = tokenize(pattern);
  if (wildcardComplexity(pattern) > MAX_WILDCARD_COMPLEXITY) {
    throw new RuleTooComplexError(
      'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
    );
  }
  if (!tokens.includes(null)) {
    const literal = tokens.join('');
    return (value) => value === literal;
  }
  const source = tokens.map((t) => (t === null ? '[\\s\\S]*' : escapeRegExp(t))).join('');
  const re = new RegExp(`^${source}$`, 'u');
  return (value) => re.test(value);
}
