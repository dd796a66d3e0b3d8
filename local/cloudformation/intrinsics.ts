import { UnsupportedTemplateError } from '../protocol/errors.js';
import type { StackEnvironment } from './types.js';

/**
 * CloudFormation intrinsic functions, evaluated the way CloudFormation does
 * at stack creation. Every error names the resource (or output/condition)
 * and the property path, so a template problem is found at start-up.
 */

/** Where a value sits in the template, for error messages. */
export interface Location {
  /** Logical id of the resource, or `Outputs.X` / `Conditions.X`. */
  readonly logicalId: string;
  /** Property path, e.g. `Properties.Environment.Variables.X`. */
  readonly path: string;
}

/** `AWS::NoValue`: removes the enclosing key or array element. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

/** A CloudFormation template, as much of it as resolution needs. */
export interface Template {
  readonly Description?: unknown;
  readonly Parameters?: Record<string, TemplateParameter>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Conditions?: Record<string, unknown>;
  readonly Resources?: Record<string, TemplateResource>;
  readonly Outputs?: Record<string, TemplateOutput>;
  readonly Transform?: unknown;
  /**
   * Not evaluated: rules only assert parameter values before a deployment, and
   * the one CDK always emits (CheckBootstrapVersion) reads an SSM parameter
   * that does not exist offline.
   */
  readonly Rules?: unknown;
}

export interface TemplateParameter {
  readonly Type: string;
  readonly Default?: unknown;
  readonly AllowedValues?: readonly unknown[];
  readonly NoEcho?: boolean | string;
  readonly Description?: string;
}

export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Condition?: string;
  readonly Metadata?: Record<string, unknown>;
  readonly DependsOn?: unknown;
}

export interface TemplateOutput {
  readonly Value: unknown;
  readonly Description?: unknown;
  readonly Condition?: string;
  readonly Export?: { readonly Name: unknown };
}

/** What the resolver needs from the stack around it. */
export interface ResolverContext {
  readonly template: Template;
  readonly stackName: string;
  readonly stackId: string;
  readonly env: StackEnvironment;
  /** Parameter values supplied by the caller; override defaults. */
  readonly parameters?: Readonly<Record<string, string>>;
  /** Exports of the stacks served before this one (`Fn::ImportValue`), by export name. */
  readonly exports?: ReadonlyMap<string, string>;
  /** Where a name is exported in another account or region (`<account>/<region>`), to say why it cannot be imported. */
  readonly exportedElsewhere?: (name: string) => string | undefined;
  /** `Ref` of a resource that exists (its condition is true). */
  refOf(logicalId: string, where: Location): string;
  /** `Fn::GetAtt` of a resource that exists. */
  attributeOf(logicalId: string, attribute: string, where: Location): string;
}

const fail = (where: Location, detail: string): never => {
  throw new UnsupportedTemplateError(where.logicalId, where.path, detail);
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return JSON.stringify(value)?.slice(0, 120) ?? String(value);
}

/** Parameter types whose value is a list. */
function isListType(type: string): boolean {
  return type === 'CommaDelimitedList' || type.startsWith('List<') || /^AWS::SSM::Parameter::Value<List<|^AWS::SSM::Parameter::Value<CommaDelimitedList>/.test(type);
}

/** Evaluates intrinsics, conditions and parameters of one template. */
export class IntrinsicResolver {
  private readonly parameterValues = new Map<string, string | string[]>();
  private readonly conditionCache = new Map<string, boolean>();
  private readonly conditionsInProgress = new Set<string>();

  constructor(private readonly ctx: ResolverContext) {
    const declared = ctx.template.Parameters ?? {};
    for (const name of Object.keys(ctx.parameters ?? {})) {
      if (!Object.hasOwn(declared, name)) {
        fail({ logicalId: `Parameters.${name}`, path: 'Value' }, `parameter ${name} is not declared in the template`);
      }
    }
    for (const [name, declaration] of Object.entries(declared)) {
      const supplied = ctx.parameters?.[name];
      const raw = supplied ?? declaration.Default;
      const where = { logicalId: `Parameters.${name}`, path: supplied === undefined ? 'Default' : 'Value' };
      if (raw === undefined) {
        fail(where, `parameter ${name} has no Default and no value was supplied (pass it in the parameters option)`);
      }
      const text = Array.isArray(raw) ? raw.map(String).join(',') : String(raw);
      if (declaration.AllowedValues && !declaration.AllowedValues.map(String).includes(text)) {
        fail(where, `value ${describe(text)} of parameter ${name} is not one of its AllowedValues`);
      }
      // SSM parameter types resolve to their default (the SSM parameter name) locally: there is no SSM to ask.
      this.parameterValues.set(name, isListType(declaration.Type) ? text.split(',').map((s) => s.trim()) : text);
    }
  }

