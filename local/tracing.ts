import type { TraceEvent, Tracer } from './contracts.js';

/**
 * Keeps the most recent hops of every event for `/_local/traces` and the
 * dashboard, and tells subscribers (the terminal printer) as they happen.
 */
export class TraceLog implements Tracer {
  private readonly events: TraceEvent[] = [];
  private readonly listeners = new Set<(event: TraceEvent) => void>();

  constructor(private readonly capacity = 5_000) {}

  record(event: Omit<TraceEvent, 'time'>): void {
    const full: TraceEvent = { time: Date.now(), ...event };
    this.events.push(full);
    if (this.events.length > this.capacity) this.events.splice(0, this.events.length - this.capacity);
    for (const listener of this.listeners) {
      try {
        listener(full);
      } catch {
        // A broken listener must not stop the event flowing through the chain.
      }
    }
  }

  /** Hops recorded after `since` (epoch ms), oldest first. */
  list(since = 0, limit = 1_000): TraceEvent[] {
    const out = this.events.filter((e) => e.time > since);
    return out.slice(Math.max(0, out.length - limit));
  }

  subscribe(listener: (event: TraceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

const SERVICE_COLOURS: Record<string, number> = {
  apigateway: 35,
  sns: 33,
  lambda: 36,
  eventbridge: 32,
  sqs: 34,
  logs: 90,
  iam: 31,
};

/** The readable end of a resource ARN or name: a function, topic, rule or queue name. */
function shortName(resource: string): string {
  const tail = resource.split(':').filter((part) => part !== '$LATEST').pop() ?? resource;
  return tail.split('/').pop() || resource;
}

/**
 * One terminal line for a hop: `12:00:01.234 lambda      <resource>: <summary>`,
 * naming the resource unless the summary already does.
 */
export function formatTrace(event: TraceEvent, colour: boolean): string {
  const time = new Date(event.time).toISOString().slice(11, 23);
  const service = event.service.padEnd(11);
  const name = shortName(event.resource);
  const summary = name && !event.summary.includes(name) ? `${name}: ${event.summary}` : event.summary;
  if (!colour) return `${time} ${service} ${summary}`;
  const code = SERVICE_COLOURS[event.service] ?? 37;
  // A denial is red, whatever service reports it.
  const text = event.outcome === 'denied' ? `\x1b[31m${summary}\x1b[0m` : summary;
  return `\x1b[2m${time}\x1b[0m \x1b[${code}m${service}\x1b[0m ${text}`;
}
