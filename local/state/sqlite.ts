import { existsSync, mkdirSync, rmSync, accessSync, constants } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { missingOwnerReason } from './memory.js';
import type { Collection, DroppedState, LogPersistence, Owner, PersistedLogEvent, PersistedLogGroup, StateKind, StateStore } from './types.js';

/** Bumped when the schema changes; a file of a newer format is refused, never read. */
export const STATE_FORMAT_VERSION = 2;

/** A state file the runtime will not use, with what the user can do about it. */
export class StateError extends Error {
  override readonly name = 'StateError';
}

export interface OpenStateOptions {
  /** Directory of the state files (`.local/` by default). */
  readonly dir: string;
  /** One file per stack. */
  readonly stackName: string;
  /** Discard what is there. */
  readonly fresh?: boolean;
  /** Written into the lock so a second runtime can name this one. */
  readonly port: number;
}

interface LockOwner {
  readonly pid: number;
  readonly port: number;
  readonly startedAt: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
  seq INTEGER PRIMARY KEY,
  kind TEXT NOT NULL, owner_id TEXT NOT NULL, owner_type TEXT NOT NULL, id TEXT NOT NULL,
  value TEXT NOT NULL,
  UNIQUE (kind, owner_id, owner_type, id)
);
CREATE TABLE IF NOT EXISTS log_groups (
  name TEXT PRIMARY KEY, creation_time INTEGER NOT NULL, retention_days INTEGER, created_by_api INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS log_streams (
  group_name TEXT NOT NULL, name TEXT NOT NULL, creation_time INTEGER NOT NULL,
  PRIMARY KEY (group_name, name)
);
CREATE TABLE IF NOT EXISTS log_events (
  seq INTEGER PRIMARY KEY,
  group_name TEXT NOT NULL, stream TEXT NOT NULL, ts INTEGER NOT NULL, ingestion INTEGER NOT NULL,
  event_id TEXT NOT NULL, message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS log_events_by_group ON log_events (group_name, seq);
`;

/** The file holding one stack's state. */
export function stateFile(dir: string, stackName: string): string {
  return path.join(dir, `${stackName.replace(/[^A-Za-z0-9._-]/g, '_')}.sqlite`);
}

/**
 * Open (or create) a stack's state file, refusing a corrupt or newer file, a
 * directory that cannot be written, and a file another live runtime holds.
 */
export function openSqliteState(options: OpenStateOptions): SqliteStateStore {
  const file = stateFile(options.dir, options.stackName);
  try {
    mkdirSync(options.dir, { recursive: true });
    accessSync(options.dir, constants.W_OK);
  } catch (error) {
    throw new StateError(`cannot write the state directory ${options.dir}: ${(error as Error).message}. Pick another with --state DIR, or run with --in-memory`);
  }
  if (options.fresh && existsSync(file)) {
    const holder = readLockQuietly(file);
    if (holder) throw lockedError(file, holder);
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  }
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (error) {
    throw new StateError(`cannot open the state file ${file}: ${(error as Error).message}. Pick another directory with --state DIR`);
  }
  try {
    return new SqliteStateStore(db, file, options.port);
  } catch (error) {
    db.close();
    if (error instanceof StateError) throw error;
    throw explain(error, file);
  }
}

function explain(error: unknown, file: string): StateError {
  const code = (error as { code?: string }).code ?? '';
  const message = (error as Error).message;
  if (code === 'SQLITE_FULL') return new StateError(`the disk holding ${file} is full: free some space, or use --state DIR elsewhere`);
  if (code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM' || code.startsWith('SQLITE_IOERR')) {
    return new StateError(`cannot write the state file ${file} (${code}: ${message}). Pick another directory with --state DIR`);
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT')) {
    return new StateError(`the state file ${file} is corrupt (${message}). Start with --fresh to discard it`);
  }
  return new StateError(`cannot use the state file ${file} (${code || 'error'}: ${message}). Start with --fresh to discard it`);
}

function lockedError(file: string, holder: LockOwner): StateError {
  return new StateError(
    `another local runtime (pid ${holder.pid}, port ${holder.port}) is using the state file ${file}; stop it first, or give this one its own --state DIR`,
  );
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLockQuietly(file: string): LockOwner | undefined {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare(`SELECT value FROM meta WHERE key = 'lock'`).get() as { value: string } | undefined;
      const holder = row ? (JSON.parse(row.value) as LockOwner) : undefined;
      return holder && isAlive(holder.pid) ? holder : undefined;
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
}

const ownerKey = (owner: Owner) => `${owner.logicalId}\u0000${owner.type}`;

/**
 * Writes waiting this long at most before they commit together. One
 * transaction per write cost 36 µs of CPU (175 µs of wall time on the loaded
 * 2-core machine), about a dozen times per event; twenty per transaction,
 * 7 µs (38 µs) each (better-sqlite3, WAL, 3 KB rows).
 */
const GROUP_COMMIT_MS = 5;

/**
 * SQLite through better-sqlite3, in WAL mode. Writes queue in call order and
 * commit as one transaction (group commit): before any response leaves the
 * runtime ({@link commit}), or at most {@link GROUP_COMMIT_MS} after the
 * first of them. A crash loses at most the writes of those few milliseconds
 * of background work, never what an API call was answered for; the work they
 * recorded runs again at the next start, which is Lambda's and SNS's
 * at-least-once delivery anyway. A batch that fails to commit (a full disk)
 * stays queued ahead of later writes, so every commit fails until it lands:
 * no caller is answered for a write that was dropped.
 */
export class SqliteStateStore implements StateStore {
  readonly durable = true;
  private pending: (() => unknown)[] = [];
  private commitTimer: NodeJS.Timeout | undefined;
  private readonly commitBatch: Database.Transaction<(batch: readonly (() => unknown)[]) => void>;
  private readonly upsert: Database.Statement;
  private readonly deleteRecord: Database.Statement;
  private readonly selectRecords: Database.Statement;
  private readonly insertEvent: Database.Statement;
  private closed = false;

  constructor(
    private readonly db: Database.Database,
    readonly location: string,
    port: number,
  ) {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > STATE_FORMAT_VERSION) {
      throw new StateError(
        `the state file ${location} has format ${version}, newer than this runtime's ${STATE_FORMAT_VERSION} (written by a newer version of the project). Start with --fresh to discard it, or use --state DIR`,
      );
    }
    db.pragma('busy_timeout = 2000');
    // WAL with synchronous=NORMAL: a committed transaction survives the process being killed
    // (kill -9); only an OS crash or power loss may roll back the last ones.
    // https://www.sqlite.org/pragma.html#pragma_synchronous and https://www.sqlite.org/wal.html
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(SCHEMA);
    // Format 1 had no record of which log groups CreateLogGroup made.
    if (version === 1) db.exec(`ALTER TABLE log_groups ADD COLUMN created_by_api INTEGER NOT NULL DEFAULT 0`);
    if (version < STATE_FORMAT_VERSION) db.pragma(`user_version = ${STATE_FORMAT_VERSION}`);
    this.takeLock(port);
    this.upsert = db.prepare(
      `INSERT INTO records (kind, owner_id, owner_type, id, value) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (kind, owner_id, owner_type, id) DO UPDATE SET value = excluded.value`,
    );
    this.deleteRecord = db.prepare(`DELETE FROM records WHERE kind = ? AND owner_id = ? AND owner_type = ? AND id = ?`);
    this.selectRecords = db.prepare(`SELECT value FROM records WHERE kind = ? AND owner_id = ? AND owner_type = ? ORDER BY seq`);
    this.insertEvent = db.prepare(`INSERT INTO log_events (group_name, stream, ts, ingestion, event_id, message) VALUES (?, ?, ?, ?, ?, ?)`);
    this.commitBatch = db.transaction((batch: readonly (() => unknown)[]) => {
      for (const run of batch) run();
    });
  }

  private takeLock(port: number): void {
    const take = this.db.transaction(() => {
      const row = this.db.prepare(`SELECT value FROM meta WHERE key = 'lock'`).get() as { value: string } | undefined;
      if (row) {
        const holder = JSON.parse(row.value) as LockOwner;
        // A holder that is gone was killed: its state is ours to resume.
        if (isAlive(holder.pid)) throw lockedError(this.location, holder);
      }
      const owner: LockOwner = { pid: process.pid, port, startedAt: Date.now() };
      this.db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('lock', ?)`).run(JSON.stringify(owner));
    });
    take.immediate();
  }

  collection<T>(kind: StateKind, owner: Owner): Collection<T> {
    const { logicalId, type } = owner;
    return {
      save: (id, value) => {
        // Serialized now: the caller goes on changing its object before the commit.
        const text = JSON.stringify(value);
        this.write(() => this.upsert.run(kind, logicalId, type, id, text));
      },
      remove: (id) => void this.write(() => this.deleteRecord.run(kind, logicalId, type, id)),
      all: () => {
        this.commit();
        return (this.selectRecords.all(kind, logicalId, type) as { value: string }[]).map((r) => JSON.parse(r.value) as T);
      },
    };
  }

  count(kind: StateKind): number {
    this.commit();
    return (this.db.prepare(`SELECT count(*) AS n FROM records WHERE kind = ?`).get(kind) as { n: number }).n;
  }

  readonly logs: LogPersistence = {
    saveGroup: (name, creationTime, retentionInDays, createdByApi = false) =>
      this.write(() =>
        this.db
          .prepare(
            `INSERT INTO log_groups (name, creation_time, retention_days, created_by_api) VALUES (?, ?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET retention_days = excluded.retention_days,
               created_by_api = max(created_by_api, excluded.created_by_api)`,
          )
          .run(name, creationTime, retentionInDays ?? null, createdByApi ? 1 : 0),
      ),
    saveStream: (groupName, name, creationTime) =>
      this.write(() => this.db.prepare(`INSERT OR IGNORE INTO log_streams (group_name, name, creation_time) VALUES (?, ?, ?)`).run(groupName, name, creationTime)),
    appendEvents: (groupName, events) => {
      const rows = events.map((e) => [groupName, e.logStreamName, e.timestamp, e.ingestionTime, e.eventId, e.message] as const);
      // The group commit's transaction makes the batch atomic.
      this.write(() => {
        for (const row of rows) this.insertEvent.run(...row);
      });
    },
    trimEvents: (groupName, cutoff, keep) =>
      this.write(
        this.db.transaction(() => {
          if (Number.isFinite(cutoff)) this.db.prepare(`DELETE FROM log_events WHERE group_name = ? AND ts < ?`).run(groupName, cutoff);
          this.db
            .prepare(
              `DELETE FROM log_events WHERE group_name = ? AND seq <= (
                 SELECT seq FROM log_events WHERE group_name = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
            )
            .run(groupName, groupName, keep);
        }),
      ),
    groups: (): PersistedLogGroup[] => {
      this.commit();
      const groups = this.db.prepare(`SELECT name, creation_time, retention_days, created_by_api FROM log_groups ORDER BY name`).all() as {
        name: string;
        creation_time: number;
        retention_days: number | null;
        created_by_api: number;
      }[];
      const streams = this.db.prepare(`SELECT name, creation_time FROM log_streams WHERE group_name = ? ORDER BY name`);
      return groups.map((g) => ({
        logGroupName: g.name,
        creationTime: g.creation_time,
        ...(g.retention_days === null ? {} : { retentionInDays: g.retention_days }),
        ...(g.created_by_api ? { createdByApi: true } : {}),
        streams: (streams.all(g.name) as { name: string; creation_time: number }[]).map((s) => ({ logStreamName: s.name, creationTime: s.creation_time })),
      }));
    },
    events: (groupName): PersistedLogEvent[] => {
      this.commit();
      return (
        this.db.prepare(`SELECT stream, ts, ingestion, event_id, message FROM log_events WHERE group_name = ? ORDER BY seq`).all(groupName) as {
          stream: string;
          ts: number;
          ingestion: number;
          event_id: string;
          message: string;
        }[]
      ).map((r) => ({ logStreamName: r.stream, timestamp: r.ts, ingestionTime: r.ingestion, eventId: r.event_id, message: r.message }));
    },
  };

  /** Total log events kept, for the resume summary. */
  logEventCount(): number {
    this.commit();
    return (this.db.prepare(`SELECT count(*) AS n FROM log_events`).get() as { n: number }).n;
  }

  retainOwners(present: readonly Owner[], logGroupsPresent: ReadonlySet<string>): DroppedState[] {
    const keep = new Set(present.map(ownerKey));
    const dropped: DroppedState[] = [];
    const drop = this.db.transaction(() => {
      const owners = this.db.prepare(`SELECT kind, owner_id, owner_type, count(*) AS n FROM records GROUP BY kind, owner_id, owner_type`).all() as {
        kind: string;
        owner_id: string;
        owner_type: string;
        n: number;
      }[];
      for (const row of owners) {
        const owner = { logicalId: row.owner_id, type: row.owner_type };
        if (keep.has(ownerKey(owner))) continue;
        this.db.prepare(`DELETE FROM records WHERE kind = ? AND owner_id = ? AND owner_type = ?`).run(row.kind, row.owner_id, row.owner_type);
        dropped.push({ kind: row.kind, owner, count: row.n, reason: missingOwnerReason(owner, present) });
      }
      // A group CreateLogGroup made belongs to no template resource: no assembly change drops it.
      const groups = this.db.prepare(`SELECT name FROM log_groups WHERE created_by_api = 0`).all() as { name: string }[];
      for (const { name } of groups) {
        if (logGroupsPresent.has(name)) continue;
        const { n } = this.db.prepare(`SELECT count(*) AS n FROM log_events WHERE group_name = ?`).get(name) as { n: number };
        for (const table of ['log_events', 'log_streams']) this.db.prepare(`DELETE FROM ${table} WHERE group_name = ?`).run(name);
        this.db.prepare(`DELETE FROM log_groups WHERE name = ?`).run(name);
        dropped.push({
          kind: 'log-events',
          owner: { logicalId: name, type: 'AWS::Logs::LogGroup' },
          count: n,
          reason: 'no function or log group of the assembly writes to it any more',
        });
      }
    });
    this.commit();
    if (!this.closed) {
      try {
        drop.immediate();
      } catch (error) {
        throw explain(error, this.location);
      }
    }
    return dropped;
  }

  commit(): void {
    if (this.commitTimer) clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    if (this.pending.length === 0 || this.closed) return;
    const batch = this.pending;
    this.pending = [];
    try {
      this.commitBatch(batch);
    } catch (error) {
      // Rolled back whole: run again, in order, by the next commit.
      this.pending = [...batch, ...this.pending];
      throw explain(error, this.location);
    }
  }

  close(): void {
    if (this.closed) return;
    try {
      this.commit();
    } catch {
      // What cannot be written now is resumed from the earlier state at the next start.
    }
    this.closed = true;
    try {
      this.db.prepare(`DELETE FROM meta WHERE key = 'lock'`).run();
    } finally {
      this.db.close();
    }
  }

  /** Queued for the next group commit. A write after close (a late timer during shutdown) is dropped: the next start resumes the earlier state. */
  private write(run: () => unknown): void {
    if (this.closed) return;
    this.pending.push(run);
    this.commitTimer ??= setTimeout(() => {
      this.commitTimer = undefined;
      try {
        this.commit();
      } catch {
        // The batch stays queued: the next commit (before an answer, or the next write's timer) tries again and reports it.
      }
    }, GROUP_COMMIT_MS);
  }
}
