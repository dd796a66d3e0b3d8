/**
 * The JSONPath subset mapping templates use with `$input.path` and
 * `$input.json`: `$`, `.name`, `['name']`, `[index]`, `[*]`/`.*` and
 * deep scan `..name`. A wildcard or deep scan yields a list, as Jayway
 * JsonPath (which API Gateway uses) does.
 */

import { BoundedMemo } from '../bounded-memo.js';

type Step =
  | { kind: 'key'; key: string }
  | { kind: 'index'; index: number }
  | { kind: 'wildcard' }
  | { kind: 'deep'; key: string };

/** Thrown for a path expression that cannot be parsed. */
export class JsonPathError extends Error {}

/** Split a JSONPath into steps; throws JsonPathError for syntax outside the subset. */
export function parseJsonPath(path: string): Step[] {
  const p = path.trim();
  if (!p.startsWith('$')) throw new JsonPathError(`Invalid JSONPath ${path}: must start with $`);
  const steps: Step[] = [];
  let i = 1;
  while (i < p.length) {
    if (p.startsWith('..', i)) {
      const m = /^\.\.([A-Za-z0-9_\-$@]+|\*)/.exec(p.slice(i));
      if (!m) throw new JsonPathError(`Invalid JSONPath ${path}`);
      steps.push({ kind: 'deep', key: m[1]! });
      i += m[0].length;
    } else if (p[i] === '.') {
      const m = /^\.([^.[\]]+)/.exec(p.slice(i));
      if (!m) throw new JsonPathError(`Invalid JSONPath ${path}`);
      steps.push(m[1] === '*' ? { kind: 'wildcard' } : { kind: 'key', key: m[1]! });
      i += m[0].length;
    } else if (p[i] === '[') {
      const end = findBracketEnd(p, i);
      const inner = p.slice(i + 1, end).trim();
      if (inner === '*') steps.push({ kind: 'wildcard' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (/^'.*'$|^".*"$/s.test(inner)) steps.push({ kind: 'key', key: inner.slice(1, -1) });
      else throw new JsonPathError(`Invalid JSONPath ${path}: unsupported selector [${inner}]`);
      i = end + 1;
    } else {
      throw new JsonPathError(`Invalid JSONPath ${path}`);
    }
  }
  return steps;
}

function findBracketEnd(p: string, start: number): number {
  let quote: string | undefined;
  for (let i = start + 1; i < p.length; i++) {
    const c = p[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === ']') return i;
  }
  throw new JsonPathError(`Invalid JSONPath ${p}: unclosed [`);
}

/** A parsed path, and whether every step picks at most one value (no wildcard, no deep scan). */
interface CompiledPath {
  readonly steps: readonly Step[];
  readonly single: boolean;
}

/** Templates use a few fixed paths; bounded in case a template builds them from the request. */
const MAX_COMPILED_PATHS = 500;
const compiledPaths = new BoundedMemo<string, CompiledPath>(MAX_COMPILED_PATHS);

/** {@link parseJsonPath} once per distinct path: a mapping template evaluates the same few on every request. */
function compiledPath(path: string): CompiledPath {
  const compiled = compiledPaths.get(path);
  if (compiled) return compiled;
  const steps = parseJsonPath(path);
  return compiledPaths.set(path, { steps, single: steps.every((step) => step.kind === 'key' || step.kind === 'index') });
}

/** The value at `path` in `root`, or undefined when nothing is there. */
export function evaluateJsonPath(root: unknown, path: string): unknown {
  const { steps, single } = compiledPath(path);
  if (single) return evaluateSingle(root, steps);
  let current: unknown[] = [root];
  let multi = false;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of current) {
      if (step.kind === 'key') {
        if (isObject(value) && Object.prototype.hasOwnProperty.call(value, step.key)) next.push(value[step.key]);
      } else if (step.kind === 'index') {
        if (Array.isArray(value)) {
          const idx = step.index < 0 ? value.length + step.index : step.index;
          if (idx >= 0 && idx < value.length) next.push(value[idx]);
        }
      } else if (step.kind === 'wildcard') {
        multi = true;
        if (Array.isArray(value)) next.push(...value);
        else if (isObject(value)) next.push(...Object.values(value));
      } else {
        multi = true;
        deepScan(value, step.key, next);
      }
    }
    current = next;
  }
  if (multi) return current;
  return current[0];
}

/** A path of keys and indexes only: the general walk above without its per-step lists. */
function evaluateSingle(root: unknown, steps: readonly Step[]): unknown {
  let value = root;
  for (const step of steps) {
    if (step.kind === 'key') {
      if (!isObject(value) || !Object.prototype.hasOwnProperty.call(value, step.key)) return undefined;
      value = value[step.key];
    } else if (step.kind === 'index') {
      if (!Array.isArray(value)) return undefined;
      const idx = step.index < 0 ? value.length + step.index : step.index;
      if (idx < 0 || idx >= value.length) return undefined;
      value = value[idx];
    }
  }
  return value;
}

function deepScan(value: unknown, key: string, out: unknown[]): void {
  if (Array.isArray(value)) {
    for (const v of value) deepScan(v, key, out);
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (key === '*' || k === key) out.push(v);
      deepScan(v, key, out);
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
