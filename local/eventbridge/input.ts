/**
 * What a rule target receives: the whole event, a constant `Input`, the part
 * selected by `InputPath`, or an `InputTransformer` template filled from the
 * event. Templates follow EventBridge's rule: a placeholder inside a JSON
 * string literal takes the raw text of the value, one outside takes the
 * value as JSON.
 */

/** A parsed JSONPath of the subset EventBridge accepts: `$`, `.name`, `[n]`, `['name']`. */
export type JsonPath = readonly (string | number)[];

/** Parse a JSONPath; throws an Error saying what is wrong. */
export function parseJsonPath(path: string): JsonPath {
  if (!path.startsWith('$')) throw new Error(`JSONPath must start with '$': ${path}`);
  const steps: (string | number)[] = [];
  let i = 1;
  while (i < path.length) {
    const c = path[i];
    if (c === '.') {
      const m = /^[^.[\]]+/.exec(path.slice(i + 1));
      if (!m) throw new Error(`Invalid JSONPath ${path}: empty name at ${i}`);
      steps.push(m[0]);
      i += 1 + m[0].length;
    } else if (c === '[') {
      const rest = path.slice(i);
      const index = /^\[(\d+)\]/.exec(rest);
      const quoted = /^\['((?:[^'\\]|\\.)*)'\]/.exec(rest) ?? /^\["((?:[^"\\]|\\.)*)"\]/.exec(rest);
      if (index) {
        steps.push(Number(index[1]));
        i += index[0].length;
      } else if (quoted) {
        steps.push(quoted[1]!);
        i += quoted[0].length;
      } else {
        throw new Error(`Invalid JSONPath ${path}: unsupported selector at ${i}`);
      }
    } else {
      throw new Error(`Invalid JSONPath ${path}: unexpected '${c}' at ${i}`);
    }
  }
  return steps;
}

/** The value at `path` in `value`, or `undefined`. */
export function readJsonPath(value: unknown, path: JsonPath): unknown {
  let current = value;
  for (const step of path) {
    if (current === null || typeof current !== 'object') return undefined;
    if (typeof step === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[step];
    } else {
      if (Array.isArray(current) || !Object.hasOwn(current, step)) return undefined;
      current = (current as Record<string, unknown>)[step];
    }
  }
  return current;
}

/** A placeholder of the template, and whether it sits inside a JSON string literal. */
interface Placeholder {
  readonly name: string;
  readonly quoted: boolean;
}

/** A compiled input transformer. */
export interface InputTransformer {
  readonly paths: ReadonlyMap<string, JsonPath>;
  /** The template split once at load: literal text and the placeholders to fill per event. */
  readonly parts: readonly (string | Placeholder)[];
}

/** Variables EventBridge defines itself; InputPathsMap may not redefine them. */
export const PREDEFINED_VARIABLES = [
  'aws.events.rule-arn',
  'aws.events.rule-name',
  'aws.events.event.ingestion-time',
  'aws.events.event',
  'aws.events.event.json',
] as const;

/** Validate an InputTransformer property; throws an Error naming the problem. */
export function compileInputTransformer(value: unknown): InputTransformer {
  if (value === null || typeof value !== 'object') throw new Error('InputTransformer must be an object');
  const { InputPathsMap: map = {}, InputTemplate: template, ...rest } = value as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new Error(`unknown InputTransformer properties: ${extra.join(', ')}`);
  if (typeof template !== 'string') throw new Error('InputTemplate is required and must be a string');
  if (template.length > 8192) throw new Error('InputTemplate is longer than 8192 characters');
  if (map === null || typeof map !== 'object') throw new Error('InputPathsMap must be an object');
  const entries = Object.entries(map as Record<string, unknown>);
  if (entries.length > 100) throw new Error('InputPathsMap has more than 100 entries');
  const paths = new Map<string, JsonPath>();
  for (const [key, path] of entries) {
    if ((PREDEFINED_VARIABLES as readonly string[]).includes(key)) {
      throw new Error(`InputPathsMap key ${key} is a reserved variable name`);
    }
    if (!/^[A-Za-z0-9_-]+$/.test(key)) throw new Error(`InputPathsMap key ${key} has invalid characters`);
    if (typeof path !== 'string') throw new Error(`InputPathsMap.${key} must be a JSONPath string`);
    paths.set(key, parseJsonPath(path));
  }
  for (const match of template.matchAll(PLACEHOLDER)) {
    const name = match[1]!;
    if (!paths.has(name) && !(PREDEFINED_VARIABLES as readonly string[]).includes(name)) {
      // PutTargets refuses this (ValidationException), so a deploy of such a template fails.
      throw new Error(`InputTemplate contains invalid placeholder ${name}.`);
    }
  }
  const known = (name: string) => paths.has(name) || (PREDEFINED_VARIABLES as readonly string[]).includes(name);
  return { paths, parts: splitTemplate(template, known) };
}

