/**
 * The HTTP response a function URL makes of its function's result
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-response-payload).
 * Pure: the invocation's payload in, status, headers and body out.
 */

/** An HTTP response of a function URL; `set-cookie` is the one header sent several times. */
export interface FunctionUrlResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/**
 * A function error, or a result Lambda cannot turn into a response, is
 * answered 502 Bad Gateway without the function's error (what AWS answers
 * as observed; the docs do not spell out the body).
 */
export function badGateway(): FunctionUrlResponse {
  return { statusCode: 502, headers: { 'content-type': 'application/json' }, body: Buffer.from('Internal Server Error') };
}

/** A response of Lambda's own (403, 413, 429...) with its `{"Message": ...}` body. */
export function messageResponse(statusCode: number, message: string): FunctionUrlResponse {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ Message: message })) };
}

/**
 * Map a successful invocation's payload (JSON text):
 * - a JSON object with `statusCode` is a response: its `statusCode`,
 *   `headers`, `cookies` (one `set-cookie` each), `body` and
 *   `isBase64Encoded` are honoured;
 * - anything else (an object without `statusCode`, a string, a number) is
 *   the body of a 200 with `content-type: application/json`, as the function
 *   returned it (a string keeps its JSON quotes).
 */
export function toFunctionUrlResponse(payload: string): FunctionUrlResponse {
  let result: unknown;
  try {
    result = JSON.parse(payload === '' ? 'null' : payload);
  } catch {
    return badGateway();
  }
  if (!result || typeof result !== 'object' || Array.isArray(result) || !('statusCode' in result)) {
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(payload, 'utf8') };
  }
  const r = result as Record<string, unknown>;
  const statusCode = Number(r['statusCode']);
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return badGateway();

  const headers: Record<string, string | string[]> = {};
  if (r['headers'] !== undefined && r['headers'] !== null) {
    if (typeof r['headers'] !== 'object' || Array.isArray(r['headers'])) return badGateway();
    for (const [name, value] of Object.entries(r['headers'] as Record<string, unknown>)) {
      if (value === null || value === undefined) continue;
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return badGateway();
      headers[name.toLowerCase()] = String(value);
    }
  }
  if (r['cookies'] !== undefined && r['cookies'] !== null) {
    if (!Array.isArray(r['cookies']) || !r['cookies'].every((c) => typeof c === 'string')) return badGateway();
    // Cookies go out as set-cookie headers, one per cookie (a set-cookie header of the function's is kept before them).
    const own = headers['set-cookie'];
    const cookies = [...(own === undefined ? [] : [own].flat()), ...(r['cookies'] as string[])];
    if (cookies.length > 0) headers['set-cookie'] = cookies;
  }
  const rawBody = r['body'];
  const text = rawBody === undefined || rawBody === null ? '' : typeof rawBody === 'string' ? rawBody : JSON.stringify(rawBody);
  const body = r['isBase64Encoded'] === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  headers['content-type'] ??= 'application/json';
  return { statusCode, headers, body };
}
