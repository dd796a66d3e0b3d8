/**
 * One journey per request: the hops of the chain grouped by the ids they
 * share (API request id, SNS MessageId, Lambda requestId, EventBridge event
 * id, SQS MessageId), and what a person wants to know about each: where it
 * went, where it stopped and why, what is still waiting.
 *
 * Runs in the browser as well as in tests: no Node imports, types only.
 */
import type { TraceEvent } from '../contracts.js';

/** Where the journey stands. */
export type JourneyStatus = 'ok' | 'waiting' | 'stopped';

export interface Journey {
  /** The first id the journey was seen with; stable while it grows. */
  readonly id: string;
  /** Hops in the order they were recorded. */
  readonly hops: TraceEvent[];
  /** Every id value its hops carry. */
  readonly ids: Set<string>;
}

export interface JourneySummary {
  readonly id: string;
  readonly startedAt: number;
  readonly lastAt: number;
  readonly title: string;
  readonly status: JourneyStatus;
  /** Why it stopped, or what it waits for. */
  readonly reason?: string;
  /** Local epoch ms when the retry it waits for is due. */
  readonly dueAt?: number;
  readonly hops: number;
  /** Lambda attempts and how many of them failed. */
  readonly attempts: number;
  readonly failedAttempts: number;
  /** The functions that ran, by resource, in order of first run. */
  readonly functions: readonly string[];
}

/** Ids are UUIDs; other values in `ids` (a rule ARN, say) are shared by many requests and must not join them. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The message id an AWS integration answered with (JSON `messageId`/`MessageId`, or SNS's XML). */
const ANSWERED_ID = /"messageid"\s*:\s*"([0-9a-f-]{36})"|<MessageId>([0-9a-f-]{36})<\/MessageId>/i;

/** The id values that link `hop` to others. */
export function linkIds(hop: TraceEvent): string[] {
  const out = Object.values(hop.ids ?? {}).filter((v) => UUID.test(v));
  if (hop.service === 'apigateway' && hop.kind === 'response') {
    const body = (hop.detail as { body?: unknown } | undefined)?.body;
    const text = typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body);
    const match = ANSWERED_ID.exec(text);
    const answered = match?.[1] ?? match?.[2];
    if (answered) out.push(answered);
  }
  return out;
}

/**
 * Groups hops into journeys as they arrive, merging two journeys when a hop
 * shows they are one (an SNS delivery names both its MessageId and the
 * Lambda requestId it started). Keeps the newest `capacity` journeys.
 */
export class JourneyIndex {
  private readonly byId = new Map<string, Journey>();
  private readonly all = new Map<string, Journey>();
  private anonymous = 0;

  constructor(private readonly capacity = 1_000) {}

  /** Add a hop; returns its journey and the ids of journeys merged into it. */
  add(hop: TraceEvent): { journey: Journey; merged: string[] } {
    const ids = linkIds(hop);
    const found = [...new Set(ids.map((id) => this.byId.get(id)).filter((j): j is Journey => j !== undefined))];
    let journey: Journey;
    const merged: string[] = [];
    if (found.length === 0) {
      journey = { id: ids[0] ?? `hop-${++this.anonymous}`, hops: [], ids: new Set() };
      this.all.set(journey.id, journey);
    } else {
      // Keep the journey that started first; fold the others into it.
      found.sort((a, b) => (a.hops[0]?.time ?? 0) - (b.hops[0]?.time ?? 0));
      journey = found[0]!;
      for (const other of found.slice(1)) {
        journey.hops.push(...other.hops);
        for (const id of other.ids) {
          journey.ids.add(id);
          this.byId.set(id, journey);
        }
        this.all.delete(other.id);
        merged.push(other.id);
      }
      if (merged.length > 0) journey.hops.sort((a, b) => a.time - b.time);
    }
    journey.hops.push(hop);
    for (const id of ids) {
      journey.ids.add(id);
      this.byId.set(id, journey);
    }
    this.trim();
    return { journey, merged };
  }

  get(id: string): Journey | undefined {
    return this.all.get(id);
  }

  /** Journeys, newest first. */
  list(): Journey[] {
    return [...this.all.values()].reverse();
  }

