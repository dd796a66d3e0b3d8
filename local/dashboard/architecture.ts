/**
 * The architecture the dashboard draws, read from the served template: the
 * resources an event passes through (API, topic, function, bus, rule,
 * target, queue, archive) as nodes, and how an event moves between them as
 * edges. Every other resource (roles, policies, permissions, log groups,
 * stages...) is listed under the node it belongs to, so the picture accounts
 * for every resource of the template. Pure: no I/O, no services.
 */
import { parseArn } from '../arn.js';
import type { StackModel, StackResource } from '../cloudformation/types.js';

/** Resource types drawn as nodes, with the short label the node shows. */
const NODE_TYPES: Readonly<Record<string, string>> = {
  'AWS::ApiGateway::RestApi': 'API Gateway REST API',
  'AWS::SNS::Topic': 'SNS topic',
  'AWS::Lambda::Function': 'Lambda function',
  'AWS::Events::EventBus': 'EventBridge bus',
  'AWS::Events::Rule': 'EventBridge rule',
  'AWS::Events::Archive': 'EventBridge archive',
  'AWS::SQS::Queue': 'SQS queue',
  'AWS::Lambda::Url': 'Lambda function URL',
};

export type EdgeKind = 'integration' | 'subscription' | 'on-success' | 'on-failure' | 'rule' | 'target' | 'dead-letter' | 'archive' | 'event-source' | 'function-url';

export interface ArchitectureNode {
  readonly id: string;
  readonly type: string;
  /** Readable kind, e.g. `Lambda function`. */
  readonly label: string;
  /** Physical name (function, topic, queue, rule, bus or API name). */
  readonly name: string;
  /** Values traces use for this resource (name, ARN, Ref), to count its hops. */
  readonly keys: readonly string[];
  /** `dlq` when some resource sends it what it could not deliver. */
  readonly role?: 'dlq';
  /** The other resources of the template that belong to this one. */
  readonly parts: readonly { readonly id: string; readonly type: string }[];
}

export interface ArchitectureEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
}

export interface Architecture {
  readonly stackName: string;
  readonly nodes: readonly ArchitectureNode[];
  readonly edges: readonly ArchitectureEdge[];
  /** Resources that belong to no node (e.g. an account-level setting). */
  readonly others: readonly { readonly id: string; readonly type: string }[];
}

