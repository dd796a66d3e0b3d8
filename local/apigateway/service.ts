/**
 * API Gateway REST APIs: serves the stack's APIs stage by stage, with
 * routing, throttling, Lambda authorizers, request validation, mapping
 * templates, integrations, gateway responses, payload compression, access
 * and execution logs.
 */
import { randomUUID } from 'node:crypto';
import { pooledRandomBytes } from '../text/random-bytes.js';
import { traceJsonLater } from '../tracing.js';
import type { Clock } from '../clock.js';
import type { LogSink, Sinks, Tracer } from '../contracts.js';
import type { StackEnvironment, StackModel } from '../cloudformation/types.js';
import { envOf } from '../cloudformation/environments.js';
import type { HttpRequest, HttpResponse } from '../protocol/http.js';
import { readRestApis } from './model.js';
import type { AuthorizerDef, MethodDef, RestApiDef, StageDef } from './types.js';
import { BadPathError, matchRoute, type RouteMatch } from './router.js';
import { StageThrottle } from './throttle.js';
import { executeMethod, type ExecutionDeps, type MethodResult } from './execute.js';
import { formatAccessLog } from './access-log.js';
import { evaluateMappingSource, lambdaArnFromUri, parseAwsUri } from './integrations.js';
import { UnsupportedTemplateError } from '../protocol/errors.js';
import { renderMappingTemplate } from './vtl.js';
import { Authorizers } from './authorizer.js';
import { buildProxyEvent, proxyEventContext } from './proxy-event.js';
import { headerValues, joinedValues, lastValues, pushValue, requestHeaders } from './headers.js';
import { compressResponse } from './compression.js';
import {
  BAD_REQUEST,
  INTERNAL_SERVER_ERROR,
  MISSING_AUTH_TOKEN,
  REQUEST_TOO_LARGE,
  TOO_MANY_REQUESTS,
  URI_TOO_LONG,
  gatewayResponse,
  type GatewayError,
} from './responses.js';

/** What ApiGatewayService needs from the runtime. */
export interface ApiGatewayDeps {
  readonly sinks: Sinks;
  readonly logs: LogSink;
  readonly clock: Clock;
  readonly tracer?: Tracer;
  /** Sends an AWS service integration's request to the local service (`sns`, `sqs`, ...). */
  readonly callAwsService: (service: string, req: HttpRequest, credentials?: string) => Promise<HttpResponse>;
  /**
   * The services `callAwsService` answers. An AWS integration to any other
   * service fails at start-up, naming the method.
   * @default every service is accepted
   */
  readonly awsServices?: readonly string[];
}

/** API Gateway quota: 10 MB payload. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
/** API Gateway quota: URL length, edge-optimized 8192, regional and private 10240 characters. */
const MAX_URL_EDGE = 8192;
const MAX_URL_REGIONAL = 10240;
/** API Gateway quota: the method ARN of an authorized method, 1600 bytes. */
const MAX_METHOD_ARN_BYTES = 1600;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The last second formatRequestTime wrote: requests in the same second share the text. */
let lastRequestTime = { second: NaN, text: '' };

/** `$context.requestTime`: `dd/MMM/yyyy:HH:mm:ss +0000`. */
export function formatRequestTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== lastRequestTime.second) lastRequestTime = { second, text: formatSecond(epochMs) };
  return lastRequestTime.text;
}

function formatSecond(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/**
 * Characters a REST API refuses unencoded in a query string: AWS documents
 * `|` as unsupported, and requests with a raw `{` or `}` are answered 400
 * before the API sees them.
 */
const REFUSED_QUERY_CHARS = /[|{}]/;

/**
 * Split a raw query string into decoded multi-value parameters; undefined for
 * malformed percent-encoding or a refused character (API Gateway answers 400).
 */
export function parseQueryString(raw: string): Record<string, string[]> | undefined {
  const out: Record<string, string[]> = {};
  if (raw === '') return out;
  if (REFUSED_QUERY_CHARS.test(raw)) return undefined;
  // REST APIs split the query at a `;` as at a `&` (a documented API Gateway quirk).
  for (const part of raw.split(/[&;]/)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      // API Gateway decodes a query `+` as a space (form encoding), unlike a path's.
      key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    } catch {
      return undefined;
    }
    pushValue(out, key, value);
  }
  return out;
}


