import { describe, expect, it } from 'vitest';
import { isPreflight, preflightResponse, withCorsHeaders } from '../../../../local/lambda/function-url/cors.js';
import type { FunctionUrlCors } from '../../../../local/lambda/function-url/config.js';

const cors: FunctionUrlCors = {
  allowCredentials: true,
  allowHeaders: ['content-type', 'x-custom'],
  allowMethods: ['GET', 'POST'],
  allowOrigins: ['https://app.example.com'],
  exposeHeaders: ['x-request-id'],
  maxAge: 600,
};
const preflight = (headers: Record<string, string>) => ({ origin: 'https://app.example.com', 'access-control-request-method': 'POST', ...headers });

describe('function URL CORS', () => {
  it('recognises a preflight only with Origin and Access-Control-Request-Method', () => {
    expect(isPreflight('OPTIONS', preflight({}))).toBe(true);
    expect(isPreflight('OPTIONS', { origin: 'https://app.example.com' })).toBe(false);
    expect(isPreflight('GET', preflight({}))).toBe(false);
  });

  it('answers an allowed preflight with every configured header', () => {
    const response = preflightResponse(cors, preflight({ 'access-control-request-headers': 'Content-Type, X-Custom' }));
    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-methods': 'GET,POST',
      'access-control-allow-headers': 'content-type,x-custom',
      'access-control-expose-headers': 'x-request-id',
      'access-control-max-age': '600',
      'access-control-allow-credentials': 'true',
      vary: 'Origin',
    });
  });

  it('gives no CORS headers to a preflight of another origin, method or header', () => {
    expect(preflightResponse(cors, preflight({ origin: 'https://evil.example' })).headers).toEqual({});
    expect(preflightResponse(cors, preflight({ 'access-control-request-method': 'DELETE' })).headers).toEqual({});
    expect(preflightResponse(cors, preflight({ 'access-control-request-headers': 'x-other' })).headers).toEqual({});
  });

  it('answers any origin with * when AllowOrigins has *', () => {
    const open = { ...cors, allowOrigins: ['*'], allowCredentials: false };
    expect(preflightResponse(open, preflight({ origin: 'https://anyone.example' })).headers['access-control-allow-origin']).toBe('*');
  });

  it('adds the configured headers to a response, over the function own', () => {
    const response = withCorsHeaders(cors, { origin: 'https://app.example.com' }, {
      statusCode: 200,
      headers: { 'content-type': 'text/plain', 'access-control-allow-origin': '*' },
      body: Buffer.from('x'),
    });
    expect(response.headers).toMatchObject({
      'content-type': 'text/plain',
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-expose-headers': 'x-request-id',
      'access-control-allow-credentials': 'true',
    });
    const untouched = { statusCode: 200, headers: { 'access-control-allow-origin': '*' }, body: Buffer.alloc(0) };
    expect(withCorsHeaders(cors, {}, untouched)).toBe(untouched);
  });
});
