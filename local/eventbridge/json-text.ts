/**
 * A small JSON reader for event patterns. EventBridge parses patterns with a
 * streaming Java parser, so duplicate keys are all visited in document order
 * (not collapsed as `JSON.parse` does) and syntax errors carry the parser's
 * wording. This reader keeps object members as an ordered entry list,
 * records where each value sits in the text (for the parser's error
 * locations) and reproduces those messages.
 */

/** Where a value sits in the text: `start` is its first character, `end` is just past its last. */
export interface TextSpan {
  readonly start: number;
  readonly end: number;
}

type JsonValue =
  | { readonly kind: 'object'; readonly entries: ReadonlyArray<readonly [string, JsonNode]> }
  | { readonly kind: 'array'; readonly items: readonly JsonNode[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number; readonly text: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' };

/** A parsed JSON value; objects keep every member, duplicates included. */
export type JsonNode = TextSpan & JsonValue;

/**
 * A syntax error, worded as the Java parser words it. `offset` is where the
 * parser stood: past the offending token, except for "Unexpected character"
 * errors, which point at the character itself (jackson-core 2.17+,
 * `currentLocationMinusOne`, as AWS's recording of `{'bad': 'quotation'}` shows).
 * None for the nesting limit: Jackson's StreamConstraintsException carries no location.
 */
export class JsonTextError extends Error {
  constructor(
    message: string,
    readonly offset?: number,
  ) {
    super(message);
  }
}

/** Jackson's default limit on the source text quoted in an error location (ErrorReportConfiguration). */
const MAX_QUOTED_SOURCE = 500;

/**
 * The location line Jackson appends to a parse error, for `text` parsed from
 * a String with the source included: `\n at [Source: (String)"..."; line: L,
 * column: C]`. `offset` is the parser's position (the next character to
 * read). Lines and columns count from 1, a CR LF pair is one line break, and
 * the quoted text is cut at 500 characters with ISO control characters other
 * than CR and LF written as `\uXXXX` (jackson-core ContentReference).
 */
export function jacksonLocation(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) {
      line++;
      lineStart = i + 1;
    }
  }
  const quoted = text
    .slice(0, MAX_QUOTED_SOURCE)
    .replace(/[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, (c) =>
      `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
    );
  const truncated = text.length > MAX_QUOTED_SOURCE ? `[truncated ${text.length - MAX_QUOTED_SOURCE} chars]` : '';
  return `\n at [Source: (String)"${quoted}"${truncated}; line: ${line}, column: ${offset - lineStart + 1}]`;
}

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
      reader.pos,
    );
  }
  return node;
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
    throw new JsonTextError(`Unexpected end-of-input${context}`, this.text.length);
  }

  value(): JsonNode {
    const start = this.pos;
    const node = this.valueAt();
    return { ...node, start, end: this.pos };
  }

  private valueAt(): JsonValue {
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

  private keyword(): JsonValue {
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
        start,
      );
    }
    throw new JsonTextError(`Unrecognized token '${word}': ${EXPECTING_VALUE}`, end);
  }

  private number(): JsonValue {
    const t = this.text;
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(t.slice(this.pos, this.pos + 400));
    if (!match) {
      throw new JsonTextError(
        `Unexpected character (${describeChar(t, this.pos + 1)}) in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value`,
        this.pos + 2,
      );
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
          throw new JsonTextError(`Unrecognized character escape ${describeChar(t, this.pos + 1)}`, this.pos + 2);
        }
        chunkStart = this.pos;
        continue;
      }
      if (c < 0x20) {
        throw new JsonTextError(
          `Illegal unquoted character ((CTRL-CHAR, code ${c})): has to be escaped using backslash to be included in string value`,
          this.pos + 1,
        );
      }
      this.pos++;
    }
  }

  private object(): JsonValue {
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
          this.pos,
        );
      }
      const key = this.string();
      this.skipWhitespace();
      if (this.pos >= t.length) this.endOfInput(': expected close marker for Object');
      if (t[this.pos] !== ':') {
        throw new JsonTextError(
          `Unexpected character (${describeChar(t, this.pos)}): was expecting a colon to separate field name and value`,
          this.pos,
        );
      }
      this.pos++;
      this.skipWhitespace();
      entries.push([key, this.value()]);
      if (this.closes('}', 'Object')) return { kind: 'object', entries };
    }
  }

  private array(): JsonValue {
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
      throw new JsonTextError(
        `Unexpected character (${describeChar(t, this.pos - 1)}): was expecting comma to separate ${what} entries`,
        this.pos - 1,
      );
    }
    return false;
  }
}
