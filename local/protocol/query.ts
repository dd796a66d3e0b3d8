import { randomUUID } from 'node:crypto';
import { AwsError } from './errors.js';
import { headerValue, type HttpRequest, type HttpResponse } from './http.js';
import { parseCredential, signedCredential, type RequestScope } from './scope.js';

/**
 * The AWS Query protocol (SNS, CloudFormation): form-encoded parameters in a
 * POST body (or the query string of a GET), XML responses.
 */
export type QueryParams = ReadonlyMap<string, string>;
export type QueryOperation = (params: QueryParams, scope?: RequestScope) => Promise<XmlValue> | XmlValue;

export interface QueryService {
  /** API version sent in `Version`, e.g. `2010-03-31` for SNS. */
  readonly version: string;
  /** XML namespace of responses, e.g. `http://sns.amazonaws.com/doc/2010-03-31/`. */
  readonly xmlns: string;
  /** Signing name in the credential scope of the Authorization header. */
  readonly signingName: string;
  readonly operations: Readonly<Record<string, QueryOperation>>;
}

/**
 * Parse a form body exactly as AWS does: `+` is a space, `%XX` a byte. The
 * pairs are read by hand, as URLSearchParams reads them (a leading `?` skipped,
 * empty pairs dropped, a name without `=` has the value ''), each piece decoded
 * by decodeURIComponent; a body whose decoding could differ from
 * URLSearchParams' (a lone surrogate, a malformed escape, bytes that are not
 * UTF-8) is read by URLSearchParams itself. An integration's Publish query:
 * ~0.95 -> 0.65 us, without a URLSearchParams and a pair array per entry.
 */
export function parseForm(body: string): Map<string, string> {
  const params = new Map<string, string>();
  if (LONE_SURROGATE.test(body)) return parseFormWhole(body, params);
  let start = body.charCodeAt(0) === 0x3f ? 1 : 0;
  while (start < body.length) {
    let end = body.indexOf('&', start);
    if (end < 0) end = body.length;
    if (end > start) {
      let eq = body.indexOf('=', start);
      if (eq < 0 || eq > end) eq = end;
      const key = formPiece(body.slice(start, eq));
      const value = eq < end ? formPiece(body.slice(eq + 1, end)) : '';
      if (key === undefined || value === undefined) return parseFormWhole(body, new Map());
      // A repeated key keeps its first value, as the Query parser does.
      if (!params.has(key)) params.set(key, value);
    }
    start = end + 1;
  }
  return params;
}

/** With the u flag a pair is one code point: only a lone surrogate matches (URLSearchParams reads it as U+FFFD). */
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/** One name or value of a form: `+` a space, `%XX` escapes decoded; undefined when decodeURIComponent refuses them. */
function formPiece(raw: string): string | undefined {
  const text = raw.includes('+') ? raw.replace(/\+/g, ' ') : raw;
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** parseForm by URLSearchParams, for the bodies its own decoding must read. */
function parseFormWhole(body: string, params: Map<string, string>): Map<string, string> {
  for (const [key, value] of new URLSearchParams(body)) {
    if (!params.has(key)) params.set(key, value);
  }
  return params;
}

/** Query requests carry the service in the signature's credential scope or in `Version`. */
export function isQueryRequestFor(req: HttpRequest, params: QueryParams, service: QueryService): boolean {
  // A presigned URL carries the scope in `X-Amz-Credential` instead of a header.
  const presigned = params.get('X-Amz-Credential');
  const scope = credentialScope(req) ?? (presigned === undefined ? undefined : parseCredential(presigned)?.service);
  if (scope) return scope === service.signingName;
  return params.get('Version') === service.version;
}

/** The service of a SigV4 `Authorization` header's credential scope (`<key>/<date>/<region>/<service>/aws4_request`). */
export function credentialScope(req: HttpRequest): string | undefined {
  return typeof req.headers.authorization === 'string' ? signedCredential(req)?.service : undefined;
}

/**
 * The parameters of a Query request: its query string, then a form body over
 * it. AWS takes Query parameters from the URL or a POST body alike ("Regardless
 * of which verb you choose, the same data is sent and received",
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/Query-Requests.html),
 * and a presigned request keeps its `X-Amz-*` parameters in the URL whatever
 * carries the others
 * (https://docs.aws.amazon.com/STS/latest/APIReference/CommonParameters.html),
 * so both are read. AWS does not document which wins when a parameter is in
 * both; the body's does here, as API Gateway's SNS integrations have always
 * been served. A body is read only when its type is a form: API Gateway's
 * SNS integrations must send `Content-Type: application/x-www-form-urlencoded`
 * (https://serverlessland.com/snippets/apigateway-sns-integration-mapping-template),
 * and a byte body must not stand in for the query string. The front
 * door, the IAM edge and the SNS endpoint all read requests with this, so the
 * call checked is the call served.
 */
export function queryParams(req: HttpRequest): QueryParams {
  // With IAM enforced, the edge and then the front door (or the SNS endpoint) each ask: one request is read once.
  let params = paramsRead.get(req);
  if (params === undefined) {
    params = readQueryParams(req);
    paramsRead.set(req, params);
  }
  return params;
}

/** Parameters already read, per request object (a request is not changed once received). */
const paramsRead = new WeakMap<HttpRequest, QueryParams>();

function readQueryParams(req: HttpRequest): QueryParams {
  if (req.body.length === 0 || !(headerValue(req, 'content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
    return parseForm(req.rawQuery);
  }
  const body = parseForm(req.body.toString('utf8'));
  // Without a query string (an SDK's form, an integration's body) the body's Map is the answer as it is.
  if (req.rawQuery === '') return body;
  const read = parseForm(req.rawQuery);
  body.forEach(setParam, read);
  return read;
}

/** `this.set(key, value)`, for Map#forEach without a closure or an entry array per parameter. */
function setParam(this: Map<string, string>, value: string, key: string): void {
  this.set(key, value);
}

/**
 * Sub-parameters of `prefix.entry.N.*` (maps) or `prefix.member.N.*` (lists of
 * structures), one Map per index, with the `prefix.entry.N.` part removed.
 */
export function indexedStructures(params: QueryParams, prefix: string, kind: 'entry' | 'member'): Map<string, string>[] {
  const byIndex = new Map<number, Map<string, string>>();
  const head = `${prefix}.${kind}.`;
  for (const [key, value] of params) {
    if (!key.startsWith(head)) continue;
    const rest = key.slice(head.length);
    const dot = rest.indexOf('.');
    const index = Number(dot < 0 ? rest : rest.slice(0, dot));
    if (!Number.isInteger(index) || index < 1) {
      throw new AwsError('InvalidParameterValue', `Invalid index in parameter ${key}`);
    }
    if (!byIndex.has(index)) byIndex.set(index, new Map());
    if (dot >= 0) byIndex.get(index)!.set(rest.slice(dot + 1), value);
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, v]) => v);
}

/** A value the XML writer understands: objects become elements, arrays `<member>` lists. */
export type XmlValue = string | number | boolean | null | undefined | XmlValue[] | { [key: string]: XmlValue };

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export function toXml(value: XmlValue): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join('');
  }
  return escapeXml(String(value));
}

