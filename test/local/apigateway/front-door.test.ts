/**
 * The API served over a real socket by the runtime's front door, as a
 * browser or curl reaches it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrontDoor } from '../../../local/server.js';
import { apiGatewayHandler } from '../../../local/apigateway/api.js';
import { formatRequestTime, parseQueryString } from '../../../local/apigateway/service.js';
import { apiStack, harness } from './helpers.js';

const door = new FrontDoor();
let base = '';

beforeAll(async () => {
  const stack = apiStack([
    {
      path: '/hello/{name}',
      httpMethod: 'GET',
      integration: {
        Type: 'MOCK',
        RequestTemplates: { 'application/json': '{"statusCode": 200}' },
        IntegrationResponses: [
          {
            StatusCode: '200',
            ResponseTemplates: { 'application/json': '{"hello":"$util.escapeJavaScript($input.params(\'name\'))","q":"$input.params(\'q\')"}' },
            ResponseParameters: { 'method.response.header.Cache-Control': "'no-store'" },
          },
        ],
      },
    },
  ]);
  door.use([apiGatewayHandler(harness(stack).service)]);
  const address = await door.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${address.port}`;
});

afterAll(() => door.close());

describe('API Gateway over HTTP', () => {
  it('answers a browser-style GET with the mapped body and headers', async () => {
    const response = await fetch(`${base}/prod/hello/J%C3%BCrgen?q=a+b`, { headers: { accept: 'text/html,application/xhtml+xml,*/*' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await response.json()).toEqual({ hello: 'Jürgen', q: 'a b' });
  });

  it('serves a request whose query and headers use the names constructor and __proto__', async () => {
    const response = await fetch(`${base}/prod/hello/x?constructor=1&__proto__=2&q=3`, { headers: { constructor: 'y', __proto__: 'z' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ hello: 'x', q: '3' });
  });

  it('answers 403 for an unknown resource and 414 for a 10 KB query string', async () => {
    const missing = await fetch(`${base}/prod/nope`);
    expect(missing.status).toBe(403);
    expect(await missing.text()).toBe('{"message":"Missing Authentication Token"}');
    const long = await fetch(`${base}/prod/hello/x?q=${'y'.repeat(10_300)}`);
    expect(long.status).toBe(414);
  });
});

describe('request details', () => {
  it('formats $context.requestTime as dd/MMM/yyyy:HH:mm:ss +0000', () => {
    expect(formatRequestTime(Date.UTC(2024, 1, 9, 7, 5, 3))).toBe('09/Feb/2024:07:05:03 +0000');
    // The text is kept for its second: the same second again, the next one, and one long before.
    expect(formatRequestTime(Date.UTC(2024, 1, 9, 7, 5, 3, 999))).toBe('09/Feb/2024:07:05:03 +0000');
    expect(formatRequestTime(Date.UTC(2024, 1, 9, 7, 5, 4))).toBe('09/Feb/2024:07:05:04 +0000');
    expect(formatRequestTime(Date.UTC(2023, 11, 31, 23, 59, 59, 500))).toBe('31/Dec/2023:23:59:59 +0000');
  });

  it('parses repeated query parameters, + as space, and rejects malformed escapes', () => {
    expect(parseQueryString('a=1&a=2&b=x+y%2B&c')).toEqual({ a: ['1', '2'], b: ['x y+'], c: [''] });
    expect(parseQueryString('a=%zz')).toBeUndefined();
  });

  it('keeps parameters named constructor or __proto__ as entries of their own', () => {
    const parsed = parseQueryString('constructor=1&__proto__=2&__proto__=3')!;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.entries(parsed)).toEqual([
      ['constructor', ['1']],
      ['__proto__', ['2', '3']],
    ]);
  });

  it('splits at a semicolon as at an ampersand, and refuses a raw | { or } but not their escapes', () => {
    expect(parseQueryString('mode=fail;TargetArn=x&b=1')).toEqual({ mode: ['fail'], TargetArn: ['x'], b: ['1'] });
    expect(parseQueryString('a=%3B')).toEqual({ a: [';'] });
    for (const raw of ['a=x|y', 'query={id}', 'a=}']) expect(parseQueryString(raw)).toBeUndefined();
    expect(parseQueryString('a=%7Cx%7B%7D')).toEqual({ a: ['|x{}'] });
  });
});