  /** Resolved parameter values (lists joined with commas, NoEcho masked), for DescribeStacks. */
  parameterList(): { ParameterKey: string; ParameterValue: string }[] {
    const declared = this.ctx.template.Parameters ?? {};
    return [...this.parameterValues].map(([key, value]) => ({
      ParameterKey: key,
      // DescribeStacks masks NoEcho parameters.
      ParameterValue: String(declared[key]?.NoEcho) === 'true' ? '****' : Array.isArray(value) ? value.join(',') : value,
    }));
  }

  /** Value of a named condition from the `Conditions` section. */
  condition(name: string, where: Location): boolean {
    const cached = this.conditionCache.get(name);
    if (cached !== undefined) return cached;
    const conditions = this.ctx.template.Conditions ?? {};
    if (!Object.hasOwn(conditions, name)) fail(where, `unknown condition ${name}`);
    if (this.conditionsInProgress.has(name)) fail(where, `condition ${name} refers to itself`);
    this.conditionsInProgress.add(name);
    try {
      const value = this.resolve(conditions[name], { logicalId: `Conditions.${name}`, path: 'Value' });
      if (typeof value !== 'boolean') fail({ logicalId: `Conditions.${name}`, path: 'Value' }, `condition does not evaluate to true/false: ${describe(value)}`);
      this.conditionCache.set(name, value as boolean);
      return value as boolean;
    } finally {
      this.conditionsInProgress.delete(name);
    }
  }

