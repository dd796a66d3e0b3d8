import type { TraceEvent, Tracer } from './contracts.js';

/**
 * Keeps the most recent hops of every event for `/_local/traces` and the
 * dashboard, and tells subscribers (the terminal, the dashboard's event
 * stream) as they happen. A fixed ring: recording never moves the others.
 */
export class TraceLog implements Tracer {
  private readonly ring: (TraceEvent | undefined)[];
  /** Where the next hop goes. */
  private next = 0;
  private count = 0;
  private readonly listeners = new Set<(event: TraceEvent) => void>();

  constructor(private readonly capacity = 5_000) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`TraceLog capacity must be a positive integer, got ${capacity}`);
    this.ring = new Array<TraceEvent | undefined>(capacity);
  }

  record(event: Omit<TraceEvent, 'time'>): void {
    // Object.assign, not a spread: hops of a dozen shapes make the spread's site megamorphic (266 -> 225 ns a hop).
    const full: TraceEvent = Object.assign({ time: Date.now() }, event);
    this.ring[this.next] = full;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
    for (const listener of this.listeners) {
      try {
        listener(full);
      } catch {
        // A broken listener must not stop the event flowing through the chain.
      }
    }
  }

  /** Hops recorded after `since` (epoch ms), oldest first, at most the newest `limit`. */
  list(since = 0, limit = 1_000): TraceEvent[] {
    const out: TraceEvent[] = [];
    // Walk back from the newest: the cost is the answer's size, not the buffer's.
    for (let i = 1; i <= this.count && out.length < limit; i++) {
      const event = this.ring[(this.next - i + this.capacity) % this.capacity]!;
      if (event.time <= since) break;
      out.push(event);
    }
    return out.reverse();
  }

  subscribe(listener: (event: TraceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Payloads kept in a trace are cut here: the ring holds thousands of hops. */
export const TRACE_PAYLOAD_LIMIT = 16 * 1024;

/** A payload as a trace keeps it: parsed JSON when it is JSON, cut to {@link TRACE_PAYLOAD_LIMIT} characters. */
export function tracePayload(text: string): unknown {
  if (text.length > TRACE_PAYLOAD_LIMIT) return cutPayload(text);
  // Only text that can be a JSON object or array is parsed: a failed parse per hop (log text, say) costs a thrown error.
  if (!opensObjectOrArray(text)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * `tracePayload(text)` for text the caller has already parsed into `value`
 * (`JSON.parse(text)` succeeded): the same result without parsing it again.
 * The trace may then share `value` with the caller, who must not change it.
 */
export function traceParsedPayload(text: string, value: unknown): unknown {
  if (text.length > TRACE_PAYLOAD_LIMIT) return cutPayload(text);
  return opensObjectOrArray(text) ? value : text;
}

/**
 * `tracePayload(text)`, parsed only when the trace is written out as JSON
 * (`/_local/traces`, the dashboard's event stream): `JSON.stringify` of the
 * hop calls {@link JsonTraceText.toJSON}, which gives what `tracePayload`
 * would have kept, so the text written is the same. For a hop nobody in the
 * process reads but as JSON; most hops are never read at all.
 */
export function traceJsonLater(text: string): unknown {
  if (text.length > TRACE_PAYLOAD_LIMIT) return cutPayload(text);
  return opensObjectOrArray(text) ? new JsonTraceText(text) : text;
}

/** A payload's text in a trace, written out as its parse (or as the text, when it is not JSON). */
export class JsonTraceText {
  constructor(readonly text: string) {}

  toJSON(): unknown {
    try {
      return JSON.parse(this.text);
    } catch {
      return this.text;
    }
  }
}

/**
 * `tracePayload(text)` for text that is never JSON: an invocation's log,
 * whose START/END/REPORT lines make it so. Only cut, never scanned, so the
 * log's pieces stay unjoined until someone reads the trace (~3 KB an event).
 */
export function traceText(text: string): string {
  return text.length > TRACE_PAYLOAD_LIMIT ? cutPayload(text) : text;
}

function cutPayload(text: string): string {
  return `${text.slice(0, TRACE_PAYLOAD_LIMIT)}… (${text.length} characters in all)`;
}

/**
 * Whether the first character after JSON whitespace is `{` or `[`. Other
 * leading whitespace (which `trimStart` would skip) makes the text invalid
 * JSON, which a trace keeps as text either way; the scan copies nothing.
 */
function opensObjectOrArray(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // space, tab, line feed, carriage return
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    return c === 0x7b || c === 0x5b;
  }
  return false;
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
export function shortName(resource: string): string {
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

/** Kinds of hop that mean something went wrong, for hops that carry no `outcome`. */
const ERROR_KINDS = new Set(['error', 'drop', 'dead-letter', 'dead-letter-failed', 'destination-failed', 'discard', 'throttle']);

/** Whether a hop reports a failure: its outcome says so, or its kind does, or a Lambda attempt failed. */
export function isErrorHop(event: TraceEvent): boolean {
  if (event.outcome) return event.outcome === 'failed' || event.outcome === 'denied';
  if (ERROR_KINDS.has(event.kind)) return true;
  return event.service === 'lambda' && event.kind === 'invoke' && /\bfailed\b/.test(event.summary);
}

export interface TerminalOptions {
  readonly print: (line: string) => void;
  readonly colour?: boolean;
  /** More hops than this in one second switch the terminal to one summary line per second. @default 40 */
  readonly maxLinesPerSecond?: number;
  /** Live execution environments, for the summary line. */
  readonly environments?: () => number;
}

/**
 * The terminal's view of the traces. At a person's pace every hop and every
 * line a function prints gets its line; under load (more than
 * `maxLinesPerSecond` in a second) that many synchronous writes cost more
 * than the work itself, so it prints one line per second instead:
 * `312 events/s, 0 errors, 4 environments`. `/_local/traces` and the
 * dashboard still get every hop. The owner calls `tick()` once a second.
 */
export class TerminalPrinter {
  private readonly max: number;
  private linesThisSecond = 0;
  private hops = 0;
  private errors = 0;
  private summarizing = false;

  constructor(private readonly options: TerminalOptions) {
    this.max = options.maxLinesPerSecond ?? 40;
  }

  /** A hop of the chain. */
  hop(event: TraceEvent): void {
    this.hops++;
    if (isErrorHop(event)) this.errors++;
    // Formatted only when printed: under load every hop is counted and none is.
    if (this.countLine()) this.options.print(formatTrace(event, this.options.colour ?? false));
  }

  /** A line a function printed (already prefixed with its name). */
  output(line: string): void {
    if (this.countLine()) this.options.print(line);
  }

  /** Close the current second: print its summary if it was summarized, and choose the next second's mode. */
  tick(): void {
    if (this.summarizing && this.hops > 0) {
      const environments = this.options.environments?.();
      const parts = [`${this.hops} events/s`, `${this.errors} error${this.errors === 1 ? '' : 's'}`];
      if (environments !== undefined) parts.push(`${environments} environment${environments === 1 ? '' : 's'}`);
      this.options.print(parts.join(', '));
    }
    // Stay in summary mode while the load lasts; a calm second brings the lines back.
    this.summarizing = this.linesThisSecond > this.max;
    this.linesThisSecond = 0;
    this.hops = 0;
    this.errors = 0;
  }

  /** Counts a line; true when it is to be printed (not while summarizing). */
  private countLine(): boolean {
    this.linesThisSecond++;
    if (this.linesThisSecond > this.max) this.summarizing = true;
    return !this.summarizing;
  }
}
