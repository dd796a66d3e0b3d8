/**
 * API Gateway mapping templates on velocityjs. velocityjs is a JavaScript
 * Velocity; API Gateway runs Java Velocity over Java maps, lists and
 * strings, so this module adds what templates rely on from Java: how values
 * print, `==` by printed form, a null reference printing nothing, and the
 * Java methods templates call (`.length()`, `.replaceAll()`, `.keySet()`...).
 *
 * Three of velocityjs's internals (getPropMethod, renderAstList,
 * getReferences) are overridden step for step below, so package.json pins
 * velocityjs to the exact version they were written against: a new version
 * must be read against these overrides before the pin moves.
 */
import { Compile, Helper, parse } from 'velocityjs';
import { evaluateJsonPath } from './jsonpath.js';
import { headerEntry } from './headers.js';
import {
  escapeJavaScript,
  javaEquals,
  javaRegex,
  javaReplacement,
  javaSplit,
  javaString,
  urlDecode,
  urlEncode,
} from './java-values.js';
import { BoundedMemo } from '../bounded-memo.js';

/** The method request's parameters as `$input.params()` shows them. */
export interface MappingParams {
  readonly path: Record<string, string>;
  readonly querystring: Record<string, string>;
  readonly header: Record<string, string>;
}

/** What `$input` reads: the payload being mapped and the method request's parameters. */
export interface MappingInput {
  /** The request body (request templates) or the integration's response body (response templates). */
  readonly body: string;
  readonly params: MappingParams;
}

/** `$context` (mutable: `requestOverride`/`responseOverride` carry from one template to the next) and `$stageVariables`. */
export interface MappingVariables {
  readonly context: Record<string, unknown>;
  readonly stageVariables: Record<string, string>;
}

/** A template that failed to parse or render; API Gateway answers 500 for it. */
export class MappingTemplateError extends Error {}

type Payload = { property: string; context: unknown; params: unknown[] };
type Resolved = { value: unknown } | undefined;

type ParsedBody = { ok: true; value: unknown } | { ok: false };

function parseBody(body: string): ParsedBody {
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    return { ok: false };
  }
}

/**
 * `$input`: body, JSONPath over the body, method request parameters. Its
 * functions are methods of the literal, not named closures: tsx (the
 * runtime's loader) names each closure with a defineProperty call on every render.
 */
function createInput(input: MappingInput): Record<string, unknown> {
  // API Gateway maps an empty payload as the empty JSON object.
  const body = input.body === '' ? '{}' : input.body;
  let parsed: ParsedBody | undefined;
  return {
    body,
    path(expr: unknown): unknown {
      const r = (parsed ??= parseBody(body));
      const p = javaString(expr) || '$';
      if (!r.ok) return p.trim() === '$' ? body : undefined;
      const value = evaluateJsonPath(r.value, p);
      // A fresh copy: a template mutating the result must not change the body (a string or number is its own copy).
      return typeof value === 'object' && value !== null ? structuredClone(value) : value;
    },
    json(expr: unknown): string {
      const r = (parsed ??= parseBody(body));
      const p = javaString(expr) || '$';
      if (!r.ok) return p.trim() === '$' ? JSON.stringify(body) : '';
      const value = evaluateJsonPath(r.value, p);
      return value === undefined ? '' : JSON.stringify(value);
    },
    params(name?: unknown): unknown {
      if (name === undefined) {
        return { path: { ...input.params.path }, querystring: { ...input.params.querystring }, header: { ...input.params.header } };
      }
      const key = javaString(name);
      if (Object.prototype.hasOwnProperty.call(input.params.path, key)) return input.params.path[key];
      if (Object.prototype.hasOwnProperty.call(input.params.querystring, key)) return input.params.querystring[key];
      return headerEntry(input.params.header, key);
    },
  };
}

