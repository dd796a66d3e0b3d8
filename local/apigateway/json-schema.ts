/**
 * JSON Schema draft 4, the dialect of API Gateway models, for request body
 * validation. Covers the validation keywords; annotations (`title`,
 * `description`, `format`) do not constrain, and `$ref` resolves inside the
 * schema only (`#/definitions/...`).
 */

type Schema = Readonly<Record<string, unknown>>;

/** Every `$ref` in a schema that does not point inside it (another model by URL). */
export function externalRefs(schema: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref' && typeof v === 'string' && !v.startsWith('#')) out.push(v);
        else walk(v);
      }
    }
  };
  walk(schema);
  return out;
}

/** `pattern` and `patternProperties` regexes, compiled once: schemas are fixed at start-up, bodies come per request. */
const compiled = new Map<string, RegExp>();

function schemaRegex(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(pattern, 'u');
    compiled.set(pattern, re);
  }
  return re;
}

/** The `pattern` / `patternProperties` regexes of a schema that do not compile (so the model cannot be served). */
export function invalidPatterns(schema: unknown): string[] {
  const out: string[] = [];
  const check = (pattern: string): void => {
    try {
      schemaRegex(pattern);
    } catch {
      out.push(pattern);
    }
  };
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === 'pattern' && typeof v === 'string') check(v);
        else if (k === 'patternProperties' && v && typeof v === 'object') Object.keys(v).forEach(check);
        walk(v);
      }
    }
  };
  walk(schema);
  return out;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function resolveRef(root: Schema, ref: string): Schema {
  let node: unknown = root;
  for (const part of ref.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node && typeof node === 'object' ? (node as Schema) : {};
}

/** Violations of `schema` by `value` (empty when valid), each naming the JSON path. */
export function validateJsonSchema(schema: Schema, value: unknown, root: Schema = schema, at = '$'): string[] {
  if (typeof schema.$ref === 'string') return validateJsonSchema(resolveRef(root, schema.$ref), value, root, at);
  const errors: string[] = [];
  const fail = (message: string) => errors.push(`${at}: ${message}`);
  const s = schema as Record<string, unknown>;

  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((t) => matchesType(value, t))) fail(`expected type ${types.join('|')}, got ${typeOf(value)}`);
  }
  if (Array.isArray(s.enum) && !s.enum.some((e) => deepEqual(e, value))) fail('not one of the allowed values');
  if (Array.isArray(s.allOf)) for (const sub of s.allOf as Schema[]) errors.push(...validateJsonSchema(sub, value, root, at));
  if (Array.isArray(s.anyOf) && !(s.anyOf as Schema[]).some((sub) => validateJsonSchema(sub, value, root, at).length === 0)) fail('matches none of anyOf');
  if (Array.isArray(s.oneOf) && (s.oneOf as Schema[]).filter((sub) => validateJsonSchema(sub, value, root, at).length === 0).length !== 1) {
    fail('does not match exactly one of oneOf');
  }
  if (s.not && typeof s.not === 'object' && validateJsonSchema(s.not as Schema, value, root, at).length === 0) fail('matches not');

  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof s.minLength === 'number' && length < s.minLength) fail(`shorter than ${s.minLength}`);
    if (typeof s.maxLength === 'number' && length > s.maxLength) fail(`longer than ${s.maxLength}`);
    if (typeof s.pattern === 'string' && !schemaRegex(s.pattern).test(value)) fail(`does not match ${s.pattern}`);
  }
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && (s.exclusiveMinimum === true ? value <= s.minimum : value < s.minimum)) fail(`below minimum ${s.minimum}`);
    if (typeof s.maximum === 'number' && (s.exclusiveMaximum === true ? value >= s.maximum : value > s.maximum)) fail(`above maximum ${s.maximum}`);
    if (typeof s.multipleOf === 'number' && s.multipleOf > 0 && Math.abs(value / s.multipleOf - Math.round(value / s.multipleOf)) > 1e-9) {
      fail(`not a multiple of ${s.multipleOf}`);
    }
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) fail(`fewer than ${s.minItems} items`);
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) fail(`more than ${s.maxItems} items`);
    if (s.uniqueItems === true && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) fail('items are not unique');
    if (Array.isArray(s.items)) {
      const tuple = s.items as Schema[];
      value.forEach((item, i) => {
        if (i < tuple.length) errors.push(...validateJsonSchema(tuple[i]!, item, root, `${at}[${i}]`));
        else if (s.additionalItems === false) fail(`unexpected item ${i}`);
        else if (s.additionalItems && typeof s.additionalItems === 'object') {
          errors.push(...validateJsonSchema(s.additionalItems as Schema, item, root, `${at}[${i}]`));
        }
      });
    } else if (s.items && typeof s.items === 'object') {
      value.forEach((item, i) => errors.push(...validateJsonSchema(s.items as Schema, item, root, `${at}[${i}]`)));
    }
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (Array.isArray(s.required)) for (const key of s.required as string[]) if (!(key in obj)) fail(`missing required property ${key}`);
    if (typeof s.minProperties === 'number' && keys.length < s.minProperties) fail(`fewer than ${s.minProperties} properties`);
    if (typeof s.maxProperties === 'number' && keys.length > s.maxProperties) fail(`more than ${s.maxProperties} properties`);
    const properties = (s.properties ?? {}) as Record<string, Schema>;
    const patterns = Object.entries((s.patternProperties ?? {}) as Record<string, Schema>).map(([p, sub]) => [schemaRegex(p), sub] as const);
    for (const key of keys) {
      let matched = false;
      if (Object.prototype.hasOwnProperty.call(properties, key)) {
        matched = true;
        errors.push(...validateJsonSchema(properties[key]!, obj[key], root, `${at}.${key}`));
      }
      for (const [re, sub] of patterns) {
        if (re.test(key)) {
          matched = true;
          errors.push(...validateJsonSchema(sub, obj[key], root, `${at}.${key}`));
        }
      }
      if (!matched) {
        if (s.additionalProperties === false) fail(`unexpected property ${key}`);
        else if (s.additionalProperties && typeof s.additionalProperties === 'object') {
          errors.push(...validateJsonSchema(s.additionalProperties as Schema, obj[key], root, `${at}.${key}`));
        }
      }
    }
    for (const [key, dep] of Object.entries((s.dependencies ?? {}) as Record<string, unknown>)) {
      if (!(key in obj)) continue;
      if (Array.isArray(dep)) {
        for (const needed of dep as string[]) if (!(needed in obj)) fail(`property ${key} requires ${needed}`);
      } else if (dep && typeof dep === 'object') errors.push(...validateJsonSchema(dep as Schema, value, root, at));
    }
  }
  return errors;
}
