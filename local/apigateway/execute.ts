/**
 * One method execution, from method request to method response: request
 * validation, request mapping (templates, passthrough, parameters), the
 * integration call (AWS service, Lambda, Lambda proxy, MOCK) and response
 * mapping (integration response selection, templates, parameters,
 * `$context.responseOverride`).
 */
import type { HttpRequest, HttpResponse } from '../protocol/http.js';
import type { InvocationType, InvokeCaller, Sinks } from '../contracts.js';
import type { IntegrationDef, IntegrationResponseDef, MethodDef, ResourceDef, RestApiDef, StageDef } from './types.js';
import {
  buildAwsServiceRequest,
  lambdaArnFromUri,
  lambdaErrorMessage,
  mapRequestParameters,
  mapResponseParameters,
  mockStatusCode,
  parseAwsUri,
  parseProxyResponse,
  selectIntegrationResponse,
  type MappedRequestParameters,
  type MappingSources,
} from './integrations.js';
import { buildProxyEvent, proxyEventContext } from './proxy-event.js';
import { headerEntry, headerValues, joinedValues, lastValues } from './headers.js';
import { BadEncodingError, decodeRequestBody } from './compression.js';
import { callHttp, fillUri, withQuery } from './http-integration.js';
import { MappingTemplateError, renderMappingTemplate, type MappingParams } from './vtl.js';
import {
  BAD_GATEWAY,
  BAD_REQUEST,
  INTEGRATION_FAILURE,
  INTEGRATION_TIMEOUT,
  INVALID_BODY,
  INTERNAL_SERVER_ERROR,
  UNSUPPORTED_MEDIA_TYPE,
  gatewayResponse,
  missingParameters,
  type GatewayError,
} from './responses.js';

/** What the method execution needs besides the request. */
export interface ExecutionDeps {
  readonly sinks: Sinks;
  /** Calls an AWS service as API Gateway, with the integration's `Credentials` role when it has one. */
  readonly callAwsService: (service: string, req: HttpRequest, credentials?: string) => Promise<HttpResponse>;
  /** Called once per integration call, for tracing and logs. */
  readonly onIntegration?: (summary: string, detail: Record<string, unknown>) => void;
  /** Payload lines for execution logs with data tracing (DataTraceEnabled). */
  readonly onDataTrace?: (line: string) => void;
}

/** One request bound to its API, stage, resource and method. */
export interface MethodInvocation {
  readonly api: RestApiDef;
  readonly stage: StageDef;
  readonly resource: ResourceDef;
  readonly method: MethodDef;
  readonly req: HttpRequest;
  /** Path after the stage, as sent (not decoded). */
  readonly path: string;
  readonly pathParameters: Record<string, string>;
  readonly query: Record<string, string[]>;
  readonly headers: Record<string, string[]>;
  /** `$context`, shared by the request and response templates. */
  readonly context: Record<string, unknown>;
  /** execute-api ARN of this method, the SourceArn Lambda sees. */
  readonly sourceArn: string;
  readonly accountId: string;
}

/** The method response plus what access logs want to know about the integration. */
export interface MethodResult {
  readonly response: HttpResponse;
  readonly integrationStatus?: number;
  readonly integrationLatency?: number;
  /** The request id a Lambda integration's invoke answered with, so traces join the API request to the function's run. */
  readonly lambdaRequestId?: string;
  /** The request id an AWS service integration's endpoint answered with (its `x-amzn-RequestId`). */
  readonly serviceRequestId?: string;
  readonly error?: string;
  /** Set when API Gateway answered itself, so a GatewayResponse can customize the answer. */
  readonly gatewayError?: GatewayError;
}

/** What access logs learn about the integration call, filled in as the execution goes. */
type IntegrationState = { integrationStatus?: number; integrationLatency?: number; lambdaRequestId?: string; serviceRequestId?: string };

