/**
 * Hand-made stacks and stub backends for the API Gateway tests.
 */
import type { StackModel, StackResource } from '../../../local/cloudformation/types.js';
import type { InvocationType, InvokeCaller, InvokeResult, LogEvent, LogSink, Sinks, TraceEvent, Tracer } from '../../../local/contracts.js';
import type { HttpRequest, HttpResponse } from '../../../local/protocol/http.js';
import { createClock } from '../../../local/clock.js';
import { ApiGatewayService } from '../../../local/apigateway/service.js';
import { fakeResource, fakeStack } from '../../support/fake-stack.js';

export const API_ID = 'abc123defg';
export const ROOT_ID = 'rootid0001';

export function resource(
  logicalId: string,
  type: string,
  properties: Record<string, unknown>,
  ref = logicalId,
  attributes: Record<string, string> = {},
): StackResource {
  return fakeResource(logicalId, type, properties, { ref, attributes });
}

export interface MethodSpec {
  /** Resource path, e.g. `/orders/{id}`. */
  readonly path: string;
  readonly httpMethod: string;
  readonly integration: Record<string, unknown>;
  readonly properties?: Record<string, unknown>;
}

/** The URI by which an integration or authorizer invokes the Lambda function `functionArn`. */
export function lambdaInvocationUri(functionArn: string): string {
  return `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${functionArn}/invocations`;
}

/** A Lambda proxy (AWS_PROXY) integration of `functionArn`. */
export function lambdaProxyIntegration(functionArn: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST', Uri: lambdaInvocationUri(functionArn), ...extra };
}

/** A MOCK integration answering 200 with `responseTemplate` as its application/json body. */
export function mockIntegration(responseTemplate: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Type: 'MOCK',
    RequestTemplates: { 'application/json': '{"statusCode": 200}' },
    IntegrationResponses: [{ StatusCode: '200', ResponseTemplates: { 'application/json': responseTemplate } }],
    ...extra,
  };
}

/** One REST API with stage `prod` and the given methods (resources made from the paths). */
export function apiStack(
  methods: readonly MethodSpec[],
  options: { stage?: Record<string, unknown>; extra?: readonly StackResource[]; restApi?: Record<string, unknown> } = {},
): StackModel {
  const resources: StackResource[] = [
    resource('Api', 'AWS::ApiGateway::RestApi', { Name: 'TestApi', ...(options.restApi ?? {}) }, API_ID, { RootResourceId: ROOT_ID }),
  ];
  const ids = new Map<string, string>([['/', ROOT_ID]]);
  const ensure = (path: string): string => {
    const existing = ids.get(path);
    if (existing) return existing;
    const cut = path.lastIndexOf('/');
    const parentPath = cut === 0 ? '/' : path.slice(0, cut);
    const parentId = ensure(parentPath);
    const id = `res${ids.size}`;
    ids.set(path, id);
    resources.push(resource(`Res${ids.size}`, 'AWS::ApiGateway::Resource', { RestApiId: API_ID, ParentId: parentId, PathPart: path.slice(cut + 1) }, id));
    return id;
  };
  methods.forEach((m, i) => {
    resources.push(
      resource(`Method${i}`, 'AWS::ApiGateway::Method', {
        RestApiId: API_ID,
        ResourceId: ensure(m.path),
        HttpMethod: m.httpMethod,
        AuthorizationType: 'NONE',
        Integration: m.integration,
        MethodResponses: declaredMethodResponses(m.integration),
        ...(m.properties ?? {}),
      }),
    );
  });
  resources.push(resource('Deployment', 'AWS::ApiGateway::Deployment', { RestApiId: API_ID }, 'dep001'));
  resources.push(resource('Stage', 'AWS::ApiGateway::Stage', { RestApiId: API_ID, DeploymentId: 'dep001', StageName: 'prod', ...(options.stage ?? {}) }, 'prod'));
  resources.push(...(options.extra ?? []));
  return fakeStack(resources);
}

