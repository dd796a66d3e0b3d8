import { randomUUID } from 'node:crypto';
import { handleJson, jsonTarget, type JsonService } from './protocol/json.js';
import { credentialScope, handleQuery, isQueryRequestFor, queryParams, type QueryService } from './protocol/query.js';
import { credentialRegion, type RequestScope } from './protocol/scope.js';
import { headerValue, jsonResponse, type HttpHandler, type HttpRequest, type HttpResponse } from './protocol/http.js';

/**
 * Routes AWS SDK requests on the shared port to the emulated services by
 * their wire protocol: `X-Amz-Target` for awsJson services, the credential
 * scope (or `Version`) of a form POST for Query services.
 */
export function awsApiHandler(
  services: { json: readonly JsonService[]; query: readonly QueryService[] },
  /** The region a request signed for a region (or unsigned) is served in. @default none: each service's default region */
  servingRegion: (signed: string | undefined) => string | undefined = () => undefined,
): HttpHandler {
  const scopeOf = (req: HttpRequest): RequestScope => {
    const region = servingRegion(credentialRegion(req));
    return region === undefined ? {} : { region };
  };
  return async (req) => {
    // Every awsJson and Query API lives at `/`; other paths (API Gateway
    // stages) stay theirs even when a client forwards an X-Amz-Target header.
    if (req.path !== '/') return undefined;
    const target = headerValue(req, 'x-amz-target');
    if (target) {
      for (const service of services.json) {
        const operation = jsonTarget(req, service);
        if (operation !== undefined) return handleJson(req, service, operation, scopeOf(req));
      }
      return unknownJsonOperation(req, `No local service answers X-Amz-Target ${target}`);
    }
    // An awsJson body without its target cannot name an operation; AWS
    // answers it as an unknown operation rather than as a missing page.
    if (req.method === 'POST' && jsonVersion(req)) {
      return unknownJsonOperation(req, 'Missing X-Amz-Target header: the request names no operation');
    }
    const params = queryParams(req);
    for (const service of services.query) {
      if (!isQueryRequestFor(req, params, service)) continue;
      // A request signed for a Query service but naming no action gets
      // MissingAction; unsigned ones without Action are not recognisably AWS's.
      if (params.has('Action') || credentialScope(req) === service.signingName) {
        return handleQuery(params, service, headerValue(req, 'accept') ?? '', scopeOf(req));
      }
    }
    return undefined;
  };
}

/** `1.0` or `1.1` when the body is declared awsJson. */
function jsonVersion(req: HttpRequest): '1.0' | '1.1' | undefined {
  return /^application\/x-amz-json-(1\.[01])\b/.exec(headerValue(req, 'content-type') ?? '')?.[1] as '1.0' | '1.1' | undefined;
}

function unknownJsonOperation(req: HttpRequest, message: string): HttpResponse {
  const version = jsonVersion(req);
  return jsonResponse(
    400,
    { __type: 'UnknownOperationException', message },
    {
      ...(version ? { 'content-type': `application/x-amz-json-${version}` } : {}),
      'x-amzn-requestid': randomUUID(),
      'x-amzn-errortype': 'UnknownOperationException',
    },
  );
}