/** Thrown inside the pipeline to answer with a gateway response. */
class GatewayFailure extends Error {
  constructor(
    readonly gatewayError: GatewayError,
    message: string,
  ) {
    super(message);
  }
}

function mediaType(value: string | undefined): string {
  return (value ?? '').split(';')[0]!.trim().toLowerCase();
}

function headerOf(headers: Record<string, string[]>, name: string): string | undefined {
  return headerValues(headers, name)?.join(',');
}

/** Response headers API Gateway owns; a backend's values come back renamed `x-amzn-Remapped-<name>`. */
const REMAPPED_HEADERS = new Set(['authorization', 'connection', 'content-length', 'date', 'server', 'transfer-encoding', 'upgrade', 'www-authenticate']);

/** Run the method; never throws (every failure is a gateway response). */
export async function executeMethod(inv: MethodInvocation, deps: ExecutionDeps): Promise<MethodResult> {
  const state: IntegrationState = {};
  try {
    const response = await execute(inv, deps, state);
    return { response, ...state };
  } catch (error) {
    const failure =
      error instanceof GatewayFailure ? error : new GatewayFailure(INTERNAL_SERVER_ERROR, `Execution failed: ${(error as Error)?.message ?? String(error)}`);
    return { response: gatewayResponse(failure.gatewayError), ...state, error: failure.message, gatewayError: failure.gatewayError };
  }
}

async function execute(
  inv: MethodInvocation,
  deps: ExecutionDeps,
  state: IntegrationState,
): Promise<HttpResponse> {
  const { method } = inv;
  const params: MappingParams = {
    path: { ...inv.pathParameters },
    querystring: lastValues(inv.query),
    header: joinedValues(inv.headers),
  };
  let bodyText: string;
  try {
    // Mapped integrations see the body decoded; proxy integrations get it as sent.
    const proxy = method.integration.type === 'AWS_PROXY' || method.integration.type === 'HTTP_PROXY';
    bodyText = (proxy ? inv.req.body : decodeRequestBody(inv.req.body, headerOf(inv.headers, 'content-encoding'))).toString('utf8');
  } catch (error) {
    if (error instanceof BadEncodingError) throw new GatewayFailure(BAD_REQUEST, `Execution failed: ${error.message}`);
    throw error;
  }
  const sources: MappingSources = {
    path: params.path,
    querystring: params.querystring,
    multiQuerystring: inv.query,
    header: params.header,
    multiHeader: inv.headers,
    body: bodyText,
    context: inv.context,
    stageVariables: inv.stage.variables,
  };

  if (method.validateRequestParameters) {
    const missing: string[] = [];
    for (const [name, required] of Object.entries(method.requestParameters)) {
      if (!required) continue;
      const m = /^method\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.(.+)$/.exec(name);
      if (!m) continue;
      const where = m[1]!;
      const key = m[2]!;
      const present =
        where === 'path'
          ? params.path[key] !== undefined
          : where.endsWith('querystring')
            ? inv.query[key] !== undefined
            : headerValues(inv.headers, key) !== undefined;
      if (!present) missing.push(key);
    }
    if (missing.length > 0) throw new GatewayFailure(missingParameters(missing), `Missing required request parameters: [${missing.join(', ')}]`);
  }

  // Models and request templates are chosen by media type; a request without one counts as JSON.
  const contentType = mediaType(headerOf(inv.headers, 'content-type')) || 'application/json';
  const model = method.requestModels.get(contentType) ?? method.requestModels.get('$default');
  if (model) {
    let problems: string[];
    try {
      problems = model.validate(JSON.parse(bodyText));
    } catch {
      problems = ['body is not JSON'];
    }
    // The caller only sees {"message": "Invalid request body"}; the violations go to the execution log
    // (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html),
    // bracketed as API Gateway lists them, each worded by ajv rather than by AWS's Java validator.
    if (problems.length > 0) throw new GatewayFailure(INVALID_BODY, `Request body does not match model schema for content type ${contentType}: [${problems.join(', ')}]`);
  }

  deps.onDataTrace?.(`Method request body before transformations: ${bodyText}`);
  const integration = method.integration;
  if (integration.type === 'AWS_PROXY') return proxyIntegration(inv, deps, integration, state);
  if (integration.type === 'HTTP_PROXY') return httpProxyIntegration(inv, deps, integration, sources, state);

  // Request mapping: the template for the request's Content-Type, or passthrough.
  const templateKeys = Object.keys(integration.requestTemplates);
  const key = templateKeys.find((k) => k.toLowerCase() === contentType);
  let payload: string;
  if (key !== undefined) {
    const template = integration.requestTemplates[key];
    payload = template ? render(template, bodyText, params, inv) : bodyText;
  } else if (integration.passthroughBehavior === 'NEVER' || (integration.passthroughBehavior === 'WHEN_NO_TEMPLATES' && templateKeys.length > 0)) {
    throw new GatewayFailure(UNSUPPORTED_MEDIA_TYPE, `No mapping template for Content-Type ${contentType}`);
  } else {
    payload = bodyText;
  }
  const mapped = mapRequestParameters(integration.requestParameters, sources);
  const override = inv.context.requestOverride as Record<string, Record<string, unknown>>;
  applyOverride(mapped.header, override.header);
  applyOverride(mapped.querystring, override.querystring);
  applyOverride(mapped.path, override.path);

  deps.onDataTrace?.(`Endpoint request body after transformations: ${payload}`);
  const started = Date.now();
  const backend = await callIntegration(integration, inv, deps, payload, mapped, state);
  state.integrationLatency = Date.now() - started;
  state.integrationStatus = backend.status;
  deps.onDataTrace?.(`Endpoint response body before transformations: ${backend.body}`);

  const selected = selectIntegrationResponse(integration.integrationResponses, backend.selector);
  if (!selected) {
    throw new GatewayFailure(
      INTERNAL_SERVER_ERROR,
      'Execution failed due to configuration error: No match for output mapping and no default output mapping',
    );
  }
  return mapResponse(selected, backend, params, sources, inv);
}

