import { afterEach, describe, expect, it, vi } from 'vitest';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiStack, call, harness, lambdaInvocationUri, lambdaProxyIntegration, lambdaResult, text } from './helpers.js';
import { AwsError } from '../../../local/protocol/errors.js';

const FN = 'arn:aws:lambda:us-east-1:000000000000:function:target';
const lambdaUri = lambdaInvocationUri(FN);
/** One Lambda proxy method of FN at `path`. */
const proxyStack = (path: string, extra: Record<string, unknown> = {}) => apiStack([{ path, httpMethod: 'GET', integration: lambdaProxyIntegration(FN, extra) }]);

describe('AWS service integration', () => {
  const stack = apiStack([
    {
      path: '/send',
      httpMethod: 'POST',
      integration: {
        Type: 'AWS',
        IntegrationHttpMethod: 'POST',
        Uri: 'arn:aws:apigateway:us-east-1:sqs:action/SendMessage',
        Credentials: 'arn:aws:iam::000000000000:role/apigw',
        RequestParameters: {
          'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'",
          'integration.request.querystring.QueueUrl': 'method.request.querystring.queue',
          'integration.request.header.X-Trace': 'method.request.header.x-trace',
        },
        RequestTemplates: { 'application/json': 'MessageBody=$util.urlEncode($input.body)' },
        IntegrationResponses: [
          {
            StatusCode: '200',
            ResponseTemplates: { 'application/json': '{"id":"$input.path(\'$.MessageId\')"}' },
            ResponseParameters: {
              'method.response.header.X-Backend': 'integration.response.header.x-amz-id',
              'method.response.header.X-Static': "'fixed'",
              'method.response.header.X-Id': 'integration.response.body.MessageId',
            },
          },
          { StatusCode: '400', SelectionPattern: '4\\d{2}', ResponseTemplates: { 'application/json': '{"bad":"$input.path(\'$.code\')"}' } },
        ],
      },
    },
  ]);

  it('sends Action in the query string, the mapped body, headers and query parameters', async () => {
    const h = harness(stack, { aws: () => ({ statusCode: 200, headers: { 'x-amz-id': 'b-1' }, body: '{"MessageId":"m-1"}' }) });
    const response = await call(h, 'POST', '/send?queue=q1', { headers: { 'content-type': 'application/json', 'x-trace': 't-1' }, body: 'hello world & more' });
    expect(response.statusCode).toBe(200);
    expect(text(response)).toBe('{"id":"m-1"}');
    expect(response.headers['x-backend']).toBe('b-1');
    expect(response.headers['x-static']).toBe('fixed');
    expect(response.headers['x-id']).toBe('m-1');
    const { service, req } = h.awsCalls[0]!;
    expect(service).toBe('sqs');
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/');
    expect(new URLSearchParams(req.rawQuery).get('Action')).toBe('SendMessage');
    expect(new URLSearchParams(req.rawQuery).get('QueueUrl')).toBe('q1');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.headers['x-trace']).toBe('t-1');
    expect(req.body.toString()).toBe('MessageBody=hello+world+%26+more');
  });

  it('traces the integration call and writes it, with the payloads under data tracing, to the execution log', async () => {
    const traced = apiStack(
      [{ path: '/send', httpMethod: 'POST', integration: { Type: 'AWS', IntegrationHttpMethod: 'POST', Uri: 'arn:aws:apigateway:us-east-1:sqs:action/SendMessage', IntegrationResponses: [{ StatusCode: '200' }] } }],
      { stage: { MethodSettings: [{ HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'INFO', DataTraceEnabled: true }] } },
    );
    const h = harness(traced, { aws: () => ({ statusCode: 200, headers: {}, body: '{"MessageId":"m-1"}' }) });
    const response = await call(h, 'POST', '/send', { headers: { 'content-type': 'application/json' }, body: 'hi' });
    const id = response.headers['x-amzn-requestid'];
    expect(h.traces.map((t) => t.kind)).toEqual(['request', 'integration', 'response']);
    expect(h.traces[1]).toEqual({
      service: 'apigateway',
      kind: 'integration',
      resource: 'TestApi/prod',
      summary: 'POST /send -> sqs POST /?Action=SendMessage',
      ids: { requestId: id },
      detail: { service: 'sqs', method: 'POST', path: '/', query: 'Action=SendMessage' },
    });
    const lines = h.logs.filter((l) => l.group.startsWith('API-Gateway-Execution-Logs_')).flatMap((l) => l.events.map((e) => e.message));
    expect(lines.slice(5)).toEqual([
      `(${id}) Method request body before transformations: hi`,
      `(${id}) Endpoint request body after transformations: hi`,
      `(${id}) Sending request to sqs POST /?Action=SendMessage`,
      `(${id}) Endpoint response body before transformations: {"MessageId":"m-1"}`,
      `(${id}) Method completed with status: 200`,
    ]);
    // Without data tracing only the call is logged.
    const quiet = harness(
      apiStack([{ path: '/send', httpMethod: 'POST', integration: { Type: 'AWS', IntegrationHttpMethod: 'POST', Uri: 'arn:aws:apigateway:us-east-1:sqs:action/SendMessage', IntegrationResponses: [{ StatusCode: '200' }] } }], {
        stage: { MethodSettings: [{ HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'INFO' }] },
      }),
      { aws: () => ({ statusCode: 200, headers: {}, body: '{}' }) },
    );
    await call(quiet, 'POST', '/send', { body: 'hi' });
    const quietLines = quiet.logs.filter((l) => l.group.startsWith('API-Gateway-Execution-Logs_')).flatMap((l) => l.events.map((e) => e.message.replace(/^\([^)]+\) /, '')));
    expect(quietLines.slice(5)).toEqual(['Sending request to sqs POST /?Action=SendMessage', 'Method completed with status: 200']);
  });

  it('selects the integration response whose SelectionPattern matches the backend status', async () => {
    const h = harness(stack, { aws: () => ({ statusCode: 403, headers: {}, body: '{"code":"Denied"}' }) });
    const response = await call(h, 'POST', '/send', { body: 'x' });
    expect(response.statusCode).toBe(400);
    expect(text(response)).toBe('{"bad":"Denied"}');
  });

  it('answers 500 when no integration response matches and there is no default', async () => {
    const noDefault = apiStack([
      {
        path: '/x',
        httpMethod: 'GET',
        integration: {
          Type: 'AWS',
          IntegrationHttpMethod: 'POST',
          Uri: 'arn:aws:apigateway:us-east-1:sns:path//',
          IntegrationResponses: [{ StatusCode: '200', SelectionPattern: '2\\d{2}' }],
        },
      },
    ]);
    const h = harness(noDefault, { aws: () => ({ statusCode: 500, headers: {}, body: 'boom' }) });
    const response = await call(h, 'GET', '/x');
    expect(response.statusCode).toBe(500);
    expect(text(response)).toBe('{"message": "Internal server error"}');
  });

  it('answers 500 when the service call itself fails', async () => {
    const h = harness(stack, {
      aws: () => {
        throw new AwsError('UnknownService', 'no endpoint', 500);
      },
    });
    const response = await call(h, 'POST', '/send', { body: 'x' });
    expect(response.statusCode).toBe(500);
    expect(response.headers['x-amzn-errortype']).toBe('InternalServerErrorException');
  });
});

