import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * An AWS managed policy as shipped with the runtime: its document (the
 * default version's, as `iam:GetPolicyVersion` returns it) and where that
 * copy comes from.
 */
export interface ManagedPolicy {
  readonly name: string;
  /** `arn:aws:iam::aws:policy/<path><name>`, in the `aws` partition. */
  readonly arn: string;
  readonly versionId: string;
  readonly source: string;
  readonly document: Readonly<Record<string, unknown>>;
}

const DATA_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'managed-policies');

let loaded: ReadonlyMap<string, ManagedPolicy> | undefined;

/** Every shipped managed policy by its ARN's path and name (`service-role/AWSLambdaBasicExecutionRole`). */
function shipped(): ReadonlyMap<string, ManagedPolicy> {
  if (loaded) return loaded;
  const map = new Map<string, ManagedPolicy>();
  for (const file of readdirSync(DATA_DIR).filter((f) => f.endsWith('.json')).sort()) {
    const policy = JSON.parse(readFileSync(path.join(DATA_DIR, file), 'utf8')) as ManagedPolicy;
    map.set(policyKey(policy.arn)!, policy);
  }
  loaded = map;
  return map;
}

/** `service-role/AWSLambdaBasicExecutionRole` of an AWS managed policy ARN in any partition; undefined for other ARNs. */
function policyKey(arn: string): string | undefined {
  return /^arn:[^:]+:iam::aws:policy\/(.+)$/.exec(arn)?.[1];
}

/** Whether the ARN names an AWS managed policy (`arn:<partition>:iam::aws:policy/...`). */
export function isAwsManagedArn(arn: string): boolean {
  return policyKey(arn) !== undefined;
}

/** The shipped AWS managed policy with this ARN (any partition); undefined when the runtime does not ship it. */
export function awsManagedPolicy(arn: string): ManagedPolicy | undefined {
  const key = policyKey(arn);
  return key === undefined ? undefined : shipped().get(key);
}

/** Every shipped policy, for the README and tests. */
export function shippedManagedPolicies(): ManagedPolicy[] {
  return [...shipped().values()];
}
