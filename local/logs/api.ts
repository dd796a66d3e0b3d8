import { guardedOperations, type JsonService } from '../protocol/json.js';
import { AwsError } from '../protocol/errors.js';
import { member } from '../protocol/json-input.js';
import { compileFilterPattern } from './filter-pattern.js';
import { DAY_MS, VALID_RETENTION_DAYS, type LogStore, type ScanPosition, type StoredLogEvent } from './store.js';

export interface LogsApiOptions {
  /**
   * How long FilterLogEvents scans before it yields to the event loop, so
   * one search cannot keep other requests waiting. @default 20
   */
  readonly scanSliceMs?: number;
  /**
   * How long one FilterLogEvents call may scan in all. Past it the call
   * returns the matches so far with a nextToken, as AWS returns a partial
   * (even empty) page when its own scan limit is hit. @default 1000
   */
  readonly scanBudgetMs?: number;
}

/** The CloudWatch Logs API (awsJson 1.1, `Logs_20140328.<Operation>`) over a LogStore. */
export function logsApi(store: LogStore, options: LogsApiOptions = {}): JsonService {
  // CloudWatch Logs is regional: a group of another region is not found (an ARN names its region itself).
  return guardedOperations(logsOperations(store, options), (input, scope) => {
    const named = [input.logGroupName, input.logGroupIdentifier].find((v): v is string => typeof v === 'string' && !v.startsWith('arn:'));
    if (named !== undefined && store.hasLogGroup(named) && !store.isInRegion(named, scope?.region)) {
      throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
    }
  });
}

function logsOperations(store: LogStore, options: LogsApiOptions): JsonService {
  const budget = { sliceMs: options.scanSliceMs ?? 20, totalMs: options.scanBudgetMs ?? 1_000 };
  return {
    targetPrefix: 'Logs_20140328',
    version: '1.1',
    operations: {
      CreateLogGroup: (input) => {
        const name = checkedName(input, 'logGroupName', LOG_GROUP_NAME);
        if (input.kmsKeyId !== undefined) {
          throw new AwsError('InvalidParameterException', 'The local runtime does not emulate KMS encryption of log groups.');
        }
        store.createLogGroup(name);
        return {};
      },
      CreateLogStream: (input) => {
        store.createLogStream(requiredName(input, 'logGroupName'), checkedName(input, 'logStreamName', LOG_STREAM_NAME));
        return {};
      },
      PutRetentionPolicy: (input) => {
        const days = input.retentionInDays;
        if (typeof days !== 'number' || !VALID_RETENTION_DAYS.includes(days)) {
          throw new AwsError('InvalidParameterException', `1 validation error detected: Value '${String(days)}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${VALID_RETENTION_DAYS.join(', ')}]`);
        }
        store.putRetentionPolicy(requiredName(input, 'logGroupName'), days);
        return {};
      },
      DeleteRetentionPolicy: (input) => {
        store.putRetentionPolicy(requiredName(input, 'logGroupName'), undefined);
        return {};
      },
      PutLogEvents: (input) => putLogEvents(store, input),
      DescribeLogGroups: (input, scope) => describeLogGroups(store, input, scope?.region),
      DescribeLogStreams: (input) => describeLogStreams(store, input),
      GetLogEvents: (input) => getLogEvents(store, input),
      FilterLogEvents: (input) => filterLogEvents(store, input, budget),
    },
  };
}

/**
 * Name rules of the API reference: 1-512 characters, groups of
 * `[\.\-_/#A-Za-z0-9]+`, streams of `[^:*]*`.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogStream.html
 */
