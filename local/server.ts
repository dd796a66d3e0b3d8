import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jsonResponse, type HttpHandler, type HttpRequest, type HttpResponse } from './protocol/http.js';
import { readHttpRequest } from './protocol/read-request.js';

/**
 * The runtime's single port. Each handler answers the requests that are its
 * own and returns `undefined` for the rest; the first answer wins. A handler
 * that throws gets a 500 for that request only.
 */
export interface FrontDoorTimeouts {
  /** How long a client may take to send its headers. @default Node's 60 s */
  readonly headersTimeoutMs?: number;
  /** How long a client may take to send its whole request. @default Node's 300 s */
  readonly requestTimeoutMs?: number;
  /** How often Node checks those two. @default Node's 30 s */
  readonly checkIntervalMs?: number;
}

export class FrontDoor {
  private handlers: HttpHandler[] = [];
  private readonly server: Server;

  constructor(
    private readonly onError: (error: unknown) => void = () => {},
    timeouts: FrontDoorTimeouts = {},
  ) {
    this.server = createServer(
      {
        ...(timeouts.headersTimeoutMs === undefined ? {} : { headersTimeout: timeouts.headersTimeoutMs }),
        ...(timeouts.requestTimeoutMs === undefined ? {} : { requestTimeout: timeouts.requestTimeoutMs }),
        ...(timeouts.checkIntervalMs === undefined ? {} : { connectionsCheckingInterval: timeouts.checkIntervalMs }),
      },
      (req, res) => void this.serve(req, res),
    );
    // Malformed HTTP (bad request line, oversized headers) is answered by
    // Node itself; keep the socket from taking the process down.
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
      if (socket.writable && !socket.destroyed) {
        const status = clientErrorStatus(error.code);
        socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      } else {
        socket.destroy();
      }
    });
    this.server.keepAliveTimeout = 5_000;
  }

  /** Replace the handler chain (the runtime installs it once the stack is loaded). */
  use(handlers: HttpHandler[]): void {
    this.handlers = handlers;
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let response: HttpResponse;
    try {
      const request = await readHttpRequest(req);
      if (request === 'too-large') {
        response = jsonResponse(413, { message: 'Request Too Long' });
      } else {
        response = (await this.dispatch(request)) ?? jsonResponse(404, { message: 'Not Found' });
      }
    } catch (error) {
      this.onError(error);
      response = jsonResponse(500, { message: 'Internal server error' });
    }
    if (res.headersSent || res.destroyed) return;
    if (response.stream && req.method !== 'HEAD') {
      res.writeHead(response.statusCode, response.headers);
      response.stream({
        write: (chunk) => {
          if (!res.destroyed) res.write(chunk);
          return res.writableLength;
        },
        end: () => res.end(),
        onClose: (listener) => void res.once('close', listener),
      });
      return;
    }
    // A string body goes out as it is: Node sends it in one write with the header, with no Buffer copy of it first.
    const length = typeof response.body === 'string' ? Buffer.byteLength(response.body, 'utf8') : response.body.length;
    res.writeHead(response.statusCode, headerLines(response.headers, String(length)));
    res.end(req.method === 'HEAD' ? undefined : response.body);
  }

  private async dispatch(request: HttpRequest): Promise<HttpResponse | undefined> {
    for (const handler of this.handlers) {
      const response = await handler(request);
      if (response) return response;
    }
    return undefined;
  }
}

/**
 * The response's headers with its Content-Length, as the flat `[name, value, ...]`
 * list writeHead also takes: the lines Node writes for `{ ...headers,
 * 'content-length': n }`, in that order, without copying the record (on Node 20
 * a property added to a spread copy costs ~5 us, on every response of the runtime).
 */
function headerLines(headers: Readonly<Record<string, string>>, contentLength: string): string[] {
  const lines: string[] = [];
  let placed = false;
  for (const name of Object.keys(headers)) {
    if (name === 'content-length') {
      lines.push(name, contentLength);
      placed = true;
    } else {
      lines.push(name, headers[name]!);
    }
  }
  if (!placed) lines.push('content-length', contentLength);
  return lines;
}

/** The status Node itself would send: 408 for a request or header timeout, 431 for oversized headers, else 400. */
function clientErrorStatus(code: string | undefined): string {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return '408 Request Timeout';
  if (code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large';
  return '400 Bad Request';
}

