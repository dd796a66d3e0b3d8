/**
 * The front door under bad input: AWS's answers, and the runtime keeps
 * serving afterwards.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalForTests } from '../support/local-runtime.js';
import type { LocalRuntime } from '../../local/runtime.js';

let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await startLocalForTests();
});
afterAll(async () => {
  await runtime?.stop();
});

/** A raw request, so malformed paths reach the server exactly as written. */
function raw(method: string, path: string, body?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const url = new URL(runtime.endpoint);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function stillServing(): Promise<void> {
  const health = await raw('GET', '/_local/health');
  expect(health.status).toBe(200);
}

describe('API Gateway front door', () => {
  it('answers an unknown path with 403 Missing Authentication Token', async () => {
    const res = await raw('GET', '/prod/NoSuchResource');
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toEqual({ message: 'Missing Authentication Token' });
    expect(res.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
    await stillServing();
  });

  it('answers an unknown stage with 403', async () => {
    const res = await raw('GET', '/dev/SendEvent');
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toEqual({ message: 'Missing Authentication Token' });
  });

  it('answers a method the resource does not have with 403', async () => {
    const res = await raw('POST', '/prod/SendEvent', '{}');
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toEqual({ message: 'Missing Authentication Token' });
    await stillServing();
  });

  it('serves the same route under /restapis/<id>/<stage>/_user_request_/', async () => {
    const [api] = runtime.stack.resourcesOfType('AWS::ApiGateway::RestApi');
    const res = await raw('GET', `/restapis/${api!.ref}/prod/_user_request_/SendEvent`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).messageId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rejects a 10 KB query string without falling over', async () => {
    const res = await raw('GET', `/prod/SendEvent?mode=${'x'.repeat(10 * 1024)}`);
    expect([400, 414]).toContain(res.status);
    await stillServing();
  });

  it('rejects a malformed percent-encoding with 400', async () => {
    const res = await raw('GET', '/prod/SendEvent?mode=%zz');
    expect(res.status).toBe(400);
    await stillServing();
  });

  it('keeps serving after a malformed HTTP request line', async () => {
    const net = await import('node:net');
    const url = new URL(runtime.endpoint);
    const answer = await new Promise<string>((resolve) => {
      const socket = net.connect(Number(url.port), url.hostname, () => socket.write('GARBAGE\r\n\r\n'));
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    await stillServing();
  });
});

describe('the runtime routes', () => {
  it('reports health and traces', async () => {
    await stillServing();
    const traces = await raw('GET', '/_local/traces?since=0');
    expect(traces.status).toBe(200);
    expect(Array.isArray(JSON.parse(traces.body))).toBe(true);
    const bad = await raw('GET', '/_local/traces?since=soon');
    expect(bad.status).toBe(400);
  });

  it('serves the dashboard at /', async () => {
    const res = await raw('GET', '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain(runtime.stack.stackName);
  });

  it('answers an unknown X-Amz-Target with UnknownOperationException', async () => {
    const url = new URL(runtime.endpoint);
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, method: 'POST', path: '/', headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0' } },
        (r) => {
          let body = '';
          r.on('data', (c) => (body += c));
          r.on('end', () => resolve({ status: r.statusCode!, body }));
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).__type).toBe('UnknownOperationException');
  });
});
