import { deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { chooseCoding } from '../../../local/apigateway/compression.js';
import { apiStack, call, harness, httpRequest, mockIntegration, text, API_ID } from './helpers.js';

const body = JSON.stringify({ data: 'x'.repeat(200) });
const stack = (restApi: Record<string, unknown>) =>
  apiStack([{ path: '/big', httpMethod: 'GET', integration: mockIntegration(body) }], { restApi });

describe('MinimumCompressionSize', () => {
  it('compresses a response at least that large in a coding the client accepts', async () => {
    const h = harness(stack({ MinimumCompressionSize: 100 }));
    const gz = await call(h, 'GET', '/big', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body as Buffer).toString('utf8')).toBe(body);
    const deflated = await call(h, 'GET', '/big', { headers: { 'accept-encoding': 'deflate' } });
    expect(deflated.headers['content-encoding']).toBe('deflate');
    expect(inflateSync(deflated.body as Buffer).toString('utf8')).toBe(body);
    const plain = await call(h, 'GET', '/big');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(text(plain)).toBe(body);
  });

  it('leaves smaller responses, and every response of an API without the setting, uncompressed', async () => {
    const small = await call(harness(stack({ MinimumCompressionSize: 10_000 })), 'GET', '/big', { headers: { 'accept-encoding': 'gzip' } });
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(text(small)).toBe(body);
    const off = await call(harness(stack({})), 'GET', '/big', { headers: { 'accept-encoding': 'gzip' } });
    expect(off.headers['content-encoding']).toBeUndefined();
  });

  it('picks the coding by Accept-Encoding weights', () => {
    expect(chooseCoding('gzip;q=0.5, deflate')).toBe('deflate');
    expect(chooseCoding('gzip;q=0, *')).toBe('deflate');
    expect(chooseCoding('br, identity')).toBeUndefined();
    expect(chooseCoding(undefined)).toBeUndefined();
  });
});

describe('compressed request bodies', () => {
  const echo = apiStack([
    { path: '/echo', httpMethod: 'POST', integration: mockIntegration('ok') },
    {
      path: '/mapped',
      httpMethod: 'POST',
      integration: {
        Type: 'AWS',
        IntegrationHttpMethod: 'POST',
        Uri: 'arn:aws:apigateway:us-east-1:sns:action/Publish',
        RequestTemplates: { 'application/json': "Message=$util.urlEncode($input.path('$.m'))" },
        IntegrationResponses: [{ StatusCode: '200' }],
      },
    },
  ]);

  function post(body: Buffer, encoding: string) {
    const req = httpRequest('POST', '/mapped', { headers: { 'content-type': 'application/json', 'content-encoding': encoding } });
    return { ...req, body };
  }

  it('are decoded before the mapping template, as API Gateway does without any setting', async () => {
    const h = harness(echo, { aws: () => ({ statusCode: 200, headers: {}, body: '{}' }) });
    for (const [encoding, body] of [
      ['gzip', gzipSync('{"m":"hello world"}')],
      ['deflate', deflateSync('{"m":"hello world"}')],
    ] as const) {
      const response = await h.service.handle(API_ID, 'prod', '/mapped', post(body, encoding));
      expect(response.statusCode).toBe(200);
    }
    expect(h.awsCalls.map((c) => c.req.body.toString('utf8'))).toEqual(['Message=hello+world', 'Message=hello+world']);
  });

  it('answer 400 when the body does not decode, and the API keeps serving', async () => {
    const h = harness(echo, { aws: () => ({ statusCode: 200, headers: {}, body: '{}' }) });
    const bad = await h.service.handle(API_ID, 'prod', '/mapped', post(Buffer.from('not gzip'), 'gzip'));
    expect(bad.statusCode).toBe(400);
    expect(h.awsCalls).toHaveLength(0);
    expect((await call(h, 'POST', '/echo', { body: '{}' })).statusCode).toBe(200);
  });
});
