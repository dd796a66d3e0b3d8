import { describe, expect, it } from 'vitest';
import type { InvokeResult, TraceEvent } from '../../../../local/contracts.js';
import { functionUrlHandler, type FunctionUrlDeps } from '../../../../local/lambda/function-url/handler.js';
import { AwsError } from '../../../../local/protocol/errors.js';
import { request, urlConfig } from './helpers.js';

const cors = { allowCredentials: false, allowHeaders: ['content-type'], allowMethods: ['GET'], allowOrigins: ['https://app.example'], exposeHeaders: [], maxAge: 60 };

function handler(invoke: FunctionUrlDeps['invoke'], authType: 'NONE' | 'AWS_IAM' = 'NONE') {
  const traces: Omit<TraceEvent, 'time'>[] = [];
  const payloads: string[] = [];
  const deps: FunctionUrlDeps = {
    invoke: async (arn, payload, requestId) => {
      payloads.push(payload);
      return invoke(arn, payload, requestId);
    },
    resourcePolicies: () => undefined,
    now: () => Date.UTC(2026, 0, 2),
    tracer: { record: (event) => traces.push(event) },
  };
  return { handle: functionUrlHandler(urlConfig({ authType, cors }), deps), traces, payloads };
}
const ok = (payload: string): InvokeResult => ({ statusCode: 200, payload, executedVersion: '$LATEST', requestId: 'r1' });

describe('functionUrlHandler', () => {
  it('invokes the function with the 2.0 event and maps its result, with CORS headers for an allowed origin', async () => {
    const { handle, payloads, traces } = handler(async () => ok('{"hello":"world"}'));
    const response = await handle(request({ path: '/x', headers: { origin: 'https://app.example' } }), 3001);
    expect(response.statusCode).toBe(200);
    expect(response.body.toString()).toBe('{"hello":"world"}');
    expect(response.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(response.headers['x-amzn-requestid']).toBe(JSON.parse(payloads[0]!).requestContext.requestId);
    expect(JSON.parse(payloads[0]!)).toMatchObject({ version: '2.0', rawPath: '/x', requestContext: { http: { method: 'GET' } } });
    expect(traces[0]).toMatchObject({ service: 'lambda', kind: 'function-url', resource: 'fn', summary: 'GET /x on function URL FnUrl: 200' });
  });

  it('answers a preflight itself, without auth or invocation', async () => {
    const { handle, payloads } = handler(async () => ok('{}'), 'AWS_IAM');
    const response = await handle(request({ method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' } }), 3001);
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-max-age']).toBe('60');
    expect(payloads).toEqual([]);
  });

  it('answers 403 to an unsigned request on an AWS_IAM URL without invoking, traced as denied', async () => {
    const { handle, payloads, traces } = handler(async () => ok('{}'), 'AWS_IAM');
    const response = await handle(request(), 3001);
    expect(response.statusCode).toBe(403);
    expect(payloads).toEqual([]);
    expect(traces[0]).toMatchObject({ outcome: 'denied', reason: expect.stringContaining('not signed') });
  });

  it('answers 502 to a function error', async () => {
    const { handle } = handler(async () => ({ ...ok('{"errorType":"Error","errorMessage":"boom"}'), functionError: 'Unhandled' }));
    const response = await handle(request(), 3001);
    expect(response.statusCode).toBe(502);
    expect(response.body.toString()).not.toContain('boom');
  });

  it("passes Lambda's throttle (429) and size (413) answers on, with their message", async () => {
    const throttled = handler(async () => {
      throw new AwsError('TooManyRequestsException', 'Rate Exceeded.', 429);
    });
    const tooMany = await throttled.handle(request(), 3001);
    expect([tooMany.statusCode, JSON.parse(tooMany.body.toString())]).toEqual([429, { Message: 'Rate Exceeded.' }]);
    const large = handler(async () => {
      throw new AwsError('RequestTooLargeException', 'Request must be smaller than 6291456 bytes for the InvokeFunction operation', 413);
    });
    expect((await large.handle(request(), 3001)).statusCode).toBe(413);
  });
});
