import { describe, expect, it } from 'vitest';
import { isTextContentType, queryParameters, toFunctionUrlEvent } from '../../../../local/lambda/function-url/event.js';
import { request, urlConfig } from './helpers.js';

const context = { config: urlConfig(), requestId: 'req-1', now: Date.UTC(2021, 8, 7, 22, 50, 22, 677), port: 3001, traceId: '1-abc-def' };

describe('toFunctionUrlEvent (payload format 2.0)', () => {
  it('builds the event AWS documents, with the function URL placeholders', () => {
    const event = toFunctionUrlEvent(
      request({
        method: 'POST',
        path: '/my/path',
        rawQuery: 'parameter1=value1&parameter1=value2&parameter2=value',
        headers: { host: '127.0.0.1:3001', 'user-agent': 'agent', 'content-type': 'application/json', header2: ['value1', 'value2'], cookie: 'cookie1=a; cookie2=b' },
        body: Buffer.from('{"a":1}'),
        sourceIp: '123.123.123.123',
      }),
      context,
    );
    expect(event).toEqual({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/my/path',
      rawQueryString: 'parameter1=value1&parameter1=value2&parameter2=value',
      cookies: ['cookie1=a', 'cookie2=b'],
      headers: {
        host: '127.0.0.1:3001',
        'user-agent': 'agent',
        'content-type': 'application/json',
        header2: 'value1,value2',
        'x-forwarded-for': '123.123.123.123',
        'x-forwarded-proto': 'http',
        'x-forwarded-port': '3001',
        'x-amzn-trace-id': 'Root=1-abc-def',
      },
      queryStringParameters: { parameter1: 'value1,value2', parameter2: 'value' },
      requestContext: {
        accountId: 'anonymous',
        apiId: 'abcdefghijklmnopqrstuvwxyz012345',
        domainName: 'abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws',
        domainPrefix: 'abcdefghijklmnopqrstuvwxyz012345',
        http: { method: 'POST', path: '/my/path', protocol: 'HTTP/1.1', sourceIp: '123.123.123.123', userAgent: 'agent' },
        requestId: 'req-1',
        routeKey: '$default',
        stage: '$default',
        time: '07/Sep/2021:22:50:22 +0000',
        timeEpoch: Date.UTC(2021, 8, 7, 22, 50, 22, 677),
      },
      body: '{"a":1}',
      isBase64Encoded: false,
    });
  });

  it('leaves out cookies, query parameters and body when the request has none', () => {
    const event = toFunctionUrlEvent(request(), context);
    expect(event).not.toHaveProperty('cookies');
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('body');
    expect(event.isBase64Encoded).toBe(false);
    expect(event.requestContext).not.toHaveProperty('authorizer');
  });

  it('base64-encodes a binary body', () => {
    const bytes = Buffer.from([0, 255, 1, 2]);
    const event = toFunctionUrlEvent(request({ method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes }), context);
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body!, 'base64')).toEqual(bytes);
  });

  it('names the signer under authorizer.iam and its account as accountId for an AWS_IAM URL', () => {
    const iam = { accessKey: 'AKID', accountId: '111122223333', callerId: 'AROA:me', cognitoIdentity: null, principalOrgId: null, userArn: 'arn:aws:sts::111122223333:assumed-role/r/me', userId: 'AROA:me' };
    const event = toFunctionUrlEvent(request(), { ...context, config: urlConfig({ authType: 'AWS_IAM' }), iam });
    expect(event.requestContext.authorizer).toEqual({ iam });
    expect(event.requestContext.accountId).toBe('111122223333');
  });

  it('decodes the path in requestContext.http.path and keeps rawPath as sent', () => {
    const event = toFunctionUrlEvent(request({ path: '/a%20b' }), context);
    expect(event.rawPath).toBe('/a%20b');
    expect(event.requestContext.http.path).toBe('/a b');
  });
});

describe('event helpers', () => {
  it('joins repeated query parameters with commas and decodes them', () => {
    expect(queryParameters('a=1&a=2&b=x+y&c=%2F&d')).toEqual({ a: '1,2', b: 'x y', c: '/', d: '' });
    expect(queryParameters('')).toBeUndefined();
  });

  it('treats text, JSON and XML types as text and the rest as binary', () => {
    expect(isTextContentType('text/plain; charset=utf-8')).toBe(true);
    expect(isTextContentType('application/json')).toBe(true);
    expect(isTextContentType('application/vnd.api+json')).toBe(true);
    expect(isTextContentType('image/png')).toBe(false);
    expect(isTextContentType(undefined)).toBe(false);
  });

  it('formats requestContext.time as AWS does', () => {
    expect(toFunctionUrlEvent(request(), { ...context, now: Date.UTC(2020, 2, 12, 19, 3, 58) }).requestContext.time).toBe('12/Mar/2020:19:03:58 +0000');
  });
});
