import { isDeepStrictEqual } from 'node:util';
import type { StackModel, StackResource } from '../cloudformation/types.js';

/** What a reload changed, by logical id, as `cdk diff` would group it. */
export interface AssemblyChanges {
  readonly added: string[];
  readonly removed: string[];
  /** Same logical id, another type: CloudFormation replaces the resource. */
  readonly replaced: string[];
  /** Same logical id and type, other properties. */
  readonly modified: string[];
  /** Functions whose code asset or configuration changed. */
  readonly functionsChanged: string[];
}

const FUNCTION_TYPE = 'AWS::Lambda::Function';

export function assemblyChanges(before: StackModel, after: StackModel): AssemblyChanges {
  const added: string[] = [];
  const removed: string[] = [];
  const replaced: string[] = [];
  const modified: string[] = [];
  const functionsChanged: string[] = [];
  for (const [id, next] of after.resources) {
    const previous = before.resources.get(id);
    if (!previous) {
      added.push(id);
      if (next.type === FUNCTION_TYPE) functionsChanged.push(id);
    } else if (previous.type !== next.type) {
      replaced.push(id);
    } else if (!sameResource(previous, next)) {
      modified.push(id);
      if (next.type === FUNCTION_TYPE) functionsChanged.push(id);
    }
  }
  for (const id of before.resources.keys()) if (!after.resources.has(id)) removed.push(id);
  return { added, removed, replaced, modified, functionsChanged };
}

/** The code a function runs is its asset (the S3 key is the asset's hash), so properties and asset path decide sameness. */
function sameResource(a: StackResource, b: StackResource): boolean {
  return isDeepStrictEqual(a.properties, b.properties) && a.metadata['aws:asset:path'] === b.metadata['aws:asset:path'];
}

/** "reloaded in 4.21s: 1 modified (DestinedFunction…); functions changed: DestinedFunction…" */
export function describeReload(changes: AssemblyChanges, elapsedMs: number): string {
  const seconds = (elapsedMs / 1000).toFixed(2);
  const groups = (
    [
      ['added', changes.added],
      ['removed', changes.removed],
      ['replaced', changes.replaced],
      ['modified', changes.modified],
    ] as const
  )
    .filter(([, ids]) => ids.length > 0)
    .map(([label, ids]) => `${ids.length} ${label} (${ids.join(', ')})`);
  if (groups.length === 0) return `reloaded in ${seconds}s: no resource changed`;
  const functions = changes.functionsChanged.length > 0 ? `; functions rebuilt: ${changes.functionsChanged.join(', ')}` : '';
  return `reloaded in ${seconds}s: ${groups.join(', ')}${functions}`;
}
