import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsError } from '../../../local/protocol/errors.js';
import type { JsonService } from '../../../local/protocol/json.js';
import type { QueryService } from '../../../local/protocol/query.js';
import { serveApis, type Served } from '../../support/serve.js';

/** Two tiny services, one per protocol family, so only the edge is under test. */
const json: JsonService = {
  targetPrefix: 'Demo_20200101',
  version: '1.1',
  operations: {
    Echo: (input) => ({ echoed: input }),
    Missing: () => {
      throw new AwsError('ResourceNotFoundException', 'No such thing', 400);
    },
    Crash: () => {
      throw new Error('boom');
    },
  },
};

const query: QueryService = {
  version: '2011-11-11',
  xmlns: 'http://demo.amazonaws.com/doc/2011-11-11/',
  signingName: 'demo',
  operations: {
    Hello: (params) => ({ Greeting: `hello ${params.get('Name') ?? ''}` }),
    Crash: () => {
      throw new Error('boom');
    },
  },
};

/** A SigV4 header as any SDK or the CLI sends it; the runtime never checks the signature. */
const signed = (service: string, region = 'us-east-1', key = 'AKIDEXAMPLE') =>
  `AWS4-HMAC-SHA256 Credential=${key}/20261126/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;

let server: Served;

beforeAll(async () => {
  server = await serveApis({ json: [json], query: [query] });
});

afterAll(async () => {
  await server.close();
});

async function post(headers: Record<string, string>, body: string) {
  const response = await fetch(`${server.endpoint}/`, { method: 'POST', headers, body });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

const jsonHeaders = (target?: string): Record<string, string> => ({
  'content-type': 'application/x-amz-json-1.1',
  ...(target ? { 'x-amz-target': target } : {}),
  authorization: signed('demo'),
});

const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
const formHeaders = (authorization?: string): Record<string, string> => ({
  'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
  ...(authorization ? { authorization } : {}),
});

describe('awsJson edge', () => {
  it('runs an operation named by X-Amz-Target', async () => {
    const res = await post(jsonHeaders('Demo_20200101.Echo'), '{"a":1}');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(res.text)).toEqual({ echoed: { a: 1 } });
  });

  it('answers a body that is not JSON with SerializationException 400', async () => {
    const res = await post(jsonHeaders('Demo_20200101.Echo'), '{"a":');
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('SerializationException');
    expect(JSON.parse(res.text).__type).toBe('SerializationException');
  });

  it('answers a JSON body that is not an object with SerializationException 400', async () => {
    const res = await post(jsonHeaders('Demo_20200101.Echo'), '[1,2]');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).__type).toBe('SerializationException');
  });

  it('answers an unknown operation of a known service with UnknownOperationException 400', async () => {
    const res = await post(jsonHeaders('Demo_20200101.Nope'), '{}');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(JSON.parse(res.text).__type).toBe('UnknownOperationException');
  });

  it('answers a target no service owns with UnknownOperationException in the JSON shape', async () => {
    const res = await post(jsonHeaders('DynamoDB_20120810.ListTables'), '{}');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(res.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(res.headers.get('x-amzn-requestid')).toBeTruthy();
    expect(JSON.parse(res.text).__type).toBe('UnknownOperationException');
  });

  it('answers an awsJson POST without X-Amz-Target with UnknownOperationException, not a 404 page', async () => {
    const res = await post(jsonHeaders(), '{}');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(JSON.parse(res.text).__type).toBe('UnknownOperationException');
    const v10 = await post({ 'content-type': 'application/x-amz-json-1.0' }, '{}');
    expect(v10.status).toBe(400);
    expect(v10.headers.get('content-type')).toBe('application/x-amz-json-1.0');
  });

  it('leaves paths other than / to the next handler even with an X-Amz-Target header', async () => {
    const response = await fetch(`${server.endpoint}/prod/SendEvent`, { method: 'POST', headers: jsonHeaders('Demo_20200101.Echo'), body: '{}' });
    expect(response.status).toBe(404);
  });

  it('keeps service errors in the JSON shape with their code and status', async () => {
    const res = await post(jsonHeaders('Demo_20200101.Missing'), '{}');
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(JSON.parse(res.text)).toEqual({ __type: 'ResourceNotFoundException', message: 'No such thing' });
  });

  it('turns a crash inside an operation into InternalFailure 500', async () => {
    const res = await post(jsonHeaders('Demo_20200101.Crash'), '{}');
    expect(res.status).toBe(500);
    expect(JSON.parse(res.text).__type).toBe('InternalFailure');
  });
});

describe('Query edge', () => {
  it('routes a form POST by the credential scope and answers XML', async () => {
    const res = await post(formHeaders(signed('demo', 'eu-west-3', 'ASIAANYTHING')), form({ Action: 'Hello', Version: '2011-11-11', Name: 'a b+c' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/xml');
    expect(res.text).toMatch(
      /^<\?xml version="1\.0"\?>\n<HelloResponse xmlns="http:\/\/demo\.amazonaws\.com\/doc\/2011-11-11\/"><HelloResult><Greeting>hello a b\+c<\/Greeting><\/HelloResult><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/HelloResponse>$/,
    );
  });

  it('routes an unsigned request by Version, in the body or the query string', async () => {
    const res = await post(formHeaders(), form({ Action: 'Hello', Version: '2011-11-11', Name: 'x' }));
    expect(res.text).toContain('<Greeting>hello x</Greeting>');
    const get = await fetch(`${server.endpoint}/?Action=Hello&Version=2011-11-11&Name=y`);
    expect(await get.text()).toContain('<Greeting>hello y</Greeting>');
  });

  it('routes a presigned GET by the X-Amz-Credential scope', async () => {
    const scope = encodeURIComponent('AKID/20261126/us-east-1/demo/aws4_request');
    const get = await fetch(`${server.endpoint}/?Action=Hello&Name=z&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${scope}&X-Amz-Signature=00`);
    expect(await get.text()).toContain('<Greeting>hello z</Greeting>');
    const other = encodeURIComponent('AKID/20261126/us-east-1/sqs/aws4_request');
    expect((await fetch(`${server.endpoint}/?Action=Hello&Version=2011-11-11&X-Amz-Credential=${other}`)).status).toBe(404);
  });

  it('routes by an X-Amz-Credential in a form body, its scope read as the Authorization header is read', async () => {
    const res = await post(formHeaders(), form({ Action: 'Hello', Name: 'w', 'X-Amz-Credential': 'AKID/20261126/us-east-1/demo/aws4_request' }));
    expect(res.text).toContain('<Greeting>hello w</Greeting>');
    // A scope with an empty date still names its service (it is not taken for an unsigned request routed by Version).
    const loose = await post(formHeaders(), form({ Action: 'Hello', Version: '2011-11-11', 'X-Amz-Credential': 'AKID//us-east-1/sqs/aws4_request' }));
    expect(loose.status).toBe(404);
  });

  it('reads a form POST with parameters in the URL too: both, the body winning a parameter in both', async () => {
    const url = `${server.endpoint}/?Action=Crash&Name=url&Version=2011-11-11`;
    const res = await fetch(url, { method: 'POST', headers: formHeaders(), body: form({ Action: 'Hello' }) });
    expect(await res.text()).toContain('<Greeting>hello url</Greeting>');
    // A form POST with nothing in its body is read from its URL.
    const empty = await fetch(`${server.endpoint}/?Action=Hello&Name=e&Version=2011-11-11`, { method: 'POST', headers: formHeaders(), body: '' });
    expect(await empty.text()).toContain('<Greeting>hello e</Greeting>');
  });

  it('routes a presigned POST by the X-Amz-Credential in its URL, its parameters in the body', async () => {
    const scope = encodeURIComponent('AKID/20261126/us-east-1/demo/aws4_request');
    const url = `${server.endpoint}/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${scope}&X-Amz-Signature=00`;
    const res = await fetch(url, { method: 'POST', headers: formHeaders(), body: form({ Action: 'Hello', Name: 'p' }) });
    expect(await res.text()).toContain('<Greeting>hello p</Greeting>');
  });

  it('answers an unknown Action with InvalidAction 400 in an ErrorResponse', async () => {
    const res = await post(formHeaders(signed('demo')), form({ Action: 'Nope', Version: '2011-11-11' }));
    expect(res.status).toBe(400);
    expect(res.text).toMatch(
      /<ErrorResponse xmlns="http:\/\/demo\.amazonaws\.com\/doc\/2011-11-11\/"><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code><Message>The action Nope is not valid for this web service\.<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>/,
    );
  });

  it('answers a signed request without Action with MissingAction 400', async () => {
    const res = await post(formHeaders(signed('demo')), form({ Version: '2011-11-11' }));
    expect(res.status).toBe(400);
    expect(res.text).toContain('<Code>MissingAction</Code>');
  });

  it('leaves an unsigned form without Action, or one signed for another service, to the next handler', async () => {
    expect((await post(formHeaders(), form({ Version: '2011-11-11' }))).status).toBe(404);
    expect((await post(formHeaders(signed('s3')), form({ Action: 'Hello', Version: '2011-11-11' }))).status).toBe(404);
  });

  it('turns a crash inside an operation into a Receiver fault 500', async () => {
    const res = await post(formHeaders(signed('demo')), form({ Action: 'Crash', Version: '2011-11-11' }));
    expect(res.status).toBe(500);
    expect(res.text).toContain('<Type>Receiver</Type><Code>InternalFailure</Code>');
  });
});
