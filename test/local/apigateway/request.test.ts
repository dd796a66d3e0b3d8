import { describe, expect, it } from 'vitest';
import { apiStack, call, harness, mockIntegration, resource, text, API_ID } from './helpers.js';

const echoMock = (extra: Record<string, unknown> = {}) => mockIntegration('ok', extra);

describe('request validation', () => {
  const validated = (validateParams: boolean) =>
    apiStack(
      [
        {
          path: '/v',
          httpMethod: 'GET',
          integration: echoMock(),
          properties: {
            RequestValidatorId: 'val1',
            RequestParameters: {
              'method.request.querystring.mode': true,
              'method.request.header.X-Key': true,
              'method.request.querystring.optional': false,
            },
          },
        },
      ],
      { extra: [resource('Validator', 'AWS::ApiGateway::RequestValidator', { RestApiId: API_ID, ValidateRequestParameters: validateParams }, 'val1')] },
    );

  it('rejects missing required parameters with 400 when the validator checks parameters', async () => {
    const h = harness(validated(true));
    const response = await call(h, 'GET', '/v');
    expect(response.statusCode).toBe(400);
    expect(text(response)).toBe('{"message": "Missing required request parameters: [mode, X-Key]"}');
    expect(response.headers['x-amzn-errortype']).toBe('BadRequestException');
    const ok = await call(h, 'GET', '/v?mode=a', { headers: { 'x-key': 'k' } });
    expect(ok.statusCode).toBe(200);
  });

  it('does not enforce required parameters without a validator that checks them', async () => {
    const h = harness(validated(false));
    expect((await call(h, 'GET', '/v')).statusCode).toBe(200);
  });
});

describe('passthrough behaviour', () => {
  const stack = (behavior: string, templates: Record<string, string> | undefined) =>
    apiStack([
      {
        path: '/p',
        httpMethod: 'POST',
        integration: {
          Type: 'AWS',
          IntegrationHttpMethod: 'POST',
          Uri: 'arn:aws:apigateway:us-east-1:sqs:path/queue',
          PassthroughBehavior: behavior,
          ...(templates ? { RequestTemplates: templates } : {}),
          IntegrationResponses: [{ StatusCode: '200' }],
        },
      },
    ]);
  const backend = { aws: () => ({ statusCode: 200, headers: {}, body: 'done' }) };

  it('NEVER answers 415 when no template matches the Content-Type', async () => {
    const h = harness(stack('NEVER', { 'application/json': 'mapped' }), backend);
    const response = await call(h, 'POST', '/p', { headers: { 'content-type': 'text/plain' }, body: 'raw' });
    expect(response.statusCode).toBe(415);
    expect(text(response)).toBe('{"message": "Unsupported Media Type"}');
    expect(h.awsCalls).toHaveLength(0);
  });

  it('uses application/json when the request has no Content-Type', async () => {
    const h = harness(stack('NEVER', { 'application/json': 'mapped' }), backend);
    expect((await call(h, 'POST', '/p', { body: 'raw' })).statusCode).toBe(200);
    expect(h.awsCalls[0]!.req.body.toString()).toBe('mapped');
    expect(h.awsCalls[0]!.req.path).toBe('/queue');
  });

  it('WHEN_NO_TEMPLATES passes the body through only when there are no templates', async () => {
    const withTemplates = harness(stack('WHEN_NO_TEMPLATES', { 'application/json': 'mapped' }), backend);
    expect((await call(withTemplates, 'POST', '/p', { headers: { 'content-type': 'text/plain' }, body: 'raw' })).statusCode).toBe(415);
    const without = harness(stack('WHEN_NO_TEMPLATES', undefined), backend);
    expect((await call(without, 'POST', '/p', { headers: { 'content-type': 'text/plain' }, body: 'raw' })).statusCode).toBe(200);
    expect(without.awsCalls[0]!.req.body.toString()).toBe('raw');
  });

  it('WHEN_NO_MATCH passes an unmatched body through unchanged', async () => {
    const h = harness(stack('WHEN_NO_MATCH', { 'application/json': 'mapped' }), backend);
    const response = await call(h, 'POST', '/p', { headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'raw' });
    expect(response.statusCode).toBe(200);
    expect(text(response)).toBe('done');
    expect(h.awsCalls[0]!.req.body.toString()).toBe('raw');
    expect(h.awsCalls[0]!.req.headers['content-type']).toBe('text/plain; charset=utf-8');
  });
});

