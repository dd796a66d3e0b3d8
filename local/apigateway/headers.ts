/**
 * Method request headers as API Gateway presents them: under the name the
 * client spelled (`$input.params().header`, the proxy event's `headers`),
 * one list entry per header line, looked up without regard to case.
 */
import type { HttpRequest } from '../protocol/http.js';

/**
 * Node lower-cases `req.headers` and joins repeated lines; the client's
 * spelling and the separate lines survive only in `rawHeaders`, which the
 * front door may pass along.
 */
type WithRawHeaders = HttpRequest & { readonly rawHeaders?: readonly string[] };

/** The request's headers by name, each with its values in arrival order. */
/**
 * Appends `value` to the own list of `key`. Names come from the client, so
 * `constructor` must not find Object's and `__proto__` must become an entry,
 * not the map's prototype: API Gateway passes both on like any other name.
 */
export function pushValue(map: Record<string, string[]>, key: string, value: string): void {
  const values = Object.hasOwn(map, key) ? map[key] : undefined;
  if (values) values.push(value);
  else if (key === '__proto__') Object.defineProperty(map, key, { value: [value], enumerable: true, writable: true, configurable: true });
  else map[key] = [value];
}

export function requestHeaders(req: HttpRequest): Record<string, string[]> {
  const raw = (req as WithRawHeaders).rawHeaders;
  const out: Record<string, string[]> = {};
  if (raw && raw.length > 0) {
    // The first spelling of a name wins, as one map entry holds every line of it.
    const spelled = new Map<string, string>();
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!;
      const lower = name.toLowerCase();
      let key = spelled.get(lower);
      if (key === undefined) {
        key = name;
        spelled.set(lower, key);
      }
      pushValue(out, key, raw[i + 1]!);
    }
    return out;
  }
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    for (const value of Array.isArray(v) ? v : [v]) pushValue(out, k.toLowerCase(), String(value));
  }
  return out;
}

/** The entry of header `name` in a map keyed by header names of any spelling; undefined when absent. */
export function headerEntry<T>(headers: Readonly<Record<string, T>>, name: string): T | undefined {
  if (Object.hasOwn(headers, name)) return headers[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(headers)) {
    // Lengths first: most names differ in length, and a missing header (a GET's content-type) is the common
    // lookup. Lower-casing keeps a name's length except for U+0130 (İ), which becomes two units.
    if (k.length !== lower.length && !k.includes('\u0130')) continue;
    if (k.toLowerCase() === lower) return headers[k];
  }
  return undefined;
}

/** The values of header `name` in any spelling; undefined when absent. */
export function headerValues(headers: Readonly<Record<string, readonly string[]>>, name: string): readonly string[] | undefined {
  return headerEntry(headers, name);
}
