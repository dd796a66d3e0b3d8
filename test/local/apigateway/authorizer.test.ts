import { describe, expect, it } from 'vitest';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiStack, call, harness, lambdaInvocationUri as invocations, lambdaProxyIntegration, lambdaResult, mockIntegration, resource, text, API_ID } from './helpers.js';
import { Authorizers, MAX_CACHED_AUTHORIZATIONS, evaluatePolicy, parseAuthorizerResult, type AuthorizationRequest } from '../../../local/apigateway/authorizer.js';
import type { AuthorizerDef } from '../../../local/apigateway/types.js';
import type { Clock } from '../../../local/clock.js';
import type { LambdaInvoker } from '../../../local/contracts.js';
import { UnsupportedTemplateError } from '../../../local/protocol/errors.js';
import { readRestApis } from '../../../local/apigateway/model.js';

const AUTH_FN = 'arn:aws:lambda:us-east-1:000000000000:function:auth';
const TARGET_FN = 'arn:aws:lambda:us-east-1:000000000000:function:target';

function policy(effect: 'Allow' | 'Deny', resourceArn: string, context: Record<string, unknown> = {}) {
  return { principalId: 'user-1', policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resourceArn }] }, context };
}

function stack(authorizer: Record<string, unknown>, integration: Record<string, unknown> = lambdaProxyIntegration(TARGET_FN)) {
  return apiStack(
    [
      { path: '/things/{id}', httpMethod: 'GET', integration, properties: { AuthorizationType: 'CUSTOM', AuthorizerId: 'auth1' } },
      { path: '/open', httpMethod: 'GET', integration: mockIntegration('') },
    ],
    { extra: [resource('Auth', 'AWS::ApiGateway::Authorizer', { RestApiId: API_ID, AuthorizerUri: invocations(AUTH_FN), ...authorizer }, 'auth1')] },
  );
}

describe('TOKEN authorizer', () => {
  const tokenStack = stack({ Type: 'TOKEN', IdentitySource: 'method.request.header.Authorization', IdentityValidationExpression: 'Bearer .+' });

  it('invokes the function with the token and method ARN, then passes principal and context to the integration', async () => {
    const h = harness(tokenStack, {
      lambda: (fn, payload) =>
        fn === AUTH_FN
          ? lambdaResult(policy('Allow', `arn:aws:execute-api:us-east-1:000000000000:${API_ID}/prod/GET/things/*`, { tenant: 't1', level: 3 }))
          : lambdaResult({ statusCode: 200, body: payload }),
    });
    const response = await call(h, 'GET', '/things/42', { headers: { authorization: 'Bearer abc' } });
    expect(response.statusCode).toBe(200);
    const authEvent = JSON.parse(h.lambdaCalls[0]!.payload) as Record<string, unknown>;
    expect(authEvent).toEqual({ type: 'TOKEN', authorizationToken: 'Bearer abc', methodArn: `arn:aws:execute-api:us-east-1:000000000000:${API_ID}/prod/GET/things/42` });
    expect(h.lambdaCalls[0]!.caller).toMatchObject({ principal: 'apigateway.amazonaws.com', sourceArn: `arn:aws:execute-api:us-east-1:000000000000:${API_ID}/authorizers/auth1` });
    const proxyEvent = JSON.parse(text(response)) as APIGatewayProxyEvent;
    expect(proxyEvent.requestContext.authorizer).toMatchObject({ principalId: 'user-1', tenant: 't1', level: 3 });
  });

  it('answers 414 for a method ARN over 1600 bytes without calling the authorizer', async () => {
    const h = harness(tokenStack, { lambda: () => lambdaResult(policy('Allow', '*')) });
    const long = await call(h, 'GET', `/things/${'x'.repeat(1600)}`, { headers: { authorization: 'Bearer abc' } });
    expect(long.statusCode).toBe(414);
    expect(h.lambdaCalls).toHaveLength(0);
    // The same path on a method without authorization has no such limit.
    expect((await call(h, 'GET', `/open?q=${'x'.repeat(1600)}`)).statusCode).toBe(200);
  });

  it('answers 401 without a token or with one that fails the validation expression, without calling the function', async () => {
    const h = harness(tokenStack, { lambda: () => lambdaResult(policy('Allow', '*')) });
    for (const headers of [{}, { authorization: 'Basic xyz' }] as Record<string, string>[]) {
      const response = await call(h, 'GET', '/things/1', { headers });
      expect(response.statusCode).toBe(401);
      expect(text(response)).toBe('{"message":"Unauthorized"}');
      expect(response.headers['x-amzn-errortype']).toBe('UnauthorizedException');
    }
    expect(h.lambdaCalls).toHaveLength(0);
    expect((await call(h, 'GET', '/open')).statusCode).toBe(200);
  });

  it('answers 403 for an explicit deny and for a policy that does not cover the method', async () => {
    let answer = policy('Deny', '*');
    const h = harness(tokenStack, { lambda: () => lambdaResult(answer) });
    const denied = await call(h, 'GET', '/things/1', { headers: { authorization: 'Bearer a' } });
    expect([denied.statusCode, text(denied)]).toEqual([403, '{"Message":"User is not authorized to access this resource with an explicit deny"}']);
    answer = policy('Allow', `arn:aws:execute-api:us-east-1:000000000000:${API_ID}/prod/POST/*`);
    const other = await call(h, 'GET', '/things/1', { headers: { authorization: 'Bearer b' } });
    expect([other.statusCode, text(other)]).toEqual([403, '{"Message":"User is not authorized to access this resource"}']);
  });

  it('answers 401 when the function throws Unauthorized and 500 for any other failure', async () => {
    let message = 'Unauthorized';
    const h = harness(tokenStack, { lambda: () => lambdaResult({ errorType: 'Error', errorMessage: message }, { functionError: 'Unhandled' }) });
    expect((await call(h, 'GET', '/things/1', { headers: { authorization: 'Bearer a' } })).statusCode).toBe(401);
    message = 'boom';
    const broken = await call(h, 'GET', '/things/1', { headers: { authorization: 'Bearer b' } });
    expect([broken.statusCode, text(broken)]).toEqual([500, '{"message":null}']);
  });

  it('caches the policy per token for the TTL and re-evaluates it for each method', async () => {
    const h = harness(tokenStack, {
      lambda: (fn) =>
        fn === AUTH_FN ? lambdaResult(policy('Allow', `arn:aws:execute-api:us-east-1:000000000000:${API_ID}/prod/GET/things/1`)) : lambdaResult({ statusCode: 200, body: 'ok' }),
    });
    const headers = { authorization: 'Bearer same' };
    expect((await call(h, 'GET', '/things/1', { headers })).statusCode).toBe(200);
    expect((await call(h, 'GET', '/things/1', { headers })).statusCode).toBe(200);
    expect((await call(h, 'GET', '/things/2', { headers })).statusCode).toBe(403);
    expect(h.lambdaCalls.filter((c) => c.fn === AUTH_FN)).toHaveLength(1);
  });
});

