/**
 * The dashboard draws the function-url example as it is: each URL a node
 * leading to its function, and the URL's permissions under the function.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildArchitecture, nodeForResource, type Architecture } from '../../../local/dashboard/architecture.js';
import { NodeCounters } from '../../../local/dashboard/counters.js';
import { cachedAssembly } from '../../../local/cloudformation/assembly-cache.js';
import { loadStack } from '../../../local/cloudformation/model.js';
import { exampleDir } from '../../support/local-runtime.js';

const PUBLIC_URL = 'http://127.0.0.1:3001/';
const PRIVATE_URL = 'http://127.0.0.1:3002/';
let architecture: Architecture;

beforeAll(async () => {
  const { dir } = await cachedAssembly({ projectDir: exampleDir('function-url'), context: {}, validation: false });
  const stack = loadStack(dir, {
    localEndpoint: 'http://127.0.0.1:3000',
    functionUrls: new Map([
      ['FunctionUrlExample/PublicFunctionFunctionUrl3FE53025', PUBLIC_URL],
      ['FunctionUrlExample/PrivateFunctionFunctionUrlA7EFC87B', PRIVATE_URL],
    ]),
  });
  architecture = buildArchitecture(stack);
}, 120_000);

describe('architecture of the function-url example', () => {
  it('draws each function URL, named by its local address, leading to its function', () => {
    const urls = architecture.nodes.filter((n) => n.type === 'AWS::Lambda::Url');
    expect(urls.map((n) => [n.id, n.label, n.name]).sort()).toEqual([
      ['PrivateFunctionFunctionUrlA7EFC87B', 'Lambda function URL', PRIVATE_URL],
      ['PublicFunctionFunctionUrl3FE53025', 'Lambda function URL', PUBLIC_URL],
    ]);
    expect(architecture.edges.map((e) => `${e.from} -${e.kind}-> ${e.to}`).sort()).toEqual([
      'PrivateFunctionFunctionUrlA7EFC87B -function-url-> PrivateFunction2D4607C4',
      'PublicFunctionFunctionUrl3FE53025 -function-url-> PublicFunction8C206ECA',
    ]);
  });

  it('keeps the function ARN pointing at the function, and the URL hops at the URL', () => {
    const fnArn = architecture.nodes.find((n) => n.id === 'PublicFunction8C206ECA')!.keys.find((k) => k.startsWith('arn:'))!;
    expect(nodeForResource(architecture, fnArn)?.id).toBe('PublicFunction8C206ECA');
    expect(nodeForResource(architecture, PUBLIC_URL)?.id).toBe('PublicFunctionFunctionUrl3FE53025');
  });

  it('lists the URL permissions, roles and log groups under their function', () => {
    const parts = architecture.nodes.find((n) => n.id === 'PublicFunction8C206ECA')!.parts.map((p) => p.type).sort();
    expect(parts).toEqual(['AWS::IAM::Role', 'AWS::Lambda::Permission', 'AWS::Lambda::Permission', 'AWS::Logs::LogGroup']);
    expect(architecture.others).toEqual([]);
  });

  it('counts the requests and failures of a URL on its node', () => {
    const counters = new NodeCounters(architecture);
    const hop = { time: 0, service: 'lambda', kind: 'function-url', resource: PUBLIC_URL };
    counters.record({ ...hop, summary: 'GET / on function URL: 200' });
    counters.record({ ...hop, summary: 'GET /fail on function URL: 502', outcome: 'failed' });
    expect(counters.snapshot()['PublicFunctionFunctionUrl3FE53025']).toEqual({ events: 2, invocations: 0, errors: 1 });
  });
});
