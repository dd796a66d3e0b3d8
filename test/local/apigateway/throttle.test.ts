import { describe, expect, it } from 'vitest';
import { StageThrottle, TokenBucket, methodSettingPath } from '../../../local/apigateway/throttle.js';
import { formatAccessLog } from '../../../local/apigateway/access-log.js';
import { apiStack, call, harness, lambdaProxyIntegration, lambdaResult, text } from './helpers.js';

describe('throttling', () => {
  it('a token bucket allows the burst, then refills at the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(2, 3, () => now);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true, false]);
    now = 500; // 0.5 s at 2/s: one token back
    expect([bucket.tryTake(), bucket.tryTake()]).toEqual([true, false]);
  });

  it('a method setting replaces the stage limit for that method only', () => {
    const now = 0;
    const throttle = new StageThrottle(
      [
        { httpMethod: '*', resourcePath: '/*', throttlingRateLimit: 1, throttlingBurstLimit: 1 },
        { httpMethod: 'GET', resourcePath: methodSettingPath('/items/{id}'), throttlingRateLimit: 1, throttlingBurstLimit: 3 },
      ],
      () => now,
    );
    expect(methodSettingPath('/items/{id}')).toBe('/~1items~1{id}');
    expect([1, 2, 3, 4].map(() => throttle.admit('/items/{id}', 'GET'))).toEqual([true, true, true, false]);
    expect([throttle.admit('/other', 'GET'), throttle.admit('/other', 'GET')]).toEqual([true, false]);
  });

  it('a stage-only limit applies to every method, and no setting admits everything', () => {
    const throttle = new StageThrottle([{ httpMethod: '*', resourcePath: '/*', throttlingRateLimit: 1, throttlingBurstLimit: 2 }], () => 0);
    expect([throttle.admit('/a', 'GET'), throttle.admit('/b', 'POST'), throttle.admit('/a', 'GET')]).toEqual([true, true, false]);
    const open = new StageThrottle([{ httpMethod: '*', resourcePath: '/*' }], () => 0);
    expect([1, 2, 3].map(() => open.admit('/a', 'GET'))).toEqual([true, true, true]);
  });

  it('names the root resource `/` in a method setting, as CloudFormation does', () => {
    expect(methodSettingPath('/')).toBe('/');
    const throttle = new StageThrottle([{ httpMethod: 'GET', resourcePath: '/', throttlingRateLimit: 1, throttlingBurstLimit: 1 }], () => 0);
    expect([throttle.admit('/', 'GET'), throttle.admit('/', 'GET')]).toEqual([true, false]);
    expect([throttle.admit('/items', 'GET'), throttle.admit('/items', 'GET')]).toEqual([true, true]);
  });

  it('answers 429 Too Many Requests past the stage burst', async () => {
    const stack = apiStack(
      [{ path: '/t', httpMethod: 'GET', integration: { Type: 'MOCK', IntegrationResponses: [{ StatusCode: '200' }] } }],
      { stage: { MethodSettings: [{ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 0.001, ThrottlingBurstLimit: 1 }] } },
    );
    const h = harness(stack);
    expect((await call(h, 'GET', '/t')).statusCode).toBe(200);
    const throttled = await call(h, 'GET', '/t');
    expect(throttled.statusCode).toBe(429);
    expect(text(throttled)).toBe('{"message":"Too Many Requests"}');
    expect(throttled.headers['x-amzn-errortype']).toBe('TooManyRequestsException');
  });
});

