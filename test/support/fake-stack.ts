/**
 * Hand-made StackModels for unit tests: resources as loadStack would hand
 * them over (properties already resolved), without a template or an assembly.
 */
import type { StackModel, StackResource } from '../../local/cloudformation/types.js';

export const FAKE_ACCOUNT = '000000000000';
export const FAKE_REGION = 'us-east-1';

/** A resource given by its logical id and type; the rest defaults (ref = logical id, nothing else). */
export type FakeResource = Partial<StackResource> & Pick<StackResource, 'logicalId' | 'type'>;

export interface FakeStackOptions {
  /** @default 'TestStack' */
  readonly stackName?: string;
  /** @default `arn:aws:cloudformation:<region>:<account>:stack/<stackName>/1` */
  readonly stackId?: string;
  /** @default '000000000000' */
  readonly account?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '/nonexistent' */
  readonly assemblyDir?: string;
  /** What `assetDir` answers for every function. @default '/nonexistent' */
  readonly codeDir?: string;
}

/** A full StackResource from the parts a test cares about. */
export function fakeResource(
  logicalId: string,
  type: string,
  properties: Record<string, unknown> = {},
  extra: Partial<StackResource> = {},
): StackResource {
  return { logicalId, type, properties, ref: logicalId, attributes: {}, metadata: {}, ...extra };
}

/** A minimal StackModel holding `resources`, in this order. */
export function fakeStack(resources: readonly FakeResource[], options: FakeStackOptions = {}): StackModel {
  // Complete resources are kept as they are, so a test may look its own objects up by identity.
  const full = resources.map((r): StackResource => (isComplete(r) ? r : { properties: {}, ref: r.logicalId, attributes: {}, metadata: {}, ...r }));
  const stackName = options.stackName ?? 'TestStack';
  const account = options.account ?? FAKE_ACCOUNT;
  const region = options.region ?? FAKE_REGION;
  return {
    stackName,
    stackId: options.stackId ?? `arn:aws:cloudformation:${region}:${account}:stack/${stackName}/1`,
    env: { account, region, partition: 'aws', urlSuffix: 'amazonaws.com' },
    assemblyDir: options.assemblyDir ?? '/nonexistent',
    resources: new Map(full.map((r) => [r.logicalId, r])),
    outputs: [],
    resourcesOfType: (type) => full.filter((r) => r.type === type),
    assetDir: () => options.codeDir ?? '/nonexistent',
  };
}

function isComplete(r: FakeResource): r is StackResource {
  return r.properties !== undefined && r.ref !== undefined && r.attributes !== undefined && r.metadata !== undefined;
}