describe('REQUEST authorizer', () => {
  it('sends the request fields and uses header and query identity sources; its context reaches mapping templates', async () => {
    const mock = mockIntegration('$context.authorizer.principalId/$context.authorizer.tenant');
    const h = harness(
      stack({ Type: 'REQUEST', IdentitySource: 'method.request.header.X-Key, method.request.querystring.tenant', AuthorizerResultTtlInSeconds: 0 }, mock),
      { lambda: () => lambdaResult(policy('Allow', '*', { tenant: 'acme' })) },
    );
    expect((await call(h, 'GET', '/things/1', { headers: { 'x-key': 'k' } })).statusCode).toBe(401);
    const response = await call(h, 'GET', '/things/7?tenant=acme', { headers: { 'x-key': 'k' } });
    expect([response.statusCode, text(response)]).toEqual([200, 'user-1/acme']);
    const event = JSON.parse(h.lambdaCalls[0]!.payload) as Record<string, unknown>;
    expect(event).toMatchObject({
      type: 'REQUEST',
      resource: '/things/{id}',
      path: '/things/7',
      httpMethod: 'GET',
      queryStringParameters: { tenant: 'acme' },
      pathParameters: { id: '7' },
    });
    expect(event).not.toHaveProperty('body');
  });
});

describe('authorizer definitions and policies', () => {
  it('rejects Cognito authorizers and methods with IAM authorization', () => {
    expect(() => readRestApis(stack({ Type: 'COGNITO_USER_POOLS', ProviderARNs: ['arn:x'] }))).toThrow(UnsupportedTemplateError);
    const iam = apiStack([{ path: '/x', httpMethod: 'GET', integration: { Type: 'MOCK' }, properties: { AuthorizationType: 'AWS_IAM' } }]);
    expect(() => readRestApis(iam)).toThrow(/AuthorizationType/);
  });

  it('evaluates wildcards, explicit deny first', () => {
    const result = parseAuthorizerResult(
      JSON.stringify({
        principalId: 'p',
        policyDocument: {
          Statement: [
            { Effect: 'Allow', Action: 'execute-api:*', Resource: ['arn:aws:execute-api:*:*:api/prod/*'] },
            { Effect: 'Deny', Action: '*', Resource: 'arn:aws:execute-api:*:*:api/prod/DELETE/*' },
          ],
        },
      }),
    )!;
    expect(evaluatePolicy(result, 'arn:aws:execute-api:us-east-1:1:api/prod/GET/a')).toBe('allow');
    expect(evaluatePolicy(result, 'arn:aws:execute-api:us-east-1:1:api/prod/DELETE/a')).toBe('deny');
    expect(evaluatePolicy(result, 'arn:aws:execute-api:us-east-1:1:api/dev/GET/a')).toBe('none');
    // IAM actions are case-insensitive, in an authorizer's policy too.
    const upper = parseAuthorizerResult(
      JSON.stringify({ principalId: 'p', policyDocument: { Statement: [{ Effect: 'Allow', Action: 'Execute-API:invoke', Resource: '*' }] } }),
    )!;
    expect(evaluatePolicy(upper, 'arn:aws:execute-api:us-east-1:1:api/prod/GET/a')).toBe('allow');
    expect(parseAuthorizerResult('{"principalId":"p"}')).toBeUndefined();
    expect(parseAuthorizerResult(JSON.stringify({ principalId: 'p', policyDocument: { Statement: [] }, context: { nested: {} } }))).toBeUndefined();
  });
});

