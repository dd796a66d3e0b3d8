/**
 * One function URL's behaviour, apart from its HTTP server: CORS preflight,
 * auth, the payload format 2.0 event, the invocation and the mapping of its
 * result (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html).
 */
import { randomUUID } from 'node:crypto';
import { pooledRandomBytes } from '../../text/random-bytes.js';
import type { InvokeResult, TraceEvent, Tracer } from '../../contracts.js';
import type { HttpRequest } from '../../protocol/http.js';
import { AwsError } from '../../protocol/errors.js';
import { authorize, type AuthDeps } from './auth.js';
import type { FunctionUrlConfig } from './config.js';
import { isPreflight, preflightResponse, withCorsHeaders } from './cors.js';
import { toFunctionUrlEvent } from './event.js';
import { badGateway, messageResponse, toFunctionUrlResponse, type FunctionUrlResponse } from './response.js';

export interface FunctionUrlDeps extends AuthDeps {
  /** Synchronous invocation of the URL's function (the Lambda service's), with the event's request id. */
  readonly invoke: (functionArn: string, payload: string, requestId: string) => Promise<InvokeResult>;
  readonly tracer?: Tracer;
  /** The URL's local address: its hops are traced on it, so the dashboard counts them on the URL's node. */
  readonly url?: string;
}

/** Answers one request to the URL `config`, served on local port `port`. */
export type FunctionUrlHandler = (req: HttpRequest, port: number) => Promise<FunctionUrlResponse>;

export function functionUrlHandler(config: FunctionUrlConfig, deps: FunctionUrlDeps): FunctionUrlHandler {
  const resource = deps.url ?? config.functionName;
  return async (req, port) => {
    const cors = config.cors;
    const trace = (status: string | number, event: Omit<TraceEvent, 'time' | 'service' | 'kind' | 'resource' | 'summary'>) =>
      deps.tracer?.record({ service: 'lambda', kind: 'function-url', resource, summary: `${req.method} ${req.path} on function URL ${config.logicalId}: ${status}`, ...event });
    const finish = (response: FunctionUrlResponse, requestId?: string): FunctionUrlResponse => {
      const withCors = cors ? withCorsHeaders(cors, req.headers, response) : response;
      // Every function URL response names its request, as AWS's x-amzn-RequestId does.
      return requestId ? { ...withCors, headers: { ...withCors.headers, 'x-amzn-requestid': requestId } } : withCors;
    };
    // Lambda answers a preflight itself, before auth: a browser never signs one.
    if (cors && isPreflight(req.method, req.headers)) return preflightResponse(cors, req.headers);

    const auth = authorize(req, config, deps);
    if (!auth.ok) {
      trace('403 Forbidden', { outcome: 'denied', reason: auth.reason });
      return finish(auth.response);
    }

    const requestId = randomUUID();
    const now = deps.now();
    const event = toFunctionUrlEvent(req, {
      config,
      requestId,
      now,
      port,
      traceId: `1-${Math.floor(now / 1000).toString(16)}-${pooledRandomBytes(12).toString('hex')}`,
      ...(auth.iam ? { iam: auth.iam } : {}),
    });
    let result: InvokeResult;
    try {
      result = await deps.invoke(config.functionArn, JSON.stringify(event), requestId);
    } catch (error) {
      // Too large (413) and throttled (429) are Lambda's answers; anything else is the runtime's failure.
      const status = error instanceof AwsError && (error.statusCode === 413 || error.statusCode === 429) ? error.statusCode : 500;
      const message = status === 500 ? 'Internal Server Error' : (error as Error).message;
      trace(status, { outcome: 'failed', reason: (error as Error)?.message ?? String(error) });
      return finish(messageResponse(status, message), requestId);
    }
    const response = result.functionError ? badGateway() : toFunctionUrlResponse(result.payload);
    trace(response.statusCode, {
      ids: { requestId: result.requestId },
      ...(result.functionError ? { outcome: 'failed' as const, reason: 'the function failed (Unhandled): the URL answers 502' } : {}),
    });
    return finish(response, requestId);
  };
}