/** `$util`. */
export const util = {
  escapeJavaScript,
  urlEncode,
  urlDecode,
  base64Encode: (value: unknown): string => Buffer.from(javaString(value), 'utf8').toString('base64'),
  base64Decode: (value: unknown): string => Buffer.from(javaString(value), 'base64').toString('utf8'),
  parseJson: (value: unknown): unknown => JSON.parse(javaString(value)),
} as const;

/** The i-th argument of a Java method call as a string. */
function arg(params: unknown[], i: number): string {
  return javaString(params[i]);
}

function stringMethod(s: string, property: string, params: unknown[]): Resolved {
  switch (property) {
    case 'length':
      return { value: s.length };
    case 'isEmpty':
      return { value: s.length === 0 };
    case 'contains':
      return { value: s.includes(arg(params, 0)) };
    case 'equals':
      return { value: typeof params[0] === 'string' && s === params[0] };
    case 'equalsIgnoreCase':
      return { value: typeof params[0] === 'string' && s.toLowerCase() === params[0].toLowerCase() };
    case 'replace':
      return { value: s.split(arg(params, 0)).join(arg(params, 1)) };
    case 'replaceAll':
      return { value: s.replace(javaRegex(arg(params, 0), 'g'), javaReplacement(arg(params, 1))) };
    case 'replaceFirst':
      return { value: s.replace(javaRegex(arg(params, 0)), javaReplacement(arg(params, 1))) };
    case 'matches':
      return { value: javaRegex(`^(?:${arg(params, 0)})$`).test(s) };
    case 'split':
      return { value: javaSplit(s, arg(params, 0)) };
    case 'toString':
      return { value: s };
    case 'substring':
      return { value: params.length > 1 ? s.substring(Number(params[0]), Number(params[1])) : s.substring(Number(params[0])) };
    default:
      return undefined;
  }
}

function listMethod(list: unknown[], property: string, params: unknown[]): Resolved {
  switch (property) {
    case 'size':
      return { value: list.length };
    case 'isEmpty':
      return { value: list.length === 0 };
    case 'get':
      return { value: list[Number(params[0])] };
    case 'contains':
      return { value: list.some((v) => javaEquals(v, params[0])) };
    case 'add':
      list.push(params[0]);
      return { value: true };
    case 'toString':
      return { value: javaString(list) };
    default:
      return undefined;
  }
}

function mapMethod(map: Record<string, unknown>, property: string, params: unknown[]): Resolved {
  // Own functions are the template API ($input.json, $util.urlEncode...), not Java map methods.
  if (Object.prototype.hasOwnProperty.call(map, property) && typeof map[property] === 'function') return undefined;
  const key = javaString(params[0]);
  switch (property) {
    case 'get':
      return { value: Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined };
    case 'containsKey':
      return { value: Object.prototype.hasOwnProperty.call(map, key) };
    case 'containsValue':
      return { value: Object.values(map).some((v) => javaEquals(v, params[0])) };
    case 'keySet':
      return { value: Object.keys(map) };
    case 'values':
      return { value: Object.values(map) };
    case 'size':
      return { value: Object.keys(map).length };
    case 'isEmpty':
      return { value: Object.keys(map).length === 0 };
    case 'put': {
      const previous = Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
      map[key] = params[1];
      return { value: previous };
    }
    case 'putAll':
      if (params[0] && typeof params[0] === 'object') Object.assign(map, params[0]);
      return { value: undefined };
    case 'toString':
      return { value: javaString(map) };
    default:
      return undefined;
  }
}

function javaMethod({ property, context, params }: Payload): Resolved {
  if (typeof context === 'string') return stringMethod(context, property, params);
  if (Array.isArray(context)) return listMethod(context, property, params);
  if (typeof context === 'number' || typeof context === 'boolean') {
    if (property === 'toString') return { value: javaString(context) };
    if (property === 'intValue' || property === 'longValue') return { value: Math.trunc(Number(context)) };
    if (property === 'doubleValue') return { value: Number(context) };
    return undefined;
  }
  if (typeof context === 'object' && context !== null) return mapMethod(context as Record<string, unknown>, property, params);
  return undefined;
}

