import type { IncomingMessage } from 'node:http';
import type { HttpRequest } from './http.js';

/**
 * Larger than any AWS API accepts (API Gateway: 10 MB; Lambda's synchronous
 * payload: 6 MB, which a function URL's base64 body grows into), so the
 * service decides what is too large; beyond this the body is not even read.
 */
const MAX_BODY_BYTES = 12 * 1024 * 1024;

/** The body of every request without one: a zero-length Buffer has no bytes a reader could change. */
const NO_BODY = Buffer.alloc(0);

/** A Node.js request as an {@link HttpRequest}, its body read whole; `'too-large'` past {@link MAX_BODY_BYTES}. */
export function readHttpRequest(req: IncomingMessage): Promise<HttpRequest | 'too-large'> | HttpRequest {
  // Without Content-Length or Transfer-Encoding an HTTP/1.1 request has no body (RFC 9112 6.3), and
  // Node's parser ends the stream with the headers, so there is nothing to wait for: no async
  // iterator over the stream (~1% of the runtime's main thread for each body-less GET). Node
  // discards the ended stream once the response is finished, as it does for any unread request.
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return httpRequest(req, NO_BODY);
  return readBody(req);
}

async function readBody(req: IncomingMessage): Promise<HttpRequest | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return 'too-large';
    chunks.push(chunk);
  }
  return httpRequest(req, chunks.length === 0 ? NO_BODY : Buffer.concat(chunks));
}

function httpRequest(req: IncomingMessage, body: Buffer): HttpRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return {
    method: req.method ?? 'GET',
    path: q < 0 ? url : url.slice(0, q),
    rawQuery: q < 0 ? '' : url.slice(q + 1),
    headers: req.headers,
    body,
    sourceIp: sourceIpOf(req.socket.remoteAddress),
    rawHeaders: req.rawHeaders,
  };
}

/** The caller's address, an IPv4-mapped IPv6 address as its IPv4 one. */
function sourceIpOf(address: string | undefined): string {
  if (address === undefined) return '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
