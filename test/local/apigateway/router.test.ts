import { describe, expect, it } from 'vitest';
import { apiStack, call, harness, httpRequest, mockIntegration as mock, text, API_ID } from './helpers.js';
import { apiGatewayHandler } from '../../../local/apigateway/api.js';

const stack = apiStack([
  { path: '/', httpMethod: 'GET', integration: mock('root') },
  { path: '/items', httpMethod: 'GET', integration: mock('list') },
  { path: '/items/special', httpMethod: 'GET', integration: mock('special') },
  { path: '/items/{id}', httpMethod: 'GET', integration: mock("item $input.params('id') $context.resourcePath") },
  { path: '/items/{id}', httpMethod: 'ANY', integration: mock('any $context.httpMethod') },
  { path: '/files/{proxy+}', httpMethod: 'GET', integration: mock("file $input.params('proxy')") },
]);

describe('routing', () => {
  it('serves the root resource and literal paths, with or without a trailing slash', async () => {
    const h = harness(stack);
    expect(text(await call(h, 'GET', '/'))).toBe('root');
    expect(text(await call(h, 'GET', '/items'))).toBe('list');
    expect(text(await call(h, 'GET', '/items/'))).toBe('list');
  });

  it('prefers a literal path part over a path parameter', async () => {
    const h = harness(stack);
    expect(text(await call(h, 'GET', '/items/special'))).toBe('special');
    expect(text(await call(h, 'GET', '/items/42'))).toBe('item 42 /items/{id}');
  });

  it('decodes path parameters', async () => {
    const h = harness(stack);
    expect(text(await call(h, 'GET', '/items/a%20b'))).toBe('item a b /items/{id}');
  });

  it('matches a greedy {proxy+} over several segments', async () => {
    const h = harness(stack);
    expect(text(await call(h, 'GET', '/files/a/b/c.txt'))).toBe('file a/b/c.txt');
  });

  it('falls back to ANY for a method the resource does not declare', async () => {
    const h = harness(stack);
    expect(text(await call(h, 'DELETE', '/items/7'))).toBe('any DELETE');
  });

  it('answers 403 Missing Authentication Token for unknown resources and methods', async () => {
    const h = harness(stack);
    for (const [method, path] of [
      ['GET', '/nope'],
      ['POST', '/items'],
      ['GET', '/files'],
      ['GET', '/items/1/2'],
    ] as const) {
      const response = await call(h, method, path);
      expect(response.statusCode, `${method} ${path}`).toBe(403);
      expect(text(response)).toBe('{"message":"Missing Authentication Token"}');
      expect(response.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
      expect(response.headers['x-amzn-requestid']).toBeTruthy();
    }
  });

  it('serves /restapis/<id>/<stage>/_user_request_/, and 403s an unknown stage unless told to leave it', async () => {
    const h = harness(stack);
    const handler = apiGatewayHandler(h.service, { claimUnmatched: false });
    const ok = await handler(httpRequest('GET', `/restapis/${API_ID}/prod/_user_request_/items`));
    expect(text(ok!)).toBe('list');
    const unknownStage = await handler(httpRequest('GET', `/restapis/${API_ID}/dev/_user_request_/items`));
    expect(unknownStage?.statusCode).toBe(403);
    expect(await handler(httpRequest('GET', '/dev/items'))).toBeUndefined();
    const claiming = apiGatewayHandler(h.service);
    expect((await claiming(httpRequest('GET', '/dev/items')))?.statusCode).toBe(403);
    expect((await claiming(httpRequest('GET', '/')))?.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
    expect(text((await handler(httpRequest('GET', '/prod/items/9')))!)).toBe('item 9 /items/{id}');
  });

  it('answers 400 for malformed percent-encoding and 414 for an over-long URL', async () => {
    const h = harness(stack);
    expect((await call(h, 'GET', '/items/%zz')).statusCode).toBe(400);
    expect((await call(h, 'GET', '/items?q=%zz')).statusCode).toBe(400);
    expect((await call(h, 'GET', '/items?query={id,name}')).statusCode).toBe(400);
    expect(text(await call(h, 'GET', '/items?query=%7Bid%7D'))).toBe('list');
    const long = await call(h, 'GET', `/items?q=${'x'.repeat(10_240)}`);
    expect(long.statusCode).toBe(414);
  });
});
