import { describe, expect, it } from 'vitest';
import { toFunctionUrlResponse } from '../../../../local/lambda/function-url/response.js';

describe('toFunctionUrlResponse', () => {
  it('answers a plain object as a JSON 200 with the object as the body', () => {
    const response = toFunctionUrlResponse('{"message":"Hello, world!"}');
    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual({ 'content-type': 'application/json' });
    expect(response.body.toString()).toBe('{"message":"Hello, world!"}');
  });

  it('answers a string with its JSON quotes and a number as JSON, as the docs show', () => {
    expect(toFunctionUrlResponse('"Hello, world!"').body.toString()).toBe('"Hello, world!"');
    const number = toFunctionUrlResponse('42');
    expect([number.statusCode, number.headers['content-type'], number.body.toString()]).toEqual([200, 'application/json', '42']);
  });

  it('honours statusCode, headers (lower-cased) and cookies as one set-cookie each', () => {
    const response = toFunctionUrlResponse(
      JSON.stringify({
        statusCode: 201,
        headers: { 'Content-Type': 'text/plain', 'My-Custom-Header': 'Custom Value', 'X-Count': 3 },
        cookies: ['Cookie_1=Value1; Expires=21 Oct 2021 07:48 GMT', 'Cookie_2=Value2; Max-Age=78000'],
        body: 'hi',
      }),
    );
    expect(response.statusCode).toBe(201);
    expect(response.headers).toEqual({
      'content-type': 'text/plain',
      'my-custom-header': 'Custom Value',
      'x-count': '3',
      'set-cookie': ['Cookie_1=Value1; Expires=21 Oct 2021 07:48 GMT', 'Cookie_2=Value2; Max-Age=78000'],
    });
    expect(response.body.toString()).toBe('hi');
  });

  it('decodes a base64 body and defaults content-type to application/json', () => {
    const response = toFunctionUrlResponse(JSON.stringify({ statusCode: 200, body: Buffer.from([1, 2, 3]).toString('base64'), isBase64Encoded: true }));
    expect(response.body).toEqual(Buffer.from([1, 2, 3]));
    expect(response.headers['content-type']).toBe('application/json');
  });

  it('answers an empty body for a status without one', () => {
    const response = toFunctionUrlResponse('{"statusCode":204}');
    expect(response.statusCode).toBe(204);
    expect(response.body.length).toBe(0);
  });

  it('answers 502 for a response Lambda cannot map', () => {
    expect(toFunctionUrlResponse('{"statusCode":"abc"}').statusCode).toBe(502);
    expect(toFunctionUrlResponse('{"statusCode":200,"headers":"x"}').statusCode).toBe(502);
    expect(toFunctionUrlResponse('{"statusCode":200,"cookies":[1]}').statusCode).toBe(502);
    expect(toFunctionUrlResponse('not json').statusCode).toBe(502);
  });
});
