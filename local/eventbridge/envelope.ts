/**
 * PutEvents entry validation and the event envelope EventBridge builds from
 * an entry, with AWS's field order.
 */
import { randomUUID } from 'node:crypto';
import type { PutEventsEntry, PutEventsResultEntry } from '../contracts.js';
import { AwsError } from '../protocol/errors.js';

/** The event as rules, archives and targets see it. */
export interface EventEnvelope {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
  readonly 'replay-name'?: string;
}

/**
 * 1 MB: the most a PutEvents call may carry since 2026-01-29 (it was 256 KB).
 * https://aws.amazon.com/blogs/compute/more-room-to-build-serverless-services-now-support-payloads-up-to-1-mb
 */
export const MAX_REQUEST_BYTES = 1024 * 1024;

const STRING_FIELDS = ['Source', 'DetailType', 'Detail', 'EventBusName', 'TraceHeader'] as const;

/**
 * Reject members of the wrong JSON type for the whole call, as the AWS JSON
 * protocol does before any entry is looked at, instead of failing on them later.
 */
export function checkEntryShapes(entries: readonly PutEventsEntry[]): void {
  for (const entry of entries) {
    if (entry === null || typeof entry !== 'object') throw wrongType('Entries');
    for (const field of STRING_FIELDS) {
      const value = entry[field];
      if (value !== undefined && value !== null && typeof value !== 'string') throw wrongType(field);
    }
    const resources: unknown = entry.Resources;
    if (resources !== undefined && resources !== null && !isStringArray(resources)) throw wrongType('Resources');
  }
}

// Module functions rather than closures made per call: under tsx (keepNames) a closure also costs a defineProperty of its name.
function wrongType(field: string): AwsError {
  return new AwsError('SerializationException', `Unexpected value type for ${field} of a PutEvents entry`, 400);
}

function isStringArray(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  // As `some` does, holes are skipped.
  for (let i = 0; i < value.length; i++) if (i in value && typeof value[i] !== 'string') return false;
  return true;
}

/** EventBridge's size formula for one entry (Time counts 14 bytes). */
export function entrySize(entry: PutEventsEntry): number {
  // Summed field by field: no list of the texts is built for each entry.
  let size = (entry.Time === undefined ? 0 : 14) + textBytes(entry.Source) + textBytes(entry.DetailType) + textBytes(entry.Detail);
  const resources = entry.Resources;
  if (resources) for (const resource of resources) size += textBytes(resource);
  return size;
}

function textBytes(text: unknown): number {
  return typeof text === 'string' ? Buffer.byteLength(text, 'utf8') : 0;
}

/** The second {@link isoSeconds} last wrote, and its text: events come many to a second. */
let lastSecond = Number.NaN;
let lastSecondText = '';

/** Second-precision ISO time, as EventBridge writes `time`. */
export function isoSeconds(ms: number): string {
  const second = Math.floor(ms / 1000);
  // Written once per second rather than per event: ~0.7 µs and two strings less an event.
  if (second !== lastSecond) {
    lastSecondText = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
    lastSecond = second;
  }
  return lastSecondText;
}

/**
 * Where an internal caller (a Lambda destination) hands over an entry's
 * Detail already parsed: `entry[PARSED_DETAIL]` is `JSON.parse(entry.Detail)`
 * (the caller made Detail with `JSON.stringify` of it, so Detail is also the
 * canonical text of that value). A symbol: the public PutEvents API never
 * carries it and JSON never shows it.
 */
export const PARSED_DETAIL: unique symbol = Symbol('parsedDetail');

/** A PutEvents entry that may carry its Detail parsed (see {@link PARSED_DETAIL}). */
export interface InternalPutEventsEntry extends PutEventsEntry {
  readonly [PARSED_DETAIL]?: Record<string, unknown>;
}

/**
 * For an envelope whose `detail` came parsed with its entry: Detail's text,
 * which is exactly `JSON.stringify(envelope.detail)`, so a target's payload
 * reuses it instead of serialising the detail again. Weak: an envelope's
 * entry goes with the envelope; a copy (a replay's) is not in it.
 */
const canonicalDetailTexts = new WeakMap<EventEnvelope, string>();

/** The text `JSON.stringify(event.detail)` gives, when it is known without serialising (see {@link canonicalDetailTexts}). */
export function canonicalDetailText(event: EventEnvelope): string | undefined {
  return canonicalDetailTexts.get(event);
}