describe('Lambda non-proxy integration', () => {
  const stack = apiStack([
    {
      path: '/async',
      httpMethod: 'POST',
      integration: {
        Type: 'AWS',
        IntegrationHttpMethod: 'POST',
        Uri: lambdaUri,
        RequestParameters: { 'integration.request.header.X-Amz-Invocation-Type': "'Event'" },
        RequestTemplates: { 'application/json': '{"wrapped": $input.json(\'$\')}' },
        IntegrationResponses: [{ StatusCode: '200', ResponseTemplates: { 'application/json': '{"queued":true}' } }],
      },
    },
    {
      path: '/sync',
      httpMethod: 'POST',
      integration: {
        Type: 'AWS',
        IntegrationHttpMethod: 'POST',
        Uri: lambdaUri,
        IntegrationResponses: [
          { StatusCode: '200' },
          { StatusCode: '400', SelectionPattern: '.*\\[BadRequest\\].*', ResponseTemplates: { 'application/json': '{"error":"$input.path(\'$.errorMessage\')"}' } },
        ],
      },
    },
  ]);

  it('invokes asynchronously when X-Amz-Invocation-Type maps to Event', async () => {
    const h = harness(stack, { lambda: () => lambdaResult('', { statusCode: 202 }) });
    const response = await call(h, 'POST', '/async', { body: '{"a":1}' });
    expect(response.statusCode).toBe(200);
    expect(text(response)).toBe('{"queued":true}');
    expect(h.lambdaCalls[0]).toMatchObject({ fn: FN, type: 'Event', payload: '{"wrapped": {"a":1}}' });
    expect(h.lambdaCalls[0]!.caller).toEqual({
      principal: 'apigateway.amazonaws.com',
      sourceArn: `arn:aws:execute-api:us-east-1:000000000000:abc123defg/prod/POST/async`,
      sourceAccount: '000000000000',
    });
  });

  it('passes the result through and matches a function error message against SelectionPattern', async () => {
    let fail = false;
    const h = harness(stack, {
      lambda: () =>
        fail
          ? lambdaResult({ errorType: 'Error', errorMessage: '[BadRequest] no mode' }, { functionError: 'Unhandled' })
          : lambdaResult({ ok: true }),
    });
    const ok = await call(h, 'POST', '/sync', { body: '{}' });
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(text(ok))).toEqual({ ok: true });
    expect(h.lambdaCalls[0]!.type).toBe('RequestResponse');
    fail = true;
    const bad = await call(h, 'POST', '/sync', { body: '{}' });
    expect(bad.statusCode).toBe(400);
    expect(text(bad)).toBe('{"error":"[BadRequest] no mode"}');
  });

  it("names the function's request id on the response trace, so the dashboard joins the run to the API request", async () => {
    const h = harness(stack, { lambda: () => lambdaResult({ ok: true }, { requestId: 'lambda-run-7' }) });
    await call(h, 'POST', '/sync', { body: '{}' });
    const response = h.traces.find((t) => t.kind === 'response')!;
    expect(response.ids).toEqual({ requestId: h.traces[0]!.ids!.requestId, lambdaRequestId: 'lambda-run-7' });
  });

  it('answers 500 with a configuration error when the function does not let the API invoke it', async () => {
    const h = harness(stack, {
      lambda: () => {
        throw new AwsError('AccessDeniedException', 'The resource policy of target does not allow apigateway.amazonaws.com', 403);
      },
    });
    const response = await call(h, 'POST', '/sync', { body: '{}' });
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(text(response))).toEqual({ message: 'Internal server error' });
    expect(h.traces.map((t) => t.summary).join('\n')).toContain('Execution failed due to configuration error: Invalid permissions on Lambda function');
  });

  it('does not let `.` in a SelectionPattern cross a newline of the error message, as Java regex', async () => {
    const h = harness(stack, {
      lambda: () => lambdaResult({ errorType: 'Error', errorMessage: '[BadRequest] first\nsecond' }, { functionError: 'Unhandled' }),
    });
    const response = await call(h, 'POST', '/sync', { body: '{}' });
    // `.*\[BadRequest\].*` cannot reach past the newline: the default (200) response passes the error through.
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(text(response))).toMatchObject({ errorMessage: '[BadRequest] first\nsecond' });
  });
});

