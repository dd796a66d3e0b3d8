/**
 * Matches a request path against an API's resource tree as API Gateway does:
 * a literal path part beats a `{param}`, which beats a greedy `{proxy+}`;
 * a method beats `ANY`.
 */
import type { MethodDef, ResourceDef } from './types.js';

/** The resource (and method) a request path resolved to. */
export interface RouteMatch {
  readonly resource: ResourceDef;
  /** Undefined when the resource exists but has neither this method nor ANY. */
  readonly method?: MethodDef;
  /** Decoded path parameters. */
  readonly pathParameters: Record<string, string>;
}

/** Thrown for a path segment with a malformed percent-escape. */
export class BadPathError extends Error {}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new BadPathError(`malformed percent-encoding in ${segment}`);
  }
}

/**
 * Find the resource and method for `path` (the part after the stage, with a
 * leading `/`). Returns undefined when no resource matches.
 */
export function matchRoute(root: ResourceDef, path: string, httpMethod: string): RouteMatch | undefined {
  const trimmed = path.replace(/^\/+/, '').replace(/\/$/, '');
  const segments = trimmed === '' ? [] : trimmed.split('/').map(decodeSegment);
  const params: Record<string, string> = {};
  const resource = walk(root, segments, 0, params);
  if (!resource) return undefined;
  const method = resource.methods.get(httpMethod.toUpperCase()) ?? resource.methods.get('ANY');
  return { resource, ...(method ? { method } : {}), pathParameters: params };
}

function walk(node: ResourceDef, segments: readonly string[], index: number, params: Record<string, string>): ResourceDef | undefined {
  if (index === segments.length) return node;
  const segment = segments[index]!;
  const literal = node.children.find((c) => c.pathPart === segment);
  if (literal) {
    const found = walk(literal, segments, index + 1, params);
    if (found) return found;
  }
  for (const child of node.children) {
    const m = /^\{([^}+]+)\}$/.exec(child.pathPart);
    if (!m) continue;
    const found = walk(child, segments, index + 1, params);
    if (found) {
      params[m[1]!] = segment;
      return found;
    }
  }
  for (const child of node.children) {
    const m = /^\{([^}]+)\+\}$/.exec(child.pathPart);
    if (m && segment !== '') {
      params[m[1]!] = segments.slice(index).join('/');
      return child;
    }
  }
  return undefined;
}
