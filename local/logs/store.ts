import type { StackModel } from '../cloudformation/types.js';
import { envOf } from '../cloudformation/environments.js';
import type { Clock } from '../clock.js';
import { MinHeap } from '../min-heap.js';
import type { LogEvent, LogSink } from '../contracts.js';
import { AwsError, UnsupportedTemplateError } from '../protocol/errors.js';
import type { LogPersistence } from '../state/types.js';

/** A log event as CloudWatch Logs stores it. */
export interface StoredLogEvent {
  readonly logStreamName: string;
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
  /** AWS event ids are 56-digit decimal strings, unique per group. */
  readonly eventId: string;
}

export interface LogStreamInfo {
  readonly logStreamName: string;
  readonly creationTime: number;
  readonly firstEventTimestamp?: number;
  readonly lastEventTimestamp?: number;
  readonly lastIngestionTime?: number;
  readonly uploadSequenceToken: string;
  readonly arn: string;
  /** Deprecated by AWS in 2019 and always reported as zero. */
  readonly storedBytes: 0;
}

export interface LogGroupInfo {
  readonly logGroupName: string;
  readonly creationTime: number;
  readonly retentionInDays?: number;
  readonly metricFilterCount: 0;
  /** With the `:*` suffix, as DescribeLogGroups' `arn`. */
  readonly arn: string;
  /** Without the suffix, as `logGroupArn`. */
  readonly logGroupArn: string;
  readonly storedBytes: number;
  readonly logGroupClass: 'STANDARD';
}

/** A place in a group's (timestamp, eventId) order: a scan resumes strictly after it. */
export interface ScanPosition {
  readonly timestamp: number;
  readonly eventId: string;
}

export interface ScanOptions {
  readonly includeStream?: (logStreamName: string) => boolean;
  /** Inclusive lower bound on timestamps. */
  readonly startTime?: number;
  /** Inclusive upper bound on timestamps, as FilterLogEvents' endTime. */
  readonly endTime?: number;
  readonly after?: ScanPosition;
}

export type LogListener = (logGroupName: string, logStreamName: string, events: readonly StoredLogEvent[]) => void;

export interface LogStoreOptions {
  readonly region?: string;
  readonly account?: string;
  readonly partition?: string;
  /** Oldest events of a group are dropped beyond this many. @default 50000 */
  readonly maxEventsPerGroup?: number;
  /**
   * Oldest events of a group are dropped once its stored bytes (UTF-8
   * message + 26 bytes per event, as AWS counts them) pass this. @default 32 MiB
   */
  readonly maxBytesPerGroup?: number;
  /** Epoch ms for ingestion times and retention. @default Date.now */
  readonly now?: () => number;
  /** Where groups, streams and events are kept across restarts. @default kept in memory only */
  readonly persistence?: LogPersistence;
}

/** The retention values CloudWatch Logs accepts. */
export const VALID_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

export const DAY_MS = 86_400_000;
/** An event id's counter is 40 digits, zero-padded. */
const COUNTER_ZEROS = '0'.repeat(40);
/** Template properties that change nothing locally. */
const HARMLESS_GROUP_PROPERTIES = new Set(['LogGroupName', 'RetentionInDays', 'Tags', 'LogGroupClass', 'DeletionProtectionEnabled']);

class Stream {
  /** Sorted by timestamp; equal timestamps keep arrival order. */
  readonly events: StoredLogEvent[] = [];
  firstEventTimestamp: number | undefined;
  lastEventTimestamp: number | undefined;
  lastIngestionTime: number | undefined;
  uploadSequence = 1;
  constructor(
    readonly name: string,
    readonly creationTime: number,
  ) {}
}

class Group {
  readonly streams = new Map<string, Stream>();
  /** Every event in arrival order, so the oldest can be dropped first. */
  readonly arrival: StoredLogEvent[] = [];
  storedBytes = 0;
  /** When retention last removed expired events (lazy, at most once a second). */
  expiredAt = -Infinity;
  constructor(
    readonly name: string,
    readonly creationTime: number,
    public retentionInDays: number | undefined,
  ) {}
}

/**
 * CloudWatch Logs' storage: log groups, streams and events. Lambda writes
 * function output here through `LogSink`; the Logs API and the dashboard
 * read it back.
 */
