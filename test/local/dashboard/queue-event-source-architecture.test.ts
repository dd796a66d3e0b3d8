import { beforeAll, describe, expect, it } from 'vitest';
import { cachedAssembly } from '../../../local/cloudformation/assembly-cache.js';
import { loadStack } from '../../../local/cloudformation/model.js';
import type { StackModel } from '../../../local/cloudformation/types.js';
import { buildArchitecture } from '../../../local/dashboard/architecture.js';
import { exampleDir } from '../../support/local-runtime.js';

let stack: StackModel;

beforeAll(async () => {
  // The example as `npm start -- --app examples/queue-event-source` serves it, from the shared assembly cache.
  const { dir } = await cachedAssembly({ projectDir: exampleDir('queue-event-source'), context: {}, validation: false });
  stack = loadStack(dir, { localEndpoint: 'http://127.0.0.1:3000' });
}, 120_000);

describe('the queue-event-source architecture', () => {
  const idOf = (type: string, prefix: string) => [...stack.resources.values()].find((r) => r.type === type && r.logicalId.startsWith(prefix))!.logicalId;

  it('draws queue -> function through the event source mapping, and queue -> DLQ through the redrive policy', () => {
    const architecture = buildArchitecture(stack);
    const queue = idOf('AWS::SQS::Queue', 'WorkQueue');
    const dlq = idOf('AWS::SQS::Queue', 'DeadLetterQueue');
    const fn = idOf('AWS::Lambda::Function', 'Processor');
    expect(architecture.edges).toEqual(
      expect.arrayContaining([
        { from: queue, to: fn, kind: 'event-source' },
        { from: queue, to: dlq, kind: 'dead-letter' },
      ]),
    );
    expect(architecture.edges).toHaveLength(2);
    expect(architecture.nodes.find((n) => n.id === dlq)?.role).toBe('dlq');
    expect(architecture.nodes.find((n) => n.id === queue)?.role).toBeUndefined();
  });

  it('accounts for the mapping, the role and the policies under the nodes they belong to', () => {
    const architecture = buildArchitecture(stack);
    const parts = new Map(architecture.nodes.flatMap((n) => n.parts.map((p) => [p.id, n.id] as const)));
    const mapping = idOf('AWS::Lambda::EventSourceMapping', 'Processor');
    expect(parts.get(mapping)).toBe(idOf('AWS::Lambda::Function', 'Processor'));
    expect(parts.get(idOf('AWS::IAM::Role', 'ProcessorServiceRole'))).toBe(idOf('AWS::Lambda::Function', 'Processor'));
    expect(parts.get(idOf('AWS::SQS::QueuePolicy', 'WorkQueuePolicy'))).toBe(idOf('AWS::SQS::Queue', 'WorkQueue'));
    expect(architecture.others).toEqual([]);
  });
});