/** Build the graph of `stack`. */
export function buildArchitecture(stack: StackModel): Architecture {
  const resources = [...stack.resources.values()];
  const main = resources.filter((r) => r.type in NODE_TYPES);
  const ids = new Map(main.map((r) => [r.logicalId, identifiers(r)]));
  const findAll = (value: unknown): string[] => {
    const leaves = stringLeaves(value);
    return main.filter((r) => leaves.some((leaf) => ids.get(r.logicalId)!.some((id) => mentions(leaf, id)))).map((r) => r.logicalId);
  };
  const find = (value: unknown): string | undefined => findAll(value)[0];

  const edges: ArchitectureEdge[] = [];
  const add = (from: string | undefined, to: string | undefined, kind: EdgeKind) => {
    if (!from || !to || from === to) return;
    if (!edges.some((e) => e.from === from && e.to === to && e.kind === kind)) edges.push({ from, to, kind });
  };
  // The default bus of an account and region, which no template declares: a node once a rule or a destination uses it.
  // A stack's resources may live in other regions or accounts (their ARNs say which), each with its own default bus.
  const { partition, region, account } = stack.env;
  const defaultBuses = new Map<string, ArchitectureNode>();
  /** The node of the default bus of the region and account `arn` names (the stack's own when it names none). */
  const useDefaultBus = (arn: unknown): string => {
    const fields = typeof arn === 'string' ? parseArn(arn) : undefined;
    const busRegion = fields?.region || region;
    const busAccount = fields?.account || account;
    const home = busRegion === region && busAccount === account;
    const id = home ? 'default' : `default-${busAccount}-${busRegion}`;
    let bus = defaultBuses.get(id);
    if (!bus) {
      const busArn = `arn:${partition}:events:${busRegion}:${busAccount}:event-bus/default`;
      const where = [busAccount === account ? '' : busAccount, busRegion === region ? '' : busRegion].filter(Boolean).join(', ');
      bus = {
        id,
        type: 'AWS::Events::EventBus',
        label: NODE_TYPES['AWS::Events::EventBus']!,
        name: home ? 'default' : `default (${where})`,
        // Only the stack's own default bus answers to the bare name.
        keys: home ? ['default', busArn] : [busArn],
        parts: [],
      };
      defaultBuses.set(id, bus);
    }
    return id;
  };
  // A destination is a bus, queue, topic or function ARN; `LambdaDestination` with `responseOnly` names the default bus.
  const destination = (value: { Destination?: unknown } | undefined): string | undefined =>
    find(value) ?? (typeof value?.Destination === 'string' && value.Destination.endsWith(':event-bus/default') ? useDefaultBus(value.Destination) : undefined);
  for (const r of resources) {
    const p = r.properties as Record<string, any>;
    switch (r.type) {
      case 'AWS::ApiGateway::Method':
        for (const to of findAll(p.Integration)) add(find(p.RestApiId), to, 'integration');
        break;
      case 'AWS::SNS::Subscription':
        add(find(p.TopicArn), find(p.Endpoint), 'subscription');
        add(find(p.TopicArn), find(p.RedrivePolicy), 'dead-letter');
        break;
      case 'AWS::Lambda::EventInvokeConfig':
        add(find(p.FunctionName), destination(p.DestinationConfig?.OnSuccess), 'on-success');
        add(find(p.FunctionName), destination(p.DestinationConfig?.OnFailure), 'on-failure');
        break;
      case 'AWS::Lambda::Function':
        add(r.logicalId, find(p.DeadLetterConfig), 'dead-letter');
        break;
      case 'AWS::Lambda::Url':
        add(r.logicalId, find(p.TargetFunctionArn), 'function-url');
        break;
      case 'AWS::Lambda::EventSourceMapping':
        add(find(p.EventSourceArn), find(p.FunctionName), 'event-source');
        break;
      case 'AWS::Events::Rule': {
        // A rule without EventBusName is on the default bus of its own region and account (its ARN's).
        let bus = find(p.EventBusName);
        if (!bus && (p.EventBusName === undefined || p.EventBusName === 'default')) bus = useDefaultBus(r.arn);
        else if (!bus && String(p.EventBusName).endsWith(':event-bus/default')) bus = useDefaultBus(p.EventBusName);
        add(bus, r.logicalId, 'rule');
        for (const target of (p.Targets as Array<Record<string, unknown>> | undefined) ?? []) {
          add(r.logicalId, find(target.Arn), 'target');
          add(r.logicalId, find(target.DeadLetterConfig), 'dead-letter');
        }
        break;
      }
      case 'AWS::Events::Archive':
        add(find(p.SourceArn), r.logicalId, 'archive');
        break;
      case 'AWS::SQS::Queue':
        add(r.logicalId, find(p.RedrivePolicy), 'dead-letter');
        break;
    }
  }

  // Each other resource joins the node whose construct contains it, else one that references it, else the
  // node it shares the deepest construct scope with (e.g. an API's role), else one it references.
  const parts = new Map(main.map((r) => [r.logicalId, [] as { id: string; type: string }[]]));
  const others: { id: string; type: string }[] = [];
  const pathOf = (r: StackResource) => String(r.metadata['aws:cdk:path'] ?? '').split('/').filter(Boolean);
  const constructOf = (r: StackResource) => {
    const path = pathOf(r);
    return /^(Resource|Default)$/.test(path[path.length - 1] ?? '') ? path.slice(0, -1) : path;
  };
  const shared = (a: readonly string[], b: readonly string[]) => {
    let n = 0;
    while (n < a.length && n < b.length && a[n] === b[n]) n++;
    return n;
  };
  for (const r of resources) {
    if (r.type in NODE_TYPES) continue;
    const path = pathOf(r);
    const scored = main
      .map((m) => ({ id: m.logicalId, construct: constructOf(m), common: shared(path, constructOf(m)) }))
      .filter((m) => m.construct.length > 0)
      .sort((a, b) => b.common - a.common);
    const container = scored.find((m) => m.common === m.construct.length && path.length > m.construct.length)?.id;
    const own = identifiers(r);
    const referencedBy = main.find((m) => stringLeaves(m.properties).some((leaf) => own.some((id) => mentions(leaf, id))))?.logicalId;
    // Two segments: the stack and one construct below it.
    const sibling = scored[0] && scored[0].common >= 2 && scored[0].common > (scored[1]?.common ?? 0) ? scored[0].id : undefined;
    const owner = container ?? referencedBy ?? sibling ?? find(r.properties);
    if (owner) parts.get(owner)!.push({ id: r.logicalId, type: r.type });
    else others.push({ id: r.logicalId, type: r.type });
  }

  // A resource only a part refers to (an API stage's access-log group) belongs where that part belongs.
  for (const other of [...others]) {
    const own = identifiers(stack.resources.get(other.id)!);
    const refersToOther = (part: { id: string }) => stringLeaves(stack.resources.get(part.id)?.properties).some((leaf) => own.some((id) => mentions(leaf, id)));
    const holder = [...parts.entries()].find(([, list]) => list.some(refersToOther))?.[0];
    if (holder === undefined) continue;
    parts.get(holder)!.push(other);
    others.splice(others.indexOf(other), 1);
  }

  const dlqs = new Set(edges.filter((e) => e.kind === 'dead-letter').map((e) => e.to));
  const nodes: ArchitectureNode[] = main.map((r) => ({
    id: r.logicalId,
    type: r.type,
    label: NODE_TYPES[r.type]!,
    name: nameOf(r),
    keys: [...new Set([nameOf(r), ...ids.get(r.logicalId)!])],
    ...(dlqs.has(r.logicalId) ? { role: 'dlq' as const } : {}),
    parts: parts.get(r.logicalId)!,
  }));
  nodes.push(...defaultBuses.values());
  return { stackName: stack.stackName, nodes, edges, others };
}