  private trim(): void {
    while (this.all.size > this.capacity) {
      const [oldestId, oldest] = this.all.entries().next().value as [string, Journey];
      this.all.delete(oldestId);
      for (const id of oldest.ids) if (this.byId.get(id) === oldest) this.byId.delete(id);
    }
  }
}

/** What the runtime says about itself (a reload that worked or failed): a banner, not a request. */
export interface RuntimeNotice {
  readonly level: 'info' | 'error';
  readonly time: number;
  readonly text: string;
  /** Why it failed: the synthesis or load error. */
  readonly reason?: string;
}

/**
 * The notice a `runtime` hop stands for. Such hops carry no request id, so
 * as rows they would pose as requests; the dashboard shows them apart.
 */
export function runtimeNotice(hop: TraceEvent): RuntimeNotice | undefined {
  if (hop.service !== 'runtime') return undefined;
  const failed = hop.outcome === 'failed' || hop.kind === 'reload-failed';
  return { level: failed ? 'error' : 'info', time: hop.time, text: hop.summary, ...(hop.reason ? { reason: hop.reason } : {}) };
}

const ATTEMPT_KINDS = new Set(['invoke', 'throttle', 'retry']);

/** Why a hop stops its journey, when it does. */
function stopReason(hop: TraceEvent): { outcome: 'failed' | 'denied'; reason: string } | undefined {
  // A failed attempt or a throttle is retried: it shows as an error on its step, it does not end the journey.
  if (ATTEMPT_KINDS.has(hop.kind) && hop.outcome !== 'denied') return undefined;
  const denied = /AccessDenied|NotAuthorized|NO_PERMISSIONS|AuthorizationError/.test(hop.summary);
  if (hop.outcome === 'failed' || hop.outcome === 'denied') {
    const outcome = hop.outcome === 'denied' || denied ? 'denied' : 'failed';
    return { outcome, reason: (outcome === 'denied' ? 'permission denied: ' : '') + (hop.reason ?? hop.summary) };
  }
  if (hop.outcome) return undefined;
  // An error answer ends the request at the API: nothing was sent on.
  if (hop.service === 'apigateway' && hop.kind === 'response') {
    const status = Number((hop.detail as { statusCode?: number } | undefined)?.statusCode ?? /-> (\d{3})/.exec(hop.summary)?.[1]);
    const answer = `API answered ${hop.summary.split(' -> ').pop()}`;
    if (status === 403) return { outcome: 'denied', reason: `permission denied: ${answer}` };
    if (status >= 400) return { outcome: 'failed', reason: answer };
    return undefined;
  }
  // Hops from services that do not set an outcome yet, read by their kind.
  const byKind: Record<string, string> = {
    drop: 'record dropped',
    'dead-letter': 'event in a dead-letter queue',
    'dead-letter-failed': 'record dropped',
    'destination-failed': 'record dropped',
    discard: 'event discarded',
    filter: 'filtered out by the subscription filter policy',
    error: 'error inside the local runtime',
  };
  const reason = byKind[hop.kind];
  if (!reason) return undefined;
  return denied ? { outcome: 'denied', reason: `permission denied: ${hop.summary}` } : { outcome: 'failed', reason: `${reason}: ${hop.summary}` };
}

/**
 * The retry a journey waits for: a `retry` hop (Lambda, SNS or EventBridge)
 * that no later hop of the same service and resource has resolved.
 */
function pendingRetry(hops: readonly TraceEvent[], now: number): TraceEvent | undefined {
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (hop.outcome !== 'pending' && hop.kind !== 'retry') continue;
    const resolved = hops.slice(i + 1).some((h) => h.service === hop.service && h.resource === hop.resource && h.kind !== 'retry');
    const dueAt = (hop.detail as { dueAt?: number } | undefined)?.dueAt;
    // A retry due long ago that never came belongs to a runtime that stopped.
    if (!resolved && (dueAt === undefined || dueAt > now - 60_000)) return hop;
  }
  return undefined;
}

