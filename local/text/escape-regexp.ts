/**
 * `text` as a regular expression source that matches exactly that text.
 * Escapes only ECMAScript syntax characters, so the result is also valid
 * under the `u` and `v` flags outside a character class, where an escaped
 * non-syntax character (e.g. `\-`) is an error.
 */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