/** The node types a service's hops concern: an API and its function may share a name (`SyncAsyncApiStack-square`). */
const SERVICE_NODE_TYPES: Readonly<Record<string, readonly string[]>> = {
  apigateway: ['AWS::ApiGateway::RestApi'],
  lambda: ['AWS::Lambda::Function', 'AWS::Lambda::Url'],
  sns: ['AWS::SNS::Topic'],
  sqs: ['AWS::SQS::Queue'],
  eventbridge: ['AWS::Events::EventBus', 'AWS::Events::Rule', 'AWS::Events::Archive'],
};

/**
 * The node a trace's `resource` (a name, an ARN, `api/stage`) concerns: one of the hop's `service` first, else any
 * (an SNS hop about a subscription names the function or queue it delivers to).
 */
export function nodeForResource(architecture: Architecture, resource: string, service?: string): ArchitectureNode | undefined {
  const bare = resource.replace(/:\$LATEST$/, '');
  const head = bare.split('/')[0]!;
  const named = architecture.nodes.filter((n) => n.keys.includes(bare) || n.keys.includes(head));
  const types = service === undefined ? undefined : SERVICE_NODE_TYPES[service];
  return named.find((n) => types?.includes(n.type)) ?? named[0];
}

function nameOf(r: StackResource): string {
  // A function URL is known by its address (local when served); its Ref is its function's ARN.
  if (r.type === 'AWS::Lambda::Url') return r.attributes['FunctionUrl'] ?? r.logicalId;
  const p = r.properties as Record<string, unknown>;
  const named = p.Name ?? p.FunctionName ?? p.TopicName ?? p.QueueName ?? p.ArchiveName;
  if (typeof named === 'string' && named) return named;
  const tail = (r.arn ?? r.ref).split(':').pop() ?? r.ref;
  return tail.split('/').pop() || r.logicalId;
}

/** What other resources may write to point at `r`: its ARN, Ref, name and attribute values. */
function identifiers(r: StackResource): string[] {
  // Only its address: its Ref and FunctionArn name the function, which must not lead to the URL.
  if (r.type === 'AWS::Lambda::Url') return [nameOf(r)];
  const values = [r.arn, r.ref, nameOf(r), ...Object.values(r.attributes)].filter((v): v is string => typeof v === 'string' && v.length >= 3);
  return [...new Set(values)];
}

/** Whether `leaf` names `id`: equal, or containing it with no name characters around it. */
function mentions(leaf: string, id: string): boolean {
  if (leaf === id) return true;
  let at = leaf.indexOf(id);
  while (at >= 0) {
    const after = leaf.charAt(at + id.length);
    const before = at === 0 ? '' : leaf.charAt(at - 1);
    if (!/[A-Za-z0-9_-]/.test(after) && !/[A-Za-z0-9_-]/.test(before)) return true;
    at = leaf.indexOf(id, at + 1);
  }
  return false;
}

function stringLeaves(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringLeaves(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) stringLeaves(v, out);
  return out;
}
