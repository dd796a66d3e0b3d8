import { randomUUID } from 'node:crypto';
import type { InvocationType } from '../contracts.js';
import { AwsError } from '../protocol/errors.js';
import { headerValue, jsonResponse, type HttpHandler, type HttpRequest, type HttpResponse } from '../protocol/http.js';
import { credentialRegion } from '../protocol/scope.js';
import { LambdaError } from './errors.js';
import { functionConfiguration, getFunctionOutput } from './function-info.js';
import { isRecord } from './function-definition.js';
import { resourcePolicy } from './permissions.js';
import type { LambdaService } from './service.js';

const INVOKE_CONFIG = /^\/2019-09-25\/functions\/([^/]+)\/event-invoke-config\/?$/;
/** Lambda's API paths all start with a dated version and `/functions`. */
const OURS = /^\/\d{4}-\d\d-\d\d\/functions(\/|$)/;
/** The deprecated InvokeAsync keeps the old asynchronous limit. */
const INVOKE_ASYNC_MAX_BYTES = 256 * 1024;
const INVOCATION_TYPES = new Set(['RequestResponse', 'Event', 'DryRun']);
/** Invoke returns at most the last 4 KB of the log. */
const LOG_TAIL_BYTES = 4096;

/**
 * The Lambda REST-JSON API on the shared port: Invoke, InvokeAsync,
 * GetFunction, GetFunctionConfiguration, GetFunctionConcurrency, GetPolicy,
 * ListFunctions and the EventInvokeConfig operations. Answers `undefined`
 * for paths outside Lambda's.
 */
export function lambdaApi(service: LambdaService): HttpHandler {
  return async (req) => {
    if (!OURS.test(req.path)) return undefined;
    const requestId = randomUUID();
    try {
      return await route(service, req, requestId);
    } catch (error) {
      return errorResponse(error, requestId);
    }
  };
}

/**
 * One operation of Lambda's REST API: its method and path, and the IAM
 * action it is authorized as
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html).
 * The IAM edge (iam/edge.ts) checks calls by these same routes, so an
 * operation served is an operation checked.
 */
export interface LambdaRoute {
  readonly method: string;
  /** The path. Its first group, when it has one, names the function (URL-encoded), unless `anyResource`. */
  readonly path: RegExp;
  /** The IAM action, without its `lambda:` prefix. */
  readonly action: string;
  /** Authorized on any resource: the path's group names something other than a function. */
  readonly anyResource?: true;
}

/** A matched call, as an operation serves it. */
interface Call {
  readonly service: LambdaService;
  readonly req: HttpRequest;
  readonly requestId: string;
  readonly query: URLSearchParams;
  readonly region: string | undefined;
  /** The function the path names, decoded and in the request's region ('' for a route without one). */
  readonly name: string;
  readonly qualifier: string | undefined;
}

interface ServedRoute extends LambdaRoute {
  readonly serve: (call: Call) => Promise<HttpResponse> | HttpResponse;
}

