import type { IncomingMessage } from 'node:http';
import type { HttpRequest } from './http.js';

/**
 * Larger than any AWS API accepts (API Gateway: 10 MB; Lambda's synchronous
 * payload: 6 MB, which a function URL's base64 body grows into), so the
 * service decides what is too large; beyond this the body is not even read.
 */
export const MAX_BODY_BYTES = 12 * 1024 * 1024;

/** A Node.js request as an {@link HttpRequest}, its body read whole; `'too-large'` past {@link MAX_BODY_BYTES}. */
export async function readHttpRequest(req: IncomingMessage): Promise<HttpRequest | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return 'too-large';
    chunks.push(chunk);
  }
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return {
    method: req.method ?? 'GET',
    path: q < 0 ? url : url.slice(0, q),
    rawQuery: q < 0 ? '' : url.slice(q + 1),
    headers: req.headers,
    body: Buffer.concat(chunks),
    sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    rawHeaders: req.rawHeaders,
  };
}
