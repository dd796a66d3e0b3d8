/**
 * A small JSON reader for event patterns. EventBridge parses patterns with a
 * streaming Java parser, so duplicate keys are all visited in document order
 * (not collapsed as `JSON.parse` does) and syntax errors carry the parser's
 * wording. This reader keeps object members as an ordered entry list and
 * reproduces the first line of those messages.
 */

/** A parsed JSON value; objects keep every member, duplicates included. */
export type JsonNode =
  | { readonly kind: 'object'; readonly entries: ReadonlyArray<readonly [string, JsonNode]> }
  | { readonly kind: 'array'; readonly items: readonly JsonNode[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number; readonly text: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' };

/** A syntax error, worded as the Java parser words it. */
export class JsonTextError extends Error {}

const EXPECTING_VALUE = "was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

/** Parse `text` into a {@link JsonNode}; throws {@link JsonTextError}. */
export function parseJsonText(text: string): JsonNode {
  const reader = new Reader(text);
  reader.skipWhitespace();
  const node = reader.value();
  reader.skipWhitespace();
  if (reader.pos < text.length) {
    throw new JsonTextError(
      `Unexpected character (${describeChar(text, reader.pos)}): expected a value or end-of-input`,
    );
  }
  return node;
}

/** Convert an already-parsed JS value (e.g. from a template) into a node. */
export function toJsonNode(value: unknown): JsonNode {
  if (value === null || value === undefined) return { kind: 'null' };
  if (typeof value === 'string') return { kind: 'string', value };
  if (typeof value === 'number') return { kind: 'number', value, text: String(value) };
  if (typeof value === 'boolean') return { kind: 'boolean', value };
  if (Array.isArray(value)) return { kind: 'array', items: value.map(toJsonNode) };
  if (typeof value === 'object') {
    return { kind: 'object', entries: Object.entries(value).map(([k, v]) => [k, toJsonNode(v)] as const) };
  }
  throw new JsonTextError(`Unsupported value of type ${typeof value}`);
}

function describeChar(text: string, pos: number): string {
  const code = text.codePointAt(pos) ?? 0;
  return `'${String.fromCodePoint(code)}' (code ${code})`;
}

/** Jackson's default StreamReadConstraints nesting limit. */
const MAX_NESTING_DEPTH = 1000;

class Reader {
  pos = 0;
  private depth = 0;
  constructor(private readonly text: string) {}

  skipWhitespace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  private endOfInput(context: string): never {
    throw new JsonTextError(`Unexpected end-of-input${context}`);
  }

  value(): JsonNode {
    const t = this.text;
    if (this.pos >= t.length) this.endOfInput(': expected a value');
    const c = t[this.pos]!;
    if (c === '{' || c === '[') {
      // Bounded like Jackson's reader, so a hostile pattern gets an answer instead of exhausting the stack.
      if (++this.depth > MAX_NESTING_DEPTH) {
        throw new JsonTextError(
          `Document nesting depth (${this.depth}) exceeds the maximum allowed (${MAX_NESTING_DEPTH}, from \`StreamReadConstraints.getMaxNestingDepth()\`)`,
        );
      }
      const node = c === '{' ? this.object() : this.array();
      this.depth--;
      return node;
    }
    if (c === '"') return { kind: 'string', value: this.string() };
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    return this.keyword();
  }

  private keyword(): JsonNode {
    const t = this.text;
    const start = this.pos;
    let end = start;
    while (end < t.length && /[\p{L}\p{N}_$]/u.test(t[end]!)) end++;
    const word = t.slice(start, end);
    if (word === 'true' || word === 'false' || word === 'null') {
      this.pos = end;
      return word === 'null' ? { kind: 'null' } : { kind: 'boolean', value: word === 'true' };
    }
    if (word === '') {
      throw new JsonTextError(
        `Unexpected character (${describeChar(t, start)}): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')`,
      );
    }
    throw new JsonTextError(`Unrecognized token '${word}': ${EXPECTING_VALUE}`);
  }

  private number(): JsonNode {
    const t = this.text;
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(t.slice(this.pos, this.pos + 400));
    if (!match) {
      throw new JsonTextError(`Unexpected character (${describeChar(t, this.pos + 1)}) in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value`);
    }
    this.pos += match[0].length;
    return { kind: 'number', value: Number(match[0]), text: match[0] };
  }

  string(): string {
    const t = this.text;
    this.pos++; // opening quote
    let out = '';
    let chunkStart = this.pos;
    while (true) {
      if (this.pos >= t.length) this.endOfInput(' in VALUE_STRING');
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        out += t.slice(chunkStart, this.pos);
        this.pos++;
        return out;
      }
      if (c === 0x5c) {
        out += t.slice(chunkStart, this.pos);
        const e = t[this.pos + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && Object.hasOwn(simple, e)) {
          out += simple[e];
          this.pos += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(t.slice(this.pos + 2, this.pos + 6))) {
          out += String.fromCharCode(parseInt(t.slice(this.pos + 2, this.pos + 6), 16));
          this.pos += 6;
        } else {
          throw new JsonTextError(`Unrecognized character escape ${describeChar(t, this.pos + 1)}`);
        }
        chunkStart = this.pos;
        continue;
      }
      if (c < 0x20) {
        throw new JsonTextError(
          `Illegal unquoted character ((CTRL-CHAR, code ${c})): has to be escaped using backslash to be included in string value`,
        );
      }
      this.pos++;
    }
  }

  private object(): JsonNode {
    const t = this.text;
    this.pos++;
    const entries: Array<readonly [string, JsonNode]> = [];
    this.skipWhitespace();
    if (t[this.pos] === '}') {
      this.pos++;
      return { kind: 'object', entries };
    }
    while (true) {
      this.skipWhitespace();
      if (this.pos >= t.length) this.endOfInput(': expected close marker for Object');
      if (t[this.pos] !== '"') {
        throw new JsonTextError(
          `Unexpected character (${describeChar(t, this.pos)}): was expecting double-quote to start field name`,
        );
      }
      const key = this.string();
      this.skipWhitespace();
      if (this.pos >= t.length) this.endOfInput(': expected close marker for Object');
      if (t[this.pos] !== ':') {
        throw new JsonTextError(
          `Unexpected character (${describeChar(t, this.pos)}): was expecting a colon to separate field name and value`,
        );
      }
      this.pos++;
      this.skipWhitespace();
      entries.push([key, this.value()]);
      if (this.closes('}', 'Object')) return { kind: 'object', entries };
    }
  }

  private array(): JsonNode {
    const t = this.text;
    this.pos++;
    const items: JsonNode[] = [];
    this.skipWhitespace();
    if (t[this.pos] === ']') {
      this.pos++;
      return { kind: 'array', items };
    }
    while (true) {
      this.skipWhitespace();
      items.push(this.value());
      if (this.closes(']', 'Array')) return { kind: 'array', items };
    }
  }

  /** After an entry: consume `close` (true) or a comma (false), with Jackson's errors otherwise. */
  private closes(close: '}' | ']', what: 'Object' | 'Array'): boolean {
    const t = this.text;
    this.skipWhitespace();
    if (this.pos >= t.length) this.endOfInput(`: expected close marker for ${what}`);
    const c = t[this.pos];
    this.pos++;
    if (c === close) return true;
    if (c !== ',') {
      throw new JsonTextError(`Unexpected character (${describeChar(t, this.pos - 1)}): was expecting comma to separate ${what} entries`);
    }
    return false;
  }
}
