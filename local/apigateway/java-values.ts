/**
 * How API Gateway's Java VTL engine prints and compares values. Templates
 * see JSON parsed into Java maps and lists, so a map prints `{foo=bar}`
 * (java.util.Map#toString) while a list prints as JSON (the JSON array
 * class API Gateway uses), and a null reference prints nothing.
 */

import { BoundedMemo } from '../bounded-memo.js';

/** Text a value renders as in a template. */
export function javaString(value: unknown): string {
  if (value === undefined || value === null) return '';
  return javaToString(value);
}

function javaToString(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return javaNumber(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return JSON.stringify(value, jsonReplacer);
  if (typeof value === 'function') return '';
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}=${javaToString(v)}`);
  return `{${entries.join(', ')}}`;
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'function' ? undefined : value;
}

function javaNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : n > 0 ? 'Infinity' : n < 0 ? '-Infinity' : 'NaN';
}

/**
 * Velocity `==`: numbers compare numerically, anything else by its printed
 * form (Velocity compares `toString()` of values of different classes).
 * AWS treats a null reference as equal to both `$null` and `""`.
 */
export function javaEquals(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b;
  return javaString(a) === javaString(b);
}

/**
 * commons-lang `StringEscapeUtils.escapeJavaScript`, which `$util.escapeJavaScript` is: UTF-16 units
 * above 0x7F become `\uXXXX`, so U+007F (DEL) itself stays as it is
 * (https://github.com/apache/commons-lang/blob/LANG_2_6/src/main/java/org/apache/commons/lang/StringEscapeUtils.java).
 */
export function escapeJavaScript(value: unknown): string {
  const s = javaString(value);
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (code > 0xffff) {
      // Java escapes each UTF-16 unit of a surrogate pair.
      for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0')}`;
    } else if (code > 0x7f) {
      out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    } else if (code < 0x20) {
      const named: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' };
      out += named[code] ?? `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    } else if (ch === '"' || ch === "'" || ch === '\\' || ch === '/') {
      out += `\\${ch}`;
    } else {
      out += ch;
    }
  }
  return out;
}

/** What encodeURIComponent leaves as it is but URLEncoder escapes (`!'()~`), and its `%20` for a space. */
const URI_COMPONENT_EXTRAS = /[!'()~]|%20/g;
/** In a `u` regex a paired surrogate is one code point, so this matches only the unpaired ones. */
const LONE_SURROGATE = /\p{Cs}/gu;
const URL_ENCODER_FORMS: Readonly<Record<string, string>> = { '!': '%21', "'": '%27', '(': '%28', ')': '%29', '~': '%7E', '%20': '+' };

/**
 * `java.net.URLEncoder.encode(s, "UTF-8")`: space becomes `+`, only `.-*_` stay unescaped.
 * encodeURIComponent writes the same upper-case UTF-8 escapes and leaves `.-*_` too, so
 * only `!'()~` and the space differ; about 10x faster than escaping byte by byte.
 */
export function urlEncode(value: unknown): string {
  const s = javaString(value);
  let encoded: string;
  try {
    encoded = encodeURIComponent(s);
  } catch {
    // A lone surrogate (encodeURIComponent throws): URLEncoder takes the bytes of String.getBytes(UTF-8),
    // whose encoder writes a malformed character as its replacement, '?' (so %3F), not U+FFFD.
    encoded = encodeURIComponent(s.replace(LONE_SURROGATE, '?'));
  }
  return encoded.replace(URI_COMPONENT_EXTRAS, (m) => URL_ENCODER_FORMS[m]!);
}

/** `java.net.URLDecoder.decode(s, "UTF-8")`; throws on a malformed escape as Java does. */
export function urlDecode(value: unknown): string {
  const s = javaString(value);
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '+') bytes.push(0x20);
    else if (c === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new Error(`URLDecoder: Illegal hex characters in escape (%) pattern - ${hex}`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Templates use a few fixed patterns; bounded in case one builds them from the request. */
const MAX_CACHED_PATTERNS = 500;
const compiledRegexes = new BoundedMemo<string, RegExp>(MAX_CACHED_PATTERNS);

/**
 * Java regex to JS: the syntax shared by both is what templates use in practice.
 * One RegExp per pattern and flags, shared: its callers (replace, test, split)
 * do not depend on `lastIndex`, and compiling it on every render was measurable.
 */
export function javaRegex(pattern: string, flags = ''): RegExp {
  const key = `${flags}/${pattern}`;
  return compiledRegexes.get(key) ?? compiledRegexes.set(key, new RegExp(pattern, flags));
}

const JAVA_REPLACEMENT_ESCAPES = /\\\$|\$\$|\\\\/g;

/** Java replacement string (`$1`, `\$`) to a JS replacer. */
export function javaReplacement(replacement: string): string {
  if (!replacement.includes('$') && !replacement.includes('\\')) return replacement;
  return replacement.replace(JAVA_REPLACEMENT_ESCAPES, (m) => (m === '\\$' ? '$$' : m === '\\\\' ? '\\' : '$$$$'));
}

/** `String#split(regex)`: Java drops trailing empty strings. */
export function javaSplit(s: string, regex: string): string[] {
  const parts = s.split(javaRegex(regex));
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length === 1 && parts[0] === '' && s !== '') return [];
  return parts;
}