describe('Lambda proxy integration', () => {
  const stack = apiStack([{ path: '/users/{id}', httpMethod: 'ANY', integration: lambdaProxyIntegration(FN) }], {
    stage: { Variables: { color: 'blue' } },
  });

  it("names the function's request id on the response trace", async () => {
    const h = harness(stack, { lambda: () => lambdaResult({ statusCode: 200, body: 'ok' }, { requestId: 'lambda-run-8' }) });
    await call(h, 'GET', '/users/u1');
    expect(h.traces.find((t) => t.kind === 'response')!.ids?.lambdaRequestId).toBe('lambda-run-8');
  });

  it("names the function's request id on the response trace when the function failed", async () => {
    const h = harness(stack, { lambda: () => lambdaResult({ errorMessage: 'boom' }, { functionError: 'Unhandled', requestId: 'lambda-run-9' }) });
    expect((await call(h, 'GET', '/users/u1')).statusCode).toBe(502);
    expect(h.traces.find((t) => t.kind === 'response')!.ids).toEqual({ requestId: h.traces[0]!.ids!.requestId, lambdaRequestId: 'lambda-run-9' });
  });

  it('sends the 1.0 event and returns the function response', async () => {
    const h = harness(stack, {
      lambda: () => lambdaResult({ statusCode: 201, headers: { 'X-One': '1' }, multiValueHeaders: { 'X-Many': ['a', 'b'] }, body: 'created' }),
    });
    const response = await call(h, 'PUT', '/users/u+1?x=1&x=2&y=a+b%2B', { headers: { 'content-type': 'text/plain', 'user-agent': 'ua' }, body: 'payload' });
    expect(response.statusCode).toBe(201);
    expect(text(response)).toBe('created');
    expect(response.headers['x-one']).toBe('1');
    expect(response.headers['x-many']).toBe('a, b');
    const event = JSON.parse(h.lambdaCalls[0]!.payload) as APIGatewayProxyEvent;
    expect(event).toMatchObject({
      resource: '/users/{id}',
      path: '/users/u+1',
      httpMethod: 'PUT',
      queryStringParameters: { x: '2', y: 'a b+' },
      multiValueQueryStringParameters: { x: ['1', '2'], y: ['a b+'] },
      pathParameters: { id: 'u+1' },
      stageVariables: { color: 'blue' },
      body: 'payload',
      isBase64Encoded: false,
    });
    expect(event.headers['content-type']).toBe('text/plain');
    expect(event.multiValueHeaders['user-agent']).toEqual(['ua']);
    expect(event.requestContext).toMatchObject({
      resourcePath: '/users/{id}',
      httpMethod: 'PUT',
      path: '/prod/users/u+1',
      stage: 'prod',
      accountId: '000000000000',
      apiId: 'abc123defg',
      protocol: 'HTTP/1.1',
      identity: { sourceIp: '127.0.0.1', userAgent: 'ua' },
    });
    expect(event.requestContext.requestId).toBe(response.headers['x-amzn-requestid']);
    expect(h.lambdaCalls[0]!.type).toBe('RequestResponse');
  });

  it('answers 502 for a malformed response and for a function error', async () => {
    let result = lambdaResult({ statusCode: 200, body: { not: 'a string' } });
    const h = harness(stack, { lambda: () => result });
    const malformed = await call(h, 'GET', '/users/1');
    expect(malformed.statusCode).toBe(502);
    expect(text(malformed)).toBe('{"message": "Internal server error"}');
    result = lambdaResult({ errorMessage: 'boom' }, { functionError: 'Unhandled' });
    expect((await call(h, 'GET', '/users/1')).statusCode).toBe(502);
    result = lambdaResult('not json');
    expect((await call(h, 'GET', '/users/1')).statusCode).toBe(502);
  });

  it('sends null body and parameter maps when there are none', async () => {
    const h = harness(stack, { lambda: () => lambdaResult({ statusCode: 204 }) });
    const response = await call(h, 'GET', '/users/1');
    expect(response.statusCode).toBe(204);
    const event = JSON.parse(h.lambdaCalls[0]!.payload) as APIGatewayProxyEvent;
    expect(event.body).toBeNull();
    expect(event.queryStringParameters).toBeNull();
    expect(event.multiValueQueryStringParameters).toBeNull();
  });
});