export class LogStore implements LogSink {
  static readonly handledTypes: readonly string[] = ['AWS::Logs::LogGroup'];

  /**
   * A store holding the stack's log groups. Throws UnsupportedTemplateError
   * for a group property the local runtime cannot honour.
   */
  static fromStack(
    stack: StackModel,
    deps: {
      readonly clock?: Clock;
      readonly maxEventsPerGroup?: number;
      readonly maxBytesPerGroup?: number;
      readonly persistence?: LogPersistence;
    } = {},
  ): LogStore {
    const store = new LogStore({
      region: stack.env.region,
      account: stack.env.account,
      partition: stack.env.partition,
      ...(deps.clock ? { now: () => deps.clock!.now() } : {}),
      ...(deps.maxEventsPerGroup ? { maxEventsPerGroup: deps.maxEventsPerGroup } : {}),
      ...(deps.maxBytesPerGroup ? { maxBytesPerGroup: deps.maxBytesPerGroup } : {}),
      ...(deps.persistence ? { persistence: deps.persistence } : {}),
    });
    // A group the template declares stays where it is declared, whoever writes to it.
    const declared = new Set<string>();
    for (const resource of stack.resourcesOfType('AWS::Logs::LogGroup')) {
      const props = resource.properties;
      for (const key of Object.keys(props)) {
        if (!HARMLESS_GROUP_PROPERTIES.has(key)) {
          throw new UnsupportedTemplateError(resource.logicalId, `Properties.${key}`, `the local runtime does not emulate log group ${key}`);
        }
      }
      if (props.LogGroupClass !== undefined && props.LogGroupClass !== 'STANDARD') {
        throw new UnsupportedTemplateError(
          resource.logicalId,
          'Properties.LogGroupClass',
          `only STANDARD log groups are emulated, not ${String(props.LogGroupClass)}`,
        );
      }
      const retention = props.RetentionInDays === undefined ? undefined : Number(props.RetentionInDays);
      if (retention !== undefined && !VALID_RETENTION_DAYS.includes(retention)) {
        throw new UnsupportedTemplateError(
          resource.logicalId,
          'Properties.RetentionInDays',
          `${String(props.RetentionInDays)} is not a retention CloudWatch Logs accepts (${VALID_RETENTION_DAYS.join(', ')})`,
        );
      }
      const name = typeof props.LogGroupName === 'string' ? props.LogGroupName : resource.ref;
      store.ensureLogGroup(name, retention);
      store.place(name, envOf(stack, resource));
      declared.add(name);
    }
    // A function's log group, made on its first write, is in the function's account and region.
    for (const resource of stack.resourcesOfType('AWS::Lambda::Function')) {
      const loggingConfig = resource.properties['LoggingConfig'] as Record<string, unknown> | undefined;
      const name = typeof loggingConfig?.['LogGroup'] === 'string' ? loggingConfig['LogGroup'] : `/aws/lambda/${resource.ref}`;
      if (!declared.has(name)) store.place(name, envOf(stack, resource));
    }
    return store;
  }

  readonly region: string;
  readonly account: string;
  private readonly partition: string;
  private readonly maxEvents: number;
  private readonly maxBytes: number;
  private readonly now: () => number;
  private readonly groups = new Map<string, Group>();
  /** Account and region of groups of stacks served in another environment than the store's. */
  private readonly placed = new Map<string, { readonly account: string; readonly region: string }>();
  private readonly listeners = new Set<LogListener>();
  private eventCounter = 0;
  /** The last event id's timestamp and its padded digits. */
  private idTimestamp = NaN;
  private idPrefix = '';
  private readonly persistence: LogPersistence | undefined;

  constructor(options: LogStoreOptions = {}) {
    this.persistence = options.persistence;
    this.region = options.region ?? 'us-east-1';
    this.account = options.account ?? '000000000000';
    this.partition = options.partition ?? 'aws';
    this.maxEvents = options.maxEventsPerGroup ?? 50_000;
    this.maxBytes = options.maxBytesPerGroup ?? 32 * 1024 * 1024;
    this.now = options.now ?? Date.now;
  }

