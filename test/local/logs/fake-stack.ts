import type { StackModel, StackResource } from '../../../local/cloudformation/types.js';

/** A minimal StackModel holding the given resources. */
export function fakeStack(resources: Array<Partial<StackResource> & Pick<StackResource, 'logicalId' | 'type'>>): StackModel {
  const full: StackResource[] = resources.map((r) => ({ properties: {}, ref: r.logicalId, attributes: {}, metadata: {}, ...r }));
  return {
    stackName: 'TestStack',
    stackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/TestStack/1',
    env: { account: '000000000000', region: 'us-east-1', partition: 'aws', urlSuffix: 'amazonaws.com' },
    assemblyDir: '/nonexistent',
    resources: new Map(full.map((r) => [r.logicalId, r])),
    outputs: [],
    resourcesOfType: (type) => full.filter((r) => r.type === type),
    assetDir: () => '/nonexistent',
  };
}
