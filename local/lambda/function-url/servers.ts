/**
 * The HTTP side of function URLs: each URL listens on a port of its own, so
 * paths reach the function from `/` as on `https://<url-id>.lambda-url.<region>.on.aws/`.
 * The servers outlive a runtime when the caller owns them (hot reload keeps
 * a URL's port, so a browser tab or a script keeps working), and a URL that
 * leaves the assembly has its server closed.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { localAddress, urlFor } from '../../listen-addresses.js';
import { readHttpRequest } from '../../protocol/read-request.js';
import type { FunctionUrlHandler } from './handler.js';
import { messageResponse, type FunctionUrlResponse } from './response.js';


interface Entry {
  readonly server: Server;
  readonly url: string;
  readonly port: number;
  handler?: FunctionUrlHandler;
}

export class FunctionUrlServers {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly onError: (error: unknown) => void = () => {}) {}

  /**
   * Make sure a server listens for each key, reusing those already
   * listening and closing those whose URL is gone. New servers take
   * `basePort + 1`, `+ 2`... when `basePort` is set and those are free (the
   * same ports on every start), else a free port. Returns each key's local URL.
   */
  async open(keys: readonly string[], host: string, basePort?: number): Promise<Map<string, string>> {
    const wanted = new Set(keys);
    for (const [key, entry] of this.entries) {
      if (wanted.has(key)) continue;
      this.entries.delete(key);
      await closeServer(entry.server);
    }
    let next = basePort ? basePort + 1 : 0;
    for (const key of keys) {
      if (this.entries.has(key)) continue;
      const taken = new Set([...this.entries.values()].map((e) => e.port));
      while (next !== 0 && taken.has(next)) next++;
      const entry = await this.listen(host, next);
      this.entries.set(key, entry);
      if (next !== 0) next = entry.port + 1;
    }
    return new Map(keys.map((key) => [key, this.entries.get(key)!.url]));
  }

  /** Answer the URL `key` with `handler` (until `detach`). */
  serve(key: string, handler: FunctionUrlHandler): void {
    const entry = this.entries.get(key);
    if (entry) entry.handler = handler;
  }

  /** Stop answering with the current services; requests get 503 until `serve` again. */
  detach(): void {
    for (const entry of this.entries.values()) delete entry.handler;
  }

  /** The local URL of `key`, when it listens. */
  urlOf(key: string): string | undefined {
    return this.entries.get(key)?.url;
  }

  async close(): Promise<void> {
    const servers = [...this.entries.values()].map((e) => e.server);
    this.entries.clear();
    await Promise.all(servers.map(closeServer));
  }

  private async listen(host: string, port: number): Promise<Entry> {
    // Set in the microtasks that follow listening, before the event loop reads any connection.
    let entry: Entry | undefined;
    const server = createServer((req, res) => void this.serveRequest(entry!, req, res));
    server.keepAliveTimeout = 5_000;
    server.on('clientError', (_error, socket) => socket.destroy());
    const address = await listenOn(server, port, host).catch((error: NodeJS.ErrnoException) => {
      // The preferred port is someone else's: any free one will do.
      if (port !== 0 && error.code === 'EADDRINUSE') return listenOn(server, 0, host);
      throw error;
    });
    // Paths are the function's own from `/`, as on AWS.
    entry = { server, port: address.port, url: `${urlFor(localAddress(address.address), address.port)}/` };
    return entry;
  }

  private async serveRequest(entry: Entry, req: IncomingMessage, res: ServerResponse): Promise<void> {
    let response: FunctionUrlResponse;
    try {
      const request = await readHttpRequest(req);
      if (request === 'too-large') response = messageResponse(413, 'Request Entity Too Large');
      else if (!entry.handler) response = messageResponse(503, 'The local runtime is starting or reloading');
      else response = await entry.handler(request, entry.port);
    } catch (error) {
      this.onError(error);
      response = messageResponse(500, 'Internal Server Error');
    }
    if (res.headersSent || res.destroyed) return;
    res.writeHead(response.statusCode, { ...response.headers, 'content-length': String(response.body.length) });
    res.end(req.method === 'HEAD' ? undefined : response.body);
  }
}

function listenOn(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