// velocityjs asks `match` then `resolve` with the same payload; remember the answer between them.
let pending: Resolved;
const javaMethodHandler = {
  uid: 'apigateway: java methods',
  match: (payload: Payload): boolean => {
    pending = javaMethod(payload);
    return pending !== undefined;
  },
  resolve: (): unknown => pending?.value,
};

/** A `$reference` node of velocityjs's AST, as far as getReferences reads it. */
interface ReferenceNode {
  readonly id: string;
  readonly leader?: string;
  readonly args?: unknown[];
  readonly path?: unknown[];
  prue?: boolean;
}

/** velocityjs's reference helpers, mixed into Compile at run time but absent from its declared type. */
interface ReferenceInternals {
  isBlockedPathKey(base: unknown, key: string): boolean;
  getPropMethod(this: unknown, property: ReferenceNode, base: unknown, ast: ReferenceNode): unknown;
  getAttributes(property: unknown, base: unknown, ast: ReferenceNode): unknown;
  _throw(ast: ReferenceNode, property: unknown): void;
}

/**
 * The template API's methods, own functions of `$util` and `$input`. No custom handler answers
 * them (javaMethod leaves own functions alone) and no velocityjs handler matches these names
 * (`get`, `set`, `size`, `keySet`..., or a `get`/`is`/`set` prefix), so velocityjs ends up
 * calling the function itself: see MappingTemplate.getPropMethod.
 */
const TEMPLATE_API_METHODS = new Set(Object.keys(util).concat(['path', 'json', 'params']));

/** Where velocityjs's getPropMethod reports the position of a method that threw. */
const UNKNOWN_POSITION = { first_line: 'unknown', first_column: 'unknown' };

const velocityGetPropMethod = (Compile.prototype as unknown as ReferenceInternals).getPropMethod;

/** A reference's source text (`$input.params('mode')`): a pure function of the parsed node, which parsedTemplate keeps. */
const referenceTexts = new WeakMap<object, string>();

function referenceText(ast: ReferenceNode): string {
  let text = referenceTexts.get(ast);
  if (text === undefined) {
    text = Helper.getRefText(ast as never);
    referenceTexts.set(ast, text);
  }
  return text;
}

type MathNode = { type: string; operator?: string; expression?: unknown[] };

/** API Gateway quota: iterations of one `#foreach` loop in a mapping template. */
const MAX_FOREACH_ITERATIONS = 1000;

class MappingTemplate extends Compile {
  /**
   * One instance renders its template again and again (see compiledTemplate): each render
   * starts from the state velocityjs's constructor sets up. render() itself sets the context,
   * the macros and `silence`; the rest a render may leave behind is reset here.
   */
  override render(context?: Parameters<Compile['render']>[0], macros?: Parameters<Compile['render']>[1], silence?: boolean): string {
    this.defines = {};
    if (this.conditions.length > 0) this.conditions = [];
    this.local = {};
    this.unescape = {};
    this.contextId = '';
    this.macrosStore = {};
    this.runState.stop = false;
    this.runState.break = false;
    return super.render(context, macros, silence);
  }

  /** What velocityjs sets as `eval` on an object whose method a template calls: one per engine instead of one per call. */
  private readonly evalMethod = (...args: unknown[]): string =>
    args.length > 0 && typeof args[0] === 'string' ? (this.eval as (...a: unknown[]) => string)(...args) : '';