describe('MOCK integration', () => {
  it('takes the status from the request template and selects the integration response by it', async () => {
    const stack = apiStack([
      {
        path: '/mock',
        httpMethod: 'GET',
        integration: {
          Type: 'MOCK',
          RequestTemplates: { 'application/json': "{\"statusCode\": #if($input.params('fail') == 'yes')404#{else}200#end}" },
          IntegrationResponses: [
            { StatusCode: '200', ResponseTemplates: { 'application/json': '{"ok":true}' } },
            { StatusCode: '404', SelectionPattern: '404', ResponseTemplates: { 'application/json': '{"ok":false}' } },
          ],
        },
      },
    ]);
    const h = harness(stack);
    const ok = await call(h, 'GET', '/mock');
    expect([ok.statusCode, text(ok)]).toEqual([200, '{"ok":true}']);
    const missing = await call(h, 'GET', '/mock?fail=yes');
    expect([missing.statusCode, text(missing)]).toEqual([404, '{"ok":false}']);
  });
});

describe('integration edge cases', () => {
  it('answers 504 when the integration does not answer within TimeoutInMillis', async () => {
    const stack = proxyStack('/slow', { TimeoutInMillis: 50 });
    const h = harness(stack, { lambda: () => new Promise(() => {}) });
    const response = await call(h, 'GET', '/slow');
    expect(response.statusCode).toBe(504);
    expect(text(response)).toBe('{"message": "Endpoint request timed out"}');
  });

  describe('with fake timers', () => {
    afterEach(() => void vi.useRealTimers());
    const slowStack = apiStack(
      [{ path: '/slow', httpMethod: 'POST', integration: { Type: 'AWS', IntegrationHttpMethod: 'POST', Uri: 'arn:aws:apigateway:us-east-1:sqs:action/SendMessage', TimeoutInMillis: 1000, IntegrationResponses: [{ StatusCode: '200' }] } }],
      { stage: { MethodSettings: [{ HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'ERROR' }] } },
    );

    it('waits TimeoutInMillis of local time, which the time scale does not shrink, then answers 504 and logs the timeout', async () => {
      vi.useFakeTimers();
      const h = harness(slowStack, { aws: () => new Promise(() => {}) });
      let answered = false;
      const pending = call(h, 'POST', '/slow', { body: '{}' }).finally(() => (answered = true));
      await vi.advanceTimersByTimeAsync(999);
      expect(answered).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      const response = await pending;
      expect(response.statusCode).toBe(504);
      expect(text(response)).toBe('{"message": "Endpoint request timed out"}');
      const id = response.headers['x-amzn-requestid'];
      expect(h.logs.flatMap((l) => l.events.map((e) => e.message))).toEqual([
        `(${id}) Execution failed due to a timeout error after 1000 ms`,
        `(${id}) Method completed with status: 504`,
      ]);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('clears the timeout once the backend answers', async () => {
      vi.useFakeTimers();
      const h = harness(slowStack, { aws: () => ({ statusCode: 200, headers: {}, body: '{}' }) });
      expect((await call(h, 'POST', '/slow', { body: '{}' })).statusCode).toBe(200);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('clears the timeout when the backend fails', async () => {
      vi.useFakeTimers();
      const h = harness(slowStack, { aws: () => Promise.reject(new Error('connection reset')) });
      expect((await call(h, 'POST', '/slow', { body: '{}' })).statusCode).toBe(500);
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  it('fills ${stageVariables.x} in the integration URI', async () => {
    const uri = 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:${stageVariables.fn}/invocations';
    const stack = apiStack([{ path: '/sv', httpMethod: 'GET', integration: lambdaProxyIntegration(FN, { Uri: uri }) }], {
      stage: { Variables: { fn: 'chosen' } },
    });
    const h = harness(stack, { lambda: () => lambdaResult({ statusCode: 200, body: 'ok' }) });
    expect((await call(h, 'GET', '/sv')).statusCode).toBe(200);
    expect(h.lambdaCalls[0]!.fn).toBe('arn:aws:lambda:us-east-1:000000000000:function:chosen');
  });

  it('renames response headers API Gateway owns, as x-amzn-Remapped-*', async () => {
    const stack = proxyStack('/h');
    const h = harness(stack, { lambda: () => lambdaResult({ statusCode: 200, headers: { Connection: 'close', 'Content-Length': '99', 'X-Mine': 'y' }, body: 'ok' }) });
    const response = await call(h, 'GET', '/h');
    expect(response.headers).toMatchObject({ 'x-amzn-remapped-connection': 'close', 'x-amzn-remapped-content-length': '99', 'x-mine': 'y' });
    expect(response.headers.connection).toBeUndefined();
  });
});

describe('MOCK status parsing', () => {
  it('reads the relaxed `{ statusCode: 200 }` CDK uses for CORS preflight', async () => {
    const stack = apiStack([
      {
        path: '/cors',
        httpMethod: 'OPTIONS',
        integration: {
          Type: 'MOCK',
          RequestTemplates: { 'application/json': '{ statusCode: 200 }' },
          IntegrationResponses: [{ StatusCode: '204', ResponseParameters: { 'method.response.header.Access-Control-Allow-Origin': "'*'" } }],
        },
      },
    ]);
    const response = await call(harness(stack), 'OPTIONS', '/cors');
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('payload encoding without binary media types', () => {
  it('returns a base64 proxy body as the text it is, as API Gateway does without BinaryMediaTypes', async () => {
    const stack = proxyStack('/b');
    const h = harness(stack, { lambda: () => lambdaResult({ statusCode: 200, body: 'aGVsbG8=', isBase64Encoded: true }) });
    expect(text(await call(h, 'GET', '/b'))).toBe('aGVsbG8=');
  });
});