/** The per-entry error for an invalid entry, or the parsed detail. */
export function validateEntry(
  entry: PutEventsEntry,
): { readonly error: PutEventsResultEntry } | { readonly detail: Record<string, unknown> } {
  if (typeof entry.Source !== 'string' || entry.Source === '') return required('Source');
  // `aws.` sources are reserved for AWS services; a customer's entry is refused on its own.
  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsResultEntry.html
  if (entry.Source.startsWith('aws.')) {
    return {
      error: {
        ErrorCode: 'NotAuthorizedForSourceException',
        ErrorMessage: 'Not authorized for the source.',
      },
    };
  }
  if (typeof entry.DetailType !== 'string' || entry.DetailType === '') return required('DetailType');
  if (typeof entry.Detail !== 'string' || entry.Detail === '') return required('Detail');
  // An internal caller's detail is an object already: the ~2 KB record is not parsed again (0.4% of the runtime's CPU).
  const parsed = (entry as InternalPutEventsEntry)[PARSED_DETAIL];
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && isParsedJson(parsed)) return { detail: parsed };
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail);
  } catch {
    detail = undefined;
  }
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
    return { error: { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' } };
  }
  return { detail: detail as Record<string, unknown> };
}

/**
 * Whether `value` is exactly what `JSON.parse(JSON.stringify(value))` gives:
 * only plain objects, arrays, strings, booleans, null and finite numbers
 * other than -0. A detail made by JSON.parse may hold what its text does
 * not say (1e400 parses to Infinity, which is written back as null; -0 as
 * 0), and EventBridge matches the parse of the text. A walk allocates
 * nothing and costs a fraction of a parse.
 */
export function isParsedJson(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isParsedJson(value[i])) return false;
        return true;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      for (const key in value) if (!isParsedJson((value as Record<string, unknown>)[key])) return false;
      return true;
    }
    default:
      return false;
  }
}

/** The error of an entry that lacks a required member. */
function required(name: string): { readonly error: PutEventsResultEntry } {
  return {
    error: {
      ErrorCode: 'InvalidArgument',
      ErrorMessage: `Parameter ${name} is not valid. Reason: ${name} is a required argument.`,
    },
  };
}

/** Entry time as epoch ms: a Date, epoch seconds (the JSON protocol), or ISO text. */
function entryTime(time: PutEventsEntry['Time'] | number, now: number): number {
  if (time === undefined) return now;
  if (time instanceof Date) return time.getTime();
  if (typeof time === 'number') return time * 1000;
  const parsed = Date.parse(time);
  return Number.isNaN(parsed) ? now : parsed;
}

/** Build the envelope, keys in the order AWS delivers them. */
export function buildEnvelope(
  entry: PutEventsEntry,
  detail: Record<string, unknown>,
  env: { readonly account: string; readonly region: string },
  now: number,
): EventEnvelope {
  const event: EventEnvelope = {
    version: '0',
    id: randomUUID(),
    'detail-type': entry.DetailType!,
    source: entry.Source!,
    account: env.account,
    time: isoSeconds(entryTime(entry.Time as PutEventsEntry['Time'] | number, now)),
    region: env.region,
    resources: [...(entry.Resources ?? [])],
    detail,
  };
  if ((entry as InternalPutEventsEntry)[PARSED_DETAIL] === detail) canonicalDetailTexts.set(event, entry.Detail!);
  return event;
}

/**
 * `JSON.stringify(event)`, the payload of a target that gets the whole
 * event. For an envelope {@link buildEnvelope} made from an entry whose
 * Detail came parsed, the detail's text is already in hand: only the fixed
 * fields are serialised, in the same order (buildEnvelope's), and the
 * detail text is put in as it is. Byte-identical, since that text is
 * `JSON.stringify(event.detail)`.
 */
export function envelopeText(event: EventEnvelope): string {
  const detailText = canonicalDetailTexts.get(event);
  if (detailText === undefined) return JSON.stringify(event);
  return (
    `{"version":"0","id":${JSON.stringify(event.id)},"detail-type":${JSON.stringify(event['detail-type'])}` +
    `,"source":${JSON.stringify(event.source)},"account":${JSON.stringify(event.account)},"time":${JSON.stringify(event.time)}` +
    `,"region":${JSON.stringify(event.region)},"resources":${JSON.stringify(event.resources)},"detail":${detailText}}`
  );
}
