/**
 * The pieces of API Gateway's integration step that do not depend on the
 * service: reading integration URIs, building the request an AWS service
 * integration sends, the Lambda proxy event and response, parameter mapping
 * and integration response selection.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { HttpRequest } from '../protocol/http.js';
import type { IntegrationResponseDef } from './types.js';
import { evaluateJsonPath } from './jsonpath.js';
import { headerEntry } from './headers.js';
import { BoundedMemo } from '../bounded-memo.js';

/** An `arn:<partition>:apigateway:<region>:<service>:action/<Action>` or `:path/<path>` URI, taken apart. */
export interface AwsIntegrationUri {
  readonly region: string;
  /** Service name, possibly with a subdomain (`mybucket.s3`); the service is the last label. */
  readonly service: string;
  readonly kind: 'action' | 'path';
  /** The action name, or the path without its leading `path/`. */
  readonly value: string;
}

/** Integration URIs are the stack's (with stage variables filled in): few and fixed, bounded all the same. */
const MAX_CACHED_URIS = 500;
/** Null for a URI that is not an AWS one. */
const parsedAwsUris = new BoundedMemo<string, AwsIntegrationUri | null>(MAX_CACHED_URIS);

/** Take an AWS integration URI apart; undefined when it is not one. Parsed once per URI: it is read on every request. */
export function parseAwsUri(uri: string): AwsIntegrationUri | undefined {
  let parsed = parsedAwsUris.get(uri);
  if (parsed === undefined) {
    const m = /^arn:[^:]+:apigateway:([^:]*):([^:]+):(action|path)\/(.*)$/s.exec(uri);
    parsed = parsedAwsUris.set(
      uri,
      m ? Object.freeze({ region: m[1]!, service: m[2]!.split('.').pop()!, kind: m[3] as 'action' | 'path', value: m[4]! }) : null,
    );
  }
  return parsed ?? undefined;
}

/** The function ARN in a Lambda invocation URI (`lambda:path/2015-03-31/functions/<arn>/invocations`). */
export function lambdaArnFromUri(uri: string): string | undefined {
  return /:lambda:path\/2015-03-31\/functions\/(.+)\/invocations$/.exec(uri)?.[1];
}

/** The `errorMessage` of a failed Lambda invocation's payload (what SelectionPatterns and authorizers look at). */
export function lambdaErrorMessage(payload: string): string {
  try {
    const parsed = JSON.parse(payload) as unknown;
    if (parsed && typeof parsed === 'object' && 'errorMessage' in parsed) return String((parsed as { errorMessage: unknown }).errorMessage);
    return typeof parsed === 'string' ? parsed : payload;
  } catch {
    return payload;
  }
}

/** What parameter mapping expressions can read. */
export interface MappingSources {
  readonly path: Readonly<Record<string, string>>;
  readonly querystring: Readonly<Record<string, string>>;
  readonly multiQuerystring: Readonly<Record<string, readonly string[]>>;
  readonly header: Readonly<Record<string, string>>;
  readonly multiHeader: Readonly<Record<string, readonly string[]>>;
  readonly body: string;
  readonly context: Readonly<Record<string, unknown>>;
  readonly stageVariables: Readonly<Record<string, string>>;
}

