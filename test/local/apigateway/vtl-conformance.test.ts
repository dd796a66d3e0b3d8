/**
 * Every mapping-template case recorded against AWS
 * (test/conformance/apigateway-vtl/cases.json) through the whole
 * method execution, with backends that behave as each case describes:
 * HTTP integrations to local echo endpoints, MOCK, and a stub Lambda.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiStack, call, harness, lambdaResult, text, type MethodSpec } from './helpers.js';

const dataDir = fileURLToPath(new URL('../../conformance/apigateway-vtl/', import.meta.url));

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

/**
 * The recorded backends, on a local port: `/post` echoes like httpbin.org/post
 * (`json` = the parsed JSON body or null), `/echo` answers with the body
 * unchanged (the recorded function URL returned `event.body`).
 */
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const data = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try {
        json = data ? JSON.parse(data) : null;
      } catch {
        json = null;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.url === '/post' ? JSON.stringify({ json, data }) : data);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

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
    const uri = `${base}/${c.stage === 'integration-response' ? 'post' : 'echo'}`;
    integration = { Type: 'HTTP', IntegrationHttpMethod: 'POST', Uri: uri, ...requestTemplates, IntegrationResponses: [integrationResponse] };
  }
  const method: MethodSpec = { path: resourcePath, httpMethod: c.clientRequest.method, integration };
  return harness(apiStack([method]), {
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
    // Some recordings hold only the parsed JSON body, so those cases can match by value, not byte for byte.
    const asJson = new Set(cases.filter((c) => c.expectedOutputJson !== undefined).map((c) => c.id));
    const bytes = passed.filter((id) => !asJson.has(id)).length;
    console.log(
      `API Gateway VTL conformance: ${passed.length}/${cases.length} cases give AWS's recorded output ` +
        `(${bytes}/${cases.length - asJson.size} byte for byte; ${passed.length - bytes}/${asJson.size} recorded as parsed JSON only, equal by value)`,
    );
  });
});