/**
 * The JSON answer `{"<Action>Response":{"<Action>Result"?:..., "ResponseMetadata":{"RequestId":...}}}`,
 * the text JSON.stringify gives for those records, written around the result's
 * own JSON instead of building the two records for each answer.
 */
function jsonAnswer(action: string, result: XmlValue, requestId: string): string {
  // The request id is a UUID: nothing in it to escape.
  const metadata = `"ResponseMetadata":{"RequestId":"${requestId}"}`;
  const members = result === undefined ? metadata : `${JSON.stringify(`${action}Result`)}:${JSON.stringify(result)},${metadata}`;
  return `{${JSON.stringify(`${action}Response`)}:{${members}}}`;
}

/**
 * Run a Query operation. AWS answers in XML, or in JSON when the caller sends
 * `Accept: application/json` (API Gateway service integrations rely on this).
 */
export async function handleQuery(params: QueryParams, service: QueryService, accept = '', scope: RequestScope = {}): Promise<HttpResponse> {
  const requestId = randomUUID();
  const action = params.get('Action') ?? '';
  const json = accept.includes('application/json');
  const contentType = json ? 'application/json' : 'text/xml';
  try {
    if (action === '') throw new AwsError('MissingAction', 'Missing Action');
    const handler = Object.hasOwn(service.operations, action) ? service.operations[action] : undefined;
    if (!handler) {
      throw new AwsError('InvalidAction', `The action ${action} is not valid for this web service.`);
    }
    const result = await handler(params, scope);
    const body = json
      ? jsonAnswer(action, result, requestId)
      : `<?xml version="1.0"?>\n<${action}Response xmlns="${service.xmlns}">` +
        (result === undefined ? '' : `<${action}Result>${toXml(result)}</${action}Result>`) +
        `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
    return { statusCode: 200, headers: { 'content-type': contentType, 'x-amzn-requestid': requestId }, body };
  } catch (error) {
    const awsError = AwsError.from(error);
    const fields = { Type: awsError.fault, Code: awsError.code, Message: awsError.message };
    const body = json
      ? JSON.stringify({ Error: fields, RequestId: requestId })
      : `<?xml version="1.0"?>\n<ErrorResponse xmlns="${service.xmlns}"><Error>${toXml(fields)}</Error>` +
        `<RequestId>${requestId}</RequestId></ErrorResponse>`;
    return { statusCode: awsError.statusCode, headers: { 'content-type': contentType, 'x-amzn-requestid': requestId }, body };
  }
}