  /**
   * Resolve every intrinsic in `value`. Returns {@link NO_VALUE} when the
   * whole value is `AWS::NoValue`.
   */
  resolve(value: unknown, where: Location): unknown {
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      value.forEach((item, i) => {
        const resolved = this.resolve(item, { ...where, path: `${where.path}.${i}` });
        if (resolved !== NO_VALUE) out.push(resolved);
      });
      return out;
    }
    if (!isPlainObject(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const key = keys[0]!;
      if (key === 'Ref' || key.startsWith('Fn::') || (key === 'Condition' && typeof value[key] === 'string' && where.logicalId.startsWith('Conditions.'))) {
        return this.intrinsic(key, value[key], { ...where, path: `${where.path}.${key}` });
      }
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const resolved = this.resolve(value[key], { ...where, path: where.path ? `${where.path}.${key}` : key });
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }

  private resolveString(value: unknown, where: Location, fn: string): string {
    const resolved = this.resolve(value, where);
    if (typeof resolved === 'string') return resolved;
    if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
    return fail(where, `${fn} expects a string, got ${describe(resolved)}`);
  }

  private resolveList(value: unknown, where: Location, fn: string): unknown[] {
    const resolved = this.resolve(value, where);
    if (!Array.isArray(resolved)) fail(where, `${fn} expects a list, got ${describe(resolved)}`);
    return resolved as unknown[];
  }

  private resolveBoolean(value: unknown, where: Location, fn: string): boolean {
    const resolved = this.resolve(value, where);
    if (typeof resolved === 'boolean') return resolved;
    if (resolved === 'true' || resolved === 'false') return resolved === 'true';
    return fail(where, `${fn} expects a condition, got ${describe(resolved)}`);
  }

  private intrinsic(fn: string, arg: unknown, where: Location): unknown {
    switch (fn) {
      case 'Ref':
        if (typeof arg !== 'string') fail(where, `Ref expects a name, got ${describe(arg)}`);
        return this.ref(arg as string, where);
      case 'Condition':
        return this.condition(arg as string, where);
      case 'Fn::GetAtt':
        return this.getAtt(arg, where);
      case 'Fn::Join': {
        if (!Array.isArray(arg) || arg.length !== 2) fail(where, `Fn::Join expects [delimiter, list], got ${describe(arg)}`);
        const [delimiter, list] = arg as [unknown, unknown];
        const sep = this.resolveString(delimiter, { ...where, path: `${where.path}.0` }, 'Fn::Join');
        const items = this.resolveList(list, { ...where, path: `${where.path}.1` }, 'Fn::Join');
        return items
          .map((item, i) => {
            if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') return String(item);
            return fail({ ...where, path: `${where.path}.1.${i}` }, `Fn::Join can only join strings, got ${describe(item)}`);
          })
          .join(sep);
      }
      case 'Fn::Sub':
        return this.sub(arg, where);
      case 'Fn::Select': {
        if (!Array.isArray(arg) || arg.length !== 2) fail(where, `Fn::Select expects [index, list], got ${describe(arg)}`);
        const [indexArg, listArg] = arg as [unknown, unknown];
        const index = Number(this.resolve(indexArg, { ...where, path: `${where.path}.0` }));
        const list = this.resolveList(listArg, { ...where, path: `${where.path}.1` }, 'Fn::Select');
        if (!Number.isInteger(index) || index < 0 || index >= list.length) {
          fail(where, `Fn::Select index ${describe(indexArg)} is out of bounds for a list of ${list.length}`);
        }
        return list[index];
      }
      case 'Fn::Split': {
        if (!Array.isArray(arg) || arg.length !== 2) fail(where, `Fn::Split expects [delimiter, string], got ${describe(arg)}`);
        const [delimiter, source] = arg as [unknown, unknown];
        const sep = this.resolveString(delimiter, { ...where, path: `${where.path}.0` }, 'Fn::Split');
        return this.resolveString(source, { ...where, path: `${where.path}.1` }, 'Fn::Split').split(sep);
      }
      case 'Fn::If': {
        if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') {
          fail(where, `Fn::If expects [conditionName, valueIfTrue, valueIfFalse], got ${describe(arg)}`);
        }
        const [name, whenTrue, whenFalse] = arg as [string, unknown, unknown];
        return this.condition(name, where)
          ? this.resolve(whenTrue, { ...where, path: `${where.path}.1` })
          : this.resolve(whenFalse, { ...where, path: `${where.path}.2` });
      }
      case 'Fn::Equals': {
        if (!Array.isArray(arg) || arg.length !== 2) fail(where, `Fn::Equals expects two values, got ${describe(arg)}`);
        const [a, b] = (arg as unknown[]).map((v, i) => this.resolve(v, { ...where, path: `${where.path}.${i}` }));
        // CloudFormation compares the string forms: `{"Fn::Equals": [1, "1"]}` is true.
        return JSON.stringify(typeof a === 'number' || typeof a === 'boolean' ? String(a) : a) ===
          JSON.stringify(typeof b === 'number' || typeof b === 'boolean' ? String(b) : b);
      }
      case 'Fn::And':
      case 'Fn::Or': {
        if (!Array.isArray(arg) || arg.length < 2 || arg.length > 10) fail(where, `${fn} expects 2 to 10 conditions, got ${describe(arg)}`);
        const values = (arg as unknown[]).map((v, i) => this.resolveBoolean(v, { ...where, path: `${where.path}.${i}` }, fn));
        return fn === 'Fn::And' ? values.every(Boolean) : values.some(Boolean);
      }
      case 'Fn::Not': {
        if (!Array.isArray(arg) || arg.length !== 1) fail(where, `Fn::Not expects [condition], got ${describe(arg)}`);
        return !this.resolveBoolean((arg as unknown[])[0], { ...where, path: `${where.path}.0` }, fn);
      }
      case 'Fn::GetAZs': {
        const region = this.resolveString(arg ?? '', where, fn) || this.ctx.env.region;
        return ['a', 'b', 'c'].map((zone) => `${region}${zone}`);
      }
      case 'Fn::Base64':
        return Buffer.from(this.resolveString(arg, where, fn), 'utf8').toString('base64');
      case 'Fn::FindInMap':
        return this.findInMap(arg, where);
      case 'Fn::ImportValue': {
        const name = this.resolve(arg, where);
        const exported = typeof name === 'string' ? this.ctx.exports?.get(name) : undefined;
        if (exported !== undefined) return exported;
        const elsewhere = typeof name === 'string' ? this.ctx.exportedElsewhere?.(name) : undefined;
        if (elsewhere !== undefined) {
          // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-importvalue.html
          return fail(
            where,
            `Fn::ImportValue ${describe(name)}: it is exported in ${elsewhere}, and CloudFormation imports only exports of the stack's own account and region (${this.ctx.env.account}/${this.ctx.env.region})`,
          );
        }
        return fail(
          where,
          `Fn::ImportValue ${describe(name)}: no stack served here exports it; serve the exporting stack with this one (see --stacks)`,
        );
      }
      case 'Fn::ToJsonString':
        return JSON.stringify(this.resolve(arg, where));
      case 'Fn::Length':
        return this.resolveList(arg, where, fn).length;
      default:
        return fail(where, `${fn} is not supported by the local runtime`);
    }
  }

