/**
 * Where API Gateway requests arrive on the runtime's port:
 * `/restapis/<apiId>/<stage>/_user_request_/<path>` always, and
 * `/<stage>/<path>` when the stack has exactly one REST API and a stage of
 * that name exists.
 */
import type { HttpHandler } from '../protocol/http.js';
import type { ApiGatewayService } from './service.js';

const USER_REQUEST = /^\/restapis\/([^/]+)\/([^/]+)\/_user_request_(\/.*)?$/;

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The HTTP handler for API Gateway; `undefined` for paths that are not an API's. */
export function apiGatewayHandler(service: ApiGatewayService): HttpHandler {
  return async (req) => {
    const full = USER_REQUEST.exec(req.path);
    if (full) return service.handle(decode(full[1]!), decode(full[2]!), full[3] ?? '/', req);
    const api = service.singleApi;
    if (!api) return undefined;
    const m = /^\/([^/]+)(\/.*)?$/.exec(req.path);
    if (!m) return undefined;
    const stage = decode(m[1]!);
    if (!api.stages.has(stage)) return undefined;
    return service.handle(api.id, stage, m[2] ?? '/', req);
  };
}
