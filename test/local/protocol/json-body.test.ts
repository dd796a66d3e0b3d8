import { describe, expect, it } from 'vitest';
import { jsonBody } from '../../../local/protocol/json.js';
import type { HttpRequest } from '../../../local/protocol/http.js';

const request = (body: string): HttpRequest => ({ method: 'POST', path: '/', rawQuery: '', headers: {}, body: Buffer.from(body), sourceIp: '127.0.0.1' });

describe('the JSON body of an awsJson request', () => {
  it('is parsed once: the IAM edge and the service read the same input', () => {
    const req = request('{"QueueUrl":"q"}');
    expect(jsonBody(req)).toEqual({ QueueUrl: 'q' });
    expect(jsonBody(req)).toBe(jsonBody(req));
    expect(jsonBody(request(''))).toEqual({});
  });

  it('throws for every reader of a malformed body', () => {
    const req = request('{not json');
    expect(() => jsonBody(req)).toThrow(SyntaxError);
    expect(() => jsonBody(req)).toThrow(SyntaxError);
  });
});