  ensureLogGroup(logGroupName: string, retentionInDays?: number): void {
    const existing = this.groups.get(logGroupName);
    if (existing) {
      if (retentionInDays !== undefined && existing.retentionInDays !== retentionInDays) {
        existing.retentionInDays = retentionInDays;
        this.persistence?.saveGroup(logGroupName, existing.creationTime, retentionInDays);
      }
      return;
    }
    const group = new Group(logGroupName, this.now(), retentionInDays);
    this.groups.set(logGroupName, group);
    this.persistence?.saveGroup(logGroupName, group.creationTime, retentionInDays);
  }

  /**
   * Take up what a previous run kept: groups (with their retention), streams
   * and events, with their ids and ingestion times. Events past retention or
   * beyond the per-group cap are dropped. Returns how many events came back.
   */
  restore(): number {
    const persistence = this.persistence;
    if (!persistence) return 0;
    let restored = 0;
    for (const saved of persistence.groups()) {
      let group = this.groups.get(saved.logGroupName);
      if (!group) {
        group = new Group(saved.logGroupName, saved.creationTime, saved.retentionInDays);
        this.groups.set(saved.logGroupName, group);
      } else if (group.retentionInDays === undefined && saved.retentionInDays !== undefined) {
        // A PutRetentionPolicy of the previous run stands unless the template sets one.
        group.retentionInDays = saved.retentionInDays;
      }
      for (const s of saved.streams) {
        if (!group.streams.has(s.logStreamName)) group.streams.set(s.logStreamName, new Stream(s.logStreamName, s.creationTime));
      }
      const cutoff = this.retentionCutoff(group);
      persistence.trimEvents(group.name, cutoff, this.maxEvents);
      for (const event of persistence.events(group.name)) {
        let stream = group.streams.get(event.logStreamName);
        if (!stream) group.streams.set(event.logStreamName, (stream = new Stream(event.logStreamName, event.ingestionTime)));
        insertSorted(stream.events, event);
        group.arrival.push(event);
        group.storedBytes += storedBytes(event);
        stream.firstEventTimestamp = Math.min(stream.firstEventTimestamp ?? Infinity, event.timestamp);
        stream.lastEventTimestamp = Math.max(stream.lastEventTimestamp ?? -Infinity, event.timestamp);
        stream.lastIngestionTime = Math.max(stream.lastIngestionTime ?? 0, event.ingestionTime);
        this.eventCounter = Math.max(this.eventCounter, Number(event.eventId.slice(16)) || 0);
        restored += 1;
      }
      // The byte cap applies to what was restored too (the saved file keeps at most maxEvents).
      this.enforceCap(group);
    }
    return restored;
  }

  /** CreateLogGroup: fails when the group exists. */
  createLogGroup(logGroupName: string): void {
    if (this.groups.has(logGroupName)) {
      throw new AwsError('ResourceAlreadyExistsException', 'The specified log group already exists');
    }
    const group = new Group(logGroupName, this.now(), undefined);
    this.groups.set(logGroupName, group);
    this.persistence?.saveGroup(logGroupName, group.creationTime, undefined, true);
  }

  /** CreateLogStream: fails when the group is missing or the stream exists. */
  createLogStream(logGroupName: string, logStreamName: string): void {
    const group = this.requireGroup(logGroupName);
    if (group.streams.has(logStreamName)) {
      throw new AwsError('ResourceAlreadyExistsException', 'The specified log stream already exists');
    }
    group.streams.set(logStreamName, new Stream(logStreamName, this.now()));
    this.persistence?.saveStream(logGroupName, logStreamName, group.streams.get(logStreamName)!.creationTime);
  }

  /** Sets (or with `undefined` removes) a group's retention. */
  putRetentionPolicy(logGroupName: string, retentionInDays: number | undefined): void {
    const group = this.requireGroup(logGroupName);
    group.retentionInDays = retentionInDays;
    this.persistence?.saveGroup(logGroupName, group.creationTime, retentionInDays);
  }

  /**
   * Append events, creating the group and stream when missing (as the
   * Lambda service does on a function's first write).
   */
  putLogEvents(logGroupName: string, logStreamName: string, events: readonly LogEvent[]): void {
    this.ensureLogGroup(logGroupName);
    const group = this.groups.get(logGroupName)!;
    let stream = group.streams.get(logStreamName);
    if (!stream) {
      stream = new Stream(logStreamName, this.now());
      group.streams.set(logStreamName, stream);
      this.persistence?.saveStream(logGroupName, logStreamName, stream.creationTime);
    }
    this.append(group, stream, events);
  }

