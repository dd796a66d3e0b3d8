import type { StackModel } from './cloudformation/types.js';
import type { LogStore } from './logs/store.js';
import type { TraceLog } from './tracing.js';
import type { IamService } from './iam/service.js';
import { dashboardPage } from './dashboard/page.js';
import { dashboardAssets } from './dashboard/assets.js';
import { buildArchitecture } from './dashboard/architecture.js';
import { NodeCounters } from './dashboard/counters.js';
import { traceStream } from './dashboard/event-stream.js';
import { jsonResponse, type HttpHandler } from './protocol/http.js';

/**
 * The runtime's own routes: `/_local/health`, `/_local/traces`,
 * `/_local/events` (Server-Sent Events), `/_local/architecture`,
 * `/_local/state` and `/_local/logs` for the dashboard, its scripts, `/_local/iam`
 * (grants used and never used, denials), and `/` itself.
 */
export function localRoutes(deps: {
  stack: StackModel;
  traces: TraceLog;
  logs: LogStore;
  iam?: IamService;
  /** Process and per-function figures for `/_local/metrics` (local/lambda/runtime-metrics.ts). */
  metrics?: () => unknown;
  /** Messages in a queue now, for the architecture's counts. */
  queueDepth?: (queueArn: string) => number | undefined;
}): HttpHandler {
  const architecture = buildArchitecture(deps.stack);
  const counters = new NodeCounters(architecture, deps.queueDepth);
  deps.traces.subscribe((hop) => counters.record(hop));
  const assets = dashboardAssets();
  return async (req) => {
    if (req.path === '/' && (req.method === 'GET' || req.method === 'HEAD') && req.rawQuery === '') {
      return { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: dashboardPage(deps.stack.stackName) };
    }
    if (!req.path.startsWith('/_local/')) return undefined;
    if (req.method !== 'GET' && req.method !== 'HEAD') return jsonResponse(405, { message: 'Method Not Allowed' });
    const asset = await assets(req.path);
    if (asset) return asset;
    const query = new URLSearchParams(req.rawQuery);
    switch (req.path) {
      case '/_local/health':
        return jsonResponse(200, { status: 'ready', stack: deps.stack.stackName });
      case '/_local/traces': {
        const since = Number(query.get('since') ?? 0);
        if (!Number.isFinite(since)) return jsonResponse(400, { message: 'since must be epoch milliseconds' });
        const limit = Number(query.get('limit') ?? 1_000);
        if (!Number.isInteger(limit) || limit < 1) return jsonResponse(400, { message: 'limit must be a positive integer' });
        return jsonResponse(200, deps.traces.list(since, limit));
      }
      case '/_local/metrics':
        // Process and per-function figures: see local/lambda/runtime-metrics.ts for the shape.
        return jsonResponse(200, deps.metrics?.() ?? {});
      case '/_local/events':
        return traceStream(deps.traces);
      case '/_local/architecture':
        return jsonResponse(200, { ...architecture, counts: counters.snapshot() });
      case '/_local/iam':
        if (!deps.iam) return jsonResponse(404, { message: 'IAM is not part of this runtime' });
        return jsonResponse(200, iamReport(deps.iam));
      case '/_local/state':
        return jsonResponse(200, {
          stackName: deps.stack.stackName,
          outputs: deps.stack.outputs,
          logGroups: deps.logs.logGroupNames(),
        });
      case '/_local/logs': {
        const group = query.get('group');
        if (!group) return jsonResponse(400, { message: 'group is required' });
        if (!deps.logs.hasLogGroup(group)) return jsonResponse(404, { message: `No log group ${group}` });
        return jsonResponse(200, deps.logs.tail(group, 200));
      }
      default:
        return jsonResponse(404, { message: `No local route ${req.path}` });
    }
  };
}

/** `/_local/iam`: per role, the actions granted and whether this run used them; and every denial. */
function iamReport(iam: IamService): Record<string, unknown> {
  return {
    enforced: iam.enforce,
    roles: iam.usage().map((r) => ({
      role: r.role,
      arn: r.arn,
      used: [...new Set(r.grants.filter((g) => g.used).map((g) => g.action))],
      neverUsed: [...new Set(r.grants.filter((g) => !g.used).map((g) => g.action))].filter((a) => !r.grants.some((g) => g.used && g.action === a)),
      grants: r.grants,
    })),
    denials: iam.deniedCalls(),
  };
}
