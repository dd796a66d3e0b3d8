/**
 * Header names as the client spelled them, when the front door passes Node's
 * `rawHeaders` along; lookups stay case-insensitive either way.
 */
import { describe, expect, it } from 'vitest';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { HttpRequest } from '../../../local/protocol/http.js';
import { headerValues, joinedValues, lastValues, requestHeaders } from '../../../local/apigateway/headers.js';
import { apiStack, harness, httpRequest, lambdaProxyIntegration, lambdaResult, mockIntegration, resource, text, API_ID } from './helpers.js';

/** A request as Node would hand it over: lower-cased `headers` plus the raw lines. */
function rawRequest(method: string, path: string, lines: readonly [string, string][], body = ''): HttpRequest {
  const req = httpRequest(method, path, { body });
  const headers: Record<string, string> = {};
  for (const [k, v] of lines) headers[k.toLowerCase()] = headers[k.toLowerCase()] === undefined ? v : `${headers[k.toLowerCase()]}, ${v}`;
  return Object.assign({ ...req, headers }, { rawHeaders: lines.flat() });
}

describe('request headers', () => {
  it('keep the client spelling and one value per line from rawHeaders, and fall back to Node names', () => {
    const req = rawRequest('GET', '/', [['X-Custom', 'a'], ['Accept', 'text/plain'], ['x-custom', 'b']]);
    expect(requestHeaders(req)).toEqual({ 'X-Custom': ['a', 'b'], Accept: ['text/plain'] });
    expect(headerValues(requestHeaders(req), 'x-CUSTOM')).toEqual(['a', 'b']);
    expect(requestHeaders(httpRequest('GET', '/', { headers: { 'X-Custom': 'a' } }))).toEqual({ 'x-custom': ['a'] });
  });

  it('are found in any spelling, and a missing one is undefined', () => {
    const headers = { Host: ['h'], 'Content-Type': ['a/b'], 'X-\u0130d': ['dotted'], accept: ['*/*'] };
    expect(headerValues(headers, 'content-type')).toEqual(['a/b']);
    expect(headerValues(headers, 'HOST')).toEqual(['h']);
    expect(headerValues(headers, 'Accept')).toEqual(['*/*']);
    // U+0130 lower-cases to two code units, so its name is longer than the key it matches.
    expect(headerValues(headers, 'x-i\u0307d')).toEqual(['dotted']);
    expect(headerValues(headers, 'content-encoding')).toBeUndefined();
    expect(headerValues(headers, 'hosts')).toBeUndefined();
    expect(headerValues({}, 'host')).toBeUndefined();
  });

  it('reach $input.params().header and the proxy event spelled as sent, while template selection and validation ignore case', async () => {
    const stack = apiStack([
      {
        path: '/mapped',
        httpMethod: 'POST',
        integration: mockIntegration("$input.params().header|$input.params('x-custom')"),
        properties: { RequestParameters: { 'method.request.header.x-custom': true }, RequestValidatorId: 'v1' },
      },
      {
        path: '/proxy',
        httpMethod: 'GET',
        integration: lambdaProxyIntegration('arn:aws:lambda:us-east-1:000000000000:function:f'),
      },
    ], {
      extra: [resource('Validator', 'AWS::ApiGateway::RequestValidator', { RestApiId: API_ID, ValidateRequestParameters: true }, 'v1')],
    });
    const h = harness(stack, { lambda: (_fn, payload) => lambdaResult({ statusCode: 200, body: payload }) });

    const mapped = rawRequest('POST', '/mapped', [['Content-Type', 'application/json'], ['X-Custom', 'v']], '{}');
    const response = await h.service.handle(API_ID, 'prod', '/mapped', mapped);
    expect(response.statusCode).toBe(200);
    expect(text(response)).toBe('{Content-Type=application/json, X-Custom=v}|v');
    const missing = rawRequest('POST', '/mapped', [['Content-Type', 'application/json']], '{}');
    expect((await h.service.handle(API_ID, 'prod', '/mapped', missing)).statusCode).toBe(400);

    const proxied = rawRequest('GET', '/proxy', [['User-Agent', 'ua'], ['Accept', 'a'], ['Accept', 'b']]);
    const event = JSON.parse(text(await h.service.handle(API_ID, 'prod', '/proxy', proxied))) as APIGatewayProxyEvent;
    expect(event.headers).toEqual({ 'User-Agent': 'ua', Accept: 'b' });
    expect(event.multiValueHeaders).toEqual({ 'User-Agent': ['ua'], Accept: ['a', 'b'] });
    expect(event.requestContext.identity.userAgent).toBe('ua');
  });
});

describe('single-value maps of parameters and headers', () => {
  it('keep names like __proto__ and constructor as entries of their own', () => {
    const values = JSON.parse('{"__proto__":["a","b"],"constructor":["c"],"q":["1","2"]}') as Record<string, string[]>;
    const last = lastValues(values);
    expect(Object.getPrototypeOf(last)).toBe(Object.prototype);
    expect(Object.entries(last)).toEqual([['__proto__', 'b'], ['constructor', 'c'], ['q', '2']]);
    expect(Object.entries(joinedValues(values))).toEqual([['__proto__', 'a,b'], ['constructor', 'c'], ['q', '1,2']]);
  });
});