  /**
   * PutLogEvents as the API has it: group and stream must exist. Returns the
   * next sequence token AWS still reports.
   */
  putLogEventsStrict(logGroupName: string, logStreamName: string, events: readonly LogEvent[]): string {
    const group = this.requireGroup(logGroupName);
    const stream = group.streams.get(logStreamName);
    if (!stream) throw new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.');
    this.append(group, stream, events);
    return sequenceToken(stream.uploadSequence);
  }

  hasLogGroup(logGroupName: string): boolean {
    return this.groups.has(logGroupName);
  }

  logGroupNames(): string[] {
    return [...this.groups.keys()].sort();
  }

  /** Groups sorted by name, as DescribeLogGroups lists them. */
  describeLogGroups(): LogGroupInfo[] {
    return this.logGroupNames().map((name) => this.groupInfo(this.groups.get(name)!));
  }

  /** Streams of a group in name order; ResourceNotFoundException when the group is missing. */
  describeLogStreams(logGroupName: string): LogStreamInfo[] {
    const group = this.requireGroup(logGroupName);
    return [...group.streams.values()]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((s) => this.streamInfo(group, s));
  }

  /** A stream's events within retention, by timestamp; ResourceNotFoundException when missing. */
  streamEvents(logGroupName: string, logStreamName: string): readonly StoredLogEvent[] {
    const group = this.requireGroup(logGroupName);
    const stream = group.streams.get(logStreamName);
    if (!stream) throw new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.');
    return this.retained(group, stream.events);
  }

  /** The group's events within retention (of the streams `includeStream` accepts), by timestamp then arrival. */
  groupEvents(logGroupName: string, includeStream?: (logStreamName: string) => boolean): StoredLogEvent[] {
    return [...this.scanGroup(logGroupName, includeStream ? { includeStream } : {})];
  }

  /**
   * The group's events within retention in (timestamp, eventId) order, read
   * lazily: each stream is kept sorted, so a scan binary-searches its start
   * in every stream and merges them through a heap. Starting costs
   * O(streams * log events) and each event O(log streams), so the cost
   * follows the window read, not the group's size. An iterator must not be
   * kept across appends: resume with `after` instead.
   */
  *scanGroup(logGroupName: string, options: ScanOptions = {}): Generator<StoredLogEvent, void, undefined> {
    const group = this.requireGroup(logGroupName);
    const floor = Math.max(options.startTime ?? -Infinity, this.retentionCutoff(group));
    const ceiling = options.endTime ?? Infinity;
    const heap = new MinHeap<StreamCursor>((x, y) => compareEvents(x.events[x.index]!, y.events[y.index]!) < 0);
    for (const stream of group.streams.values()) {
      if (options.includeStream && !options.includeStream(stream.name)) continue;
      const events = stream.events;
      let index = lowerBound(events, (e) => e.timestamp >= floor);
      if (options.after) {
        const after = options.after;
        index = Math.max(index, lowerBound(events, (e) => compareEvents(e, after) > 0));
      }
      if (index < events.length) heap.push({ events, index });
    }
    for (;;) {
      const cursor = heap.peek();
      if (!cursor) return;
      const event = cursor.events[cursor.index]!;
      if (event.timestamp > ceiling) return;
      yield event;
      cursor.index += 1;
      if (cursor.index < cursor.events.length) heap.replaceTop(cursor);
      else heap.pop();
    }
  }

  /** The last `count` events of a group across its streams, oldest first (for the dashboard). */
  tail(logGroupName: string, count: number): StoredLogEvent[] {
    const group = this.groups.get(logGroupName);
    if (!group) return [];
    const cutoff = this.retentionCutoff(group);
    const recent: StoredLogEvent[] = [];
    for (let i = group.arrival.length - 1; i >= 0 && recent.length < count; i--) {
      if (group.arrival[i]!.timestamp >= cutoff) recent.push(group.arrival[i]!);
    }
    return recent.sort((a, b) => a.timestamp - b.timestamp || compareIds(a.eventId, b.eventId));
  }

