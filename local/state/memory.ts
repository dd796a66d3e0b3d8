import type { Collection, DroppedState, LogPersistence, Owner, PersistedLogEvent, PersistedLogGroup, StateKind, StateStore } from './types.js';

const ownerKey = (owner: Owner) => `${owner.logicalId}\u0000${owner.type}`;

interface MemoryGroup {
  creationTime: number;
  retentionInDays: number | undefined;
  createdByApi: boolean;
  streams: Map<string, number>;
  events: PersistedLogEvent[];
}

/**
 * State kept in this process only. Handing the same instance to a second set
 * of services stands in for a restart in unit tests.
 */
export class MemoryStateStore implements StateStore {
  readonly durable: boolean = true;
  readonly location = ':memory:';
  private readonly records = new Map<StateKind, Map<string, { owner: Owner; value: unknown }>>();
  private readonly logGroups = new Map<string, MemoryGroup>();

  collection<T>(kind: StateKind, owner: Owner): Collection<T> {
    let byId = this.records.get(kind);
    if (!byId) this.records.set(kind, (byId = new Map()));
    const records = byId;
    const key = ownerKey(owner);
    // structuredClone: what a restart reads back is a copy, never the live object.
    return {
      save: (id, value) => void records.set(`${key}\u0000${id}`, { owner, value: structuredClone(value) }),
      remove: (id) => void records.delete(`${key}\u0000${id}`),
      all: () => [...records.values()].filter((r) => ownerKey(r.owner) === key).map((r) => structuredClone(r.value) as T),
    };
  }

  count(kind: StateKind): number {
    return this.records.get(kind)?.size ?? 0;
  }

  readonly logs: LogPersistence = {
    saveGroup: (name, creationTime, retentionInDays, createdByApi = false) => {
      const group = this.logGroups.get(name);
      if (group) {
        group.retentionInDays = retentionInDays;
        group.createdByApi ||= createdByApi;
      } else this.logGroups.set(name, { creationTime, retentionInDays, createdByApi, streams: new Map(), events: [] });
    },
    saveStream: (groupName, name, creationTime) => {
      const group = this.logGroups.get(groupName);
      if (group && !group.streams.has(name)) group.streams.set(name, creationTime);
    },
    appendEvents: (groupName, events) => {
      this.logGroups.get(groupName)?.events.push(...events.map((e) => ({ ...e })));
    },
    trimEvents: (groupName, cutoff, keep) => {
      const group = this.logGroups.get(groupName);
      if (!group) return;
      group.events = group.events.filter((e) => e.timestamp >= cutoff).slice(-keep);
    },
    groups: (): PersistedLogGroup[] =>
      [...this.logGroups].map(([logGroupName, g]) => ({
        logGroupName,
        creationTime: g.creationTime,
        ...(g.retentionInDays === undefined ? {} : { retentionInDays: g.retentionInDays }),
        ...(g.createdByApi ? { createdByApi: true } : {}),
        streams: [...g.streams].map(([logStreamName, creationTime]) => ({ logStreamName, creationTime })),
      })),
    events: (groupName) => [...(this.logGroups.get(groupName)?.events ?? [])],
  };

  retainOwners(present: readonly Owner[], logGroupsPresent: ReadonlySet<string>): DroppedState[] {
    const keep = new Set(present.map(ownerKey));
    const dropped = new Map<string, DroppedState>();
    for (const [kind, byId] of this.records) {
      for (const [id, record] of byId) {
        if (keep.has(ownerKey(record.owner))) continue;
        byId.delete(id);
        const key = `${kind}\u0000${ownerKey(record.owner)}`;
        const before = dropped.get(key);
        dropped.set(key, { kind, owner: record.owner, count: (before?.count ?? 0) + 1, reason: missingOwnerReason(record.owner, present) });
      }
    }
    for (const [name, group] of this.logGroups) {
      if (logGroupsPresent.has(name) || group.createdByApi) continue;
      this.logGroups.delete(name);
      dropped.set(`log\u0000${name}`, {
        kind: 'log-events',
        owner: { logicalId: name, type: 'AWS::Logs::LogGroup' },
        count: group.events.length,
        reason: 'no function or log group of the assembly writes to it any more',
      });
    }
    return [...dropped.values()];
  }

  close(): void {}
}

/** `--in-memory`: today's behaviour, nothing kept beyond the services' own memory. */
export class NoStateStore implements StateStore {
  readonly durable = false;
  readonly location = '(in memory)';
  collection<T>(): Collection<T> {
    return { save: () => {}, remove: () => {}, all: () => [] };
  }
  count(): number {
    return 0;
  }
  readonly logs: LogPersistence = {
    saveGroup: () => {},
    saveStream: () => {},
    appendEvents: () => {},
    trimEvents: () => {},
    groups: () => [],
    events: () => [],
  };
  retainOwners(): DroppedState[] {
    return [];
  }
  close(): void {}
}

/** Why a record's owner no longer counts: gone, or the same logical id now of another type. */
export function missingOwnerReason(owner: Owner, present: readonly Owner[]): string {
  const same = present.find((o) => o.logicalId === owner.logicalId);
  return same
    ? `${owner.logicalId} is now ${same.type}, was ${owner.type}`
    : `${owner.logicalId} (${owner.type}) is no longer in the assembly`;
}