describe('limits and failures', () => {
  it('answers 413 for a payload over 10 MB', async () => {
    const h = harness(apiStack([{ path: '/p', httpMethod: 'POST', integration: echoMock() }]));
    const response = await call(h, 'POST', '/p', { body: 'x'.repeat(10 * 1024 * 1024 + 1) });
    expect(response.statusCode).toBe(413);
  });

  it('answers 500 for a template that fails to render, and stays up', async () => {
    const h = harness(apiStack([{ path: '/bad', httpMethod: 'GET', integration: echoMock({ RequestTemplates: { 'application/json': '#if(' } }) }]));
    const response = await call(h, 'GET', '/bad');
    expect(response.statusCode).toBe(500);
    expect(text(response)).toBe('{"message": "Internal server error"}');
  });

  it('applies $context.responseOverride and writes execution logs when the stage logs INFO', async () => {
    const h = harness(
      apiStack(
        [
          {
            path: '/o',
            httpMethod: 'GET',
            integration: echoMock({
              IntegrationResponses: [
                { StatusCode: '200', ResponseTemplates: { 'application/json': '#set($context.responseOverride.status = 418)#set($context.responseOverride.header.X-Tea = "pot")tea' } },
              ],
            }),
          },
        ],
        { stage: { MethodSettings: [{ HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'INFO', DataTraceEnabled: true }] } },
      ),
    );
    const response = await call(h, 'GET', '/o?a=1');
    expect([response.statusCode, text(response), response.headers['x-tea']]).toEqual([418, 'tea', 'pot']);
    const exec = h.logs.find((l) => l.group === `API-Gateway-Execution-Logs_${API_ID}/prod`);
    expect(exec?.events.map((e) => e.message)).toContain(`(${response.headers['x-amzn-requestid']}) Method request query string: {a=1}`);
    expect(exec?.events.at(-1)?.message).toMatch(/Method completed with status: 418$/);
    expect(exec?.events.map((e) => e.message)).toContain(`(${response.headers['x-amzn-requestid']}) Endpoint request body after transformations: {"statusCode": 200}`);
    expect(h.traces.map((t) => t.kind)).toEqual(['request', 'response']);
  });
});

