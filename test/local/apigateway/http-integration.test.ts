import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiStack, call, harness, text } from './helpers.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base = '';
const seen: Seen[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (req.url?.startsWith('/missing')) {
        res.writeHead(404, { 'content-type': 'application/json', 'x-backend': 'b' });
        res.end('{"error":"nope"}');
        return;
      }
      res.writeHead(201, { 'content-type': 'text/plain', 'x-backend': 'b' });
      res.end(`echo ${req.method} ${req.url}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('HTTP_PROXY integration', () => {
  it('forwards method, greedy path, query, headers and body, and returns the endpoint answer as is', async () => {
    const stack = apiStack([
      {
        path: '/api/{proxy+}',
        httpMethod: 'ANY',
        integration: {
          Type: 'HTTP_PROXY',
          IntegrationHttpMethod: 'ANY',
          Uri: `${base}/backend/{proxy}`,
          RequestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
        },
        properties: { RequestParameters: { 'method.request.path.proxy': true } },
      },
    ]);
    const h = harness(stack);
    const before = seen.length;
    const response = await call(h, 'PUT', '/api/a/b?x=1&x=2', { headers: { 'x-client': 'c', 'content-type': 'text/plain' }, body: 'hello' });
    expect(response.statusCode).toBe(201);
    expect(text(response)).toBe('echo PUT /backend/a/b?x=1&x=2');
    expect(response.headers['x-backend']).toBe('b');
    const got = seen[before]!;
    expect(got).toMatchObject({ method: 'PUT', body: 'hello' });
    expect(got.headers['x-client']).toBe('c');
  });

  it('answers 500 when the endpoint cannot be reached', async () => {
    const stack = apiStack([{ path: '/down', httpMethod: 'GET', integration: { Type: 'HTTP_PROXY', IntegrationHttpMethod: 'GET', Uri: 'http://127.0.0.1:1/' } }]);
    const response = await call(harness(stack), 'GET', '/down');
    expect(response.statusCode).toBe(500);
    expect(text(response)).toBe('{"message": "Internal server error"}');
  });
});

describe('HTTP integration', () => {
  it('maps the request with a template and the response by status', async () => {
    const stack = apiStack([
      {
        path: '/items/{id}',
        httpMethod: 'GET',
        integration: {
          Type: 'HTTP',
          IntegrationHttpMethod: 'POST',
          Uri: `${base}/{kind}/{id}`,
          RequestParameters: {
            'integration.request.path.id': 'method.request.path.id',
            'integration.request.path.kind': "'missing'",
            'integration.request.querystring.q': 'method.request.querystring.q',
          },
          RequestTemplates: { 'application/json': '{"id":"$input.params(\'id\')"}' },
          IntegrationResponses: [
            { StatusCode: '200' },
            { StatusCode: '404', SelectionPattern: '404', ResponseTemplates: { 'application/json': '{"missing":"$input.path(\'$.error\')"}' } },
          ],
        },
      },
    ]);
    const h = harness(stack);
    const before = seen.length;
    const response = await call(h, 'GET', '/items/7?q=z&other=dropped');
    expect(response.statusCode).toBe(404);
    expect(text(response)).toBe('{"missing":"nope"}');
    expect(seen[before]).toMatchObject({ method: 'POST', url: '/missing/7?q=z', body: '{"id":"7"}' });
  });
});