  /** Called with each appended batch; returns the unsubscribe function. */
  subscribe(listener: LogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The group's ARN without the `:*` suffix (`logGroupArn` in DescribeLogGroups). */
  logGroupArn(logGroupName: string): string {
    const { region, account } = this.placeOf(logGroupName);
    return `arn:${this.partition}:logs:${region}:${account}:log-group:${logGroupName}`;
  }

  /** Put a group (existing or to be made) in an account and region: its ARN says so, and only that region's endpoint serves it. */
  place(logGroupName: string, env: { readonly account: string; readonly region: string }): void {
    if (env.region === this.region && env.account === this.account) this.placed.delete(logGroupName);
    else this.placed.set(logGroupName, { account: env.account, region: env.region });
  }

  /** The account and region a group (existing or to be made) is in: where it was placed, else the store's. */
  placeOf(logGroupName: string): { readonly account: string; readonly region: string } {
    return this.placed.get(logGroupName) ?? this;
  }

  /** Whether CloudWatch Logs of `region` (the store's region when absent) serves this group. */
  isInRegion(logGroupName: string, region: string | undefined): boolean {
    return this.placeOf(logGroupName).region === (region ?? this.region);
  }

  private requireGroup(logGroupName: string): Group {
    const group = this.groups.get(logGroupName);
    if (!group) throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
    return group;
  }

  private append(group: Group, stream: Stream, events: readonly LogEvent[]): void {
    if (events.length === 0) return;
    const ingestionTime = this.now();
    const stored: StoredLogEvent[] = [];
    let first = stream.firstEventTimestamp ?? Infinity;
    let last = stream.lastEventTimestamp ?? -Infinity;
    // One pass: each event is made, placed and counted as it comes.
    for (const e of events) {
      const event: StoredLogEvent = {
        logStreamName: stream.name,
        timestamp: e.timestamp,
        message: e.message,
        ingestionTime,
        eventId: this.nextEventId(e.timestamp),
      };
      stored.push(event);
      insertSorted(stream.events, event);
      group.arrival.push(event);
      group.storedBytes += storedBytes(event);
      if (event.timestamp < first) first = event.timestamp;
      if (event.timestamp > last) last = event.timestamp;
    }
    stream.firstEventTimestamp = first;
    stream.lastEventTimestamp = last;
    stream.lastIngestionTime = ingestionTime;
    stream.uploadSequence += 1;
    this.persistence?.appendEvents(group.name, stored);
    this.expire(group);
    this.enforceCap(group);
    for (const listener of this.listeners) {
      try {
        listener(group.name, stream.name, stored);
      } catch {
        // A broken viewer must not lose the write for everyone else.
      }
    }
  }

  /** Removes events past the group's retention, as RetentionInDays does on AWS; lazily, at most once a second. */
  private expire(group: Group): void {
    const cutoff = this.retentionCutoff(group);
    if (cutoff === -Infinity) return;
    const now = this.now();
    if (now - group.expiredAt < 1_000) return;
    group.expiredAt = now;
    let removed = 0;
    for (const stream of group.streams.values()) {
      // Streams are sorted by timestamp: the expired events are a prefix.
      const count = lowerBound(stream.events, (e) => e.timestamp >= cutoff);
      if (count > 0) stream.events.splice(0, count);
      removed += count;
    }
    if (removed === 0) return;
    for (const event of group.arrival) if (event.timestamp < cutoff) group.storedBytes -= storedBytes(event);
    keepOnly(group.arrival, (e) => e.timestamp >= cutoff);
    this.persistence?.trimEvents(group.name, cutoff, group.arrival.length);
  }

  /**
   * Keeps a group within its event count and byte caps, dropping the oldest
   * arrivals first. It drops down to 90% of a cap at once, so appends stay
   * amortised O(1) at the cap.
   */
  private enforceCap(group: Group): void {
    if (group.arrival.length <= this.maxEvents && group.storedBytes <= this.maxBytes) return;
    const eventTarget = this.maxEvents - Math.floor(this.maxEvents / 10);
    const byteTarget = this.maxBytes - Math.floor(this.maxBytes / 10);
    let drop = 0;
    let bytes = group.storedBytes;
    while (drop < group.arrival.length && (group.arrival.length - drop > eventTarget || bytes > byteTarget)) {
      bytes -= storedBytes(group.arrival[drop]!);
      drop += 1;
    }
    const dropped = group.arrival.splice(0, drop);
    group.storedBytes = bytes;
    this.persistence?.trimEvents(group.name, -Infinity, group.arrival.length);
    const byStream = new Map<string, Set<StoredLogEvent>>();
    for (const event of dropped) {
      let set = byStream.get(event.logStreamName);
      if (!set) byStream.set(event.logStreamName, (set = new Set()));
      set.add(event);
    }
    for (const [name, set] of byStream) {
      const stream = group.streams.get(name);
      if (!stream) continue;
      keepOnly(stream.events, (e) => !set.has(e));
    }
  }

  private retentionCutoff(group: Group): number {
    return group.retentionInDays === undefined ? -Infinity : this.now() - group.retentionInDays * DAY_MS;
  }

  private retained(group: Group, events: readonly StoredLogEvent[]): StoredLogEvent[] {
    const cutoff = this.retentionCutoff(group);
    return cutoff === -Infinity ? [...events] : events.filter((e) => e.timestamp >= cutoff);
  }

  private nextEventId(timestamp: number): string {
    // AWS ids are 56 decimal digits; ours sort by timestamp then arrival.
    this.eventCounter += 1;
    const ts = Math.max(0, Math.trunc(timestamp));
    // The lines of an invocation mostly share a millisecond: its 16 digits are padded once
    // (with the counter's padding sliced from a constant, ~150 -> ~100 ns an id).
    if (ts !== this.idTimestamp) {
      this.idTimestamp = ts;
      this.idPrefix = String(ts).padStart(16, '0');
    }
    const counter = String(this.eventCounter);
    return this.idPrefix + COUNTER_ZEROS.slice(counter.length) + counter;
  }

  private groupInfo(group: Group): LogGroupInfo {
    const logGroupArn = this.logGroupArn(group.name);
    return {
      logGroupName: group.name,
      creationTime: group.creationTime,
      ...(group.retentionInDays === undefined ? {} : { retentionInDays: group.retentionInDays }),
      metricFilterCount: 0,
      arn: `${logGroupArn}:*`,
      logGroupArn,
      storedBytes: Math.max(0, group.storedBytes),
      logGroupClass: 'STANDARD',
    };
  }

  private streamInfo(group: Group, stream: Stream): LogStreamInfo {
    return {
      logStreamName: stream.name,
      creationTime: stream.creationTime,
      ...(stream.firstEventTimestamp === undefined ? {} : { firstEventTimestamp: stream.firstEventTimestamp }),
      ...(stream.lastEventTimestamp === undefined ? {} : { lastEventTimestamp: stream.lastEventTimestamp }),
      ...(stream.lastIngestionTime === undefined ? {} : { lastIngestionTime: stream.lastIngestionTime }),
      uploadSequenceToken: sequenceToken(stream.uploadSequence),
      arn: `${this.logGroupArn(group.name)}:log-stream:${stream.name}`,
      storedBytes: 0,
    };
  }
}

/** Bytes an event counts for in `storedBytes`: its UTF-8 message plus AWS's 26 bytes of overhead. */
function storedBytes(event: StoredLogEvent): number {
  return Buffer.byteLength(event.message, 'utf8') + 26;
}

function insertSorted(events: StoredLogEvent[], event: StoredLogEvent): void {
  // Writers append in order almost always; only search when they do not.
  const last = events[events.length - 1];
  if (!last || last.timestamp <= event.timestamp) {
    events.push(event);
    return;
  }
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid]!.timestamp <= event.timestamp) lo = mid + 1;
    else hi = mid;
  }
  events.splice(lo, 0, event);
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Filters an array in place, keeping order (no spread: groups can hold more events than a call takes arguments). */
function keepOnly(events: StoredLogEvent[], keep: (event: StoredLogEvent) => boolean): void {
  let kept = 0;
  for (const event of events) if (keep(event)) events[kept++] = event;
  events.length = kept;
}

function compareEvents(a: ScanPosition, b: ScanPosition): number {
  return a.timestamp - b.timestamp || compareIds(a.eventId, b.eventId);
}

/** The first index whose event satisfies `test`, which must be false then true along the array. */
function lowerBound(events: readonly StoredLogEvent[], test: (event: StoredLogEvent) => boolean): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (test(events[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

interface StreamCursor {
  readonly events: readonly StoredLogEvent[];
  index: number;
}

function sequenceToken(sequence: number): string {
  // Shaped like AWS's opaque 56-digit tokens.
  return `49${String(sequence).padStart(54, '0')}`;
}
