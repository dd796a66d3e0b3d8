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

/**
 * Sets `map[key]` as an own entry. Names come from the client, so
 * `__proto__` must become an entry, not the map's prototype: API Gateway
 * passes it on like any other name.
 */
export function setOwn<T>(map: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  else map[key] = value;
}

/** Appends `value` to the own list of `key` (`constructor` must not find Object's). */
export function pushValue(map: Record<string, string[]>, key: string, value: string): void {
  const values = Object.hasOwn(map, key) ? map[key] : undefined;
  if (values) values.push(value);
  else setOwn(map, key, [value]);
}

/** Each parameter's last value. A loop: Object.fromEntries over entries costs several times as much per request. */
export function lastValues(values: Record<string, string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(values)) {
    const v = values[k]!;
    setOwn(out, k, v[v.length - 1] ?? '');
  }
  return out;
}

/** Each header's lines joined with `,`, as single-value maps show them. */
export function joinedValues(values: Record<string, string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(values)) setOwn(out, k, values[k]!.join(','));
  return out;
}

/** The request's headers by name, each with its values in arrival order. */
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
