/**
 * The small typed interface through which services keep the state AWS keeps
 * durably (queued async events, retries, SQS messages, log events). Services
 * depend on this interface only: the runtime passes the SQLite store, unit
 * tests the in-memory one, and `--in-memory` a store that keeps nothing.
 */

/** The template resource a piece of state belongs to; state whose owner left the assembly is dropped. */
export interface Owner {
  readonly logicalId: string;
  readonly type: string;
}

/** The kinds of state the runtime keeps, one per service concern. */
export type StateKind =
  | 'lambda-async-event'
  | 'lambda-event-invoke-config'
  | 'sqs-message'
  | 'sqs-queue'
  | 'sns-delivery'
  | 'sns-subscription'
  | 'eventbridge-delivery'
  | 'eventbridge-archive-event'
  | 'eventbridge-replay'
  | 'eventbridge-rule';

/**
 * The records of one kind owned by one resource. Writes apply in call order;
 * a durable store may commit several together (see {@link StateStore.commit}).
 */
export interface Collection<T> {
  /** Insert or replace. */
  save(id: string, value: T): void;
  remove(id: string): void;
  /** Every record, in insertion order. */
  all(): T[];
}

/** A log event as the store keeps it (CloudWatch Logs' stored shape). */
export interface PersistedLogEvent {
  readonly logStreamName: string;
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
  readonly eventId: string;
}

export interface PersistedLogGroup {
  readonly logGroupName: string;
  readonly creationTime: number;
  readonly retentionInDays?: number;
  /** Made by CreateLogGroup: no template resource owns it, so it outlives any assembly (as on AWS). */
  readonly createdByApi?: boolean;
  readonly streams: readonly { readonly logStreamName: string; readonly creationTime: number }[];
}

/** CloudWatch Logs' durable side: groups, streams, events. */
export interface LogPersistence {
  /** `createdByApi` sticks once set: a later save without it keeps it. */
  saveGroup(logGroupName: string, creationTime: number, retentionInDays: number | undefined, createdByApi?: boolean): void;
  saveStream(logGroupName: string, logStreamName: string, creationTime: number): void;
  appendEvents(logGroupName: string, events: readonly PersistedLogEvent[]): void;
  /** Drop a group's events older than `cutoff` (retention) or beyond the newest `keep`. */
  trimEvents(logGroupName: string, cutoff: number, keep: number): void;
  groups(): PersistedLogGroup[];
  events(logGroupName: string): PersistedLogEvent[];
}

/** What was dropped at start because the assembly no longer has its owner. */
export interface DroppedState {
  readonly kind: string;
  readonly owner: Owner;
  readonly count: number;
  readonly reason: string;
}

export interface StateStore {
  /** False for `--in-memory`: nothing survives the process. */
  readonly durable: boolean;
  /** The database file, for messages. */
  readonly location: string;
  collection<T>(kind: StateKind, owner: Owner): Collection<T>;
  /** Every record of a kind, whatever its owner (for the resume summary). */
  count(kind: StateKind): number;
  readonly logs: LogPersistence;
  /** Keep state whose owner's logical id and type are still in the assembly; drop the rest and say what. */
  retainOwners(present: readonly Owner[], logGroupsPresent: ReadonlySet<string>): DroppedState[];
  /**
   * Make every write so far durable now. A store that groups writes into one
   * transaction commits them within milliseconds anyway; the runtime calls
   * this before any response leaves, so what an API accepted is on disk
   * before the caller hears so. Throws when the writes cannot be committed.
   */
  commit?(): void;
  close(): void;
}
