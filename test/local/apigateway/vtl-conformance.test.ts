/**
 * Every mapping-template case recorded against AWS
 * (../shared/conformance/apigateway-vtl/cases.json) through the whole
 * method execution, with stub backends that behave as each case describes.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { apiStack, call, harness, lambdaResult, text, type MethodSpec } from './helpers.js';
import type { HttpRequest, HttpResponse } from '../../../local/protocol/http.js';

const repoRoot = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const dataDir = path.resolve(repoRoot, '../shared/conformance/apigateway-vtl');

interface Case {
  id: string;
  stage?: string;
  integration?: string;
  template?: string;
  requestTemplate?: string;
  requestTemplateFile?: string;
  responseTemplate?: string | null;
  responseTemplateFile?: string;
  resourcePath?: string;
  clientRequest: { method: string; path?: string; contentType?: string | null; body?: string };
  expectedStatus?: number;
  expectedHeaders?: Record<string, string>;
  expectedOutput?: string;
  expectedOutputJson?: unknown;
}

const { cases } = JSON.parse(readFileSync(path.join(dataDir, 'cases.json'), 'utf8')) as { cases: Case[] };
const file = (name: string) => readFileSync(path.join(dataDir, name), 'utf8');

/** httpbin.org/post: echoes the request, `json` being the parsed JSON body or null. */
function httpbinEcho(_service: string, req: HttpRequest): HttpResponse {
  let json: unknown = null;
  try {
    json = req.body.length ? JSON.parse(req.body.toString('utf8')) : null;
  } catch {
    json = null;
  }
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ json, data: req.body.toString('utf8') }) };
}

/** A backend that answers with the request body unchanged (a function URL returning `event.body`). */
function bodyEcho(_service: string, req: HttpRequest): HttpResponse {
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: req.body.toString('utf8') };
}

const ECHO_URI = 'arn:aws:apigateway:us-east-1:echo:path/echo';
const LAMBDA_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:conformance';

function setup(c: Case) {
  const requestTemplate = c.requestTemplateFile ? file(c.requestTemplateFile) : c.requestTemplate;
  const responseTemplate = c.responseTemplateFile ? file(c.responseTemplateFile) : c.stage === 'integration-response' ? c.template : c.responseTemplate;
  const integrationResponse = {
    StatusCode: '200',
    ...(responseTemplate ? { ResponseTemplates: { 'application/json': responseTemplate } } : {}),
  };
  const requestTemplates = requestTemplate ? { RequestTemplates: { 'application/json': requestTemplate } } : {};
  const resourcePath = c.resourcePath ?? c.clientRequest.path ?? '/test';
  let integration: Record<string, unknown>;
  let aws: ((s: string, r: HttpRequest) => HttpResponse) | undefined;
  if (c.integration === 'MOCK') {
    integration = { Type: 'MOCK', ...requestTemplates, IntegrationResponses: [integrationResponse] };
  } else if (c.integration?.startsWith('AWS Lambda')) {
    integration = {
      Type: 'AWS',
      IntegrationHttpMethod: 'POST',
      Uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${LAMBDA_ARN}/invocations`,
      ...requestTemplates,
      IntegrationResponses: [integrationResponse],
    };
  } else {
    integration = { Type: 'AWS', IntegrationHttpMethod: 'POST', Uri: ECHO_URI, ...requestTemplates, IntegrationResponses: [integrationResponse] };
    aws = c.stage === 'integration-response' ? httpbinEcho : bodyEcho;
  }
  const method: MethodSpec = { path: resourcePath, httpMethod: c.clientRequest.method, integration };
  return harness(apiStack([method]), {
    ...(aws ? { aws } : {}),
    // The recorded function: customerror when body.httpStatus >= 400.
    lambda: (_fn, payload) => {
      const event = JSON.parse(payload) as { body: { httpStatus: string } };
      const failed = parseInt(event.body.httpStatus, 10) >= 400;
      return lambdaResult({ statusCode: 200, body: failed ? 'customerror' : 'noerror' });
    },
  });
}

const passed: string[] = [];

describe('API Gateway VTL conformance with AWS recordings', () => {
  it('has the 39 recorded cases', () => {
    expect(cases).toHaveLength(39);
  });

  for (const c of cases) {
    it(c.id, async () => {
      const h = setup(c);
      const headers: Record<string, string> = {};
      if (c.clientRequest.contentType) headers['content-type'] = c.clientRequest.contentType;
      const response = await call(h, c.clientRequest.method, c.clientRequest.path ?? '/test', {
        headers,
        ...(c.clientRequest.body !== undefined ? { body: c.clientRequest.body } : {}),
      });
      const body = text(response);
      expect(response.statusCode).toBe(c.expectedStatus ?? 200);
      for (const [k, v] of Object.entries(c.expectedHeaders ?? {})) expect(response.headers[k.toLowerCase()]).toBe(v);
      if (c.expectedOutputJson !== undefined) expect(JSON.parse(body)).toEqual(c.expectedOutputJson);
      else expect(body).toBe(c.expectedOutput);
      passed.push(c.id);
    });
  }

  afterAll(() => {
    console.log(`API Gateway VTL conformance: ${passed.length}/${cases.length} cases give AWS's recorded output`);
  });
});