function bodyPath(body: string, path: string): string | undefined {
  try {
    // Mapping expressions name the field without the leading `$.`.
    const value = evaluateJsonPath(JSON.parse(body), path.startsWith('$') ? path : `$.${path}`);
    if (value === undefined) return undefined;
    return typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/**
 * Evaluate one mapping source expression (`method.request.header.X`,
 * `integration.response.body.$.a`, `'static'`, `context.requestId`, ...)
 * with `prefix` being `method.request` or `integration.response`.
 */
export function evaluateMappingSource(expression: string, prefix: string, sources: MappingSources): string | undefined {
  const expr = expression.trim();
  if (/^'.*'$/s.test(expr)) return expr.slice(1, -1);
  if (expr.startsWith('context.')) {
    let value: unknown = sources.context;
    for (const key of expr.slice('context.'.length).split('.')) {
      value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    }
    return value === undefined || value === null ? undefined : String(value);
  }
  if (expr.startsWith('stageVariables.')) return sources.stageVariables[expr.slice('stageVariables.'.length)];
  if (!expr.startsWith(`${prefix}.`)) return undefined;
  const rest = expr.slice(prefix.length + 1);
  if (rest === 'body') return sources.body;
  if (rest.startsWith('body.')) return bodyPath(sources.body, rest.slice('body.'.length));
  const dot = rest.indexOf('.');
  if (dot < 0) return undefined;
  const location = rest.slice(0, dot);
  const name = rest.slice(dot + 1);
  switch (location) {
    case 'path':
      return sources.path[name];
    case 'querystring':
      return sources.querystring[name];
    case 'multivaluequerystring':
      return sources.multiQuerystring[name]?.join(',');
    case 'header':
      return headerEntry(sources.header, name);
    case 'multivalueheader':
      return headerEntry(sources.multiHeader, name)?.join(',');
    default:
      return undefined;
  }
}

/** Integration request parameters, split by where they go. */
export interface MappedRequestParameters {
  readonly header: Record<string, string>;
  readonly querystring: Record<string, string>;
  readonly path: Record<string, string>;
}

/** One `integration.request.<where>.<name>` target, taken apart. */
interface RequestTarget {
  readonly where: 'header' | 'querystring' | 'path';
  readonly name: string;
  readonly source: string;
}

/** Each method's mapping, taken apart once: the mappings are the stack's, fixed objects read on every request. */
const requestTargets = new WeakMap<object, readonly RequestTarget[]>();

function requestTargetsOf(mapping: Readonly<Record<string, string>>): readonly RequestTarget[] {
  let targets = requestTargets.get(mapping);
  if (!targets) {
    const list: RequestTarget[] = [];
    for (const [target, source] of Object.entries(mapping)) {
      const m = /^integration\.request\.(header|querystring|path|multivaluequerystring|multivalueheader)\.(.+)$/.exec(target);
      if (!m) continue;
      const where = m[1] === 'multivaluequerystring' ? 'querystring' : m[1] === 'multivalueheader' ? 'header' : (m[1] as 'header' | 'querystring' | 'path');
      list.push({ where, name: m[2]!, source });
    }
    targets = list;
    requestTargets.set(mapping, targets);
  }
  return targets;
}

/** Evaluate `integration.request.*` mappings from the method request. */
export function mapRequestParameters(mapping: Readonly<Record<string, string>>, sources: MappingSources): MappedRequestParameters {
  const out: MappedRequestParameters = { header: {}, querystring: {}, path: {} };
  for (const { where, name, source } of requestTargetsOf(mapping)) {
    const value = evaluateMappingSource(source, 'method.request', sources);
    if (value === undefined) continue;
    out[where][name] = value;
  }
  return out;
}

/** Method response headers from an integration response's ResponseParameters. */
export function mapResponseParameters(mapping: Readonly<Record<string, string>>, sources: MappingSources): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [target, source] of Object.entries(mapping)) {
    const m = /^method\.response\.header\.(.+)$/.exec(target);
    if (!m) continue;
    const value = evaluateMappingSource(source, 'integration.response', sources);
    if (value !== undefined) out[m[1]!] = value;
  }
  return out;
}

/**
 * The integration response whose SelectionPattern matches the whole of
 * `selector` (the backend's status code, or a Lambda errorMessage); else the
 * default response (no pattern); else undefined.
 */
export function selectIntegrationResponse(
  responses: readonly IntegrationResponseDef[],
  selector: string | undefined,
): IntegrationResponseDef | undefined {
  if (selector !== undefined) {
    for (const response of responses) {
      if (response.selectionPattern?.test(selector)) return response;
    }
  }
  return responses.find((r) => r.selectionPattern === undefined);
}

function form(params: Readonly<Record<string, string>>): string {
  let out = '';
  for (const k of Object.keys(params)) out += `${out === '' ? '' : '&'}${encodeURIComponent(k)}=${encodeURIComponent(params[k]!)}`;
  return out;
}

/** `yyyymmdd` of the UTC day, kept for the day: the credential scope's date. */
let signingDay = { day: NaN, text: '' };

function signingDate(now: number): string {
  const day = Math.floor(now / 86_400_000);
  if (day !== signingDay.day) signingDay = { day, text: new Date(now).toISOString().slice(0, 10).replace(/-/g, '') };
  return signingDay.text;
}