/** The status, reason and counts a journey's row shows. */
export function summarize(journey: Journey, now: number): JourneySummary {
  const hops = journey.hops;
  const first = hops[0]!;
  const attempts = hops.filter((h) => h.service === 'lambda' && h.kind === 'invoke');
  const failedAttempts = attempts.filter((h) => h.outcome === 'failed' || /\bfailed\b/.test(h.summary)).length;
  const functions = [...new Set(attempts.map((h) => h.resource))];
  const stops = hops.map(stopReason).filter((s): s is NonNullable<typeof s> => s !== undefined);
  const waiting = pendingRetry(hops, now);
  const condition = hops.find((h) => h.kind === 'destination')?.summary.split(' ')[0];
  // A function URL records its request once the function answered, after the run it started: the request still names the row.
  const origin = hops.find((h) => h.service === 'lambda' && h.kind === 'function-url') ?? first;
  const title = `${titleOf(origin)}${condition ? ` · ${condition}` : ''}`;
  const base = { id: journey.id, startedAt: first.time, lastAt: hops[hops.length - 1]!.time, title, hops: hops.length, attempts: attempts.length, failedAttempts, functions };
  // A denial is the reason to show, even when another stop came first.
  const stop = stops.find((s) => s.outcome === 'denied') ?? stops[0];
  if (stop) return { ...base, status: 'stopped', reason: stop.reason };
  if (waiting) {
    const dueAt = (waiting.detail as { dueAt?: number } | undefined)?.dueAt;
    return { ...base, status: 'waiting', reason: waiting.reason ?? waiting.summary, ...(dueAt === undefined ? {} : { dueAt }) };
  }
  return { ...base, status: 'ok' };
}

function titleOf(hop: TraceEvent): string {
  if (hop.service === 'apigateway') return hop.summary.split(' -> ')[0]!;
  // `GET /echo on function URL PublicFunctionUrl: 200`: the request, without its answer.
  if (hop.service === 'lambda' && hop.kind === 'function-url') return hop.summary.replace(/: \d{3}\b.*$/, '');
  return `${hop.service} ${hop.kind} ${shortName(hop.resource)}`;
}

/** The readable end of an ARN: a function, topic, rule or queue name. */
export function shortName(resource: string): string {
  const tail = resource.split(':').filter((part) => part !== '$LATEST').pop() ?? resource;
  return tail.split('/').pop() || resource;
}

/** Text a search box matches against: ids, resources and summaries. */
export function searchText(journey: Journey): string {
  return [...journey.ids, ...journey.hops.map((h) => `${h.resource} ${h.summary} ${h.reason ?? ''}`)].join('\n').toLowerCase();
}

/** Ids a hop hands on to the next service (and the id under which that service records it). */
const HANDED_ON: Readonly<Record<string, readonly string[]>> = {
  'lambda:destination': ['eventId', 'messageId', 'destinationRequestId'],
  'sns:deliver': ['lambdaRequestId', 'sqsMessageId'],
  'eventbridge:deliver': ['lambdaRequestId', 'sqsMessageId', 'snsMessageId'],
};

/**
 * The hops in the order of cause and effect. A service records a hand-over
 * (SNS delivered, Lambda sent its record) once the next service has accepted
 * it, so the next service's first hop is recorded earlier; here the
 * hand-over moves just before it.
 */
export function timelineOrder(hops: readonly TraceEvent[]): TraceEvent[] {
  const out = [...hops];
  for (const hop of hops) {
    const keys = HANDED_ON[`${hop.service}:${hop.kind}`];
    if (!keys) continue;
    const handed = new Set(keys.map((k) => hop.ids?.[k]).filter((v): v is string => v !== undefined));
    const from = out.indexOf(hop);
    // The effect is in another service, or another function (a function destination hands its record to a second function).
    const elsewhere = (h: TraceEvent) => h.service !== hop.service || h.resource !== hop.resource;
    const effect = out.findIndex((h, i) => i < from && h !== hop && elsewhere(h) && Object.values(h.ids ?? {}).some((v) => handed.has(v)));
    if (effect < 0) continue;
    out.splice(from, 1);
    out.splice(effect, 0, hop);
  }
  return out;
}

