/**
 * The project's own SendEventApi, synthesized with aws-cdk-lib and loaded
 * through loadStack, served against a stub SNS Query endpoint.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { App, Stack } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SendEventApi } from '../../../lib/send-event-api.js';
import { loadStack } from '../../../local/cloudformation/model.js';
import type { StackModel } from '../../../local/cloudformation/types.js';
import { apiGatewayHandler } from '../../../local/apigateway/api.js';
import { harness, httpRequest, text } from './helpers.js';

let stack: StackModel;

beforeAll(() => {
  const outdir = path.join(mkdtempSync(path.join(tmpdir(), 'apigw-cdk-')), 'cdk.out');
  // aws-cdk-lib's built-in template validation leaves the template as it is and is most of a synth's time.
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  const s = new Stack(app, 'ApiStack', { env: { region: 'eu-west-1' } });
  const topic = new Topic(s, 'Topic');
  new SendEventApi(s, 'SendEvent', { topic, throttlingRateLimit: 0.01, throttlingBurstLimit: 1 });
  app.synth();
  stack = loadStack(outdir, { localEndpoint: 'http://127.0.0.1:3000' });
});

describe('SendEventApi served locally', () => {
  it('publishes GET /prod/SendEvent?mode=fail to SNS as a Query form and maps the JSON answer', async () => {
    const h = harness(stack, {
      aws: () => ({
        statusCode: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ PublishResponse: { PublishResult: { MessageId: 'msg-1' }, ResponseMetadata: { RequestId: 'req-1' } } }),
      }),
    });
    const handler = apiGatewayHandler(h.service);
    const response = await handler(httpRequest('GET', '/prod/SendEvent?mode=fail'));
    expect(response?.statusCode).toBe(200);
    expect(JSON.parse(text(response!))).toEqual({ messageId: 'msg-1', requestId: 'req-1' });
    expect(response?.headers['content-type']).toBe('application/json');
    expect(response?.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);

    expect(h.awsCalls).toHaveLength(1);
    const { service, req } = h.awsCalls[0]!;
    expect(service).toBe('sns');
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.headers.accept).toBe('application/json');
    const form = new URLSearchParams(req.body.toString('utf8'));
    expect(form.get('Action')).toBe('Publish');
    expect(form.get('TargetArn')).toMatch(/^arn:aws:sns:eu-west-1:000000000000:/);
    expect(JSON.parse(form.get('Message')!)).toEqual({ mode: 'fail' });
  });

  it('maps an SNS 4xx to the 400 integration response', async () => {
    const h = harness(stack, {
      aws: () => ({
        statusCode: 404,
        headers: {},
        body: JSON.stringify({ Error: { Code: 'NotFound', Message: "Topic doesn't exist" }, RequestId: 'r-2' }),
      }),
    });
    const response = await apiGatewayHandler(h.service)(httpRequest('GET', '/prod/SendEvent'));
    expect(response?.statusCode).toBe(400);
    expect(JSON.parse(text(response!))).toEqual({ error: { code: 'NotFound', message: "Topic doesn't exist" }, requestId: 'r-2' });
  });

  it('writes the access log line and throttles at the burst limit', async () => {
    const h = harness(stack, { aws: () => ({ statusCode: 200, headers: {}, body: '{}' }) });
    const handler = apiGatewayHandler(h.service);
    const first = await handler(httpRequest('GET', '/prod/SendEvent?mode=ok', { headers: { 'user-agent': 'test' } }));
    const second = await handler(httpRequest('GET', '/prod/SendEvent?mode=ok'));
    expect(first?.statusCode).toBe(200);
    expect(second?.statusCode).toBe(429);
    expect(text(second!)).toBe('{"message":"Too Many Requests"}');
    const access = h.logs.filter((l) => !l.group.startsWith('API-Gateway-Execution-Logs_'));
    expect(access).toHaveLength(2);
    const line = JSON.parse(access[0]!.events[0]!.message) as Record<string, string>;
    expect(line).toMatchObject({ httpMethod: 'GET', resourcePath: '/SendEvent', status: '200', protocol: 'HTTP/1.1', ip: '127.0.0.1' });
    expect(line.requestTime).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
  });

  it('answers 403 for unknown resources and stages, and can leave other paths to later handlers', async () => {
    const h = harness(stack);
    const handler = apiGatewayHandler(h.service);
    expect((await handler(httpRequest('GET', '/dev/SendEvent')))?.statusCode).toBe(403);
    expect(await apiGatewayHandler(h.service, { claimUnmatched: false })(httpRequest('GET', '/_local/health'))).toBeUndefined();
    const missing = await handler(httpRequest('GET', '/prod/Nope'));
    expect(missing?.statusCode).toBe(403);
    expect(missing?.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
  });
});
