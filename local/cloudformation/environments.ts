import { parseArn } from '../arn.js';
import type { StackEnvironment, StackModel, StackResource } from './types.js';

/**
 * The accounts and regions a served assembly lives in. Each stack's resources
 * carry the environment of their stack; a request to the AWS APIs is served
 * in the region of its SigV4 credential scope and in the one account served
 * in that region (there are no real credentials locally to name an account).
 */

/** The environment of the stack that owns `resource` (the served model's own env for a single stack). */
export function envOf(stack: StackModel, resource: StackResource): StackEnvironment {
  return stack.stacks?.find((s) => s.resources.get(resource.logicalId) === resource)?.env ?? stack.env;
}

/** Per served model, its environments and their regions: found once, as requests ask for them on every call. */
const servedByModel = new WeakMap<StackModel, { readonly envs: readonly StackEnvironment[]; readonly regions: ReadonlySet<string> }>();

function served(stack: StackModel): { readonly envs: readonly StackEnvironment[]; readonly regions: ReadonlySet<string> } {
  let found = servedByModel.get(stack);
  if (!found) {
    const all = [stack.env, ...(stack.stacks ?? []).map((s) => s.env)];
    const envs = all.filter((env, i) => all.findIndex((e) => e.account === env.account && e.region === env.region) === i);
    found = { envs, regions: new Set(envs.map((env) => env.region)) };
    servedByModel.set(stack, found);
  }
  return found;
}

/** Every distinct environment of the served stacks, the model's own first. */
export function servedEnvironments(stack: StackModel): StackEnvironment[] {
  return [...served(stack).envs];
}

/**
 * The region a request is served in: its signing region when the served
 * stacks span several regions (as on AWS); the one region otherwise, so a
 * client of a single-region app may be configured with any region. An
 * unsigned request is served in the model's default region.
 */
export function servingRegion(stack: StackModel, signed: string | undefined): string {
  return served(stack).regions.size > 1 && signed !== undefined ? signed : stack.env.region;
}

/**
 * The environment a request signed for `region` is served in: the account of
 * the stacks in that region, else the model's default account (a client may
 * name a region where nothing is deployed, and sees it empty, as on AWS).
 */
export function environmentForRegion(stack: StackModel, region: string | undefined): StackEnvironment {
  if (region === undefined || region === stack.env.region) return stack.env;
  return served(stack).envs.find((env) => env.region === region) ?? { ...stack.env, region };
}

/** Whether an ARN's region and account (either may be empty, as in S3 or IAM ARNs) are those of `env`. */
export function arnIsIn(arn: string, env: Pick<StackEnvironment, 'account' | 'region'>): boolean {
  const fields = parseArn(arn);
  return fields !== undefined && (fields.region === '' || fields.region === env.region) && (fields.account === '' || fields.account === env.account);
}

/** `fallback` with the account and region of `arn` (a topic's, a function's, a bus's), where the ARN names them. */
export function environmentOfArn<E extends { readonly account: string; readonly region: string }>(arn: string, fallback: E): E {
  const fields = parseArn(arn);
  return fields?.region && fields.account ? { ...fallback, region: fields.region, account: fields.account } : fallback;
}

/**
 * Refuse set-ups the runtime cannot serve unambiguously: two accounts in one
 * region (a request names only its region). Messages name the stacks.
 */
export function checkEnvironments(stacks: readonly StackModel[]): void {
  const accountOfRegion = new Map<string, StackModel>();
  for (const stack of stacks) {
    const other = accountOfRegion.get(stack.env.region);
    if (other && other.env.account !== stack.env.account) {
      throw new Error(
        `Stacks ${other.stackName} (account ${other.env.account}) and ${stack.stackName} (account ${stack.env.account}) are both in region ${stack.env.region}; ` +
          'the local runtime serves one account per region, because a request names its region (in its SigV4 credential scope) but no account ' +
          '(there are no real credentials locally): put them in one account, or serve one of them with --stacks',
      );
    }
    if (!other) accountOfRegion.set(stack.env.region, stack);
  }
}