/** One step of a timeline, as a person reads it. */
export interface Step {
  readonly time: number;
  readonly service: string;
  readonly kind: string;
  readonly title: string;
  readonly facts: readonly string[];
  /** Log lines the step wrote (a Lambda attempt). */
  readonly log: readonly string[];
  /** The hop's payload, for "show payload". */
  readonly payload?: unknown;
  readonly outcome?: TraceEvent['outcome'];
  readonly reason?: string;
  /** For a wait: local epoch ms when it ends. */
  readonly dueAt?: number;
}

interface AttemptDetail {
  attempt?: number;
  durationMs?: number;
  response?: { errorType?: string; errorMessage?: string } | unknown;
  log?: unknown;
}

/** Describe one hop as a timeline step. */
export function describeHop(hop: TraceEvent): Step {
  const facts: string[] = [];
  let title = hop.summary;
  let log: string[] = [];
  let payload: unknown = hop.detail;
  const detail = (hop.detail ?? {}) as Record<string, unknown>;
  const name = shortName(hop.resource);
  switch (`${hop.service}:${hop.kind}`) {
    case 'apigateway:request':
      title = `API call ${hop.summary}`;
      break;
    case 'apigateway:response':
      title = `API answered ${detail.statusCode ?? hop.summary.split(' -> ').pop()}`;
      payload = detail.body;
      break;
    case 'sns:publish':
      title = `SNS message ${hop.ids?.snsMessageId ?? ''} on ${name}`;
      break;
    case 'lambda:enqueue':
      title = `${name} accepted the event (asynchronous invoke)`;
      payload = detail.payload;
      break;
    case 'lambda:invoke': {
      const d = detail as AttemptDetail;
      const ok = hop.outcome ? hop.outcome === 'ok' : !/\bfailed\b/.test(hop.summary);
      // A synchronous invoke (an API, a function URL, an event source mapping) is one run, not a numbered attempt of a retried event.
      title = `${name} ${d.attempt === undefined ? 'run' : `attempt ${d.attempt}`} ${ok ? 'succeeded' : 'failed'}`;
      if (d.durationMs !== undefined) facts.push(`duration ${d.durationMs.toFixed(0)} ms`);
      const response = d.response as { errorType?: string; errorMessage?: string } | undefined;
      if (!ok && response && typeof response === 'object' && response.errorType) facts.push(`error ${response.errorType}: ${response.errorMessage ?? ''}`);
      if (!ok && !response) facts.push(hop.summary);
      log = typeof d.log === 'string' ? d.log.split('\n').filter((line) => line.trim() !== '') : [];
      payload = d.response;
      break;
    }
    case 'lambda:retry': {
      const delayMs = detail.delayMs as number | undefined;
      const localDelayMs = detail.localDelayMs as number | undefined;
      title = `wait before retry ${detail.attempt ?? ''}`.trim();
      if (delayMs !== undefined) facts.push(`${formatDuration(delayMs)} in AWS time`);
      if (localDelayMs !== undefined) facts.push(`${formatDuration(localDelayMs)} here`);
      payload = undefined;
      break;
    }
    case 'lambda:destination':
      title = `destination record ${hop.summary.split(' ')[0]} from ${name}`;
      facts.push(hop.summary);
      break;
    case 'eventbridge:put':
    case 'eventbridge:replay': {
      title = `EventBridge event on bus ${name}`;
      const rules = (detail.rules ?? []) as Array<{ name: string; matched: boolean; mismatch?: { reason: string } }>;
      for (const rule of rules) facts.push(rule.matched ? `rule ${rule.name} matched` : `rule ${rule.name} did not match: ${rule.mismatch?.reason ?? ''}`);
      payload = detail.event ?? hop.detail;
      break;
    }
    case 'eventbridge:deliver':
      title = `rule ${name} delivered to ${shortName(String(detail.target ?? hop.summary.split(' -> ').pop() ?? ''))}`;
      payload = detail.payload;
      break;
  }
  return {
    time: hop.time,
    service: hop.service,
    kind: hop.kind,
    title,
    facts,
    log,
    ...(payload === undefined ? {} : { payload }),
    ...(hop.outcome ? { outcome: hop.outcome } : {}),
    ...(hop.reason ? { reason: hop.reason } : {}),
    ...(typeof detail.dueAt === 'number' ? { dueAt: detail.dueAt } : {}),
  };
}

/** `1 min`, `2 min 30 s`, `50 ms`: a wait as people say it. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
}
