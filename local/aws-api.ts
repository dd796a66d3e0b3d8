import { handleJson, jsonTarget, type JsonService } from './protocol/json.js';
import { handleQuery, isQueryRequestFor, queryParams, type QueryService } from './protocol/query.js';
import { headerValue, jsonResponse, type HttpHandler } from './protocol/http.js';

/**
 * Routes AWS SDK requests on the shared port to the emulated services by
 * their wire protocol: `X-Amz-Target` for awsJson services, the credential
 * scope (or `Version`) of a form POST for Query services.
 */
export function awsApiHandler(services: { json: readonly JsonService[]; query: readonly QueryService[] }): HttpHandler {
  return async (req) => {
    if (headerValue(req, 'x-amz-target')) {
      for (const service of services.json) {
        const operation = jsonTarget(req, service);
        if (operation !== undefined) return handleJson(req, service, operation);
      }
      return jsonResponse(
        400,
        { __type: 'UnknownOperationException', message: `No local service answers X-Amz-Target ${headerValue(req, 'x-amz-target')}` },
        { 'x-amzn-errortype': 'UnknownOperationException' },
      );
    }
    if (req.path !== '/') return undefined;
    const params = queryParams(req);
    if (!params.has('Action')) return undefined;
    for (const service of services.query) {
      if (isQueryRequestFor(req, params, service)) {
        return handleQuery(params, service, headerValue(req, 'accept') ?? '');
      }
    }
    return undefined;
  };
}