/**
 * The HTTP request an AWS service integration sends: action style puts
 * `Action=<Action>` in the query string, path style calls the path (with
 * `{name}` filled from path parameters); the body is the mapped payload.
 */
export function buildAwsServiceRequest(options: {
  readonly uri: AwsIntegrationUri;
  readonly httpMethod: string;
  readonly body: string;
  readonly params: MappedRequestParameters;
  readonly sourceIp: string;
  /** Content-Type of the method request, used when no mapping sets one. */
  readonly defaultContentType: string;
}): HttpRequest {
  const { uri, params } = options;
  const query: Record<string, string> = {};
  let path = '/';
  if (uri.kind === 'action') {
    query.Action = uri.value;
  } else {
    path = `/${uri.value.replace(/^\/+/, '')}`.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(params.path[name] ?? ''));
  }
  Object.assign(query, params.querystring);
  const headers: IncomingHttpHeaders = {};
  for (const k of Object.keys(params.header)) headers[k.toLowerCase()] = params.header[k];
  headers['content-type'] ??= options.defaultContentType;
  // AWS service integrations get JSON back from services that offer it (SNS, SQS).
  headers.accept ??= 'application/json';
  const body = Buffer.from(options.body, 'utf8');
  headers['content-length'] = String(body.length);
  // API Gateway signs the call for the URI's region, and the service answers in that region.
  headers.authorization ??= `AWS4-HMAC-SHA256 Credential=apigateway/${signingDate(Date.now())}/${uri.region}/${uri.service}/aws4_request`;
  return { method: options.httpMethod, path, rawQuery: form(query), headers, body, sourceIp: options.sourceIp };
}

/** Parsed response of a Lambda proxy integration. */
export interface ProxyResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const PROXY_RESPONSE_KEYS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded', 'cookies']);

/** The function's result as API Gateway reads it; undefined when malformed (API Gateway answers 502). */
export function parseProxyResponse(payload: string): ProxyResponse | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const r = value as Record<string, unknown>;
  if (Object.keys(r).some((k) => !PROXY_RESPONSE_KEYS.has(k))) return undefined;
  const status = typeof r.statusCode === 'number' ? r.statusCode : typeof r.statusCode === 'string' ? Number(r.statusCode) : NaN;
  if (!Number.isInteger(status) || status < 100 || status > 599) return undefined;
  if (r.body !== undefined && r.body !== null && typeof r.body !== 'string') return undefined;
  const headers: Record<string, string> = {};
  if (r.headers !== undefined && r.headers !== null) {
    if (typeof r.headers !== 'object' || Array.isArray(r.headers)) return undefined;
    for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = String(v);
  }
  if (r.multiValueHeaders !== undefined && r.multiValueHeaders !== null) {
    if (typeof r.multiValueHeaders !== 'object' || Array.isArray(r.multiValueHeaders)) return undefined;
    for (const [k, v] of Object.entries(r.multiValueHeaders)) {
      if (!Array.isArray(v)) return undefined;
      const key = k.toLowerCase();
      headers[key] = [...(headers[key] !== undefined ? [headers[key]] : []), ...v.map(String)].join(', ');
    }
  }
  // Without BinaryMediaTypes (which the runtime rejects at start-up) API Gateway
  // returns a base64-encoded body as the text it is, whatever isBase64Encoded says.
  const body = typeof r.body === 'string' ? r.body : '';
  return { statusCode: status, headers, body };
}

/** The status code a MOCK integration's request template asks for; undefined when it cannot be read. */
export function mockStatusCode(output: string): number | undefined {
  if (output.trim() === '') return 200;
  try {
    const parsed = JSON.parse(output) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const code = (parsed as Record<string, unknown>).statusCode;
      const n = typeof code === 'number' ? code : typeof code === 'string' ? Number(code) : NaN;
      return Number.isInteger(n) ? n : undefined;
    }
  } catch {
    // API Gateway reads the statusCode out of text that is not strict JSON too
    // (CDK's CORS preflight template is `{ statusCode: 200 }`).
    const m = /["']?statusCode["']?\s*:\s*["']?(\d{3})["']?/.exec(output);
    if (m) return Number(m[1]);
  }
  return undefined;
}
