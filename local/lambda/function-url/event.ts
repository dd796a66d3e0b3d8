/**
 * The request event a function URL sends its function: API Gateway's
 * payload format 2.0 with the placeholders function URLs use
 * (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-request-payload).
 * Pure: the HTTP edge hands the request in, the event comes out.
 */
import type { HttpRequest } from '../../protocol/http.js';
// The same `dd/MMM/yyyy:HH:mm:ss +0000` as API Gateway's $context.requestTime.
import { formatRequestTime } from '../../apigateway/service.js';
import type { FunctionUrlConfig } from './config.js';

/** `requestContext.authorizer.iam` of an AWS_IAM URL: who signed the request. */
export interface FunctionUrlIamIdentity {
  readonly accessKey: string;
  readonly accountId: string;
  readonly callerId: string;
  readonly cognitoIdentity: null;
  readonly principalOrgId: null;
  readonly userArn: string;
  readonly userId: string;
}

export interface FunctionUrlEvent {
  readonly version: '2.0';
  readonly routeKey: '$default';
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly cookies?: string[];
  readonly headers: Record<string, string>;
  readonly queryStringParameters?: Record<string, string>;
  readonly requestContext: {
    readonly accountId: string;
    readonly apiId: string;
    readonly authorizer?: { readonly iam: FunctionUrlIamIdentity };
    readonly domainName: string;
    readonly domainPrefix: string;
    readonly http: {
      readonly method: string;
      readonly path: string;
      readonly protocol: string;
      readonly sourceIp: string;
      readonly userAgent: string;
    };
    readonly requestId: string;
    readonly routeKey: '$default';
    readonly stage: '$default';
    readonly time: string;
    readonly timeEpoch: number;
  };
  readonly body?: string;
  readonly isBase64Encoded: boolean;
}

export interface EventContext {
  readonly config: FunctionUrlConfig;
  readonly requestId: string;
  /** Epoch ms of the request. */
  readonly now: number;
  /** The local port, for `x-forwarded-port`. */
  readonly port: number;
  /** `x-amzn-trace-id` root. */
  readonly traceId: string;
  /** Set for an AWS_IAM URL. */
  readonly iam?: FunctionUrlIamIdentity;
}

/** Headers a proxy would not forward (hop-by-hop), so the function does not see them. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

/**
 * Content types whose body reaches the function as text; any other body is
 * base64-encoded with `isBase64Encoded: true` (the docs: "If the content
 * type of the request is binary, the body is base64-encoded").
 */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    /^application\/(json|xml|javascript|ecmascript|x-www-form-urlencoded|graphql|x-yaml|yaml)$/.test(type) ||
    /\+(json|xml)$/.test(type)
  );
}

/** Build the payload format 2.0 event of one request. */
export function toFunctionUrlEvent(req: HttpRequest, ctx: EventContext): FunctionUrlEvent {
  const { config } = ctx;
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    const values = Array.isArray(value) ? value : [value];
    // Payload 2.0 moves cookies out of the headers into their own list.
    if (name === 'cookie') {
      cookies = [...(cookies ?? []), ...values.flatMap((v) => v.split(';').map((c) => c.trim()).filter(Boolean))];
      continue;
    }
    // Repeated headers are joined with commas.
    headers[name] = values.join(',');
  }
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${req.sourceIp}` : req.sourceIp;
  headers['x-forwarded-proto'] ??= 'http';
  headers['x-forwarded-port'] ??= String(ctx.port);
  headers['x-amzn-trace-id'] ??= `Root=${ctx.traceId}`;

  const query = queryParameters(req.rawQuery);
  const body = req.body.length > 0 ? req.body : undefined;
  const text = body !== undefined && isTextContentType(headers['content-type']);
  const path = req.path === '' ? '/' : req.path;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: req.rawQuery,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      // An AWS_IAM URL names the signer's account; a public URL's events say "anonymous".
      accountId: ctx.iam?.accountId ?? 'anonymous',
      apiId: config.urlId,
      ...(ctx.iam ? { authorizer: { iam: ctx.iam } } : {}),
      domainName: config.domainName,
      domainPrefix: config.urlId,
      http: {
        method: req.method,
        path: safeDecode(path),
        protocol: 'HTTP/1.1',
        sourceIp: req.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: ctx.requestId,
      routeKey: '$default',
      stage: '$default',
      time: formatRequestTime(ctx.now),
      timeEpoch: ctx.now,
    },
    ...(body === undefined ? {} : { body: text ? body.toString('utf8') : body.toString('base64') }),
    isBase64Encoded: body !== undefined && !text,
  };
}

/** Query parameters with repeated names joined by commas, values decoded; undefined without a query. */
export function queryParameters(rawQuery: string): Record<string, string> | undefined {
  if (rawQuery === '') return undefined;
  const out: Record<string, string> = {};
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = safeDecode((eq < 0 ? pair : pair.slice(0, eq)).replace(/\+/g, ' '));
    const value = eq < 0 ? '' : safeDecode(pair.slice(eq + 1).replace(/\+/g, ' '));
    out[name] = Object.hasOwn(out, name) ? `${out[name]},${value}` : value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
