/**
 * The dashboard's picture of examples/sync-async-api, built from its
 * synthesized template (the assembly cache's copy, shared with its e2e test).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cachedAssembly } from '../../../local/cloudformation/assembly-cache.js';
import { loadStack } from '../../../local/cloudformation/model.js';
import { buildArchitecture, nodeForResource, type Architecture } from '../../../local/dashboard/architecture.js';
import { NodeCounters } from '../../../local/dashboard/counters.js';
import { exampleDir } from '../../support/local-runtime.js';

let architecture: Architecture;

beforeAll(async () => {
  const { dir } = await cachedAssembly({ projectDir: exampleDir('sync-async-api'), context: {}, validation: false });
  architecture = buildArchitecture(loadStack(dir, { localEndpoint: 'http://127.0.0.1:3000' }));
}, 120_000);

/** `<type> -kind-> <type>` with each node's logical id prefix, e.g. `Api -integration-> Square`. */
function edges(): string[] {
  const short = (id: string) => id.replace(/[0-9A-F]{8}$/, '');
  return architecture.edges.map((e) => `${short(e.from)} -${e.kind}-> ${short(e.to)}`);
}

describe('architecture of the sync-async-api example', () => {
  it('draws the API calling the function and the function sending to its two destination queues', () => {
    expect(edges().sort()).toEqual(['Api -integration-> Square', 'Square -on-failure-> FailureQueue', 'Square -on-success-> SuccessQueue']);
  });

  it('shows the API, the function and the queues as nodes, the queues not as dead-letter queues', () => {
    const nodes = architecture.nodes.map((n) => `${n.label}: ${n.id.replace(/[0-9A-F]{8}$/, '')}${n.role ? ` (${n.role})` : ''}`);
    expect(nodes.sort()).toEqual(['API Gateway REST API: Api', 'Lambda function: Square', 'SQS queue: FailureQueue', 'SQS queue: SuccessQueue']);
  });

  it("tells the API's hops from the function's, though both are named SyncAsyncApiStack-square", () => {
    const api = architecture.nodes.find((n) => n.type === 'AWS::ApiGateway::RestApi')!;
    const fn = architecture.nodes.find((n) => n.type === 'AWS::Lambda::Function')!;
    expect(api.name).toBe(fn.name);
    expect(nodeForResource(architecture, `${api.name}/prod`, 'apigateway')?.id).toBe(api.id);
    expect(nodeForResource(architecture, fn.name, 'lambda')?.id).toBe(fn.id);
    const counters = new NodeCounters(architecture);
    counters.record({ time: 0, service: 'apigateway', kind: 'request', resource: `${api.name}/prod`, summary: 'GET /prod/square/4' });
    counters.record({ time: 1, service: 'lambda', kind: 'invoke', resource: fn.name, summary: 'sync invoke: succeeded in 2 ms' });
    expect(counters.snapshot()[api.id]).toEqual({ events: 1, invocations: 0, errors: 0 });
    expect(counters.snapshot()[fn.id]).toEqual({ events: 1, invocations: 1, errors: 0 });
  });

  it('files every other resource under its node: the stage and its access logs under the API, the invoke config under the function', () => {
    const partsOf = (prefix: string) => architecture.nodes.find((n) => n.id.startsWith(prefix))!.parts.map((p) => p.id.replace(/[0-9A-F]{8}$/, ''));
    expect(partsOf('Api')).toEqual(expect.arrayContaining(['ApisquarenumberGET', 'AccessLogs', 'ParamsValidator']));
    expect(partsOf('Square')).toEqual(expect.arrayContaining(['SquareEventInvokeConfig', 'SquareServiceRole', 'SquareLogs']));
    expect(architecture.others).toEqual([]);
  });
});
