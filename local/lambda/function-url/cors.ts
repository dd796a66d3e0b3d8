/**
 * CORS of a function URL, from its `Cors` settings: Lambda answers a
 * preflight itself and adds the configured headers to every response,
 * where they take precedence over the function's own
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html#urls-cors).
 */
import type { FunctionUrlCors } from './config.js';
import type { FunctionUrlResponse } from './response.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** Whether a request is a CORS preflight: OPTIONS with an Origin and Access-Control-Request-Method. */
export function isPreflight(method: string, headers: Headers): boolean {
  return method === 'OPTIONS' && first(headers['origin']) !== undefined && first(headers['access-control-request-method']) !== undefined;
}

/** The Access-Control-Allow-Origin value for `origin`, or undefined when the URL does not allow it. */
function allowedOrigin(cors: FunctionUrlCors, origin: string | undefined): string | undefined {
  if (origin === undefined) return undefined;
  if (cors.allowOrigins.includes('*')) return '*';
  // Origins compare as scheme://host[:port], case-insensitively in scheme and host.
  return cors.allowOrigins.some((o) => o.toLowerCase() === origin.toLowerCase()) ? origin : undefined;
}

/**
 * The preflight answer: 200 with the allowed origin, methods, headers,
 * max age and credentials when the origin, method and requested headers are
 * allowed; 200 without CORS headers (so the browser refuses) otherwise.
 */
export function preflightResponse(cors: FunctionUrlCors, headers: Headers): FunctionUrlResponse {
  const origin = allowedOrigin(cors, first(headers['origin']));
  const method = (first(headers['access-control-request-method']) ?? '').toUpperCase();
  const requested = (first(headers['access-control-request-headers']) ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const methodOk = cors.allowMethods.includes('*') || cors.allowMethods.includes(method);
  const headersOk = cors.allowHeaders.includes('*') || requested.every((h) => cors.allowHeaders.includes(h));
  const out: Record<string, string> = {};
  if (origin !== undefined && methodOk && headersOk) {
    out['access-control-allow-origin'] = origin;
    out['access-control-allow-methods'] = cors.allowMethods.join(',');
    if (cors.allowHeaders.length > 0) out['access-control-allow-headers'] = cors.allowHeaders.join(',');
    if (cors.exposeHeaders.length > 0) out['access-control-expose-headers'] = cors.exposeHeaders.join(',');
    if (cors.maxAge !== undefined) out['access-control-max-age'] = String(cors.maxAge);
    if (cors.allowCredentials) out['access-control-allow-credentials'] = 'true';
    if (origin !== '*') out['vary'] = 'Origin';
  }
  return { statusCode: 200, headers: out, body: Buffer.alloc(0) };
}

/**
 * `response` with the URL's CORS headers for a request from an allowed
 * origin; any Access-Control-* header the function set is replaced, as the
 * configured ones take precedence.
 */
export function withCorsHeaders(cors: FunctionUrlCors, requestHeaders: Headers, response: FunctionUrlResponse): FunctionUrlResponse {
  const origin = allowedOrigin(cors, first(requestHeaders['origin']));
  if (origin === undefined) return response;
  const headers = Object.fromEntries(Object.entries(response.headers).filter(([name]) => !name.startsWith('access-control-')));
  headers['access-control-allow-origin'] = origin;
  if (cors.exposeHeaders.length > 0) headers['access-control-expose-headers'] = cors.exposeHeaders.join(',');
  if (cors.allowCredentials) headers['access-control-allow-credentials'] = 'true';
  if (origin !== '*') headers['vary'] = headers['vary'] ? `${String(headers['vary'])}, Origin` : 'Origin';
  return { ...response, headers };
}