describe('access logs', () => {
  it('substitutes $context variables and prints - for missing ones', () => {
    const line = formatAccessLog('{"id":"$context.requestId","ip":"$context.identity.sourceIp","user":"$context.identity.user","s":$context.status}', {
      requestId: 'r1',
      identity: { sourceIp: '1.2.3.4' },
      status: 200,
    });
    expect(line).toBe('{"id":"r1","ip":"1.2.3.4","user":"-","s":200}');
  });

  it('substitutes braced, adjacent and nested variables, objects as JSON, and leaves other text alone', () => {
    const context = { a: 'A', b: { c: 'C', d: { e: 1 } }, empty: '', zero: 0, no: false, nul: null, list: [1, 'x'] };
    const cases: [string, string][] = [
      ['', ''],
      ['plain $ text $contextual ${other.a} $context. $context', 'plain $ text $contextual ${other.a} $context. $context'],
      ['$context.a$context.a${context.b.c}', 'AAC'],
      ['[$context.b]', '[{"c":"C","d":{"e":1}}]'],
      ['$context.b.d.e/$context.b.d.e.f/$context.a.length', '1/-/-'],
      ['$context.empty $context.zero $context.no $context.nul $context.missing ${context.missing.x}', '- 0 false - - -'],
      ['$context.list ${context.b.c}.x $context.a.', '[1,"x"] C.x A.'],
      ['$context.a-$context.b.c_$context.a', 'A--A'],
    ];
    for (const [format, expected] of cases) {
      expect(formatAccessLog(format, context)).toBe(expected);
      // Parsed once and reused: the same answer the second time.
      expect(formatAccessLog(format, context)).toBe(expected);
    }
  });

  it('reads overrides as on top of $context, as a merged copy of both would be', () => {
    const context = { a: 'A', status: 'stale', error: { message: 'old' }, nested: { x: 1 } };
    const overrides = { status: 200, error: {}, integration: { latency: 3, status: 204 }, none: undefined };
    const format = '$context.a $context.status $context.error $context.error.message $context.integration.latency $context.nested.x $context.none $context.missing $context.constructor.name $context.toString';
    expect(formatAccessLog(format, context, overrides)).toBe(formatAccessLog(format, { ...context, ...overrides }));
    expect(formatAccessLog(format, context, overrides)).toMatch(/^A 200 \{\} - 3 1 - - - function toString\(\)/);
  });

  it("names the AWS endpoint's request id: Lambda's, the service's, none for a mock", async () => {
    const fn = 'arn:aws:lambda:us-east-1:000000000000:function:f';
    const stack = apiStack(
      [
        { path: '/fn', httpMethod: 'GET', integration: lambdaProxyIntegration(fn) },
        {
          path: '/sqs',
          httpMethod: 'POST',
          integration: { Type: 'AWS', IntegrationHttpMethod: 'POST', Uri: 'arn:aws:apigateway:us-east-1:sqs:action/SendMessage', IntegrationResponses: [{ StatusCode: '200' }] },
        },
        { path: '/mock', httpMethod: 'GET', integration: { Type: 'MOCK', IntegrationResponses: [{ StatusCode: '200' }] } },
      ],
      { stage: { AccessLogSetting: { DestinationArn: 'arn:aws:logs:us-east-1:000000000000:log-group:ids', Format: '$context.resourcePath $context.integration.requestId $context.awsEndpointRequestId' } } },
    );
    const h = harness(stack, {
      lambda: () => lambdaResult({ statusCode: 200, body: 'ok' }, { requestId: 'lambda-run-1' }),
      aws: () => ({ statusCode: 200, headers: { 'content-type': 'application/json', 'x-amzn-requestid': 'sqs-request-1' }, body: '{}' }),
    });
    await call(h, 'GET', '/fn');
    await call(h, 'POST', '/sqs', { body: '{}' });
    await call(h, 'GET', '/mock');
    expect(h.logs.filter((l) => l.group === 'ids').map((l) => l.events[0]!.message)).toEqual(['/fn lambda-run-1 lambda-run-1', '/sqs sqs-request-1 sqs-request-1', '/mock - -']);
  });

  it('writes one line per request to the stage destination, including gateway errors', async () => {
    const stack = apiStack([{ path: '/a', httpMethod: 'GET', integration: { Type: 'MOCK', IntegrationResponses: [{ StatusCode: '200' }] } }], {
      stage: {
        AccessLogSetting: {
          DestinationArn: 'arn:aws:logs:us-east-1:000000000000:log-group:my-access-logs',
          Format: '$context.httpMethod $context.resourcePath $context.status $context.requestId',
        },
      },
    });
    const h = harness(stack);
    const ok = await call(h, 'GET', '/a');
    await call(h, 'GET', '/missing');
    const lines = h.logs.filter((l) => l.group === 'my-access-logs').map((l) => l.events[0]!.message);
    expect(lines[0]).toBe(`GET /a 200 ${ok.headers['x-amzn-requestid']}`);
    expect(lines[1]).toMatch(/^GET - 403 [0-9a-f-]{36}$/);
  });
});
