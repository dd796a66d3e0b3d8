import type { TraceEvent } from '../contracts.js';
import { isErrorHop } from '../tracing.js';
import { nodeForResource, type Architecture } from './architecture.js';
import { BoundedMemo } from '../bounded-memo.js';

/** What a node of the architecture has seen since the runtime started. */
export interface NodeCounts {
  /** Hops that entered it: API requests, messages published, events put, rule matches, Lambda attempts, queue messages. */
  events: number;
  /** Lambda attempts (functions only). */
  invocations: number;
  errors: number;
  /** Messages in the queue now (queues only). */
  waiting?: number;
}

/** The hop kinds that count as something entering a node. */
const ENTERING: Readonly<Record<string, string>> = {
  apigateway: 'request',
  sns: 'publish',
  eventbridge: 'put',
  sqs: 'deliver',
};

const MAX_RESOLVED = 10_000;

/**
 * Live counts per architecture node, kept from the hops as they are
 * recorded, so they cover every hop since start (the trace ring forgets).
 */
export class NodeCounters {
  private readonly counts = new Map<string, NodeCounts>();
  /**
   * A node's counts by service, then resource (null: no node): traces repeat a handful of resources.
   * Nested maps, not a `service resource` key, so recording a hop (tens per pipeline event) builds
   * no string; the counts themselves, not the node id, so it takes one lookup, not two.
   */
  private readonly resolved = new Map<string, BoundedMemo<string, NodeCounts | null>>();

  constructor(
    private readonly architecture: Architecture,
    private readonly queueDepth: (queueArn: string) => number | undefined = () => undefined,
  ) {}

  record(hop: TraceEvent): void {
    const counts = this.countsOf(hop.resource, hop.service);
    if (!counts) return;
    const isAttempt = hop.service === 'lambda' && hop.kind === 'invoke';
    if (isAttempt) counts.invocations++;
    const isUrlRequest = hop.service === 'lambda' && hop.kind === 'function-url';
    if (isAttempt || isUrlRequest || ENTERING[hop.service] === hop.kind || (hop.service === 'eventbridge' && hop.kind === 'match')) counts.events++;
    if (isErrorHop(hop)) counts.errors++;
  }

  /** Counts for every node, with queue depths read now. */
  snapshot(): Record<string, NodeCounts> {
    const out: Record<string, NodeCounts> = {};
    for (const node of this.architecture.nodes) {
      const counts = { ...this.of(node.id) };
      if (node.type === 'AWS::SQS::Queue') {
        const arn = node.keys.find((k) => k.startsWith('arn:'));
        const depth = arn ? this.queueDepth(arn) : undefined;
        if (depth !== undefined) counts.waiting = depth;
      }
      out[node.id] = counts;
    }
    return out;
  }

  private of(id: string): NodeCounts {
    let counts = this.counts.get(id);
    if (!counts) this.counts.set(id, (counts = { events: 0, invocations: 0, errors: 0 }));
    return counts;
  }

  private countsOf(resource: string, service: string): NodeCounts | undefined {
    let byResource = this.resolved.get(service);
    // Denials and SDK calls may name endless resources: keep the memo bounded.
    if (byResource === undefined) this.resolved.set(service, (byResource = new BoundedMemo(MAX_RESOLVED)));
    let counts = byResource.get(resource);
    if (counts === undefined) {
      const id = nodeForResource(this.architecture, resource, service)?.id;
      counts = byResource.set(resource, id ? this.of(id) : null);
    }
    return counts ?? undefined;
  }
}
