/**
 * Archives and replays. An archive keeps the events of its bus that match
 * its pattern, with their arrival time; a replay re-sends the events of a
 * time window to the rules of the archive's bus (never to archives again),
 * marking each with `replay-name` as EventBridge does.
 */
import { AwsError } from '../protocol/errors.js';
import type { EventEnvelope } from './envelope.js';
import type { ArchiveModel } from './model.js';
import type { Collection } from '../state/types.js';

export interface ArchivedEvent {
  readonly event: EventEnvelope;
  /** Epoch ms the bus received the event. */
  readonly arrivedAt: number;
  /** Bytes of the event as JSON, counted once for ListArchives' SizeBytes. */
  readonly size: number;
}

export type ReplayState = 'STARTING' | 'RUNNING' | 'CANCELLING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

export interface ReplayRecord {
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  readonly archiveArn: string;
  readonly destination: { readonly Arn: string; readonly FilterArns?: readonly string[] };
  readonly startTime: number;
  readonly endTime: number;
  state: ReplayState;
  stateReason: string;
  readonly replayStartTime: number;
  replayEndTime?: number;
  lastReplayedTime?: number;
  /** Events sent so far that arrived at `lastReplayedTime`: a resumed replay skips exactly those. */
  sentAtLastTime?: number;
}

/** The events of one archive. */
export class ArchiveStore {
  private readonly events: ArchivedEvent[] = [];
  private bytes = 0;
  private sequence = 0;

  /** `store` keeps the archive across restarts; events are keyed by arrival order. */
  constructor(
    readonly model: ArchiveModel,
    private readonly store?: Collection<ArchivedEvent & { readonly key: string }>,
  ) {}

  /** Take up the events a previous run archived; returns how many. */
  resume(): number {
    const saved = this.store?.all() ?? [];
    for (const { key, ...archived } of saved) {
      this.events.push(archived);
      this.bytes += archived.size;
      this.sequence = Math.max(this.sequence, Number(key) + 1);
    }
    this.keys.push(...saved.map((s) => s.key));
    return saved.length;
  }

  /** Store keys, parallel to `events`. */
  private readonly keys: string[] = [];

  /** Keep `event` if it matches the archive's pattern. */
  offer(event: EventEnvelope, arrivedAt: number): void {
    if (this.model.pattern && !this.model.pattern.matches(event)) return;
    const size = Buffer.byteLength(JSON.stringify(event));
    this.events.push({ event, arrivedAt, size });
    this.bytes += size;
    const key = String(this.sequence++).padStart(12, '0');
    this.keys.push(key);
    this.store?.save(key, { key, event, arrivedAt, size });
  }

  /** Events that arrived in [start, end), oldest first, after dropping expired ones. */
  window(start: number, end: number, now: number): ArchivedEvent[] {
    this.expire(now);
    return this.events.filter((e) => e.arrivedAt >= start && e.arrivedAt < end);
  }

  get eventCount(): number {
    return this.events.length;
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  /** Drop the events older than the retention period (none when it is 0, "indefinitely"). */
  expire(now: number): void {
    const days = this.model.retentionDays;
    if (!days) return;
    const cutoff = now - days * 86_400_000;
    while (this.events.length > 0 && this.events[0]!.arrivedAt < cutoff) {
      this.bytes -= this.events.shift()!.size;
      const key = this.keys.shift();
      if (key !== undefined) this.store?.remove(key);
    }
  }
}

/** Input of StartReplay, as the API decodes it (times as Date or epoch ms). */
export interface StartReplayInput {
  readonly ReplayName: string;
  readonly Description?: string;
  readonly EventSourceArn: string;
  readonly EventStartTime: Date | number;
  readonly EventEndTime: Date | number;
  readonly Destination: { readonly Arn: string; readonly FilterArns?: readonly string[] };
}

const validation = (param: string, reason: string) =>
  new AwsError('ValidationException', `Parameter ${param} is not valid. Reason: ${reason}`, 400);

/** Validate StartReplay input against the archive; throws AwsError as EventBridge does. */
export function checkReplayInput(input: StartReplayInput, archive: ArchiveModel | undefined): void {
  if (!input.ReplayName || !/^[.\-_A-Za-z0-9]{1,64}$/.test(input.ReplayName)) {
    throw validation('ReplayName', 'ReplayName must match [\\.\\-_A-Za-z0-9]+ and be 1 to 64 characters long.');
  }
  if (!archive) {
    const name = input.EventSourceArn?.split('/').pop() ?? '';
    throw new AwsError('ResourceNotFoundException', `Archive ${name} does not exist.`, 400);
  }
  const start = toMs(input.EventStartTime);
  const end = toMs(input.EventEndTime);
  if (Number.isNaN(start)) throw validation('EventStartTime', 'EventStartTime is required.');
  if (Number.isNaN(end)) throw validation('EventEndTime', 'EventEndTime is required.');
  if (start >= end) throw validation('EventStartTime', 'EventStartTime must be before EventEndTime.');
  if (!input.Destination?.Arn) throw validation('Destination.Arn', 'Destination.Arn is required.');
  if (input.Destination.Arn !== archive.sourceArn) {
    throw validation('Destination.Arn', 'Cross event bus replay is not permitted.');
  }
}

export function toMs(time: Date | number | undefined): number {
  if (time instanceof Date) return time.getTime();
  if (typeof time === 'number') return time;
  return Number.NaN;
}