/**
 * `$context.requestOverride.<where>`'s values set on the mapped parameters, as strings; null and
 * undefined ones left out. A loop over the keys: no entry arrays on every request.
 */
function applyOverride(target: Record<string, string>, values: Record<string, unknown> | undefined): void {
  if (!values) return;
  for (const k of Object.keys(values)) {
    const v = values[k];
    if (v !== undefined && v !== null) target[k] = String(v);
  }
}

/** The integration URI with `${stageVariables.name}` filled in from the stage. */
function integrationUri(integration: IntegrationDef, inv: MethodInvocation): string {
  const uri = integration.uri ?? '';
  if (!uri.includes('${stageVariables.')) return uri;
  return uri.replace(/\$\{stageVariables\.([A-Za-z0-9_]+)\}/g, (_m, name: string) => inv.stage.variables[name] ?? '');
}

/** What `backendCall` names a Lambda integration's call. */
const LAMBDA_INVOCATION = 'Lambda invocation';

/**
 * Wait for a backend call, giving up after the integration's timeout; a
 * rejection becomes an integration failure naming `what`. Real time: the
 * backend's work takes local wall-clock time, which the time scale does not shrink.
 * One timer and one promise, cleared on the answer: Promise.race with a timeout
 * promise, `.catch` and `.finally` cost ~2.5 times as much a call. An answer after
 * the timeout settles nothing, and a rejection then is still handled.
 */