/** The MethodResponses a deployable method needs for its integration responses (API Gateway rejects the rest). */
function declaredMethodResponses(integration: Record<string, unknown>): Record<string, unknown>[] {
  const responses = (integration.IntegrationResponses as Record<string, unknown>[] | undefined) ?? [];
  return responses.map((ir) => ({
    StatusCode: ir.StatusCode ?? '200',
    ResponseParameters: Object.fromEntries(Object.keys((ir.ResponseParameters as Record<string, string> | undefined) ?? {}).map((k) => [k, false])),
  }));
}

export type LambdaStub = (fn: string, payload: string, type: InvocationType, caller?: InvokeCaller) => Promise<InvokeResult> | InvokeResult;

export interface Harness {
  readonly service: ApiGatewayService;
  readonly awsCalls: { service: string; req: HttpRequest }[];
  readonly lambdaCalls: { fn: string; payload: string; type: InvocationType; caller?: InvokeCaller }[];
  readonly logs: { group: string; stream: string; events: LogEvent[] }[];
  readonly traces: Omit<TraceEvent, 'time'>[];
}

export function harness(
  stack: StackModel,
  options: { aws?: (service: string, req: HttpRequest) => Promise<HttpResponse> | HttpResponse; lambda?: LambdaStub } = {},
): Harness {
  const awsCalls: Harness['awsCalls'] = [];
  const lambdaCalls: Harness['lambdaCalls'] = [];
  const logs: Harness['logs'] = [];
  const traces: Harness['traces'] = [];
  const unexpected = () => Promise.reject(new Error('unexpected sink call'));
  const sinks: Sinks = {
    lambda: {
      invoke: async (fn, payload, type, caller) => {
        lambdaCalls.push({ fn, payload, type, ...(caller ? { caller } : {}) });
        if (!options.lambda) throw new Error('no lambda stub');
        return options.lambda(fn, payload, type, caller);
      },
    },
    events: { putEvents: unexpected },
    sqs: { sendMessage: unexpected },
    sns: { publish: unexpected },
  };
  const logSink: LogSink = {
    ensureLogGroup: () => {},
    putLogEvents: (group, stream, events) => void logs.push({ group, stream, events: [...events] }),
  };
  const tracer: Tracer = { record: (event) => void traces.push(event) };
  const service = ApiGatewayService.fromStack(stack, {
    sinks,
    logs: logSink,
    clock: createClock(0.001),
    tracer,
    callAwsService: async (name, req) => {
      awsCalls.push({ service: name, req });
      if (!options.aws) throw new Error('no aws stub');
      return options.aws(name, req);
    },
  });
  return { service, awsCalls, lambdaCalls, logs, traces };
}

export function httpRequest(
  method: string,
  pathAndQuery: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): HttpRequest {
  const q = pathAndQuery.indexOf('?');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.headers ?? {})) headers[k.toLowerCase()] = v;
  return {
    method,
    path: q < 0 ? pathAndQuery : pathAndQuery.slice(0, q),
    rawQuery: q < 0 ? '' : pathAndQuery.slice(q + 1),
    headers,
    body: Buffer.from(options.body ?? '', 'utf8'),
    sourceIp: '127.0.0.1',
  };
}

/** Call the stage `prod` of the test API with a path after the stage. */
export function call(h: Harness, method: string, pathAndQuery: string, options: { headers?: Record<string, string>; body?: string } = {}) {
  const req = httpRequest(method, pathAndQuery, options);
  return h.service.handle(API_ID, 'prod', req.path, req);
}

export function text(response: HttpResponse): string {
  return typeof response.body === 'string' ? response.body : response.body.toString('utf8');
}

export function lambdaResult(payload: unknown, extra: Partial<InvokeResult> = {}): InvokeResult {
  return {
    statusCode: 200,
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    executedVersion: '$LATEST',
    requestId: 'req-1',
    ...extra,
  };
}