  private ref(name: string, where: Location): unknown {
    switch (name) {
      case 'AWS::AccountId':
        return this.ctx.env.account;
      case 'AWS::Region':
        return this.ctx.env.region;
      case 'AWS::Partition':
        return this.ctx.env.partition;
      case 'AWS::URLSuffix':
        return this.ctx.env.urlSuffix;
      case 'AWS::StackName':
        return this.ctx.stackName;
      case 'AWS::StackId':
        return this.ctx.stackId;
      case 'AWS::NoValue':
        return NO_VALUE;
      case 'AWS::NotificationARNs':
        return [];
    }
    if (this.parameterValues.has(name)) return this.parameterValues.get(name);
    if (Object.hasOwn(this.ctx.template.Resources ?? {}, name)) return this.ctx.refOf(name, where);
    return fail(where, `Ref to unknown resource or parameter ${name}`);
  }

  private getAtt(arg: unknown, where: Location): string {
    let parts: unknown[];
    if (typeof arg === 'string') {
      const dot = arg.indexOf('.');
      if (dot < 0) fail(where, `Fn::GetAtt expects "Resource.Attribute", got ${describe(arg)}`);
      parts = [arg.slice(0, dot), arg.slice(dot + 1)];
    } else if (Array.isArray(arg) && arg.length === 2) {
      parts = [arg[0], this.resolve(arg[1], { ...where, path: `${where.path}.1` })];
    } else {
      return fail(where, `Fn::GetAtt expects [resource, attribute], got ${describe(arg)}`);
    }
    const [logicalId, attribute] = parts;
    if (typeof logicalId !== 'string' || typeof attribute !== 'string') {
      return fail(where, `Fn::GetAtt expects [resource, attribute] names, got ${describe(arg)}`);
    }
    if (!Object.hasOwn(this.ctx.template.Resources ?? {}, logicalId)) {
      return fail(where, `Fn::GetAtt of unknown resource ${logicalId}`);
    }
    return this.ctx.attributeOf(logicalId, attribute, where);
  }

  private sub(arg: unknown, where: Location): string {
    let text: unknown;
    const vars = new Map<string, unknown>();
    if (typeof arg === 'string') {
      text = arg;
    } else if (Array.isArray(arg) && arg.length === 2 && typeof arg[0] === 'string' && isPlainObject(arg[1])) {
      text = arg[0];
      for (const [key, raw] of Object.entries(arg[1])) {
        vars.set(key, this.resolve(raw, { ...where, path: `${where.path}.1.${key}` }));
      }
    } else {
      return fail(where, `Fn::Sub expects a string or [string, {variables}], got ${describe(arg)}`);
    }
    return (text as string).replace(/\$\{([^}]*)\}/g, (_match, inner: string) => {
      // `${!Literal}` is written out as `${Literal}`.
      if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
      const name = inner.trim();
      let value: unknown;
      if (vars.has(name)) {
        value = vars.get(name);
      } else if (name.includes('.') && !name.startsWith('AWS::')) {
        const dot = name.indexOf('.');
        value = this.getAtt([name.slice(0, dot), name.slice(dot + 1)], where);
      } else {
        value = this.ref(name, where);
      }
      if (Array.isArray(value)) value = value.join(',');
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
      return fail(where, `Fn::Sub variable \${${name}} does not resolve to a string: ${describe(value)}`);
    });
  }

  private findInMap(arg: unknown, where: Location): unknown {
    if (!Array.isArray(arg) || arg.length < 3 || arg.length > 4) {
      return fail(where, `Fn::FindInMap expects [MapName, TopLevelKey, SecondLevelKey], got ${describe(arg)}`);
    }
    const [mapName, topKey, secondKey] = arg.slice(0, 3).map((v, i) => this.resolveString(v, { ...where, path: `${where.path}.${i}` }, 'Fn::FindInMap'));
    const fallback = arg[3];
    const map = this.ctx.template.Mappings?.[mapName!];
    const found = map && Object.hasOwn(map, topKey!) && Object.hasOwn(map[topKey!]!, secondKey!) ? map[topKey!]![secondKey!] : undefined;
    if (found !== undefined) return found;
    // AWS::LanguageExtensions lets a FindInMap carry a DefaultValue.
    if (isPlainObject(fallback) && 'DefaultValue' in fallback) return this.resolve(fallback.DefaultValue, { ...where, path: `${where.path}.3.DefaultValue` });
    if (!map) return fail(where, `Fn::FindInMap of unknown mapping ${mapName}`);
    return fail(where, `Fn::FindInMap: mapping ${mapName} has no ${topKey}.${secondKey}`);
  }
}