/**
 * Split a template into literal text and placeholders. A placeholder inside
 * a JSON string literal is filled with the raw text of its value, one outside
 * with the value as JSON; `<text>` naming no variable stays as written.
 */
function splitTemplate(tpl: string, known: (name: string) => boolean): (string | Placeholder)[] {
  const parts: (string | Placeholder)[] = [];
  let text = '';
  let inString = false;
  for (let i = 0; i < tpl.length; i++) {
    const c = tpl[i]!;
    if (c === '\\' && inString) {
      text += c + (tpl[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') {
      inString = !inString;
      text += c;
      continue;
    }
    if (c === '<') {
      const close = tpl.indexOf('>', i + 1);
      const name = close > i ? tpl.slice(i + 1, close) : undefined;
      if (name !== undefined && known(name)) {
        if (text) parts.push(text);
        text = '';
        parts.push({ name, quoted: inString });
        i = close;
        continue;
      }
    }
    text += c;
  }
  if (text) parts.push(text);
  return parts;
}

/** What EventBridge treats as a `<variable>` in an InputTemplate. */
const PLACEHOLDER = /<([A-Za-z0-9_.-]+)>/g;

/**
 * `aws.events.event`: the envelope without `detail`, with `detail-type`
 * spelled `detailType`, in the key order EventBridge writes it.
 */
function eventWithoutDetail(event: unknown): unknown {
  if (event === null || typeof event !== 'object') return event;
  const e = event as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const copy = (to: string, from: string) => {
    if (Object.hasOwn(e, from)) out[to] = e[from];
  };
  copy('id', 'id');
  copy('account', 'account');
  copy('detailType', 'detail-type');
  copy('time', 'time');
  copy('source', 'source');
  copy('region', 'region');
  copy('resources', 'resources');
  copy('version', 'version');
  return out;
}

/** Facts about the delivery that the predefined variables expose. */
export interface TransformContext {
  readonly ruleArn: string;
  readonly ruleName: string;
  /** ISO time the bus received the event. */
  readonly ingestionTime: string;
}

/** Fill the template for `event`. */
export function applyInputTransformer(t: InputTransformer, event: unknown, ctx: TransformContext): string {
  const valueOf = (name: string): unknown => {
    const path = t.paths.get(name);
    if (path) return readJsonPath(event, path);
    switch (name) {
      case 'aws.events.rule-arn':
        return ctx.ruleArn;
      case 'aws.events.rule-name':
        return ctx.ruleName;
      case 'aws.events.event.ingestion-time':
        return ctx.ingestionTime;
      case 'aws.events.event':
        return eventWithoutDetail(event);
      default: // 'aws.events.event.json': splitTemplate kept no other name
        return event;
    }
  };
  let out = '';
  for (const part of t.parts) {
    if (typeof part === 'string') out += part;
    else out += part.quoted ? rawText(valueOf(part.name)) : jsonText(valueOf(part.name));
  }
  return out;
}

/** A value outside quotes; a path that selects nothing gives `""`, as EventBridge delivers it. */
function jsonText(value: unknown): string {
  return value === undefined ? '""' : JSON.stringify(value);
}

function rawText(value: unknown): string {
  const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
  // Escaped so the result stays valid JSON text inside the surrounding quotes.
  return JSON.stringify(text).slice(1, -1);
}