const LOG_GROUP_NAME = { pattern: /^[.\-_/#A-Za-z0-9]+$/, text: '[\\.\\-_/#A-Za-z0-9]+' };
const LOG_STREAM_NAME = { pattern: /^[^:*]*$/, text: '[^:*]*' };
const MAX_NAME_LENGTH = 512;

function checkedName(input: Record<string, unknown>, key: string, rule: { pattern: RegExp; text: string }): string {
  const value = requiredName(input, key);
  if (value.length > MAX_NAME_LENGTH) {
    throw new AwsError('InvalidParameterException', `1 validation error detected: Value at '${key}' failed to satisfy constraint: Member must have length less than or equal to ${MAX_NAME_LENGTH}`);
  }
  if (!rule.pattern.test(value)) {
    throw new AwsError('InvalidParameterException', `1 validation error detected: Value '${value}' at '${key}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${rule.text}`);
  }
  return value;
}

/**
 * PutLogEvents limits: at most 10,000 events and 1,048,576 bytes a batch,
 * counting each event as its UTF-8 message plus 26 bytes; one event may be
 * as large as 1 MB (it was 256 KB), so the batch limit is the one that bites;
 * the events kept (14 days back to 2 hours ahead) may not span more than 24 hours.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html
 */
const MAX_BATCH_EVENTS = 10_000;
const MAX_BATCH_BYTES = 1_048_576;
const EVENT_OVERHEAD_BYTES = 26;
const MAX_BATCH_SPAN_MS = 24 * 3_600_000;

function putLogEvents(store: LogStore, input: Record<string, unknown>): unknown {
  const group = requiredName(input, 'logGroupName');
  const stream = requiredName(input, 'logStreamName');
  const raw = input.logEvents;
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new AwsError('InvalidParameterException', 'At least one log event must be provided.');
  }
  if (raw.length > MAX_BATCH_EVENTS) {
    throw new AwsError('InvalidParameterException', `Log event batch cannot contain more than ${MAX_BATCH_EVENTS} events.`);
  }
  const events = raw.map((e: unknown) => {
    const { timestamp, message } = (e ?? {}) as { timestamp?: unknown; message?: unknown };
    if (typeof timestamp !== 'number' || typeof message !== 'string' || message === '') {
      throw new AwsError('InvalidParameterException', 'Each log event needs a timestamp and a non-empty message.');
    }
    return { timestamp, message };
  });
  let batchBytes = 0;
  for (const event of events) batchBytes += Buffer.byteLength(event.message, 'utf8') + EVENT_OVERHEAD_BYTES;
  if (batchBytes > MAX_BATCH_BYTES) {
    throw new AwsError('InvalidParameterException', `Upload too large: ${batchBytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
  }
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.timestamp < events[i - 1]!.timestamp) {
      throw new AwsError('InvalidParameterException', 'Log events in a single PutLogEvents request must be in chronological order.');
    }
  }
  // AWS keeps the batch but drops events too far in the past or future and says which.
  const now = Date.now();
  // Also too old: events from before the group's retention period.
  const retentionInDays = store.describeLogGroups().find((g) => g.logGroupName === group)?.retentionInDays;
  const oldest = Math.max(now - 14 * DAY_MS, retentionInDays === undefined ? -Infinity : now - retentionInDays * DAY_MS);
  const tooOldEnd = events.findIndex((e) => e.timestamp >= oldest);
  const tooNewStart = events.findIndex((e) => e.timestamp > now + 2 * 3_600_000);
  const first = tooOldEnd < 0 ? events.length : tooOldEnd;
  const last = tooNewStart < 0 ? events.length : tooNewStart;
  const accepted = events.slice(first, Math.max(first, last));
  // The span rule counts only the events kept (within 14 days past and 2 hours ahead).
  if (accepted.length > 1 && accepted[accepted.length - 1]!.timestamp - accepted[0]!.timestamp > MAX_BATCH_SPAN_MS) {
    throw new AwsError('InvalidParameterException', 'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
  }
  const nextSequenceToken = store.putLogEventsStrict(group, stream, accepted);
  const rejected = {
    ...(first > 0 ? { tooOldLogEventEndIndex: first } : {}),
    ...(tooNewStart >= 0 ? { tooNewLogEventStartIndex: tooNewStart } : {}),
  };
  return { nextSequenceToken, ...(Object.keys(rejected).length > 0 ? { rejectedLogEventsInfo: rejected } : {}) };
}

function describeLogGroups(store: LogStore, input: Record<string, unknown>, region?: string): unknown {
  const limit = optionalInt(input, 'limit', 1, 50) ?? 50;
  const prefix = optionalString(input, 'logGroupNamePrefix');
  const pattern = optionalString(input, 'logGroupNamePattern');
  if (prefix !== undefined && pattern !== undefined) {
    throw new AwsError('InvalidParameterException', 'LogGroupNamePrefix and LogGroupNamePattern are mutually exclusive parameters.');
  }
  const after = decodeToken(input.nextToken);
  const groups = store
    .describeLogGroups()
    .filter((g) => (prefix === undefined || g.logGroupName.startsWith(prefix)) && (pattern === undefined || g.logGroupName.toLowerCase().includes(pattern.toLowerCase())))
    .filter((g) => (after === undefined || g.logGroupName > after) && store.isInRegion(g.logGroupName, region));
  const page = groups.slice(0, limit);
  return {
    logGroups: page,
    ...(groups.length > limit ? { nextToken: encodeToken(page[page.length - 1]!.logGroupName) } : {}),
  };
}

function describeLogStreams(store: LogStore, input: Record<string, unknown>): unknown {
  const group = groupName(store, input);
  const limit = optionalInt(input, 'limit', 1, 50) ?? 50;
  const prefix = optionalString(input, 'logStreamNamePrefix');
  const orderBy = optionalString(input, 'orderBy') ?? 'LogStreamName';
  if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime') {
    throw new AwsError('InvalidParameterException', `1 validation error detected: Value '${orderBy}' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LastEventTime, LogStreamName]`);
  }
  if (orderBy === 'LastEventTime' && prefix !== undefined) {
    throw new AwsError('InvalidParameterException', 'Cannot order by LastEventTime with a logStreamNamePrefix.');
  }
  const descending = member<boolean>(input, 'descending', 'boolean') === true;
  let streams = store.describeLogStreams(group).filter((s) => prefix === undefined || s.logStreamName.startsWith(prefix));
  if (orderBy === 'LastEventTime') {
    streams = streams.sort((a, b) => (a.lastEventTimestamp ?? 0) - (b.lastEventTimestamp ?? 0) || (a.logStreamName < b.logStreamName ? -1 : 1));
  }
  if (descending) streams = streams.reverse();
  const offset = Number(decodeToken(input.nextToken) ?? 0);
  if (!Number.isInteger(offset) || offset < 0) throw new AwsError('InvalidParameterException', 'The specified nextToken is invalid.');
  const page = streams.slice(offset, offset + limit);
  return {
    logStreams: page,
    ...(offset + limit < streams.length ? { nextToken: encodeToken(String(offset + limit)) } : {}),
  };
}

function getLogEvents(store: LogStore, input: Record<string, unknown>): unknown {
  const group = groupName(store, input);
  const stream = requiredName(input, 'logStreamName');
  const limit = optionalInt(input, 'limit', 1, 10_000) ?? 10_000;
  const startTime = optionalInt(input, 'startTime', 0, Number.MAX_SAFE_INTEGER);
  const endTime = optionalInt(input, 'endTime', 0, Number.MAX_SAFE_INTEGER);
  const events = store
    .streamEvents(group, stream)
    .filter((e) => (startTime === undefined || e.timestamp >= startTime) && (endTime === undefined || e.timestamp < endTime));
  let from: number;
  let to: number;
  const token = input.nextToken;
  if (token !== undefined && token !== null) {
    const match = typeof token === 'string' ? /^([fb])\/(\d{56})\/s$/.exec(token) : null;
    if (!match) throw new AwsError('InvalidParameterException', 'The specified nextToken is invalid.');
    const boundary = match[2]!;
    const index = events.findIndex((e) => e.eventId >= boundary);
    const at = index < 0 ? events.length : index;
    if (match[1] === 'f') {
      from = at;
      to = Math.min(events.length, at + limit);
    } else {
      from = Math.max(0, at - limit);
      to = at;
    }
    if (from === to) return { events: [], nextForwardToken: match[1] === 'f' ? token : `f/${boundary}/s`, nextBackwardToken: match[1] === 'b' ? token : `b/${boundary}/s` };
  } else if (member<boolean>(input, 'startFromHead', 'boolean') === true) {
    from = 0;
    to = Math.min(events.length, limit);
  } else {
    to = events.length;
    from = Math.max(0, to - limit);
  }
  const page = events.slice(from, to);
  const forward = page.length > 0 ? increment(page[page.length - 1]!.eventId) : '0'.repeat(56);
  const backward = page.length > 0 ? page[0]!.eventId : '0'.repeat(56);
  return {
    events: page.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
    nextForwardToken: `f/${forward}/s`,
    nextBackwardToken: `b/${backward}/s`,
  };
}

/** Events, or characters of messages, tested between two looks at the clock (1 MB events make a count alone too coarse). */
const CLOCK_CHECK_EVENTS = 128;
const CLOCK_CHECK_CHARS = 256 * 1024;

async function filterLogEvents(store: LogStore, input: Record<string, unknown>, budget: { sliceMs: number; totalMs: number }): Promise<unknown> {
  const group = groupName(store, input);
  const limit = optionalInt(input, 'limit', 1, 10_000) ?? 10_000;
  const startTime = optionalInt(input, 'startTime', 0, Number.MAX_SAFE_INTEGER);
  const endTime = optionalInt(input, 'endTime', 0, Number.MAX_SAFE_INTEGER);
  const names = member<unknown[]>(input, 'logStreamNames', 'list');
  const prefix = optionalString(input, 'logStreamNamePrefix');
  if (names !== undefined && prefix !== undefined) {
    throw new AwsError('InvalidParameterException', 'logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
  }
  if (names !== undefined && (!Array.isArray(names) || names.length === 0 || names.length > 100 || names.some((n) => typeof n !== 'string'))) {
    throw new AwsError('InvalidParameterException', 'logStreamNames must be a list of 1 to 100 log stream names.');
  }
  const filterPattern = optionalString(input, 'filterPattern');
  const matches = compileFilterPattern(filterPattern);
  const wanted = names === undefined ? undefined : new Set(names as string[]);
  const includeStream = (n: string) => (wanted === undefined || wanted.has(n)) && (prefix === undefined || n.startsWith(prefix));
  let position = decodeFilterToken(input.nextToken);

  const found: StoredLogEvent[] = [];
  /** Where the next page starts: after the last event returned, or the last one scanned when the budget ran out. */
  let resumeAt: ScanPosition | undefined;
  const started = performance.now();
  scanning: for (;;) {
    const sliceStart = performance.now();
    // A fresh iterator per slice: the store may change while this call yields.
    const scan = store.scanGroup(group, {
      includeStream,
      ...(startTime === undefined ? {} : { startTime }),
      ...(endTime === undefined ? {} : { endTime }),
      ...(position === undefined ? {} : { after: position }),
    });
    let tested = 0;
    let chars = 0;
    for (const event of scan) {
      position = { timestamp: event.timestamp, eventId: event.eventId };
      if (matches(event.message)) {
        // One match past a full page says there is a next page; it is not returned.
        if (found.length === limit) break scanning;
        found.push(event);
      }
      chars += event.message.length;
      if (++tested >= CLOCK_CHECK_EVENTS || chars >= CLOCK_CHECK_CHARS) {
        tested = 0;
        chars = 0;
        const now = performance.now();
        if (now - started >= budget.totalMs) {
          resumeAt = position;
          break scanning;
        }
        if (now - sliceStart >= budget.sliceMs) {
          await new Promise((resolve) => setImmediate(resolve));
          continue scanning;
        }
      }
    }
    // The window is exhausted: no next page.
    return filterPage(found, undefined);
  }
  if (found.length === limit) resumeAt = found[found.length - 1]!;
  return filterPage(found, resumeAt);
}

function filterPage(found: readonly StoredLogEvent[], resumeAt: ScanPosition | undefined): unknown {
  return {
    events: found.map((e) => ({
      logStreamName: e.logStreamName,
      timestamp: e.timestamp,
      message: e.message,
      ingestionTime: e.ingestionTime,
      eventId: e.eventId,
    })),
    // No longer filled in by AWS since 2020.
    searchedLogStreams: [],
    ...(resumeAt ? { nextToken: encodeToken(`${resumeAt.timestamp}/${resumeAt.eventId}`) } : {}),
  };
}

function decodeFilterToken(token: unknown): ScanPosition | undefined {
  const text = decodeToken(token);
  if (text === undefined) return undefined;
  const match = /^(-?\d+)\/(\d{56})$/.exec(text);
  if (!match) throw new AwsError('InvalidParameterException', 'The specified nextToken is invalid.');
  return { timestamp: Number(match[1]), eventId: match[2]! };
}

/** The group named by `logGroupName` or `logGroupIdentifier` (name or ARN); exactly one is required. */
function groupName(store: LogStore, input: Record<string, unknown>): string {
  const name = optionalString(input, 'logGroupName');
  const identifier = optionalString(input, 'logGroupIdentifier');
  if (name !== undefined && identifier !== undefined) {
    throw new AwsError('InvalidParameterException', 'LogGroup name and LogGroup ARN are mutually exclusive parameters.');
  }
  if (name !== undefined) return name;
  if (identifier === undefined) {
    throw new AwsError('InvalidParameterException', 'Either logGroupName or logGroupIdentifier must be provided.');
  }
  const arn = /^arn:[^:]+:logs:([^:]*):([^:]*):log-group:(.+?)(?::\*)?$/.exec(identifier);
  if (!arn) return identifier;
  const { region, account } = store.placeOf(arn[3]!);
  if (arn[1] !== region || arn[2] !== account) {
    throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
  }
  return arn[3]!;
}

function requiredName(input: Record<string, unknown>, key: string): string {
  const value = member<string>(input, key, 'string');
  if (value === undefined) {
    throw new AwsError('InvalidParameterException', `1 validation error detected: Value null at '${key}' failed to satisfy constraint: Member must not be null`);
  }
  if (value === '') {
    throw new AwsError('InvalidParameterException', `1 validation error detected: Value '' at '${key}' failed to satisfy constraint: Member must have length greater than or equal to 1`);
  }
  return value;
}

function optionalString(input: Record<string, unknown>, key: string): string | undefined {
  return member<string>(input, key, 'string');
}

function optionalInt(input: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const value = member<number>(input, key, 'integer');
  if (value === undefined) return undefined;
  if (value < min || value > max) {
    throw new AwsError(
      'InvalidParameterException',
      `1 validation error detected: Value '${String(value)}' at '${key}' failed to satisfy constraint: Member must have value ${value < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`}`,
    );
  }
  return value;
}

function encodeToken(position: string): string {
  return Buffer.from(`local:${position}`, 'utf8').toString('base64');
}

function decodeToken(token: unknown): string | undefined {
  if (token === undefined || token === null) return undefined;
  const text = typeof token === 'string' ? Buffer.from(token, 'base64').toString('utf8') : '';
  if (!text.startsWith('local:')) throw new AwsError('InvalidParameterException', 'The specified nextToken is invalid.');
  return text.slice('local:'.length);
}

function increment(eventId: string): string {
  return (BigInt(eventId) + 1n).toString().padStart(56, '0');
}