const FUNCTION_ROUTES: readonly ServedRoute[] = [
  { method: 'GET', path: /^\/2015-03-31\/functions\/?$/, action: 'ListFunctions', serve: (c) => listFunctions(c.service, c.query, c.requestId, c.region) },
  {
    method: 'POST',
    path: /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/,
    action: 'InvokeFunction',
    serve: (c) => invoke(c.service, c.req, c.name, c.qualifier),
  },
  {
    method: 'GET',
    path: /^\/2015-03-31\/functions\/([^/]+)\/?$/,
    action: 'GetFunction',
    serve: (c) => ok(getFunctionOutput(c.service.describe(c.name, c.qualifier)), c.requestId),
  },
  {
    method: 'GET',
    path: /^\/2015-03-31\/functions\/([^/]+)\/configuration\/?$/,
    action: 'GetFunctionConfiguration',
    serve: (c) => ok(functionConfiguration(c.service.describe(c.name, c.qualifier)), c.requestId),
  },
  {
    method: 'GET',
    path: /^\/2015-03-31\/functions\/([^/]+)\/policy\/?$/,
    action: 'GetPolicy',
    serve: (c) => getPolicy(c.service, c.name, c.qualifier, c.requestId),
  },
  // InvokeAsync (deprecated) needs lambda:InvokeFunction: https://docs.aws.amazon.com/lambda/latest/dg/API_InvokeAsync.html
  {
    method: 'POST',
    path: /^\/2014-11-13\/functions\/([^/]+)\/invoke-async\/?$/,
    action: 'InvokeFunction',
    serve: async (c) => {
      const result = await c.service.invokeWith(c.name, c.req.body.toString('utf8'), 'Event', undefined, { maxPayloadBytes: INVOKE_ASYNC_MAX_BYTES });
      return { statusCode: 202, headers: { 'x-amzn-requestid': result.requestId }, body: '' };
    },
  },
  {
    method: 'GET',
    path: /^\/2019-09-30\/functions\/([^/]+)\/concurrency\/?$/,
    action: 'GetFunctionConcurrency',
    serve: (c) => {
      const reserved = c.service.describe(c.name, undefined).definition.config.reservedConcurrency;
      return ok(reserved === undefined ? {} : { ReservedConcurrentExecutions: reserved }, c.requestId);
    },
  },
  {
    method: 'GET',
    path: /^\/2019-09-25\/functions\/([^/]+)\/event-invoke-config\/list\/?$/,
    action: 'ListFunctionEventInvokeConfigs',
    serve: (c) => ok({ FunctionEventInvokeConfigs: c.service.listEventInvokeConfigs(c.name) }, c.requestId),
  },
  {
    method: 'GET',
    path: INVOKE_CONFIG,
    action: 'GetFunctionEventInvokeConfig',
    serve: (c) => ok(c.service.getEventInvokeConfig(c.name, c.qualifier), c.requestId),
  },
  {
    method: 'PUT',
    path: INVOKE_CONFIG,
    action: 'PutFunctionEventInvokeConfig',
    serve: (c) => ok(c.service.putEventInvokeConfig(c.name, c.qualifier, jsonBody(c.req), 'put'), c.requestId),
  },
  {
    method: 'POST',
    path: INVOKE_CONFIG,
    action: 'UpdateFunctionEventInvokeConfig',
    serve: (c) => ok(c.service.putEventInvokeConfig(c.name, c.qualifier, jsonBody(c.req), 'update'), c.requestId),
  },
  {
    method: 'DELETE',
    path: INVOKE_CONFIG,
    action: 'DeleteFunctionEventInvokeConfig',
    serve: (c) => {
      c.service.deleteEventInvokeConfig(c.name, c.qualifier);
      return { statusCode: 204, headers: { 'x-amzn-requestid': c.requestId }, body: '' };
    },
  },
];

/** The operations {@link lambdaApi} serves. */
export const LAMBDA_ROUTES: readonly LambdaRoute[] = FUNCTION_ROUTES;

/** The route a request takes and the match of its path; undefined when none serves it. */
export function matchRoute<R extends LambdaRoute>(routes: readonly R[], req: HttpRequest): { readonly route: R; readonly match: RegExpExecArray } | undefined {
  for (const route of routes) {
    const match = req.method === route.method ? route.path.exec(req.path) : null;
    if (match) return { route, match };
  }
  return undefined;
}

async function route(service: LambdaService, req: HttpRequest, requestId: string): Promise<HttpResponse> {
  const matched = matchRoute(FUNCTION_ROUTES, req);
  if (!matched) throw new AwsError('UnknownOperationException', `The local runtime does not implement ${req.method} ${req.path}`, 404);
  const query = new URLSearchParams(req.rawQuery);
  // Lambda is regional: a name means the function of the request's signing region.
  const region = credentialRegion(req);
  const raw = matched.match[1];
  const name = raw === undefined ? '' : service.regionalRef(decodeFunctionName(raw), region);
  const qualifier = query.get('Qualifier') ?? undefined;
  return matched.route.serve({ service, req, requestId, query, region, name, qualifier });
}

