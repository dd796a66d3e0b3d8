/**
 * HTTP and HTTP_PROXY integrations: API Gateway calling an HTTP endpoint.
 * Hop-by-hop headers are not forwarded either way, and the endpoint's
 * status, headers and body are what the integration response sees.
 */

/** Headers that belong to one connection, not to the message. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

export interface HttpCall {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly timeoutMs: number;
}

export interface HttpCallResult {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** Fill `{name}` / `{name+}` placeholders of an integration URI from path mappings. */
export function fillUri(uri: string, path: Readonly<Record<string, string>>): string {
  return uri.replace(/\{([^}+]+)\+?\}/g, (_m, name: string) =>
    (path[name] ?? '')
      .split('/')
      .map((segment) => encodeURIComponent(segment))
      .join('/'),
  );
}

/** Append query parameters to a URL. */
export function withQuery(url: string, query: Readonly<Record<string, readonly string[]>>): string {
  const u = new URL(url);
  for (const [k, values] of Object.entries(query)) for (const v of values) u.searchParams.append(k, v);
  return u.toString();
}

/** Drop connection-level headers before forwarding. */
function forwardableHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !HOP_BY_HOP.has(k.toLowerCase())));
}

/** Call the endpoint; rejects on a network failure or after `timeoutMs`. */
export async function callHttp(call: HttpCall): Promise<HttpCallResult> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), call.timeoutMs);
  try {
    const response = await fetch(call.url, {
      method: call.method,
      headers: forwardableHeaders(call.headers),
      ...(call.method === 'GET' || call.method === 'HEAD' || call.body.length === 0 ? {} : { body: call.body }),
      redirect: 'manual',
      signal: controller.signal,
    });
    const body = Buffer.from(await response.arrayBuffer());
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      // fetch has already decoded the body, so its encoding headers no longer apply.
      if (!HOP_BY_HOP.has(key) && key !== 'content-encoding') headers[key] = value;
    });
    return { status: response.status, headers, body };
  } finally {
    clearTimeout(timer);
  }
}
