import { randomUUID } from 'node:crypto';
import { AwsError } from '../../protocol/errors.js';
import type { HttpHandler } from '../../protocol/http.js';
import { credentialRegion } from '../../protocol/scope.js';
import { errorResponse, matchRoute, ok, type LambdaRoute } from '../api.js';
import type { EventSourceMappings } from './service.js';

/** The operations {@link eventSourceMappingApi} serves; the IAM edge checks them on any resource (the path's UUID names a mapping, not a function). */
export const EVENT_SOURCE_MAPPING_ROUTES = [
  { method: 'GET', path: /^\/2015-03-31\/event-source-mappings\/?$/, action: 'ListEventSourceMappings' },
  { method: 'GET', path: /^\/2015-03-31\/event-source-mappings\/([^/]+)\/?$/, action: 'GetEventSourceMapping', anyResource: true },
] as const satisfies readonly LambdaRoute[];

/**
 * Lambda's ListEventSourceMappings and GetEventSourceMapping (REST-JSON).
 * The mappings come from the template: creating, updating or deleting one
 * through the API is answered as not implemented.
 */
export function eventSourceMappingApi(mappings: EventSourceMappings): HttpHandler {
  return async (req) => {
    if (!req.path.startsWith('/2015-03-31/event-source-mappings')) return undefined;
    const requestId = randomUUID();
    try {
      const matched = matchRoute(EVENT_SOURCE_MAPPING_ROUTES, req);
      if (matched?.route.action === 'ListEventSourceMappings') {
        const query = new URLSearchParams(req.rawQuery);
        const all = mappings.list({
          ...(credentialRegion(req) ? { region: credentialRegion(req)! } : {}),
          ...(query.get('FunctionName') ? { functionName: query.get('FunctionName')! } : {}),
          ...(query.get('EventSourceArn') ? { eventSourceArn: query.get('EventSourceArn')! } : {}),
        });
        const max = Number(query.get('MaxItems') ?? 100);
        const start = Number(query.get('Marker') ?? 0);
        if (!Number.isInteger(max) || max < 1 || max > 10_000) {
          throw new AwsError('InvalidParameterValueException', `MaxItems must be between 1 and 10000, got ${query.get('MaxItems')}`, 400);
        }
        if (!Number.isInteger(start) || start < 0) throw new AwsError('InvalidParameterValueException', 'Invalid marker', 400);
        const page = all.slice(start, start + max);
        const next = start + page.length;
        return ok({ EventSourceMappings: page, ...(next < all.length ? { NextMarker: String(next) } : {}) }, requestId);
      }
      if (matched?.route.action === 'GetEventSourceMapping') return ok(mappings.get(decodeURIComponent(matched.match[1]!)), requestId);
      throw new AwsError('UnknownOperationException', `The local runtime does not implement ${req.method} ${req.path}: event source mappings come from the template`, 404);
    } catch (error) {
      return errorResponse(error, requestId);
    }
  };
}