/** Java `Map#toString` of parameters, as execution logs print them. */
function javaMap(values: Readonly<Record<string, unknown>>): string {
  return `{${Object.entries(values)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`)
    .join(', ')}}`;
}

/**
 * `{ ...base, ...extra }` for `$context` and other records of open-ended keys.
 * On Node 20, each property added to a spread copy costs microseconds (measured
 * ~5 us a property, ~30 us for the method `$context`'s seven, against 0.4 us
 * here): Object.assign onto a fresh literal stays on V8's fast path. The same
 * result for plain data records without an own `__proto__` key (none here has one).
 */
function extend<T extends object, U extends object>(base: T, extra: U): T & U {
  return Object.assign({}, base, extra);
}

/**
 * Every key of T, optional ones included: a literal that copies a record field by field (for speed)
 * `satisfies` it, so a key added to the record but not to the copy fails to compile.
 */
type AllKeysOf<T> = Record<keyof T, unknown>;

/** `$context` before routing. */
type RequestContext = {
  accountId: string;
  apiId: string;
  extendedRequestId: string;
  httpMethod: string;
  identity: { sourceIp: string; userAgent: string | undefined };
  path: string;
  protocol: string;
  requestId: string;
  requestTime: string;
  requestTimeEpoch: number;
  stage: string;
};

/** `$context` once the method is known: the same keys first, in the same order, then the method's. */
type MethodContext = RequestContext & {
  deploymentId: string;
  domainName: string;
  domainPrefix: string | undefined;
  resourceId: string;
  resourcePath: string;
  requestOverride: { header: Record<string, unknown>; querystring: Record<string, unknown>; path: Record<string, unknown> };
  responseOverride: { header: Record<string, unknown> };
};

/** A request as far as it is known before routing. */
interface RequestScope {
  readonly apiId: string;
  readonly stageName: string;
  /** Raw path after the stage. */
  readonly path: string;
  readonly req: HttpRequest;
  readonly headers: Record<string, string[]>;
  readonly started: number;
  readonly requestId: string;
  readonly idHeaders: Record<string, string>;
  /** `$context`. */
  readonly context: RequestContext;
}

/** A route that found a method. */
type MethodRoute = RouteMatch & { readonly method: MethodDef };

/** A request routed to a method of a deployed stage. */
interface BoundRequest extends Omit<RequestScope, 'context'> {
  /** `$context`, which templates and the authorizer add to. */
  readonly context: Record<string, unknown>;
  readonly api: RestApiDef;
  readonly stage: StageDef;
  readonly route: MethodRoute;
  readonly query: Record<string, string[]>;
}

/** API Gateway's quotas on URL length and payload size. */
function refusedByQuotas(api: RestApiDef, stageName: string, path: string, req: HttpRequest): GatewayError | undefined {
  const urlLength = path.length + stageName.length + 1 + (req.rawQuery ? req.rawQuery.length + 1 : 0);
  if (urlLength > (api.endpointType === 'EDGE' ? MAX_URL_EDGE : MAX_URL_REGIONAL)) return URI_TOO_LONG;
  if (req.body.length > MAX_PAYLOAD_BYTES) return REQUEST_TOO_LARGE;
  return undefined;
}

/** The resource and method for the path, or the gateway error API Gateway answers without one. */
function routeOf(api: RestApiDef, path: string, httpMethod: string): MethodRoute | GatewayError {
  let match: RouteMatch | undefined;
  try {
    match = matchRoute(api.root, path, httpMethod);
  } catch (error) {
    if (error instanceof BadPathError) return BAD_REQUEST;
    throw error;
  }
  const method = match?.method;
  return match && method ? { resource: match.resource, method, pathParameters: match.pathParameters } : MISSING_AUTH_TOKEN;
}

function bodyLength(response: HttpResponse): number {
  return typeof response.body === 'string' ? Buffer.byteLength(response.body) : response.body.length;
}

/** `$context.error` for a gateway error. */
function errorContext(error: GatewayError): Record<string, unknown> {
  return { message: error.message, messageString: JSON.stringify(error.message), responseType: error.responseType };
}

/** The stack's REST APIs, served stage by stage. */
export class ApiGatewayService {
  static readonly handledTypes: readonly string[] = [
    'AWS::ApiGateway::RestApi',
    'AWS::ApiGateway::Resource',
    'AWS::ApiGateway::Method',
    'AWS::ApiGateway::Deployment',
    'AWS::ApiGateway::Stage',
    'AWS::ApiGateway::RequestValidator',
    'AWS::ApiGateway::Account',
    'AWS::ApiGateway::Model',
    'AWS::ApiGateway::GatewayResponse',
    'AWS::ApiGateway::Authorizer',
  ];

  /** Read every REST API of the stack; throws UnsupportedTemplateError for features it cannot serve faithfully. */
  static fromStack(stack: StackModel, deps: ApiGatewayDeps): ApiGatewayService {
    const apis = readRestApis(stack);
    if (deps.awsServices) checkAwsIntegrations(apis, deps.awsServices);
    const envByApi = new Map(apis.map((api) => [api.id, envOf(stack, stack.resources.get(api.logicalId)!)]));
    return new ApiGatewayService(apis, stack.env, deps, envByApi);
  }

  private readonly apis = new Map<string, RestApiDef>();
  private readonly throttles = new Map<string, StageThrottle>();
  private readonly authorizers: Authorizers;

  constructor(
    apis: readonly RestApiDef[],
    private readonly env: StackEnvironment,
    private readonly deps: ApiGatewayDeps,
    /** Each API's account and region, when its stack's differ from `env`. */
    private readonly envByApi: ReadonlyMap<string, StackEnvironment> = new Map(),
  ) {
    // Sinks are filled in after construction: read them at call time.
    this.authorizers = new Authorizers(() => deps.sinks.lambda, deps.clock);
    for (const api of apis) {
      this.apis.set(api.id, api);
      for (const stage of api.stages.values()) this.throttles.set(`${api.id}/${stage.name}`, new StageThrottle(stage.methodSettings));
    }
  }

  /** The REST APIs served, by id. */
  get restApis(): ReadonlyMap<string, RestApiDef> {
    return this.apis;
  }

  /** The API served at `/<stage>/...`: the only REST API when the stack has exactly one. */
  get singleApi(): RestApiDef | undefined {
    return this.apis.size === 1 ? [...this.apis.values()][0] : undefined;
  }

  /**
   * Answer one request to `<stage><path>` of API `apiId`; `path` is the raw
   * (still percent-encoded) path after the stage, starting with `/`.
   * Never throws: every failure is a gateway response.
   */
  async handle(apiId: string, stageName: string, path: string, req: HttpRequest): Promise<HttpResponse> {
    try {
      // Read once: the method execution, the gateway responses and the compression all look at them.
      const headers = requestHeaders(req);
      const response = await this.serve(apiId, stageName, path, req, headers);
      const acceptEncoding = headerValues(headers, 'accept-encoding')?.join(',');
      return compressResponse(response, this.apis.get(apiId)?.minimumCompressionSize, acceptEncoding);
    } catch (error) {
      // A bug here must cost one request, never the runtime.
      this.deps.tracer?.record({
        service: 'apigateway',
        kind: 'error',
        resource: `${apiId}/${stageName}`,
        summary: `${req.method} ${path} -> 500 (${(error as Error)?.message ?? String(error)})`,
      });
      return gatewayResponse(INTERNAL_SERVER_ERROR);
    }
  }

  private async serve(apiId: string, stageName: string, path: string, req: HttpRequest, headers: Record<string, string[]>): Promise<HttpResponse> {
    const api = this.apis.get(apiId);
    const stage = api?.stages.get(stageName);
    const request = this.startRequest(apiId, stageName, path, req, headers);
    // failEarly called at each refusal, not through a closure made for every request.
    if (!api || !stage) return this.failEarly(request, api, stage, MISSING_AUTH_TOKEN, request.context);

    const refused = refusedByQuotas(api, stageName, path, req);
    if (refused) return this.failEarly(request, api, stage, refused, request.context);
    const query = parseQueryString(req.rawQuery);
    if (!query) return this.failEarly(request, api, stage, BAD_REQUEST, request.context);
    const route = routeOf(api, path, req.method);
    if ('responseType' in route) return this.failEarly(request, api, stage, route, request.context);
    const { resource, method } = route;
    this.deps.tracer?.record({
      service: 'apigateway',
      kind: 'request',
      resource: `${api.name}/${stage.name}`,
      summary: `${req.method} /${stage.name}${path} -> ${method.httpMethod} ${resource.path} (${method.integration.type})`,
      ids: { requestId: request.requestId },
    });
    const bound: BoundRequest = {
      apiId: request.apiId,
      stageName: request.stageName,
      path: request.path,
      req: request.req,
      headers: request.headers,
      started: request.started,
      requestId: request.requestId,
      idHeaders: request.idHeaders,
      api,
      stage,
      route,
      query,
      context: this.methodContext(request, api, stage, route),
    } satisfies AllKeysOf<BoundRequest>;
    if (!this.throttles.get(`${api.id}/${stage.name}`)!.admit(resource.path, req.method)) return this.failEarly(request, api, stage, TOO_MANY_REQUESTS, bound.context);
    if (method.authorizer) {
      const refusal = await this.authorize(bound, method.authorizer);
      if (refusal) return this.failEarly(request, api, stage, refusal, bound.context);
    }
    const exec: string[] = [];
    const result = await this.execute(bound, exec);
    return this.respond(bound, result, exec);
  }

  /** Ids and the `$context` as far as they are known before routing. */
  private startRequest(apiId: string, stageName: string, path: string, req: HttpRequest, headers: Record<string, string[]>): RequestScope {
    const started = Date.now();
    const requestId = randomUUID();
    const extendedRequestId = `${pooledRandomBytes(12).toString('base64').replace(/[+/]/g, 'A').slice(0, 15)}=`;
    return {
      apiId,
      stageName,
      path,
      req,
      headers,
      started,
      requestId,
      idHeaders: { 'x-amzn-requestid': requestId, 'x-amz-apigw-id': extendedRequestId },
      context: {
        accountId: this.envOfApi(apiId).account,
        apiId,
        extendedRequestId,
        httpMethod: req.method.toUpperCase(),
        identity: { sourceIp: req.sourceIp, userAgent: headerValues(headers, 'user-agent')?.join(',') },
        path: `/${stageName}${path}`,
        protocol: 'HTTP/1.1',
        requestId,
        requestTime: formatRequestTime(started),
        requestTimeEpoch: started,
        stage: stageName,
      },
    };
  }

  /** A gateway response before the method runs: customized, access-logged and traced. */
  private failEarly(
    request: RequestScope,
    api: RestApiDef | undefined,
    stage: StageDef | undefined,
    error: GatewayError,
    context: Record<string, unknown>,
  ): HttpResponse {
    const { req, headers, idHeaders } = request;
    const response = api && stage ? this.customize(api, stage, error, context, req, headers, {}, idHeaders) : gatewayResponse(error, idHeaders);
    if (api && stage) {
      this.writeAccessLog(stage, api, context, {
        status: response.statusCode,
        responseLength: bodyLength(response),
        responseLatency: Date.now() - request.started,
        error: errorContext(error),
      });
    }
    this.deps.tracer?.record({
      service: 'apigateway',
      kind: 'response',
      resource: `${request.apiId}/${request.stageName}`,
      summary: `${req.method} ${request.path} -> ${response.statusCode} ${error.errorType}`,
      ids: { requestId: request.requestId },
    });
    return response;
  }

  /** The account and region an API belongs to. */
  private envOfApi(apiId: string): StackEnvironment {
    return this.envByApi.get(apiId) ?? this.env;
  }

  /**
   * `$context` once the resource is known. A literal with every key, not `{ ...request.context, more }`: on Node 20
   * each property added to a spread copy costs microseconds (~30 us here).
   * `satisfies AllKeysOf` makes a key of RequestContext left out here a compile error, optional ones too.
   */
  private methodContext(request: RequestScope, api: RestApiDef, stage: StageDef, route: MethodRoute): MethodContext {
    const c = request.context;
    const host = headerValues(request.headers, 'host')?.[0];
    return {
      accountId: c.accountId,
      apiId: c.apiId,
      extendedRequestId: c.extendedRequestId,
      httpMethod: c.httpMethod,
      identity: c.identity,
      path: c.path,
      protocol: c.protocol,
      requestId: c.requestId,
      requestTime: c.requestTime,
      requestTimeEpoch: c.requestTimeEpoch,
      stage: c.stage,
      deploymentId: stage.deploymentId,
      domainName: host ?? `${api.id}.execute-api.${this.envOfApi(api.id).region}.${this.envOfApi(api.id).urlSuffix}`,
      domainPrefix: (host ?? api.id).split('.')[0],
      resourceId: route.resource.id,
      resourcePath: route.resource.path,
      requestOverride: { header: {}, querystring: {}, path: {} },
      responseOverride: { header: {} },
    } satisfies AllKeysOf<MethodContext>;
  }

  /** Run the method's Lambda authorizer; the refusal to answer with, or undefined (and `$context.authorizer` set) when allowed. */
  private async authorize(bound: BoundRequest, authorizer: AuthorizerDef): Promise<GatewayError | undefined> {
    const { api, stage, req, path, headers, query, context, route } = bound;
    const { resource, method, pathParameters } = route;
    const env = this.envOfApi(api.id);
    const requestPath = path.length > 1 ? path.replace(/\/$/, '') : '/';
    const event = buildProxyEvent({
      resourcePath: resource.path,
      resourceId: resource.id,
      path,
      httpMethod: req.method.toUpperCase(),
      headers,
      query,
      pathParameters,
      stageVariables: stage.variables,
      body: Buffer.alloc(0),
      context: proxyEventContext(context),
    });
    const { body: _body, isBase64Encoded: _encoded, ...requestEvent } = event;
    const methodArn = `arn:${env.partition}:execute-api:${env.region}:${env.account}:${api.id}/${stage.name}/${req.method.toUpperCase()}${requestPath}`;
    // AWS quota: with authorization on, a method ARN over 1600 bytes gets 414 before the authorizer runs.
    if (Buffer.byteLength(methodArn) > MAX_METHOD_ARN_BYTES) return URI_TOO_LONG;
    const outcome = await this.authorizers.authorize(authorizer, {
      methodArn,
      sourceArn: `arn:${env.partition}:execute-api:${env.region}:${env.account}:${api.id}/authorizers/${authorizer.id}`,
      accountId: env.account,
      headers,
      query,
      pathParameters,
      stageVariables: stage.variables,
      context,
      requestEvent,
    });
    this.deps.tracer?.record({
      service: 'apigateway',
      kind: 'authorize',
      resource: `${api.name}/${stage.name}`,
      summary: `${method.httpMethod} ${resource.path} -> authorizer ${authorizer.logicalId}: ${outcome.allowed ? `allowed ${outcome.principalId}` : outcome.reason}`,
      ids: { requestId: bound.requestId },
    });
    if (!outcome.allowed) return outcome.error;
    context.authorizer = { principalId: outcome.principalId, ...outcome.context };
    return undefined;
  }

  /** The method execution, tracing each integration call; `exec` collects execution-log lines. */
  private execute(bound: BoundRequest, exec: string[]): Promise<MethodResult> {
    const { api, stage, req, path, headers, query, context, route } = bound;
    const { resource, method, pathParameters } = route;
    const env = this.envOfApi(api.id);
    const sourceArn = `arn:${env.partition}:execute-api:${env.region}:${env.account}:${api.id}/${stage.name}/${method.httpMethod === 'ANY' ? req.method.toUpperCase() : method.httpMethod}${resource.path}`;
    const deps = new MethodExecutionDeps(this.deps, bound, exec);
    // Set only with data tracing, as the method execution looks for it.
    if (stage.methodSettings.some((m) => m.dataTraceEnabled)) deps.onDataTrace = (line: string) => void exec.push(line);
    return executeMethod({ api, stage, resource, method, req, path, pathParameters, query, headers, context, sourceArn, accountId: env.account }, deps);
  }

  /** The method response (or customized gateway response), traced and logged. */
  private respond(bound: BoundRequest, result: MethodResult, exec: string[]): HttpResponse {
    const { api, stage, req, headers, context, idHeaders, route } = bound;
    const { resource, method, pathParameters } = route;
    const response: HttpResponse = result.gatewayError
      ? this.customize(api, stage, result.gatewayError, context, req, headers, pathParameters, idHeaders)
      : extend(result.response, { headers: extend(result.response.headers, idHeaders) });
    this.deps.tracer?.record({
      service: 'apigateway',
      kind: 'response',
      resource: `${api.name}/${stage.name}`,
      summary: `${method.httpMethod} ${resource.path} -> ${response.statusCode}${result.error ? ` (${result.error})` : ''}`,
      // The Lambda request id an integration ran under joins the function's run to this request.
      ids: result.lambdaRequestId === undefined ? { requestId: bound.requestId } : { requestId: bound.requestId, lambdaRequestId: result.lambdaRequestId },
      // The answer, so the dashboard shows it and follows the message id an AWS integration returned.
      detail: { statusCode: response.statusCode, body: typeof response.body === 'string' ? traceJsonLater(response.body) : `(${bodyLength(response)} bytes)` },
    });
    // "The AWS endpoint's request ID" (from its x-amzn-RequestId): Lambda's or the service's, none for HTTP backends.
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-variables-for-access-logging.html
    const endpointRequestId = result.lambdaRequestId ?? result.serviceRequestId;
    const responseContext = {
      status: response.statusCode,
      responseLength: bodyLength(response),
      responseLatency: Date.now() - bound.started,
      integrationLatency: result.integrationLatency,
      integrationStatus: result.integrationStatus,
      awsEndpointRequestId: endpointRequestId,
      integration: { latency: result.integrationLatency, status: result.integrationStatus, requestId: endpointRequestId },
      error: result.gatewayError ? errorContext(result.gatewayError) : {},
    };
    this.writeLogs(api, stage, context, responseContext, { query: bound.query, pathParameters, exec, error: result.error, status: response.statusCode });
    return response;
  }

  /**
   * API Gateway's own answer, as the API's GatewayResponse for its type (or
   * DEFAULT_4XX / DEFAULT_5XX) customizes it: status, headers, template.
   */
  private customize(
    api: RestApiDef,
    stage: StageDef,
    error: GatewayError,
    context: Record<string, unknown>,
    req: HttpRequest,
    requestHeaderValues: Readonly<Record<string, string[]>>,
    pathParameters: Record<string, string>,
    idHeaders: Record<string, string>,
  ): HttpResponse {
    const def = api.gatewayResponses.get(error.responseType) ?? api.gatewayResponses.get(error.statusCode < 500 ? 'DEFAULT_4XX' : 'DEFAULT_5XX');
    const response = gatewayResponse(error, idHeaders);
    if (!def) return response;
    const query = lastValues(parseQueryString(req.rawQuery) ?? {});
    const headers = joinedValues(requestHeaderValues);
    const withError = extend(context, { error: errorContext(error) });
    const sources = {
      path: pathParameters,
      querystring: query,
      multiQuerystring: {},
      header: headers,
      multiHeader: {},
      body: req.body.toString('utf8'),
      context: withError,
      stageVariables: stage.variables,
    };
    for (const [target, source] of Object.entries(def.responseParameters)) {
      const m = /^gatewayresponse\.header\.(.+)$/.exec(target);
      const value = m ? evaluateMappingSource(source, 'method.request', sources) : undefined;
      if (m && value !== undefined) response.headers[m[1]!.toLowerCase()] = value;
    }
    const keys = Object.keys(def.responseTemplates);
    const key = keys.find((k) => k.toLowerCase() === 'application/json') ?? keys[0];
    if (key !== undefined) {
      try {
        response.body = renderMappingTemplate(
          def.responseTemplates[key]!,
          { body: '', params: { path: pathParameters, querystring: query, header: headers } },
          { context: withError, stageVariables: { ...stage.variables } },
        );
        response.headers['content-type'] = key;
      } catch {
        // A broken template leaves API Gateway's default body.
      }
    }
    return extend(response, { statusCode: def.statusCode ?? error.statusCode });
  }

  /** The access log line of `$context` with the response's variables (`status`, ...) on top. */
  private writeAccessLog(stage: StageDef, api: RestApiDef, context: Record<string, unknown>, responseContext: Record<string, unknown>): void {
    if (!stage.accessLog) return;
    try {
      this.deps.logs.ensureLogGroup(stage.accessLog.logGroupName);
      this.deps.logs.putLogEvents(stage.accessLog.logGroupName, `${api.id}_${stage.name}`, [
        { timestamp: Date.now(), message: formatAccessLog(stage.accessLog.format, context, responseContext) },
      ]);
    } catch {
      // Logging must never turn a served request into a failure.
    }
  }

  private writeLogs(
    api: RestApiDef,
    stage: StageDef,
    context: Record<string, unknown>,
    responseContext: Record<string, unknown>,
    info: { query: Record<string, string[]>; pathParameters: Record<string, string>; exec: string[]; error?: string; status: number },
  ): void {
    const now = Date.now();
    try {
      this.writeAccessLog(stage, api, context, responseContext);
      const level = stage.methodSettings.find((s) => s.loggingLevel && s.loggingLevel !== 'OFF')?.loggingLevel;
      if (!level || (level === 'ERROR' && info.error === undefined)) return;
      const id = String(context.requestId);
      const lines =
        level === 'ERROR'
          ? [info.error!, `Method completed with status: ${info.status}`]
          : [
              `Extended Request Id: ${String(context.extendedRequestId)}`,
              `Starting execution for request: ${id}`,
              `HTTP Method: ${String(context.httpMethod)}, Resource Path: ${String(context.resourcePath)}`,
              `Method request path: ${javaMap(info.pathParameters)}`,
              `Method request query string: ${javaMap(info.query)}`,
              ...info.exec,
              ...(info.error ? [info.error] : []),
              `Method completed with status: ${info.status}`,
            ];
      const group = `API-Gateway-Execution-Logs_${api.id}/${stage.name}`;
      this.deps.logs.ensureLogGroup(group);
      this.deps.logs.putLogEvents(
        group,
        stage.deploymentId || stage.name,
        lines.map((line) => ({ timestamp: now, message: `(${id}) ${line}` })),
      );
    } catch {
      // Logging must never turn a served request into a failure.
    }
  }
}

/**
 * What one method execution calls back: its integration calls traced and
 * logged. Methods of a class rather than closures
 * made per request (under tsx each closure also has its name defined).
 */
class MethodExecutionDeps implements ExecutionDeps {
  readonly sinks: Sinks;
  readonly callAwsService: ApiGatewayDeps['callAwsService'];
  /** Payload lines for the execution log, set when the stage traces data (the method execution asks for it). */
  onDataTrace?: (line: string) => void;

  constructor(
    private readonly serviceDeps: ApiGatewayDeps,
    private readonly bound: BoundRequest,
    /** Execution-log lines. */
    private readonly exec: string[],
  ) {
    this.sinks = serviceDeps.sinks;
    this.callAwsService = serviceDeps.callAwsService;
  }

  onIntegration(summary: string, detail: Record<string, unknown>): void {
    const { api, stage, route, requestId } = this.bound;
    this.exec.push(`Sending request to ${summary}`);
    this.serviceDeps.tracer?.record({
      service: 'apigateway',
      kind: 'integration',
      resource: `${api.name}/${stage.name}`,
      summary: `${route.method.httpMethod} ${route.resource.path} -> ${summary}`,
      ids: { requestId },
      detail,
    });
  }
}

/** Every AWS service integration must target a service the runtime serves (Lambda goes through sinks). */
function checkAwsIntegrations(apis: readonly RestApiDef[], services: readonly string[]): void {
  for (const api of apis) {
    for (const resource of api.resources.values()) {
      for (const method of resource.methods.values()) {
        const { type, uri } = method.integration;
        if (type !== 'AWS' || !uri || lambdaArnFromUri(uri)) continue;
        const target = parseAwsUri(uri);
        if (!target || !services.includes(target.service)) {
          throw new UnsupportedTemplateError(
            method.logicalId,
            'Properties.Integration.Uri',
            `the local runtime serves AWS integrations to ${services.join(', ')} and Lambda, not ${target?.service ?? uri}`,
          );
        }
      }
    }
  }
}