  /**
   * velocityjs's getPropMethod, step for step, for a call of the template API (`$util.urlEncode(...)`,
   * `$input.path(...)`), where its custom and built-in handlers all decline: it evaluates the
   * arguments, sets `eval` on the object and calls the function, without the payload, the
   * argument list's closures and the dozen handler matches each call took (~0.5 us).
   */
  getPropMethod(property: ReferenceNode, base: unknown, ast: ReferenceNode): unknown {
    const id = property.id;
    const fn = typeof base === 'object' && base !== null && TEMPLATE_API_METHODS.has(id) && Object.hasOwn(base, id) ? (base as Record<string, unknown>)[id] : undefined;
    if (typeof fn !== 'function') return velocityGetPropMethod.call(this, property, base, ast);
    const args: unknown[] = [];
    if (property.args) for (const exp of property.args) args.push(this.getLiteral(exp as never));
    (base as Record<string, unknown>).eval = this.evalMethod;
    try {
      return (fn as (...a: unknown[]) => unknown).apply(base, args);
    } catch (e) {
      const pos = (ast as { pos?: typeof UNKNOWN_POSITION }).pos ?? UNKNOWN_POSITION;
      if (e instanceof Error) e.message += `on ${referenceText(ast)} at L/N ${pos.first_line}:${pos.first_column}`;
      throw e;
    }
  }

  // Java Velocity's `directive.foreach.maxloops`, which API Gateway sets to its
  // quota: a loop silently stops after that many iterations.
  override renderAstList(asts?: never[], contextId?: string): string {
    if (contextId?.startsWith('foreach:')) {
      const loop = (this.local[contextId] as { foreach?: { index?: number } } | undefined)?.foreach;
      if (loop?.index !== undefined && loop.index >= MAX_FOREACH_ITERATIONS) {
        this.runState.break = true;
        return '';
      }
    }
    return this.renderScope(asts ?? (this.asts as never[]), contextId);
  }

  /**
   * velocityjs's renderAstList, step for step, except that a #break ends the
   * list it is in and every list around it up to its scope: Velocity's #break
   * "throws a StopCommand which signals either the nearest Scope or the
   * specified scope to stop rendering its content"
   * (https://velocity.apache.org/engine/2.4/apidocs/org/apache/velocity/runtime/directive/Break.html),
   * so what follows it in a #foreach body, or in an #if around it, does not
   * render. velocityjs only skips the loop's next items. The scopes a mapping
   * template has are #foreach, a macro call, a #define's use and the template.
   */
  private renderScope(asts: readonly never[], contextId: string | undefined): string {
    if (contextId) {
      if (contextId !== this.contextId && !this.conditions.includes(contextId)) this.conditions.unshift(contextId);
      this.contextId = contextId;
    } else {
      this.contextId = '';
    }
    let str = '';
    for (const ast of asts as ReadonlyArray<string | { type: string }>) {
      if (this.runState.stop || this.runState.break) break;
      if (typeof ast === 'string') {
        str += ast;
        continue;
      }
      switch (ast.type) {
        case 'references':
          // Always a string here (getReferences below renders its value as Java text).
          str += this.getReferences(ast as never, true);
          break;
        case 'set':
          this.setValue(ast as never);
          break;
        case 'break':
          this.runState.break = true;
          break;
        case 'macro_call':
          str += this.getMacro(ast as never);
          // A #break in the macro ended the macro only.
          this.runState.break = false;
          break;
        case 'comment':
          break;
        case 'raw':
          str += (ast as unknown as { value: string }).value;
          break;
        default:
          str += this.getBlock(ast as never);
          break;
      }
    }
    return str;
  }

  protected override getBlock(block: never[]): string {
    const out = super.getBlock(block);
    // velocityjs leaves a #break (or the cap above) set after a loop over a map; it ends only that loop.
    if ((block[0] as { type?: string } | undefined)?.type === 'foreach') this.runState.break = false;
    return out;
  }

  // velocityjs re-parses every interpolated "..." literal on each render; a template's literals are few and fixed.
  override evalStr(str: string): string {
    return this.renderAstList(parsedTemplate(str) as never[], this.contextId);
  }

  protected override getReferences(ast: never, isVal?: boolean): string {
    const value = this.config.escape ? (super.getReferences(ast, isVal) as unknown) : this.referenceValue(ast as ReferenceNode, isVal);
    return (isVal ? javaString(value) : value) as string;
  }

