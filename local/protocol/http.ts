import type { IncomingHttpHeaders } from 'node:http';

/** An HTTP request as the edge hands it to a protocol handler. */
export interface HttpRequest {
  readonly method: string;
  /** Path without the query string, percent-decoding left to the handler. */
  readonly path: string;
  /** Raw query string without the leading `?` ('' when absent). */
  readonly rawQuery: string;
  /** Lower-cased header names, as Node gives them. */
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** Address of the caller, for `$context.identity.sourceIp`. */
  readonly sourceIp: string;
  /**
   * Header names and values as the client sent them (Node's `rawHeaders`),
   * so API Gateway can show the client's spelling and repeated headers.
   */
  readonly rawHeaders?: readonly string[];
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string | Buffer;
  /** A response that stays open (Server-Sent Events): called once headers are sent; `body` is ignored. */
  stream?: (sink: ResponseStream) => void;
}

/** The open end of a streamed response. */
export interface ResponseStream {
  /** Queue a chunk; returns the bytes still buffered for a slow reader. */
  write(chunk: string): number;
  end(): void;
  /** Called once when the client goes away or the stream ends. */
  onClose(listener: () => void): void;
}

/** Something that answers some HTTP requests; `undefined` means "not mine". */
export type HttpHandler = (req: HttpRequest) => Promise<HttpResponse | undefined>;

export function headerValue(req: HttpRequest, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : value;
}

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}
