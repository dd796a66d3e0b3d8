/**
 * Where API Gateway requests arrive on the runtime's port:
 * `/restapis/<apiId>/<stage>/_user_request_/<path>` always, and
 * `/<stage>/<path>` when the stack has exactly one REST API (then every
 * other path too, as on the API's own domain, unless told otherwise).
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

/** Options of {@link apiGatewayHandler}. */
export interface ApiGatewayHandlerOptions {
  /**
   * With one REST API, answer every path no stage claims (`/dev/...` when
   * there is only `prod`) with 403 Missing Authentication Token, as the
   * API's own domain does on AWS. Put the handler last in the chain then;
   * `false` returns `undefined` for such paths so later handlers can try.
   * @default true
   */
  readonly claimUnmatched?: boolean;
}

/** The HTTP handler for API Gateway; `undefined` for paths that are not an API's. */
export function apiGatewayHandler(service: ApiGatewayService, options: ApiGatewayHandlerOptions = {}): HttpHandler {
  return async (req) => {
    const full = USER_REQUEST.exec(req.path);
    if (full) return service.handle(decode(full[1]!), decode(full[2]!), full[3] ?? '/', req);
    const api = service.singleApi;
    if (!api) return undefined;
    const m = /^\/([^/]+)(\/.*)?$/.exec(req.path);
    const stage = m ? decode(m[1]!) : '';
    if (!m || !api.stages.has(stage)) {
      // An unknown stage is the API's 403 too; handle() answers it so it is traced like any other.
      return (options.claimUnmatched ?? true) ? service.handle(api.id, stage, m?.[2] ?? '/', req) : undefined;
    }
    return service.handle(api.id, stage, m[2] ?? '/', req);
  };
}
