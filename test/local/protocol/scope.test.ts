import { describe, expect, it } from 'vitest';
import { credentialRegion, requestScope, signedCredential } from '../../../local/protocol/scope.js';
import type { HttpRequest } from '../../../local/protocol/http.js';

const request = (headers: HttpRequest['headers'], rawQuery = ''): HttpRequest => ({ method: 'POST', path: '/', rawQuery, headers, body: Buffer.alloc(0), sourceIp: '127.0.0.1' });

describe('the region of a request', () => {
  it('is the region of the SigV4 credential scope in the Authorization header', () => {
    const req = request({
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261202/us-west-2/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc',
    });
    expect(credentialRegion(req)).toBe('us-west-2');
    expect(requestScope(req)).toEqual({ region: 'us-west-2' });
  });

  it("is the region of a presigned URL's X-Amz-Credential", () => {
    const req = request({}, 'Action=Publish&X-Amz-Credential=AKID%2F20261202%2Feu-central-1%2Fsns%2Faws4_request');
    expect(credentialRegion(req)).toBe('eu-central-1');
  });

  it('is absent for an unsigned request or a malformed scope', () => {
    expect(requestScope(request({}))).toEqual({});
    expect(credentialRegion(request({ authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20261202' }))).toBeUndefined();
    expect(credentialRegion(request({ authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20261202/<bad>/sqs/aws4_request' }))).toBeUndefined();
  });
});

describe('the credential a request is signed with', () => {
  it('names the access key, region and service, from the Authorization header or a presigned URL', () => {
    const header = request({ authorization: 'AWS4-HMAC-SHA256 Credential=ASIAKEY/20261202/us-west-2/sqs/aws4_request, SignedHeaders=host, Signature=abc' });
    expect(signedCredential(header)).toEqual({ accessKeyId: 'ASIAKEY', region: 'us-west-2', service: 'sqs' });
    const presigned = request({}, 'Action=Publish&X-Amz-Credential=ASIAKEY%2F20261202%2Feu-central-1%2Fsns%2Faws4_request');
    expect(signedCredential(presigned)).toEqual({ accessKeyId: 'ASIAKEY', region: 'eu-central-1', service: 'sns' });
  });

  it('keeps the access key of a short scope, and is absent for an unsigned request', () => {
    expect(signedCredential(request({ authorization: 'AWS4-HMAC-SHA256 Credential=ASIAKEY/20261202' }))).toEqual({ accessKeyId: 'ASIAKEY' });
    expect(signedCredential(request({}))).toBeUndefined();
    expect(signedCredential(request({ authorization: 'Bearer token' }))).toBeUndefined();
  });
});