describe('the authorizer result cache', () => {
  const def: AuthorizerDef = { id: 'auth1', logicalId: 'Auth', type: 'TOKEN', functionArn: AUTH_FN, identitySources: ['method.request.header.Authorization'], ttlSeconds: 300 };
  const methodArn = `arn:aws:execute-api:us-east-1:000000000000:${API_ID}/prod/GET/things/1`;
  const request = (token: string): AuthorizationRequest => ({
    methodArn,
    sourceArn: `arn:aws:execute-api:us-east-1:000000000000:${API_ID}/authorizers/auth1`,
    accountId: '000000000000',
    headers: { authorization: [token] },
    query: {},
    pathParameters: {},
    stageVariables: {},
    context: {},
    requestEvent: {},
  });
  function authorizers() {
    let now = 1_000_000;
    const calls: string[] = [];
    const clock: Clock = { scale: 1, now: () => now, toLocalMs: (ms) => ms, toAwsMs: (ms) => ms, sleep: async () => {} };
    const invoker: LambdaInvoker = {
      invoke: async (_fn, payload) => {
        calls.push((JSON.parse(payload) as { authorizationToken: string }).authorizationToken);
        return { statusCode: 200, payload: JSON.stringify(policy('Allow', '*')), executedVersion: '$LATEST', requestId: 'r' };
      },
    };
    return { auth: new Authorizers(() => invoker, clock), calls, advance: (ms: number) => (now += ms) };
  }

  it('drops expired results as new ones arrive, so distinct tokens over time do not pile up', async () => {
    const { auth, calls, advance } = authorizers();
    for (let i = 0; i < 50; i++) expect((await auth.authorize(def, request(`t${i}`))).allowed).toBe(true);
    expect(auth.cachedResults).toBe(50);
    advance(301_000);
    expect((await auth.authorize(def, request('late'))).allowed).toBe(true);
    expect(auth.cachedResults).toBe(1);
    // An expired token is asked again, and cached again.
    expect((await auth.authorize(def, request('t0'))).allowed).toBe(true);
    expect(calls.filter((t) => t === 't0')).toHaveLength(2);
    expect(auth.cachedResults).toBe(2);
  });

  it('keeps at most MAX_CACHED_AUTHORIZATIONS results within the TTL, dropping the oldest first', async () => {
    const { auth, calls } = authorizers();
    for (let i = 0; i <= MAX_CACHED_AUTHORIZATIONS; i++) await auth.authorize(def, request(`t${i}`));
    expect(auth.cachedResults).toBe(MAX_CACHED_AUTHORIZATIONS);
    // The newest is still cached; the oldest was dropped and is asked again.
    await auth.authorize(def, request(`t${MAX_CACHED_AUTHORIZATIONS}`));
    await auth.authorize(def, request('t0'));
    expect(calls.filter((t) => t === `t${MAX_CACHED_AUTHORIZATIONS}`)).toHaveLength(1);
    expect(calls.filter((t) => t === 't0')).toHaveLength(2);
  });
});