describe('gateway responses', () => {
  it('customizes status, headers and body of API Gateway answers by response type, then DEFAULT_4XX', async () => {
    const stack = apiStack(
      [
        {
          path: '/v',
          httpMethod: 'GET',
          integration: echoMock(),
          properties: { RequestValidatorId: 'val1', RequestParameters: { 'method.request.querystring.mode': true } },
        },
      ],
      {
        extra: [
          resource('Validator', 'AWS::ApiGateway::RequestValidator', { RestApiId: API_ID, ValidateRequestParameters: true }, 'val1'),
          resource('Missing', 'AWS::ApiGateway::GatewayResponse', {
            RestApiId: API_ID,
            ResponseType: 'MISSING_AUTHENTICATION_TOKEN',
            StatusCode: '404',
            ResponseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" },
            ResponseTemplates: { 'application/json': '{"error":$context.error.messageString,"type":"$context.error.responseType"}' },
          }),
          resource('Default4xx', 'AWS::ApiGateway::GatewayResponse', {
            RestApiId: API_ID,
            ResponseType: 'DEFAULT_4XX',
            ResponseParameters: { 'gatewayresponse.header.X-Echo': 'method.request.header.x-in' },
          }),
        ],
      },
    );
    const h = harness(stack);
    const missing = await call(h, 'GET', '/nowhere');
    expect([missing.statusCode, text(missing), missing.headers['access-control-allow-origin']]).toEqual([
      404,
      '{"error":"Missing Authentication Token","type":"MISSING_AUTHENTICATION_TOKEN"}',
      '*',
    ]);
    const invalid = await call(h, 'GET', '/v', { headers: { 'x-in': 'echoed' } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.headers['x-echo']).toBe('echoed');
    expect(text(invalid)).toBe('{"message": "Missing required request parameters: [mode]"}');
  });
});

describe('request body validation', () => {
  const stack = apiStack(
    [
      {
        path: '/orders',
        httpMethod: 'POST',
        integration: echoMock(),
        properties: { RequestValidatorId: 'body', RequestModels: { 'application/json': 'Order' } },
      },
    ],
    {
      extra: [
        resource('BodyValidator', 'AWS::ApiGateway::RequestValidator', { RestApiId: API_ID, ValidateRequestBody: true }, 'body'),
        resource('OrderModel', 'AWS::ApiGateway::Model', {
          RestApiId: API_ID,
          Name: 'Order',
          ContentType: 'application/json',
          Schema: JSON.stringify({
            $schema: 'http://json-schema.org/draft-04/schema#',
            type: 'object',
            required: ['item', 'quantity'],
            properties: { item: { type: 'string', minLength: 1 }, quantity: { type: 'integer', minimum: 1 } },
            additionalProperties: false,
          }),
        }),
      ],
    },
  );

  it('lets a body that matches the model through', async () => {
    const response = await call(harness(stack), 'POST', '/orders', { headers: { 'content-type': 'application/json' }, body: '{"item":"tea","quantity":2}' });
    expect(response.statusCode).toBe(200);
  });

  it.each([
    ['a missing required property', '{"item":"tea"}'],
    ['a wrong type', '{"item":"tea","quantity":"2"}'],
    ['an extra property', '{"item":"tea","quantity":2,"x":1}'],
    ['a body that is not JSON', 'item=tea'],
  ])('answers 400 Invalid request body for %s', async (_what, body) => {
    const response = await call(harness(stack), 'POST', '/orders', { headers: { 'content-type': 'application/json' }, body });
    expect(response.statusCode).toBe(400);
    expect(text(response)).toBe('{"message": "Invalid request body"}');
    expect(response.headers['x-amzn-errortype']).toBe('BadRequestException');
  });
});

describe('request body validation against a draft 4 model', () => {
  const modelStack = (schema: Record<string, unknown>) =>
    apiStack(
      [
        {
          path: '/m',
          httpMethod: 'POST',
          integration: echoMock(),
          properties: { RequestValidatorId: 'body', RequestModels: { 'application/json': 'M' } },
        },
      ],
      {
        stage: { MethodSettings: [{ HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'ERROR' }] },
        extra: [
          resource('BodyValidator', 'AWS::ApiGateway::RequestValidator', { RestApiId: API_ID, ValidateRequestBody: true }, 'body'),
          resource('Model', 'AWS::ApiGateway::Model', { RestApiId: API_ID, Name: 'M', ContentType: 'application/json', Schema: schema }),
        ],
      },
    );
  const post = (h: ReturnType<typeof harness>, body: string) => call(h, 'POST', '/m', { headers: { 'content-type': 'application/json' }, body });

  it('does not take an inherited property for a required one', async () => {
    const h = harness(modelStack({ type: 'object', required: ['constructor'] }));
    const refused = await post(h, '{}');
    expect(refused.statusCode).toBe(400);
    expect(text(refused)).toBe('{"message": "Invalid request body"}');
    expect((await post(h, '{"constructor":"x"}')).statusCode).toBe(200);
  });

  it('compares enum objects whatever their key order', async () => {
    const h = harness(modelStack({ enum: [{ a: 1, b: 2 }] }));
    expect((await post(h, '{"b":2,"a":1}')).statusCode).toBe(200);
    expect((await post(h, '{"b":3,"a":1}')).statusCode).toBe(400);
  });

  it('writes the violations to the execution log as API Gateway does', async () => {
    const h = harness(modelStack({ type: 'object', required: ['item'], properties: { n: { type: 'integer' } } }));
    await post(h, '{"n":"2"}');
    const lines = h.logs.filter((l) => l.group.startsWith('API-Gateway-Execution-Logs_')).flatMap((l) => l.events.map((e) => e.message));
    expect(lines).toContainEqual(
      expect.stringMatching(/ Request body does not match model schema for content type application\/json: \[\/ must have required property 'item', \/n must be integer\]$/),
    );
  });
});
