import type { StackModel } from './cloudformation/types.js';
import type { LogStore } from './logs/store.js';
import type { TraceLog } from './tracing.js';
import type { IamService } from './iam/service.js';
import { dashboardPage } from './dashboard/page.js';
import { jsonResponse, type HttpHandler } from './protocol/http.js';

/**
 * The runtime's own routes: `/_local/health`, `/_local/traces`,
 * `/_local/state` and `/_local/logs` for the dashboard, `/_local/iam`
 * (grants used and never used, denials), and `/` itself.
 */
export function localRoutes(deps: { stack: StackModel; traces: TraceLog; logs: LogStore; iam?: IamService }): HttpHandler {
  return async (req) => {
    if (req.path === '/' && (req.method === 'GET' || req.method === 'HEAD') && req.rawQuery === '') {
      return { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: dashboardPage(deps.stack.stackName) };
    }
    if (!req.path.startsWith('/_local/')) return undefined;
    if (req.method !== 'GET' && req.method !== 'HEAD') return jsonResponse(405, { message: 'Method Not Allowed' });
    const query = new URLSearchParams(req.rawQuery);
    switch (req.path) {
      case '/_local/health':
        return jsonResponse(200, { status: 'ready', stack: deps.stack.stackName });
      case '/_local/traces': {
        const since = Number(query.get('since') ?? 0);
        if (!Number.isFinite(since)) return jsonResponse(400, { message: 'since must be epoch milliseconds' });
        return jsonResponse(200, deps.traces.list(since));
      }
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
