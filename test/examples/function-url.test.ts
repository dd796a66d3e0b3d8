/**
 * The function-url example against the local runtime: each URL on its own
 * port, called with plain fetch as a browser or curl would, and signed with
 * the SDK's own SigV4 signer for the AWS_IAM URL.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { SignatureV4 } from '@smithy/signature-v4';
import { startExampleForTests } from '../support/local-runtime.js';
import type { LocalRuntime } from '../../local/runtime.js';

let runtime: LocalRuntime;
let publicUrl: string;
let privateUrl: string;
const region = () => runtime.stack.env.region;

beforeAll(async () => {
  runtime = await startExampleForTests('function-url');
  const cloudformation = new CloudFormationClient({ endpoint: runtime.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
  const { Stacks } = await cloudformation.send(new DescribeStacksCommand({ StackName: 'FunctionUrlExample' }));
  const output = (key: string) => Stacks![0]!.Outputs!.find((o) => o.OutputKey === key)!.OutputValue!;
  publicUrl = output('PublicUrl');
  privateUrl = output('PrivateUrl');
}, 120_000);
afterAll(async () => {
  await runtime?.stop();
});

/** SHA-256 (and HMAC-SHA-256 with a secret) from node:crypto, the hash SignatureV4 asks for. */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string' ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);

/** A request to `url` signed for `service` as the AWS SDK signs function URL calls. */
async function signedFetch(url: string, init: { method: string; body?: string; service?: string; signRegion?: string }): Promise<Response> {
  const target = new URL(url);
  const signer = new SignatureV4({
    service: init.service ?? 'lambda',
    region: init.signRegion ?? region(),
    sha256: Sha256,
    credentials: { accessKeyId: 'AKIAOUTSIDECALLER01', secretAccessKey: 'outside-secret' },
  });
  const signed = await signer.sign({
    method: init.method,
    protocol: target.protocol,
    hostname: target.hostname,
    port: Number(target.port),
    path: target.pathname,
    query: Object.fromEntries(target.searchParams),
    headers: { host: target.host, ...(init.body ? { 'content-type': 'application/json' } : {}) },
    ...(init.body ? { body: init.body } : {}),
  });
  return fetch(url, { method: init.method, headers: signed.headers as Record<string, string>, ...(init.body ? { body: init.body } : {}) });
}

describe('function-url example', () => {
  it('serves each URL on its own local port, from /, and resolves the stack outputs to them', () => {
    expect(publicUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(privateUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(new URL(publicUrl).port).not.toBe(new URL(privateUrl).port);
    expect(new URL(publicUrl).port).not.toBe(new URL(runtime.endpoint).port);
    expect(runtime.functionUrls?.map((u) => [u.authType, u.url]).sort()).toEqual([
      ['AWS_IAM', privateUrl],
      ['NONE', publicUrl],
    ]);
  });

  it('answers a plain object as a JSON 200', async () => {
    const response = await fetch(publicUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ message: 'Hello from a function URL', method: 'GET' });
  });

  it('honours statusCode, headers and cookies (one set-cookie each)', async () => {
    const response = await fetch(new URL('custom', publicUrl));
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.getSetCookie()).toEqual(['session=abc123; Path=/; HttpOnly', 'theme=dark; Max-Age=3600']);
    expect(await response.text()).toBe('created');
  });

  it('decodes a base64 body the function marks isBase64Encoded', async () => {
    const response = await fetch(new URL('pixel.png', publicUrl));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });

  it('hands the function the request as the payload format 2.0 event: query, cookies, body (binary as base64)', async () => {
    const text = await fetch(new URL('echo?a=1&a=2&b=x%20y', publicUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'c1=v1; c2=v2' },
      body: '{"hello":"world"}',
    });
    expect(await text.json()).toEqual({
      method: 'POST',
      path: '/echo',
      query: { a: '1,2', b: 'x y' },
      cookies: ['c1=v1', 'c2=v2'],
      isBase64Encoded: false,
      body: '{"hello":"world"}',
      sameRequestId: true,
    });
    const binary = await fetch(new URL('echo', publicUrl), { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: 'raw bytes' });
    expect(await binary.json()).toMatchObject({ isBase64Encoded: true, body: 'raw bytes' });
  });

  it('answers 502 when the function fails', async () => {
    const response = await fetch(new URL('fail', publicUrl));
    expect(response.status).toBe(502);
    expect(await response.text()).toBe('Internal Server Error');
  });

  it('answers a CORS preflight from the URL config and adds CORS headers to responses', async () => {
    const preflight = await fetch(publicUrl, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type,x-request-id');
    expect(preflight.headers.get('access-control-max-age')).toBe('300');

    const other = await fetch(publicUrl, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();

    const response = await fetch(new URL('custom', publicUrl), { headers: { origin: 'http://localhost:5173' } });
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(response.headers.get('access-control-expose-headers')).toBe('x-request-id');
  });

  it('answers 403 {"Message":"Forbidden"} to an unsigned request on the AWS_IAM URL', async () => {
    const response = await fetch(privateUrl);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ Message: 'Forbidden' });
  });

  it('refuses a signature for another service or region, and a malformed Authorization header', async () => {
    expect((await signedFetch(privateUrl, { method: 'GET', service: 'execute-api' })).status).toBe(403);
    expect((await signedFetch(privateUrl, { method: 'GET', signRegion: 'eu-north-1' })).status).toBe(403);
    const malformed = await fetch(privateUrl, { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKID, Signature=abc' } });
    expect(malformed.status).toBe(403);
  });

  it('accepts a SigV4-signed request and tells the function who signed it', async () => {
    const response = await signedFetch(privateUrl, { method: 'GET' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ message: 'Hello, signed caller', accessKey: 'AKIAOUTSIDECALLER01', accountId: runtime.stack.env.account });
  });
});
