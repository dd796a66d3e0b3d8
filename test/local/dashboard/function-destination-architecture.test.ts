/**
 * The dashboard's graph of the function-destination example, built from its
 * synthesized template: a function destination drawn as function -> function,
 * and the responseOnly variant as function -> default bus (which no template
 * declares) -> rule -> function.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cachedAssembly } from '../../../local/cloudformation/assembly-cache.js';
import { loadStack } from '../../../local/cloudformation/model.js';
import { buildArchitecture, nodeForResource, type Architecture } from '../../../local/dashboard/architecture.js';
import { exampleDir } from '../../support/local-runtime.js';

let architecture: Architecture;
/** `from -kind-> to`, nodes by name (function names end in -First, -Second...). */
let edges: string[];

beforeAll(async () => {
  const { dir } = await cachedAssembly({ projectDir: exampleDir('function-destination'), context: {}, validation: false });
  architecture = buildArchitecture(loadStack(dir, { localEndpoint: 'http://127.0.0.1:1' }));
  const nameOf = (id: string) => {
    const node = architecture.nodes.find((n) => n.id === id)!;
    return node.type === 'AWS::Events::Rule' ? 'Rule' : node.name.replace(/^.*-/, '');
  };
  edges = architecture.edges.map((e) => `${nameOf(e.from)} -${e.kind}-> ${nameOf(e.to)}`);
}, 180_000);

describe('the function-destination example on the dashboard', () => {
  it('draws First -> Second and FirstResponseOnly -> default bus -> rule -> Second, and nothing else', () => {
    expect(edges.sort()).toEqual(
      [
        'First -on-success-> Second',
        'FirstResponseOnly -on-success-> default',
        'default -rule-> Rule',
        'Rule -target-> Second',
      ].sort(),
    );
  });

  it('makes the default bus a node that traces find by its ARN', () => {
    const bus = architecture.nodes.find((n) => n.id === 'default');
    expect(bus).toMatchObject({ type: 'AWS::Events::EventBus', name: 'default' });
    expect(nodeForResource(architecture, 'arn:aws:events:us-east-1:000000000000:event-bus/default')?.id).toBe('default');
    expect(architecture.nodes.map((n) => n.type).sort()).toEqual([
      'AWS::Events::EventBus',
      'AWS::Events::Rule',
      'AWS::Lambda::Function',
      'AWS::Lambda::Function',
      'AWS::Lambda::Function',
    ]);
  });
});
