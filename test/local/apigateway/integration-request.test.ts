/**
 * The request an AWS service integration sends, built from parts parsed once
 * per URI and per mapping: the same answer on every call.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildAwsServiceRequest, mapRequestParameters, parseAwsUri, type MappingSources } from '../../../local/apigateway/integrations.js';

const sources: MappingSources = {
  path: { id: 'p 1' },
  querystring: { q: 'v' },
  multiQuerystring: { q: ['u', 'v'] },
  header: { 'X-Custom': 'h' },
  multiHeader: { 'X-Custom': ['g', 'h'] },
  body: '{"a":{"b":"c"}}',
  context: { requestId: 'rid' },
  stageVariables: { s: 'sv' },
};

afterEach(() => {
  vi.useRealTimers();
});

describe('AWS integration requests', () => {
  it('take URIs apart alike on every call, and refuse what is not one', () => {
    for (let i = 0; i < 2; i++) {
      expect(parseAwsUri('arn:aws:apigateway:eu-west-1:sns:action/Publish')).toEqual({ region: 'eu-west-1', service: 'sns', kind: 'action', value: 'Publish' });
      expect(parseAwsUri('arn:aws:apigateway:us-east-1:bucket.s3:path/{key}/x')).toEqual({ region: 'us-east-1', service: 's3', kind: 'path', value: '{key}/x' });
      expect(parseAwsUri('arn:aws:lambda:us-east-1:000000000000:function:f')).toBeUndefined();
    }
  });

  it('map request parameters by target, every call', () => {
    const mapping = {
      'integration.request.header.X-Out': 'method.request.header.x-custom',
      'integration.request.querystring.q2': 'method.request.multivaluequerystring.q',
      'integration.request.multivalueheader.X-Multi': 'method.request.multivalueheader.X-Custom',
      'integration.request.path.id': 'method.request.path.id',
      'integration.request.header.Static': "'fixed'",
      'integration.request.header.Missing': 'method.request.header.none',
      'integration.request.body.nope': "'ignored'",
      'integration.request.querystring.ctx': 'context.requestId',
    };
    for (let i = 0; i < 2; i++) {
      expect(mapRequestParameters(mapping, sources)).toEqual({
        header: { 'X-Out': 'h', 'X-Multi': 'g,h', Static: 'fixed' },
        querystring: { q2: 'u,v', ctx: 'rid' },
        path: { id: 'p 1' },
      });
    }
  });

  it('send action-style calls as a form-encoded query, signed for the URI region on the day of the call', () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 11, 31, 23, 59, 59) });
    const options = {
      uri: parseAwsUri('arn:aws:apigateway:eu-west-1:sns:action/Publish')!,
      httpMethod: 'POST',
      body: 'Message=é',
      params: { header: { 'Content-Type': 'application/x-www-form-urlencoded' }, querystring: { 'a b': 'c&d', e: '' }, path: {} },
      sourceIp: '10.0.0.1',
      defaultContentType: 'application/json',
    };
    const first = buildAwsServiceRequest(options);
    expect(first.rawQuery).toBe('Action=Publish&a%20b=c%26d&e=');
    expect(first.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(first.headers['content-length']).toBe('10');
    expect(first.headers.authorization).toBe('AWS4-HMAC-SHA256 Credential=apigateway/20261231/eu-west-1/sns/aws4_request');
    vi.setSystemTime(Date.UTC(2027, 0, 1, 0, 0, 1));
    expect(buildAwsServiceRequest(options).headers.authorization).toBe('AWS4-HMAC-SHA256 Credential=apigateway/20270101/eu-west-1/sns/aws4_request');
    expect(buildAwsServiceRequest({ ...options, params: { header: {}, querystring: {}, path: {} } }).rawQuery).toBe('Action=Publish');
  });
});