  /**
   * velocityjs's getReferences (without HTML escaping, which mapping templates
   * never turn on), step for step, except that the reference's source text it
   * looks up is computed once per parsed node instead of on every evaluation:
   * that text building was most of getReferences' time and allocations.
   */
  private referenceValue(ast: ReferenceNode, isVal: boolean | undefined): unknown {
    const self = this as unknown as ReferenceInternals;
    if (ast.prue) {
      const define = this.defines[ast.id];
      if (Array.isArray(define)) {
        const text = this.renderAstList(define as never[]);
        // A #break in the block ended the block only.
        this.runState.break = false;
        return text;
      }
      if (this.config.unescape && ast.id in this.config.unescape) ast.prue = false;
    }
    const context = this.context as Record<string, unknown>;
    let value = self.isBlockedPathKey(context, ast.id) ? undefined : context[ast.id];
    const text = referenceText(ast);
    if (Object.prototype.hasOwnProperty.call(context, text)) return context[text];
    if (value !== undefined && ast.args !== undefined) value = self.getPropMethod(ast, context, ast);
    // A #foreach or #macro local shadows the context (velocityjs's getLocal).
    for (const contextId of this.conditions) {
      const scope = this.local[contextId] as Record<string, unknown> | undefined;
      if (typeof scope === 'object' && scope !== null && Object.prototype.hasOwnProperty.call(scope, ast.id)) {
        value = scope[ast.id];
        break;
      }
    }
    if (Array.isArray(ast.path)) {
      for (const property of ast.path) {
        if (value === undefined) self._throw(ast, property);
        value = self.getAttributes(property, value, ast);
      }
    }
    if (isVal && value === undefined) value = this.silence || ast.leader === '$!' ? '' : text;
    return value;
  }

  protected override getExpression(ast: never): string {
    const node = ast as MathNode;
    if (node.type === 'math' && (node.operator === '==' || node.operator === '!=') && node.expression) {
      const left = super.getExpression(node.expression[0] as never) as unknown;
      const right = super.getExpression(node.expression[1] as never) as unknown;
      const equal = javaEquals(left, right);
      return (node.operator === '==' ? equal : !equal) as unknown as string;
    }
    return super.getExpression(ast);
  }
}

/** The stack's templates are few and fixed; bounded all the same. */
const MAX_CACHED_TEMPLATES = 500;
const parsedTemplates = new BoundedMemo<string, ReturnType<typeof parse>>(MAX_CACHED_TEMPLATES);

function parsedTemplate(template: string): ReturnType<typeof parse> {
  return parsedTemplates.get(template) ?? parsedTemplates.set(template, parse(template));
}

/** The engine's settings, the same for every template (velocityjs copies them into each instance). */
const TEMPLATE_CONFIG = { escape: false, customMethodHandlers: [javaMethodHandler] };

/**
 * One engine per template, reused: a render is synchronous and never renders another
 * template, and MappingTemplate.render resets what a render leaves behind. A new
 * instance per render copied the config and built a dozen records each time (~0.5% of
 * the runtime's main thread).
 */
const compiledTemplates = new BoundedMemo<string, MappingTemplate>(MAX_CACHED_TEMPLATES);

function compiledTemplate(template: string): MappingTemplate {
  return compiledTemplates.get(template) ?? compiledTemplates.set(template, new MappingTemplate(parsedTemplate(template), TEMPLATE_CONFIG));
}

/**
 * Render a mapping template. Throws MappingTemplateError for a template
 * that does not parse or fails while rendering (API Gateway: 500).
 */
export function renderMappingTemplate(template: string, input: MappingInput, variables: MappingVariables): string {
  try {
    const compiled = compiledTemplate(template);
    const context = {
      input: createInput(input),
      util,
      context: variables.context,
      stageVariables: variables.stageVariables,
    };
    return compiled.render(context, undefined, true);
  } catch (error) {
    throw new MappingTemplateError(`Mapping template failed: ${(error as Error)?.message ?? String(error)}`);
  }
}
