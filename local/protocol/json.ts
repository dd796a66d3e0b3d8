import { randomUUID } from 'node:crypto';
import { AwsError } from './errors.js';
import { headerValue, type HttpRequest, type HttpResponse } from './http.js';
import { requestScope, type RequestScope } from './scope.js';

/**
 * The awsJson 1.0 / 1.1 protocols: `POST /` with `X-Amz-Target:
 * <Prefix>.<Operation>` and a JSON body. EventBridge and CloudWatch Logs use
 * 1.1, SQS uses 1.0.
 */
export type JsonOperation = (input: Record<string, unknown>, scope?: RequestScope) => Promise<unknown> | unknown;

/**
 * `service` with `guard` run before each operation: a regional service
 * refuses there what belongs to another region than the request's.
 */
export function guardedOperations(service: JsonService, guard: (input: Record<string, unknown>, scope?: RequestScope) => void): JsonService {
  return {
    ...service,
    operations: Object.fromEntries(
      Object.entries(service.operations).map(([name, operation]): [string, JsonOperation] => [
        name,
        (input, scope) => {
          guard(input, scope);
          return operation(input, scope);
        },
      ]),
    ),
  };
}

export interface JsonService {
  /** Target prefix, e.g. `AWSEvents`, `Logs_20140328`, `AmazonSQS`. */
  readonly targetPrefix: string;
  readonly version: '1.0' | '1.1';
  readonly operations: Readonly<Record<string, JsonOperation>>;
  /** Error code namespace SQS puts in `__type` (`com.amazonaws.sqs#`). */
  readonly errorTypePrefix?: string;
  /** Extra headers for an error, e.g. SQS's `x-amzn-query-error`. */
  readonly errorHeaders?: (error: AwsError) => Record<string, string>;
}

/** The operation named by `X-Amz-Target`, if the request is for `service`. */
export function jsonTarget(req: HttpRequest, service: JsonService): string | undefined {
  const target = headerValue(req, 'x-amz-target');
  if (req.method !== 'POST' || !target) return undefined;
  const dot = target.lastIndexOf('.');
  return target.slice(0, dot) === service.targetPrefix ? target.slice(dot + 1) : undefined;
}

/** Each request's parsed body (or its parse error): the IAM edge reads the input before the service does. */
const parsedBodies = new WeakMap<HttpRequest, { readonly value: unknown } | { readonly error: unknown }>();

/** The JSON body of an awsJson request, `{}` when empty; parsed once per request however many read it. Throws on invalid JSON. */
export function jsonBody(req: HttpRequest): unknown {
  let parsed = parsedBodies.get(req);
  if (!parsed) {
    try {
      parsed = { value: req.body.length === 0 ? {} : JSON.parse(req.body.toString('utf8')) };
    } catch (error) {
      parsed = { error };
    }
    parsedBodies.set(req, parsed);
  }
  if ('error' in parsed) throw parsed.error;
  return parsed.value;
}

export async function handleJson(req: HttpRequest, service: JsonService, operation: string, scope: RequestScope = requestScope(req)): Promise<HttpResponse> {
  const requestId = randomUUID();
  const contentType = `application/x-amz-json-${service.version}`;
  try {
    const handler = Object.hasOwn(service.operations, operation) ? service.operations[operation] : undefined;
    if (!handler) {
      throw new AwsError('UnknownOperationException', `Operation ${operation} is not supported by this endpoint`);
    }
    let input: unknown;
    try {
      input = jsonBody(req);
    } catch {
      throw new AwsError('SerializationException', 'Request body is not valid JSON');
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new AwsError('SerializationException', 'Request body must be a JSON object');
    }
    const output = (await handler(input as Record<string, unknown>, scope)) ?? {};
    return {
      statusCode: 200,
      headers: { 'content-type': contentType, 'x-amzn-requestid': requestId },
      body: JSON.stringify(output),
    };
  } catch (error) {
    return jsonError(error, service, contentType, requestId);
  }
}

function jsonError(error: unknown, service: JsonService, contentType: string, requestId: string): HttpResponse {
  const awsError = AwsError.from(error);
  return {
    statusCode: awsError.statusCode,
    headers: {
      'content-type': contentType,
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': awsError.code,
      ...(service.errorHeaders?.(awsError) ?? {}),
    },
    body: JSON.stringify({ __type: `${service.errorTypePrefix ?? ''}${awsError.code}`, message: awsError.message }),
  };
}