function backendCall<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new GatewayFailure(INTEGRATION_TIMEOUT, `Execution failed due to a timeout error after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(backendFailure(error, what));
      },
    );
  });
}

/** The gateway failure a backend call's rejection answers with. */
function backendFailure(error: unknown, what: string): GatewayFailure {
  if (error instanceof GatewayFailure) return error;
  // The runtime's IAM names a role API Gateway cannot use (iam/edge.ts).
  if (error instanceof Error && error.name === 'IntegrationConfigurationError') {
    return new GatewayFailure(INTERNAL_SERVER_ERROR, `Execution failed due to configuration error: ${error.message}`);
  }
  // A function whose resource policy does not let this API invoke it is a configuration error (500)
  // in AWS's words (https://repost.aws/knowledge-center/api-gateway-rest-api-lambda-integrations).
  if (what === LAMBDA_INVOCATION && error instanceof Error && error.name === 'AccessDeniedException') {
    return new GatewayFailure(INTERNAL_SERVER_ERROR, 'Execution failed due to configuration error: Invalid permissions on Lambda function');
  }
  return new GatewayFailure(INTEGRATION_FAILURE, `Execution failed: ${what} failed: ${(error as Error)?.message ?? String(error)}`);
}

/** What the integration's backend answered, with the value SelectionPatterns match against. */
interface BackendResult {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly selector: string | undefined;
}

/** Call a non-proxy integration (MOCK, HTTP, Lambda, AWS service) with the mapped request. */
async function callIntegration(
  integration: IntegrationDef,
  inv: MethodInvocation,
  deps: ExecutionDeps,
  payload: string,
  mapped: MappedRequestParameters,
  state: IntegrationState,
): Promise<BackendResult> {
  if (integration.type === 'MOCK') {
    const status = mockStatusCode(payload);
    if (status === undefined) throw new GatewayFailure(INTERNAL_SERVER_ERROR, 'Execution failed due to configuration error: Unable to parse statusCode');
    return { status, body: '', headers: {}, selector: String(status) };
  } else if (integration.type === 'HTTP') {
    const query = Object.fromEntries(Object.entries(mapped.querystring).map(([k, v]) => [k, [v]]));
    const url = withQuery(fillUri(integrationUri(integration, inv), mapped.path), query);
    const headers = { 'content-type': headerOf(inv.headers, 'content-type') ?? 'application/json', ...lowerKeys(mapped.header) };
    deps.onIntegration?.(`${integration.httpMethod ?? inv.req.method} ${url}`, { url });
    const result = await httpCall(url, integration.httpMethod ?? inv.req.method, headers, Buffer.from(payload, 'utf8'), integration.timeoutMs);
    return { status: result.status, body: result.body.toString('utf8'), headers: result.headers, selector: String(result.status) };
  } else {
    const lambdaArn = lambdaArnFromUri(integrationUri(integration, inv));
    if (lambdaArn) {
      const invocationType = invocationTypeOf(mapped.header);
      deps.onIntegration?.(`invoke ${lambdaArn} (${invocationType})`, { functionArn: lambdaArn, invocationType });
      const invocation = deps.sinks.lambda.invoke(lambdaArn, payload, invocationType, callerOf(integration, inv));
      const result = await backendCall(invocation, integration.timeoutMs, LAMBDA_INVOCATION);
      state.lambdaRequestId = result.requestId;
      const errorMessage = result.functionError ? lambdaErrorMessage(result.payload) : undefined;
      return { status: result.statusCode, body: result.payload, headers: {}, selector: errorMessage };
    } else {
      const uri = parseAwsUri(integrationUri(integration, inv))!;
      const request = buildAwsServiceRequest({
        uri,
        httpMethod: integration.httpMethod ?? inv.req.method,
        body: payload,
        params: mapped,
        sourceIp: inv.req.sourceIp,
        defaultContentType: headerOf(inv.headers, 'content-type') ?? 'application/json',
      });
      const target = `${request.path}${request.rawQuery ? `?${request.rawQuery}` : ''}`;
      deps.onIntegration?.(`${uri.service} ${request.method} ${target}`, { service: uri.service, method: request.method, path: request.path, query: request.rawQuery });
      const response = await backendCall(deps.callAwsService(uri.service, request, integration.credentials), integration.timeoutMs, `${uri.service} call`);
      state.serviceRequestId = response.headers['x-amzn-requestid'] ?? response.headers['x-amz-request-id'];
      const body = typeof response.body === 'string' ? response.body : response.body.toString('utf8');
      return { status: response.statusCode, body, headers: response.headers, selector: String(response.statusCode) };
    }
  }
}

function render(template: string, body: string, params: MappingParams, inv: MethodInvocation): string {
  try {
    return renderMappingTemplate(template, { body, params }, { context: inv.context, stageVariables: { ...inv.stage.variables } });
  } catch (error) {
    const message = error instanceof MappingTemplateError ? error.message : String(error);
    throw new GatewayFailure(INTERNAL_SERVER_ERROR, `Execution failed due to configuration error: ${message}`);
  }
}

function invocationTypeOf(headers: Record<string, string>): InvocationType {
  const v = headerEntry(headers, 'x-amz-invocation-type') ?? 'RequestResponse';
  if (v === 'Event' || v === 'RequestResponse' || v === 'DryRun') return v;
  throw new GatewayFailure(INTERNAL_SERVER_ERROR, `Execution failed: invalid X-Amz-Invocation-Type ${v}`);
}

function callerOf(integration: IntegrationDef, inv: MethodInvocation): InvokeCaller {
  // With a credentials role API Gateway calls as that role (IAM), not as the service principal.
  if (integration.credentials) {
    return { role: { arn: integration.credentials, session: 'BackplaneAssumeRoleSession', via: 'API Gateway integration', assumedBy: 'apigateway.amazonaws.com' } };
  }
  return { principal: 'apigateway.amazonaws.com', sourceArn: inv.sourceArn, sourceAccount: inv.accountId };
}

function chooseResponseTemplate(templates: Readonly<Record<string, string | null>>, accept: string | undefined): string | undefined {
  const keys = Object.keys(templates);
  if (keys.length === 0) return undefined;
  for (const type of (accept ?? '').split(',').map(mediaType)) {
    const key = keys.find((k) => k.toLowerCase() === type);
    if (key !== undefined) return key;
  }
  return keys.find((k) => k.toLowerCase() === 'application/json') ?? keys[0];
}

function mapResponse(
  selected: IntegrationResponseDef,
  backend: { body: string; headers: Record<string, string> },
  params: MappingParams,
  sources: MappingSources,
  inv: MethodInvocation,
): HttpResponse {
  const key = chooseResponseTemplate(selected.responseTemplates, headerOf(inv.headers, 'accept'));
  const template = key === undefined ? undefined : selected.responseTemplates[key];
  const body = template ? render(template, backend.body, params, inv) : backend.body;
  const headers: Record<string, string> = { 'content-type': key ?? 'application/json' };
  // Object.assign, not a spread: properties added to a spread copy are slow on Node 20 (~5 us each).
  const responseSources: MappingSources = Object.assign({}, sources, { header: backend.headers, multiHeader: {}, body: backend.body });
  const mappedHeaders = mapResponseParameters(selected.responseParameters, responseSources);
  for (const name of Object.keys(mappedHeaders)) headers[name.toLowerCase()] = mappedHeaders[name]!;
  let statusCode = Number(selected.statusCode);
  const override = inv.context.responseOverride as { status?: unknown; header?: Record<string, unknown> } | undefined;
  if (override) {
    const status = Number(override.status);
    if (override.status !== undefined && override.status !== null && Number.isInteger(status) && status >= 100 && status <= 599) statusCode = status;
    const overridden = override.header;
    if (overridden) {
      for (const name of Object.keys(overridden)) {
        const value = overridden[name];
        if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
      }
    }
  }
  return { statusCode, headers, body };
}

function lowerKeys(values: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k.toLowerCase(), v]));
}

async function httpCall(url: string, method: string, headers: Record<string, string>, body: Buffer, timeoutMs: number) {
  try {
    return await callHttp({ url, method: method === 'ANY' ? 'GET' : method, headers, body, timeoutMs });
  } catch (error) {
    if ((error as Error)?.name === 'AbortError') throw new GatewayFailure(INTEGRATION_TIMEOUT, `Execution failed due to a timeout error after ${timeoutMs} ms`);
    throw new GatewayFailure(INTEGRATION_FAILURE, `Execution failed due to configuration error: Invalid endpoint address ${url}: ${(error as Error)?.message ?? String(error)}`);
  }
}

/** HTTP_PROXY: the whole request goes to the endpoint, and its whole answer comes back. */
async function httpProxyIntegration(
  inv: MethodInvocation,
  deps: ExecutionDeps,
  integration: IntegrationDef,
  sources: MappingSources,
  state: IntegrationState,
): Promise<HttpResponse> {
  const mapped = mapRequestParameters(integration.requestParameters, sources);
  const query: Record<string, string[]> = { ...inv.query };
  for (const [k, v] of Object.entries(mapped.querystring)) query[k] = [v];
  const url = withQuery(fillUri(integrationUri(integration, inv), mapped.path), query);
  // One spelling per name, or fetch would merge `Content-Type` and `content-type` into one list.
  const headers: Record<string, string> = lowerKeys(Object.fromEntries(Object.entries(inv.headers).map(([k, v]) => [k, v.join(',')])));
  Object.assign(headers, lowerKeys(mapped.header));
  const method = !integration.httpMethod || integration.httpMethod === 'ANY' ? inv.req.method.toUpperCase() : integration.httpMethod;
  deps.onIntegration?.(`${method} ${url}`, { url });
  const started = Date.now();
  const result = await httpCall(url, method, headers, inv.req.body, integration.timeoutMs);
  state.integrationLatency = Date.now() - started;
  state.integrationStatus = result.status;
  return { statusCode: result.status, headers: result.headers, body: result.body };
}

async function proxyIntegration(
  inv: MethodInvocation,
  deps: ExecutionDeps,
  integration: IntegrationDef,
  state: IntegrationState,
): Promise<HttpResponse> {
  const functionArn = lambdaArnFromUri(integrationUri(integration, inv))!;
  const event = buildProxyEvent({
    resourcePath: inv.resource.path,
    resourceId: inv.resource.id,
    path: inv.path,
    httpMethod: inv.req.method.toUpperCase(),
    headers: inv.headers,
    query: inv.query,
    pathParameters: inv.pathParameters,
    stageVariables: inv.stage.variables,
    body: inv.req.body,
    context: proxyEventContext(inv.context),
  });
  deps.onIntegration?.(`invoke ${functionArn} (proxy)`, { functionArn, invocationType: 'RequestResponse' });
  const started = Date.now();
  const invocation = deps.sinks.lambda.invoke(functionArn, JSON.stringify(event), 'RequestResponse', callerOf(integration, inv));
  const result = await backendCall(invocation, integration.timeoutMs, LAMBDA_INVOCATION);
  state.lambdaRequestId = result.requestId;
  state.integrationLatency = Date.now() - started;
  state.integrationStatus = result.statusCode;
  if (result.functionError) throw new GatewayFailure(BAD_GATEWAY, `Lambda execution failed with status 200 due to customer function error`);
  const parsed = parseProxyResponse(result.payload);
  if (!parsed) throw new GatewayFailure(BAD_GATEWAY, 'Execution failed due to configuration error: Malformed Lambda proxy response');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const [name, value] of Object.entries(parsed.headers)) {
    headers[REMAPPED_HEADERS.has(name) ? `x-amzn-remapped-${name}` : name] = value;
  }
  return { statusCode: parsed.statusCode, headers, body: parsed.body };
}