async function invoke(service: LambdaService, req: HttpRequest, name: string, qualifier: string | undefined): Promise<HttpResponse> {
  const type = headerValue(req, 'x-amz-invocation-type') ?? 'RequestResponse';
  if (!INVOCATION_TYPES.has(type)) {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`,
      400,
    );
  }
  const logType = headerValue(req, 'x-amz-log-type') ?? 'None';
  if (logType !== 'None' && logType !== 'Tail') {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${logType}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [Tail, None]`,
      400,
    );
  }
  const result = await service.invokeWith(name, req.body.toString('utf8'), type as InvocationType, undefined, {
    ...(qualifier ? { qualifier } : {}),
  });
  const headers: Record<string, string> = { 'x-amzn-requestid': result.requestId };
  if (result.statusCode !== 200) return { statusCode: result.statusCode, headers, body: '' };
  headers['content-type'] = 'application/json';
  headers['x-amz-executed-version'] = result.executedVersion;
  if (result.functionError) headers['x-amz-function-error'] = result.functionError;
  if (logType === 'Tail' && result.log !== undefined) {
    const log = Buffer.from(result.log, 'utf8');
    headers['x-amz-log-result'] = log.subarray(Math.max(0, log.length - LOG_TAIL_BYTES)).toString('base64');
  }
  return { statusCode: 200, headers, body: result.payload };
}

function listFunctions(service: LambdaService, query: URLSearchParams, requestId: string, region: string | undefined): HttpResponse {
  const all = service.list().filter((fn) => service.isInRegion(fn.definition.config.functionArn, region));
  const maxRaw = query.get('MaxItems');
  const max = maxRaw === null ? 50 : Number(maxRaw);
  if (!Number.isInteger(max) || max < 1 || max > 10_000) {
    throw new AwsError(
      'ValidationException',
      `1 validation error detected: Value '${maxRaw}' at 'maxItems' failed to satisfy constraint: Member must have value ${max < 1 ? 'greater than or equal to 1' : 'less than or equal to 10000'}`,
      400,
    );
  }
  const marker = query.get('Marker');
  let start = 0;
  if (marker) {
    start = Number(Buffer.from(marker, 'base64').toString('utf8'));
    if (!Number.isInteger(start) || start < 0 || start > all.length) {
      throw new AwsError('InvalidParameterValueException', 'Invalid marker', 400);
    }
  }
  // ListFunctions returns at most 50 functions a page whatever MaxItems says.
  const page = all.slice(start, start + Math.min(max, 50));
  const next = start + page.length;
  return ok(
    {
      Functions: page.map(functionConfiguration),
      ...(next < all.length ? { NextMarker: Buffer.from(String(next)).toString('base64') } : {}),
    },
    requestId,
  );
}

function getPolicy(service: LambdaService, name: string, qualifier: string | undefined, requestId: string): HttpResponse {
  const fn = service.describe(name, qualifier);
  if (fn.permissions.length === 0) {
    throw new AwsError('ResourceNotFoundException', 'The resource you requested does not exist.', 404);
  }
  const policy = { ...resourcePolicy(fn.permissions, fn.definition.config.functionArn), Id: 'default' };
  return ok({ Policy: JSON.stringify(policy), RevisionId: fn.loadedAt.toString(16) }, requestId);
}

function decodeFunctionName(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new AwsError('ValidationException', `The function name ${segment} is not valid URL encoding`, 400);
  }
}

function jsonBody(req: HttpRequest): Record<string, unknown> {
  if (req.body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.body.toString('utf8'));
  } catch {
    throw new AwsError('InvalidRequestContentException', 'Could not parse request body into json', 400);
  }
  if (!isRecord(parsed)) throw new AwsError('InvalidRequestContentException', 'Could not parse request body into json', 400);
  return parsed;
}

/** A REST-JSON answer of the Lambda API. */
export function ok(body: unknown, requestId: string): HttpResponse {
  return jsonResponse(200, body, { 'x-amzn-requestid': requestId });
}

/** REST-JSON errors: the code in `x-amzn-ErrorType`, AWS's body members beside the message. */
export function errorResponse(error: unknown, requestId: string): HttpResponse {
  const aws = error instanceof AwsError ? error : new AwsError('ServiceException', `Internal error: ${(error as Error)?.message ?? String(error)}`, 500);
  // AWS capitalises `Message` for ResourceNotFoundException and uses `message` elsewhere.
  const messageKey = aws.code === 'ResourceNotFoundException' ? 'Message' : 'message';
  const body = { Type: aws.statusCode >= 500 ? 'Service' : 'User', [messageKey]: aws.message, ...(aws instanceof LambdaError ? aws.extra : {}) };
  return {
    statusCode: aws.statusCode,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': aws.code, 'x-amzn-requestid': requestId },
    body: JSON.stringify(body),
  };
}
